import CoreVideo
import LocalAuthentication
import XCTest
@testable import Tessera
import TesseraFFI

/// Frame packing on the host (`swift test` on a Mac with the macOS slice of the XCFramework).
/// On Tessera's Linux CI this file is parsed only; the same rules are tested on the JVM
/// (android/jvm-tests, FramePacker).
final class FramePackingTests: XCTestCase {
    func testSpanIsTheLastSampleOfTheLastRow() throws {
        XCTAssertEqual(try FramePacking.span(width: 640, height: 480, rowStride: 704, pixelStride: 1, bytesPerSample: 1), 479 * 704 + 640)
        XCTAssertEqual(try FramePacking.span(width: 320, height: 240, rowStride: 672, pixelStride: 2, bytesPerSample: 1), 239 * 672 + 319 * 2 + 1)
        XCTAssertEqual(try FramePacking.span(width: 100, height: 100, rowStride: 416, pixelStride: 4, bytesPerSample: 4), 99 * 416 + 400)
        XCTAssertThrowsError(try FramePacking.span(width: 640, height: 480, rowStride: 639, pixelStride: 1, bytesPerSample: 1))
        XCTAssertThrowsError(try FramePacking.span(width: 0, height: 480, rowStride: 640, pixelStride: 1, bytesPerSample: 1))
        XCTAssertThrowsError(try FramePacking.span(width: Int.max, height: 2, rowStride: Int.max, pixelStride: 1, bytesPerSample: 1))
    }

    func testBiPlanarBufferBecomesYuv420WithChromaViews() throws {
        var buffer: CVPixelBuffer?
        let attributes = [kCVPixelBufferIOSurfacePropertiesKey as String: [:] as [String: Any]] as CFDictionary
        XCTAssertEqual(CVPixelBufferCreate(nil, 64, 48, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, attributes, &buffer), kCVReturnSuccess)
        let pixels = try XCTUnwrap(buffer)
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }

        let frame = try FramePacking.frame(from: pixels)
        XCTAssertEqual(frame.format, .yuv420)
        XCTAssertEqual(frame.planes.count, 3)
        let yStride = CVPixelBufferGetBytesPerRowOfPlane(pixels, 0)
        XCTAssertEqual(frame.planes[0].data.count, 47 * yStride + 64)
        XCTAssertEqual(frame.planes[1].pixelStride, 2)
        XCTAssertEqual(frame.planes[2].pixelStride, 2)

        let luma = try FramePacking.frame(from: pixels, withChroma: false)
        XCTAssertEqual(luma.format, .luma)
        XCTAssertEqual(luma.planes.count, 1)
    }

    func testOtherFormatsAreRefused() throws {
        var buffer: CVPixelBuffer?
        XCTAssertEqual(CVPixelBufferCreate(nil, 8, 8, kCVPixelFormatType_32ARGB, nil, &buffer), kCVReturnSuccess)
        let pixels = try XCTUnwrap(buffer)
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        XCTAssertThrowsError(try FramePacking.frame(from: pixels))
    }

    func testBiometricErrorsMapToPlatformErrors() {
        XCTAssertEqual(SecureEnclaveBiometricGate.platformError(LAErrorShim.userCancel), .Cancelled)
        XCTAssertEqual(SecureEnclaveBiometricGate.platformError(LAErrorShim.lockout), .Lockout)
        XCTAssertEqual(SecureEnclaveBiometricGate.platformError(LAErrorShim.notEnrolled), .KeyInvalidated)
    }
}

enum LAErrorShim {
    static let userCancel = LAError(.userCancel)
    static let lockout = LAError(.biometryLockout)
    static let notEnrolled = LAError(.biometryNotEnrolled)
}

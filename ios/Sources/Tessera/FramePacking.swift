import CoreVideo
import Foundation
import TesseraFFI

/// Why a camera buffer cannot become a frame (a camera or configuration bug: drop the frame).
public enum FramePackingError: Error, Equatable {
    /// Strides or sizes that cannot describe the plane.
    case invalidPlane(String)
    /// A pixel format the shell does not pass (configure BGRA or 420 bi-planar full range).
    case unsupportedFormat(OSType)
}

/// Turns camera planes into Tessera's `CameraFrame` as they are laid out: no conversion, no
/// re-layout. Each plane is copied once, and only the bytes the core reads: from the plane's
/// base address to the last sample of the last row (row padding inside that span is kept, the
/// row stride says where rows start; nothing after the last sample is copied).
public enum FramePacking {
    /// Bytes from a plane's first sample to the end of its last one:
    /// `(height - 1) × rowStride + (width - 1) × pixelStride + bytesPerSample`, checked.
    public static func span(width: Int, height: Int, rowStride: Int, pixelStride: Int, bytesPerSample: Int) throws -> Int {
        guard width > 0, height > 0 else { throw FramePackingError.invalidPlane("\(width)×\(height) is not a size") }
        guard pixelStride >= bytesPerSample else { throw FramePackingError.invalidPlane("pixel stride \(pixelStride) < \(bytesPerSample)") }
        let (w, o1) = (width - 1).multipliedReportingOverflow(by: pixelStride)
        let (row, o2) = w.addingReportingOverflow(bytesPerSample)
        guard !o1, !o2, rowStride >= row else { throw FramePackingError.invalidPlane("row stride \(rowStride) < a row") }
        let (h, o3) = (height - 1).multipliedReportingOverflow(by: rowStride)
        let (total, o4) = h.addingReportingOverflow(row)
        guard !o3, !o4, total <= Int(UInt32.max) else { throw FramePackingError.invalidPlane("plane too large") }
        return total
    }

    /// One plane, copied from `base` (which must hold at least `available` bytes).
    public static func plane(
        _ base: UnsafeRawPointer, available: Int, width: Int, height: Int,
        rowStride: Int, pixelStride: Int, bytesPerSample: Int
    ) throws -> FramePlane {
        let count = try span(width: width, height: height, rowStride: rowStride, pixelStride: pixelStride, bytesPerSample: bytesPerSample)
        guard available >= count else { throw FramePackingError.invalidPlane("\(available) bytes, \(count) needed") }
        return FramePlane(data: Data(bytes: base, count: count), rowStride: UInt32(rowStride), pixelStride: UInt32(pixelStride))
    }

    /// A locked `CVPixelBuffer` from `AVCaptureVideoDataOutput`:
    /// - `kCVPixelFormatType_32BGRA` → `BGRA`, one plane, 4 bytes a pixel;
    /// - `kCVPixelFormatType_420YpCbCr8BiPlanarFullRange` (or video range) → `YUV420`: the Y
    ///   plane, and U and V as two views of the interleaved CbCr plane (pixel stride 2, V one
    ///   byte after U); with `withChroma == false`, the Y plane alone as `LUMA`.
    ///
    /// The caller locks the base address (`CVPixelBufferLockBaseAddress(_, .readOnly)`) for the
    /// duration of the call; the returned frame owns its copies and outlives the lock.
    public static func frame(from buffer: CVPixelBuffer, withChroma: Bool = true) throws -> CameraFrame {
        let format = CVPixelBufferGetPixelFormatType(buffer)
        let width = CVPixelBufferGetWidth(buffer)
        let height = CVPixelBufferGetHeight(buffer)
        switch format {
        case kCVPixelFormatType_32BGRA:
            guard let base = CVPixelBufferGetBaseAddress(buffer) else { throw FramePackingError.invalidPlane("not locked") }
            let stride = CVPixelBufferGetBytesPerRow(buffer)
            let pixels = try Self.plane(base, available: stride * height, width: width, height: height, rowStride: stride, pixelStride: 4, bytesPerSample: 4)
            return CameraFrame(width: UInt32(width), height: UInt32(height), format: .bgra, planes: [pixels])
        case kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange:
            guard CVPixelBufferGetPlaneCount(buffer) == 2,
                  let yBase = CVPixelBufferGetBaseAddressOfPlane(buffer, 0),
                  let cBase = CVPixelBufferGetBaseAddressOfPlane(buffer, 1)
            else { throw FramePackingError.invalidPlane("not locked, or not two planes") }
            let yStride = CVPixelBufferGetBytesPerRowOfPlane(buffer, 0)
            let yRows = CVPixelBufferGetHeightOfPlane(buffer, 0)
            let y = try Self.plane(yBase, available: yStride * yRows, width: width, height: height, rowStride: yStride, pixelStride: 1, bytesPerSample: 1)
            guard withChroma else {
                return CameraFrame(width: UInt32(width), height: UInt32(height), format: .luma, planes: [y])
            }
            let cStride = CVPixelBufferGetBytesPerRowOfPlane(buffer, 1)
            let cAvailable = cStride * CVPixelBufferGetHeightOfPlane(buffer, 1)
            let (cw, ch) = ((width + 1) / 2, (height + 1) / 2)
            let u = try Self.plane(cBase, available: cAvailable, width: cw, height: ch, rowStride: cStride, pixelStride: 2, bytesPerSample: 1)
            let v = try Self.plane(cBase + 1, available: cAvailable - 1, width: cw, height: ch, rowStride: cStride, pixelStride: 2, bytesPerSample: 1)
            return CameraFrame(width: UInt32(width), height: UInt32(height), format: .yuv420, planes: [y, u, v])
        default:
            throw FramePackingError.unsupportedFormat(format)
        }
    }
}

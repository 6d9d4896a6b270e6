import AVFoundation
import Foundation
import TesseraFFI

/// Feeds the back camera's frames to `Authenticator.scanFrame`: an `AVCaptureVideoDataOutput`
/// delivers sample buffers on a serial queue with `alwaysDiscardsLateVideoFrames`, so frames
/// that arrive while one is being decoded are dropped (a frame can take tens of milliseconds).
/// Each buffer is locked read-only and its planes are passed with their `bytesPerRow`
/// (``FramePacking``: one copy of the bytes the core reads).
///
/// The first frame that shows a Tessera code ends the scan: `onResult` gets the request. A
/// refused code (not for this device, expired, already answered, clock wrong) also ends it,
/// through `onError`; `BadInput` (another kind of QR code) is reported and scanning goes on.
/// Both callbacks run on the camera queue: hop to the main actor to update the UI. Call
/// ``rearm()`` to scan again.
public final class CameraScanner: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    /// The pixel format asked of the camera.
    public enum Format {
        /// 4 bytes a pixel; simplest, twice the bytes of 420.
        case bgra
        /// Full-range Y plane + interleaved CbCr (the camera's native format; the default).
        case biPlanar420
    }

    /// Show it with an `AVCaptureVideoPreviewLayer`.
    public let session = AVCaptureSession()
    private let output = AVCaptureVideoDataOutput()
    private let frames = DispatchQueue(label: "lu.tessera.camera.frames")
    private let control = DispatchQueue(label: "lu.tessera.camera.session")
    private let authenticator: Authenticator
    private let onResult: (ScannedRequest) -> Void
    private let onError: (TesseraError) -> Void
    private let lock = NSLock()
    private var finished = false

    /// Pass U and V with Y (the core reads a mosaic's colours when its luma is not enough).
    public var withChroma = true

    public init(
        authenticator: Authenticator,
        onResult: @escaping (ScannedRequest) -> Void,
        onError: @escaping (TesseraError) -> Void
    ) {
        self.authenticator = authenticator
        self.onResult = onResult
        self.onError = onError
    }

    /// Sets up the back camera and the video output. Ask for camera access first
    /// (`AVCaptureDevice.requestAccess(for: .video)`; `NSCameraUsageDescription` in Info.plist).
    public func configure(format: Format = .biPlanar420) throws {
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            throw PlatformError.Unavailable(reason: "no back camera")
        }
        let input = try AVCaptureDeviceInput(device: device)
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        if session.canSetSessionPreset(.hd1280x720) { session.sessionPreset = .hd1280x720 }
        guard session.canAddInput(input), session.canAddOutput(output) else {
            throw PlatformError.Unavailable(reason: "the camera cannot be configured")
        }
        session.addInput(input)
        let pixelFormat = format == .bgra ? kCVPixelFormatType_32BGRA : kCVPixelFormatType_420YpCbCr8BiPlanarFullRange
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: pixelFormat]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: frames)
        session.addOutput(output)
    }

    /// Starts the camera (off the main thread: `startRunning` blocks).
    public func start() {
        control.async { [session] in if !session.isRunning { session.startRunning() } }
    }

    /// Stops the camera.
    public func stop() {
        control.async { [session] in if session.isRunning { session.stopRunning() } }
    }

    /// Scans again after a result or a refusal.
    public func rearm() {
        lock.lock()
        finished = false
        lock.unlock()
    }

    private func finish() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if finished { return false }
        finished = true
        return true
    }

    private var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    public func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard !isFinished, let buffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        guard CVPixelBufferLockBaseAddress(buffer, .readOnly) == kCVReturnSuccess else { return }
        let frame: CameraFrame
        do {
            frame = try FramePacking.frame(from: buffer, withChroma: withChroma)
        } catch {
            CVPixelBufferUnlockBaseAddress(buffer, .readOnly)
            return // a malformed buffer: drop the frame
        }
        // The frame owns its copies: the camera gets its buffer back before the decode.
        CVPixelBufferUnlockBaseAddress(buffer, .readOnly)
        do {
            guard let request = try authenticator.scanFrame(frame: frame) else { return }
            if finish() { onResult(request) }
        } catch let error as TesseraError {
            if case .BadInput = error {
                onError(error)
            } else if finish() {
                onError(error)
            }
        } catch {
            // scanFrame throws only TesseraError.
        }
    }
}

import AVFoundation
import SwiftUI
import Tessera
import TesseraFFI
import UIKit

/// Asks for the camera, then shows the preview while `CameraScanner` looks for a mosaic.
struct ScanView: View {
    let model: FlowModel
    @State private var scanner: CameraScanner?
    @State private var denied = false

    init(model: FlowModel) {
        self.model = model
    }

    var body: some View {
        Text(L(denied ? "scan_camera_denied" : "scan_hint"))
        if let scanner {
            CameraPreview(session: scanner.session)
                .aspectRatio(0.75, contentMode: .fit)
                .accessibilityHidden(true)
        }
        if denied {
            Button(L("scan_allow_camera")) {
                if let url = URL(string: UIApplication.openSettingsURLString) { UIApplication.shared.open(url) }
            }
        }
        Button(L("action_cancel"), action: model.home)
            .onAppear(perform: startCamera)
            .onDisappear { scanner?.stop() }
    }

    private func startCamera() {
        AVCaptureDevice.requestAccess(for: .video) { granted in
            DispatchQueue.main.async {
                guard granted, let auth = model.authenticator else {
                    denied = true
                    return
                }
                let scanner = CameraScanner(authenticator: auth, onResult: model.onScanned, onError: model.onScanError)
                do {
                    try scanner.configure()
                } catch {
                    denied = true
                    return
                }
                scanner.start()
                self.scanner = scanner
            }
        }
    }
}

/// The capture session's preview layer in SwiftUI.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspectFill
        return view
    }

    func updateUIView(_ uiView: PreviewView, context: Context) {}

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }
}

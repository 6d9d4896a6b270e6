import SwiftUI
import Tessera
import UIKit

@main
struct TesseraSampleApp: App {
    @StateObject private var model = FlowModel(platform: TesseraPlatform())
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            ContentView(model: model)
                // OTPs and transaction details stay out of the app switcher's snapshot.
                .overlay { if scenePhase != .active { Color(uiColor: .systemBackground).ignoresSafeArea() } }
                .onAppear { if case .loading = model.screen { model.start() } }
        }
    }
}

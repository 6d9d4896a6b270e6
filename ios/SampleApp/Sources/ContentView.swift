import SwiftUI
import Tessera
import TesseraFFI
import UIKit

/// The current screen, the message of the last action, and a busy line.
struct ContentView: View {
    @ObservedObject var model: FlowModel

    var body: some View {
        NavigationView {
            ScrollView {
                VStack(alignment: .leading, spacing: 16) {
                    if let message = model.message {
                        Text(verbatim: message.localized)
                            .foregroundStyle(.red)
                    }
                    screen
                    if model.busy {
                        ProgressView(L("busy"))
                    }
                }
                .padding(24)
                .frame(maxWidth: .infinity, alignment: .leading)
            }
            .navigationTitle(L("app_name"))
        }
        .navigationViewStyle(.stack)
        .onChange(of: model.message) { message in
            // Say it now (a wrong passcode, an expired mosaic), as Android's live region does.
            if let message { UIAccessibility.post(notification: .announcement, argument: message.localized) }
        }
    }

    @ViewBuilder private var screen: some View {
        switch model.screen {
        case .loading:
            ProgressView()
        case let .home(info):
            HomeView(info: info, model: model)
        case .unusable:
            Text(L("unusable_title")).font(.headline)
            Button(L("home_erase"), action: model.eraseAndStartOver).buttonStyle(.borderedProminent)
        case .scanning:
            ScanView(model: model)
        case .activationCode:
            ActivationCodeView(model: model)
        case let .activationPasscode(details, newVault):
            ActivationPasscodeView(details: details, newVault: newVault, model: model)
        case let .activationDone(code, origin):
            Text(L("done_title")).font(.headline).accessibilityAddTraits(.isHeader)
            Text(L("done_hint", [origin]))
            // 24 characters: smaller than an OTP, so that it fits in two or three lines.
            OtpView(code: code, size: 26)
            Button(L("action_done"), action: model.home).buttonStyle(.borderedProminent)
        case let .details(details, biometricsEnabled):
            DetailsView(details: details, biometricsEnabled: biometricsEnabled, model: model)
        case let .otp(info):
            OtpScreen(info: info, model: model)
        case .enableBiometrics:
            PasscodeForm(label: L("passcode_enter"), action: L("action_continue")) { passcode in
                model.enableBiometrics(passcode: passcode, gate: SecureEnclaveBiometricGate(reason: L("biometric_title")))
            }
            Button(L("action_cancel"), action: model.home)
        }
    }
}

struct HomeView: View {
    let info: HomeInfo
    let model: FlowModel

    var body: some View {
        if info.wiped {
            Text(L("home_wiped"))
            Button(L("home_erase"), action: model.eraseAndStartOver).buttonStyle(.borderedProminent)
        } else if !info.activated {
            Text(L("home_not_activated"))
            Button(L("home_activate"), action: model.scan).buttonStyle(.borderedProminent)
        } else {
            Text(L("home_tokens")).font(.headline).accessibilityAddTraits(.isHeader)
            ForEach(info.tokens, id: \.id) { token in
                Text(verbatim: Self.describe(token))
            }
            if let left = info.attemptsLeft, left < 10 {
                Text(L("home_attempts_left", [Int32(left)]))
            }
            if info.retryAfterSecs > 0 {
                Text(L("home_retry_after", [Int32(clamping: info.retryAfterSecs)]))
            }
            Button(L("home_scan"), action: model.scan).buttonStyle(.borderedProminent)
            switch info.biometrics {
            case .enabled: Text(L("home_biometrics_on"))
            case .invalidated: Text(L("home_biometrics_invalidated"))
            case .disabled: EmptyView()
            }
            if info.biometrics != .enabled && SecureEnclaveBiometricGate.canAuthenticate() {
                Button(L("home_enable_biometrics"), action: model.askEnableBiometrics)
            }
            // Activation also adds a second portal account to this phone.
            Button(L("home_activate"), action: model.scan)
        }
    }

    static func describe(_ token: TokenInfo) -> String {
        if case let .mosaic(origin, userId, _) = token.kind { return "\(userId) — \(origin)" }
        return token.label
    }
}

struct ActivationCodeView: View {
    let model: FlowModel
    @State private var code = ""

    init(model: FlowModel) {
        self.model = model
    }

    var body: some View {
        Text(L("activation_code_title")).font(.headline).accessibilityAddTraits(.isHeader)
        Text(L("activation_code_hint"))
        TextField(L("activation_code_title"), text: $code)
            .textInputAutocapitalization(.characters)
            .autocorrectionDisabled()
            .textFieldStyle(.roundedBorder)
        Button(L("action_continue")) { model.submitActivationCode(code) }.buttonStyle(.borderedProminent)
        Button(L("action_cancel"), action: model.home)
    }
}

struct ActivationPasscodeView: View {
    let details: ActivationDetails
    let newVault: Bool
    let model: FlowModel
    @State private var first = ""
    @State private var second = ""

    init(details: ActivationDetails, newVault: Bool, model: FlowModel) {
        self.details = details
        self.newVault = newVault
        self.model = model
    }

    var body: some View {
        Text(L("activation_for", [details.userId, details.origin])).font(.headline).accessibilityAddTraits(.isHeader)
        if newVault {
            SecureField(L("passcode_choose"), text: $first).textFieldStyle(.roundedBorder)
            SecureField(L("passcode_repeat"), text: $second).textFieldStyle(.roundedBorder)
            Button(L("action_continue")) {
                model.completeActivation(passcode: Data(first.utf8), repeated: Data(second.utf8))
                first = ""
                second = ""
            }.buttonStyle(.borderedProminent)
        } else {
            PasscodeForm(label: L("passcode_enter"), action: L("action_continue")) { passcode in
                model.completeActivation(passcode: passcode, repeated: nil)
            }
        }
        Button(L("action_cancel"), action: model.home)
    }
}

struct DetailsView: View {
    let details: ChallengeDetails
    let biometricsEnabled: Bool
    let model: FlowModel

    var body: some View {
        // The portal's name first and largest: a phishing page can show another portal's mosaic,
        // and only the user, reading this name, can notice (threat model, M4).
        Text(details.origin.components(separatedBy: "://").last ?? details.origin)
            .font(.title).bold().accessibilityAddTraits(.isHeader)
        Text(L("details_check_portal")).font(.subheadline)
        Text(L(details.kind == .transaction ? "details_transaction_title" : "details_login_title"))
            .font(.headline).accessibilityAddTraits(.isHeader)
        Field(label: L("details_portal"), value: details.origin)
        Field(label: L("details_user"), value: details.userId)
        if let tx = details.transaction {
            Field(label: L("details_amount"), value: "\(tx.amount) \(tx.currency)")
            Field(label: L("details_payee"), value: tx.payee)
            Field(label: L("details_iban"), value: OtpText.grouped(tx.iban))
            if let reference = tx.reference { Field(label: L("details_reference"), value: reference) }
            if let text = tx.text { Field(label: L("details_text"), value: text) }
        }
        ForEach(details.deceptiveFields, id: \.self) { field in
            Text(L("details_deceptive", [field])).foregroundStyle(.red).font(.subheadline)
        }
        if biometricsEnabled {
            Button(L("action_approve_biometrics")) {
                model.approve(gate: SecureEnclaveBiometricGate(reason: L("biometric_title"), cancelTitle: L("biometric_cancel")))
            }.buttonStyle(.borderedProminent)
        }
        PasscodeForm(label: L("passcode_enter"), action: L("action_approve")) { model.approve(passcode: $0) }
        Button(L("action_cancel"), action: model.home)
    }
}

struct Field: View {
    let label: String
    let value: String

    var body: some View {
        VStack(alignment: .leading) {
            Text(verbatim: label).font(.caption)
            Text(verbatim: value).font(.body)
        }
        .accessibilityElement(children: .combine)
    }
}

struct OtpScreen: View {
    let info: OtpInfo
    let model: FlowModel
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    init(info: OtpInfo, model: FlowModel) {
        self.info = info
        self.model = model
    }

    var body: some View {
        Text(L(info.kind == .transaction ? "otp_title_transaction" : "otp_title_login"))
            .font(.headline).accessibilityAddTraits(.isHeader)
        Text(L("otp_hint", [info.origin]))
        if info.secondsLeft > 0 {
            OtpView(code: info.otp)
            Text(L("otp_countdown", [Int32(clamping: info.secondsLeft)]))
        } else {
            Text(L("otp_expired"))
        }
        Button(L("action_done"), action: model.home).buttonStyle(.borderedProminent)
            .onReceive(timer) { _ in model.tick() }
    }
}

/// A code, large, in groups; read digit by digit by VoiceOver ("4, 7, 5…").
struct OtpView: View {
    let code: String
    var size: CGFloat = 44

    var body: some View {
        Text(verbatim: OtpText.grouped(code))
            .font(.system(size: size, weight: .semibold, design: .monospaced))
            .privacySensitive()
            .accessibilityLabel(Text(verbatim: L("otp_spoken", [OtpText.spoken(code)])))
    }
}

/// A passcode field and its button; the text goes as UTF-8 bytes and the field is emptied.
struct PasscodeForm: View {
    let label: String
    let action: String
    let submit: (Data) -> Void
    @State private var passcode = ""

    init(label: String, action: String, submit: @escaping (Data) -> Void) {
        self.label = label
        self.action = action
        self.submit = submit
    }

    var body: some View {
        SecureField(label, text: $passcode).textFieldStyle(.roundedBorder)
        Button(action) {
            submit(Data(passcode.utf8))
            passcode = ""
        }.buttonStyle(.borderedProminent)
    }
}

import Foundation
import Tessera
import TesseraFFI

/// The start screen's content.
struct HomeInfo: Equatable {
    var activated: Bool
    var tokens: [TokenInfo]
    var biometrics: BiometricStatus
    /// Passcode failures still allowed before the wipe (nil: no vault).
    var attemptsLeft: Int?
    var retryAfterSecs: UInt64
    var wiped: Bool
}

/// The OTP screen's content.
struct OtpInfo: Equatable {
    var otp: String
    var kind: ChallengeKind
    var origin: String
    var expiresAt: UInt64
    var secondsLeft: UInt64
}

/// The sample app's screens (the same as the Android sample's).
enum Screen: Equatable {
    case loading
    case home(HomeInfo)
    /// The stored vault cannot be used here: offer to start over.
    case unusable
    case scanning
    /// An activation mosaic: type the activation code from the letter.
    case activationCode
    /// The offer, unsealed: choose a passcode (twice) for a new vault, or type the vault's.
    case activationPasscode(ActivationDetails, newVault: Bool)
    /// Activated: the confirmation code to type into the portal.
    case activationDone(code: String, origin: String)
    /// A login or a transaction: exactly what will be approved.
    case details(ChallengeDetails, biometricsEnabled: Bool)
    case otp(OtpInfo)
    /// The passcode, to turn biometric unlock on.
    case enableBiometrics
}

/// The sample's flow: the same states and rules as the Android sample's `FlowModel`. Call it on
/// the main thread; every Tessera call runs on `worker`, a serial queue (never the main thread:
/// the passcode KDF alone takes half a second), one action at a time, and the result is
/// published back on the main thread.
final class FlowModel: ObservableObject {
    @Published private(set) var screen: Screen = .loading
    @Published private(set) var busy = false
    @Published private(set) var message: UiText?

    private let platform: TesseraPlatform
    private let worker = DispatchQueue(label: "lu.tessera.sample.flow")
    private let now: () -> UInt64
    private(set) var authenticator: Authenticator?
    private var activation: PendingActivation?
    private var challenge: PendingChallenge?

    init(platform: TesseraPlatform, now: @escaping () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }) {
        self.platform = platform
        self.now = now
    }

    /// Runs `work` on the worker unless an action is running, then `apply` (or the error) on main.
    private func run<T>(_ work: @escaping () throws -> T, then apply: @escaping (T) -> Void) {
        guard !busy else { return }
        busy = true
        message = nil
        worker.async {
            let result = Result(catching: work)
            DispatchQueue.main.async {
                self.busy = false
                switch result {
                case let .success(value): apply(value)
                case let .failure(error): self.failed(error)
                }
            }
        }
    }

    func start() {
        let platform = self.platform
        run({ try platform.open() }) { auth in
            self.authenticator = auth
            self.refreshHome()
        }
    }

    func home() {
        dropPending()
        refreshHome()
    }

    func scan() {
        guard !busy, authenticator != nil else { return }
        message = nil
        screen = .scanning
    }

    /// What the camera found (from the camera queue).
    func onScanned(_ request: ScannedRequest) {
        DispatchQueue.main.async {
            guard self.screen == .scanning, let auth = self.authenticator else { return }
            switch request {
            case let .activation(pending):
                self.dropPending()
                self.activation = pending
                self.screen = .activationCode
            case let .challenge(pending):
                self.run({ (try pending.details(), try Self.biometricsEnabled(auth)) }) { result in
                    self.dropPending()
                    self.challenge = pending
                    self.screen = .details(result.0, biometricsEnabled: result.1)
                }
            case .`import`:
                self.refreshHome(UiText(msg: .importNotSupported))
            }
        }
    }

    /// A code Tessera refused (from the camera queue). Another kind of QR code keeps the camera
    /// open with a hint; a refusal (expired, not for this device…) ends the scan.
    func onScanError(_ error: TesseraError) {
        DispatchQueue.main.async {
            guard self.screen == .scanning else { return }
            if case .BadInput = error {
                self.message = uiText(for: error)
            } else {
                self.refreshHome(uiText(for: error))
            }
        }
    }

    func submitActivationCode(_ code: String) {
        guard let pending = activation, let auth = authenticator else { return home() }
        run({ (try pending.unseal(activationCode: code), !(try auth.isActivated())) }) { result in
            self.screen = .activationPasscode(result.0, newVault: result.1)
        }
    }

    /// For a new vault the passcode is typed twice (`repeated`); otherwise `repeated` is nil.
    func completeActivation(passcode: Data, repeated: Data?) {
        guard let pending = activation, case let .activationPasscode(details, newVault) = screen else { return home() }
        if newVault && passcode != repeated {
            message = UiText(msg: .passcodesDiffer)
            return
        }
        run({ try pending.complete(passcode: passcode) }) { done in
            self.dropPending()
            self.screen = .activationDone(code: done.confirmationCode, origin: details.origin)
        }
    }

    func approve(passcode: Data) {
        guard let pending = challenge, case let .details(details, _) = screen else { return home() }
        run({ try pending.approveWithPasscode(passcode: passcode) }) { self.showOtp($0, details) }
    }

    func approve(gate: BiometricGate) {
        guard let pending = challenge, case let .details(details, _) = screen else { return home() }
        run({ try pending.approveWithBiometrics(gate: gate) }) { self.showOtp($0, details) }
    }

    func askEnableBiometrics() {
        guard !busy, case .home = screen else { return }
        message = nil
        screen = .enableBiometrics
    }

    func enableBiometrics(passcode: Data, gate: BiometricGate) {
        guard let auth = authenticator else { return home() }
        run({
            let vault = try auth.unlockWithPasscode(passcode: passcode)
            try vault.enableBiometrics(gate: gate)
            try vault.lock() // erase the vault key now, not when ARC gets to it
        }) { self.refreshHome(UiText(msg: .biometricsEnabled)) }
    }

    func eraseAndStartOver() {
        dropPending()
        authenticator = nil // released before the erase
        let platform = self.platform
        run({ () -> Authenticator in
            try platform.erase()
            return try platform.open()
        }) { auth in
            self.authenticator = auth
            self.refreshHome(UiText(msg: .erased))
        }
    }

    /// Called every second while the OTP is shown: counts down to the challenge's expiry.
    func tick() {
        guard case var .otp(info) = screen else { return }
        let left = info.expiresAt > now() ? info.expiresAt - now() : 0
        if left != info.secondsLeft {
            info.secondsLeft = left
            screen = .otp(info)
        }
    }

    // MARK: - internals

    private func refreshHome(_ message: UiText? = nil) {
        guard let auth = authenticator else { return }
        run({ try Self.homeInfo(auth) }) { info in
            self.screen = .home(info)
            self.message = message
        }
    }

    private static func homeInfo(_ auth: Authenticator) throws -> HomeInfo {
        switch try auth.status() {
        case .noVault:
            return HomeInfo(activated: false, tokens: [], biometrics: .disabled, attemptsLeft: nil, retryAfterSecs: 0, wiped: false)
        case .wiped:
            return HomeInfo(activated: false, tokens: [], biometrics: .disabled, attemptsLeft: nil, retryAfterSecs: 0, wiped: true)
        case let .ready(_, attemptsLeft, retryAfterSecs, biometrics):
            return HomeInfo(activated: true, tokens: try auth.tokens(), biometrics: biometrics,
                            attemptsLeft: Int(attemptsLeft), retryAfterSecs: retryAfterSecs, wiped: false)
        }
    }

    private static func biometricsEnabled(_ auth: Authenticator) throws -> Bool {
        if case let .ready(_, _, _, biometrics) = try auth.status() { return biometrics == .enabled }
        return false
    }

    private func showOtp(_ otp: String, _ details: ChallengeDetails) {
        dropPending()
        let current = now()
        let left = details.expiresAt > current ? details.expiresAt - current : 0
        screen = .otp(OtpInfo(otp: otp, kind: details.kind, origin: details.origin, expiresAt: details.expiresAt, secondsLeft: left))
    }

    private func failed(_ error: Error) {
        let text = uiText(for: error)
        guard let error = error as? TesseraError else {
            message = text
            return
        }
        switch error {
        case .Wiped, .Expired, .AlreadyAnswered, .NotForThisDevice, .ClockWrong, .NotActivated:
            // The flow cannot go on: back to the start screen, which shows why.
            dropPending()
            refreshHome(text)
        case .VaultUnusable:
            dropPending()
            screen = .unusable
            message = text
        case .BiometricInvalidated:
            if case let .details(details, _) = screen { screen = .details(details, biometricsEnabled: false) }
            message = text
        default:
            // Stay on the screen: a wrong passcode, a cancelled prompt, a weak passcode…
            message = text
        }
    }

    private func dropPending() {
        activation = nil
        challenge = nil
    }
}

import Foundation
import TesseraFFI

/// Every message the flow shows, by key in `Localizable.strings` (fr, en, de): the same keys as
/// the Android sample's `strings.xml`, which CI checks. Every argument is an integer (`%1$d`).
enum Msg: String, CaseIterable {
    case wrongPasscode = "error_wrong_passcode"
    case locked = "error_locked"
    case wiped = "error_wiped"
    case vaultUnusable = "error_vault_unusable"
    case notActivated = "error_not_activated"
    case notForThisDevice = "error_not_for_this_device"
    case expired = "error_expired"
    case alreadyAnswered = "error_already_answered"
    case clockWrong = "error_clock_wrong"
    case wrongActivationCode = "error_wrong_activation_code"
    case weakPasscode = "error_weak_passcode"
    case cancelled = "error_cancelled"
    case biometricInvalidated = "error_biometric_invalidated"
    case biometricUnavailable = "error_biometric_unavailable"
    case unlockRequired = "error_unlock_required"
    case platformFailure = "error_platform_failure"
    case notATesseraCode = "error_not_a_tessera_code"
    case passcodesDiffer = "error_passcodes_differ"
    case importNotSupported = "error_import_not_supported"
    case biometricsEnabled = "info_biometrics_enabled"
    case erased = "info_erased"
}

/// A message and its arguments, shown in the user's language.
struct UiText: Equatable {
    let msg: Msg
    var args: [Int] = []

    var localized: String { L(msg.rawValue, args.map { Int32(clamping: $0) as CVarArg }) }
}

/// The localized string for `key`, formatted with `args` (`%1$d`: Int32, `%1$@`: String).
func L(_ key: String, _ args: [CVarArg] = []) -> String {
    let format = NSLocalizedString(key, comment: "")
    return args.isEmpty ? format : String(format: format, locale: Locale.current, arguments: args)
}

/// What to tell the user for each error. Never the `reason` strings: they are English, for logs
/// and support (bindings/README.md).
func uiText(for error: Error) -> UiText {
    guard let error = error as? TesseraError else { return UiText(msg: .platformFailure) }
    switch error {
    case let .WrongPasscode(attemptsLeft): return UiText(msg: .wrongPasscode, args: [Int(attemptsLeft)])
    case let .Locked(retryAfterSecs): return UiText(msg: .locked, args: [Int(clamping: retryAfterSecs)])
    case .Wiped: return UiText(msg: .wiped)
    case .VaultUnusable: return UiText(msg: .vaultUnusable)
    case .NotActivated: return UiText(msg: .notActivated)
    case .NotForThisDevice: return UiText(msg: .notForThisDevice)
    case .Expired: return UiText(msg: .expired)
    case .AlreadyAnswered: return UiText(msg: .alreadyAnswered)
    case let .ClockWrong(offsetSecs):
        // Minutes, rounded up: "off by about 7 minutes" is what the user can check.
        let secs = offsetSecs.magnitude
        return UiText(msg: .clockWrong, args: [Int(clamping: max(1, secs / 60 + (secs % 60 == 0 ? 0 : 1)))])
    case .WrongActivationCode: return UiText(msg: .wrongActivationCode)
    case .WeakPasscode: return UiText(msg: .weakPasscode)
    case .Cancelled: return UiText(msg: .cancelled)
    case .BiometricInvalidated: return UiText(msg: .biometricInvalidated)
    case .BiometricUnavailable: return UiText(msg: .biometricUnavailable)
    case .UnlockRequired: return UiText(msg: .unlockRequired)
    case .StorageFailure: return UiText(msg: .platformFailure)
    case .BadInput: return UiText(msg: .notATesseraCode)
    }
}

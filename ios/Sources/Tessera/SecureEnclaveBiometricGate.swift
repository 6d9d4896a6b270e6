import CryptoKit
import Foundation
import LocalAuthentication
import Security
import TesseraFFI

/// Tessera's `BiometricGate` on iOS. The biometric slot key (32 bytes the core gives) is
/// encrypted (ECIES, `eciesEncryptionCofactorX963SHA256AESGCM`) to the public half of a P-256
/// key created in the Secure Enclave with the access control `.biometryCurrentSet`:
/// - only the enrolled fingers or face of now can use the private key, with no passcode
///   fallback (`deviceOwnerAuthenticationWithBiometrics`: C14);
/// - adding or removing a finger or face invalidates the key for good; unlocking then throws
///   `KeyInvalidated`, and Tessera disables the slot and asks for the passcode (C13);
/// - the core gets key bytes that only the Secure Enclave, after the user's biometrics, can
///   decrypt; never a "succeeded" flag (C12).
///
/// `unlock` is called on the background thread of `approveWithBiometrics` /
/// `unlockWithBiometrics`: it shows the Face ID / Touch ID prompt (`LAContext`, which draws its
/// own UI) and blocks that thread until the user answers. `enroll` needs no prompt (encryption
/// uses the public key).
///
/// Errors: user, app or system cancel and the fallback button → `Cancelled` (costs no attempt);
/// biometry lockout → `Lockout`; the key gone or invalidated → `KeyInvalidated`; anything else →
/// `Unavailable` (a failed attempt).
public final class SecureEnclaveBiometricGate: BiometricGate, @unchecked Sendable {
    private let tag: Data
    private let reason: String
    private let cancelTitle: String?
    private static let algorithm = SecKeyAlgorithm.eciesEncryptionCofactorX963SHA256AESGCM
    private static let format: UInt8 = 1

    /// `reason` is shown under the Face ID / Touch ID prompt ("Confirm the sign-in"); the app
    /// also needs `NSFaceIDUsageDescription` in its Info.plist.
    public init(reason: String, cancelTitle: String? = nil, tag: String = "lu.tessera.biometric") {
        self.tag = Data(tag.utf8)
        self.reason = reason
        self.cancelTitle = cancelTitle
    }

    /// Whether biometrics can be offered now (enrolled, not locked out, a Secure Enclave).
    public static func canAuthenticate() -> Bool {
        var error: NSError?
        return SecureEnclave.isAvailable && LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: &error)
    }

    public func enroll(slotKey: Data) throws -> Data {
        // A new enrolment gets a new key: after an invalidation the old one is dead anyway.
        try deleteKey()
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly, [.privateKeyUsage, .biometryCurrentSet], &error
        ) else {
            throw PlatformError.Unavailable(reason: "access control: \(describe(error))")
        }
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error),
              let publicKey = SecKeyCopyPublicKey(key)
        else {
            throw PlatformError.Unavailable(reason: "biometric key: \(describe(error))")
        }
        guard let sealed = SecKeyCreateEncryptedData(publicKey, Self.algorithm, slotKey as CFData, &error) else {
            throw PlatformError.Unavailable(reason: "biometric encrypt: \(describe(error))")
        }
        return Data([Self.format]) + (sealed as Data)
    }

    public func unlock(blob: Data) throws -> Data {
        guard blob.first == Self.format, blob.count > 1 else {
            throw PlatformError.Unavailable(reason: "biometric blob: unknown format")
        }
        let context = LAContext()
        context.localizedFallbackTitle = "" // no "Enter Password" button: biometrics only
        if let cancelTitle { context.localizedCancelTitle = cancelTitle }
        try evaluate(context)
        // The same context: the Secure Enclave uses the authentication that just happened.
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
            kSecUseAuthenticationContext as String: context,
            kSecUseDataProtectionKeychain as String: true,
        ]
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        switch status {
        case errSecSuccess: break
        case errSecItemNotFound: throw PlatformError.KeyInvalidated // deleted with the enrolment change
        case errSecUserCanceled: throw PlatformError.Cancelled
        default: throw Keychain.failure("biometric key", status)
        }
        guard let ref = result, CFGetTypeID(ref) == SecKeyGetTypeID() else { throw PlatformError.KeyInvalidated }
        let key = ref as! SecKey
        var error: Unmanaged<CFError>?
        guard let plain = SecKeyCreateDecryptedData(key, Self.algorithm, blob.dropFirst() as CFData, &error) else {
            throw Self.platformError(decrypting: error?.takeRetainedValue())
        }
        return plain as Data
    }

    /// Deletes the key (when the app disables biometrics or erases the vault).
    public func deleteKey() throws {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecUseDataProtectionKeychain as String: true,
        ]
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw Keychain.failure("delete biometric key", status) }
    }

    /// Shows the prompt and blocks this thread until the user answers.
    private func evaluate(_ context: LAContext) throws {
        if Thread.isMainThread {
            throw PlatformError.Unavailable(reason: "BiometricGate called on the main thread")
        }
        var canError: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: &canError) else {
            throw Self.platformError(canError.flatMap { $0 as Error as? LAError })
        }
        let done = DispatchSemaphore(value: 0)
        var failure: Error?
        context.evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: reason) { success, error in
            if !success { failure = error ?? LAError(.authenticationFailed) }
            done.signal()
        }
        done.wait()
        if let failure { throw Self.platformError(failure as? LAError) }
    }

    /// `LAError` codes as Tessera's platform errors.
    static func platformError(_ error: LAError?) -> PlatformError {
        guard let error else { return .Unavailable(reason: "biometric prompt failed") }
        switch error.code {
        case .userCancel, .appCancel, .systemCancel, .userFallback:
            return .Cancelled
        case .biometryLockout:
            return .Lockout
        case .biometryNotEnrolled:
            // No biometrics enrolled any more: the .biometryCurrentSet key is unusable for good.
            return .KeyInvalidated
        default:
            return .Unavailable(reason: "biometric prompt: LAError \(error.code.rawValue)")
        }
    }

    /// A failed decryption: cancelled, or the key no longer usable after an enrolment change.
    static func platformError(decrypting error: CFError?) -> PlatformError {
        guard let error else { return .Unavailable(reason: "biometric decrypt failed") }
        let code = CFErrorGetCode(error)
        if code == Int(errSecUserCanceled) || code == LAError.userCancel.rawValue { return .Cancelled }
        if code == Int(errSecAuthFailed) || code == Int(errSecItemNotFound) { return .KeyInvalidated }
        return .Unavailable(reason: "biometric decrypt: \((error as Error).localizedDescription)")
    }
}

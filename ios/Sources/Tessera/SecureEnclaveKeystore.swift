import CryptoKit
import Foundation
import Security
import TesseraFFI

/// Tessera's `DeviceKeystore` on iOS: two P-256 keys created in the Secure Enclave (they never
/// leave it; usable without user presence, only on this device, only while a passcode is set).
/// One wraps the whole vault with ECIES (`eciesEncryptionCofactorX963SHA256AESGCM`: an
/// ephemeral ECDH key, X9.63 KDF, AES-GCM, so a modified blob does not decrypt); the other
/// computes `hardwareMac`, a key agreement every passcode guess goes through (ADR 0009). The
/// generation counter (rollback detection) is a ThisDeviceOnly Keychain item, out of reach of a
/// backup restore, deleted with the keys.
///
/// The simulator has no Secure Enclave: there the key is an ordinary Keychain key
/// (`useSecureEnclave` false), for development only.
public final class SecureEnclaveKeystore: DeviceKeystore, @unchecked Sendable {
    private let tag: Data
    private let macTag: Data
    private let service: String
    private let useSecureEnclave: Bool
    private let lock = NSLock()
    static let algorithm = SecKeyAlgorithm.eciesEncryptionCofactorX963SHA256AESGCM

    public init(tag: String = "lu.tessera.device", useSecureEnclave: Bool = SecureEnclave.isAvailable) {
        self.tag = Data(tag.utf8)
        self.macTag = Data("\(tag).mac".utf8)
        self.service = tag
        self.useSecureEnclave = useSecureEnclave
    }

    public func createKey() throws {
        lock.lock()
        defer { lock.unlock() }
        for keyTag in [tag, macTag] where try privateKey(keyTag) == nil {
            try create(keyTag)
        }
    }

    private func create(_ keyTag: Data) throws {
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(nil, Keychain.accessible, useSecureEnclave ? .privateKeyUsage : [], &error) else {
            throw PlatformError.Unavailable(reason: "access control: \(describe(error))")
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: keyTag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        if useSecureEnclave { attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave }
        guard SecKeyCreateRandomKey(attributes as CFDictionary, &error) != nil else {
            throw PlatformError.Unavailable(reason: "device key: \(describe(error))")
        }
    }

    public func wrap(plaintext: Data) throws -> Data {
        guard let key = try privateKey(tag) else { throw PlatformError.KeyMissing }
        guard let publicKey = SecKeyCopyPublicKey(key) else { throw PlatformError.Unavailable(reason: "no public key") }
        var error: Unmanaged<CFError>?
        guard let sealed = SecKeyCreateEncryptedData(publicKey, Self.algorithm, plaintext as CFData, &error) else {
            throw PlatformError.Unavailable(reason: "wrap: \(describe(error))")
        }
        return sealed as Data
    }

    public func unwrap(wrapped: Data) throws -> Data {
        guard let key = try privateKey(tag) else { throw PlatformError.KeyMissing }
        var error: Unmanaged<CFError>?
        guard let plain = SecKeyCreateDecryptedData(key, Self.algorithm, wrapped as CFData, &error) else {
            // ECIES with AES-GCM: a blob that does not authenticate fails here.
            throw PlatformError.Rejected
        }
        return plain as Data
    }

    public func generation() throws -> UInt64 {
        guard let data = try Keychain.read(service: service, account: "generation") else { return 0 }
        guard data.count == 8 else { throw PlatformError.Unavailable(reason: "generation: \(data.count) bytes") }
        return data.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public func setGeneration(generation: UInt64) throws {
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: generation >> (8 * (7 - $0))) }
        try Keychain.write(service: service, account: "generation", data: Data(bytes))
    }

    /// The enclave's MAC key agrees with a public point derived from `input`: the input's
    /// SHA-256 is the scalar of a software P-256 key, and the result is the x coordinate of
    /// d·(s·G). Deterministic for the same input, and out of reach without the enclave key.
    public func hardwareMac(input: Data) throws -> Data {
        guard let key = try privateKey(macTag) else { throw PlatformError.KeyMissing }
        var seed = Data(SHA256.hash(data: input))
        var peer: P256.KeyAgreement.PrivateKey?
        // A hash at or above the curve order (odds 2^-32) is hashed again.
        for _ in 0..<4 where peer == nil {
            peer = try? P256.KeyAgreement.PrivateKey(rawRepresentation: seed)
            seed = Data(SHA256.hash(data: seed))
        }
        guard let peer else { throw PlatformError.Unavailable(reason: "hardware MAC: no scalar") }
        var error: Unmanaged<CFError>?
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeyClass as String: kSecAttrKeyClassPublic,
        ]
        guard let point = SecKeyCreateWithData(peer.publicKey.x963Representation as CFData, attributes as CFDictionary, &error),
              let shared = SecKeyCopyKeyExchangeResult(key, .ecdhKeyExchangeStandard, point, [:] as CFDictionary, &error)
        else {
            throw PlatformError.Unavailable(reason: "hardware MAC: \(describe(error))")
        }
        return shared as Data
    }

    /// Deletes the keys (a crypto-erase of the vault) and the generation with them: the next key
    /// starts at 0, as the core's contract says.
    public func deleteKey() throws {
        lock.lock()
        defer { lock.unlock() }
        for keyTag in [tag, macTag] {
            let status = SecItemDelete(keyQuery(keyTag, returning: false) as CFDictionary)
            guard status == errSecSuccess || status == errSecItemNotFound else { throw Keychain.failure("delete key", status) }
        }
        try Keychain.delete(service: service, account: "generation")
    }

    private func keyQuery(_ keyTag: Data, returning: Bool) -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: keyTag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecUseDataProtectionKeychain as String: true,
        ]
        if returning { query[kSecReturnRef as String] = true }
        return query
    }

    private func privateKey(_ keyTag: Data) throws -> SecKey? {
        var result: CFTypeRef?
        let status = SecItemCopyMatching(keyQuery(keyTag, returning: true) as CFDictionary, &result)
        switch status {
        case errSecSuccess:
            guard let ref = result, CFGetTypeID(ref) == SecKeyGetTypeID() else { return nil }
            return (ref as! SecKey)
        case errSecItemNotFound:
            return nil
        default:
            throw Keychain.failure("device key", status)
        }
    }
}

func describe(_ error: Unmanaged<CFError>?) -> String {
    guard let error = error?.takeRetainedValue() else { return "unknown error" }
    return (error as Error).localizedDescription
}

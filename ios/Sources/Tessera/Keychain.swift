import Foundation
import Security
import TesseraFFI

/// Small helpers over the Keychain's C API, shared by the storage and the keys.
enum Keychain {
    /// Items are readable only while the device is unlocked, only on this device (never in a
    /// backup or on another phone), and only while a device passcode is set: removing the
    /// passcode deletes them (and with them the vault, which must then be activated again).
    static let accessible = kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly

    static func failure(_ what: String, _ status: OSStatus) -> PlatformError {
        let message = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
        return PlatformError.Unavailable(reason: "\(what): \(message)")
    }

    /// A generic-password query for (`service`, `account`), in the data-protection keychain.
    static func item(service: String, account: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecAttrSynchronizable as String: false,
            kSecUseDataProtectionKeychain as String: true,
        ]
    }

    static func read(service: String, account: String) throws -> Data? {
        var query = item(service: service, account: account)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        switch status {
        case errSecSuccess: return result as? Data
        case errSecItemNotFound: return nil
        default: throw failure("read \(account)", status)
        }
    }

    /// Replaces the item's data in one Keychain operation (atomic: old bytes or new ones).
    static func write(service: String, account: String, data: Data) throws {
        let query = item(service: service, account: account)
        let update: [String: Any] = [kSecValueData as String: data, kSecAttrAccessible as String: accessible]
        var status = SecItemUpdate(query as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            var add = query
            add.merge(update) { $1 }
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw failure("write \(account)", status) }
    }

    static func delete(service: String, account: String) throws {
        let status = SecItemDelete(item(service: service, account: account) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw failure("delete \(account)", status) }
    }
}

import Foundation
import Security
import TesseraFFI

/// Tessera's `SecureStorage` on iOS: one Keychain generic-password item per blob, with
/// `kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly` (never in a backup, never on another
/// device, gone if the device passcode is removed) and not synchronised to iCloud. An item is
/// replaced in one Keychain call, so a crash leaves the old bytes or the new ones.
///
/// What is stored is already encrypted by the core under the device key. Thread-safe (the
/// Keychain is).
public final class KeychainStorage: SecureStorage, @unchecked Sendable {
    private let service: String

    /// `service` namespaces the items (one per app; change it only with a migration).
    public init(service: String = "lu.tessera.vault") {
        self.service = service
    }

    public func read(name: String) throws -> Data? {
        try Keychain.read(service: service, account: name)
    }

    public func write(name: String, bytes: Data) throws {
        try Keychain.write(service: service, account: name, data: bytes)
    }

    public func delete(name: String) throws {
        try Keychain.delete(service: service, account: name)
    }
}

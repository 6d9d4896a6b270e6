import Foundation
import os
import TesseraFFI

/// (`TesseraFFI.Clock` and `TesseraFFI.Logger` are spelled out: Swift has a `Clock` protocol
/// and `os` a `Logger` type.)
///
/// The platform an `Authenticator` runs on: Keychain storage, the Secure Enclave device key,
/// the system clock and `os.Logger`. Every call here blocks: make it off the main thread
/// (bindings/README.md, "Threading rules for the shells").
public struct TesseraPlatform: Sendable {
    public let storage: SecureStorage
    public let keystore: DeviceKeystore
    public let clock: TesseraFFI.Clock
    public let logger: TesseraFFI.Logger?
    /// `nil`: the library's defaults (a 500 ms passcode KDF, 120 s of clock skew).
    public let options: AuthenticatorOptions?

    public init(
        storage: SecureStorage = KeychainStorage(),
        keystore: DeviceKeystore = SecureEnclaveKeystore(),
        clock: TesseraFFI.Clock = SystemClock(),
        logger: TesseraFFI.Logger? = OSLogger(),
        options: AuthenticatorOptions? = nil
    ) {
        self.storage = storage
        self.keystore = keystore
        self.clock = clock
        self.logger = logger
        self.options = options
    }

    /// Opens the authenticator (one per process).
    public func open() throws -> Authenticator {
        try Authenticator(storage: storage, keystore: keystore, clock: clock, logger: logger, options: options)
    }

    /// Deletes the vault and the device key: the only way out of `Wiped` and `VaultUnusable`.
    /// Release the open `Authenticator` first and `open()` a new one afterwards.
    public func erase() throws {
        try eraseVault(storage: storage, keystore: keystore)
    }
}

/// Wall clock for OTPs and expiry; a monotonic clock that keeps counting while the device
/// sleeps (`CLOCK_MONOTONIC_RAW`) for the attempt delays.
public final class SystemClock: TesseraFFI.Clock, @unchecked Sendable {
    public init() {}

    public func nowUnix() throws -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970))
    }

    public func monotonicNanos() throws -> UInt64 {
        clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW)
    }
}

/// Tessera's events to the unified log. They never contain a secret (bindings/README.md), so
/// they are logged as public.
public final class OSLogger: TesseraFFI.Logger, @unchecked Sendable {
    private let osLog: os.Logger

    public init(subsystem: String = "lu.tessera", category: String = "core") {
        osLog = os.Logger(subsystem: subsystem, category: category)
    }

    public func log(level: LogLevel, event: String) throws {
        switch level {
        case .debug: osLog.debug("\(event, privacy: .public)")
        case .info: osLog.info("\(event, privacy: .public)")
        case .warn: osLog.warning("\(event, privacy: .public)")
        case .error: osLog.error("\(event, privacy: .public)")
        }
    }
}

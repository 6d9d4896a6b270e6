// XCTest of the generated Swift bindings: the same flows as the Kotlin and
// Python tests, with Swift fakes of the platform traits. Linux CI has no
// Swift toolchain, so scripts/bindings only parses this file (and the
// generated Swift) with tree-sitter's Swift grammar; on a Mac, generate from
// the test library (`cargo build -p tessera-ffi-testing`, then
// `uniffi-bindgen generate --library target/debug/libtessera_ffi_testing.dylib`),
// put TesseraFFI.swift in a target `TesseraFFI` and TesseraFFITesting.swift
// (TestPortal) in a target `TesseraFFITesting`, each header and modulemap in
// a system-library target (`TesseraFFIC`, `TesseraFFITestingC`), link the
// test library, and run `swift test`.

import CryptoKit
import Foundation
import XCTest

@testable import TesseraFFI
@testable import TesseraFFITesting

let origin = "https://portal.example.lu"
let now: UInt64 = 1_764_400_000
let passcode = Data("k7#pQ2!v".utf8)

final class MemoryStorage: SecureStorage, @unchecked Sendable {
    private var blobs: [String: Data] = [:]
    private let lock = NSLock()
    var broken = false

    func read(name: String) throws -> Data? {
        if broken { throw PlatformError.Unavailable(reason: "disk gone") }
        return lock.withLock { blobs[name] }
    }

    func write(name: String, bytes: Data) throws {
        if broken { throw PlatformError.Unavailable(reason: "disk gone") }
        lock.withLock { blobs[name] = bytes }
    }

    func delete(name: String) throws {
        lock.withLock { _ = blobs.removeValue(forKey: name) }
    }
}

/// What the Secure Enclave does for the device key, with a software key.
final class FakeKeystore: DeviceKeystore, @unchecked Sendable {
    private var key: SymmetricKey?
    private let macKey = SymmetricKey(size: .bits256)
    private var gen: UInt64 = 0
    var crashOnSetGeneration = false

    func createKey() throws {
        if key == nil { key = SymmetricKey(size: .bits256) }
    }

    func wrap(plaintext: Data) throws -> Data {
        guard let key else { throw PlatformError.KeyMissing }
        guard let sealed = try AES.GCM.seal(plaintext, using: key).combined else {
            throw PlatformError.Unavailable(reason: "seal failed")
        }
        return sealed
    }

    func unwrap(wrapped: Data) throws -> Data {
        guard let key else { throw PlatformError.KeyMissing }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: key)
        } catch {
            throw PlatformError.Rejected
        }
    }

    func generation() throws -> UInt64 { gen }

    func setGeneration(generation: UInt64) throws {
        if crashOnSetGeneration {
            crashOnSetGeneration = false
            throw NSError(domain: "keystore", code: 1)
        }
        gen = generation
    }

    func hardwareMac(input: Data) throws -> Data {
        guard key != nil else { throw PlatformError.KeyMissing }
        return Data(HMAC<SHA256>.authenticationCode(for: input, using: macKey))
    }

    func deleteKey() throws { key = nil }
}

enum Finger { case ok, cancel, invalidated, crash }

/// A biometric gate: on a phone, LocalAuthentication and a Secure Enclave key
/// with `.biometryCurrentSet`; here a software key and a scripted user.
final class FakeGate: BiometricGate, @unchecked Sendable {
    private let key = SymmetricKey(size: .bits256)
    var finger = Finger.ok

    func enroll(slotKey: Data) throws -> Data {
        try AES.GCM.seal(slotKey, using: key).combined ?? Data()
    }

    func unlock(blob: Data) throws -> Data {
        switch finger {
        case .ok: return try AES.GCM.open(AES.GCM.SealedBox(combined: blob), using: key)
        case .cancel: throw PlatformError.Cancelled
        case .invalidated: throw PlatformError.KeyInvalidated
        case .crash: throw NSError(domain: "sensor", code: 2)
        }
    }
}

final class FakeClock: Clock, @unchecked Sendable {
    var now: UInt64
    init(_ now: UInt64) { self.now = now }
    func nowUnix() throws -> UInt64 { now }
    func monotonicNanos() throws -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

final class ListLogger: Logger, @unchecked Sendable {
    var lines: [String] = []
    func log(level: LogLevel, event: String) throws { lines.append("\(level) \(event)") }
}

final class Phone {
    let storage = MemoryStorage()
    let keystore = FakeKeystore()
    let clock = FakeClock(now)
    let logger = ListLogger()
    var auth: Authenticator

    init() throws {
        auth = try Authenticator(
            storage: storage, keystore: keystore, clock: clock, logger: logger,
            options: AuthenticatorOptions(kdfBudgetMs: 0, maxClockSkewSecs: 120))
    }

    func failures() throws -> UInt32 {
        guard case let .ready(failures, _, _, _) = try auth.status() else {
            XCTFail("not ready")
            return 0
        }
        return failures
    }
}

final class TesseraFFITests: XCTestCase {
    func activate(_ portal: TestPortal, _ phone: Phone, user: String = "alice") throws {
        let mosaic = try portal.enroll(userId: user, now: now)
        let frame = try testMosaicFrame(payload: mosaic, format: .bgra)
        guard case let .activation(activation)? = try phone.auth.scanFrame(frame: frame) else {
            return XCTFail("no activation mosaic in the frame")
        }
        let details = try activation.unseal(activationCode: try portal.activationCode(userId: user))
        XCTAssertEqual(details.origin, origin)
        let done = try activation.complete(passcode: passcode)
        XCTAssertEqual(done.confirmationCode.count, 29, "24 characters in dashed groups of four")
        try portal.confirm(userId: user, code: done.confirmationCode, now: now + 30)
    }

    func challenge(_ phone: Phone, _ mosaic: Data) throws -> PendingChallenge {
        guard case let .challenge(challenge) = try phone.auth.read(payload: mosaic) else {
            throw TesseraError.BadInput(reason: "not a challenge")
        }
        return challenge
    }

    func testLoginIsAcceptedOnce() throws {
        let portal = try TestPortal(origin: origin)
        let phone = try Phone()
        try activate(portal, phone)
        let issued = try portal.login(userId: "alice", now: now)
        let login = try challenge(phone, issued.mosaic)
        XCTAssertEqual(try login.details().kind, .login)
        let otp = try login.approveWithPasscode(passcode: passcode)
        try portal.verify(challengeId: issued.id, userId: "alice", transaction: false, otp: otp, now: now + 1)
        XCTAssertThrowsError(try login.approveWithPasscode(passcode: passcode)) { error in
            XCTAssertEqual(error as? TesseraError, .AlreadyAnswered)
        }
    }

    func testTransactionShowsWhatItSigns() throws {
        let portal = try TestPortal(origin: origin)
        let phone = try Phone()
        try activate(portal, phone)
        let issued = try portal.sign(
            userId: "alice", amount: "120.50", currency: "EUR", payee: "Boulangerie Schmit",
            iban: "LU280019400644750000", reference: nil, now: now)
        let tx = try challenge(phone, issued.mosaic)
        let shown = try XCTUnwrap(try tx.details().transaction)
        XCTAssertEqual(shown.amount, "120.50")
        XCTAssertEqual(shown.payee, "Boulangerie Schmit")
        let otp = try tx.approveWithPasscode(passcode: passcode)
        try portal.verify(challengeId: issued.id, userId: "alice", transaction: true, otp: otp, now: now + 1)
    }

    func testWrongPasscodesCountDownThenDelay() throws {
        let portal = try TestPortal(origin: origin)
        let phone = try Phone()
        try activate(portal, phone)
        for left: UInt32 in [9, 8, 7] {
            XCTAssertThrowsError(try phone.auth.unlockWithPasscode(passcode: Data("wrong-one".utf8))) { error in
                XCTAssertEqual(error as? TesseraError, .WrongPasscode(attemptsLeft: left))
            }
        }
        XCTAssertThrowsError(try phone.auth.unlockWithPasscode(passcode: passcode)) { error in
            guard case let .Locked(retryAfterSecs)? = error as? TesseraError else {
                return XCTFail("expected Locked, got \(error)")
            }
            XCTAssertGreaterThanOrEqual(retryAfterSecs, 30)
        }
    }

    func testBiometricCancelCostsNothingAndInvalidationIsReported() throws {
        let portal = try TestPortal(origin: origin)
        let phone = try Phone()
        try activate(portal, phone)
        let gate = FakeGate()
        try phone.auth.unlockWithPasscode(passcode: passcode).enableBiometrics(gate: gate)
        gate.finger = .cancel
        XCTAssertThrowsError(try phone.auth.unlockWithBiometrics(gate: gate)) { error in
            XCTAssertEqual(error as? TesseraError, .Cancelled)
        }
        XCTAssertEqual(try phone.failures(), 0)
        gate.finger = .invalidated
        XCTAssertThrowsError(try phone.auth.unlockWithBiometrics(gate: gate)) { error in
            XCTAssertEqual(error as? TesseraError, .BiometricInvalidated)
        }
        gate.finger = .crash
        let fresh = FakeGate()
        try phone.auth.unlockWithPasscode(passcode: passcode).enableBiometrics(gate: fresh)
        fresh.finger = .crash
        XCTAssertThrowsError(try phone.auth.unlockWithBiometrics(gate: fresh))
        XCTAssertEqual(try phone.failures(), 1, "a failing sensor costs an attempt")
    }

    func testStorageFailureIsAnError() throws {
        let portal = try TestPortal(origin: origin)
        let phone = try Phone()
        try activate(portal, phone)
        phone.storage.broken = true
        XCTAssertThrowsError(try phone.auth.unlockWithPasscode(passcode: passcode)) { error in
            guard case .StorageFailure? = error as? TesseraError else {
                return XCTFail("expected StorageFailure, got \(error)")
            }
        }
    }

    func testWorkRunsOffTheMainThread() async throws {
        let portal = try TestPortal(origin: origin)
        let phone = try Phone()
        try activate(portal, phone)
        let issued = try portal.login(userId: "alice", now: now)
        let auth = phone.auth
        let otp = try await Task.detached(priority: .userInitiated) {
            guard case let .challenge(login) = try auth.read(payload: issued.mosaic) else {
                throw TesseraError.BadInput(reason: "not a challenge")
            }
            return try login.approveWithPasscode(passcode: passcode)
        }.value
        try portal.verify(challengeId: issued.id, userId: "alice", transaction: false, otp: otp, now: now + 1)
    }
}

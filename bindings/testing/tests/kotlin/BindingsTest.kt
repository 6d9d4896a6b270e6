// Kotlin tests of the generated bindings on the JVM (scripts/bindings runs
// them): the app's flows against the reference portal (TestPortal, a
// test-only export), with Kotlin fakes of the platform traits, as an Android
// shell would implement them (bindings/testing/kotlin-testkit, shared with
// android/jvm-tests). They test the binding's behaviour — errors, callbacks,
// object lifetimes, threads — not the OTP maths again.
//
// A plain main() with kotlin.test assertions (the testkit's harness); prints
// "N passed, N failed" and exits 1 when a test fails.

import lu.tessera.ffi.*
import lu.tessera.ffi.testing.TestPortal
import lu.tessera.ffi.testing.testMosaicFrame
import lu.tessera.testkit.*
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

const val ORIGIN = "https://portal.example.lu"
val NOW: ULong = 1_764_400_000uL
val PASSCODE = "k7#pQ2!v".toByteArray()

/** One phone: its platform and an authenticator over it. */
class Phone {
    val storage = MemoryStorage()
    val keystore = FakeKeystore()
    val clock = FakeClock(NOW)
    val logger = ListLogger()
    // kdfBudgetMs = 0: the KDF at its floor, so the tests run quickly.
    fun open() = Authenticator(storage, keystore, clock, logger, AuthenticatorOptions(kdfBudgetMs = 0u, maxClockSkewSecs = 120u))
    var auth = open()
    fun restart() { auth.close(); auth = open() }
    fun failures(): UInt = (auth.status() as VaultStatus.Ready).failures
}

// ---- Helpers -------------------------------------------------------------------

fun activationOf(r: ScannedRequest): PendingActivation = assertIs<ScannedRequest.Activation>(r).activation
fun challengeOf(r: ScannedRequest): PendingChallenge = assertIs<ScannedRequest.Challenge>(r).challenge

/** Enrols [user] at the portal, activates [phone] through a camera frame, confirms: the confirmation code. */
fun activate(portal: TestPortal, phone: Phone, user: String, format: PixelFormat = PixelFormat.YUV420): String {
    val mosaic = portal.enroll(user, NOW)
    val scanned = assertNotNull(phone.auth.scanFrame(testMosaicFrame(mosaic, format)), "no mosaic in the frame")
    return activationOf(scanned).use { activation ->
        val details = activation.unseal(portal.activationCode(user))
        assertEquals(ORIGIN, details.origin)
        assertEquals(user, details.userId)
        val done = activation.complete(PASSCODE)
        assertIs<TokenKind.Mosaic>(done.token.kind)
        // 24 Crockford base32 characters in dashed groups of four, carrying the phone's own
        // secret (review M3); the portal forgives lower case.
        assertTrue(CONFIRMATION.matches(done.confirmationCode), done.confirmationCode.length.toString())
        portal.confirm(user, done.confirmationCode.lowercase(), NOW + 30u)
        done.confirmationCode
    }
}

val CONFIRMATION = Regex("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}")

// ---- Tests ---------------------------------------------------------------------

fun main() {
    test("activation through camera frames in every format, then login") {
        for (format in PixelFormat.values()) {
            TestPortal(ORIGIN).use { portal ->
                val phone = Phone()
                assertFalse(phone.auth.isActivated())
                assertEquals(VaultStatus.NoVault, phone.auth.status())
                activate(portal, phone, "alice", format)
                assertTrue(phone.auth.isActivated())
                assertEquals(1, phone.auth.tokens().size)
            }
        }
    }

    test("login: details, approve with the passcode, portal accepts, once") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val issued = portal.login("alice", NOW + 100u)
            phone.clock.now = NOW + 100u
            challengeOf(phone.auth.read(issued.mosaic)).use { login ->
                val d = login.details()
                assertEquals(ChallengeKind.LOGIN, d.kind)
                assertEquals(issued.id, d.challengeId)
                assertEquals("alice", d.userId)
                assertNull(d.transaction)
                val otp = login.approveWithPasscode(PASSCODE)
                assertEquals(8, otp.length)
                portal.verify(issued.id, "alice", false, otp, NOW + 110u)
                assertFailsWith<TesseraException.AlreadyAnswered> { login.approveWithPasscode(PASSCODE) }
            }
            // The same mosaic scanned again is a replay.
            challengeOf(phone.auth.read(issued.mosaic)).use {
                assertFailsWith<TesseraException.AlreadyAnswered> { it.approveWithPasscode(PASSCODE) }
            }
        }
    }

    test("transaction: the fields shown are the fields signed") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val issued = portal.sign("alice", "120.50", "EUR", "Boulangerie Schmit", "LU280019400644750000", "Facture 1187", NOW + 200u)
            phone.clock.now = NOW + 200u
            val scanned = assertNotNull(phone.auth.scanFrame(testMosaicFrame(issued.mosaic, PixelFormat.BGRA)))
            challengeOf(scanned).use { tx ->
                val d = tx.details()
                assertEquals(ChallengeKind.TRANSACTION, d.kind)
                assertEquals(TransactionDetails("120.50", "EUR", "Boulangerie Schmit", "LU280019400644750000", "Facture 1187", null), d.transaction)
                val otp = tx.approveWithPasscode(PASSCODE)
                // A login answer does not sign a transaction, and the right one does.
                assertFailsWith<TesseraException.BadInput> { portal.verify(issued.id, "alice", false, otp, NOW + 210u) }
                portal.verify(issued.id, "alice", true, otp, NOW + 210u)
            }
        }
    }

    test("wrong passcodes count down, then a delay that survives a restart") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val issued = portal.login("alice", NOW)
            challengeOf(phone.auth.read(issued.mosaic)).use { login ->
                val macs = phone.keystore.macs
                for (left in listOf(9u, 8u, 7u)) {
                    val e = assertFailsWith<TesseraException.WrongPasscode> { login.approveWithPasscode("wrong-one".toByteArray()) }
                    assertEquals(left, e.attemptsLeft)
                }
                // Each guess went through the device's hardware MAC once (ADR 0009).
                assertEquals(macs + 3, phone.keystore.macs)
                val locked = assertFailsWith<TesseraException.Locked> { login.approveWithPasscode("wrong-one".toByteArray()) }
                assertTrue(locked.retryAfterSecs >= 30u)
                assertEquals(macs + 3, phone.keystore.macs)
            }
            phone.restart()
            assertFailsWith<TesseraException.Locked> { phone.auth.unlockWithPasscode(PASSCODE) }
            val ready = assertIs<VaultStatus.Ready>(phone.auth.status())
            // The refused fourth try was not an attempt.
            assertEquals(3u, ready.failures)
            assertEquals(7u, ready.attemptsLeft)
            assertTrue(ready.retryAfterSecs > 0u)
        }
    }

    test("lockout: ten wrong passcodes wipe the keys; erase and activate again") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            var wiped = false
            for (i in 0 until 20) {
                phone.clock.now += 100_000u
                try {
                    phone.auth.unlockWithPasscode("wrong-one".toByteArray()).close()
                    fail("a wrong passcode unlocked")
                } catch (e: TesseraException.WrongPasscode) {
                } catch (e: TesseraException.Wiped) {
                    wiped = true; break
                }
            }
            assertTrue(wiped)
            assertIs<VaultStatus.Wiped>(phone.auth.status())
            assertFailsWith<TesseraException.Wiped> { phone.auth.unlockWithPasscode(PASSCODE) }
            assertFalse(phone.keystore.hasKey(), "the device key is deleted")
            eraseVault(phone.storage, phone.keystore)
            phone.clock.now = NOW
            phone.restart()
            assertEquals(VaultStatus.NoVault, phone.auth.status())
            activate(portal, phone, "alice")
        }
    }

    test("biometrics: enable, cancel costs nothing, approve, invalidation, enable again") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val gate = FakeBiometricGate()
            assertFailsWith<TesseraException.BiometricUnavailable> { phone.auth.unlockWithBiometrics(gate) }
            phone.auth.unlockWithPasscode(PASSCODE).use { it.enableBiometrics(gate) }
            assertEquals(BiometricStatus.ENABLED, (phone.auth.status() as VaultStatus.Ready).biometrics)

            val issued = portal.login("alice", NOW)
            challengeOf(phone.auth.read(issued.mosaic)).use { login ->
                gate.mode = Finger.CANCEL
                assertFailsWith<TesseraException.Cancelled> { login.approveWithBiometrics(gate) }
                assertEquals(0u, phone.failures())
                gate.mode = Finger.OK
                portal.verify(issued.id, "alice", false, login.approveWithBiometrics(gate), NOW + 5u)
            }
            // A biometric unlock cannot change the passcode.
            phone.auth.unlockWithBiometrics(gate).use {
                assertEquals(UnlockMethod.BIOMETRICS, it.method())
                assertFailsWith<TesseraException.UnlockRequired> { it.changePasscode("n3w-Passc0de".toByteArray()) }
            }
            gate.mode = Finger.INVALIDATED
            assertFailsWith<TesseraException.BiometricInvalidated> { phone.auth.unlockWithBiometrics(gate) }
            assertEquals(BiometricStatus.INVALIDATED, (phone.auth.status() as VaultStatus.Ready).biometrics)
            gate.mode = Finger.OK
            assertFailsWith<TesseraException.BiometricInvalidated> { phone.auth.unlockWithBiometrics(gate) }
            val fresh = FakeBiometricGate()
            phone.auth.unlockWithPasscode(PASSCODE).use { it.enableBiometrics(fresh) }
            phone.auth.unlockWithBiometrics(fresh).close()
        }
    }

    test("a biometric gate that throws an undeclared exception: an error, and the attempt counts") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val gate = FakeBiometricGate()
            phone.auth.unlockWithPasscode(PASSCODE).use { it.enableBiometrics(gate) }
            gate.mode = Finger.CRASH
            val e = assertFailsWith<TesseraException.BiometricUnavailable> { phone.auth.unlockWithBiometrics(gate) }
            assertTrue(e.reason.contains("sensor crashed"), e.reason)
            assertEquals(1u, phone.failures())
        }
    }

    test("storage failure, and a keystore that throws after the attempt was written") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            phone.storage.broken = true
            assertFailsWith<TesseraException.StorageFailure> { phone.auth.unlockWithPasscode(PASSCODE) }
            phone.storage.broken = false
            assertEquals(0u, phone.failures())

            phone.keystore.crashOnSetGeneration = true
            val e = assertFailsWith<TesseraException.StorageFailure> { phone.auth.unlockWithPasscode("wrong-one".toByteArray()) }
            assertTrue(e.reason.contains("keystore crashed"), e.reason)
            phone.restart()
            assertEquals(1u, phone.failures(), "the attempt was counted before the keystore failed")
            phone.auth.unlockWithPasscode(PASSCODE).close()
            assertEquals(0u, phone.failures())
        }
    }

    test("object lifetimes: use {} closes, closed objects refuse, children outlive the parent") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val issued = portal.login("alice", NOW)
            val login = challengeOf(phone.auth.read(issued.mosaic))
            val vault = phone.auth.unlockWithPasscode(PASSCODE)
            vault.use { assertEquals(UnlockMethod.PASSCODE, it.method()) }
            assertFailsWith<IllegalStateException> { vault.method() }
            vault.close() // closing twice is harmless
            // The challenge keeps what it needs alive after the authenticator is closed.
            phone.auth.close()
            login.use { portal.verify(issued.id, "alice", false, it.approveWithPasscode(PASSCODE), NOW + 1u) }
            assertFailsWith<IllegalStateException> { login.details() }
            assertFailsWith<IllegalStateException> { phone.auth.status() }
            // lock() erases the key while the object still exists.
            phone.auth = phone.open()
            phone.auth.unlockWithPasscode(PASSCODE).use {
                it.lock()
                assertFailsWith<TesseraException.UnlockRequired> { it.disableBiometrics() }
            }
            // Many short-lived objects, closed or left to the cleaner.
            repeat(200) { phone.auth.status(); phone.auth.tokens() }
        }
    }

    test("import an otpauth:// token and read its codes") {
        val phone = Phone()
        val uri = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8"
        val pending = assertIs<ScannedRequest.Import>(phone.auth.read(uri.toByteArray())).pendingImport
        pending.use {
            assertEquals("Example:alice", it.tokens().single().label)
            assertFailsWith<TesseraException.WeakPasscode> { it.importTokens("123456".toByteArray()) }
            val id = it.importTokens(PASSCODE).single().id
            assertFailsWith<TesseraException.AlreadyAnswered> { it.importTokens(PASSCODE) }
            phone.clock.now = 59u
            phone.auth.unlockWithPasscode(PASSCODE).use { v ->
                val code = v.code(id)
                assertEquals("94287082", code.code) // RFC 6238, T = 59 s
                assertEquals(1uL, code.validForSecs)
                v.removeToken(id)
            }
            assertTrue(phone.auth.tokens().isEmpty())
        }
    }

    test("hostile input from Kotlin: errors, never a crash") {
        val phone = Phone()
        assertFailsWith<TesseraException.BadInput> { phone.auth.read(ByteArray(0)) }
        assertFailsWith<TesseraException.BadInput> { phone.auth.read(ByteArray(10 shl 20) { 0x5a }) }
        assertFailsWith<TesseraException.BadInput> { phone.auth.read(byteArrayOf(0x6f, 0x74, 0x70, -1, -2)) }
        assertFailsWith<TesseraException.BadInput> {
            phone.auth.scanFrame(CameraFrame(UInt.MAX_VALUE, UInt.MAX_VALUE, PixelFormat.LUMA, listOf(FramePlane(ByteArray(16), 4u, 1u))))
        }
        assertFailsWith<TesseraException.BadInput> {
            phone.auth.scanFrame(CameraFrame(640u, 480u, PixelFormat.YUV420, listOf(FramePlane(ByteArray(640 * 480), UInt.MAX_VALUE, UInt.MAX_VALUE))))
        }
        assertNull(phone.auth.scanFrame(CameraFrame(64u, 48u, PixelFormat.LUMA, listOf(FramePlane(ByteArray(64 * 48), 64u, 1u)))))
        assertFailsWith<TesseraException.NotActivated> { phone.auth.unlockWithPasscode(PASSCODE) }
        assertFailsWith<TesseraException.BadInput> { phone.auth.unlockWithPasscode(ByteArray(1 shl 20)) }
    }

    test("threads: scans and approvals from a pool; a challenge answers once") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            activate(portal, phone, "alice")
            val issued = portal.login("alice", NOW)
            val frame = testMosaicFrame(issued.mosaic, PixelFormat.LUMA)
            val pool = Executors.newFixedThreadPool(4)
            try {
                val scans = (1..8).map { pool.submit(Callable { phone.auth.scanFrame(frame) }) }
                val challenges = scans.map { challengeOf(assertNotNull(it.get(60, TimeUnit.SECONDS))) }
                val answers = challenges.map { c ->
                    pool.submit(Callable { runCatching { c.approveWithPasscode(PASSCODE) } })
                }.map { it.get(60, TimeUnit.SECONDS) }
                val otps = answers.filter { it.isSuccess }.map { it.getOrThrow() }
                assertEquals(1, otps.size, "exactly one approval succeeds: $answers")
                assertTrue(answers.filter { it.isFailure }.all { it.exceptionOrNull() is TesseraException.AlreadyAnswered })
                portal.verify(issued.id, "alice", false, otps.single(), NOW + 1u)
                challenges.forEach { it.close() }
            } finally {
                pool.shutdown()
            }
        }
    }

    test("the logger never sees a passcode or an OTP") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            val confirmation = activate(portal, phone, "alice")
            val issued = portal.login("alice", NOW)
            val otp = challengeOf(phone.auth.read(issued.mosaic)).use { it.approveWithPasscode(PASSCODE) }
            assertFailsWith<TesseraException.WrongPasscode> { phone.auth.unlockWithPasscode("Canary-99".toByteArray()) }
            val log = phone.logger.lines.joinToString("\n")
            assertTrue(log.contains("approve with passcode: ok"), log)
            for (secret in listOf(String(PASSCODE), "Canary-99", otp, portal.activationCode("alice"), confirmation, confirmation.replace("-", ""))) {
                assertFalse(log.contains(secret), "the log contains a secret")
            }
        }
    }

    finish()
}

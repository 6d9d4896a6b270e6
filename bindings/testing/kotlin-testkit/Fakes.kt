// Kotlin fakes of the platform traits, as an Android shell implements them (the Android
// Keystore and BiometricPrompt replaced by AES-GCM keys of their own), shared by the binding
// tests (bindings/testing/tests/kotlin, scripts/bindings) and the Android shell's JVM tests
// (android/jvm-tests, scripts/shells).

package lu.tessera.testkit

import lu.tessera.ffi.BiometricGate
import lu.tessera.ffi.Clock
import lu.tessera.ffi.DeviceKeystore
import lu.tessera.ffi.LogLevel
import lu.tessera.ffi.Logger
import lu.tessera.ffi.PlatformException
import lu.tessera.ffi.SecureStorage
import java.security.SecureRandom
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.Mac
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** AES-GCM under a key of its own, as the Android Keystore would do it. */
class Aead {
    private val key: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    fun seal(plain: ByteArray): ByteArray {
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(128, iv))
        return iv + c.doFinal(plain)
    }
    fun open(sealed: ByteArray): ByteArray {
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, sealed.copyOfRange(0, 12)))
        return c.doFinal(sealed.copyOfRange(12, sealed.size))
    }
}

/** Blobs in memory; [broken] makes every call throw, as a failing disk would. */
class MemoryStorage : SecureStorage {
    val blobs = mutableMapOf<String, ByteArray>()
    @Volatile var broken = false
    private fun check() { if (broken) throw PlatformException.Unavailable("disk gone") }
    @Synchronized override fun read(name: String): ByteArray? { check(); return blobs[name]?.copyOf() }
    @Synchronized override fun write(name: String, bytes: ByteArray) { check(); blobs[name] = bytes.copyOf() }
    @Synchronized override fun delete(name: String) { check(); blobs.remove(name) }
}

class FakeKeystore : DeviceKeystore {
    private var aead: Aead? = null
    private var macKey: SecretKey? = null
    private var gen: ULong = 0uL
    /** How many hardware MACs were computed: one per passcode guess tested. */
    @Volatile var macs = 0
    /** Makes the next setGeneration throw an exception the trait does not declare. */
    @Volatile var crashOnSetGeneration = false
    @Synchronized override fun createKey() {
        if (aead == null) aead = Aead()
        if (macKey == null) macKey = KeyGenerator.getInstance("HmacSHA256").generateKey()
    }
    @Synchronized override fun wrap(plaintext: ByteArray): ByteArray =
        (aead ?: throw PlatformException.KeyMissing()).seal(plaintext)
    @Synchronized override fun unwrap(wrapped: ByteArray): ByteArray {
        val a = aead ?: throw PlatformException.KeyMissing()
        return try { a.open(wrapped) } catch (e: AEADBadTagException) { throw PlatformException.Rejected() }
    }
    @Synchronized override fun generation(): ULong = gen
    @Synchronized override fun setGeneration(generation: ULong) {
        if (crashOnSetGeneration) { crashOnSetGeneration = false; throw IllegalStateException("keystore crashed") }
        gen = generation
    }
    /** HMAC-SHA256 under a key of its own, as an Android Keystore HMAC key would compute it. */
    @Synchronized override fun hardwareMac(input: ByteArray): ByteArray {
        val key = macKey ?: throw PlatformException.KeyMissing()
        macs++
        return Mac.getInstance("HmacSHA256").apply { init(key) }.doFinal(input)
    }
    /** Deletes the keys and the generation with them (the core's DeviceKeystore contract). */
    @Synchronized override fun deleteKey() { aead = null; macKey = null; gen = 0uL }
    fun hasKey() = synchronized(this) { aead != null }
}

/** What the user or the sensor does at the next biometric prompt. */
enum class Finger { OK, CANCEL, LOCKOUT, INVALIDATED, CRASH }

/** Protects the slot key under a "biometric" key; [mode] is what the user or sensor does. */
class FakeBiometricGate : BiometricGate {
    private val aead = Aead()
    @Volatile var mode = Finger.OK
    @Volatile var prompts = 0
    override fun enroll(slotKey: ByteArray): ByteArray = aead.seal(slotKey)
    override fun unlock(blob: ByteArray): ByteArray {
        prompts++
        return when (mode) {
            Finger.OK -> aead.open(blob)
            Finger.CANCEL -> throw PlatformException.Cancelled()
            Finger.LOCKOUT -> throw PlatformException.Lockout()
            Finger.INVALIDATED -> throw PlatformException.KeyInvalidated()
            Finger.CRASH -> throw RuntimeException("sensor crashed")
        }
    }
}

/** Wall-clock time set by the test (Unix seconds); real monotonic time. */
class FakeClock(@Volatile var now: ULong) : Clock {
    override fun nowUnix(): ULong = now
    override fun monotonicNanos(): ULong = System.nanoTime().toULong()
}

/** Keeps every log line, for tests that look for secrets in them. */
class ListLogger : Logger {
    val lines: MutableList<String> = java.util.Collections.synchronizedList(mutableListOf<String>())
    override fun log(level: LogLevel, event: String) { lines.add("$level $event") }
}

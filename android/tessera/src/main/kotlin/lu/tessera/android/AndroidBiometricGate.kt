package lu.tessera.android

import android.os.Build
import android.os.Looper
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import androidx.biometric.BiometricManager
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import lu.tessera.ffi.BiometricGate
import lu.tessera.ffi.PlatformException
import java.security.GeneralSecurityException
import java.security.KeyStore
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Tessera's [BiometricGate] on Android: the biometric slot key (32 bytes the core gives) is
 * encrypted under an Android Keystore AES-256-GCM key that
 * - needs the user's strong biometric for every use (`setUserAuthenticationRequired(true)`,
 *   `AUTH_BIOMETRIC_STRONG` with no time window; no device-credential fallback: C14),
 * - is invalidated by the platform when a fingerprint or face is added
 *   (`setInvalidatedByBiometricEnrollment(true)`: C13),
 * and is only usable through `BiometricPrompt.CryptoObject`: the core gets key bytes that only a
 * successful prompt can decrypt, never a "succeeded" flag (C12).
 *
 * Called by Tessera on the background thread that called `approveWithBiometrics`,
 * `unlockWithBiometrics` or `enableBiometrics`: it shows the prompt on the main thread and blocks
 * that thread until the user answers. Calling it on the main thread throws `Unavailable` (it would
 * deadlock). Build one per screen; it holds the activity only for the prompt.
 *
 * Errors: user cancel, negative button, system cancel → `Cancelled` (costs no attempt); lockout
 * (temporary or permanent) → `Lockout`; `KeyPermanentlyInvalidatedException` or a key the
 * platform deleted → `KeyInvalidated` (Tessera disables the slot and asks for the passcode);
 * anything else → `Unavailable` (a failed attempt).
 */
class AndroidBiometricGate(
    private val activity: FragmentActivity,
    private val title: CharSequence,
    private val subtitle: CharSequence?,
    private val cancelLabel: CharSequence,
    private val keyAlias: String = DEFAULT_ALIAS,
) : BiometricGate {

    override fun enroll(slotKey: ByteArray): ByteArray {
        // A new enrolment gets a new key: after an invalidation the old alias is dead anyway.
        val key = try {
            createKey()
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("biometric key: ${e.javaClass.simpleName}")
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key)
        } catch (e: KeyPermanentlyInvalidatedException) {
            throw PlatformException.KeyInvalidated()
        }
        val authorised = prompt(cipher)
        val sealed = try {
            authorised.doFinal(slotKey)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("biometric encrypt: ${e.javaClass.simpleName}")
        }
        return byteArrayOf(FORMAT) + authorised.iv + sealed
    }

    override fun unlock(blob: ByteArray): ByteArray {
        if (blob.size < 1 + IV_BYTES + TAG_BYTES || blob[0] != FORMAT) {
            throw PlatformException.Unavailable("biometric blob: unknown format")
        }
        // The platform deletes (or invalidates) the key when biometrics change.
        val key = loadKey() ?: throw PlatformException.KeyInvalidated()
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BYTES * 8, blob, 1, IV_BYTES))
        } catch (e: KeyPermanentlyInvalidatedException) {
            throw PlatformException.KeyInvalidated()
        }
        val authorised = prompt(cipher)
        return try {
            authorised.doFinal(blob, 1 + IV_BYTES, blob.size - 1 - IV_BYTES)
        } catch (e: AEADBadTagException) {
            throw PlatformException.Unavailable("biometric blob does not decrypt")
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("biometric decrypt: ${e.javaClass.simpleName}")
        }
    }

    /** Deletes the key (when the app disables biometrics or erases the vault). */
    fun deleteKey() {
        keyStore().deleteEntry(keyAlias)
    }

    /** Shows the prompt on the main thread; blocks this one; the cipher the user unlocked. */
    private fun prompt(cipher: Cipher): Cipher {
        if (Looper.myLooper() == Looper.getMainLooper()) {
            throw PlatformException.Unavailable("BiometricGate called on the main thread")
        }
        val done = CountDownLatch(1)
        var unlocked: Cipher? = null
        var failure: PlatformException? = null
        val callback = object : BiometricPrompt.AuthenticationCallback() {
            override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                unlocked = result.cryptoObject?.cipher
                if (unlocked == null) failure = PlatformException.Unavailable("no crypto object in the result")
                done.countDown()
            }

            override fun onAuthenticationError(errorCode: Int, errString: CharSequence) {
                failure = platformError(errorCode)
                done.countDown()
            }
            // onAuthenticationFailed: a finger not recognised; the prompt stays up.
        }
        val info = BiometricPrompt.PromptInfo.Builder()
            .setTitle(title)
            .apply { if (subtitle != null) setSubtitle(subtitle) }
            .setNegativeButtonText(cancelLabel)
            .setAllowedAuthenticators(BIOMETRIC_STRONG) // never DEVICE_CREDENTIAL (C14)
            .setConfirmationRequired(true)
            .build()
        val main = ContextCompat.getMainExecutor(activity)
        var prompt: BiometricPrompt? = null
        main.execute {
            prompt = BiometricPrompt(activity, main, callback).also {
                it.authenticate(info, BiometricPrompt.CryptoObject(cipher))
            }
        }
        if (!done.await(PROMPT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            main.execute { prompt?.cancelAuthentication() }
            throw PlatformException.Cancelled()
        }
        failure?.let { throw it }
        return unlocked ?: throw PlatformException.Unavailable("no cipher")
    }

    private fun createKey(): SecretKey {
        keyStore().deleteEntry(keyAlias)
        val spec = KeyGenParameterSpec.Builder(keyAlias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setUserAuthenticationRequired(true)
            .setInvalidatedByBiometricEnrollment(true)
            .apply {
                if (Build.VERSION.SDK_INT >= 30) {
                    // 0 s: every use needs its own prompt; strong biometrics only.
                    setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG)
                } else {
                    // Before API 30, -1 means "every use, biometric only".
                    @Suppress("DEPRECATION")
                    setUserAuthenticationValidityDurationSeconds(-1)
                }
            }
            .build()
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(spec)
        return generator.generateKey()
    }

    private fun loadKey(): SecretKey? = keyStore().getKey(keyAlias, null) as SecretKey?

    companion object {
        const val DEFAULT_ALIAS = "lu.tessera.biometric"
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val FORMAT: Byte = 1
        private const val IV_BYTES = 12
        private const val TAG_BYTES = 16
        private const val PROMPT_TIMEOUT_MINUTES = 5L

        private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

        /** `BiometricPrompt`'s terminal errors as Tessera's platform errors. */
        fun platformError(errorCode: Int): PlatformException = when (errorCode) {
            BiometricPrompt.ERROR_USER_CANCELED,
            BiometricPrompt.ERROR_NEGATIVE_BUTTON,
            BiometricPrompt.ERROR_CANCELED,
            -> PlatformException.Cancelled()
            BiometricPrompt.ERROR_LOCKOUT,
            BiometricPrompt.ERROR_LOCKOUT_PERMANENT,
            -> PlatformException.Lockout()
            else -> PlatformException.Unavailable("biometric prompt error $errorCode")
        }

        /**
         * Whether strong biometrics can be offered: `true` when enrolled and available. Ask
         * before offering "enable biometrics" (the sample hides the button otherwise).
         */
        fun canAuthenticate(activity: FragmentActivity): Boolean =
            BiometricManager.from(activity).canAuthenticate(BIOMETRIC_STRONG) == BiometricManager.BIOMETRIC_SUCCESS
    }
}

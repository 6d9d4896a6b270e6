// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.security.keystore

import java.security.InvalidKeyException
import java.security.ProviderException
import java.security.spec.AlgorithmParameterSpec

class KeyGenParameterSpec private constructor() : AlgorithmParameterSpec {
    class Builder(keystoreAlias: String, purposes: Int) {
        fun setBlockModes(vararg blockModes: String): Builder = TODO()
        fun setEncryptionPaddings(vararg paddings: String): Builder = TODO()
        fun setKeySize(keySize: Int): Builder = TODO()
        fun setUserAuthenticationRequired(required: Boolean): Builder = TODO()
        fun setInvalidatedByBiometricEnrollment(invalidateKey: Boolean): Builder = TODO()
        fun setUserAuthenticationParameters(timeout: Int, type: Int): Builder = TODO()
        @Deprecated("API 30") fun setUserAuthenticationValidityDurationSeconds(seconds: Int): Builder = TODO()
        fun setIsStrongBoxBacked(isStrongBoxBacked: Boolean): Builder = TODO()
        fun setUnlockedDeviceRequired(unlockedDeviceRequired: Boolean): Builder = TODO()
        fun build(): KeyGenParameterSpec = TODO()
    }
}

object KeyProperties {
    const val PURPOSE_ENCRYPT = 1
    const val PURPOSE_DECRYPT = 2
    const val PURPOSE_SIGN = 4
    const val BLOCK_MODE_GCM = "GCM"
    const val ENCRYPTION_PADDING_NONE = "NoPadding"
    const val KEY_ALGORITHM_AES = "AES"
    const val KEY_ALGORITHM_HMAC_SHA256 = "HmacSHA256"
    const val AUTH_BIOMETRIC_STRONG = 2
}

class KeyPermanentlyInvalidatedException : InvalidKeyException()

class StrongBoxUnavailableException : ProviderException()

// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.biometric

import androidx.fragment.app.FragmentActivity
import android.content.Context
import java.util.concurrent.Executor
import javax.crypto.Cipher

class BiometricManager private constructor() {
    fun canAuthenticate(authenticators: Int): Int = TODO()
    // A Java interface of constants in AndroidX; an object here so that the same import works.
    object Authenticators {
        const val BIOMETRIC_STRONG = 0x000F
        const val DEVICE_CREDENTIAL = 0x8000
    }
    companion object {
        const val BIOMETRIC_SUCCESS = 0
        @JvmStatic fun from(context: Context): BiometricManager = TODO()
    }
}

class BiometricPrompt(activity: FragmentActivity, executor: Executor, callback: AuthenticationCallback) {
    fun authenticate(info: PromptInfo, crypto: CryptoObject) {}
    fun cancelAuthentication() {}

    abstract class AuthenticationCallback {
        open fun onAuthenticationError(errorCode: Int, errString: CharSequence) {}
        open fun onAuthenticationSucceeded(result: AuthenticationResult) {}
        open fun onAuthenticationFailed() {}
    }

    class AuthenticationResult private constructor() {
        val cryptoObject: CryptoObject? get() = TODO()
    }

    class CryptoObject(cipher: Cipher) {
        val cipher: Cipher? get() = TODO()
    }

    class PromptInfo private constructor() {
        class Builder {
            fun setTitle(title: CharSequence): Builder = TODO()
            fun setSubtitle(subtitle: CharSequence?): Builder = TODO()
            fun setNegativeButtonText(text: CharSequence): Builder = TODO()
            fun setAllowedAuthenticators(authenticators: Int): Builder = TODO()
            fun setConfirmationRequired(required: Boolean): Builder = TODO()
            fun build(): PromptInfo = TODO()
        }
    }

    companion object {
        const val ERROR_HW_UNAVAILABLE = 1
        const val ERROR_UNABLE_TO_PROCESS = 2
        const val ERROR_TIMEOUT = 3
        const val ERROR_NO_SPACE = 4
        const val ERROR_CANCELED = 5
        const val ERROR_LOCKOUT = 7
        const val ERROR_VENDOR = 8
        const val ERROR_LOCKOUT_PERMANENT = 9
        const val ERROR_USER_CANCELED = 10
        const val ERROR_NO_BIOMETRICS = 11
        const val ERROR_HW_NOT_PRESENT = 12
        const val ERROR_NEGATIVE_BUTTON = 13
    }
}

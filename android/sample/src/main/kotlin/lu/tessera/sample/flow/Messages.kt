package lu.tessera.sample.flow

import lu.tessera.ffi.TesseraException

/**
 * Every message the flow shows, by string key. The keys are the names in `res/values{,-en,-de}/strings.xml`
 * and in the iOS app's `Localizable.strings` (fr, en, de), which CI checks have the same keys and
 * placeholders; [args] is the number of `%n$d`/`%n$s` placeholders.
 */
enum class Msg(val key: String, val args: Int = 0) {
    WRONG_PASSCODE("error_wrong_passcode", 1),
    LOCKED("error_locked", 1),
    WIPED("error_wiped"),
    VAULT_UNUSABLE("error_vault_unusable"),
    NOT_ACTIVATED("error_not_activated"),
    NOT_FOR_THIS_DEVICE("error_not_for_this_device"),
    EXPIRED("error_expired"),
    ALREADY_ANSWERED("error_already_answered"),
    CLOCK_WRONG("error_clock_wrong", 1),
    WRONG_ACTIVATION_CODE("error_wrong_activation_code"),
    WEAK_PASSCODE("error_weak_passcode"),
    CANCELLED("error_cancelled"),
    BIOMETRIC_INVALIDATED("error_biometric_invalidated"),
    BIOMETRIC_UNAVAILABLE("error_biometric_unavailable"),
    UNLOCK_REQUIRED("error_unlock_required"),
    PLATFORM_FAILURE("error_platform_failure"),
    NOT_A_TESSERA_CODE("error_not_a_tessera_code"),
    PASSCODES_DIFFER("error_passcodes_differ"),
    IMPORT_NOT_SUPPORTED("error_import_not_supported"),
    BIOMETRICS_ENABLED("info_biometrics_enabled"),
    ERASED("info_erased"),
}

/** A message and its arguments, resolved to text by the UI in the user's language. */
data class UiText(val msg: Msg, val args: List<Any> = emptyList()) {
    init {
        require(args.size == msg.args) { "${msg.key} takes ${msg.args} argument(s), got ${args.size}" }
    }
}

/**
 * What to tell the user for each error Tessera throws. Never the `reason` strings: they are
 * English, for logs and support (bindings/README.md), and the user needs what to do instead.
 */
fun messageFor(e: TesseraException): UiText = when (e) {
    is TesseraException.WrongPasscode -> UiText(Msg.WRONG_PASSCODE, listOf(e.attemptsLeft.toInt()))
    is TesseraException.Locked -> UiText(Msg.LOCKED, listOf(e.retryAfterSecs.coerceAtMost(Int.MAX_VALUE.toULong()).toInt()))
    is TesseraException.Wiped -> UiText(Msg.WIPED)
    is TesseraException.VaultUnusable -> UiText(Msg.VAULT_UNUSABLE)
    is TesseraException.NotActivated -> UiText(Msg.NOT_ACTIVATED)
    is TesseraException.NotForThisDevice -> UiText(Msg.NOT_FOR_THIS_DEVICE)
    is TesseraException.Expired -> UiText(Msg.EXPIRED)
    is TesseraException.AlreadyAnswered -> UiText(Msg.ALREADY_ANSWERED)
    // Minutes, rounded up: "off by about 7 minutes" is what the user can check.
    is TesseraException.ClockWrong -> UiText(Msg.CLOCK_WRONG, listOf(minutesRoundedUp(e.offsetSecs)))
    is TesseraException.WrongActivationCode -> UiText(Msg.WRONG_ACTIVATION_CODE)
    is TesseraException.WeakPasscode -> UiText(Msg.WEAK_PASSCODE)
    is TesseraException.Cancelled -> UiText(Msg.CANCELLED)
    is TesseraException.BiometricInvalidated -> UiText(Msg.BIOMETRIC_INVALIDATED)
    is TesseraException.BiometricUnavailable -> UiText(Msg.BIOMETRIC_UNAVAILABLE)
    is TesseraException.UnlockRequired -> UiText(Msg.UNLOCK_REQUIRED)
    is TesseraException.StorageFailure -> UiText(Msg.PLATFORM_FAILURE)
    is TesseraException.BadInput -> UiText(Msg.NOT_A_TESSERA_CODE)
}

private fun minutesRoundedUp(offsetSecs: Long): Int {
    val secs = if (offsetSecs == Long.MIN_VALUE) Long.MAX_VALUE else kotlin.math.abs(offsetSecs)
    return ((secs / 60) + if (secs % 60 != 0L) 1 else 0).coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
}

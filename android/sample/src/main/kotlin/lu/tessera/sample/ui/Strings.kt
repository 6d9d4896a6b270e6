package lu.tessera.sample.ui

import androidx.compose.runtime.Composable
import androidx.compose.ui.res.stringResource
import lu.tessera.sample.R
import lu.tessera.sample.flow.Msg
import lu.tessera.sample.flow.UiText

/** The string resource of each message (exhaustive: a new [Msg] does not compile without one). */
fun Msg.res(): Int = when (this) {
    Msg.WRONG_PASSCODE -> R.string.error_wrong_passcode
    Msg.LOCKED -> R.string.error_locked
    Msg.WIPED -> R.string.error_wiped
    Msg.VAULT_UNUSABLE -> R.string.error_vault_unusable
    Msg.NOT_ACTIVATED -> R.string.error_not_activated
    Msg.NOT_FOR_THIS_DEVICE -> R.string.error_not_for_this_device
    Msg.EXPIRED -> R.string.error_expired
    Msg.ALREADY_ANSWERED -> R.string.error_already_answered
    Msg.CLOCK_WRONG -> R.string.error_clock_wrong
    Msg.WRONG_ACTIVATION_CODE -> R.string.error_wrong_activation_code
    Msg.WEAK_PASSCODE -> R.string.error_weak_passcode
    Msg.CANCELLED -> R.string.error_cancelled
    Msg.BIOMETRIC_INVALIDATED -> R.string.error_biometric_invalidated
    Msg.BIOMETRIC_UNAVAILABLE -> R.string.error_biometric_unavailable
    Msg.UNLOCK_REQUIRED -> R.string.error_unlock_required
    Msg.PLATFORM_FAILURE -> R.string.error_platform_failure
    Msg.NOT_A_TESSERA_CODE -> R.string.error_not_a_tessera_code
    Msg.PASSCODES_DIFFER -> R.string.error_passcodes_differ
    Msg.IMPORT_NOT_SUPPORTED -> R.string.error_import_not_supported
    Msg.BIOMETRICS_ENABLED -> R.string.info_biometrics_enabled
    Msg.ERASED -> R.string.info_erased
}

/** [text] in the user's language. */
@Composable
fun text(text: UiText): String = stringResource(text.msg.res(), *text.args.toTypedArray())

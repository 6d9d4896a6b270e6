package lu.tessera.sample.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.clearAndSetSemantics
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.fragment.app.FragmentActivity
import kotlinx.coroutines.delay
import lu.tessera.android.AndroidBiometricGate
import lu.tessera.ffi.BiometricStatus
import lu.tessera.ffi.ChallengeKind
import lu.tessera.ffi.TokenKind
import lu.tessera.sample.R
import lu.tessera.sample.SampleViewModel
import lu.tessera.sample.flow.FlowModel
import lu.tessera.sample.flow.OtpText
import lu.tessera.sample.flow.Screen

/** The whole app: the current screen, the message of the last action, and a busy line. */
@Composable
fun App(vm: SampleViewModel, activity: FragmentActivity) {
    val state by vm.state.collectAsState()
    val flow = vm.flow
    val gate = {
        AndroidBiometricGate(activity, activity.getString(R.string.biometric_title), null, activity.getString(R.string.biometric_cancel))
    }
    Column(
        Modifier.fillMaxSize().padding(24.dp).verticalScroll(rememberScrollState()),
        verticalArrangement = Arrangement.spacedBy(16.dp),
    ) {
        state.message?.let { message ->
            // Announced when it appears (a wrong passcode, an expired mosaic).
            Text(text(message), color = MaterialTheme.colorScheme.error, modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite })
        }
        when (val screen = state.screen) {
            Screen.Loading -> CircularProgressIndicator()
            is Screen.Home -> Home(screen, flow, AndroidBiometricGate.canAuthenticate(activity))
            Screen.Unusable -> {
                Title(stringResource(R.string.unusable_title))
                Button(onClick = flow::eraseAndStartOver) { Text(stringResource(R.string.home_erase)) }
            }
            Screen.Scanning -> ScanScreen(vm)
            Screen.ActivationCode -> ActivationCode(flow)
            is Screen.ActivationPasscode -> ActivationPasscode(screen, flow)
            is Screen.ActivationDone -> {
                Title(stringResource(R.string.done_title))
                Text(stringResource(R.string.done_hint, screen.origin))
                // 24 characters: smaller than an OTP, so that it fits in two or three lines.
                Otp(screen.confirmationCode, MaterialTheme.typography.headlineSmall)
                Button(onClick = flow::home) { Text(stringResource(R.string.action_done)) }
            }
            is Screen.Details -> Details(screen, flow, gate)
            is Screen.Otp -> OtpScreen(screen, flow)
            Screen.EnableBiometrics -> {
                PasscodeForm(stringResource(R.string.passcode_enter)) { flow.enableBiometrics(it, gate()) }
                OutlinedButton(onClick = flow::home) { Text(stringResource(R.string.action_cancel)) }
            }
        }
        if (state.busy) Text(stringResource(R.string.busy))
    }
}

@Composable
private fun Title(title: String) {
    Text(title, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
}

@Composable
private fun Home(screen: Screen.Home, flow: FlowModel, canUseBiometrics: Boolean) {
    Title(stringResource(R.string.app_name))
    when {
        screen.wiped -> {
            Text(stringResource(R.string.home_wiped))
            Button(onClick = flow::eraseAndStartOver) { Text(stringResource(R.string.home_erase)) }
        }
        !screen.activated -> {
            Text(stringResource(R.string.home_not_activated))
            Button(onClick = flow::scan) { Text(stringResource(R.string.home_activate)) }
        }
        else -> {
            Text(stringResource(R.string.home_tokens), style = MaterialTheme.typography.titleMedium)
            for (token in screen.tokens) {
                val kind = token.kind
                Text(if (kind is TokenKind.Mosaic) "${kind.userId} — ${kind.portalOrigin}" else token.label)
            }
            val attemptsLeft = screen.attemptsLeft
            if (attemptsLeft != null && attemptsLeft < 10) Text(stringResource(R.string.home_attempts_left, attemptsLeft))
            if (screen.retryAfterSecs > 0) Text(stringResource(R.string.home_retry_after, screen.retryAfterSecs.toInt()))
            Button(onClick = flow::scan) { Text(stringResource(R.string.home_scan)) }
            when (screen.biometrics) {
                BiometricStatus.ENABLED -> Text(stringResource(R.string.home_biometrics_on))
                BiometricStatus.INVALIDATED -> Text(stringResource(R.string.home_biometrics_invalidated))
                BiometricStatus.DISABLED -> {}
            }
            if (canUseBiometrics && screen.biometrics != BiometricStatus.ENABLED) {
                OutlinedButton(onClick = flow::askEnableBiometrics) { Text(stringResource(R.string.home_enable_biometrics)) }
            }
            // The activation flow also adds a second portal account to this phone.
            OutlinedButton(onClick = flow::scan) { Text(stringResource(R.string.home_activate)) }
        }
    }
}

@Composable
private fun ActivationCode(flow: FlowModel) {
    var code by remember { mutableStateOf("") }
    Title(stringResource(R.string.activation_code_title))
    Text(stringResource(R.string.activation_code_hint))
    OutlinedTextField(
        value = code,
        onValueChange = { code = it },
        label = { Text(stringResource(R.string.activation_code_title)) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Ascii),
        modifier = Modifier.fillMaxWidth(),
    )
    Button(onClick = { flow.submitActivationCode(code) }) { Text(stringResource(R.string.action_continue)) }
    OutlinedButton(onClick = flow::home) { Text(stringResource(R.string.action_cancel)) }
}

@Composable
private fun ActivationPasscode(screen: Screen.ActivationPasscode, flow: FlowModel) {
    Title(stringResource(R.string.activation_for, screen.details.userId, screen.details.origin))
    if (screen.newVault) {
        var first by remember { mutableStateOf("") }
        var second by remember { mutableStateOf("") }
        PasscodeField(first, stringResource(R.string.passcode_choose)) { first = it }
        PasscodeField(second, stringResource(R.string.passcode_repeat)) { second = it }
        Button(onClick = {
            flow.completeActivation(first.toByteArray(), second.toByteArray())
            first = ""
            second = ""
        }) { Text(stringResource(R.string.action_continue)) }
    } else {
        PasscodeForm(stringResource(R.string.passcode_enter)) { flow.completeActivation(it, null) }
    }
    OutlinedButton(onClick = flow::home) { Text(stringResource(R.string.action_cancel)) }
}

@Composable
private fun Details(screen: Screen.Details, flow: FlowModel, gate: () -> AndroidBiometricGate) {
    val d = screen.details
    val tx = d.transaction
    // The portal's name first and largest: a phishing page can show another portal's mosaic, and
    // only the user, reading this name, can notice (threat model, M4).
    Text(
        d.origin.substringAfter("://"),
        style = MaterialTheme.typography.headlineMedium,
        modifier = Modifier.semantics { heading() },
    )
    Text(stringResource(R.string.details_check_portal), style = MaterialTheme.typography.bodyMedium)
    Title(stringResource(if (d.kind == ChallengeKind.TRANSACTION) R.string.details_transaction_title else R.string.details_login_title))
    Field(stringResource(R.string.details_portal), d.origin)
    Field(stringResource(R.string.details_user), d.userId)
    if (tx != null) {
        Field(stringResource(R.string.details_amount), "${tx.amount} ${tx.currency}")
        Field(stringResource(R.string.details_payee), tx.payee)
        Field(stringResource(R.string.details_iban), tx.iban.chunked(4).joinToString(" "))
        tx.reference?.let { Field(stringResource(R.string.details_reference), it) }
        tx.text?.let { Field(stringResource(R.string.details_text), it) }
    }
    for (field in d.deceptiveFields) {
        Text(
            stringResource(R.string.details_deceptive, field),
            color = MaterialTheme.colorScheme.error,
            style = MaterialTheme.typography.bodyMedium,
        )
    }
    if (screen.biometricsEnabled) {
        Button(onClick = { flow.approveWithBiometrics(gate()) }) { Text(stringResource(R.string.action_approve_biometrics)) }
    }
    PasscodeForm(stringResource(R.string.passcode_enter), stringResource(R.string.action_approve)) { flow.approveWithPasscode(it) }
    OutlinedButton(onClick = flow::home) { Text(stringResource(R.string.action_cancel)) }
}

@Composable
private fun Field(label: String, value: String) {
    Column(Modifier.semantics(mergeDescendants = true) {}) {
        Text(label, style = MaterialTheme.typography.labelMedium)
        Text(value, style = MaterialTheme.typography.bodyLarge)
    }
}

@Composable
private fun OtpScreen(screen: Screen.Otp, flow: FlowModel) {
    LaunchedEffect(screen.expiresAt) {
        while (true) {
            delay(1_000)
            flow.tick()
        }
    }
    Title(stringResource(if (screen.kind == ChallengeKind.TRANSACTION) R.string.otp_title_transaction else R.string.otp_title_login))
    Text(stringResource(R.string.otp_hint, screen.origin))
    if (screen.secondsLeft > 0) {
        Otp(screen.otp)
        Text(stringResource(R.string.otp_countdown, screen.secondsLeft.toInt()))
    } else {
        Text(stringResource(R.string.otp_expired))
    }
    Button(onClick = flow::home) { Text(stringResource(R.string.action_done)) }
}

/** A code, large, in groups; read digit by digit by TalkBack ("4, 7, 5…"). */
@Composable
private fun Otp(code: String, style: TextStyle = MaterialTheme.typography.displayMedium) {
    val spoken = stringResource(R.string.otp_spoken, OtpText.spoken(code))
    Text(
        OtpText.grouped(code),
        style = style,
        modifier = Modifier.clearAndSetSemantics { contentDescription = spoken },
    )
}

@Composable
private fun PasscodeField(value: String, label: String, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        singleLine = true,
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
        modifier = Modifier.fillMaxWidth(),
    )
}

/** A passcode field and its button; the text is handed over as bytes and the field emptied. */
@Composable
private fun PasscodeForm(label: String, action: String = stringResource(R.string.action_continue), submit: (ByteArray) -> Unit) {
    var passcode by remember { mutableStateOf("") }
    PasscodeField(passcode, label) { passcode = it }
    Button(onClick = {
        submit(passcode.toByteArray())
        passcode = ""
    }) { Text(action) }
}

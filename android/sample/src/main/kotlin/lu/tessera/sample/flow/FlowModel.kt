package lu.tessera.sample.flow

import lu.tessera.android.TesseraPlatform
import lu.tessera.ffi.ActivationDetails
import lu.tessera.ffi.Authenticator
import lu.tessera.ffi.BiometricGate
import lu.tessera.ffi.BiometricStatus
import lu.tessera.ffi.ChallengeDetails
import lu.tessera.ffi.ChallengeKind
import lu.tessera.ffi.PendingActivation
import lu.tessera.ffi.PendingChallenge
import lu.tessera.ffi.ScannedRequest
import lu.tessera.ffi.TesseraException
import lu.tessera.ffi.TokenInfo
import lu.tessera.ffi.VaultStatus
import java.security.MessageDigest
import java.util.concurrent.Executor

/** The sample app's screens, with what each shows. */
sealed interface Screen {
    /** Opening the authenticator. */
    data object Loading : Screen

    /** Start: "activate this phone", or the tokens with "scan" and "enable biometrics". */
    data class Home(
        val activated: Boolean,
        val tokens: List<TokenInfo>,
        val biometrics: BiometricStatus,
        /** Passcode failures still allowed before the wipe (null: no vault). */
        val attemptsLeft: Int?,
        val retryAfterSecs: Long,
        val wiped: Boolean,
    ) : Screen

    /** The stored vault cannot be used here: offer to start over. */
    data object Unusable : Screen

    /** The camera is looking for a mosaic. */
    data object Scanning : Screen

    /** An activation mosaic: type the activation code from the letter. */
    data object ActivationCode : Screen

    /** The offer, unsealed: choose a passcode (typed twice) for a new vault, or type the vault's. */
    data class ActivationPasscode(val details: ActivationDetails, val newVault: Boolean) : Screen

    /** Activated: the confirmation code to type into the portal. */
    data class ActivationDone(val confirmationCode: String, val origin: String, val userId: String) : Screen

    /** A login or a transaction: exactly what will be approved, then passcode or biometrics. */
    data class Details(val details: ChallengeDetails, val biometricsEnabled: Boolean) : Screen

    /** The OTP to type into the portal, and the seconds left before the challenge expires. */
    data class Otp(
        val otp: String,
        val kind: ChallengeKind,
        val origin: String,
        val expiresAt: Long,
        val secondsLeft: Long,
    ) : Screen

    /** The passcode, to turn biometric unlock on. */
    data object EnableBiometrics : Screen
}

/** What the UI draws: a screen, whether an operation is running, and a message to show. */
data class FlowState(val screen: Screen, val busy: Boolean = false, val message: UiText? = null)

/**
 * The sample app's flow, with no Android type: the Android `ViewModel` and the tests drive the
 * same code. Actions that call Tessera run on [worker] (never the UI thread: every export may
 * block, the passcode KDF for half a second); one action at a time, others are ignored while
 * [FlowState.busy]. State changes go to [listener], on whichever thread made them.
 *
 * Owns the authenticator and the pending objects, and closes them as the flow moves on. Passcode
 * arrays passed in are cleared once used.
 */
class FlowModel(
    private val platform: TesseraPlatform,
    private val worker: Executor,
    /** The device's wall clock in Unix seconds (for the OTP countdown). */
    private val now: () -> Long = { System.currentTimeMillis() / 1000 },
) : AutoCloseable {
    private val lock = Any()
    private var auth: Authenticator? = null
    private var activation: PendingActivation? = null
    private var challenge: PendingChallenge? = null
    private var closed = false

    /** Called with every new state. Keep it quick and do not call back into the model from it. */
    @Volatile
    var listener: ((FlowState) -> Unit)? = null

    @Volatile
    var state: FlowState = FlowState(Screen.Loading)
        private set

    /** The open authenticator, for the camera analyzer (null until [start] has run). */
    val authenticator: Authenticator? get() = synchronized(lock) { auth }

    /** Opens the authenticator and shows the start screen. */
    fun start() = act {
        val opened = try {
            platform.open()
        } catch (e: TesseraException.VaultUnusable) {
            show(Screen.Unusable, messageFor(e))
            return@act
        }
        synchronized(lock) { auth = opened }
        home(null)
    }

    /** Back to the start screen (cancels a pending activation or challenge). */
    fun home() = act {
        dropPending()
        home(null)
    }

    /** Opens the camera. */
    fun scan() = synchronized(lock) {
        if (!state.busy && auth != null) set(FlowState(Screen.Scanning))
    }

    /** What the camera found (from the analysis thread). The model owns [request] from here. */
    fun onScanned(request: ScannedRequest) {
        val accepted = act {
            when (request) {
                is ScannedRequest.Activation -> {
                    synchronized(lock) { replacePending(activation = request.activation) }
                    show(Screen.ActivationCode)
                }
                is ScannedRequest.Challenge -> {
                    synchronized(lock) { replacePending(challenge = request.challenge) }
                    show(Screen.Details(request.challenge.details(), biometricsEnabled()))
                }
                is ScannedRequest.Import -> {
                    request.destroy()
                    home(UiText(Msg.IMPORT_NOT_SUPPORTED))
                }
            }
        }
        if (!accepted) request.destroy()
    }

    /**
     * The camera found a code Tessera refused. `BadInput` (another kind of QR code) keeps the
     * camera open with a hint; a refusal (expired, not for this device…) ends the scan.
     */
    fun onScanError(e: TesseraException) {
        synchronized(lock) {
            if (state.screen != Screen.Scanning || state.busy) return
            if (e is TesseraException.BadInput) {
                set(state.copy(message = messageFor(e)))
                return
            }
        }
        act { home(messageFor(e)) }
    }

    /** The activation code from the letter (as typed: dashes and case do not matter). */
    fun submitActivationCode(code: String) = act {
        val pending = synchronized(lock) { activation } ?: return@act home(null)
        val details = pending.unseal(code)
        show(Screen.ActivationPasscode(details, newVault = !requireAuth().isActivated()))
    }

    /**
     * Completes the activation. For a new vault the passcode is chosen and typed twice
     * ([repeat]); otherwise [repeat] is null and [passcode] is the vault's. Both are cleared.
     */
    fun completeActivation(passcode: ByteArray, repeat: ByteArray?) = act(passcode, repeat) {
        val pending = synchronized(lock) { activation } ?: return@act home(null)
        val screen = state.screen as? Screen.ActivationPasscode ?: return@act home(null)
        if (screen.newVault && (repeat == null || !MessageDigest.isEqual(passcode, repeat))) {
            show(screen, UiText(Msg.PASSCODES_DIFFER))
            return@act
        }
        val done = pending.complete(passcode)
        synchronized(lock) { dropPending() }
        show(Screen.ActivationDone(done.confirmationCode, screen.details.origin, screen.details.userId))
    }

    /** Approves the challenge on screen with the passcode (cleared afterwards). */
    fun approveWithPasscode(passcode: ByteArray) = act(passcode) {
        val pending = synchronized(lock) { challenge } ?: return@act home(null)
        showOtp(pending, pending.approveWithPasscode(passcode))
    }

    /** Approves the challenge on screen with biometrics: [gate] shows the prompt. */
    fun approveWithBiometrics(gate: BiometricGate) = act {
        val pending = synchronized(lock) { challenge } ?: return@act home(null)
        showOtp(pending, pending.approveWithBiometrics(gate))
    }

    /** Asks for the passcode to turn biometrics on. */
    fun askEnableBiometrics() = synchronized(lock) {
        if (!state.busy && state.screen is Screen.Home) set(FlowState(Screen.EnableBiometrics))
    }

    /** Unlocks with the passcode (cleared afterwards) and protects a biometric slot with [gate]. */
    fun enableBiometrics(passcode: ByteArray, gate: BiometricGate) = act(passcode) {
        requireAuth().unlockWithPasscode(passcode).use { it.enableBiometrics(gate) }
        home(UiText(Msg.BIOMETRICS_ENABLED))
    }

    /** Deletes the vault and the device key (after `Wiped` or `VaultUnusable`), then starts again. */
    fun eraseAndStartOver() = act {
        synchronized(lock) {
            dropPending()
            auth?.close()
            auth = null
        }
        platform.erase()
        val opened = platform.open()
        synchronized(lock) { auth = opened }
        home(UiText(Msg.ERASED))
    }

    /** Called every second while the OTP is shown: counts down to the challenge's expiry. */
    fun tick() = synchronized(lock) {
        val screen = state.screen as? Screen.Otp ?: return@synchronized
        val left = (screen.expiresAt - now()).coerceAtLeast(0)
        if (left != screen.secondsLeft) set(state.copy(screen = screen.copy(secondsLeft = left)))
    }

    /** Closes everything (the ViewModel's `onCleared`). */
    override fun close() = synchronized(lock) {
        closed = true
        dropPending()
        auth?.close()
        auth = null
    }

    // ---- internals ---------------------------------------------------------------------------

    /**
     * Runs [block] on the worker unless an action is running; marks the state busy meanwhile.
     * Tessera's errors become messages (and, for the ones that end the flow, the start screen).
     * [secrets] are cleared when the block ends. Returns whether the action was accepted.
     */
    private fun act(vararg secrets: ByteArray?, block: () -> Unit): Boolean {
        synchronized(lock) {
            if (closed || state.busy) {
                secrets.forEach { it?.fill(0) }
                return false
            }
            set(state.copy(busy = true, message = null))
        }
        worker.execute {
            try {
                block()
            } catch (e: TesseraException) {
                failed(e)
            } catch (e: RuntimeException) {
                // A bug in this app, not Tessera: say so, keep the app alive.
                synchronized(lock) { set(state.copy(busy = false, message = UiText(Msg.PLATFORM_FAILURE))) }
            } finally {
                secrets.forEach { it?.fill(0) }
                synchronized(lock) { if (state.busy) set(state.copy(busy = false)) }
            }
        }
        return true
    }

    private fun failed(e: TesseraException) {
        val message = messageFor(e)
        when (e) {
            // The flow cannot go on: back to the start screen, which shows why.
            is TesseraException.Wiped,
            is TesseraException.Expired,
            is TesseraException.AlreadyAnswered,
            is TesseraException.NotForThisDevice,
            is TesseraException.ClockWrong,
            is TesseraException.NotActivated,
            -> {
                synchronized(lock) { dropPending() }
                home(message)
            }
            is TesseraException.VaultUnusable -> {
                synchronized(lock) { dropPending() }
                show(Screen.Unusable, message)
            }
            // Stay on the screen, say what happened, let the user try again or use the passcode.
            is TesseraException.BiometricInvalidated -> synchronized(lock) {
                val screen = state.screen
                set(FlowState(if (screen is Screen.Details) screen.copy(biometricsEnabled = false) else screen, message = message))
            }
            else -> synchronized(lock) { set(state.copy(busy = false, message = message)) }
        }
    }

    private fun home(message: UiText?) {
        val a = requireAuth()
        val screen = when (val status = a.status()) {
            is VaultStatus.NoVault -> Screen.Home(false, emptyList(), BiometricStatus.DISABLED, null, 0, wiped = false)
            is VaultStatus.Wiped -> Screen.Home(false, emptyList(), BiometricStatus.DISABLED, null, 0, wiped = true)
            is VaultStatus.Ready -> Screen.Home(
                activated = true,
                tokens = a.tokens(),
                biometrics = status.biometrics,
                attemptsLeft = status.attemptsLeft.toInt(),
                retryAfterSecs = status.retryAfterSecs.toLong(),
                wiped = false,
            )
        }
        show(screen, message)
    }

    private fun biometricsEnabled(): Boolean =
        (requireAuth().status() as? VaultStatus.Ready)?.biometrics == BiometricStatus.ENABLED

    private fun showOtp(pending: PendingChallenge, otp: String) {
        val details = (state.screen as? Screen.Details)?.details ?: pending.details()
        synchronized(lock) { dropPending() }
        val expiresAt = details.expiresAt.toLong()
        show(Screen.Otp(otp, details.kind, details.origin, expiresAt, (expiresAt - now()).coerceAtLeast(0)))
    }

    private fun show(screen: Screen, message: UiText? = null) = synchronized(lock) {
        set(FlowState(screen, busy = state.busy, message = message))
    }

    private fun requireAuth(): Authenticator = synchronized(lock) { auth } ?: throw TesseraException.NotActivated()

    /** Holds one pending object at a time; the previous one is closed. Call with [lock] held. */
    private fun replacePending(activation: PendingActivation? = null, challenge: PendingChallenge? = null) {
        dropPending()
        this.activation = activation
        this.challenge = challenge
    }

    /** Call with [lock] held. */
    private fun dropPending() {
        activation?.close()
        challenge?.close()
        activation = null
        challenge = null
    }

    /** Call with [lock] held. */
    private fun set(new: FlowState) {
        state = new
        listener?.invoke(new)
    }
}

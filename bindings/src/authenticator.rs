//! The objects of the surface: the [`Authenticator`], and what reading a
//! code gives — a [`PendingActivation`], a [`PendingChallenge`] or a
//! [`PendingImport`]. Each wraps `tessera_core::authenticator` and adds only
//! what the boundary needs: owned arguments, once-only use, and errors the
//! app can act on.

use std::sync::{Arc, Mutex};

use tessera_core::authenticator::{
    ActivationPreview, ActivationRequest, Authenticator as CoreAuthenticator, ChallengeRequest,
    Request,
};
use tessera_core::platform::Platform;
use tessera_core::sync::lock;
use tessera_core::vault::{self as core_vault, Passcode};
use zeroize::Zeroizing;

use crate::error::TesseraError;
use crate::frame::CameraFrame;
use crate::platform::{
    BiometricAdapter, BiometricGate, Clock, ClockAdapter, DeviceKeystore, KeystoreAdapter, Log,
    LogLevel, Logger, SecureStorage, StorageAdapter,
};
use crate::records::{
    ActivatedToken, ActivationDetails, AuthenticatorOptions, ChallengeDetails, ImportPreview,
    TokenInfo, VaultStatus,
};
use crate::shared::{self, Shared};
use crate::vault::UnlockedVault;

/// The longest activation code accepted, in characters (16 significant
/// ones plus separators and spaces).
const MAX_ACTIVATION_CODE_CHARS: usize = 64;

/// Tessera on this device: reads codes, opens what they carry, and reaches
/// the vault. Open one per app process and share it.
///
/// Threading: every method may block — on the passcode KDF (about half a
/// second), on storage and the keystore, on a biometric prompt, or on another
/// thread's operation, since vault operations take turns. Call them from a
/// background thread (Kotlin: `Dispatchers.Default`/`IO`; Swift: a `Task` or
/// a serial `DispatchQueue`), never from the main/UI thread. The object is
/// thread-safe.
#[derive(uniffi::Object)]
pub struct Authenticator {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("core", &self.shared.core)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Authenticator {
    /// Opens the authenticator over the platform's storage, keystore and
    /// clock, reading the vault if there is one. `logger` receives events
    /// without secrets; `options` defaults suit apps.
    ///
    /// Throws `VaultUnusable` when a stored vault cannot be opened here (the
    /// app offers `eraseVault`), `StorageFailure` when the platform fails.
    #[uniffi::constructor(default(logger = None, options = None))]
    pub fn new(
        storage: Arc<dyn SecureStorage>,
        keystore: Arc<dyn DeviceKeystore>,
        clock: Arc<dyn Clock>,
        logger: Option<Arc<dyn Logger>>,
        options: Option<AuthenticatorOptions>,
    ) -> Result<Arc<Self>, TesseraError> {
        let log = Log::new(logger);
        let clock = Arc::new(ClockAdapter::new(clock));
        shared::refresh(&clock)?;
        let platform = Platform {
            storage: Arc::new(StorageAdapter(storage)),
            keystore: Arc::new(KeystoreAdapter(keystore)),
            clock: clock.clone(),
            random: tessera_core::crypto::system_random(),
        };
        let config = options.unwrap_or_default().config();
        let core = CoreAuthenticator::new(platform, config).map_err(|e| {
            let e = TesseraError::from(e);
            log.event(LogLevel::Error, || format!("open: {e}"));
            e
        })?;
        log.event(LogLevel::Info, || {
            format!("open: ok, activated: {}", core.has_vault())
        });
        Ok(Arc::new(Self {
            shared: Arc::new(Shared::new(core, clock, log)),
        }))
    }

    /// Whether this device holds a usable vault (activated or imported
    /// tokens): if not, the app offers activation instead of a passcode prompt.
    pub fn is_activated(&self) -> Result<bool, TesseraError> {
        Ok(self.shared.core.has_vault())
    }

    /// Attempts left, the delay before the next attempt, biometrics, or that
    /// the vault was wiped.
    pub fn status(&self) -> Result<VaultStatus, TesseraError> {
        self.shared.begin()?;
        Ok(self.shared.core.status().into())
    }

    /// The tokens, without keys (empty before activation). Needs no passcode.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, TesseraError> {
        self.shared.begin()?;
        let tokens = self.shared.core.tokens().map_err(TesseraError::from)?;
        Ok(tokens.iter().map(Into::into).collect())
    }

    /// Looks for a code in a camera frame and reads it: `null`/`nil` when the
    /// frame shows none (keep scanning), the request when it does. A code
    /// that is not a Tessera mosaic or token throws `BadInput`.
    ///
    /// A frame can take tens of milliseconds: call it on the camera's
    /// analysis thread, and drop frames that arrive meanwhile.
    pub fn scan_frame(&self, frame: CameraFrame) -> Result<Option<ScannedRequest>, TesseraError> {
        self.shared.begin()?;
        // The core decides which code of the frame wins (the first that reads).
        let result = frame
            .with_core(|f| self.shared.core.scan_and_read(f))?
            .map_err(TesseraError::from)
            .and_then(|found| {
                found
                    .map(|s| self.scanned(s.request, s.payload))
                    .transpose()
            });
        self.shared.outcome("scan", result)
    }

    /// Reads a payload that the platform's own scanner decoded (ML Kit,
    /// `AVMetadataMachineReadableCodeObject`), as raw bytes.
    pub fn read(&self, payload: Vec<u8>) -> Result<ScannedRequest, TesseraError> {
        self.shared.begin()?;
        let result = self.read_payload(payload);
        self.shared.outcome("read", result)
    }

    /// Unlocks the vault with the passcode (as bytes: UTF-8 of what the user
    /// typed; clear your copy afterwards). The attempt is counted before the
    /// passcode is checked. The returned object computes codes and manages
    /// tokens until it is closed (`.use {}`/`close()`, or dropped in Swift).
    pub fn unlock_with_passcode(
        &self,
        passcode: Vec<u8>,
    ) -> Result<Arc<UnlockedVault>, TesseraError> {
        self.shared.begin()?;
        let result = shared::passcode(passcode).and_then(|p| {
            self.shared
                .core
                .unlock_with_passcode(&p)
                .map_err(TesseraError::from)
        });
        let unlocked = self.shared.outcome("unlock with passcode", result)?;
        Ok(UnlockedVault::new(self.shared.clone(), unlocked))
    }

    /// Unlocks the vault with biometrics: `gate` shows the prompt and
    /// returns the key. Cancel costs no attempt; a failure does.
    pub fn unlock_with_biometrics(
        &self,
        gate: Arc<dyn BiometricGate>,
    ) -> Result<Arc<UnlockedVault>, TesseraError> {
        self.shared.begin()?;
        let result = self
            .shared
            .core
            .unlock_with_biometrics(&BiometricAdapter(gate))
            .map_err(TesseraError::from);
        let unlocked = self.shared.outcome("unlock with biometrics", result)?;
        Ok(UnlockedVault::new(self.shared.clone(), unlocked))
    }
}

impl Authenticator {
    fn read_payload(&self, payload: Vec<u8>) -> Result<ScannedRequest, TesseraError> {
        let payload = Zeroizing::new(payload);
        let request = self.shared.core.read(&payload)?;
        self.scanned(request, payload)
    }

    /// The exported form of what the code `payload` asks for.
    fn scanned(
        &self,
        request: Request,
        payload: Zeroizing<Vec<u8>>,
    ) -> Result<ScannedRequest, TesseraError> {
        let shared = self.shared.clone();
        Ok(match request {
            Request::Activation(request) => {
                self.shared
                    .log
                    .event(LogLevel::Info, || "read: activation offer".into());
                ScannedRequest::Activation {
                    activation: Arc::new(PendingActivation {
                        shared,
                        request,
                        state: Mutex::new(ActivationState::Sealed),
                    }),
                }
            }
            Request::Challenge(request) => {
                let details = ChallengeDetails::new(request.challenge(), request.token());
                self.shared.log.event(LogLevel::Info, || {
                    format!(
                        "read: {:?} challenge for token {}",
                        details.kind, details.token.id
                    )
                });
                ScannedRequest::Challenge {
                    challenge: Arc::new(PendingChallenge {
                        shared,
                        request,
                        details,
                        answered: Mutex::new(false),
                    }),
                }
            }
            Request::Import(request) if request.tokens.is_empty() => {
                let mut reason = "the code holds no token that can be imported".to_owned();
                if !request.skipped.is_empty() {
                    reason = format!("{reason}: {}", request.skipped.join("; "));
                }
                return Err(TesseraError::bad_input(reason));
            }
            Request::Import(request) => {
                let previews = request.tokens.iter().map(ImportPreview::from).collect();
                self.shared.log.event(LogLevel::Info, || {
                    format!("read: import of {} token(s)", request.tokens.len())
                });
                ScannedRequest::Import {
                    pending_import: Arc::new(PendingImport {
                        shared,
                        payload,
                        previews,
                        skipped: request.skipped,
                        done: Mutex::new(false),
                    }),
                }
            }
        })
    }
}

/// What a scanned code asks for.
#[derive(uniffi::Enum)]
pub enum ScannedRequest {
    /// "Add this phone": ask for the activation code.
    Activation {
        /// The offer.
        activation: Arc<PendingActivation>,
    },
    /// A login or a transaction to approve: show its details.
    Challenge {
        /// The challenge.
        challenge: Arc<PendingChallenge>,
    },
    /// Plain OTP tokens (`otpauth://`, Google Authenticator export) to import.
    Import {
        /// The tokens.
        pending_import: Arc<PendingImport>,
    },
}

impl std::fmt::Debug for ScannedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Activation { .. } => "ScannedRequest::Activation",
            Self::Challenge { .. } => "ScannedRequest::Challenge",
            Self::Import { .. } => "ScannedRequest::Import",
        })
    }
}

enum ActivationState {
    Sealed,
    Unsealed(Box<ActivationPreview>),
    Done,
}

/// An activation offer ("transfer your token"). Unseal it with the
/// activation code the user received by another channel, show the details,
/// then complete it with the passcode; the result holds the confirmation
/// code to type into the portal. Completes once.
#[derive(uniffi::Object)]
pub struct PendingActivation {
    shared: Arc<Shared>,
    request: ActivationRequest,
    state: Mutex<ActivationState>,
}

impl std::fmt::Debug for PendingActivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingActivation { .. }")
    }
}

#[uniffi::export]
impl PendingActivation {
    /// Opens the offer with the activation code as typed (case, spaces and
    /// dashes do not matter). Runs a KDF: call off the UI thread. A wrong
    /// code throws `WrongActivationCode` and may be retried.
    pub fn unseal(&self, activation_code: String) -> Result<ActivationDetails, TesseraError> {
        let code = Zeroizing::new(activation_code);
        self.shared.begin()?;
        let result = self.unseal_code(&code);
        self.shared.outcome("unseal activation", result)
    }

    /// Stores the new token behind `passcode` and returns the confirmation
    /// code. On a device without tokens the passcode is chosen now (it must
    /// meet the policy: `WeakPasscode` otherwise); on an activated device it
    /// is the current passcode (`WrongPasscode` counts an attempt). After an
    /// error the call can be repeated with another passcode.
    pub fn complete(&self, passcode: Vec<u8>) -> Result<ActivatedToken, TesseraError> {
        let passcode = shared::passcode(passcode);
        self.shared.begin()?;
        let result = passcode.and_then(|p| self.complete_with(&p));
        self.shared.outcome("complete activation", result)
    }
}

impl PendingActivation {
    fn unseal_code(&self, code: &str) -> Result<ActivationDetails, TesseraError> {
        if code.chars().count() > MAX_ACTIVATION_CODE_CHARS {
            return Err(TesseraError::bad_input(
                "the activation code has 16 letters and digits",
            ));
        }
        let mut state = lock(&self.state);
        if matches!(*state, ActivationState::Done) {
            return Err(TesseraError::AlreadyAnswered);
        }
        let preview = self.shared.core.unseal_activation(&self.request, code)?;
        let details = ActivationDetails {
            origin: preview.origin().to_owned(),
            user_id: preview.user_id().to_owned(),
            expires_at: preview.expires_at(),
        };
        *state = ActivationState::Unsealed(Box::new(preview));
        Ok(details)
    }

    fn complete_with(&self, passcode: &Passcode) -> Result<ActivatedToken, TesseraError> {
        let mut state = lock(&self.state);
        let activated = match &*state {
            ActivationState::Sealed => {
                return Err(TesseraError::bad_input(
                    "unseal the activation with its code first",
                ));
            }
            ActivationState::Done => return Err(TesseraError::AlreadyAnswered),
            ActivationState::Unsealed(preview) => {
                self.shared.core.complete_activation(preview, passcode)?
            }
        };
        *state = ActivationState::Done;
        Ok(ActivatedToken {
            token: (&activated.token).into(),
            confirmation_code: activated.confirmation.as_str().to_owned(),
        })
    }
}

/// A login or transaction challenge, opened without the passcode so its
/// details can be shown first. Approve it with the passcode or biometrics to
/// get the OTP; it can be approved once.
#[derive(uniffi::Object)]
pub struct PendingChallenge {
    shared: Arc<Shared>,
    request: ChallengeRequest,
    details: ChallengeDetails,
    answered: Mutex<bool>,
}

impl std::fmt::Debug for PendingChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingChallenge")
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl PendingChallenge {
    /// What is being approved: portal, user, and for a transaction the
    /// amount, currency, payee and IBAN. Display all of it.
    pub fn details(&self) -> Result<ChallengeDetails, TesseraError> {
        Ok(self.details.clone())
    }

    /// Approves with the passcode (the attempt is counted first) and returns
    /// the OTP to display. A second approval throws `AlreadyAnswered`.
    pub fn approve_with_passcode(&self, passcode: Vec<u8>) -> Result<String, TesseraError> {
        let passcode = shared::passcode(passcode);
        self.shared.begin()?;
        let result = passcode
            .and_then(|p| self.approve(|core, request| core.approve_with_passcode(request, &p)));
        self.shared.outcome("approve with passcode", result)
    }

    /// Approves with biometrics through `gate` and returns the OTP.
    pub fn approve_with_biometrics(
        &self,
        gate: Arc<dyn BiometricGate>,
    ) -> Result<String, TesseraError> {
        self.shared.begin()?;
        let gate = BiometricAdapter(gate);
        let result = self.approve(|core, request| core.approve_with_biometrics(request, &gate));
        self.shared.outcome("approve with biometrics", result)
    }
}

impl PendingChallenge {
    fn approve(
        &self,
        f: impl FnOnce(
            &CoreAuthenticator,
            &ChallengeRequest,
        )
            -> Result<tessera_core::secret::OtpCode, tessera_core::authenticator::AuthError>,
    ) -> Result<String, TesseraError> {
        let mut answered = lock(&self.answered);
        if *answered {
            return Err(TesseraError::AlreadyAnswered);
        }
        let code = f(&self.shared.core, &self.request)?;
        *answered = true;
        Ok(code.as_str().to_owned())
    }
}

/// Plain OTP tokens to import (`otpauth://` or a one-part Google
/// Authenticator export). Show what will be added, then import with the
/// passcode (chosen now if the device has no vault yet). Imports once.
#[derive(uniffi::Object)]
pub struct PendingImport {
    shared: Arc<Shared>,
    /// The scanned payload, kept (zeroized on drop) so a wrong passcode can
    /// be retried; the keys are parsed from it again then.
    payload: Zeroizing<Vec<u8>>,
    previews: Vec<ImportPreview>,
    skipped: Vec<String>,
    done: Mutex<bool>,
}

impl std::fmt::Debug for PendingImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingImport")
            .field("previews", &self.previews)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl PendingImport {
    /// The tokens that will be added (no keys).
    pub fn tokens(&self) -> Result<Vec<ImportPreview>, TesseraError> {
        Ok(self.previews.clone())
    }

    /// Entries of an export that cannot be used, with the reason.
    pub fn skipped(&self) -> Result<Vec<String>, TesseraError> {
        Ok(self.skipped.clone())
    }

    /// Adds the tokens behind `passcode` and returns them as listed.
    pub fn import_tokens(&self, passcode: Vec<u8>) -> Result<Vec<TokenInfo>, TesseraError> {
        let passcode = shared::passcode(passcode);
        self.shared.begin()?;
        let result = passcode.and_then(|p| self.import_with(&p));
        self.shared.outcome("import", result)
    }
}

impl PendingImport {
    fn import_with(&self, passcode: &Passcode) -> Result<Vec<TokenInfo>, TesseraError> {
        let mut done = lock(&self.done);
        if *done {
            return Err(TesseraError::AlreadyAnswered);
        }
        let Request::Import(request) = self.shared.core.read(&self.payload)? else {
            return Err(TesseraError::bad_input(
                "the payload is no longer an import",
            ));
        };
        let tokens = self.shared.core.import(request, passcode)?;
        *done = true;
        Ok(tokens.iter().map(Into::into).collect())
    }
}

/// Deletes the vault and the device key: every token on this device is gone
/// for good. The way out of `Wiped` and `VaultUnusable`; then activate again.
/// Open a new `Authenticator` afterwards.
#[uniffi::export]
pub fn erase_vault(
    storage: Arc<dyn SecureStorage>,
    keystore: Arc<dyn DeviceKeystore>,
) -> Result<(), TesseraError> {
    use tessera_core::platform::{DeviceKeystore as _, SecureStorage as _};
    StorageAdapter(storage)
        .delete(core_vault::BLOB_NAME)
        .map_err(|e| TesseraError::StorageFailure {
            reason: e.to_string(),
        })?;
    KeystoreAdapter(keystore)
        .delete_key()
        .map_err(|e| TesseraError::StorageFailure {
            reason: e.to_string(),
        })
}

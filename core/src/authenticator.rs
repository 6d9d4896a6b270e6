//! The facade the bindings and the CLI use: read what the camera (or the
//! platform's scanner) saw, show what will be approved, unlock, respond,
//! activate, and reach the vault for everything else.
//!
//! A typical login, as the app drives it:
//!
//! 1. [`Authenticator::scan`] a camera frame (off the UI thread) and
//!    [`Authenticator::read`] the payload: a [`Request::Challenge`].
//! 2. Show [`ChallengeRequest::challenge`]: portal, user, and for a
//!    transaction the amount, payee and IBAN. Nothing is unlocked yet: the
//!    challenge was opened with the token's challenge key.
//! 3. [`Authenticator::approve_with_passcode`] (or with biometrics): the
//!    vault counts the attempt, unlocks, records the challenge as answered,
//!    and returns the OTP to display.

use std::sync::Mutex;

use crate::sync::lock;

use thiserror::Error;
use zeroize::Zeroizing;

use crate::mosaic::{
    ActivationCode, ActivationOffer, Challenge, ConfirmationCode, DeviceSecret, Envelope,
    MosaicError, MosaicKind, activate,
};
use crate::otp::OtpKey;
use crate::platform::{BiometricGate, Platform};
use crate::scan::{Deadline, Detection, Frame, ScanConfig, ScanError, Scanner};
use crate::secret::OtpCode;
use crate::uri::{MigrationImport, OtpToken, UriError, parse_key_uri};
use crate::vault::{
    MosaicBinding, NewToken, Passcode, TokenInfo, TokenKind, UnlockedVault, Vault, VaultConfig,
    VaultError, VaultStatus,
};

/// Limits and choices of an [`Authenticator`].
#[derive(Debug, Clone)]
pub struct AuthenticatorConfig {
    /// The vault's KDF and history settings.
    pub vault: VaultConfig,
    /// Largest disagreement between this device's clock and a portal's
    /// before challenges are refused with `ClockSkew`, in seconds.
    pub max_clock_skew_secs: u64,
    /// The scanner's limits.
    pub scan: ScanConfig,
    /// Wall-clock budget of one [`Authenticator::scan`], in milliseconds,
    /// measured with the platform clock's monotonic time (check C29
    /// in docs/threat-model.md: the app should set about 500). `None`: only the scanner's work
    /// caps apply.
    pub scan_budget_ms: Option<u64>,
}

impl Default for AuthenticatorConfig {
    fn default() -> Self {
        Self {
            vault: VaultConfig::default(),
            max_clock_skew_secs: 120,
            scan: ScanConfig::default(),
            scan_budget_ms: None,
        }
    }
}

/// The scan's deadline: a point on the platform's monotonic clock.
struct ClockDeadline<'a> {
    clock: &'a dyn crate::platform::Clock,
    until_nanos: u64,
}

impl Deadline for ClockDeadline<'_> {
    fn expired(&self) -> bool {
        self.clock.monotonic_nanos() >= self.until_nanos
    }
}

/// Why the authenticator refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// From the vault: wrong passcode, locked, wiped, storage, biometrics, …
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// From the mosaic protocol: not for this device, tampered, expired, …
    #[error(transparent)]
    Mosaic(#[from] MosaicError),
    /// From the scanner: an invalid frame or payload.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// From Key URI or export parsing.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// The QR code is neither a Tessera mosaic nor a token to import.
    #[error("this QR code is not a Tessera mosaic or an authenticator token")]
    Unrecognised,
    /// There is no vault yet (activate a mobile or import a token first).
    #[error("this device has no tokens yet; activate it first")]
    NoVault,
    /// The offer's token is already on this device.
    #[error("this mobile is already activated for this account")]
    AlreadyActivated,
    /// A Google Authenticator export split over several QR codes: scan them all.
    #[error("this export has {0} QR codes; import them together")]
    ExportInParts(u32),
}

/// The code of a frame that [`Authenticator::scan_and_read`] chose: what it
/// asks for, and its payload (zeroized on drop), for a caller that reads it
/// again later (an import retried after a wrong passcode).
#[derive(Debug)]
pub struct Scanned {
    /// What the code asks for.
    pub request: Request,
    /// The code's bytes.
    pub payload: Zeroizing<Vec<u8>>,
}

/// What a scanned payload asks for.
#[derive(Debug)]
pub enum Request {
    /// Activate this device as a token ("transfer your token"); needs the
    /// activation code from the other channel.
    Activation(ActivationRequest),
    /// Approve a login or a transaction.
    Challenge(ChallengeRequest),
    /// Import plain OTP tokens (`otpauth://` or a one-part Google
    /// Authenticator export).
    Import(ImportRequest),
}

/// A sealed activation offer, waiting for its activation code.
#[derive(Debug)]
pub struct ActivationRequest {
    envelope: Envelope,
}

/// An opened activation offer: what the app shows before the user sets or
/// enters the passcode.
#[derive(Debug)]
pub struct ActivationPreview {
    offer: ActivationOffer,
}

impl ActivationPreview {
    /// The portal, e.g. `https://portal.example.lu`.
    pub fn origin(&self) -> &str {
        &self.offer.origin
    }

    /// The portal user the token will belong to.
    pub fn user_id(&self) -> &str {
        &self.offer.user_id
    }

    /// When the offer expires (Unix seconds).
    pub fn expires_at(&self) -> u64 {
        self.offer.expires_at
    }
}

/// A completed activation.
#[derive(Debug)]
pub struct Activated {
    /// The new token, as the vault lists it.
    pub token: TokenInfo,
    /// The confirmation code the user types into the portal (24
    /// characters, `ABCD-EFGH-JKMN-PQRS-TVWX-YZ01`). It carries the secret
    /// this device drew for its keys: show it once, never log it.
    pub confirmation: ConfirmationCode,
}

/// An opened challenge: what will be approved, and with which token.
#[derive(Debug, Clone)]
pub struct ChallengeRequest {
    token: TokenInfo,
    challenge: Challenge,
}

impl ChallengeRequest {
    /// What the app displays: portal, user, and the transaction if any.
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// The token that will answer.
    pub fn token(&self) -> &TokenInfo {
        &self.token
    }

    /// Login or transaction.
    pub fn kind(&self) -> MosaicKind {
        self.challenge.kind()
    }
}

/// Tokens to import.
#[derive(Debug)]
pub struct ImportRequest {
    /// The tokens.
    pub tokens: Vec<OtpToken>,
    /// Entries of an export that cannot be used, with the reason.
    pub skipped: Vec<String>,
}

/// The authenticator: a vault (created at the first activation), a scanner
/// and the platform. Safe to share between threads; every method may block
/// (the KDF, storage), so call them from a background thread.
pub struct Authenticator {
    platform: Platform,
    config: AuthenticatorConfig,
    scanner: Scanner,
    vault: Mutex<Option<Vault>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("has_vault", &self.vault().is_some())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Opens the authenticator over `platform`, with its vault if there is one.
    pub fn new(platform: Platform, config: AuthenticatorConfig) -> Result<Self, AuthError> {
        let vault = match Vault::open(platform.clone(), config.vault.clone()) {
            Ok(v) => Some(v),
            Err(VaultError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let scanner = Scanner::new(config.scan.clone());
        Ok(Self {
            platform,
            config,
            scanner,
            vault: Mutex::new(vault),
        })
    }

    fn vault(&self) -> Option<Vault> {
        lock(&self.vault).clone()
    }

    fn require_vault(&self) -> Result<Vault, AuthError> {
        self.vault().ok_or(AuthError::NoVault)
    }

    fn now(&self) -> u64 {
        self.platform.clock.now_unix()
    }

    /// Whether a vault exists (so the app asks for the passcode rather than
    /// having one chosen).
    pub fn has_vault(&self) -> bool {
        self.vault()
            .is_some_and(|v| !matches!(v.status(), VaultStatus::Wiped { .. }))
    }

    /// Attempts left, delay, biometrics, or wiped; `None` without a vault.
    pub fn status(&self) -> Option<VaultStatus> {
        self.vault().map(|v| v.status())
    }

    /// The tokens, without keys (empty without a vault).
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, AuthError> {
        match self.vault() {
            Some(v) => Ok(v.tokens()?),
            None => Ok(Vec::new()),
        }
    }

    /// Every code in a camera frame (usually none or one), within
    /// [`AuthenticatorConfig::scan_budget_ms`] when one is set.
    pub fn scan(&self, frame: &Frame<'_>) -> Vec<Detection> {
        self.scan_with(frame, false)
    }

    /// The scan with the scanner's `first` mode or not.
    fn scan_with(&self, frame: &Frame<'_>, first: bool) -> Vec<Detection> {
        match self.config.scan_budget_ms {
            Some(ms) => {
                let clock = self.platform.clock.as_ref();
                let deadline = ClockDeadline {
                    clock,
                    until_nanos: clock
                        .monotonic_nanos()
                        .saturating_add(ms.saturating_mul(1_000_000)),
                };
                if first {
                    self.scanner.scan_first_until(frame, &deadline)
                } else {
                    self.scanner.scan_until(frame, &deadline)
                }
            }
            None if first => self
                .scanner
                .scan_first_until(frame, &crate::scan::NoDeadline),
            None => self.scanner.scan(frame),
        }
    }

    /// Scans `frame` and reads its codes in the scanner's order: the first
    /// code that reads wins, so a picture that holds other QR codes beside
    /// the mosaic (a page, a desk) still gives the mosaic. `Ok(None)`: no
    /// code in the frame. Codes found but none readable: the first one's
    /// error. The one policy of the apps, the CLI and the demo. The scan
    /// stops soon after the first code read (the scanner's fast path), not
    /// looking for every code of a sheet.
    pub fn scan_and_read(&self, frame: &Frame<'_>) -> Result<Option<Scanned>, AuthError> {
        let mut first_error = None;
        for detection in self.scan_with(frame, true) {
            let payload = Zeroizing::new(detection.payload);
            match self.read(&payload) {
                Ok(request) => return Ok(Some(Scanned { request, payload })),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(None), Err)
    }

    /// Classifies a payload (from [`scan`](Self::scan) or a platform
    /// scanner) and opens what can be opened without a passcode.
    pub fn read(&self, payload: &[u8]) -> Result<Request, AuthError> {
        let detection = Detection::from_platform(payload.to_vec())?;
        let payload = detection.payload.as_slice();
        let starts = |prefix: &[u8]| {
            payload
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        if starts(b"otpauth-migration://") {
            let text = std::str::from_utf8(payload).map_err(|_| AuthError::Unrecognised)?;
            let mut import = MigrationImport::new();
            import.add(text)?;
            let missing = import.missing();
            if !missing.is_empty() {
                return Err(AuthError::ExportInParts(
                    u32::try_from(missing.len() + 1).unwrap_or(u32::MAX),
                ));
            }
            let (tokens, skipped) = import.finish()?;
            let skipped = skipped
                .into_iter()
                .map(|s| format!("{}: {}", s.name, s.reason))
                .collect();
            return Ok(Request::Import(ImportRequest { tokens, skipped }));
        }
        if starts(b"otpauth://") {
            let text = std::str::from_utf8(payload).map_err(|_| AuthError::Unrecognised)?;
            let parsed = parse_key_uri(text)?;
            return Ok(Request::Import(ImportRequest {
                tokens: vec![parsed.token],
                skipped: Vec::new(),
            }));
        }
        let envelope = match Envelope::parse(payload) {
            Ok(e) => e,
            Err(MosaicError::NotAMosaic) => return Err(AuthError::Unrecognised),
            Err(e) => return Err(e.into()),
        };
        match envelope.kind() {
            MosaicKind::Activation => Ok(Request::Activation(ActivationRequest { envelope })),
            MosaicKind::Login | MosaicKind::Transaction => {
                self.open_challenge(&envelope).map(Request::Challenge)
            }
        }
    }

    fn open_challenge(&self, envelope: &Envelope) -> Result<ChallengeRequest, AuthError> {
        let vault = self.vault().ok_or(MosaicError::NotForThisDevice)?;
        let portal_id = envelope
            .token_id()
            .ok_or(MosaicError::Malformed("no token id"))?;
        let token = vault
            .find_mosaic_token(&portal_id)?
            .ok_or(MosaicError::NotForThisDevice)?;
        let key = vault.challenge_key(token.id)?;
        let challenge = Challenge::open(envelope, key.expose())?;
        if let TokenKind::Mosaic(binding) = &token.kind
            && (binding.portal_origin != challenge.origin || binding.user_id != challenge.user_id)
        {
            return Err(MosaicError::NotForThisDevice.into());
        }
        challenge.check_time(self.now(), self.config.max_clock_skew_secs)?;
        Ok(ChallengeRequest { token, challenge })
    }

    /// Opens an activation offer with the code the user typed (runs the
    /// activation KDF: call off the UI thread). A wrong code is reported as
    /// such and nothing is stored.
    pub fn unseal_activation(
        &self,
        request: &ActivationRequest,
        code: &str,
    ) -> Result<ActivationPreview, AuthError> {
        let code = ActivationCode::parse(code)?;
        let offer = ActivationOffer::open(&request.envelope, &code)?;
        offer.check_time(self.now())?;
        if let Some(vault) = self.vault()
            && vault.find_mosaic_token(&offer.token_id)?.is_some()
        {
            return Err(AuthError::AlreadyActivated);
        }
        Ok(ActivationPreview { offer })
    }

    /// Stores the activated token behind `passcode` — creating the vault
    /// with it when this is the first token (the passcode must then meet the
    /// policy), unlocking the existing vault otherwise — and returns the
    /// confirmation code for the portal. The preview is borrowed, so a wrong
    /// or refused passcode can be corrected without typing the activation
    /// code again.
    ///
    /// The token's keys are this device's own: derived from the offer's
    /// keys and a secret drawn here from the platform's random source
    /// (ADR 0005, "Device secret"). The vault stores the derived keys, never
    /// the offer's; the secret reaches the portal only in the confirmation
    /// code. Each call draws a new secret, so only the code of the call
    /// whose token was stored can confirm it.
    pub fn complete_activation(
        &self,
        preview: &ActivationPreview,
        passcode: &Passcode,
    ) -> Result<Activated, AuthError> {
        let offer = &preview.offer;
        offer.check_time(self.now())?;
        let vault = {
            let mut slot = lock(&self.vault);
            match slot.as_ref() {
                Some(v) if !matches!(v.status(), VaultStatus::Wiped { .. }) => v.clone(),
                _ => {
                    let created =
                        Vault::create(self.platform.clone(), self.config.vault.clone(), passcode)?;
                    *slot = Some(created.clone());
                    created
                }
            }
        };
        let unlocked = vault.unlock_with_passcode(passcode)?;
        let secret = DeviceSecret::generate(self.platform.random.as_ref())?;
        let activation = activate(offer, &secret)?;
        drop(secret);
        let key = OtpKey::new(activation.keys.ocra.expose().to_vec()).map_err(|_| {
            MosaicError::InvalidField {
                field: "keys",
                reason: "must be 32 bytes each",
            }
        })?;
        let issuer = offer
            .origin
            .split("://")
            .nth(1)
            .unwrap_or(&offer.origin)
            .to_owned();
        let id = unlocked.add_token(NewToken {
            issuer: Some(issuer),
            account: offer.user_id.clone(),
            kind: TokenKind::Mosaic(MosaicBinding {
                params: offer.params,
                portal_origin: offer.origin.clone(),
                user_id: offer.user_id.clone(),
                portal_token_id: offer.token_id,
            }),
            key,
            challenge_key: Some(crate::secret::SecretBytes::from_slice(
                activation.keys.challenge.expose(),
            )),
        })?;
        let token = vault
            .tokens()?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(VaultError::UnknownToken(id.0))?;
        Ok(Activated {
            token,
            confirmation: activation.confirmation,
        })
    }

    /// Unlocks the vault with the passcode (the attempt is counted first).
    pub fn unlock_with_passcode(&self, passcode: &Passcode) -> Result<UnlockedVault, AuthError> {
        Ok(self.require_vault()?.unlock_with_passcode(passcode)?)
    }

    /// Unlocks the vault with biometrics through the platform.
    pub fn unlock_with_biometrics(
        &self,
        gate: &dyn BiometricGate,
    ) -> Result<UnlockedVault, AuthError> {
        Ok(self.require_vault()?.unlock_with_biometrics(gate)?)
    }

    fn approve(
        &self,
        request: &ChallengeRequest,
        unlocked: &UnlockedVault,
    ) -> Result<OtpCode, AuthError> {
        // The user may have waited at the prompt: check the time again.
        request
            .challenge
            .check_time(self.now(), self.config.max_clock_skew_secs)?;
        Ok(unlocked.respond(request.token.id, &request.challenge)?)
    }

    /// Approves a challenge with the passcode: the OTP to display. A
    /// challenge is answered once; a second approval gets `AlreadyAnswered`.
    pub fn approve_with_passcode(
        &self,
        request: &ChallengeRequest,
        passcode: &Passcode,
    ) -> Result<OtpCode, AuthError> {
        let unlocked = self.unlock_with_passcode(passcode)?;
        self.approve(request, &unlocked)
    }

    /// Approves a challenge with biometrics.
    pub fn approve_with_biometrics(
        &self,
        request: &ChallengeRequest,
        gate: &dyn BiometricGate,
    ) -> Result<OtpCode, AuthError> {
        let unlocked = self.unlock_with_biometrics(gate)?;
        self.approve(request, &unlocked)
    }

    /// Imports tokens behind the passcode (creating the vault with it when
    /// there is none yet).
    pub fn import(
        &self,
        request: ImportRequest,
        passcode: &Passcode,
    ) -> Result<Vec<TokenInfo>, AuthError> {
        let vault = {
            let mut slot = lock(&self.vault);
            match slot.as_ref() {
                Some(v) if !matches!(v.status(), VaultStatus::Wiped { .. }) => v.clone(),
                _ => {
                    let created =
                        Vault::create(self.platform.clone(), self.config.vault.clone(), passcode)?;
                    *slot = Some(created.clone());
                    created
                }
            }
        };
        let unlocked = vault.unlock_with_passcode(passcode)?;
        let ids = unlocked.add_tokens(request.tokens.into_iter().map(NewToken::from).collect())?;
        Ok(vault
            .tokens()?
            .into_iter()
            .filter(|t| ids.contains(&t.id))
            .collect())
    }
}

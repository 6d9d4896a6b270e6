//! Records and enums: plain, non-secret data copied into Kotlin and Swift
//! values. No key, passcode or activation code is ever in one; the only
//! credential that crosses in a record is an OTP to display.

use tessera_core::authenticator::AuthenticatorConfig;
use tessera_core::mosaic::{Challenge, MosaicKind, Transaction};
use tessera_core::otp::Algorithm;
use tessera_core::uri::{OtpToken, TokenKind as UriKind};
use tessera_core::vault::{
    self as core, BiometricState, KdfParams, KdfSetting, VaultConfig, VaultStatus as CoreStatus,
};

/// The HMAC hash of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HashAlgorithm {
    /// SHA-1 (most HOTP/TOTP tokens).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl From<Algorithm> for HashAlgorithm {
    fn from(a: Algorithm) -> Self {
        match a {
            Algorithm::Sha1 => Self::Sha1,
            Algorithm::Sha256 => Self::Sha256,
            Algorithm::Sha512 => Self::Sha512,
        }
    }
}

/// A token's kind and public parameters.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TokenKind {
    /// Event-based (RFC 4226): a new code on request.
    Hotp {
        /// The hash.
        algorithm: HashAlgorithm,
        /// Digits per code.
        digits: u8,
        /// The next counter value.
        counter: u64,
    },
    /// Time-based (RFC 6238): a code per period.
    Totp {
        /// The hash.
        algorithm: HashAlgorithm,
        /// Digits per code.
        digits: u8,
        /// Seconds per code.
        period_secs: u64,
    },
    /// Activated from a portal's mosaic: answers that portal's login and
    /// transaction challenges.
    Mosaic {
        /// The portal, e.g. `https://portal.example.lu`.
        portal_origin: String,
        /// The user at the portal.
        user_id: String,
        /// Digits per OTP.
        digits: u8,
    },
}

impl From<&core::TokenKind> for TokenKind {
    fn from(k: &core::TokenKind) -> Self {
        match k {
            core::TokenKind::Hotp {
                algorithm,
                digits,
                counter,
            } => Self::Hotp {
                algorithm: (*algorithm).into(),
                digits: *digits,
                counter: *counter,
            },
            core::TokenKind::Totp {
                algorithm,
                digits,
                period,
            } => Self::Totp {
                algorithm: (*algorithm).into(),
                digits: *digits,
                period_secs: *period,
            },
            core::TokenKind::Mosaic(b) => Self::Mosaic {
                portal_origin: b.portal_origin.clone(),
                user_id: b.user_id.clone(),
                digits: b.params.digits,
            },
        }
    }
}

/// A token as listed: no key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TokenInfo {
    /// Its id in this vault (never reused).
    pub id: u64,
    /// "Issuer:account", or the account alone.
    pub label: String,
    /// The service, if known.
    pub issuer: Option<String>,
    /// The account within the service.
    pub account: String,
    /// Kind and parameters.
    pub kind: TokenKind,
}

impl From<&core::TokenInfo> for TokenInfo {
    fn from(t: &core::TokenInfo) -> Self {
        Self {
            id: t.id.0,
            label: t.label(),
            issuer: t.issuer.clone(),
            account: t.account.clone(),
            kind: (&t.kind).into(),
        }
    }
}

/// A token an import would add (shown before the passcode is asked).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportPreview {
    /// "Issuer:account", or the account alone.
    pub label: String,
    /// Kind and parameters.
    pub kind: TokenKind,
}

impl From<&OtpToken> for ImportPreview {
    fn from(t: &OtpToken) -> Self {
        let kind = match t.kind {
            UriKind::Hotp { counter } => TokenKind::Hotp {
                algorithm: t.algorithm.into(),
                digits: t.digits,
                counter,
            },
            UriKind::Totp { period } => TokenKind::Totp {
                algorithm: t.algorithm.into(),
                digits: t.digits,
                period_secs: period,
            },
        };
        Self {
            label: match &t.issuer {
                Some(issuer) => format!("{issuer}:{}", t.account),
                None => t.account.clone(),
            },
            kind,
        }
    }
}

/// Whether biometric unlock can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BiometricStatus {
    /// Never enabled, or disabled.
    Disabled,
    /// Enabled.
    Enabled,
    /// The platform invalidated the key: unlock with the passcode and enable again.
    Invalidated,
}

/// What the app shows before asking for the passcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VaultStatus {
    /// Not activated: offer activation or import.
    NoVault,
    /// Ready to unlock (maybe after a delay).
    Ready {
        /// Consecutive failed attempts.
        failures: u32,
        /// Failures still allowed before the keys are erased.
        attempts_left: u32,
        /// Seconds before the next attempt is accepted (0: now).
        retry_after_secs: u64,
        /// Biometric unlock.
        biometrics: BiometricStatus,
    },
    /// The keys were erased after too many wrong passcodes.
    Wiped {
        /// Unix time of the wipe.
        wiped_at: u64,
    },
}

impl From<Option<CoreStatus>> for VaultStatus {
    fn from(s: Option<CoreStatus>) -> Self {
        match s {
            None => Self::NoVault,
            Some(CoreStatus::Wiped { at }) => Self::Wiped { wiped_at: at },
            Some(CoreStatus::Ready {
                failures,
                attempts_left,
                retry_after_secs,
                biometrics,
            }) => Self::Ready {
                failures,
                attempts_left,
                retry_after_secs,
                biometrics: match biometrics {
                    BiometricState::Disabled => BiometricStatus::Disabled,
                    BiometricState::Enabled => BiometricStatus::Enabled,
                    BiometricState::Invalidated => BiometricStatus::Invalidated,
                },
            },
        }
    }
}

/// Login or transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChallengeKind {
    /// Sign in to the portal.
    Login,
    /// Sign the transaction shown.
    Transaction,
}

/// The transaction a challenge asks to sign: exactly what the app must
/// display, and exactly what the OTP is computed over.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TransactionDetails {
    /// The amount as the portal formatted it, e.g. "120.50".
    pub amount: String,
    /// ISO 4217 code, e.g. "EUR".
    pub currency: String,
    /// The payee's name.
    pub payee: String,
    /// The payee's IBAN (electronic form, no spaces).
    pub iban: String,
    /// Reference, if any.
    pub reference: Option<String>,
    /// Free text, if any.
    pub text: Option<String>,
}

impl From<&Transaction> for TransactionDetails {
    fn from(t: &Transaction) -> Self {
        Self {
            amount: t.amount.clone(),
            currency: t.currency.clone(),
            payee: t.payee.clone(),
            iban: t.iban.clone(),
            reference: t.reference.clone(),
            text: t.text.clone(),
        }
    }
}

/// What a challenge asks the user to approve. Every field was
/// authenticated with the token's key: it is safe to display as is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChallengeDetails {
    /// Login or transaction.
    pub kind: ChallengeKind,
    /// The portal's identifier of this challenge (24 hex digits).
    pub challenge_id: String,
    /// The portal, e.g. `https://portal.example.lu`.
    pub origin: String,
    /// The portal user.
    pub user_id: String,
    /// When the portal issued it (Unix seconds, portal clock).
    pub issued_at: u64,
    /// When it expires (Unix seconds, portal clock).
    pub expires_at: u64,
    /// The transaction, for `Transaction` challenges.
    pub transaction: Option<TransactionDetails>,
    /// The token that will answer.
    pub token: TokenInfo,
    /// The fields that mix alphabets or imitate Latin letters in another
    /// script (`origin`, `user`, `payee`, `reference`, `text`): warn about
    /// each on the approval screen, where the user reads them to decide.
    pub deceptive_fields: Vec<String>,
}

impl ChallengeDetails {
    pub(crate) fn new(c: &Challenge, token: &core::TokenInfo) -> Self {
        Self {
            kind: match c.kind() {
                MosaicKind::Transaction => ChallengeKind::Transaction,
                _ => ChallengeKind::Login,
            },
            challenge_id: c.id(),
            origin: c.origin.clone(),
            user_id: c.user_id.clone(),
            issued_at: c.issued_at,
            expires_at: c.expires_at,
            transaction: c.transaction.as_ref().map(Into::into),
            token: token.into(),
            deceptive_fields: c
                .deceptive_fields()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// An unsealed activation offer: shown before the passcode is asked.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActivationDetails {
    /// The portal, e.g. `https://portal.example.lu`.
    pub origin: String,
    /// The portal user the token will belong to.
    pub user_id: String,
    /// When the offer expires (Unix seconds).
    pub expires_at: u64,
}

/// A completed activation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActivatedToken {
    /// The new token.
    pub token: TokenInfo,
    /// The confirmation code the user types into the portal: 24 letters
    /// and digits in groups of four, `ABCD-EFGH-JKMN-PQRS-TVWX-YZ01`. It
    /// carries the secret this phone drew for its keys (the portal derives
    /// the same keys from it), so show it, then drop it; do not log, store
    /// or send it anywhere else.
    pub confirmation_code: String,
}

/// A code of an HOTP or TOTP token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TokenCode {
    /// The one-time password. Show it; do not log or store it.
    pub code: String,
    /// HOTP: the counter value used. TOTP: the time step.
    pub counter: u64,
    /// TOTP: seconds until the code changes.
    pub valid_for_secs: Option<u64>,
    /// TOTP: a code for a later time was already shown, so the device's
    /// clock went back; warn the user that the code may be refused.
    pub clock_went_back: bool,
}

/// How the unlocked vault was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UnlockMethod {
    /// With the passcode (everything allowed).
    Passcode,
    /// With biometrics (codes and token removal; not passcode or biometric changes).
    Biometrics,
}

/// Choices made when the authenticator is opened.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthenticatorOptions {
    /// Target time of one passcode derivation (Argon2id, 19 MiB) in
    /// milliseconds, measured on the device when a passcode is set. 0 keeps
    /// the floor (2 passes), which is what tests use; apps use the default.
    #[uniffi(default = 500)]
    pub kdf_budget_ms: u32,
    /// Largest disagreement between the device's clock and a portal's
    /// before challenges are refused with `ClockWrong`, in seconds.
    #[uniffi(default = 120)]
    pub max_clock_skew_secs: u32,
    /// Longest time one `scan_frame` may take, in milliseconds, measured on
    /// the `Clock`'s monotonic time; a frame that is not read by then gives
    /// no code (the next frame is tried). 0: no time limit, only the
    /// scanner's work caps (a noisy 720p frame can then take a second or
    /// more on a slow phone).
    #[uniffi(default = 500)]
    pub scan_budget_ms: u32,
}

impl Default for AuthenticatorOptions {
    fn default() -> Self {
        Self {
            kdf_budget_ms: 500,
            max_clock_skew_secs: 120,
            scan_budget_ms: 500,
        }
    }
}

impl AuthenticatorOptions {
    pub(crate) fn config(&self) -> AuthenticatorConfig {
        let kdf = if self.kdf_budget_ms == 0 {
            KdfSetting::Fixed(KdfParams::FLOOR)
        } else {
            KdfSetting::Calibrate {
                budget_ms: u64::from(self.kdf_budget_ms),
                memory_kib: KdfParams::FLOOR.memory_kib,
            }
        };
        AuthenticatorConfig {
            vault: VaultConfig {
                kdf,
                ..VaultConfig::default()
            },
            max_clock_skew_secs: u64::from(self.max_clock_skew_secs),
            scan_budget_ms: (self.scan_budget_ms > 0).then_some(u64::from(self.scan_budget_ms)),
            ..AuthenticatorConfig::default()
        }
    }
}

//! The tokens' secrets at rest, and the only ways to use them: the user's
//! passcode or the user's biometrics through the platform.
//!
//! Key hierarchy (docs/adr/0004-vault-format.md):
//!
//! - a random 256-bit **vault key** seals the tokens' OTP keys (AES-256-GCM);
//! - **slots** seal the vault key: the passcode slot under
//!   Argon2id(passcode, salt), the biometric slot under a key the platform
//!   releases with user presence ([`BiometricGate`](crate::platform::BiometricGate));
//! - the **device key** ([`DeviceKeystore`](crate::platform::DeviceKeystore)) wraps the whole vault, so a
//!   copied file is useless elsewhere, and keeps a generation counter that
//!   recognises an older copy.
//!
//! What the display needs before authorisation (token list, challenge keys)
//! sits inside the device layer but outside the vault key. Every change is
//! one atomic write of one blob ([`SecureStorage`](crate::platform::SecureStorage)); the failed-attempt
//! counter is written before any passcode or biometric key is checked.
//!
//! [`Vault`] is the locked vault; [`UnlockedVault`] hands out codes, never
//! keys, and forgets the vault key when dropped.
//!
//! | File | Concern |
//! |---|---|
//! | `locked.rs` | [`Vault`]: open, create, the attempt counter, wipe, the two unlocks |
//! | `unlocked.rs` | [`UnlockedVault`]: codes, responses, tokens, passcode and biometric changes |
//! | `slots.rs` | the slots' and the secret section's cryptography |
//! | `attempts.rs`, `policy.rs`, `kdf.rs` | delays and wipe, passcode policy, Argon2id |
//! | `format.rs`, `token.rs` | the stored bytes, token descriptions |
//! | `testing.rs` | platform doubles with fault injection (tests, feature `test-util`) |

pub mod attempts;
mod error;
mod format;
mod kdf;
mod locked;
mod policy;
mod slots;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;
mod token;
mod unlocked;

pub use error::VaultError;
pub use kdf::{KdfParams, KdfSetting};
pub use locked::Vault;
pub use policy::{BLOCKLIST, MAX_CHARS, MIN_CHARS, Passcode, PolicyViolation, check_passcode};
pub use token::{
    CHALLENGE_KEY_LEN, MAX_TEXT_CHARS, MosaicBinding, NewToken, TokenId, TokenInfo, TokenKind,
};
pub use unlocked::UnlockedVault;

use crate::secret::OtpCode;

/// The name of the vault's blob in [`SecureStorage`](crate::platform::SecureStorage).
pub const BLOB_NAME: &str = "vault";
/// Most tokens a vault holds.
pub const MAX_TOKENS: usize = 1000;
/// Longest challenge nonce recorded, in bytes.
pub const MAX_NONCE_LEN: usize = 64;

/// How a vault chooses its KDF parameters and how much history it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultConfig {
    /// Parameters of new passcode slots (creation and passcode change).
    pub kdf: KdfSetting,
    /// When a successful passcode unlock finds the slot weaker than this, the
    /// slot is rewrapped with these parameters (in the same write that resets
    /// the attempt counter).
    pub upgrade_kdf_to: Option<KdfParams>,
    /// How many answered challenge nonces are remembered (oldest forgotten first).
    pub max_answered: usize,
}

impl Default for VaultConfig {
    /// Calibrated to half a second with 19 MiB: what a phone can afford on
    /// every unlock.
    fn default() -> Self {
        Self {
            kdf: KdfSetting::Calibrate {
                budget_ms: 500,
                memory_kib: KdfParams::FLOOR.memory_kib,
            },
            upgrade_kdf_to: None,
            max_answered: 256,
        }
    }
}

impl VaultConfig {
    /// The floor parameters, no calibration: for tests.
    pub fn floor() -> Self {
        Self {
            kdf: KdfSetting::Fixed(KdfParams::FLOOR),
            ..Self::default()
        }
    }
}

/// How an [`UnlockedVault`] was unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockMethod {
    /// With the passcode.
    Passcode,
    /// With biometrics.
    Biometrics,
}

/// Whether biometric unlock is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BiometricState {
    /// Never enabled, or disabled.
    Disabled,
    /// Enabled.
    Enabled,
    /// The platform invalidated the key; a passcode unlock and enabling
    /// again are needed.
    Invalidated,
}

/// What the app shows before asking for the passcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultStatus {
    /// The vault can be unlocked (maybe after a delay).
    Ready {
        /// Consecutive failed attempts.
        failures: u32,
        /// Failures still allowed before the keys are erased.
        attempts_left: u32,
        /// Seconds before the next attempt is allowed (0: now).
        retry_after_secs: u64,
        /// Biometric unlock.
        biometrics: BiometricState,
    },
    /// The keys were erased; the tokens need activating again.
    Wiped {
        /// Unix time of the wipe.
        at: u64,
    },
}

/// A code and what the app shows with it.
#[derive(Debug)]
pub struct GeneratedCode {
    /// The one-time password.
    pub code: OtpCode,
    /// HOTP: the counter value used. TOTP: the time step.
    pub counter: u64,
    /// TOTP: seconds until the code changes.
    pub valid_for_secs: Option<u64>,
    /// TOTP: a code for a later time step was already shown, so the clock
    /// went back (RFC 6238 §5.2: a step must not be presented as fresh twice).
    pub clock_went_back: bool,
}

#[cfg(test)]
mod tests;

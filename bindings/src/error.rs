//! The two errors of the boundary: [`TesseraError`], which every export
//! throws to the app, and [`PlatformError`], which the app's implementations
//! of the platform traits throw to Tessera. Neither ever carries a passcode,
//! a key, an OTP or the content of a refused message: the `reason` strings
//! are the core's error messages, which promise the same.

use tessera_core::authenticator::AuthError;
use tessera_core::mosaic::MosaicError;
use tessera_core::platform::{BiometricError, KeystoreError, StorageError};
use tessera_core::vault::VaultError;

/// Why Tessera refused. One variant per thing the app does differently;
/// `reason` is an English sentence for logs and support screens, not for
/// matching on.
///
/// Kotlin: `TesseraException.WrongPasscode` etc.; Swift: `TesseraError.WrongPasscode`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TesseraError {
    /// The passcode is wrong. Ask again; after `attempts_left` more failures
    /// the keys are erased (show the number when it is small).
    #[error("wrong passcode: {attempts_left} attempts left before the keys are erased")]
    WrongPasscode {
        /// Failures still allowed before the wipe.
        attempts_left: u32,
    },
    /// Too many recent failures: no passcode or biometric attempt is accepted
    /// before `retry_after_secs` seconds (show a countdown).
    #[error("too many wrong passcodes: try again in {retry_after_secs} seconds")]
    Locked {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The keys were erased after too many wrong passcodes. The tokens must
    /// be activated again (call `eraseVault`, then start an activation).
    #[error("the keys were erased after too many wrong passcodes")]
    Wiped,
    /// The stored vault cannot be used on this device: its device key is
    /// gone, an older copy was restored, it is damaged, or a newer app wrote
    /// it. Offer to start over (`eraseVault`) and activate again.
    #[error("the vault cannot be used on this device: {reason}")]
    VaultUnusable {
        /// What is wrong.
        reason: String,
    },
    /// This device has no tokens yet: start with an activation or an import.
    #[error("this device is not activated yet")]
    NotActivated,
    /// The mosaic is addressed to a token this device does not hold
    /// (another phone, or an account this phone was never activated for).
    #[error("this mosaic is not for this device")]
    NotForThisDevice,
    /// The mosaic or the activation offer has expired: ask the portal for a new one.
    #[error("this mosaic has expired")]
    Expired,
    /// This challenge was already answered (or this activation or import
    /// already completed): a replay, or a double tap.
    #[error("this was already answered")]
    AlreadyAnswered,
    /// The device's clock disagrees with the portal's by `offset_secs`
    /// (device minus portal): ask the user to set the time automatically.
    #[error("this device's clock is off by {offset_secs} seconds")]
    ClockWrong {
        /// Device time minus portal time, in seconds.
        offset_secs: i64,
    },
    /// The activation code does not open the activation mosaic: ask for it again.
    #[error("the activation code is wrong")]
    WrongActivationCode,
    /// The new passcode does not meet the policy (6 to 16 characters, not a
    /// common or simple one): ask for another; `reason` says why.
    #[error("the passcode is not accepted: {reason}")]
    WeakPasscode {
        /// Why, e.g. "it is a simple sequence".
        reason: String,
    },
    /// The user cancelled the biometric prompt. Nothing was counted.
    #[error("cancelled")]
    Cancelled,
    /// The biometric key was invalidated (a fingerprint or face was added):
    /// unlock with the passcode, then offer to enable biometrics again.
    #[error("biometrics changed on this device; use the passcode")]
    BiometricInvalidated,
    /// Biometrics cannot be used now (not enabled, locked out by the
    /// platform, failed, or returned a wrong key): use the passcode.
    #[error("biometrics cannot be used: {reason}")]
    BiometricUnavailable {
        /// What happened.
        reason: String,
    },
    /// Unlock with the passcode first: the unlocked vault was locked, or the
    /// operation (change passcode, enable biometrics) needs a passcode unlock.
    #[error("unlock with the passcode first")]
    UnlockRequired,
    /// The platform's storage, keystore or clock failed. Nothing was
    /// half-written; trying again later may work.
    #[error("the platform failed: {reason}")]
    StorageFailure {
        /// The operation and the platform's reason.
        reason: String,
    },
    /// The input cannot be used: not a Tessera code, a damaged or altered
    /// mosaic, an invalid frame, a malformed token, an unknown token id…
    #[error("invalid input: {reason}")]
    BadInput {
        /// What is wrong (never the input itself).
        reason: String,
    },
}

impl TesseraError {
    pub(crate) fn bad_input(reason: impl Into<String>) -> Self {
        Self::BadInput {
            reason: reason.into(),
        }
    }
}

impl From<VaultError> for TesseraError {
    fn from(e: VaultError) -> Self {
        let reason = e.to_string();
        match e {
            VaultError::NotFound => Self::NotActivated,
            VaultError::WrongPasscode { attempts_left } => Self::WrongPasscode { attempts_left },
            VaultError::Locked { retry_after_secs } => Self::Locked { retry_after_secs },
            VaultError::Wiped => Self::Wiped,
            VaultError::DeviceKeyLost
            | VaultError::RolledBack { .. }
            | VaultError::Corrupted(_)
            | VaultError::UnsupportedVersion(_)
            | VaultError::WeakKdfParameters { .. } => Self::VaultUnusable { reason },
            VaultError::Storage(_)
            | VaultError::KeystoreUnavailable(_)
            | VaultError::ChangedElsewhere
            | VaultError::Crypto(_) => Self::StorageFailure { reason },
            VaultError::BiometricCancelled => Self::Cancelled,
            VaultError::BiometricInvalidated => Self::BiometricInvalidated,
            VaultError::BiometricLockout
            | VaultError::BiometricMismatch { .. }
            | VaultError::BiometricPlatform(_)
            | VaultError::BiometricNotEnabled => Self::BiometricUnavailable { reason },
            VaultError::PasscodeRequired => Self::UnlockRequired,
            VaultError::PolicyViolation(v) => Self::WeakPasscode {
                reason: v.to_string(),
            },
            VaultError::AlreadyAnswered => Self::AlreadyAnswered,
            VaultError::AlreadyExists
            | VaultError::UnknownToken(_)
            | VaultError::WrongTokenKind { .. }
            | VaultError::InvalidToken(_)
            | VaultError::CounterExhausted
            | VaultError::TooManyTokens(_) => Self::BadInput { reason },
        }
    }
}

impl From<MosaicError> for TesseraError {
    fn from(e: MosaicError) -> Self {
        match e {
            MosaicError::NotForThisDevice => Self::NotForThisDevice,
            MosaicError::Expired => Self::Expired,
            MosaicError::AlreadyAnswered => Self::AlreadyAnswered,
            MosaicError::ClockSkew { offset_secs } => Self::ClockWrong { offset_secs },
            MosaicError::WrongActivationCode => Self::WrongActivationCode,
            MosaicError::Random => Self::StorageFailure {
                reason: e.to_string(),
            },
            MosaicError::NotAMosaic
            | MosaicError::UnsupportedVersion(_)
            | MosaicError::TooLarge { .. }
            | MosaicError::Malformed(_)
            | MosaicError::Tampered
            | MosaicError::InvalidActivationCode(_)
            | MosaicError::InvalidConfirmationCode(_)
            | MosaicError::InvalidField { .. }
            | MosaicError::WrongKind { .. }
            | MosaicError::WrongResponse => Self::bad_input(e.to_string()),
        }
    }
}

impl From<AuthError> for TesseraError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Vault(v) => v.into(),
            AuthError::Mosaic(m) => m.into(),
            AuthError::NoVault => Self::NotActivated,
            AuthError::Scan(_)
            | AuthError::Uri(_)
            | AuthError::Unrecognised
            | AuthError::AlreadyActivated
            | AuthError::ExportInParts(_) => Self::bad_input(e.to_string()),
        }
    }
}

/// What an implementation of a platform trait (`SecureStorage`,
/// `DeviceKeystore`, `BiometricGate`, `Clock`, `Logger`) throws. Any other
/// exception reaches Tessera as `Unexpected` and is treated as a failure of
/// the platform: it never crashes the app, and a passcode or biometric
/// attempt that had started still counts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PlatformError {
    /// `BiometricGate`: the user cancelled the prompt (costs no attempt).
    #[error("the user cancelled")]
    Cancelled,
    /// `BiometricGate`: the platform locked biometrics after too many tries
    /// (costs no attempt; the passcode still works).
    #[error("biometrics are locked out")]
    Lockout,
    /// `BiometricGate`: the key was permanently invalidated (Android
    /// `KeyPermanentlyInvalidatedException`, iOS `.biometryCurrentSet` after
    /// an enrolment change).
    #[error("the biometric key was invalidated")]
    KeyInvalidated,
    /// `DeviceKeystore`: the device key does not exist.
    #[error("the device key does not exist")]
    KeyMissing,
    /// `DeviceKeystore.unwrap`: the data does not decrypt under the device key.
    #[error("the data does not decrypt under the device key")]
    Rejected,
    /// Anything else: I/O, a busy keystore, an unavailable sensor. Say what
    /// failed in `reason`, never the data.
    #[error("{reason}")]
    Unavailable {
        /// What failed.
        reason: String,
    },
    /// An exception the implementation did not declare (a bug in the shell).
    #[error("unexpected error in the platform code: {reason}")]
    Unexpected {
        /// The exception as the binding reported it.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PlatformError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Unexpected { reason: e.reason }
    }
}

impl PlatformError {
    fn reason(&self) -> String {
        self.to_string()
    }

    pub(crate) fn into_storage(self, operation: &'static str) -> StorageError {
        StorageError::io(operation, self.reason())
    }

    pub(crate) fn into_keystore(self) -> KeystoreError {
        match self {
            Self::KeyMissing => KeystoreError::KeyMissing,
            Self::Rejected => KeystoreError::Rejected,
            Self::Cancelled
            | Self::Lockout
            | Self::KeyInvalidated
            | Self::Unavailable { .. }
            | Self::Unexpected { .. } => KeystoreError::Unavailable(self.reason()),
        }
    }

    pub(crate) fn into_biometric(self) -> BiometricError {
        match self {
            Self::Cancelled => BiometricError::Cancelled,
            Self::Lockout => BiometricError::Lockout,
            Self::KeyInvalidated => BiometricError::KeyInvalidated,
            Self::KeyMissing
            | Self::Rejected
            | Self::Unavailable { .. }
            | Self::Unexpected { .. } => BiometricError::Platform(self.reason()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_errors_map_to_what_the_app_does() {
        assert_eq!(
            TesseraError::from(VaultError::WrongPasscode { attempts_left: 3 }),
            TesseraError::WrongPasscode { attempts_left: 3 }
        );
        assert_eq!(
            TesseraError::from(VaultError::BiometricCancelled),
            TesseraError::Cancelled
        );
        assert!(matches!(
            TesseraError::from(VaultError::DeviceKeyLost),
            TesseraError::VaultUnusable { .. }
        ));
        assert!(matches!(
            TesseraError::from(VaultError::Storage(StorageError::io("write", "disk full"))),
            TesseraError::StorageFailure { reason } if reason.contains("disk full")
        ));
        assert_eq!(
            TesseraError::from(AuthError::Mosaic(MosaicError::ClockSkew {
                offset_secs: -400
            })),
            TesseraError::ClockWrong { offset_secs: -400 }
        );
    }

    #[test]
    fn platform_errors_map_to_core_errors() {
        assert_eq!(
            PlatformError::Cancelled.into_biometric(),
            BiometricError::Cancelled
        );
        assert!(matches!(
            PlatformError::Unexpected { reason: "boom".into() }.into_biometric(),
            BiometricError::Platform(r) if r.contains("boom")
        ));
        assert_eq!(
            PlatformError::KeyMissing.into_keystore(),
            KeystoreError::KeyMissing
        );
        assert!(matches!(
            PlatformError::Lockout.into_keystore(),
            KeystoreError::Unavailable(_)
        ));
    }
}

//! Errors of the vault. Messages say what happened and what the app can do;
//! they never contain a passcode, a key, a code or a token's secret.

use thiserror::Error;

use super::policy::PolicyViolation;
use crate::platform::{KeystoreError, StorageError};

/// Why a vault operation failed. Each variant is something the app acts on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VaultError {
    /// There is no vault yet: create one.
    #[error("there is no vault yet")]
    NotFound,
    /// A vault already exists; it is not overwritten.
    #[error("a vault already exists")]
    AlreadyExists,
    /// The passcode is wrong. After `attempts_left` more failures the keys are erased.
    #[error("wrong passcode: {attempts_left} attempts left before the keys are erased")]
    WrongPasscode {
        /// Failures still allowed before the wipe.
        attempts_left: u32,
    },
    /// Too many recent failures: no attempt is allowed before `retry_after_secs`.
    #[error("too many wrong passcodes: try again in {retry_after_secs} seconds")]
    Locked {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The keys were erased after too many wrong passcodes; the tokens must be
    /// activated again.
    #[error("the keys were erased after too many wrong passcodes; activate the tokens again")]
    Wiped,
    /// The device key is gone (deleted, or the vault was copied from another
    /// device): the vault cannot be opened and the tokens must be activated again.
    #[error("the device key is gone; the vault cannot be opened on this device")]
    DeviceKeyLost,
    /// The vault is older than the last one this device wrote (a restored
    /// backup or a copy): refused, because it would bring back attempts or codes.
    #[error(
        "the vault was replaced by an older copy (generation {found}, expected {expected} or later)"
    )]
    RolledBack {
        /// Generation of the stored vault.
        found: u64,
        /// Generation the keystore holds.
        expected: u64,
    },
    /// The stored vault cannot be read. It is left as it is.
    #[error("the vault is corrupted: {0}")]
    Corrupted(String),
    /// The vault was written by a newer version of Tessera.
    #[error("the vault has format version {0}, which this version cannot read")]
    UnsupportedVersion(u32),
    /// Storage failed; nothing was half-written.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The device keystore failed and may work later.
    #[error("the device keystore is unavailable: {0}")]
    KeystoreUnavailable(String),
    /// The user cancelled biometric authentication.
    #[error("biometric authentication was cancelled")]
    BiometricCancelled,
    /// The platform locked biometrics out; use the passcode.
    #[error("biometrics are locked out; use the passcode")]
    BiometricLockout,
    /// The biometric key was invalidated (new enrolment); the biometric slot is
    /// disabled until biometrics are enabled again after a passcode unlock.
    #[error("biometrics changed on this device; unlock with the passcode to enable them again")]
    BiometricInvalidated,
    /// The key the biometric platform returned does not open the vault.
    #[error("the biometric key does not open the vault: {attempts_left} attempts left")]
    BiometricMismatch {
        /// Failures still allowed before the wipe.
        attempts_left: u32,
    },
    /// The biometric platform failed in an unexpected way.
    #[error("the biometric platform failed: {0}")]
    BiometricPlatform(String),
    /// Biometric unlock is not enabled for this vault.
    #[error("biometric unlock is not enabled")]
    BiometricNotEnabled,
    /// The operation needs a vault unlocked with the passcode, not biometrics.
    #[error("this needs the passcode, not biometrics")]
    PasscodeRequired,
    /// The new passcode does not meet the policy.
    #[error("the passcode is not accepted: {0}")]
    PolicyViolation(PolicyViolation),
    /// Stored KDF parameters below the floor (a downgraded vault).
    #[error(
        "the passcode slot's KDF parameters (m={memory_kib} KiB, t={iterations}, p={parallelism}) are below the floor"
    )]
    WeakKdfParameters {
        /// Memory in KiB.
        memory_kib: u32,
        /// Iterations.
        iterations: u32,
        /// Lanes.
        parallelism: u32,
    },
    /// No token has this id.
    #[error("no token has id {0}")]
    UnknownToken(u64),
    /// The token cannot do this (for example an HOTP code from a mosaic token).
    #[error("token {id} is a {kind} token and cannot {operation}")]
    WrongTokenKind {
        /// The token.
        id: u64,
        /// Its kind.
        kind: &'static str,
        /// What was asked.
        operation: &'static str,
    },
    /// A token's parameters are not usable.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// This challenge was already answered: a replay.
    #[error("this challenge was already answered")]
    AlreadyAnswered,
    /// The HOTP counter would overflow.
    #[error("the token's counter is exhausted")]
    CounterExhausted,
    /// The vault holds the most tokens it accepts.
    #[error("the vault holds at most {0} tokens")]
    TooManyTokens(usize),
    /// Another instance over the same storage (an app extension, a widget)
    /// changed the vault during this operation; nothing was written and the
    /// newer vault is loaded: try again.
    #[error("the vault was changed by another instance; try again")]
    ChangedElsewhere,
    /// Randomness or a cryptographic primitive failed.
    #[error("a cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

impl From<KeystoreError> for VaultError {
    fn from(e: KeystoreError) -> Self {
        match e {
            KeystoreError::Unavailable(reason) => Self::KeystoreUnavailable(reason),
            KeystoreError::KeyMissing => Self::DeviceKeyLost,
            KeystoreError::Rejected => {
                Self::Corrupted("data does not decrypt under the device key".into())
            }
        }
    }
}

impl From<PolicyViolation> for VaultError {
    fn from(v: PolicyViolation) -> Self {
        Self::PolicyViolation(v)
    }
}

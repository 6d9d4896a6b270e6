//! The platform's contract with the core, as plain traits: storage, the
//! device's non-exportable key, biometrics, a clock and randomness. The vault
//! keeps its secrets through them, the authenticator and the scanner's
//! deadline read the clock through them. The FFI crate adapts the
//! Kotlin/Swift implementations to them; the CLI has desktop ones;
//! `vault::testing` (tests and feature `test-util`) has doubles with fault
//! injection.
//!
//! Methods take `&self` (implementations use interior mutability) and are
//! `Send + Sync`, as foreign callbacks are.

use std::sync::Arc;

use ring::rand::SecureRandom;
use thiserror::Error;

/// Named blobs with atomic replace semantics.
pub trait SecureStorage: Send + Sync {
    /// The blob called `name`, or `None` when there is none.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError>;

    /// Replaces the blob called `name` with `bytes`, atomically and durably:
    /// when this returns `Ok`, the new bytes survive a crash; when it fails or
    /// the process dies during the call, a later `read` returns either the old
    /// bytes or the new ones, never a mix (write a temporary file, sync it,
    /// rename it over the old one, sync the directory).
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StorageError>;

    /// Deletes the blob called `name`; deleting a missing blob is not an error.
    fn delete(&self, name: &str) -> Result<(), StorageError>;
}

/// The platform's non-exportable device key (Android Keystore or StrongBox,
/// iOS Secure Enclave, on the desktop the OS keyring), which wraps the whole
/// vault so that a copied file is useless elsewhere, and a monotonic
/// generation counter stored with it so that an older copy of the vault is
/// recognised (rollback).
///
/// The key needs no user presence: the passcode and biometric slots inside
/// the wrapped vault do that.
pub trait DeviceKeystore: Send + Sync {
    /// Creates the device key if there is none. Creating when one exists keeps
    /// the existing key.
    fn create_key(&self) -> Result<(), KeystoreError>;

    /// Encrypts and authenticates `plaintext` under the device key. The output
    /// format is the platform's own.
    fn wrap(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeystoreError>;

    /// Decrypts what [`wrap`](Self::wrap) produced. Returns
    /// [`KeystoreError::Rejected`] when the data does not authenticate and
    /// [`KeystoreError::KeyMissing`] when there is no key. The caller zeroizes
    /// the returned plaintext.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeystoreError>;

    /// The last generation stored with [`set_generation`](Self::set_generation)
    /// (0 when none was).
    fn generation(&self) -> Result<u64, KeystoreError>;

    /// Stores `generation` durably. The vault only ever raises it, and
    /// calls this after the blob wrapped for that generation is stored.
    ///
    /// Freshness: the generation must be out of reach of a backup restore
    /// (iOS: a ThisDeviceOnly Keychain item; the desktop: the OS keyring).
    /// A platform that can only keep it in a file (Android) binds freshness
    /// to the key instead: every [`wrap`](Self::wrap) uses a new key and
    /// this call destroys the older ones, so a restored older blob, however
    /// consistent with a restored generation file, no longer unwraps.
    fn set_generation(&self, generation: u64) -> Result<(), KeystoreError>;

    /// A MAC of `input` under a second non-exportable key of the device,
    /// created with the device key and deleted with it: an HMAC-SHA256
    /// Keystore key on Android (StrongBox where present), a key agreement
    /// with a Secure Enclave key on iOS, an HMAC under the OS keyring's key
    /// on the desktop (a stand-in: that key is not in hardware). The vault
    /// runs every passcode guess through it, so that a copy of everything
    /// exportable, even with the body unwrapped by [`unwrap`](Self::unwrap),
    /// cannot test a guess off the device. At least 32 bytes, the same for
    /// the same input while the key lives.
    fn hardware_mac(&self, input: &[u8]) -> Result<Vec<u8>, KeystoreError>;

    /// Deletes the device key for good (crypto-erase of everything it
    /// wrapped), and the generation with it (the next key starts at 0).
    /// Deleting a missing key is not an error.
    fn delete_key(&self) -> Result<(), KeystoreError>;
}

/// The platform's biometric prompt bound to a key that needs user presence
/// (Android `BiometricPrompt` with a Keystore key, iOS `LocalAuthentication`
/// with a Secure Enclave key). The core never sees a "user passed" boolean:
/// only key bytes, which it checks by opening the biometric slot.
pub trait BiometricGate: Send + Sync {
    /// Protects the biometric slot's 32-byte key under the platform's
    /// user-presence key (prompting if the platform requires it) and returns
    /// an opaque blob the vault stores and later passes to
    /// [`unlock`](Self::unlock). A previous platform key may be replaced.
    fn enroll(&self, slot_key: &[u8]) -> Result<Vec<u8>, BiometricError>;

    /// Prompts the user and recovers the slot key from `blob`.
    fn unlock(&self, blob: &[u8]) -> Result<Vec<u8>, BiometricError>;
}

/// The time, as the platform sees it. The core never reads a clock itself.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch (wall clock; for attempt delays).
    fn now_unix(&self) -> u64;

    /// Nanoseconds since an arbitrary fixed point that never goes backwards
    /// (for measuring how long the KDF takes).
    fn monotonic_nanos(&self) -> u64;
}

/// The platform capabilities a vault is opened with (shared handles, so the
/// authenticator can keep them while a vault is created or reopened).
#[derive(Clone)]
pub struct Platform {
    /// Where the vault blob lives.
    pub storage: Arc<dyn SecureStorage>,
    /// The device key and generation counter.
    pub keystore: Arc<dyn DeviceKeystore>,
    /// The clock for attempt delays and KDF calibration.
    pub clock: Arc<dyn Clock>,
    /// The random source of keys, salts and nonces: the system's CSPRNG
    /// ([`crypto::system_random`](crate::crypto::system_random)).
    pub random: Arc<dyn SecureRandom + Send + Sync>,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Platform { .. }")
    }
}

/// A failure of [`SecureStorage`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    /// Reading, writing or deleting failed; the message names the operation
    /// and the platform's reason (never the data).
    #[error("storage {operation} failed: {reason}")]
    Io {
        /// `read`, `write` or `delete`.
        operation: &'static str,
        /// The platform's reason.
        reason: String,
    },
}

impl StorageError {
    /// An I/O failure of `operation` for `reason`.
    pub fn io(operation: &'static str, reason: impl Into<String>) -> Self {
        Self::Io {
            operation,
            reason: reason.into(),
        }
    }
}

/// A failure of [`DeviceKeystore`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeystoreError {
    /// The keystore cannot be used now (locked, service not running, I/O);
    /// trying later may work.
    #[error("the device keystore is unavailable: {0}")]
    Unavailable(String),
    /// The device key does not exist: it was deleted, or this is another device.
    /// Whatever it wrapped is gone for good.
    #[error("the device key does not exist")]
    KeyMissing,
    /// The data did not decrypt under the device key (modified, truncated, or
    /// wrapped by another key).
    #[error("the data does not decrypt under the device key")]
    Rejected,
}

/// The outcome of [`BiometricGate`] when it returns no key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BiometricError {
    /// The user cancelled the prompt.
    #[error("biometric authentication was cancelled")]
    Cancelled,
    /// Too many failed biometric attempts; the platform locked biometrics.
    #[error("biometrics are locked out by the platform")]
    Lockout,
    /// The platform key was permanently invalidated (for example a new
    /// fingerprint was enrolled).
    #[error("the biometric key was invalidated")]
    KeyInvalidated,
    /// Anything else the platform reported.
    #[error("the biometric platform failed: {0}")]
    Platform(String),
}

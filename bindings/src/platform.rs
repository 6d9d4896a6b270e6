//! The platform traits the Kotlin and Swift shells implement, and the
//! adapters (`*Adapter`) that present them to the core as its own traits
//! (`tessera_core::platform::{SecureStorage, DeviceKeystore, BiometricGate,
//! Clock}`).
//!
//! Threading: Tessera calls these methods on the thread that called the
//! export (never on the UI thread if the app follows the rules in
//! `bindings/README.md`), and may call them from several threads at once.
//! A method may block (a biometric prompt does); it must not call back into
//! the same `Authenticator`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tessera_core::platform as core;

use crate::error::PlatformError;

/// Named blobs, replaced atomically. Android: files in `noBackupFilesDir`
/// written to a temporary file, synced, renamed. iOS: Keychain items with
/// `kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly`.
#[uniffi::export(foreign)]
pub trait SecureStorage: Send + Sync {
    /// The blob called `name`, or `null`/`nil` when there is none.
    fn read(&self, name: String) -> Result<Option<Vec<u8>>, PlatformError>;
    /// Replaces the blob called `name` with `bytes`: when this returns, the
    /// new bytes survive a crash; if the process dies during the call, a
    /// later `read` returns the old bytes or the new ones, never a mix.
    fn write(&self, name: String, bytes: Vec<u8>) -> Result<(), PlatformError>;
    /// Deletes the blob called `name`; a missing blob is not an error.
    fn delete(&self, name: String) -> Result<(), PlatformError>;
}

/// The device's non-exportable keys (Android Keystore/StrongBox, iOS Secure
/// Enclave): one wraps the whole vault, one computes the MAC every passcode
/// guess needs; plus a generation counter. Needs no user presence. See
/// `docs/adr/0009-hardware-bound-passcode.md`.
#[uniffi::export(foreign)]
pub trait DeviceKeystore: Send + Sync {
    /// Creates the device keys (the wrapping key and the MAC key) unless
    /// they exist (keep existing ones).
    fn create_key(&self) -> Result<(), PlatformError>;
    /// Encrypts and authenticates `plaintext` under the device key.
    fn wrap(&self, plaintext: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
    /// Decrypts what `wrap` produced. Throw `Rejected` when it does not
    /// authenticate and `KeyMissing` when there is no key.
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
    /// The last generation stored with `setGeneration` (0 if none).
    fn generation(&self) -> Result<u64, PlatformError>;
    /// Stores `generation` durably (Tessera only ever raises it), after the
    /// vault written for it is stored. Where the generation lives in a file
    /// a backup can restore (Android), bind freshness to the key instead:
    /// `wrap` uses a new key each time and this call destroys the older
    /// ones, so a restored older vault no longer unwraps.
    fn set_generation(&self, generation: u64) -> Result<(), PlatformError>;
    /// A MAC of `input` under the second non-exportable key: HMAC-SHA256 by
    /// a Keystore key (Android), a key agreement with a Secure Enclave key
    /// (iOS). At least 32 bytes, the same for the same input while the key
    /// lives; throw `KeyMissing` without the key. Every passcode guess goes
    /// through it, so a copy of the vault cannot be guessed at elsewhere.
    fn hardware_mac(&self, input: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
    /// Deletes the device keys for good, and the generation with them (the
    /// next key starts at 0); a missing key is not an error.
    fn delete_key(&self) -> Result<(), PlatformError>;
}

/// The biometric prompt bound to a key that needs user presence (Android
/// `BiometricPrompt` + a Keystore key with `BIOMETRIC_STRONG`; iOS
/// `LocalAuthentication` + a Secure Enclave key with `.biometryCurrentSet`).
/// Tessera never asks "did the user pass?": it asks for key bytes and checks
/// them itself.
///
/// Both methods are called on the background thread that called the export;
/// show the prompt on the main thread and block this one until it answers.
#[uniffi::export(foreign)]
pub trait BiometricGate: Send + Sync {
    /// Protects the 32-byte `slot_key` under the platform's user-presence
    /// key (prompting if needed) and returns an opaque blob to store.
    fn enroll(&self, slot_key: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
    /// Prompts the user and recovers the slot key from `blob`. Throw
    /// `Cancelled`, `Lockout` or `KeyInvalidated` as the platform reports.
    fn unlock(&self, blob: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
}

/// The time, as the platform sees it. Tessera never reads a clock itself.
#[uniffi::export(foreign)]
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch (`System.currentTimeMillis() / 1000`,
    /// `Date().timeIntervalSince1970`).
    fn now_unix(&self) -> Result<u64, PlatformError>;
    /// Nanoseconds from a fixed point that never goes backwards
    /// (`SystemClock.elapsedRealtimeNanos()`, `clock_gettime_nsec_np(CLOCK_UPTIME_RAW)`).
    fn monotonic_nanos(&self) -> Result<u64, PlatformError>;
}

/// How much a log line matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    /// Details for a developer.
    Debug,
    /// A step of a flow (unlocked, challenge answered).
    Info,
    /// Something refused (wrong passcode, expired mosaic).
    Warn,
    /// The platform failed.
    Error,
}

/// Where Tessera's diagnostics go (Logcat, `os_log`). Tessera never passes a
/// passcode, key, OTP, activation code or message content to it: only event
/// names, counts and the reasons of errors.
#[uniffi::export(foreign)]
pub trait Logger: Send + Sync {
    /// One event. Errors thrown here are ignored.
    fn log(&self, level: LogLevel, event: String) -> Result<(), PlatformError>;
}

/// Presents a foreign [`SecureStorage`] as the core's.
pub struct StorageAdapter(pub Arc<dyn SecureStorage>);

impl core::SecureStorage for StorageAdapter {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, core::StorageError> {
        self.0
            .read(name.to_owned())
            .map_err(|e| e.into_storage("read"))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), core::StorageError> {
        self.0
            .write(name.to_owned(), bytes.to_vec())
            .map_err(|e| e.into_storage("write"))
    }

    fn delete(&self, name: &str) -> Result<(), core::StorageError> {
        self.0
            .delete(name.to_owned())
            .map_err(|e| e.into_storage("delete"))
    }
}

/// Presents a foreign [`DeviceKeystore`] as the core's.
pub struct KeystoreAdapter(pub Arc<dyn DeviceKeystore>);

impl core::DeviceKeystore for KeystoreAdapter {
    fn create_key(&self) -> Result<(), core::KeystoreError> {
        self.0.create_key().map_err(PlatformError::into_keystore)
    }

    fn wrap(&self, plaintext: &[u8]) -> Result<Vec<u8>, core::KeystoreError> {
        // The copy handed to the foreign side is moved into its buffer; the
        // core zeroizes its own.
        self.0
            .wrap(plaintext.to_vec())
            .map_err(PlatformError::into_keystore)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, core::KeystoreError> {
        self.0
            .unwrap(wrapped.to_vec())
            .map_err(PlatformError::into_keystore)
    }

    fn generation(&self) -> Result<u64, core::KeystoreError> {
        self.0.generation().map_err(PlatformError::into_keystore)
    }

    fn set_generation(&self, generation: u64) -> Result<(), core::KeystoreError> {
        self.0
            .set_generation(generation)
            .map_err(PlatformError::into_keystore)
    }

    fn hardware_mac(&self, input: &[u8]) -> Result<Vec<u8>, core::KeystoreError> {
        // The input is Argon2id of the passcode: the copy handed over is the
        // call's argument buffer, freed by the binding (the documented limit).
        self.0
            .hardware_mac(input.to_vec())
            .map_err(PlatformError::into_keystore)
    }

    fn delete_key(&self) -> Result<(), core::KeystoreError> {
        self.0.delete_key().map_err(PlatformError::into_keystore)
    }
}

/// Presents a foreign [`BiometricGate`] as the core's. Every failure the
/// shell reports other than cancel, lockout and invalidation (including an
/// undeclared exception) is a platform failure, which costs an attempt.
pub struct BiometricAdapter(pub Arc<dyn BiometricGate>);

impl core::BiometricGate for BiometricAdapter {
    fn enroll(&self, slot_key: &[u8]) -> Result<Vec<u8>, core::BiometricError> {
        // The copy becomes the foreign call's argument buffer, which the
        // binding frees (not zeroizes): a documented limit of the boundary.
        self.0
            .enroll(slot_key.to_vec())
            .map_err(PlatformError::into_biometric)
    }

    fn unlock(&self, blob: &[u8]) -> Result<Vec<u8>, core::BiometricError> {
        self.0
            .unlock(blob.to_vec())
            .map_err(PlatformError::into_biometric)
    }
}

/// Presents a foreign [`Clock`] as the core's, whose clock cannot fail.
///
/// Every export reads the foreign clock once first ([`ClockAdapter::refresh`])
/// and fails with `StorageFailure` when it throws; within the operation a
/// failing read returns the last good value (for the wall clock) or the last
/// monotonic value, which measures no time (the KDF then stays at its floor).
pub struct ClockAdapter {
    clock: Arc<dyn Clock>,
    last_unix: AtomicU64,
    last_mono: AtomicU64,
}

impl ClockAdapter {
    /// Wraps `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            last_unix: AtomicU64::new(0),
            last_mono: AtomicU64::new(0),
        }
    }

    /// Reads the wall clock now, as an operation starts.
    pub fn refresh(&self) -> Result<u64, PlatformError> {
        let now = self.clock.now_unix()?;
        self.last_unix.store(now, Ordering::SeqCst);
        Ok(now)
    }
}

impl core::Clock for ClockAdapter {
    fn now_unix(&self) -> u64 {
        match self.clock.now_unix() {
            Ok(now) => {
                self.last_unix.store(now, Ordering::SeqCst);
                now
            }
            Err(_) => self.last_unix.load(Ordering::SeqCst),
        }
    }

    fn monotonic_nanos(&self) -> u64 {
        match self.clock.monotonic_nanos() {
            Ok(now) => {
                // Never backwards, whatever the platform says.
                self.last_mono.fetch_max(now, Ordering::SeqCst).max(now)
            }
            Err(_) => self.last_mono.load(Ordering::SeqCst),
        }
    }
}

/// The optional foreign [`Logger`], with errors ignored.
#[derive(Clone, Default)]
pub(crate) struct Log(Option<Arc<dyn Logger>>);

impl Log {
    pub(crate) fn new(logger: Option<Arc<dyn Logger>>) -> Self {
        Self(logger)
    }

    /// Logs `event`, which must contain no secret.
    pub(crate) fn event(&self, level: LogLevel, event: impl FnOnce() -> String) {
        if let Some(logger) = &self.0 {
            let _ = logger.log(level, event());
        }
    }
}

macro_rules! opaque_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { .. }"))
            }
        }
    )*};
}

opaque_debug!(
    StorageAdapter,
    KeystoreAdapter,
    BiometricAdapter,
    ClockAdapter,
    Log
);

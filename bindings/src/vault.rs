//! [`UnlockedVault`]: the unlocked state, kept in Rust. It hands out codes
//! and changes tokens, passcode and biometrics; it never hands out a key.

use std::sync::{Arc, Mutex};

use tessera_core::sync::lock;
use tessera_core::vault::{
    TokenId, UnlockMethod as CoreMethod, UnlockedVault as CoreUnlocked, VaultError,
};

use crate::error::TesseraError;
use crate::platform::{BiometricAdapter, BiometricGate};
use crate::records::{TokenCode, UnlockMethod};
use crate::shared::{Shared, passcode};

/// The vault, unlocked: codes of HOTP/TOTP tokens and token, passcode and
/// biometric management. The vault key stays in Rust memory and is erased
/// when the object is closed (Kotlin `.use {}`/`close()`, Swift when the last
/// reference goes, or `lock()`); close it as soon as the screen that needed
/// it is gone. Thread-safe; every method may block briefly on storage, and
/// `changePasscode` runs the KDF: call off the UI thread.
#[derive(uniffi::Object)]
pub struct UnlockedVault {
    shared: Arc<Shared>,
    method: CoreMethod,
    inner: Mutex<Option<CoreUnlocked>>,
}

impl std::fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedVault")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl UnlockedVault {
    pub(crate) fn new(shared: Arc<Shared>, unlocked: CoreUnlocked) -> Arc<Self> {
        Arc::new(Self {
            shared,
            method: unlocked.method(),
            inner: Mutex::new(Some(unlocked)),
        })
    }

    fn with<T>(
        &self,
        what: &str,
        f: impl FnOnce(&CoreUnlocked) -> Result<T, VaultError>,
    ) -> Result<T, TesseraError> {
        self.shared.begin()?;
        let result = {
            let inner = lock(&self.inner);
            match inner.as_ref() {
                Some(unlocked) => f(unlocked).map_err(TesseraError::from),
                None => Err(TesseraError::UnlockRequired),
            }
        };
        self.shared.outcome(what, result)
    }
}

#[uniffi::export]
impl UnlockedVault {
    /// How it was unlocked: biometric unlocks cannot change the passcode or
    /// biometrics (`UnlockRequired`).
    pub fn method(&self) -> Result<UnlockMethod, TesseraError> {
        Ok(match self.method {
            CoreMethod::Passcode => UnlockMethod::Passcode,
            CoreMethod::Biometrics => UnlockMethod::Biometrics,
        })
    }

    /// The current code of HOTP or TOTP token `token_id` (HOTP: the counter
    /// advances, durably, before the code is returned). Mosaic tokens answer
    /// challenges instead (`BadInput`).
    pub fn code(&self, token_id: u64) -> Result<TokenCode, TesseraError> {
        self.with("code", |u| u.code(TokenId(token_id), self.shared.now()))
            .map(|g| TokenCode {
                code: g.code.as_str().to_owned(),
                counter: g.counter,
                valid_for_secs: g.valid_for_secs,
                clock_went_back: g.clock_went_back,
            })
    }

    /// Removes token `token_id` and its keys from this device.
    pub fn remove_token(&self, token_id: u64) -> Result<(), TesseraError> {
        self.with("remove token", |u| u.remove_token(TokenId(token_id)))
    }

    /// Replaces the passcode (which must meet the policy: `WeakPasscode`).
    /// Needs a passcode unlock.
    pub fn change_passcode(&self, new_passcode: Vec<u8>) -> Result<(), TesseraError> {
        let new = passcode(new_passcode)?;
        self.with("change passcode", |u| u.change_passcode(&new))
    }

    /// Enables biometric unlock (again, after an invalidation): `gate`
    /// protects a new key with the platform's biometric key. Needs a
    /// passcode unlock.
    pub fn enable_biometrics(&self, gate: Arc<dyn BiometricGate>) -> Result<(), TesseraError> {
        self.with("enable biometrics", |u| {
            u.enable_biometrics(&BiometricAdapter(gate))
        })
    }

    /// Disables biometric unlock.
    pub fn disable_biometrics(&self) -> Result<(), TesseraError> {
        self.with("disable biometrics", CoreUnlocked::disable_biometrics)
    }

    /// Locks now: the vault key is erased and every later call throws
    /// `UnlockRequired`. Closing the object does the same.
    pub fn lock(&self) -> Result<(), TesseraError> {
        if let Some(unlocked) = lock(&self.inner).take() {
            unlocked.lock();
        }
        Ok(())
    }
}

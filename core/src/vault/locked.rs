//! The locked vault: one blob behind the device key, the attempt counter
//! written before every check, the wipe, and the two ways to unlock
//! (passcode slot, biometric slot). What it hands out is an
//! [`UnlockedVault`]; before that, only the token list and challenge keys.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use zeroize::Zeroizing;

use super::format::{self, Answered, Attempts, Blob, Body, Bytes, SecretsTable, StoredKind};
use super::slots::{
    crypto_error, open_biometric_slot, open_passcode_slot, passcode_slot, seal_secrets,
};
use super::*;
use crate::crypto;
use crate::mosaic::TokenId as PortalTokenId;
use crate::platform::{BiometricError, BiometricGate, KeystoreError, Platform};
use crate::secret::SecretBytes;

/// The keystore generation that records a wipe (no real vault reaches it).
const WIPED_GENERATION: u64 = u64::MAX;

pub(super) enum State {
    Active(Box<Body>),
    Wiped { at: u64 },
}

pub(super) struct Inner {
    pub(super) platform: Platform,
    pub(super) config: VaultConfig,
    pub(super) state: State,
}

/// The locked vault: token list and challenge keys, no OTP keys.
///
/// A handle: clones share one vault (the FFI holds it in an `Arc`).
#[derive(Clone)]
pub struct Vault {
    pub(super) inner: Arc<Mutex<Inner>>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok(inner) = self.inner.try_lock() else {
            return f.write_str("Vault { .. }");
        };
        match &inner.state {
            State::Active(body) => f
                .debug_struct("Vault")
                .field("tokens", &body.tokens.len())
                .field("failures", &body.attempts.failures)
                .field("generation", &body.generation)
                .finish_non_exhaustive(),
            State::Wiped { at } => f.debug_struct("Vault").field("wiped_at", at).finish(),
        }
    }
}

impl Inner {
    pub(super) fn body(&self) -> Result<&Body, VaultError> {
        match &self.state {
            State::Active(body) => Ok(body),
            State::Wiped { .. } => Err(VaultError::Wiped),
        }
    }

    pub(super) fn now(&self) -> u64 {
        self.platform.clock.now_unix()
    }

    /// Reads the stored vault again when another instance wrote a newer one
    /// (the keystore's generation moved past ours). Best effort: a failure
    /// leaves the state as it was, and `persist` refuses to write over the
    /// newer vault anyway.
    fn refresh(&mut self) {
        if let Ok(Some(state)) = self.newer_stored_state() {
            self.state = state;
        }
    }

    fn reload(&mut self) -> Result<(), VaultError> {
        if let Some(state) = self.newer_stored_state()? {
            self.state = state;
        }
        Ok(())
    }

    /// The stored state when the keystore's generation says another
    /// instance wrote a newer one (or wiped the vault); `None` when ours is
    /// current.
    fn newer_stored_state(&self) -> Result<Option<State>, VaultError> {
        let State::Active(ours) = &self.state else {
            return Ok(None);
        };
        if self.platform.keystore.generation()? <= ours.generation {
            return Ok(None);
        }
        let bytes = self
            .platform
            .storage
            .read(BLOB_NAME)?
            .ok_or(VaultError::NotFound)?;
        match format::parse_blob(&bytes)? {
            Blob::Wiped { at } => Ok(Some(State::Wiped { at })),
            Blob::Sealed(wrapped) => {
                let plain = Zeroizing::new(self.platform.keystore.unwrap(wrapped)?);
                let body = format::decode_body(&plain)?;
                if body.generation < ours.generation {
                    return Err(VaultError::RolledBack {
                        found: body.generation,
                        expected: ours.generation,
                    });
                }
                Ok(Some(State::Active(Box::new(body))))
            }
        }
    }

    /// Writes `next` as the new state: generation + 1, wrap, one atomic
    /// write, then the keystore's generation. The in-memory state changes
    /// only once the write succeeded.
    ///
    /// Compare-and-swap on the keystore's generation: when another instance
    /// over the same storage (an app extension, a widget) wrote since this
    /// state was read, nothing is written, the state is reloaded and the
    /// caller gets [`VaultError::ChangedElsewhere`]: a stale instance never
    /// rolls the attempt counter back.
    pub(super) fn persist(&mut self, mut next: Body) -> Result<(), VaultError> {
        let current = self.body()?.generation;
        if self.platform.keystore.generation()? > current {
            self.reload()?;
            return Err(VaultError::ChangedElsewhere);
        }
        next.generation = current
            .checked_add(1)
            .ok_or(VaultError::Corrupted("the generation is exhausted".into()))?;
        write_body(&self.platform, &next)?;
        let generation = next.generation;
        self.state = State::Active(Box::new(next));
        self.platform.keystore.set_generation(generation)?;
        Ok(())
    }

    /// Refuses an attempt while wiped or within a delay. A vault whose
    /// counter reached the limit (a crash during the last attempt) is wiped now.
    pub(super) fn check_can_attempt(&mut self) -> Result<(), VaultError> {
        let body = self.body()?;
        if attempts::attempts_left(&body.attempts) == 0 {
            self.wipe()?;
            return Err(VaultError::Wiped);
        }
        let now = self.now();
        if now < body.attempts.last_failure && attempts::delay_after(body.attempts.failures) > 0 {
            // The clock was set back (or reset) since the last failure: count
            // the delay from now, once, instead of until the clock catches up.
            let mut next = body.clone();
            next.attempts.last_failure = now;
            self.persist(next)?;
        }
        let body = self.body()?;
        let retry = attempts::retry_after(&body.attempts, now);
        if retry > 0 {
            return Err(VaultError::Locked {
                retry_after_secs: retry,
            });
        }
        Ok(())
    }

    /// Counts the attempt as failed, durably, before anything is checked.
    pub(super) fn start_attempt(&mut self) -> Result<(), VaultError> {
        let now = self.now();
        let mut next = self.body()?.clone();
        next.attempts = attempts::start_attempt(&next.attempts, now);
        self.persist(next)
    }

    /// Gives back an attempt whose check never ran (the platform failed
    /// before a guess could be tested): the counter as it was before.
    pub(super) fn refund_attempt(&mut self, before: Attempts) -> Result<(), VaultError> {
        let mut next = self.body()?.clone();
        next.attempts = before;
        self.persist(next)
    }

    /// After a failed check: wipe on the last allowed failure, otherwise
    /// the number of attempts left (the failure was already written).
    pub(super) fn after_failure(&mut self) -> Result<u32, VaultError> {
        let left = attempts::attempts_left(&self.body()?.attempts);
        if left == 0 {
            self.wipe()?;
            return Err(VaultError::Wiped);
        }
        Ok(left)
    }

    /// Erases the keys: the blob is replaced by the plain wipe marker, then
    /// the device key is deleted, which crypto-erases every older copy of the
    /// blob. A crash between the two leaves the marker, and opening a marker
    /// deletes the key.
    pub(super) fn wipe(&mut self) -> Result<(), VaultError> {
        let at = self.now();
        // The keystore records the wipe first: a wipe marker planted in
        // storage by someone else is then not enough to delete the key.
        self.platform.keystore.set_generation(WIPED_GENERATION)?;
        self.platform
            .storage
            .write(BLOB_NAME, &format::wiped_blob(at))?;
        self.state = State::Wiped { at };
        self.platform.keystore.delete_key()?;
        Ok(())
    }

    pub(super) fn token(&self, id: TokenId) -> Result<&format::TokenRecord, VaultError> {
        self.body()?
            .tokens
            .iter()
            .find(|t| t.id == id.0)
            .ok_or(VaultError::UnknownToken(id.0))
    }
}

pub(super) fn write_body(platform: &Platform, body: &Body) -> Result<(), VaultError> {
    let plain = format::encode_body(body)?;
    // Never store what could not be read back: a vault that fails to decode
    // on the next start would lose every token.
    format::decode_body(&plain)?;
    let wrapped = platform.keystore.wrap(&plain)?;
    let blob = format::sealed_blob(&wrapped);
    if blob.len() > format::MAX_BLOB_LEN {
        return Err(VaultError::Corrupted(
            "the vault would be larger than it may be read back".into(),
        ));
    }
    platform.storage.write(BLOB_NAME, &blob)?;
    Ok(())
}

impl Vault {
    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change replaces the state only after its write succeeded.
        let mut inner = crate::sync::lock(&self.inner);
        inner.refresh();
        inner
    }

    /// Creates a vault protected by `passcode` (which must meet the policy),
    /// with no tokens. Refuses to replace an existing vault, readable or not,
    /// except one that was wiped.
    pub fn create(
        platform: Platform,
        config: VaultConfig,
        passcode: &Passcode,
    ) -> Result<Self, VaultError> {
        passcode.check_policy()?;
        if let Some(bytes) = platform.storage.read(BLOB_NAME)? {
            match format::parse_blob(&bytes) {
                Ok(Blob::Wiped { .. }) => {}
                _ => return Err(VaultError::AlreadyExists),
            }
        }
        platform.keystore.create_key()?;
        let rng = platform.random.as_ref();
        let vault_key = crypto::generate_key(rng).map_err(crypto_error)?;
        let kdf = kdf::choose(&config.kdf, platform.clock.as_ref())?;
        let generation = platform
            .keystore
            .generation()?
            .checked_add(1)
            .ok_or(VaultError::Corrupted("the generation is exhausted".into()))?;
        let body = Body {
            v: u32::from(format::VERSION),
            generation,
            attempts: Attempts::default(),
            next_id: 1,
            tokens: Vec::new(),
            passcode_slot: passcode_slot(passcode, &vault_key, kdf, &platform)?,
            biometric_slot: None,
            biometric_invalidated: false,
            secrets: seal_secrets(&vault_key, &SecretsTable::default(), rng)?,
            answered: Vec::new(),
        };
        write_body(&platform, &body)?;
        platform.keystore.set_generation(generation)?;
        Ok(Self {
            inner: Arc::new(Mutex::new(Inner {
                platform,
                config,
                state: State::Active(Box::new(body)),
            })),
        })
    }

    /// Opens the stored vault (no passcode needed: this reads the public
    /// part). Fails with [`VaultError::NotFound`] when there is none,
    /// [`VaultError::RolledBack`] for an older copy, [`VaultError::Corrupted`]
    /// for unreadable data (which is left untouched), and
    /// [`VaultError::DeviceKeyLost`] when the device key is gone.
    pub fn open(platform: Platform, config: VaultConfig) -> Result<Self, VaultError> {
        let bytes = platform
            .storage
            .read(BLOB_NAME)?
            .ok_or(VaultError::NotFound)?;
        let state = match format::parse_blob(&bytes)? {
            Blob::Wiped { at } => {
                // A real wipe set the keystore's generation to the sentinel
                // (or already deleted the key, and the generation with it).
                // A marker the keystore knows nothing of was planted: leave
                // the key alone.
                match platform.keystore.generation()? {
                    WIPED_GENERATION | 0 => {}
                    _ => {
                        return Err(VaultError::Corrupted(
                            "the vault was replaced by a wipe marker the device did not write"
                                .into(),
                        ));
                    }
                }
                // Finish a wipe that was interrupted before the key was
                // deleted. Best effort: the marker already says "wiped", and
                // the next open tries again.
                let _ = platform.keystore.delete_key();
                State::Wiped { at }
            }
            Blob::Sealed(wrapped) if platform.keystore.generation()? == WIPED_GENERATION => {
                // A wipe interrupted after the keystore recorded it: finish
                // it (a missing key means there is nothing left to erase).
                if let Err(KeystoreError::KeyMissing) =
                    platform.keystore.unwrap(wrapped).map(Zeroizing::new)
                {
                    return Err(VaultError::DeviceKeyLost);
                }
                let at = platform.clock.now_unix();
                platform.storage.write(BLOB_NAME, &format::wiped_blob(at))?;
                let _ = platform.keystore.delete_key();
                State::Wiped { at }
            }
            Blob::Sealed(wrapped) => {
                let plain = Zeroizing::new(platform.keystore.unwrap(wrapped).map_err(|e| {
                    match e {
                        KeystoreError::Rejected => VaultError::Corrupted(
                            "the vault does not decrypt under the device key (damaged or modified)"
                                .into(),
                        ),
                        other => other.into(),
                    }
                })?);
                let body = format::decode_body(&plain)?;
                let expected = platform.keystore.generation()?;
                if body.generation < expected {
                    return Err(VaultError::RolledBack {
                        found: body.generation,
                        expected,
                    });
                }
                if body.generation > expected {
                    // A crash after the write and before the keystore update.
                    platform.keystore.set_generation(body.generation)?;
                }
                State::Active(Box::new(body))
            }
        };
        let vault = Self {
            inner: Arc::new(Mutex::new(Inner {
                platform,
                config,
                state,
            })),
        };
        {
            let mut inner = vault.lock();
            if let Ok(body) = inner.body()
                && attempts::attempts_left(&body.attempts) == 0
            {
                // The last allowed attempt was started and never finished.
                inner.wipe()?;
            }
        }
        Ok(vault)
    }

    /// Attempts, delay and biometrics, or that the vault was wiped.
    pub fn status(&self) -> VaultStatus {
        let inner = self.lock();
        match &inner.state {
            State::Wiped { at } => VaultStatus::Wiped { at: *at },
            State::Active(body) => VaultStatus::Ready {
                failures: body.attempts.failures,
                attempts_left: attempts::attempts_left(&body.attempts),
                retry_after_secs: attempts::retry_after(&body.attempts, inner.now()),
                biometrics: biometric_state(body),
            },
        }
    }

    /// The tokens, without their keys.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, VaultError> {
        self.lock()
            .body()?
            .tokens
            .iter()
            .map(|t| t.info())
            .collect()
    }

    /// The mosaic token the portal knows as `portal_token_id` (the `kid` of
    /// a challenge mosaic), if this vault holds it.
    pub fn find_mosaic_token(
        &self,
        portal_token_id: &PortalTokenId,
    ) -> Result<Option<TokenInfo>, VaultError> {
        Ok(self.tokens()?.into_iter().find(
            |t| matches!(&t.kind, TokenKind::Mosaic(b) if b.portal_token_id == *portal_token_id),
        ))
    }

    /// The key that opens `id`'s challenge mosaics, readable without the
    /// passcode so the app can show what will be approved before asking.
    pub fn challenge_key(&self, id: TokenId) -> Result<SecretBytes, VaultError> {
        let inner = self.lock();
        let token = inner.token(id)?;
        token
            .challenge_key
            .as_ref()
            .map(|k| SecretBytes::from_slice(k.0.expose()))
            .ok_or(VaultError::WrongTokenKind {
                id: id.0,
                kind: kind_name(&token.kind),
                operation: "open challenges",
            })
    }

    /// Records that the challenge with `nonce` was answered by token `id`,
    /// durably, before the OTP is shown. A nonce already recorded (among the
    /// last [`VaultConfig::max_answered`]) is refused as a replay.
    pub fn record_answered(&self, id: TokenId, nonce: &[u8]) -> Result<(), VaultError> {
        self.lock().record_answered(id, nonce)
    }

    /// Unlocks with the passcode. The attempt is counted (and synced) before
    /// the KDF runs and forgiven only on success. After
    /// [`attempts::MAX_FAILURES`] consecutive failures the keys are erased.
    pub fn unlock_with_passcode(&self, passcode: &Passcode) -> Result<UnlockedVault, VaultError> {
        let mut inner = self.lock();
        inner.check_can_attempt()?;
        let slot = inner.body()?.passcode_slot.clone();
        slot.kdf.check()?;
        let before = inner.body()?.attempts;
        inner.start_attempt()?;
        let opened = open_passcode_slot(passcode, &slot, inner.platform.keystore.as_ref());
        let vault_key = match opened {
            Ok(Some(key)) => key,
            Ok(None) => {
                let attempts_left = inner.after_failure()?;
                return Err(VaultError::WrongPasscode { attempts_left });
            }
            // The device's hardware MAC failed: no guess was tested, so the
            // attempt is given back (a platform fault must not walk the
            // vault towards the wipe).
            Err(e @ (VaultError::KeystoreUnavailable(_) | VaultError::DeviceKeyLost)) => {
                inner.refund_attempt(before)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let mut next = inner.body()?.clone();
        next.attempts = Attempts::default();
        // A stronger KDF setting, or a slot from before the hardware MAC:
        // rewrapped in the same write. An upgrade that fails must not turn
        // a correct passcode into a counted failure: the slot then stays.
        let target = inner
            .config
            .upgrade_kdf_to
            .map(|t| slot.kdf.stronger_of(&t))
            .filter(|t| t.check().is_ok() && slot.kdf.weaker_than(t));
        if (target.is_some() || !slot.hardware_bound)
            && let Ok(upgraded) = passcode_slot(
                passcode,
                &vault_key,
                target.unwrap_or(slot.kdf),
                &inner.platform,
            )
        {
            next.passcode_slot = upgraded;
        }
        inner.persist(next)?;
        drop(inner);
        Ok(UnlockedVault {
            vault: self.clone(),
            vault_key,
            method: UnlockMethod::Passcode,
        })
    }

    /// Unlocks with biometrics: the platform prompts and returns the slot
    /// key, which the core checks by opening the slot. Cancel and lockout
    /// cost no attempt; key bytes that do not open the slot (or a platform
    /// failure) count as a failed attempt, written before the check. An
    /// invalidated platform key disables the slot until biometrics are
    /// enabled again after a passcode unlock.
    pub fn unlock_with_biometrics(
        &self,
        gate: &dyn BiometricGate,
    ) -> Result<UnlockedVault, VaultError> {
        let slot = {
            let mut inner = self.lock();
            inner.check_can_attempt()?;
            let body = inner.body()?;
            if body.biometric_invalidated {
                return Err(VaultError::BiometricInvalidated);
            }
            body.biometric_slot
                .clone()
                .ok_or(VaultError::BiometricNotEnabled)?
        };
        // The prompt may stay open for minutes: the vault is not locked
        // meanwhile, so `status`, `lock` and a callback that calls back in do
        // not wait behind it. What the prompt decided is checked against the
        // vault as it is afterwards.
        let prompted = gate.unlock(&slot.platform.0);
        let mut inner = self.lock();
        inner.check_can_attempt()?;
        if inner.body()?.biometric_slot.as_ref().map(|s| &s.platform) != Some(&slot.platform) {
            return Err(VaultError::ChangedElsewhere);
        }
        let key = match prompted {
            Ok(key) => Zeroizing::new(key),
            Err(BiometricError::Cancelled) => return Err(VaultError::BiometricCancelled),
            Err(BiometricError::Lockout) => return Err(VaultError::BiometricLockout),
            Err(BiometricError::KeyInvalidated) => {
                let mut next = inner.body()?.clone();
                next.biometric_slot = None;
                next.biometric_invalidated = true;
                // If this write fails, the platform reports the same next time.
                let _ = inner.persist(next);
                return Err(VaultError::BiometricInvalidated);
            }
            Err(BiometricError::Platform(reason)) => {
                inner.start_attempt()?;
                inner.after_failure()?;
                return Err(VaultError::BiometricPlatform(reason));
            }
        };
        inner.start_attempt()?;
        let Some(vault_key) = open_biometric_slot(&key, &slot)? else {
            let attempts_left = inner.after_failure()?;
            return Err(VaultError::BiometricMismatch { attempts_left });
        };
        let mut next = inner.body()?.clone();
        next.attempts = Attempts::default();
        inner.persist(next)?;
        drop(inner);
        Ok(UnlockedVault {
            vault: self.clone(),
            vault_key,
            method: UnlockMethod::Biometrics,
        })
    }
}

pub(super) fn kind_name(kind: &StoredKind) -> &'static str {
    match kind {
        StoredKind::Hotp { .. } => "hotp",
        StoredKind::Totp { .. } => "totp",
        StoredKind::Mosaic { .. } => "mosaic",
    }
}

pub(super) fn biometric_state(body: &Body) -> BiometricState {
    if body.biometric_invalidated {
        BiometricState::Invalidated
    } else if body.biometric_slot.is_some() {
        BiometricState::Enabled
    } else {
        BiometricState::Disabled
    }
}

impl Inner {
    pub(super) fn record_answered(&mut self, id: TokenId, nonce: &[u8]) -> Result<(), VaultError> {
        self.token(id)?;
        if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN {
            return Err(VaultError::InvalidToken(format!(
                "a challenge nonce has 1 to {MAX_NONCE_LEN} bytes"
            )));
        }
        let entry = Answered {
            token: id.0,
            nonce: Bytes(nonce.to_vec()),
        };
        let body = self.body()?;
        if body.answered.contains(&entry) {
            return Err(VaultError::AlreadyAnswered);
        }
        let mut next = body.clone();
        next.answered.push(entry);
        let excess = next
            .answered
            .len()
            .saturating_sub(self.config.max_answered.max(1));
        next.answered.drain(..excess);
        self.persist(next)
    }
}

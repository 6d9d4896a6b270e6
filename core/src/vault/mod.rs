//! The tokens' secrets at rest, and the only ways to use them: the user's
//! passcode or the user's biometrics through the platform.
//!
//! Key hierarchy (docs/adr/0004-vault-format.md):
//!
//! - a random 256-bit **vault key** seals the tokens' OTP keys (AES-256-GCM);
//! - **slots** seal the vault key: the passcode slot under
//!   Argon2id(passcode, salt), the biometric slot under a key the platform
//!   releases with user presence ([`BiometricGate`]);
//! - the **device key** ([`DeviceKeystore`]) wraps the whole vault, so a
//!   copied file is useless elsewhere, and keeps a generation counter that
//!   recognises an older copy.
//!
//! What the display needs before authorisation (token list, challenge keys)
//! sits inside the device layer but outside the vault key. Every change is
//! one atomic write of one blob ([`SecureStorage`]); the failed-attempt
//! counter is written before any passcode or biometric key is checked.
//!
//! [`Vault`] is the locked vault; [`UnlockedVault`] hands out codes, never
//! keys, and forgets the vault key when dropped.

pub mod attempts;
mod error;
mod format;
mod kdf;
mod policy;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;
mod token;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use zeroize::Zeroizing;

pub use error::VaultError;
pub use kdf::{KdfParams, KdfSetting};
pub use policy::{BLOCKLIST, MAX_CHARS, MIN_CHARS, Passcode, PolicyViolation, check_passcode};
pub use token::{
    CHALLENGE_KEY_LEN, MAX_TEXT_CHARS, MosaicBinding, NewToken, TokenId, TokenInfo, TokenKind,
};

use format::{
    Answered, Attempts, BiometricSlot, Blob, Body, Bytes, PasscodeSlot, SecretsTable, StoredKind,
};

use crate::crypto::{self, AeadError, SecureRandom};
use crate::mosaic::{Challenge, TokenId as PortalTokenId};
use crate::otp::{Hotp, OtpKey, Totp};
use crate::platform::{BiometricError, BiometricGate, KeystoreError, Platform};
use crate::secret::{OtpCode, SecretBytes};

/// The name of the vault's blob in [`SecureStorage`].
pub const BLOB_NAME: &str = "vault";
/// Most tokens a vault holds.
pub const MAX_TOKENS: usize = 1000;
/// Longest challenge nonce recorded, in bytes.
pub const MAX_NONCE_LEN: usize = 64;

const SECRETS_AAD: &[u8] = b"tessera/vault/secrets/v1";
const PASSCODE_SLOT_AAD: &[u8] = b"tessera/vault/slot/passcode/v1";
const BIOMETRIC_SLOT_AAD: &[u8] = b"tessera/vault/slot/biometric/v1";
const SALT_LEN: usize = 16;
/// The keystore generation that records a wipe (no real vault reaches it).
const WIPED_GENERATION: u64 = u64::MAX;

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

enum State {
    Active(Box<Body>),
    Wiped { at: u64 },
}

struct Inner {
    platform: Platform,
    config: VaultConfig,
    state: State,
}

/// The locked vault: token list and challenge keys, no OTP keys.
///
/// A handle: clones share one vault (the FFI holds it in an `Arc`).
#[derive(Clone)]
pub struct Vault {
    inner: Arc<Mutex<Inner>>,
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

fn crypto_error(e: AeadError) -> VaultError {
    match e {
        AeadError::Setup => VaultError::Crypto("AES-GCM or the random source failed"),
        AeadError::Rejected => VaultError::Crypto("data does not authenticate"),
    }
}

fn new_salt(rng: &dyn SecureRandom) -> Result<Bytes, VaultError> {
    crypto::random_bytes::<SALT_LEN>(rng)
        .map(|s| Bytes(s.to_vec()))
        .map_err(crypto_error)
}

fn passcode_slot(
    passcode: &Passcode,
    vault_key: &SecretBytes,
    kdf: KdfParams,
    rng: &dyn SecureRandom,
) -> Result<PasscodeSlot, VaultError> {
    let salt = new_salt(rng)?;
    let kek = kdf::derive(passcode.expose(), &salt.0, &kdf)?;
    let wrapped = crypto::seal(kek.expose(), PASSCODE_SLOT_AAD, vault_key.expose(), rng)
        .map_err(crypto_error)?;
    Ok(PasscodeSlot {
        kdf,
        salt,
        wrapped: Bytes(wrapped),
    })
}

fn seal_secrets(
    vault_key: &SecretBytes,
    table: &SecretsTable,
    rng: &dyn SecureRandom,
) -> Result<Bytes, VaultError> {
    let plain = table.encode()?;
    crypto::seal(vault_key.expose(), SECRETS_AAD, &plain, rng)
        .map(Bytes)
        .map_err(crypto_error)
}

fn open_secrets(vault_key: &SecretBytes, body: &Body) -> Result<SecretsTable, VaultError> {
    let plain = crypto::open(vault_key.expose(), SECRETS_AAD, &body.secrets.0)
        .map_err(|_| VaultError::Corrupted("the secret section does not authenticate".into()))?;
    SecretsTable::decode(&plain)
}

fn vault_key_from(plain: Zeroizing<Vec<u8>>) -> Result<SecretBytes, VaultError> {
    if plain.len() != crypto::KEY_LEN {
        return Err(VaultError::Corrupted(
            "the vault key has the wrong length".into(),
        ));
    }
    Ok(SecretBytes::from_slice(&plain))
}

impl Inner {
    fn body(&self) -> Result<&Body, VaultError> {
        match &self.state {
            State::Active(body) => Ok(body),
            State::Wiped { .. } => Err(VaultError::Wiped),
        }
    }

    fn now(&self) -> u64 {
        self.platform.clock.now_unix()
    }

    /// Writes `next` as the new state: generation + 1, wrap, one atomic
    /// write, then the keystore's generation. The in-memory state changes
    /// only once the write succeeded.
    fn persist(&mut self, mut next: Body) -> Result<(), VaultError> {
        let current = self.body()?.generation;
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
    fn check_can_attempt(&mut self) -> Result<(), VaultError> {
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
    fn start_attempt(&mut self) -> Result<(), VaultError> {
        let now = self.now();
        let mut next = self.body()?.clone();
        next.attempts = attempts::start_attempt(&next.attempts, now);
        self.persist(next)
    }

    /// After a failed check: wipe on the last allowed failure, otherwise
    /// the number of attempts left (the failure was already written).
    fn after_failure(&mut self) -> Result<u32, VaultError> {
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
    fn wipe(&mut self) -> Result<(), VaultError> {
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

    fn token(&self, id: TokenId) -> Result<&format::TokenRecord, VaultError> {
        self.body()?
            .tokens
            .iter()
            .find(|t| t.id == id.0)
            .ok_or(VaultError::UnknownToken(id.0))
    }
}

fn write_body(platform: &Platform, body: &Body) -> Result<(), VaultError> {
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
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change replaces the state only after its write succeeded.
        crate::sync::lock(&self.inner)
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
            passcode_slot: passcode_slot(passcode, &vault_key, kdf, rng)?,
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
        inner.start_attempt()?;
        let kek = kdf::derive(passcode.expose(), &slot.salt.0, &slot.kdf)?;
        let Ok(plain) = crypto::open(kek.expose(), PASSCODE_SLOT_AAD, &slot.wrapped.0) else {
            let attempts_left = inner.after_failure()?;
            return Err(VaultError::WrongPasscode { attempts_left });
        };
        let vault_key = vault_key_from(plain)?;
        let mut next = inner.body()?.clone();
        next.attempts = Attempts::default();
        // An upgrade that fails (a bad setting) must not turn a correct
        // passcode into a counted failure: the slot then stays as it was.
        if let Some(target) = inner
            .config
            .upgrade_kdf_to
            .map(|t| slot.kdf.stronger_of(&t))
            && target.check().is_ok()
            && slot.kdf.weaker_than(&target)
            && let Ok(upgraded) =
                passcode_slot(passcode, &vault_key, target, inner.platform.random.as_ref())
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
        let mut inner = self.lock();
        inner.check_can_attempt()?;
        let body = inner.body()?;
        if body.biometric_invalidated {
            return Err(VaultError::BiometricInvalidated);
        }
        let slot = body
            .biometric_slot
            .clone()
            .ok_or(VaultError::BiometricNotEnabled)?;
        let key = match gate.unlock(&slot.platform.0) {
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
        let Ok(plain) = crypto::open(&key, BIOMETRIC_SLOT_AAD, &slot.wrapped.0) else {
            let attempts_left = inner.after_failure()?;
            return Err(VaultError::BiometricMismatch { attempts_left });
        };
        let vault_key = vault_key_from(plain)?;
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

fn kind_name(kind: &StoredKind) -> &'static str {
    match kind {
        StoredKind::Hotp { .. } => "hotp",
        StoredKind::Totp { .. } => "totp",
        StoredKind::Mosaic { .. } => "mosaic",
    }
}

fn biometric_state(body: &Body) -> BiometricState {
    if body.biometric_invalidated {
        BiometricState::Invalidated
    } else if body.biometric_slot.is_some() {
        BiometricState::Enabled
    } else {
        BiometricState::Disabled
    }
}

impl Inner {
    fn record_answered(&mut self, id: TokenId, nonce: &[u8]) -> Result<(), VaultError> {
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

/// An unlocked vault: it computes codes and changes tokens and slots, and
/// never hands out a key. The vault key is zeroized when this is dropped
/// ([`lock`](Self::lock) says so explicitly); OTP keys are decrypted for one
/// operation at a time.
pub struct UnlockedVault {
    vault: Vault,
    vault_key: SecretBytes,
    method: UnlockMethod,
}

impl fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedVault")
            .field("method", &self.method)
            .field("vault_key", &self.vault_key)
            .finish()
    }
}

impl UnlockedVault {
    /// How this vault was unlocked.
    pub fn method(&self) -> UnlockMethod {
        self.method
    }

    /// The locked handle (token list, challenge keys).
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Locks: the vault key is zeroized.
    pub fn lock(self) {}

    fn require_passcode(&self) -> Result<(), VaultError> {
        if self.method != UnlockMethod::Passcode {
            return Err(VaultError::PasscodeRequired);
        }
        Ok(())
    }

    fn key_of(&self, inner: &Inner, id: TokenId) -> Result<OtpKey, VaultError> {
        let table = open_secrets(&self.vault_key, inner.body()?)?;
        let key = table
            .0
            .get(&id.0)
            .ok_or_else(|| VaultError::Corrupted(format!("token {id} has no key")))?;
        OtpKey::import(key.expose().to_vec()).map_err(|e| VaultError::InvalidToken(e.to_string()))
    }

    /// The code of HOTP or TOTP token `id` at `unix_time` (ignored by HOTP).
    /// HOTP: the next counter value is written before the code is returned,
    /// so no counter value is ever shown twice. TOTP: the highest step shown
    /// is remembered and a lower one is flagged.
    pub fn code(&self, id: TokenId, unix_time: u64) -> Result<GeneratedCode, VaultError> {
        let mut inner = self.vault.lock();
        let info = inner.token(id)?.info()?;
        let last_step = inner.token(id)?.last_step;
        let key = self.key_of(&inner, id)?;
        let otp = |e: crate::otp::OtpError| VaultError::InvalidToken(e.to_string());
        match info.kind {
            TokenKind::Hotp {
                algorithm,
                digits,
                counter,
            } => {
                let hotp = Hotp::new(key, algorithm, digits.into()).map_err(otp)?;
                let next_counter = counter.checked_add(1).ok_or(VaultError::CounterExhausted)?;
                let mut next = inner.body()?.clone();
                set_token(&mut next, id, |t| {
                    if let StoredKind::Hotp { counter, .. } = &mut t.kind {
                        *counter = next_counter;
                    }
                });
                inner.persist(next)?;
                Ok(GeneratedCode {
                    code: hotp.generate(counter),
                    counter,
                    valid_for_secs: None,
                    clock_went_back: false,
                })
            }
            TokenKind::Totp {
                algorithm,
                digits,
                period,
            } => {
                let totp = Totp::new(key, algorithm, digits.into(), period, 0).map_err(otp)?;
                let step = totp.step(unix_time).map_err(otp)?;
                let clock_went_back = last_step.is_some_and(|last| step < last);
                if last_step.is_none_or(|last| step > last) {
                    let mut next = inner.body()?.clone();
                    set_token(&mut next, id, |t| t.last_step = Some(step));
                    inner.persist(next)?;
                }
                Ok(GeneratedCode {
                    code: totp.generate_step(step),
                    counter: step,
                    valid_for_secs: totp.remaining(unix_time).ok(),
                    clock_went_back,
                })
            }
            TokenKind::Mosaic(_) => Err(VaultError::WrongTokenKind {
                id: id.0,
                kind: "mosaic",
                operation: "give a code without a challenge",
            }),
        }
    }

    /// The OTP answering `challenge` with mosaic token `id`. The challenge
    /// must name this token, its portal and its user; its nonce is recorded
    /// durably before the OTP is returned, so a challenge is answered once.
    pub fn respond(&self, id: TokenId, challenge: &Challenge) -> Result<OtpCode, VaultError> {
        let mut inner = self.vault.lock();
        let TokenKind::Mosaic(binding) = inner.token(id)?.info()?.kind else {
            return Err(VaultError::WrongTokenKind {
                id: id.0,
                kind: kind_name(&inner.token(id)?.kind),
                operation: "answer challenges",
            });
        };
        if challenge.token_id != binding.portal_token_id
            || challenge.origin != binding.portal_origin
            || challenge.user_id != binding.user_id
        {
            return Err(VaultError::InvalidToken(
                "the challenge names another token, portal or user".into(),
            ));
        }
        let key = self.key_of(&inner, id)?;
        let response = crate::mosaic::respond(challenge, key.expose(), binding.params)
            .map_err(|e| VaultError::InvalidToken(e.to_string()))?;
        inner.record_answered(id, &challenge.nonce)?;
        Ok(response)
    }

    /// Adds one token; see [`add_tokens`](Self::add_tokens).
    pub fn add_token(&self, token: NewToken) -> Result<TokenId, VaultError> {
        let ids = self.add_tokens(vec![token])?;
        ids.first()
            .copied()
            .ok_or(VaultError::Crypto("no id was assigned"))
    }

    /// Adds tokens in one write: all or none.
    pub fn add_tokens(&self, tokens: Vec<NewToken>) -> Result<Vec<TokenId>, VaultError> {
        let mut inner = self.vault.lock();
        let body = inner.body()?;
        if body.tokens.len().saturating_add(tokens.len()) > MAX_TOKENS {
            return Err(VaultError::TooManyTokens(MAX_TOKENS));
        }
        let mut table = open_secrets(&self.vault_key, body)?;
        let mut next = body.clone();
        let mut ids = Vec::with_capacity(tokens.len());
        for token in &tokens {
            let id = next.next_id;
            next.tokens.push(token.to_record(id)?);
            table
                .0
                .insert(id, SecretBytes::from_slice(token.key.expose()));
            next.next_id = id
                .checked_add(1)
                .ok_or(VaultError::TooManyTokens(MAX_TOKENS))?;
            ids.push(TokenId(id));
        }
        next.secrets = seal_secrets(&self.vault_key, &table, inner.platform.random.as_ref())?;
        inner.persist(next)?;
        Ok(ids)
    }

    /// Removes token `id` and its keys.
    pub fn remove_token(&self, id: TokenId) -> Result<(), VaultError> {
        let mut inner = self.vault.lock();
        inner.token(id)?;
        let body = inner.body()?;
        let mut table = open_secrets(&self.vault_key, body)?;
        table.0.remove(&id.0);
        let mut next = body.clone();
        next.tokens.retain(|t| t.id != id.0);
        next.answered.retain(|a| a.token != id.0);
        next.secrets = seal_secrets(&self.vault_key, &table, inner.platform.random.as_ref())?;
        inner.persist(next)
    }

    /// Replaces the passcode (which must meet the policy). The tokens stay:
    /// only the passcode slot is rewrapped. Needs a passcode unlock.
    pub fn change_passcode(&self, new: &Passcode) -> Result<(), VaultError> {
        self.require_passcode()?;
        new.check_policy()?;
        let mut inner = self.vault.lock();
        let kdf = kdf::choose(&inner.config.kdf, inner.platform.clock.as_ref())?;
        let slot = passcode_slot(new, &self.vault_key, kdf, inner.platform.random.as_ref())?;
        let mut next = inner.body()?.clone();
        next.passcode_slot = slot;
        inner.persist(next)
    }

    /// Enables biometric unlock (again, after an invalidation): a new random
    /// slot key, protected by the platform. Needs a passcode unlock.
    pub fn enable_biometrics(&self, gate: &dyn BiometricGate) -> Result<(), VaultError> {
        self.require_passcode()?;
        let rng = self.vault.lock().platform.random.clone();
        let slot_key = crypto::generate_key(rng.as_ref()).map_err(crypto_error)?;
        let platform = gate.enroll(slot_key.expose()).map_err(|e| match e {
            BiometricError::Cancelled => VaultError::BiometricCancelled,
            BiometricError::Lockout => VaultError::BiometricLockout,
            BiometricError::KeyInvalidated => VaultError::BiometricInvalidated,
            BiometricError::Platform(reason) => VaultError::BiometricPlatform(reason),
        })?;
        let wrapped = crypto::seal(
            slot_key.expose(),
            BIOMETRIC_SLOT_AAD,
            self.vault_key.expose(),
            rng.as_ref(),
        )
        .map_err(crypto_error)?;
        let mut inner = self.vault.lock();
        let mut next = inner.body()?.clone();
        next.biometric_slot = Some(BiometricSlot {
            platform: Bytes(platform),
            wrapped: Bytes(wrapped),
        });
        next.biometric_invalidated = false;
        inner.persist(next)
    }

    /// Disables biometric unlock.
    pub fn disable_biometrics(&self) -> Result<(), VaultError> {
        let mut inner = self.vault.lock();
        let mut next = inner.body()?.clone();
        next.biometric_slot = None;
        next.biometric_invalidated = false;
        inner.persist(next)
    }
}

fn set_token(body: &mut Body, id: TokenId, f: impl FnOnce(&mut format::TokenRecord)) {
    if let Some(t) = body.tokens.iter_mut().find(|t| t.id == id.0) {
        f(t);
    }
}

#[cfg(test)]
mod tests;

//! What an unlocked vault does: codes and responses, tokens, the passcode
//! and the biometric slot. It never hands out a key.

use std::fmt;

use super::format::{self, Body, StoredKind};
use super::locked::{Inner, kind_name};
use super::slots::{biometric_slot, crypto_error, open_secrets, passcode_slot, seal_secrets};
use super::*;
use crate::crypto;
use crate::mosaic::Challenge;
use crate::otp::{Hotp, OtpKey, Totp};
use crate::platform::{BiometricError, BiometricGate};
use crate::secret::{OtpCode, SecretBytes};

/// An unlocked vault: it computes codes and changes tokens and slots, and
/// never hands out a key. The vault key is zeroized when this is dropped
/// ([`lock`](Self::lock) says so explicitly); OTP keys are decrypted for one
/// operation at a time.
pub struct UnlockedVault {
    pub(super) vault: Vault,
    pub(super) vault_key: SecretBytes,
    pub(super) method: UnlockMethod,
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
        let slot = passcode_slot(new, &self.vault_key, kdf, &inner.platform)?;
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
        let slot = biometric_slot(&slot_key, &self.vault_key, platform, rng.as_ref())?;
        let mut inner = self.vault.lock();
        let mut next = inner.body()?.clone();
        next.biometric_slot = Some(slot);
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

pub(super) fn set_token(body: &mut Body, id: TokenId, f: impl FnOnce(&mut format::TokenRecord)) {
    if let Some(t) = body.tokens.iter_mut().find(|t| t.id == id.0) {
        f(t);
    }
}

//! The relying party's logic: issue activation offers and challenges, and
//! decide on the OTPs that come back.

use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, ConfirmationCode, MosaicKind, OtpParams, TokenId,
    TokenKeys, Transaction, generate_nonce, verify_confirmation, verify_response,
};
use tessera_core::secret::SecretBytes;
use zeroize::Zeroizing;

use crate::PortalError;
use crate::store::{ChallengeRecord, PortalStore, TokenRecord, TokenState};

/// How the portal behaves.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// Seconds a login or transaction challenge stays valid.
    pub challenge_lifetime: u64,
    /// Seconds an activation offer stays valid.
    pub activation_lifetime: u64,
    /// Consecutive wrong OTPs after which a token is locked.
    pub max_failures: u32,
    /// OTP parameters of new tokens.
    pub params: OtpParams,
}

impl Default for PortalConfig {
    fn default() -> Self {
        Self {
            challenge_lifetime: 180,
            activation_lifetime: 24 * 3600,
            max_failures: 5,
            params: OtpParams::default(),
        }
    }
}

/// A new activation: what the portal shows (the mosaic) and sends by
/// another channel (the code).
#[derive(Debug)]
pub struct Enrollment {
    /// The new token.
    pub token_id: TokenId,
    /// The activation code for the user (by letter, SMS, or the screen of
    /// an already trusted session).
    pub code: ActivationCode,
    /// The mosaic payload.
    pub mosaic: Vec<u8>,
    /// When the offer expires.
    pub expires_at: u64,
}

/// An issued challenge.
#[derive(Debug, Clone)]
pub struct IssuedChallenge {
    /// Its identifier (hex of the nonce), to verify the OTP against later.
    pub id: String,
    /// The mosaic payload.
    pub mosaic: Vec<u8>,
    /// The token addressed.
    pub token_id: TokenId,
    /// When it expires.
    pub expires_at: u64,
}

/// What an accepted OTP proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The user.
    pub user_id: String,
    /// Login or transaction.
    pub kind: MosaicKind,
    /// The token that answered.
    pub token_id: TokenId,
    /// The transaction that was signed, if any.
    pub transaction: Option<Transaction>,
}

/// The reference portal over a store.
#[derive(Debug)]
pub struct Portal<S: PortalStore> {
    store: S,
    config: PortalConfig,
    rng: ring::rand::SystemRandom,
}

/// Parses a challenge identifier (24 hex digits).
pub fn parse_challenge_id(id: &str) -> Result<[u8; 12], PortalError> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(id.trim().as_bytes())
        .ok()
        .and_then(|b| <[u8; 12]>::try_from(b.as_slice()).ok())
        .ok_or(PortalError::UnknownChallenge)
}

/// Whether `otp` can be an OTP with `params` (exactly its number of ASCII
/// digits): anything else is a typing slip, refused without counting it
/// as a guess.
fn well_formed(otp: &str, params: OtpParams) -> Result<(), PortalError> {
    if otp.len() == usize::from(params.digits) && otp.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PortalError::MalformedOtp {
            digits: params.digits,
        })
    }
}

impl<S: PortalStore> Portal<S> {
    /// A portal over `store`.
    pub fn new(store: S, config: PortalConfig) -> Self {
        Self {
            store,
            config,
            rng: ring::rand::SystemRandom::new(),
        }
    }

    /// The store (for listing tokens in an account page).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Starts "add a mobile" for `user_id` at `origin`.
    pub fn enroll(
        &mut self,
        user_id: &str,
        origin: &str,
        now: u64,
    ) -> Result<Enrollment, PortalError> {
        let token_id = TokenId::generate(&self.rng)?;
        let keys = TokenKeys::generate(&self.rng)?;
        let code = ActivationCode::generate(&self.rng)?;
        let nonce = generate_nonce(&self.rng)?;
        let expires_at = now.saturating_add(self.config.activation_lifetime);
        let offer = ActivationOffer {
            token_id,
            user_id: user_id.to_owned(),
            origin: origin.to_owned(),
            params: self.config.params,
            issued_at: now,
            expires_at,
            nonce,
            keys,
        };
        let mosaic = offer.seal(&code, &self.rng)?;
        let record = TokenRecord {
            id: token_id,
            user_id: user_id.to_owned(),
            origin: origin.to_owned(),
            params: offer.params,
            ocra_key: Zeroizing::new(offer.keys.ocra.expose().to_vec()),
            challenge_key: Zeroizing::new(offer.keys.challenge.expose().to_vec()),
            state: TokenState::Pending,
            activation_nonce: nonce,
            activation_expires_at: expires_at,
            failures: 0,
            created_at: now,
        };
        self.store.atomically(|s| {
            s.expire_offers(now)?;
            s.insert_token(&record)
        })?;
        Ok(Enrollment {
            token_id,
            code,
            mosaic,
            expires_at,
        })
    }

    /// Completes the user's newest pending activation with the confirmation
    /// code the new device showed (the CLI's `issuer confirm`). A page that
    /// showed one offer confirms that one: [`Portal::confirm_offer`].
    pub fn confirm(&mut self, user_id: &str, code: &str, now: u64) -> Result<TokenId, PortalError> {
        let newest = self.store.atomically(|s| {
            s.expire_offers(now)?;
            Ok(s.tokens_of(user_id)?
                .into_iter()
                .find(|t| matches!(t.state, TokenState::Pending | TokenState::Expired))
                .map(|t| t.id))
        })?;
        match newest {
            Some(id) => self.confirm_offer(user_id, &id, code, now),
            None => Err(PortalError::NoPendingActivation(user_id.to_owned())),
        }
    }

    /// Completes activation `token_id` of `user_id` (the offer that was
    /// shown) with the confirmation code the new device showed. The code
    /// carries the device's secret: the token's keys become the ones derived
    /// from the offer's keys and that secret, and the offer's keys are
    /// erased, so the offer (and any other device that opened it) is
    /// worthless from then on (ADR 0005, "Device secret"). A malformed code
    /// is refused without counting; a wrong one counts towards the token's
    /// lock like a wrong OTP. Expired offers are erased first.
    pub fn confirm_offer(
        &mut self,
        user_id: &str,
        token_id: &TokenId,
        code: &str,
        now: u64,
    ) -> Result<TokenId, PortalError> {
        let max = self.config.max_failures;
        let code = ConfirmationCode::parse(code);
        // The inner result is committed either way, so a wrong code's count sticks.
        self.store.atomically(|s| {
            s.expire_offers(now)?;
            let token = match s.token(token_id)? {
                Some(t) if t.user_id == user_id => t,
                _ => return Ok(Err(PortalError::NoPendingActivation(user_id.to_owned()))),
            };
            match token.state {
                TokenState::Pending => {}
                TokenState::Expired => return Ok(Err(PortalError::ActivationExpired)),
                _ => return Ok(Err(PortalError::NoPendingActivation(user_id.to_owned()))),
            }
            if token.failures >= max {
                return Ok(Err(PortalError::TokenLocked));
            }
            if now > token.activation_expires_at {
                return Ok(Err(PortalError::ActivationExpired));
            }
            let Ok(code) = &code else {
                return Ok(Err(PortalError::MalformedConfirmation));
            };
            match verify_confirmation(&keys_of(&token), &token.activation_nonce, code) {
                Ok(keys) => {
                    s.set_keys(&token.id, &keys)?;
                    s.set_token_state(&token.id, TokenState::Active)?;
                    s.set_failures(&token.id, 0)?;
                    Ok(Ok(token.id))
                }
                Err(_) => {
                    let failures = token.failures.saturating_add(1);
                    s.set_failures(&token.id, failures)?;
                    Ok(Err(if failures >= max {
                        PortalError::TokenLocked
                    } else {
                        PortalError::WrongOtp {
                            attempts_left: max - failures,
                        }
                    }))
                }
            }
        })?
    }

    /// Erases the keys of every activation offer that expired unconfirmed
    /// (also done by each enrolment and confirmation); returns how many.
    pub fn expire_offers(&mut self, now: u64) -> Result<usize, PortalError> {
        self.store.atomically(|s| s.expire_offers(now))
    }

    /// The user's newest active token, or the active token `id` of the user.
    fn active_token(&self, user_id: &str, id: Option<TokenId>) -> Result<TokenRecord, PortalError> {
        self.store
            .tokens_of(user_id)?
            .into_iter()
            .find(|t| t.state == TokenState::Active && id.is_none_or(|id| t.id == id))
            .ok_or_else(|| PortalError::NoActiveToken(user_id.to_owned()))
    }

    /// The user's activated mobiles, newest first.
    pub fn active_tokens(&self, user_id: &str) -> Result<Vec<TokenRecord>, PortalError> {
        let mut tokens = self.store.tokens_of(user_id)?;
        tokens.retain(|t| t.state == TokenState::Active);
        Ok(tokens)
    }

    fn issue(
        &mut self,
        user_id: &str,
        token: Option<TokenId>,
        transaction: Option<Transaction>,
        now: u64,
    ) -> Result<IssuedChallenge, PortalError> {
        if let Some(t) = &transaction {
            crate::amount::check(&t.amount, &t.currency)?;
        }
        let token = self.active_token(user_id, token)?;
        if token.failures >= self.config.max_failures {
            return Err(PortalError::TokenLocked);
        }
        let challenge = Challenge {
            token_id: token.id,
            nonce: generate_nonce(&self.rng)?,
            origin: token.origin.clone(),
            user_id: user_id.to_owned(),
            issued_at: now,
            expires_at: now.saturating_add(self.config.challenge_lifetime),
            transaction,
        };
        let mosaic = challenge.seal(&token.challenge_key)?;
        let record = ChallengeRecord {
            nonce: challenge.nonce,
            token_id: token.id,
            user_id: user_id.to_owned(),
            kind: challenge.kind(),
            origin: challenge.origin.clone(),
            issued_at: now,
            expires_at: challenge.expires_at,
            transaction: challenge.transaction.clone(),
            answered: false,
        };
        // A nonce that was ever used (astronomically unlikely) is refused by
        // the primary key rather than reused under the same key.
        self.store.atomically(|s| s.insert_challenge(&record))?;
        Ok(IssuedChallenge {
            id: challenge.id(),
            mosaic,
            token_id: token.id,
            expires_at: challenge.expires_at,
        })
    }

    /// A login challenge for the user's (newest) mobile.
    pub fn login(&mut self, user_id: &str, now: u64) -> Result<IssuedChallenge, PortalError> {
        self.issue(user_id, None, None, now)
    }

    /// A login challenge for the mobile the user chose among theirs.
    pub fn login_with(
        &mut self,
        user_id: &str,
        token: TokenId,
        now: u64,
    ) -> Result<IssuedChallenge, PortalError> {
        self.issue(user_id, Some(token), None, now)
    }

    /// A transaction for the user's (newest) mobile to sign.
    pub fn sign(
        &mut self,
        user_id: &str,
        transaction: Transaction,
        now: u64,
    ) -> Result<IssuedChallenge, PortalError> {
        self.issue(user_id, None, Some(transaction), now)
    }

    /// A transaction for the mobile the user chose to sign.
    pub fn sign_with(
        &mut self,
        user_id: &str,
        token: TokenId,
        transaction: Transaction,
        now: u64,
    ) -> Result<IssuedChallenge, PortalError> {
        self.issue(user_id, Some(token), Some(transaction), now)
    }

    /// Decides on `otp` for challenge `id`. With `expect`, the challenge must
    /// also be for that user and purpose (a login page passes the user who is
    /// signing in and `MosaicKind::Login`). Answers once, before expiry, while
    /// the token is not locked; a wrong OTP counts towards the lock.
    pub fn verify(
        &mut self,
        id: &str,
        otp: &str,
        expect: Option<(&str, MosaicKind)>,
        now: u64,
    ) -> Result<Accepted, PortalError> {
        let nonce = parse_challenge_id(id)?;
        let max = self.config.max_failures;
        self.store.atomically(|s| {
            let c = s.challenge(&nonce)?.ok_or(PortalError::UnknownChallenge)?;
            if let Some((user, kind)) = expect {
                if c.user_id != user {
                    return Ok(Err(PortalError::Mismatch("user")));
                }
                if c.kind != kind {
                    return Ok(Err(PortalError::Mismatch("purpose")));
                }
            }
            if c.answered {
                return Ok(Err(PortalError::AlreadyAnswered));
            }
            if now > c.expires_at {
                return Ok(Err(PortalError::Expired));
            }
            let token = s.token(&c.token_id)?.ok_or(PortalError::UnknownChallenge)?;
            if token.state != TokenState::Active {
                return Ok(Err(PortalError::NoActiveToken(c.user_id.clone())));
            }
            if token.failures >= max {
                return Ok(Err(PortalError::TokenLocked));
            }
            if let Err(e) = well_formed(otp, token.params) {
                return Ok(Err(e));
            }
            let challenge = Challenge {
                token_id: c.token_id,
                nonce: c.nonce,
                origin: c.origin.clone(),
                user_id: c.user_id.clone(),
                issued_at: c.issued_at,
                expires_at: c.expires_at,
                transaction: c.transaction.clone(),
            };
            match verify_response(&challenge, &token.ocra_key, token.params, otp) {
                Ok(()) => {
                    s.set_answered(&nonce)?;
                    s.set_failures(&token.id, 0)?;
                    Ok(Ok(Accepted {
                        user_id: c.user_id,
                        kind: c.kind,
                        token_id: c.token_id,
                        transaction: c.transaction,
                    }))
                }
                Err(_) => {
                    // Committed: the failure counts even though the answer is no.
                    let failures = token.failures.saturating_add(1);
                    s.set_failures(&token.id, failures)?;
                    if failures >= max {
                        Ok(Err(PortalError::TokenLocked))
                    } else {
                        Ok(Err(PortalError::WrongOtp {
                            attempts_left: max - failures,
                        }))
                    }
                }
            }
        })?
    }

    /// Unlocks a token locked by wrong OTPs (an operator's action).
    pub fn unlock(&mut self, token_id: &TokenId) -> Result<(), PortalError> {
        self.store.atomically(|s| s.set_failures(token_id, 0))
    }

    /// Removes a mobile from the user's account.
    pub fn remove(&mut self, user_id: &str, token_id: &TokenId) -> Result<(), PortalError> {
        self.store.atomically(|s| match s.token(token_id)? {
            Some(t) if t.user_id == user_id => {
                s.set_token_state(token_id, TokenState::Removed)?;
                s.erase_keys(token_id)
            }
            _ => Err(PortalError::NoActiveToken(user_id.to_owned())),
        })
    }
}

/// The keys of a token record as the core's type (for tests and tools that
/// act as the device).
pub fn keys_of(record: &TokenRecord) -> TokenKeys {
    TokenKeys {
        ocra: SecretBytes::from_slice(&record.ocra_key),
        challenge: SecretBytes::from_slice(&record.challenge_key),
    }
}

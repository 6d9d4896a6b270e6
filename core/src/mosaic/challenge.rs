//! Login and transaction challenges: addressed to one token in clear,
//! everything else sealed under that token's challenge key.

use super::envelope::{Envelope, MosaicKind, NONCE_LEN};
use super::fields::{Reader, Writer};
use super::{MosaicError, TokenId, check_origin_and_user, values};
use crate::text;
use coset::HeaderBuilder;

/// Longest payee name (SEPA: 70 characters).
pub const MAX_PAYEE_LEN: usize = 70;
/// Longest reference (SEPA structured remittance: 35 characters).
pub const MAX_REFERENCE_LEN: usize = 35;
/// Longest free text shown with a transaction (SEPA unstructured: 140).
pub const MAX_TEXT_LEN: usize = 140;
/// Longest validity of a challenge, in seconds.
pub const MAX_LIFETIME_SECS: u64 = 3600;

/// The transaction a challenge asks to sign: exactly what the app displays
/// and what the OTP is computed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The amount as displayed, e.g. "120.50".
    pub amount: String,
    /// ISO 4217 currency code, e.g. "EUR".
    pub currency: String,
    /// The payee's name.
    pub payee: String,
    /// The payee's IBAN, electronic form (no spaces).
    pub iban: String,
    /// Reference or purpose, if any.
    pub reference: Option<String>,
    /// Free text, if any.
    pub text: Option<String>,
}

impl Transaction {
    fn check(&self) -> Result<(), MosaicError> {
        values::amount(&self.amount)?;
        values::currency(&self.currency)?;
        values::display("payee", &self.payee, MAX_PAYEE_LEN)?;
        values::iban(&self.iban)?;
        if let Some(r) = &self.reference {
            values::display("reference", r, MAX_REFERENCE_LEN)?;
        }
        if let Some(t) = &self.text {
            values::display("text", t, MAX_TEXT_LEN)?;
        }
        Ok(())
    }
}

/// A login or transaction challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The token that must answer.
    pub token_id: TokenId,
    /// Random, unique per challenge: the envelope's AES-GCM IV, the OCRA
    /// question, and the portal's identifier of the challenge.
    pub nonce: [u8; NONCE_LEN],
    /// The portal, e.g. `https://portal.example.lu`.
    pub origin: String,
    /// The portal user.
    pub user_id: String,
    /// When the portal issued it (Unix seconds, the portal's clock).
    pub issued_at: u64,
    /// When it expires (Unix seconds, the portal's clock).
    pub expires_at: u64,
    /// `None` for a login, the transaction to sign otherwise.
    pub transaction: Option<Transaction>,
}

mod key {
    pub const ORIGIN: u8 = 2;
    pub const USER: u8 = 3;
    pub const ISSUED: u8 = 4;
    pub const LIFETIME: u8 = 5;
    pub const AMOUNT: u8 = 6;
    pub const CURRENCY: u8 = 7;
    pub const PAYEE: u8 = 8;
    pub const IBAN: u8 = 9;
    pub const REFERENCE: u8 = 10;
    pub const TEXT: u8 = 11;
}

impl Challenge {
    /// The displayed fields that may imitate other text (mixed scripts, or
    /// another script posing as Latin: [`text::looks_deceptive`]), by name
    /// (`origin`, `user`, `payee`, `reference`, `text`). An approval screen
    /// warns about each: the user reads these to decide.
    pub fn deceptive_fields(&self) -> Vec<&'static str> {
        let mut fields = vec![
            ("origin", self.origin.as_str()),
            ("user", self.user_id.as_str()),
        ];
        if let Some(t) = &self.transaction {
            fields.push(("payee", t.payee.as_str()));
            fields.extend(t.reference.as_deref().map(|r| ("reference", r)));
            fields.extend(t.text.as_deref().map(|x| ("text", x)));
        }
        fields
            .into_iter()
            .filter(|(_, value)| text::looks_deceptive(value))
            .map(|(name, _)| name)
            .collect()
    }

    /// Login or transaction.
    pub fn kind(&self) -> MosaicKind {
        if self.transaction.is_some() {
            MosaicKind::Transaction
        } else {
            MosaicKind::Login
        }
    }

    /// The nonce as 24 hex digits (the portal's challenge identifier).
    pub fn id(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.nonce)
    }

    fn check(&self) -> Result<(), MosaicError> {
        check_origin_and_user(&self.origin, &self.user_id)?;
        let lifetime = self.expires_at.saturating_sub(self.issued_at);
        if lifetime == 0 || lifetime > MAX_LIFETIME_SECS {
            return Err(MosaicError::InvalidField {
                field: "expiry",
                reason: "must be 1 s to 1 h after the issue time",
            });
        }
        if let Some(t) = &self.transaction {
            t.check()?;
        }
        Ok(())
    }

    /// Seals the challenge under the token's challenge key into a mosaic payload.
    pub fn seal(&self, challenge_key: &[u8]) -> Result<Vec<u8>, MosaicError> {
        self.check()?;
        let mut w = Writer::default()
            .text(key::ORIGIN, &self.origin)
            .text(key::USER, &self.user_id)
            .uint(key::ISSUED, self.issued_at)
            .uint(
                key::LIFETIME,
                self.expires_at.saturating_sub(self.issued_at),
            );
        if let Some(t) = &self.transaction {
            w = w
                .text(key::AMOUNT, &t.amount)
                .text(key::CURRENCY, &t.currency)
                .text(key::PAYEE, &t.payee)
                .text(key::IBAN, &t.iban)
                .opt_text(key::REFERENCE, t.reference.as_deref())
                .opt_text(key::TEXT, t.text.as_deref());
        }
        Envelope::seal(
            self.kind(),
            challenge_key,
            HeaderBuilder::new(),
            Some(self.token_id),
            &self.nonce,
            &w.finish(),
        )
    }

    /// Opens a login or transaction mosaic with the addressed token's
    /// challenge key. Nothing of the content comes out of a mosaic that fails
    /// authentication or the protocol's limits.
    pub fn open(envelope: &Envelope, challenge_key: &[u8]) -> Result<Self, MosaicError> {
        let kind = envelope.kind();
        if kind == MosaicKind::Activation {
            return Err(MosaicError::WrongKind {
                expected: "login or transaction",
                found: kind.name(),
            });
        }
        let token_id = envelope
            .token_id()
            .ok_or(MosaicError::Malformed("no token id"))?;
        let plaintext = envelope.open(challenge_key)?;
        let mut r = Reader::parse(&plaintext)?;
        let nonce = envelope.nonce().ok_or(MosaicError::Malformed("nonce"))?;
        let origin = r.text(key::ORIGIN, "origin")?;
        let user_id = r.text(key::USER, "user")?;
        let issued_at = r.uint(key::ISSUED, "issue time")?;
        let expires_at = issued_at.saturating_add(r.uint(key::LIFETIME, "lifetime")?);
        let transaction = if kind == MosaicKind::Transaction {
            Some(Transaction {
                amount: r.text(key::AMOUNT, "amount")?,
                currency: r.text(key::CURRENCY, "currency")?,
                payee: r.text(key::PAYEE, "payee")?,
                iban: r.text(key::IBAN, "IBAN")?,
                reference: r.opt_text(key::REFERENCE, "reference")?,
                text: r.opt_text(key::TEXT, "text")?,
            })
        } else {
            None
        };
        r.finish()?;
        let challenge = Self {
            token_id,
            nonce,
            origin,
            user_id,
            issued_at,
            expires_at,
            transaction,
        };
        challenge.check()?;
        Ok(challenge)
    }

    /// Checks the challenge against the device's clock. A device behind the
    /// portal's clock by more than `max_skew_secs` gets `ClockSkew` (its OTP
    /// would be refused for no visible reason); a challenge past its expiry
    /// (with the same tolerance) gets `Expired`.
    pub fn check_time(&self, now: u64, max_skew_secs: u64) -> Result<(), MosaicError> {
        let offset = i128::from(now) - i128::from(self.issued_at);
        let skew = i128::from(max_skew_secs);
        if offset < -skew {
            return Err(MosaicError::ClockSkew {
                offset_secs: i64::try_from(offset).unwrap_or(i64::MIN),
            });
        }
        let lifetime = i128::from(self.expires_at.saturating_sub(self.issued_at));
        if offset > lifetime + skew {
            return Err(MosaicError::Expired);
        }
        Ok(())
    }
}

//! The OTPs a device answers with: OCRA (RFC 6287) over the challenge, with
//! the portal origin as session input, under a key derived for one purpose.
//!
//! | Purpose | Suite | Question |
//! |---|---|---|
//! | login | `OCRA-1:HOTP-<hash>-<d>:QH24-S032` | the challenge nonce |
//! | transaction | `OCRA-1:HOTP-<hash>-<d>:QH64-S032` | SHA-256 of the displayed fields and the nonce |
//!
//! `S` is SHA-256 of the origin, so an OTP is worthless on another portal;
//! the key is HMAC-SHA256(token key, purpose), so a login OTP is worthless
//! as a transaction OTP even for the same question. (The activation
//! confirmation is not an OTP: see `confirmation.rs`.)

use ciborium::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{Challenge, MosaicError, OtpParams};
use crate::otp::{Algorithm, Ocra, OcraInput, OcraSuite, OtpError, OtpKey};
use crate::secret::OtpCode;

#[derive(Clone, Copy)]
enum Purpose {
    Login,
    Transaction,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Login => b"tessera/1/key/login",
            Self::Transaction => b"tessera/1/key/transaction",
        }
    }

    fn question_len(self) -> u8 {
        match self {
            Self::Transaction => 64,
            Self::Login => 24,
        }
    }
}

fn suite(params: OtpParams, purpose: Purpose) -> Result<OcraSuite, MosaicError> {
    format!(
        "OCRA-1:HOTP-{}-{}:QH{}-S032",
        params.hash.name(),
        params.digits,
        purpose.question_len()
    )
    .parse()
    .map_err(|_| MosaicError::InvalidField {
        field: "digits",
        reason: "must be 6 to 8",
    })
}

fn ocra(master: &[u8], params: OtpParams, purpose: Purpose) -> Result<Ocra, MosaicError> {
    let key = Algorithm::Sha256.hmac(master, &[purpose.label()]);
    let key = OtpKey::new(key.as_slice().to_vec()).map_err(|_| MosaicError::InvalidField {
        field: "keys",
        reason: "must be 32 bytes each",
    })?;
    Ok(Ocra::new(suite(params, purpose)?, key))
}

fn session(origin: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tessera/1/origin/");
    h.update(origin.as_bytes());
    h.finalize().into()
}

/// The transaction question: SHA-256 over a canonical CBOR array of exactly
/// the fields the app displays, with the user and the nonce.
fn transaction_question(c: &Challenge) -> Result<String, MosaicError> {
    let t = c.transaction.as_ref().ok_or(MosaicError::WrongKind {
        expected: "transaction",
        found: "login",
    })?;
    let opt = |s: &Option<String>| {
        s.as_deref()
            .map_or(Value::Null, |s| Value::Text(s.to_owned()))
    };
    let fields = Value::Array(vec![
        Value::Text("tessera/1/transaction".into()),
        Value::Bytes(c.nonce.to_vec()),
        Value::Text(c.user_id.clone()),
        Value::Text(t.amount.clone()),
        Value::Text(t.currency.clone()),
        Value::Text(t.payee.clone()),
        Value::Text(t.iban.clone()),
        opt(&t.reference),
        opt(&t.text),
    ]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&fields, &mut bytes)
        .map_err(|_| MosaicError::Malformed("cannot encode"))?;
    Ok(data_encoding::HEXLOWER.encode(&Sha256::digest(&bytes)))
}

fn input_for(c: &Challenge) -> Result<(Purpose, Zeroizing<String>), MosaicError> {
    Ok(match &c.transaction {
        None => (
            Purpose::Login,
            Zeroizing::new(data_encoding::HEXLOWER.encode(&c.nonce)),
        ),
        Some(_) => (
            Purpose::Transaction,
            Zeroizing::new(transaction_question(c)?),
        ),
    })
}

fn compute(
    master: &[u8],
    params: OtpParams,
    purpose: Purpose,
    question: &str,
    origin: &str,
) -> Result<OtpCode, MosaicError> {
    let s = session(origin);
    let input = OcraInput {
        question,
        session: Some(&s),
        ..Default::default()
    };
    ocra(master, params, purpose)?
        .compute(&input)
        .map_err(|_| MosaicError::Malformed("ocra"))
}

fn check(
    master: &[u8],
    params: OtpParams,
    purpose: Purpose,
    question: &str,
    origin: &str,
    code: &str,
) -> Result<(), MosaicError> {
    let s = session(origin);
    let input = OcraInput {
        question,
        session: Some(&s),
        ..Default::default()
    };
    match ocra(master, params, purpose)?.verify(code, &input, 0) {
        Ok(_) => Ok(()),
        Err(OtpError::NoMatch) => Err(MosaicError::WrongResponse),
        Err(_) => Err(MosaicError::Malformed("ocra")),
    }
}

/// The OTP answering `challenge`, from the token's OCRA key.
pub fn respond(
    challenge: &Challenge,
    ocra_key: &[u8],
    params: OtpParams,
) -> Result<OtpCode, MosaicError> {
    let (purpose, question) = input_for(challenge)?;
    compute(ocra_key, params, purpose, &question, &challenge.origin)
}

/// Checks (in constant time) that `code` answers `challenge`.
pub fn verify_response(
    challenge: &Challenge,
    ocra_key: &[u8],
    params: OtpParams,
    code: &str,
) -> Result<(), MosaicError> {
    let (purpose, question) = input_for(challenge)?;
    check(
        ocra_key,
        params,
        purpose,
        &question,
        &challenge.origin,
        code,
    )
}

//! The messages a portal puts in a mosaic, and the OTPs a device answers
//! with: activation offers ("transfer your token"), login challenges and
//! transactions to sign.
//!
//! Every mosaic is a CBOR array `[version, kind, COSE_Encrypt0]`
//! ([`Envelope`]). Activation offers are sealed under a key derived with
//! Argon2id from an activation code that reaches the user by another
//! channel; challenges are sealed under the addressed token's challenge key,
//! so only the activated device can read them. Responses are OCRA OTPs over
//! the challenge (for transactions, over a hash of exactly the displayed
//! fields) with the portal origin as session input, under purpose-specific
//! keys: a login OTP can never pass as a transaction OTP. The byte layout is
//! in `docs/adr/0005-mosaic-format.md`.

mod activation;
mod challenge;
mod confirmation;
mod envelope;
mod error;
mod fields;
mod response;
mod values;

use std::fmt;
use std::str::FromStr;

pub use activation::{ActivationCode, ActivationOffer};
pub use challenge::{Challenge, Transaction};
pub use confirmation::{
    CONFIRMATION_CODE_LEN, ConfirmationCode, DEVICE_SECRET_LEN, DeviceActivation, DeviceSecret,
    activate, verify_confirmation,
};
pub use envelope::{Envelope, MAX_MOSAIC_LEN, MosaicKind, NONCE_LEN, VERSION};
pub use error::MosaicError;
pub use response::{respond, verify_response};

use crate::otp::Algorithm;
use crate::secret::SecretBytes;

/// Entry points for the fuzz targets (`fuzz/`), behind the `fuzzing`
/// feature: not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use super::{Envelope, MosaicError, MosaicKind, NONCE_LEN, TokenId};

    /// Seals arbitrary `plaintext` as a mosaic of `kind`, so that a fuzzer
    /// reaches the body parser of [`super::Challenge::open`] behind the
    /// authentication tag.
    pub fn seal_raw(
        kind: MosaicKind,
        key: &[u8],
        token_id: Option<TokenId>,
        nonce: &[u8; NONCE_LEN],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MosaicError> {
        Envelope::seal(
            kind,
            key,
            coset::HeaderBuilder::new(),
            token_id,
            nonce,
            plaintext,
        )
    }
}

/// A fresh random mosaic nonce.
pub fn generate_nonce(rng: &dyn ring::rand::SecureRandom) -> Result<[u8; NONCE_LEN], MosaicError> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce).map_err(|_| MosaicError::Random)?;
    Ok(nonce)
}

/// The identifier of an activated token: 8 random bytes, shown as 16 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId([u8; 8]);

impl TokenId {
    /// Length in bytes.
    pub const LEN: usize = 8;

    /// From 8 bytes.
    pub const fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(bytes)
    }

    /// From exactly 8 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// A fresh random identifier.
    pub fn generate(rng: &dyn ring::rand::SecureRandom) -> Result<Self, MosaicError> {
        let mut id = [0u8; 8];
        rng.fill(&mut id).map_err(|_| MosaicError::Random)?;
        Ok(Self(id))
    }

    /// The 8 bytes.
    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&data_encoding::HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenId({self})")
    }
}

impl FromStr for TokenId {
    type Err = MosaicError;

    fn from_str(s: &str) -> Result<Self, MosaicError> {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(s.as_bytes())
            .ok()
            .and_then(|b| Self::from_slice(&b))
            .ok_or(MosaicError::InvalidField {
                field: "token id",
                reason: "must be 16 hex digits",
            })
    }
}

/// The OTP parameters an activation sets for a token's responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpParams {
    /// Digits per OTP, 6 to 8.
    pub digits: u8,
    /// The OCRA hash.
    pub hash: Algorithm,
}

impl Default for OtpParams {
    /// 8 digits, HMAC-SHA256.
    fn default() -> Self {
        Self {
            digits: 8,
            hash: Algorithm::Sha256,
        }
    }
}

impl OtpParams {
    fn check(&self) -> Result<(), MosaicError> {
        if (6..=8).contains(&self.digits) {
            Ok(())
        } else {
            Err(MosaicError::InvalidField {
                field: "digits",
                reason: "must be 6 to 8",
            })
        }
    }
}

/// The two keys an activation gives a device: the OCRA key its OTPs come
/// from (kept behind the passcode) and the challenge key that opens its
/// challenge mosaics (readable before the passcode, so the app can show
/// what is being approved first).
#[derive(Debug)]
pub struct TokenKeys {
    /// 32-byte OCRA master key.
    pub ocra: SecretBytes,
    /// 32-byte AES-256-GCM key of the token's challenges.
    pub challenge: SecretBytes,
}

impl TokenKeys {
    /// Length of each key in bytes.
    pub const LEN: usize = 32;

    /// Two fresh random keys.
    pub fn generate(rng: &dyn ring::rand::SecureRandom) -> Result<Self, MosaicError> {
        let mut ocra = vec![0u8; Self::LEN];
        let mut challenge = vec![0u8; Self::LEN];
        rng.fill(&mut ocra).map_err(|_| MosaicError::Random)?;
        rng.fill(&mut challenge).map_err(|_| MosaicError::Random)?;
        Ok(Self {
            ocra: SecretBytes::new(ocra),
            challenge: SecretBytes::new(challenge),
        })
    }
}

/// Longest portal origin accepted, in characters.
pub const MAX_ORIGIN_LEN: usize = 100;
/// Longest user identifier accepted, in characters.
pub const MAX_USER_LEN: usize = 64;

fn check_origin_and_user(origin: &str, user: &str) -> Result<(), MosaicError> {
    values::display("origin", origin, MAX_ORIGIN_LEN)?;
    if origin.contains(char::is_whitespace) {
        return Err(MosaicError::InvalidField {
            field: "origin",
            reason: "contains spaces",
        });
    }
    values::display("user", user, MAX_USER_LEN)
}

//! Activation offers: a new token's keys and parameters, sealed under a key
//! that Argon2id derives from a one-time activation code.

use coset::HeaderBuilder;
use ring::rand::SecureRandom;
use zeroize::Zeroizing;

use super::envelope::{Envelope, MosaicKind, NONCE_LEN};
use super::fields::{Reader, Writer};
use super::{MosaicError, OtpParams, TokenId, TokenKeys, check_origin_and_user};
use crate::crypto;
use crate::otp::Algorithm;
use crate::secret::SecretBytes;

/// Argon2id cost of the activation key (OWASP's minimum: 19 MiB, 2 passes).
/// Fixed by the protocol version, so a forged offer cannot lower it.
const KDF_MEMORY_KIB: u32 = 19 * 1024;
const KDF_PASSES: u32 = 2;
/// COSE header parameter "salt" (IANA, -20).
const SALT_LABEL: i64 = -20;
const SALT_LEN: usize = 16;

/// Crockford's base32 alphabet: no I, L, O or U to misread.
pub(super) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 16;

/// Whether `c` is a separator a person may type inside a code.
pub(super) fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\t')
}

/// The Crockford symbol a person meant by `c`: upper-cased, with the
/// look-alikes O → 0 and I, L → 1; `None` outside the alphabet.
pub(super) fn crockford_symbol(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    u8::try_from(c).ok().filter(|b| ALPHABET.contains(b))
}

/// A one-time activation code: 16 characters (80 bits) from Crockford's
/// base32 alphabet, shown as `ABCD-EFGH-JKMN-PQRS`. Typed by the user, so
/// parsing forgives case, spaces, dashes and the look-alikes O/0, I/L/1.
pub struct ActivationCode(Zeroizing<String>);

impl ActivationCode {
    /// A fresh random code.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, MosaicError> {
        let mut bytes = Zeroizing::new([0u8; CODE_LEN]);
        rng.fill(&mut *bytes).map_err(|_| MosaicError::Random)?;
        let code = bytes
            .iter()
            .map(|b| char::from(ALPHABET.get(usize::from(b & 31)).copied().unwrap_or(b'0')))
            .collect();
        Ok(Self(Zeroizing::new(code)))
    }

    /// Reads a code as a person typed it.
    pub fn parse(typed: &str) -> Result<Self, MosaicError> {
        let mut code = Zeroizing::new(String::with_capacity(CODE_LEN));
        for c in typed.chars().filter(|c| !is_separator(*c)) {
            let Some(c) = crockford_symbol(c) else {
                return Err(MosaicError::InvalidActivationCode(
                    "16 letters and digits (no U), like ABCD-EFGH-JKMN-PQRS",
                ));
            };
            code.push(char::from(c));
        }
        if code.len() != CODE_LEN {
            return Err(MosaicError::InvalidActivationCode(
                "16 letters and digits, like ABCD-EFGH-JKMN-PQRS",
            ));
        }
        Ok(Self(code))
    }

    /// The code in groups of four, for display.
    pub fn display(&self) -> Zeroizing<String> {
        let groups: Vec<&str> = self
            .0
            .as_bytes()
            .chunks(4)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Zeroizing::new(groups.join("-"))
    }

    fn derive(&self, salt: &[u8]) -> Result<SecretBytes, MosaicError> {
        crypto::argon2id(self.0.as_bytes(), salt, KDF_MEMORY_KIB, KDF_PASSES, 1)
            .map_err(|_| MosaicError::Malformed("kdf"))
    }
}

impl std::fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationCode([REDACTED])")
    }
}

/// Everything a device needs to become a token of a portal.
#[derive(Debug)]
pub struct ActivationOffer {
    /// The new token's identifier.
    pub token_id: TokenId,
    /// The portal user the token belongs to.
    pub user_id: String,
    /// The portal, e.g. `https://portal.example.lu`.
    pub origin: String,
    /// OTP digits and hash.
    pub params: OtpParams,
    /// When the portal issued the offer (Unix seconds).
    pub issued_at: u64,
    /// When it stops being valid (Unix seconds).
    pub expires_at: u64,
    /// Random and unique: the envelope's AES-GCM IV and the question of the
    /// confirmation OTP the user types back into the portal.
    pub nonce: [u8; NONCE_LEN],
    /// The token's keys.
    pub keys: TokenKeys,
}

mod key {
    pub const TOKEN: u8 = 1;
    pub const USER: u8 = 2;
    pub const ORIGIN: u8 = 3;
    pub const DIGITS: u8 = 4;
    pub const HASH: u8 = 5;
    pub const ISSUED: u8 = 6;
    pub const LIFETIME: u8 = 7;
    pub const OCRA_KEY: u8 = 8;
    pub const CHALLENGE_KEY: u8 = 9;
}

fn hash_code(a: Algorithm) -> u64 {
    match a {
        Algorithm::Sha1 => 1,
        Algorithm::Sha256 => 2,
        Algorithm::Sha512 => 3,
    }
}

impl ActivationOffer {
    fn check(&self) -> Result<(), MosaicError> {
        check_origin_and_user(&self.origin, &self.user_id)?;
        self.params.check()?;
        if self.expires_at <= self.issued_at {
            return Err(MosaicError::InvalidField {
                field: "expiry",
                reason: "not after the issue time",
            });
        }
        if self.keys.ocra.len() != TokenKeys::LEN || self.keys.challenge.len() != TokenKeys::LEN {
            return Err(MosaicError::InvalidField {
                field: "keys",
                reason: "must be 32 bytes each",
            });
        }
        Ok(())
    }

    /// Seals the offer under `code` into a mosaic payload.
    pub fn seal(
        &self,
        code: &ActivationCode,
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, MosaicError> {
        self.check()?;
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt).map_err(|_| MosaicError::Random)?;
        let key = code.derive(&salt)?;
        let plaintext = Writer::default()
            .bytes(key::TOKEN, self.token_id.as_bytes())
            .text(key::USER, &self.user_id)
            .text(key::ORIGIN, &self.origin)
            .uint(key::DIGITS, u64::from(self.params.digits))
            .uint(key::HASH, hash_code(self.params.hash))
            .uint(key::ISSUED, self.issued_at)
            .uint(
                key::LIFETIME,
                self.expires_at.saturating_sub(self.issued_at),
            )
            .bytes(key::OCRA_KEY, self.keys.ocra.expose())
            .bytes(key::CHALLENGE_KEY, self.keys.challenge.expose())
            .finish();
        let protected =
            HeaderBuilder::new().value(SALT_LABEL, ciborium::Value::Bytes(salt.to_vec()));
        Envelope::seal(
            MosaicKind::Activation,
            key.expose(),
            protected,
            None,
            &self.nonce,
            &plaintext,
        )
    }

    /// Opens an activation mosaic with the code the user typed. A wrong code
    /// is reported as such; nothing else is learned from the mosaic.
    pub fn open(envelope: &Envelope, code: &ActivationCode) -> Result<Self, MosaicError> {
        if envelope.kind() != MosaicKind::Activation {
            return Err(MosaicError::WrongKind {
                expected: "activation",
                found: envelope.kind().name(),
            });
        }
        let salt = envelope
            .protected()
            .rest
            .iter()
            .find(|(label, _)| *label == coset::Label::Int(SALT_LABEL))
            .and_then(|(_, v)| v.as_bytes())
            .filter(|s| s.len() == SALT_LEN)
            .ok_or(MosaicError::Malformed("activation salt"))?;
        let key = code.derive(salt)?;
        let plaintext = envelope.open(key.expose()).map_err(|e| match e {
            MosaicError::Tampered => MosaicError::WrongActivationCode,
            e => e,
        })?;
        let mut r = Reader::parse(&plaintext)?;
        let token_id = TokenId::from_slice(&r.bytes(key::TOKEN, "token id", TokenId::LEN)?)
            .ok_or(MosaicError::Malformed("token id"))?;
        let user_id = r.text(key::USER, "user")?;
        let origin = r.text(key::ORIGIN, "origin")?;
        let digits = u8::try_from(r.uint(key::DIGITS, "digits")?).unwrap_or(0);
        let hash = match r.uint(key::HASH, "hash")? {
            1 => Algorithm::Sha1,
            2 => Algorithm::Sha256,
            3 => Algorithm::Sha512,
            _ => {
                return Err(MosaicError::InvalidField {
                    field: "hash",
                    reason: "unknown",
                });
            }
        };
        let issued_at = r.uint(key::ISSUED, "issue time")?;
        let expires_at = issued_at.saturating_add(r.uint(key::LIFETIME, "lifetime")?);
        let nonce = envelope.nonce().ok_or(MosaicError::Malformed("nonce"))?;
        let ocra = SecretBytes::from_slice(&r.bytes(key::OCRA_KEY, "keys", TokenKeys::LEN)?);
        let challenge =
            SecretBytes::from_slice(&r.bytes(key::CHALLENGE_KEY, "keys", TokenKeys::LEN)?);
        r.finish()?;
        let offer = Self {
            token_id,
            user_id,
            origin,
            params: OtpParams { digits, hash },
            issued_at,
            expires_at,
            nonce,
            keys: TokenKeys { ocra, challenge },
        };
        offer.check()?;
        Ok(offer)
    }

    /// Checks the offer against the device's clock: refused once expired.
    pub fn check_time(&self, now: u64) -> Result<(), MosaicError> {
        if now > self.expires_at {
            Err(MosaicError::Expired)
        } else {
            Ok(())
        }
    }
}

//! The envelope every mosaic shares: a CBOR array `[version, kind, COSE_Encrypt0]`.
//!
//! The COSE_Encrypt0 (RFC 9052 §5.2) is sealed with AES-256-GCM (fixed by
//! the version, so no `alg` parameter); the token id is in its protected
//! header, the IV in its unprotected header; its
//! external AAD names the protocol version and the kind, so a login mosaic
//! can never be opened as a transaction (or the reverse). Decoding is
//! strict: the bytes must be exactly what sealing produces, so any change,
//! even one that leaves the meaning intact, is refused.

use ciborium::Value;
use coset::{AsCborValue, CoseEncrypt0, CoseEncrypt0Builder, Header, HeaderBuilder};
use zeroize::Zeroizing;

use super::{MosaicError, TokenId};
use crate::crypto::{self, AeadError};

/// The protocol version this code speaks.
pub const VERSION: u64 = 1;

/// The largest mosaic payload accepted, checked before any decoding.
pub const MAX_MOSAIC_LEN: usize = 1024;

/// Length of a mosaic's nonce (its AES-GCM IV), in bytes.
pub const NONCE_LEN: usize = crypto::NONCE_LEN;

/// What a mosaic asks of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MosaicKind {
    /// "Transfer your token": keys for a new token, sealed under an activation code.
    Activation,
    /// A login challenge for one token.
    Login,
    /// A transaction to sign with one token.
    Transaction,
}

impl MosaicKind {
    fn code(self) -> u64 {
        match self {
            Self::Activation => 1,
            Self::Login => 2,
            Self::Transaction => 3,
        }
    }

    fn from_code(code: u64) -> Option<Self> {
        match code {
            1 => Some(Self::Activation),
            2 => Some(Self::Login),
            3 => Some(Self::Transaction),
            _ => None,
        }
    }

    /// A lowercase name for messages: "activation", "login", "transaction".
    pub fn name(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::Login => "login",
            Self::Transaction => "transaction",
        }
    }

    /// The COSE external AAD: binds version and kind into the authentication tag.
    fn external_aad(self) -> Vec<u8> {
        format!("tessera/{VERSION}/{}", self.name()).into_bytes()
    }
}

/// A parsed, still sealed mosaic: enough to route it (which kind, which
/// token) before any key is used.
#[derive(Debug, Clone)]
pub struct Envelope {
    kind: MosaicKind,
    cose: CoseEncrypt0,
}

impl Envelope {
    /// Parses the envelope of `bytes`, strictly.
    pub fn parse(bytes: &[u8]) -> Result<Self, MosaicError> {
        if bytes.len() > MAX_MOSAIC_LEN {
            return Err(MosaicError::TooLarge {
                len: bytes.len(),
                max: MAX_MOSAIC_LEN,
            });
        }
        let value: Value = ciborium::from_reader(bytes).map_err(|_| MosaicError::NotAMosaic)?;
        let Value::Array(items) = value else {
            return Err(MosaicError::NotAMosaic);
        };
        let [version, kind, body]: [Value; 3] =
            items.try_into().map_err(|_| MosaicError::NotAMosaic)?;
        let version = uint(&version).ok_or(MosaicError::NotAMosaic)?;
        if version != VERSION {
            return Err(MosaicError::UnsupportedVersion(version));
        }
        let kind = uint(&kind)
            .and_then(MosaicKind::from_code)
            .ok_or(MosaicError::Malformed("unknown kind"))?;
        let cose = CoseEncrypt0::from_cbor_value(body)
            .map_err(|_| MosaicError::Malformed("not COSE_Encrypt0"))?;
        let envelope = Self { kind, cose };
        // Only the exact bytes sealing produces are accepted.
        if envelope.to_bytes()?.as_slice() != bytes {
            return Err(MosaicError::Malformed("not in canonical form"));
        }
        Ok(envelope)
    }

    /// The kind of request.
    pub fn kind(&self) -> MosaicKind {
        self.kind
    }

    /// The token the mosaic is addressed to (login and transaction mosaics),
    /// from the protected (authenticated) header.
    pub fn token_id(&self) -> Option<TokenId> {
        TokenId::from_slice(&self.cose.protected.header.key_id)
    }

    pub(crate) fn protected(&self) -> &Header {
        &self.cose.protected.header
    }

    fn to_bytes(&self) -> Result<Vec<u8>, MosaicError> {
        let body = self
            .cose
            .clone()
            .to_cbor_value()
            .map_err(|_| MosaicError::Malformed("cannot encode"))?;
        let value = Value::Array(vec![
            Value::from(VERSION),
            Value::from(self.kind.code()),
            body,
        ]);
        let mut out = Vec::new();
        ciborium::into_writer(&value, &mut out)
            .map_err(|_| MosaicError::Malformed("cannot encode"))?;
        Ok(out)
    }

    /// The 96-bit AES-GCM IV, which is also the mosaic's nonce: random and
    /// unique per mosaic, and authenticated (any change breaks decryption).
    pub fn nonce(&self) -> Option<[u8; NONCE_LEN]> {
        self.cose.unprotected.iv.as_slice().try_into().ok()
    }

    /// Seals `plaintext` under `key` with `nonce` as the IV into a complete
    /// mosaic payload. The nonce must never repeat under the same key. A
    /// payload larger than [`MAX_MOSAIC_LEN`] is refused: no device would
    /// read it.
    pub(crate) fn seal(
        kind: MosaicKind,
        key: &[u8],
        protected: HeaderBuilder,
        token_id: Option<TokenId>,
        nonce: &[u8; NONCE_LEN],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MosaicError> {
        let iv = *nonce;
        // The token id goes in the protected header, so it is authenticated.
        // The algorithm (AES-256-GCM) is fixed by the protocol version and
        // left out to keep the QR code small.
        let protected = match token_id {
            Some(id) => protected.key_id(id.as_bytes().to_vec()),
            None => protected,
        };
        let cose = CoseEncrypt0Builder::new()
            .protected(protected.build())
            .unprotected(HeaderBuilder::new().iv(iv.to_vec()).build())
            .try_create_ciphertext(plaintext, &kind.external_aad(), |pt, aad| {
                crypto::seal_with_nonce(key, &iv, aad, pt).map_err(aead_error)
            })?
            .build();
        let bytes = Self { kind, cose }.to_bytes()?;
        if bytes.len() > MAX_MOSAIC_LEN {
            return Err(MosaicError::TooLarge {
                len: bytes.len(),
                max: MAX_MOSAIC_LEN,
            });
        }
        Ok(bytes)
    }

    /// Opens the envelope with `key`; any alteration gives `Tampered`.
    pub(crate) fn open(&self, key: &[u8]) -> Result<Zeroizing<Vec<u8>>, MosaicError> {
        let iv = self.nonce().ok_or(MosaicError::Tampered)?;
        // The unprotected header is not authenticated: it must be exactly
        // the IV, or a mosaic could be altered without breaking it.
        if self.cose.protected.header.alg.is_some()
            || self.cose.unprotected != HeaderBuilder::new().iv(iv.to_vec()).build()
        {
            return Err(MosaicError::Malformed("unexpected header parameter"));
        }
        self.cose
            .decrypt_ciphertext(
                &self.kind.external_aad(),
                || MosaicError::Tampered,
                |ct, aad| {
                    let mut plain =
                        crypto::open_with_nonce(key, &iv, aad, ct).map_err(aead_error)?;
                    Ok(std::mem::take(&mut *plain))
                },
            )
            .map(Zeroizing::new)
    }
}

fn aead_error(e: AeadError) -> MosaicError {
    match e {
        AeadError::Setup => MosaicError::Malformed("bad key length"),
        AeadError::Rejected => MosaicError::Tampered,
    }
}

fn uint(v: &Value) -> Option<u64> {
    v.as_integer().and_then(|i| u64::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use coset::ContentType;
    use coset::iana::CoapContentFormat;

    use super::*;
    use crate::mosaic::Challenge;

    const KEY: [u8; 32] = [0x22; 32];

    fn sealed_login() -> Envelope {
        let challenge = Challenge {
            token_id: TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
            nonce: [0x5a; 12],
            origin: "https://portal.example.lu".into(),
            user_id: "alice.martin".into(),
            issued_at: 1_764_400_000,
            expires_at: 1_764_400_120,
            transaction: None,
        };
        Envelope::parse(&challenge.seal(&KEY).unwrap()).unwrap()
    }

    /// An unauthenticated header parameter beside the IV, of every kind
    /// coset knows: the mosaic still parses, and is refused when opened.
    #[test]
    fn unprotected_parameters_other_than_the_iv_are_refused() {
        assert!(Challenge::open(&sealed_login(), &KEY).is_ok());
        let alterations: [fn(&mut Header); 5] = [
            |h| h.content_type = Some(ContentType::Assigned(CoapContentFormat::Cbor)),
            |h| h.partial_iv = vec![1],
            |h| h.crit = vec![coset::RegisteredLabelWithPrivate::PrivateUse(-70000)],
            |h| h.key_id = vec![9],
            |h| h.rest = vec![(coset::Label::Int(-70000), Value::from(1))],
        ];
        let mut opened = 0;
        for alter in alterations {
            let mut envelope = sealed_login();
            alter(&mut envelope.cose.unprotected);
            // coset refuses some combinations itself (a partial IV beside
            // the IV); the rest parse, and opening must refuse them.
            let Ok(reparsed) = Envelope::parse(&envelope.to_bytes().unwrap()) else {
                continue;
            };
            opened += 1;
            assert_eq!(
                Challenge::open(&reparsed, &KEY),
                Err(MosaicError::Malformed("unexpected header parameter"))
            );
        }
        assert!(opened >= 4, "only {opened} alterations reached open");
    }
}

//! The stored format (docs/adr/0004-vault-format.md).
//!
//! ```text
//! blob   = magic "TSRV" | version u8 (1) | kind u8 | rest
//! kind 0 = sealed vault: rest = DeviceKeystore.wrap(CBOR(Body))
//! kind 1 = wiped marker: rest = wiped_at u64 BE (nothing secret, nothing wrapped)
//! ```
//!
//! The body is CBOR (ciborium + serde). Inside it, the tokens' OTP keys are
//! one AES-256-GCM sealed section under the vault key ([`SecretsTable`]),
//! encoded by hand so that every buffer holding a key is sized once and
//! zeroized.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::error::VaultError;
use super::kdf::KdfParams;
use crate::secret::SecretBytes;

/// The blob's first bytes.
pub(crate) const MAGIC: &[u8; 4] = b"TSRV";
/// Version of the blob header and of [`Body`].
pub(crate) const VERSION: u8 = 1;
const KIND_SEALED: u8 = 0;
const KIND_WIPED: u8 = 1;
const HEADER_LEN: usize = 6;
/// The largest blob read or written: far above a full vault (1000 tokens
/// with 1 KiB keys and 256-character labels is about 3 MiB), checked before
/// the device key or the decoder sees anything.
pub(crate) const MAX_BLOB_LEN: usize = 16 * 1024 * 1024;

/// What a stored blob is, before unwrapping.
pub(crate) enum Blob<'a> {
    /// A vault wrapped by the device key.
    Sealed(&'a [u8]),
    /// What is left after a wipe.
    Wiped { at: u64 },
}

pub(crate) fn parse_blob(bytes: &[u8]) -> Result<Blob<'_>, VaultError> {
    if bytes.len() > MAX_BLOB_LEN {
        return Err(VaultError::Corrupted(format!(
            "the vault file has {} bytes; at most {MAX_BLOB_LEN} are read",
            bytes.len()
        )));
    }
    let (header, rest) = bytes
        .split_at_checked(HEADER_LEN)
        .ok_or_else(|| VaultError::Corrupted("the vault file is truncated".into()))?;
    let [m0, m1, m2, m3, version, kind] = *header else {
        return Err(VaultError::Corrupted("the vault file is truncated".into()));
    };
    if [m0, m1, m2, m3] != *MAGIC {
        return Err(VaultError::Corrupted("not a Tessera vault".into()));
    }
    if version != VERSION {
        return Err(VaultError::UnsupportedVersion(version.into()));
    }
    match kind {
        KIND_SEALED => Ok(Blob::Sealed(rest)),
        KIND_WIPED => {
            let at: [u8; 8] = rest
                .try_into()
                .map_err(|_| VaultError::Corrupted("bad wipe marker".into()))?;
            Ok(Blob::Wiped {
                at: u64::from_be_bytes(at),
            })
        }
        other => Err(VaultError::Corrupted(format!("unknown blob kind {other}"))),
    }
}

pub(crate) fn sealed_blob(wrapped: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(wrapped.len()));
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(KIND_SEALED);
    out.extend_from_slice(wrapped);
    out
}

pub(crate) fn wiped_blob(at: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + 8);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(KIND_WIPED);
    out.extend_from_slice(&at.to_be_bytes());
    out
}

/// Everything the device key wraps.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Body {
    /// Format version of the body ([`VERSION`]).
    pub v: u32,
    /// Raised by one at every write; the keystore keeps the last value.
    pub generation: u64,
    pub attempts: Attempts,
    /// Next token id to hand out (ids are never reused).
    pub next_id: u64,
    pub tokens: Vec<TokenRecord>,
    pub passcode_slot: PasscodeSlot,
    #[serde(default)]
    pub biometric_slot: Option<BiometricSlot>,
    /// Set when the platform reported the biometric key invalidated.
    #[serde(default)]
    pub biometric_invalidated: bool,
    /// The OTP keys: `seal(vault_key, SECRETS_AAD, SecretsTable)`.
    pub secrets: Bytes,
    /// Challenge nonces already answered, oldest first, at most
    /// `VaultConfig::max_answered`.
    #[serde(default)]
    pub answered: Vec<Answered>,
}

/// The failed-attempt counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Attempts {
    /// Consecutive failures since the last success.
    pub failures: u32,
    /// Unix time of the last failed (or started) attempt.
    pub last_failure: u64,
}

/// The public part of a token and its mutable state.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub id: u64,
    pub issuer: Option<String>,
    pub account: String,
    pub kind: StoredKind,
    /// The key that opens this token's challenge mosaics (mosaic tokens).
    #[serde(default)]
    pub challenge_key: Option<StoredKey>,
    /// The highest TOTP step a code was shown for.
    #[serde(default)]
    pub last_step: Option<u64>,
}

/// A token's public parameters.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) enum StoredKind {
    Hotp {
        algorithm: String,
        digits: u8,
        /// The next counter value to use.
        counter: u64,
    },
    Totp {
        algorithm: String,
        digits: u8,
        period: u64,
    },
    Mosaic {
        digits: u8,
        hash: String,
        portal_origin: String,
        user_id: String,
        /// The portal's token id, hex.
        portal_token_id: String,
    },
}

/// The passcode slot: the vault key sealed under a key from
/// Argon2id(passcode, salt), bound to the device's hardware MAC.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct PasscodeSlot {
    pub kdf: KdfParams,
    pub salt: Bytes,
    pub wrapped: Bytes,
    /// Whether the key went through `DeviceKeystore::hardware_mac`. Slots
    /// written before it existed have `false` and are rebound at the next
    /// successful unlock.
    #[serde(default)]
    pub hardware_bound: bool,
}

/// The biometric slot: the vault key sealed under a key the platform
/// releases with user presence.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct BiometricSlot {
    /// What the platform returned from `enroll` (opaque to the core).
    pub platform: Bytes,
    pub wrapped: Bytes,
}

/// One answered challenge.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Answered {
    pub token: u64,
    pub nonce: Bytes,
}

/// Non-secret bytes, stored as a CBOR byte string.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // byte_buf, not bytes: ciborium reads `bytes` through a 4 KiB scratch
        // buffer and refuses longer strings (the secrets table outgrows it).
        d.deserialize_byte_buf(BytesVisitor).map(Self)
    }
}

/// A key stored in the body (a challenge key): copied once into a zeroizing
/// buffer of its exact size.
pub(crate) struct StoredKey(pub SecretBytes);

impl Clone for StoredKey {
    fn clone(&self) -> Self {
        Self(SecretBytes::from_slice(self.0.expose()))
    }
}

impl Serialize for StoredKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0.expose())
    }
}

impl<'de> Deserialize<'de> for StoredKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_byte_buf(BytesVisitor)
            .map(|v| Self(SecretBytes::new(v)))
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a byte string")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // Not produced by our encoder; accepted for robustness, sized once.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out)
    }
}

/// Counts bytes, so that the encoding can be written into a buffer
/// allocated once (no reallocation leaves a copy behind).
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn encode_body(body: &Body) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let mut counter = Counter(0);
    ciborium::into_writer(body, &mut counter)
        .map_err(|_| VaultError::Corrupted("the vault cannot be encoded".into()))?;
    let mut out = Zeroizing::new(Vec::with_capacity(counter.0));
    ciborium::into_writer(body, &mut *out)
        .map_err(|_| VaultError::Corrupted("the vault cannot be encoded".into()))?;
    Ok(out)
}

pub(crate) fn decode_body(bytes: &[u8]) -> Result<Body, VaultError> {
    let body: Body = ciborium::from_reader(bytes)
        // The decoder's message may quote a stored value: leave it out.
        .map_err(|_| VaultError::Corrupted("the vault does not decode".into()))?;
    if body.v != u32::from(VERSION) {
        return Err(VaultError::UnsupportedVersion(body.v));
    }
    Ok(body)
}

/// The OTP keys by token id. Encoded as repeated
/// `id u64 BE | length u16 BE | key bytes`.
#[derive(Default)]
pub(crate) struct SecretsTable(pub BTreeMap<u64, SecretBytes>);

impl SecretsTable {
    pub(crate) fn encode(&self) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let len = self
            .0
            .values()
            .map(|k| 10usize.saturating_add(k.len()))
            .sum();
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        for (id, key) in &self.0 {
            let key_len = u16::try_from(key.len())
                .map_err(|_| VaultError::InvalidToken("the key is too long".into()))?;
            out.extend_from_slice(&id.to_be_bytes());
            out.extend_from_slice(&key_len.to_be_bytes());
            out.extend_from_slice(key.expose());
        }
        Ok(out)
    }

    pub(crate) fn decode(mut bytes: &[u8]) -> Result<Self, VaultError> {
        let bad = || VaultError::Corrupted("the secret section is malformed".into());
        let mut table = BTreeMap::new();
        while !bytes.is_empty() {
            let (id, rest) = bytes.split_first_chunk::<8>().ok_or_else(bad)?;
            let (len, rest) = rest.split_first_chunk::<2>().ok_or_else(bad)?;
            let (key, rest) = rest
                .split_at_checked(usize::from(u16::from_be_bytes(*len)))
                .ok_or_else(bad)?;
            if table
                .insert(u64::from_be_bytes(*id), SecretBytes::from_slice(key))
                .is_some()
            {
                return Err(bad());
            }
            bytes = rest;
        }
        Ok(Self(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_table_round_trip_and_malformed() {
        let mut t = SecretsTable::default();
        t.0.insert(1, SecretBytes::from_slice(b"key-one"));
        t.0.insert(7, SecretBytes::from_slice(&[9; 300]));
        let enc = t.encode().unwrap();
        assert_eq!(enc.len(), 10 + 7 + 10 + 300);
        let back = SecretsTable::decode(&enc).unwrap();
        assert_eq!(back.0.len(), 2);
        assert_eq!(back.0[&7].expose(), &[9; 300]);
        for cut in [1, 9, 11, enc.len() - 1] {
            assert!(SecretsTable::decode(&enc[..cut]).is_err(), "{cut}");
        }
        assert!(SecretsTable::decode(&[]).unwrap().0.is_empty());
    }

    /// Size limit checked before any parsing (and so before the device key
    /// or the CBOR decoder see the bytes).
    #[test]
    fn blobs_over_the_limit_are_refused_before_parsing() {
        let mut big = sealed_blob(&vec![0u8; MAX_BLOB_LEN - HEADER_LEN]);
        assert_eq!(big.len(), MAX_BLOB_LEN);
        assert!(matches!(parse_blob(&big), Ok(Blob::Sealed(_))));
        big.push(0);
        assert!(matches!(parse_blob(&big), Err(VaultError::Corrupted(m)) if m.contains("bytes")));
        // Even a valid wipe marker is refused when padded past the limit.
        let mut wiped = wiped_blob(1);
        wiped.resize(MAX_BLOB_LEN + 1, 0);
        assert!(matches!(parse_blob(&wiped), Err(VaultError::Corrupted(_))));
    }

    #[test]
    fn blob_headers() {
        assert!(matches!(
            parse_blob(&wiped_blob(42)),
            Ok(Blob::Wiped { at: 42 })
        ));
        assert!(matches!(
            parse_blob(&sealed_blob(b"xyz")),
            Ok(Blob::Sealed(b"xyz"))
        ));
        assert!(matches!(parse_blob(b"TSRV"), Err(VaultError::Corrupted(_))));
        assert!(matches!(
            parse_blob(b"XXXX\x01\x00abc"),
            Err(VaultError::Corrupted(_))
        ));
        assert_eq!(
            parse_blob(b"TSRV\x02\x00abc").err(),
            Some(VaultError::UnsupportedVersion(2))
        );
    }
}

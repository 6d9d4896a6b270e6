//! One-time passwords: HOTP (RFC 4226), TOTP (RFC 6238) and OCRA (RFC 6287).
//!
//! Time and counters are always parameters; nothing here reads a clock.
//! Verification compares every candidate in its window in constant time and
//! returns `Result`, never `bool`.

mod error;
mod hotp;
pub mod ocra;
mod totp;

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use subtle::ConditionallySelectable;
use zeroize::Zeroizing;

pub use error::OtpError;
pub use hotp::Hotp;
pub use ocra::{Ocra, OcraInput, OcraSuite, Pin};
pub use totp::Totp;

use crate::secret::{OtpCode, SecretBytes};

/// The largest verification window the engines accept (candidates on each side).
pub const MAX_WINDOW: u32 = 1000;

/// The hash function under HMAC (and for OCRA PIN hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// SHA-1, the default of RFC 4226 and of most tokens.
    #[default]
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// The canonical name: `SHA1`, `SHA256` or `SHA512` (as in Key URIs and OCRA suites).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// Output length of the hash (and of the HMAC) in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }

    /// HMAC of the concatenation of `parts` under `key`.
    pub(crate) fn hmac(self, key: &[u8], parts: &[&[u8]]) -> Digest {
        fn run<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Digest {
            // HMAC takes keys of any length, so this cannot fail; an empty
            // digest would only make every comparison fail.
            let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
                return Digest::default();
            };
            for part in parts {
                mac.update(part);
            }
            Digest::from_slice(&mac.finalize().into_bytes())
        }
        match self {
            Self::Sha1 => run::<Hmac<sha1::Sha1>>(key, parts),
            Self::Sha256 => run::<Hmac<sha2::Sha256>>(key, parts),
            Self::Sha512 => run::<Hmac<sha2::Sha512>>(key, parts),
        }
    }

    /// Plain hash of `data` (OCRA's PIN hash).
    pub(crate) fn digest(self, data: &[u8]) -> Digest {
        use sha2::Digest as _;
        match self {
            Self::Sha1 => Digest::from_slice(&sha1::Sha1::digest(data)),
            Self::Sha256 => Digest::from_slice(&sha2::Sha256::digest(data)),
            Self::Sha512 => Digest::from_slice(&sha2::Sha512::digest(data)),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = OtpError;

    /// Accepts the spellings real issuers use: `SHA1`, `sha1`, `SHA-1`,
    /// `HmacSHA1`, `HMAC-SHA-256`, ...
    fn from_str(s: &str) -> Result<Self, OtpError> {
        let mut norm: String = s
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_uppercase)
            .collect();
        if let Some(rest) = norm.strip_prefix("HMAC") {
            norm = rest.to_owned();
        }
        match norm.as_str() {
            "SHA1" => Ok(Self::Sha1),
            "SHA256" => Ok(Self::Sha256),
            "SHA512" => Ok(Self::Sha512),
            _ => Err(OtpError::UnknownAlgorithm(s.chars().take(32).collect())),
        }
    }
}

/// A hash or HMAC output, zeroized on drop.
pub(crate) struct Digest {
    bytes: Zeroizing<[u8; 64]>,
    len: usize,
}

impl Default for Digest {
    fn default() -> Self {
        Self {
            bytes: Zeroizing::new([0; 64]),
            len: 0,
        }
    }
}

impl Digest {
    fn from_slice(bytes: &[u8]) -> Self {
        let mut out = Self::default();
        let len = bytes.len().min(64);
        if let (Some(dst), Some(src)) = (out.bytes.get_mut(..len), bytes.get(..len)) {
            dst.copy_from_slice(src);
            out.len = len;
        }
        out
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// The secret of an OTP token.
///
/// [`OtpKey::new`] is for keys created now and requires at least 128 bits
/// (RFC 4226 R6). [`OtpKey::import`] accepts the shorter secrets that existing
/// tokens carry (80-bit Google Authenticator secrets are common) and
/// [`OtpKey::is_short`] reports them.
#[derive(Debug)]
pub struct OtpKey {
    bytes: SecretBytes,
}

impl OtpKey {
    /// Smallest key size for new keys, in bits.
    pub const MIN_BITS: usize = 128;
    /// Largest key accepted, in bytes.
    pub const MAX_BYTES: usize = 1024;

    /// A key for a token being created: 128 bits or more.
    pub fn new(bytes: Vec<u8>) -> Result<Self, OtpError> {
        let key = Self::import(bytes)?;
        if key.is_short() {
            return Err(OtpError::KeyTooShort { bits: key.bits() });
        }
        Ok(key)
    }

    /// A key of an existing token: any non-empty length up to [`Self::MAX_BYTES`].
    pub fn import(bytes: Vec<u8>) -> Result<Self, OtpError> {
        let bytes = SecretBytes::new(bytes);
        if bytes.is_empty() {
            return Err(OtpError::EmptyKey);
        }
        if bytes.len() > Self::MAX_BYTES {
            return Err(OtpError::KeyTooLong {
                bytes: bytes.len(),
                max: Self::MAX_BYTES,
            });
        }
        Ok(Self { bytes })
    }

    /// Key length in bits.
    pub fn bits(&self) -> usize {
        self.bytes.len().saturating_mul(8)
    }

    /// Whether the key is shorter than the 128 bits required of new keys.
    pub fn is_short(&self) -> bool {
        self.bits() < Self::MIN_BITS
    }

    /// The key bytes (for storage in the vault, or export).
    pub fn expose(&self) -> &[u8] {
        self.bytes.expose()
    }

    /// A second handle on the same key (explicit: keys are not `Clone`).
    pub fn duplicate(&self) -> Self {
        Self {
            bytes: SecretBytes::from_slice(self.bytes.expose()),
        }
    }
}

/// RFC 4226 §5.3 dynamic truncation to a 31-bit integer.
pub(crate) fn dynamic_truncate(mac: &[u8]) -> u32 {
    let offset = mac.last().map_or(0, |b| usize::from(b & 0x0f));
    let mut word = [0u8; 4];
    if let Some(src) = mac.get(offset..offset.saturating_add(4)) {
        word.copy_from_slice(src);
    }
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// `value mod 10^digits`, left-padded with zeros to `digits` characters.
pub(crate) fn decimal_code(value: u32, digits: u8) -> OtpCode {
    let modulus = 10u64.saturating_pow(u32::from(digits));
    let code = u64::from(value) % modulus;
    OtpCode::new(format!("{code:0width$}", width = usize::from(digits)))
}

/// Checks a verification window against [`MAX_WINDOW`].
pub(crate) fn check_window(window: u32) -> Result<(), OtpError> {
    if window > MAX_WINDOW {
        return Err(OtpError::WindowTooLarge {
            got: window,
            max: MAX_WINDOW,
        });
    }
    Ok(())
}

/// Compares `typed` with every candidate, without stopping at the first match
/// and without branching on secret data, and returns the offset of the
/// matching candidate. Offsets are tried in the order given; when two
/// candidates match, the first is reported.
pub(crate) fn find_in_window(
    typed: &str,
    candidates: impl Iterator<Item = Result<(i64, OtpCode), OtpError>>,
) -> Result<i64, OtpError> {
    let mut found = subtle::Choice::from(0);
    let mut offset = 0i64;
    for candidate in candidates {
        let (this_offset, code) = candidate?;
        let is_match = code.ct_eq_str(typed) & !found;
        offset = i64::conditional_select(&offset, &this_offset, is_match);
        found |= is_match;
    }
    if bool::from(found) {
        Ok(offset)
    } else {
        Err(OtpError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_spellings() {
        for s in ["SHA1", "sha1", "SHA-1", "HmacSHA1", "hmac-sha-1", "Sha1"] {
            assert_eq!(s.parse::<Algorithm>(), Ok(Algorithm::Sha1), "{s}");
        }
        assert_eq!("SHA-256".parse::<Algorithm>(), Ok(Algorithm::Sha256));
        assert_eq!("sha512".parse::<Algorithm>(), Ok(Algorithm::Sha512));
        for s in ["MD5", "", "SHA3", "SHA-384", "SHA1x"] {
            assert!(
                matches!(s.parse::<Algorithm>(), Err(OtpError::UnknownAlgorithm(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn rfc4226_truncation_example() {
        // RFC 4226 §5.4.
        let mac = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncate(&mac), 0x50ef7f19);
        assert_eq!(decimal_code(0x50ef7f19, 6).as_str(), "872921");
    }

    #[test]
    fn key_lengths() {
        assert_eq!(
            OtpKey::new(vec![1; 15]).err(),
            Some(OtpError::KeyTooShort { bits: 120 })
        );
        assert!(OtpKey::new(vec![1; 16]).is_ok());
        let legacy = OtpKey::import(vec![1; 10]).unwrap();
        assert!(legacy.is_short());
        assert_eq!(legacy.bits(), 80);
        assert_eq!(OtpKey::import(vec![]).err(), Some(OtpError::EmptyKey));
        assert!(matches!(
            OtpKey::import(vec![0; 1025]),
            Err(OtpError::KeyTooLong { .. })
        ));
    }

    #[test]
    fn window_reports_first_match() {
        let codes = [(0, "1"), (1, "2"), (2, "2")]
            .into_iter()
            .map(|(o, c)| Ok((o, OtpCode::new(c.to_owned()))));
        assert_eq!(find_in_window("2", codes.clone()), Ok(1));
        assert_eq!(find_in_window("3", codes), Err(OtpError::NoMatch));
    }
}

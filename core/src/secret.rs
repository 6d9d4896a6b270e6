//! Byte strings that must not leak: zeroized when dropped, redacted in `Debug`,
//! compared in constant time, and never `Clone`, `Display` or `Serialize`.

use std::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

/// Secret bytes (a key, a seed, a passcode-derived value).
///
/// The buffer is allocated once at its exact size and overwritten with zeros
/// when the value is dropped. `Debug` prints `SecretBytes([REDACTED])`.
/// Equality is constant-time.
pub struct SecretBytes(Box<[u8]>);

impl SecretBytes {
    /// Takes ownership of `bytes` without leaving an unzeroized copy behind.
    pub fn new(bytes: Vec<u8>) -> Self {
        let mut bytes = bytes;
        if bytes.len() == bytes.capacity() {
            return Self(bytes.into_boxed_slice());
        }
        // `into_boxed_slice` would reallocate and free the old buffer unzeroized.
        let exact: Box<[u8]> = bytes.as_slice().into();
        bytes.zeroize();
        Self(exact)
    }

    /// Copies `bytes` into a new secret; the caller keeps responsibility for its copy.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.into())
    }

    /// The secret bytes, for the computation that needs them. Do not copy them
    /// into a type that does not zeroize.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes([REDACTED])")
    }
}

impl ConstantTimeEq for SecretBytes {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretBytes {}

/// A one-time password as shown to the user: decimal digits, or lowercase hex
/// for an OCRA suite with truncation 0.
///
/// It is short-lived but still a credential: zeroized on drop, redacted in
/// `Debug`, no `Display` (read it with [`OtpCode::as_str`] where it is shown).
pub struct OtpCode(Zeroizing<String>);

impl OtpCode {
    pub(crate) fn new(code: String) -> Self {
        Self(Zeroizing::new(code))
    }

    /// The code's characters, for display or for typing into a form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the code is empty (never true for a computed code).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time comparison with a code a user typed. The length is not
    /// secret (it is fixed by the token's parameters).
    pub fn ct_eq_str(&self, typed: &str) -> Choice {
        self.0.as_bytes().ct_eq(typed.as_bytes())
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpCode([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(b"canary-secret");
        let shown = format!("{s:?} {:?}", OtpCode::new("123456".into()));
        assert!(!shown.contains("canary"), "{shown}");
        assert!(!shown.contains("123456"), "{shown}");
        assert!(shown.contains("[REDACTED]"));
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(
            SecretBytes::from_slice(b"abc"),
            SecretBytes::new(b"abc".to_vec())
        );
        assert_ne!(
            SecretBytes::from_slice(b"abc"),
            SecretBytes::from_slice(b"abd")
        );
        assert_ne!(
            SecretBytes::from_slice(b"abc"),
            SecretBytes::from_slice(b"abcd")
        );
    }

    #[test]
    fn new_keeps_bytes_when_capacity_exceeds_length() {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(b"key");
        assert_eq!(SecretBytes::new(v).expose(), b"key");
    }

    #[test]
    fn code_comparison() {
        let code = OtpCode::new("123456".into());
        assert!(bool::from(code.ct_eq_str("123456")));
        assert!(!bool::from(code.ct_eq_str("123457")));
        assert!(!bool::from(code.ct_eq_str("12345")));
    }
}

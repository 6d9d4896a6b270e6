//! AES-256-GCM from ring with a fresh random 96-bit nonce per seal, and the
//! system CSPRNG (SECURITY-CHECKS C34). Sealed data is `nonce || ciphertext || tag`.
//!
//! Public so that platform code written in Rust (the desktop keystore, test
//! doubles) wraps with the same primitive instead of bringing its own.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::secret::SecretBytes;

/// Length of keys in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// What sealing adds to the plaintext: nonce and tag.
pub const OVERHEAD: usize = NONCE_LEN + 16;

/// Why sealing or opening failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AeadError {
    /// The key is not 32 bytes, or the system random source failed.
    #[error("bad key or no randomness")]
    Setup,
    /// The sealed data is truncated, was modified, or was sealed under another
    /// key or associated data.
    #[error("the data does not authenticate")]
    Rejected,
}

/// `n` bytes from the system CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AeadError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| AeadError::Setup)?;
    Ok(out)
}

/// A new random 256-bit key.
pub fn generate_key() -> Result<SecretBytes, AeadError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    SystemRandom::new()
        .fill(key.as_mut())
        .map_err(|_| AeadError::Setup)?;
    Ok(SecretBytes::from_slice(key.as_ref()))
}

fn less_safe_key(key: &[u8]) -> Result<LessSafeKey, AeadError> {
    // ring does not zeroize its AES key schedule; it lives on the stack only
    // for the duration of one call.
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| AeadError::Setup)
}

/// Seals `plaintext` under `key` with associated data `aad`. The output is
/// allocated once at its final size, so no partial copy of the plaintext is
/// left in freed memory.
pub fn seal(key: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, AeadError> {
    let key = less_safe_key(key)?;
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let mut out = Vec::with_capacity(plaintext.len().saturating_add(OVERHEAD));
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(plaintext);
    let body = out.get_mut(NONCE_LEN..).ok_or(AeadError::Setup)?;
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(aad),
            body,
        )
        .map_err(|_| AeadError::Setup)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens what [`seal`] produced. The plaintext is returned in a buffer that
/// is zeroized when dropped.
pub fn open(key: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, AeadError> {
    let key = less_safe_key(key)?;
    let (nonce, body) = sealed
        .split_first_chunk::<NONCE_LEN>()
        .ok_or(AeadError::Rejected)?;
    let mut buf = Zeroizing::new(body.to_vec());
    let len = key
        .open_in_place(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            buf.as_mut_slice(),
        )
        .map_err(|_| AeadError::Rejected)?
        .len();
    // Shrinking the length keeps the allocation; the tag bytes stay in it
    // and are zeroized with the rest on drop.
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = generate_key().unwrap();
        let sealed = seal(key.expose(), b"aad", b"secret").unwrap();
        assert_eq!(sealed.len(), 6 + OVERHEAD);
        assert_eq!(
            open(key.expose(), b"aad", &sealed).unwrap().as_slice(),
            b"secret"
        );
        assert_eq!(
            open(key.expose(), b"other", &sealed).err(),
            Some(AeadError::Rejected)
        );
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(
                open(key.expose(), b"aad", &bad).err(),
                Some(AeadError::Rejected)
            );
        }
        assert_eq!(
            open(key.expose(), b"aad", &sealed[..10]).err(),
            Some(AeadError::Rejected)
        );
        // Fresh nonce every time.
        assert_ne!(sealed, seal(key.expose(), b"aad", b"secret").unwrap());
        assert_eq!(seal(b"short", b"", b"x").err(), Some(AeadError::Setup));
    }
}

//! The one AES-256-GCM of the workspace (ring), and randomness as a
//! parameter (the system CSPRNG in production, check C34).
//!
//! Two framings: [`seal`]/[`open`] draw a fresh random 96-bit nonce and
//! store it in front (`nonce || ciphertext || tag`: the vault, the desktop
//! keystore); [`seal_with_nonce`]/[`open_with_nonce`] take a nonce that the
//! caller carries elsewhere (the mosaic envelope's COSE IV).
//!
//! Public so that platform code written in Rust (the desktop keystore, test
//! doubles) wraps with the same primitive instead of bringing its own.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Block, Params, Version};
pub use ring::aead::NONCE_LEN;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
pub use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::secret::SecretBytes;

/// Length of keys in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// Length of the authentication tag in bytes.
pub const TAG_LEN: usize = 16;
/// What [`seal`] adds to the plaintext: nonce and tag.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;

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

/// HMAC-SHA256 of the concatenated `parts` under `key`, in a buffer that
/// is zeroized when dropped (the output is often a key).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Result<Zeroizing<[u8; 32]>, AeadError> {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac =
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).map_err(|_| AeadError::Setup)?;
    for part in parts {
        mac.update(part);
    }
    let mut digest = mac.finalize().into_bytes();
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(digest.as_slice());
    zeroize::Zeroize::zeroize(digest.as_mut_slice());
    Ok(out)
}

/// Why Argon2id refused to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KdfError {
    /// The cost parameters are outside what Argon2 accepts.
    #[error("invalid Argon2 parameters")]
    Parameters,
    /// The memory cost does not fit this platform's address space.
    #[error("Argon2 memory does not fit")]
    Memory,
    /// Argon2 itself failed (salt or output length).
    #[error("Argon2 failed")]
    Failed,
}

/// Argon2id (v1.3) of `secret` under `salt` into a 32-byte key, with
/// `memory_kib` KiB, `passes` passes and `lanes` lanes. The work memory is
/// ours and zeroized afterwards: argon2 frees its own blocks without
/// clearing them, and the last ones determine the output. The one Argon2id
/// of the core: the passcode slot and the activation code both use it.
pub fn argon2id(
    secret: &[u8],
    salt: &[u8],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<SecretBytes, KdfError> {
    let params =
        Params::new(memory_kib, passes, lanes, Some(KEY_LEN)).map_err(|_| KdfError::Parameters)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let blocks = usize::try_from(memory_kib).map_err(|_| KdfError::Memory)?;
    let mut memory: Zeroizing<Vec<Block>> = Zeroizing::new(vec![Block::default(); blocks]);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into_with_memory(secret, salt, out.as_mut(), memory.as_mut_slice())
        .map_err(|_| KdfError::Failed)?;
    Ok(SecretBytes::from_slice(out.as_ref()))
}

/// The system's CSPRNG, as the shared handle [`Platform`](crate::platform::Platform) keeps.
pub fn system_random() -> Arc<dyn SecureRandom + Send + Sync> {
    Arc::new(SystemRandom::new())
}

/// `N` bytes from `rng`.
pub fn random_bytes<const N: usize>(rng: &dyn SecureRandom) -> Result<[u8; N], AeadError> {
    let mut out = [0u8; N];
    rng.fill(&mut out).map_err(|_| AeadError::Setup)?;
    Ok(out)
}

/// A new random 256-bit key from `rng`.
pub fn generate_key(rng: &dyn SecureRandom) -> Result<SecretBytes, AeadError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    rng.fill(key.as_mut()).map_err(|_| AeadError::Setup)?;
    Ok(SecretBytes::from_slice(key.as_ref()))
}

fn less_safe_key(key: &[u8]) -> Result<LessSafeKey, AeadError> {
    // ring does not zeroize its AES key schedule; it lives on the stack only
    // for the duration of one call.
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| AeadError::Setup)
}

/// Seals `plaintext` under `key` with associated data `aad` and a fresh
/// nonce from `rng`, returned as `nonce || ciphertext || tag`.
pub fn seal(
    key: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, AeadError> {
    let nonce = random_bytes::<NONCE_LEN>(rng)?;
    seal_into(key, &nonce, aad, plaintext, nonce.to_vec())
}

/// Seals `plaintext` under `key` with `nonce`, which the caller carries
/// itself and must never repeat under the same key: `ciphertext || tag`.
pub fn seal_with_nonce(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, AeadError> {
    seal_into(key, nonce, aad, plaintext, Vec::new())
}

/// Appends `ciphertext || tag` to `out`. The output is allocated once at its
/// final size, so no partial copy of the plaintext is left in freed memory.
fn seal_into(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
    mut out: Vec<u8>,
) -> Result<Vec<u8>, AeadError> {
    let key = less_safe_key(key)?;
    let start = out.len();
    out.reserve_exact(plaintext.len().saturating_add(TAG_LEN));
    out.extend_from_slice(plaintext);
    let body = out.get_mut(start..).ok_or(AeadError::Setup)?;
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), body)
        .map_err(|_| AeadError::Setup)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens what [`seal`] produced. The plaintext is returned in a buffer that
/// is zeroized when dropped.
pub fn open(key: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, AeadError> {
    let (nonce, body) = sealed
        .split_first_chunk::<NONCE_LEN>()
        .ok_or(AeadError::Rejected)?;
    open_with_nonce(key, nonce, aad, body)
}

/// Opens what [`seal_with_nonce`] produced under the same `nonce`. The
/// plaintext is returned in a buffer that is zeroized when dropped.
pub fn open_with_nonce(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, AeadError> {
    let key = less_safe_key(key)?;
    let mut buf = Zeroizing::new(sealed.to_vec());
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
        let rng = SystemRandom::new();
        let key = generate_key(&rng).unwrap();
        let sealed = seal(key.expose(), b"aad", b"secret", &rng).unwrap();
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
        assert_ne!(sealed, seal(key.expose(), b"aad", b"secret", &rng).unwrap());
        assert_eq!(
            seal(b"short", b"", b"x", &rng).err(),
            Some(AeadError::Setup)
        );
    }

    #[test]
    fn a_given_nonce_is_the_prefixed_framing_without_its_prefix() {
        let rng = SystemRandom::new();
        let key = generate_key(&rng).unwrap();
        let sealed = seal(key.expose(), b"aad", b"secret", &rng).unwrap();
        let (nonce, body) = sealed.split_first_chunk::<NONCE_LEN>().unwrap();
        assert_eq!(
            seal_with_nonce(key.expose(), nonce, b"aad", b"secret").unwrap(),
            body
        );
        assert_eq!(
            open_with_nonce(key.expose(), nonce, b"aad", body)
                .unwrap()
                .as_slice(),
            b"secret"
        );
        let other = [0u8; NONCE_LEN];
        assert_eq!(
            open_with_nonce(key.expose(), &other, b"aad", body).err(),
            Some(AeadError::Rejected)
        );
    }
}

//! The slots' and the secret section's cryptography: the passcode slot
//! (Argon2id → AES-GCM), the vault key's checks, the sealed secrets table.

use zeroize::Zeroizing;

use super::format::{BiometricSlot, Body, Bytes, PasscodeSlot, SecretsTable};
use super::{KdfParams, Passcode, VaultError, kdf};
use crate::crypto::{self, AeadError, SecureRandom};
use crate::platform::{DeviceKeystore, Platform};
use crate::secret::SecretBytes;

const SECRETS_AAD: &[u8] = b"tessera/vault/secrets/v1";
const PASSCODE_SLOT_AAD: &[u8] = b"tessera/vault/slot/passcode/v1";
/// Domain label of the bound passcode slot's key.
const PASSCODE_KEK_LABEL: &[u8] = b"tessera/vault/slot/passcode/hardware-bound/v1";
/// Shortest hardware MAC accepted (HMAC-SHA256, a P-256 shared secret).
const MIN_HARDWARE_MAC_LEN: usize = 32;
const BIOMETRIC_SLOT_AAD: &[u8] = b"tessera/vault/slot/biometric/v1";
const SALT_LEN: usize = 16;

pub(super) fn crypto_error(e: AeadError) -> VaultError {
    match e {
        AeadError::Setup => VaultError::Crypto("AES-GCM or the random source failed"),
        AeadError::Rejected => VaultError::Crypto("data does not authenticate"),
    }
}

pub(super) fn new_salt(rng: &dyn SecureRandom) -> Result<Bytes, VaultError> {
    crypto::random_bytes::<SALT_LEN>(rng)
        .map(|s| Bytes(s.to_vec()))
        .map_err(crypto_error)
}

/// A new passcode slot for `vault_key`, bound to the device's hardware MAC.
pub(super) fn passcode_slot(
    passcode: &Passcode,
    vault_key: &SecretBytes,
    kdf: KdfParams,
    platform: &Platform,
) -> Result<PasscodeSlot, VaultError> {
    let rng = platform.random.as_ref();
    let salt = new_salt(rng)?;
    let kek = passcode_kek(passcode, &salt.0, &kdf, true, platform.keystore.as_ref())?;
    let wrapped = crypto::seal(kek.expose(), PASSCODE_SLOT_AAD, vault_key.expose(), rng)
        .map_err(crypto_error)?;
    Ok(PasscodeSlot {
        kdf,
        salt,
        wrapped: Bytes(wrapped),
        hardware_bound: true,
    })
}

/// The key that seals a passcode slot. Argon2id stretches the passcode;
/// for a bound slot its output then goes through the device's hardware MAC
/// and both are combined (HMAC-SHA256 keyed by the stretched passcode over
/// a label and the MAC), so that testing a guess needs one operation of a
/// key that never leaves the device.
fn passcode_kek(
    passcode: &Passcode,
    salt: &[u8],
    kdf: &KdfParams,
    bound: bool,
    keystore: &dyn DeviceKeystore,
) -> Result<SecretBytes, VaultError> {
    let stretched = kdf::derive(passcode.expose(), salt, kdf)?;
    if !bound {
        return Ok(stretched);
    }
    let mac = Zeroizing::new(keystore.hardware_mac(stretched.expose())?);
    if mac.len() < MIN_HARDWARE_MAC_LEN {
        return Err(VaultError::KeystoreUnavailable(
            "the hardware MAC is shorter than 32 bytes".into(),
        ));
    }
    let kek = crypto::hmac_sha256(stretched.expose(), &[PASSCODE_KEK_LABEL, &mac])
        .map_err(crypto_error)?;
    Ok(SecretBytes::from_slice(kek.as_ref()))
}

pub(super) fn seal_secrets(
    vault_key: &SecretBytes,
    table: &SecretsTable,
    rng: &dyn SecureRandom,
) -> Result<Bytes, VaultError> {
    let plain = table.encode()?;
    crypto::seal(vault_key.expose(), SECRETS_AAD, &plain, rng)
        .map(Bytes)
        .map_err(crypto_error)
}

pub(super) fn open_secrets(
    vault_key: &SecretBytes,
    body: &Body,
) -> Result<SecretsTable, VaultError> {
    let plain = crypto::open(vault_key.expose(), SECRETS_AAD, &body.secrets.0)
        .map_err(|_| VaultError::Corrupted("the secret section does not authenticate".into()))?;
    SecretsTable::decode(&plain)
}

pub(super) fn vault_key_from(plain: Zeroizing<Vec<u8>>) -> Result<SecretBytes, VaultError> {
    if plain.len() != crypto::KEY_LEN {
        return Err(VaultError::Corrupted(
            "the vault key has the wrong length".into(),
        ));
    }
    Ok(SecretBytes::from_slice(&plain))
}

/// The vault key behind the passcode slot, or `None` when `passcode` does
/// not open it (runs the slot's KDF and, for a bound slot, the hardware MAC).
pub(super) fn open_passcode_slot(
    passcode: &Passcode,
    slot: &PasscodeSlot,
    keystore: &dyn DeviceKeystore,
) -> Result<Option<SecretBytes>, VaultError> {
    let kek = passcode_kek(
        passcode,
        &slot.salt.0,
        &slot.kdf,
        slot.hardware_bound,
        keystore,
    )?;
    match crypto::open(kek.expose(), PASSCODE_SLOT_AAD, &slot.wrapped.0) {
        Ok(plain) => vault_key_from(plain).map(Some),
        Err(_) => Ok(None),
    }
}

/// The biometric slot: the vault key sealed under `slot_key`, beside the
/// platform's blob that protects `slot_key`.
pub(super) fn biometric_slot(
    slot_key: &SecretBytes,
    vault_key: &SecretBytes,
    platform_blob: Vec<u8>,
    rng: &dyn SecureRandom,
) -> Result<BiometricSlot, VaultError> {
    let wrapped = crypto::seal(
        slot_key.expose(),
        BIOMETRIC_SLOT_AAD,
        vault_key.expose(),
        rng,
    )
    .map_err(crypto_error)?;
    Ok(BiometricSlot {
        platform: Bytes(platform_blob),
        wrapped: Bytes(wrapped),
    })
}

/// The vault key behind the biometric slot, or `None` when the key the
/// platform returned does not open it.
pub(super) fn open_biometric_slot(
    key: &[u8],
    slot: &BiometricSlot,
) -> Result<Option<SecretBytes>, VaultError> {
    match crypto::open(key, BIOMETRIC_SLOT_AAD, &slot.wrapped.0) {
        Ok(plain) => vault_key_from(plain).map(Some),
        Err(_) => Ok(None),
    }
}

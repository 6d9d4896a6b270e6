//! The end of an activation: the device's own secret, the token's final
//! keys, and the confirmation code the user types back into the portal.
//!
//! The offer's keys are only a starting point: whoever saw the mosaic and
//! the activation code (a screenshot, a shared screen) can open the offer
//! too. So the device draws a secret `d` of 80 bits and the token's keys
//! become
//!
//! ```text
//! ocra      = HMAC-SHA256(offer ocra key,      "tessera/activation/device-secret/ocra"      || d)
//! challenge = HMAC-SHA256(offer challenge key, "tessera/activation/device-secret/challenge" || d)
//! ```
//!
//! `d` reaches the portal in the confirmation code, Crockford base32 of
//! `d || check` (15 bytes, 24 characters, `ABCD-EFGH-…`), where `check` is
//! the first 5 bytes of HMAC-SHA256(final OCRA key,
//! `"tessera/activation/confirmation"` || offer nonce): it proves that the
//! device opened the offer and catches typing slips. The portal keeps the
//! final keys of the first confirmation it accepts; the offer's keys, and
//! every other device that opened the same offer, are then worthless.

use ring::rand::SecureRandom;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::activation::{ALPHABET, crockford_symbol, is_separator};
use super::envelope::NONCE_LEN;
use super::{ActivationOffer, MosaicError, TokenKeys};
use crate::crypto;
use crate::secret::SecretBytes;

/// Length of the device secret, in bytes (80 bits).
pub const DEVICE_SECRET_LEN: usize = 10;
/// Length of the check that follows it in the confirmation code, in bytes.
const CHECK_LEN: usize = 5;
/// Bytes of a confirmation code: the device secret and the check.
const CODE_BYTES: usize = DEVICE_SECRET_LEN + CHECK_LEN;
/// Characters of a confirmation code (5 bits each).
pub const CONFIRMATION_CODE_LEN: usize = CODE_BYTES * 8 / 5;

const OCRA_LABEL: &[u8] = b"tessera/activation/device-secret/ocra";
const CHALLENGE_LABEL: &[u8] = b"tessera/activation/device-secret/challenge";
const CHECK_LABEL: &[u8] = b"tessera/activation/confirmation";

const FORM: &str = "24 letters and digits (no U), like ABCD-EFGH-JKMN-PQRS-TVWX-YZ01";

/// The device's contribution to its token's keys: 10 random bytes drawn at
/// activation, sent to the portal once in the confirmation code and never
/// stored by the device (it keeps only the keys derived from it).
pub struct DeviceSecret(Zeroizing<[u8; DEVICE_SECRET_LEN]>);

impl DeviceSecret {
    /// A fresh secret from `rng` (the platform's random source).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, MosaicError> {
        let mut bytes = Zeroizing::new([0u8; DEVICE_SECRET_LEN]);
        rng.fill(&mut *bytes).map_err(|_| MosaicError::Random)?;
        Ok(Self(bytes))
    }

    /// The token's final keys: the offer's keys made this device's own.
    pub fn derive_keys(&self, offer_keys: &TokenKeys) -> Result<TokenKeys, MosaicError> {
        let derive = |key: &SecretBytes, label: &[u8]| {
            crypto::hmac_sha256(key.expose(), &[label, self.0.as_slice()])
                .map(|k| SecretBytes::from_slice(k.as_slice()))
                .map_err(|_| MosaicError::InvalidField {
                    field: "keys",
                    reason: "must be 32 bytes each",
                })
        };
        Ok(TokenKeys {
            ocra: derive(&offer_keys.ocra, OCRA_LABEL)?,
            challenge: derive(&offer_keys.challenge, CHALLENGE_LABEL)?,
        })
    }
}

impl std::fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceSecret([REDACTED])")
    }
}

/// The check of a confirmation code, from the final OCRA key and the nonce.
fn check_of(
    final_ocra: &SecretBytes,
    nonce: &[u8; NONCE_LEN],
) -> Result<Zeroizing<[u8; CHECK_LEN]>, MosaicError> {
    let mac = crypto::hmac_sha256(final_ocra.expose(), &[CHECK_LABEL, nonce.as_slice()]).map_err(
        |_| MosaicError::InvalidField {
            field: "keys",
            reason: "must be 32 bytes each",
        },
    )?;
    let mut check = Zeroizing::new([0u8; CHECK_LEN]);
    check.copy_from_slice(mac.get(..CHECK_LEN).unwrap_or_default());
    Ok(check)
}

/// The code a freshly activated device shows and the user types into the
/// portal: the device secret and a check, 24 Crockford base32 characters
/// shown in groups of four (`ABCD-EFGH-JKMN-PQRS-TVWX-YZ01`). Typed by a
/// person, so parsing forgives case, spaces, dashes and the look-alikes
/// O/0, I/L/1. It carries the device secret: shown once, never logged.
pub struct ConfirmationCode {
    bytes: Zeroizing<[u8; CODE_BYTES]>,
    shown: Zeroizing<String>,
}

impl ConfirmationCode {
    fn from_bytes(bytes: Zeroizing<[u8; CODE_BYTES]>) -> Self {
        let mut shown = Zeroizing::new(String::with_capacity(CONFIRMATION_CODE_LEN + 5));
        for (i, group) in bytes.chunks(5).enumerate() {
            let mut acc = Zeroizing::new(0u64);
            for b in group {
                *acc = (*acc << 8) | u64::from(*b);
            }
            for j in 0..8 {
                if (i * 8 + j) % 4 == 0 && i + j > 0 {
                    shown.push('-');
                }
                let symbol = usize::try_from((*acc >> (35 - 5 * j)) & 31).unwrap_or(0);
                shown.push(char::from(ALPHABET.get(symbol).copied().unwrap_or(b'0')));
            }
        }
        Self { bytes, shown }
    }

    /// Reads a code as a person typed it. Anything that is not 24 symbols
    /// of the alphabet (after separators and look-alikes) is refused as
    /// malformed: a typing slip, not a wrong guess.
    pub fn parse(typed: &str) -> Result<Self, MosaicError> {
        let mut symbols = Zeroizing::new([0u8; CONFIRMATION_CODE_LEN]);
        let mut n = 0usize;
        for c in typed.chars().filter(|c| !is_separator(*c)) {
            let value = crockford_symbol(c)
                .and_then(|s| ALPHABET.iter().position(|a| *a == s))
                .ok_or(MosaicError::InvalidConfirmationCode(FORM))?;
            let slot = symbols
                .get_mut(n)
                .ok_or(MosaicError::InvalidConfirmationCode(FORM))?;
            *slot = u8::try_from(value).unwrap_or(0);
            n += 1;
        }
        if n != CONFIRMATION_CODE_LEN {
            return Err(MosaicError::InvalidConfirmationCode(FORM));
        }
        let mut bytes = Zeroizing::new([0u8; CODE_BYTES]);
        for (group, out) in symbols.chunks(8).zip(bytes.chunks_mut(5)) {
            let mut acc = Zeroizing::new(0u64);
            for s in group {
                *acc = (*acc << 5) | u64::from(*s);
            }
            for (k, b) in out.iter_mut().enumerate() {
                *b = u8::try_from((*acc >> (32 - 8 * k)) & 0xff).unwrap_or(0);
            }
        }
        Ok(Self::from_bytes(bytes))
    }

    /// The code in groups of four, for display or for typing into a form.
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    fn secret(&self) -> DeviceSecret {
        let mut d = Zeroizing::new([0u8; DEVICE_SECRET_LEN]);
        d.copy_from_slice(self.bytes.get(..DEVICE_SECRET_LEN).unwrap_or_default());
        DeviceSecret(d)
    }

    fn check(&self) -> &[u8] {
        self.bytes.get(DEVICE_SECRET_LEN..).unwrap_or_default()
    }
}

impl std::fmt::Debug for ConfirmationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfirmationCode([REDACTED])")
    }
}

/// What a device keeps and shows once it has opened an offer.
#[derive(Debug)]
pub struct DeviceActivation {
    /// The token's final keys (for the vault; the offer's are dropped).
    pub keys: TokenKeys,
    /// The confirmation code for the portal.
    pub confirmation: ConfirmationCode,
}

/// The device's side: its final keys from `offer` and `secret`, and the
/// confirmation code that hands `secret` to the portal.
pub fn activate(
    offer: &ActivationOffer,
    secret: &DeviceSecret,
) -> Result<DeviceActivation, MosaicError> {
    let keys = secret.derive_keys(&offer.keys)?;
    let check = check_of(&keys.ocra, &offer.nonce)?;
    let mut bytes = Zeroizing::new([0u8; CODE_BYTES]);
    let (d, c) = bytes.split_at_mut(DEVICE_SECRET_LEN);
    d.copy_from_slice(secret.0.as_slice());
    c.copy_from_slice(check.as_slice());
    Ok(DeviceActivation {
        keys,
        confirmation: ConfirmationCode::from_bytes(bytes),
    })
}

/// The portal's side: checks (in constant time) that `code` was made from
/// the offer with `offer_keys` and `nonce`, and returns the token's final
/// keys — the ones to keep in place of the offer's. A wrong check is
/// `WrongResponse`.
pub fn verify_confirmation(
    offer_keys: &TokenKeys,
    nonce: &[u8; NONCE_LEN],
    code: &ConfirmationCode,
) -> Result<TokenKeys, MosaicError> {
    let keys = code.secret().derive_keys(offer_keys)?;
    let expected = check_of(&keys.ocra, nonce)?;
    if bool::from(expected.as_slice().ct_eq(code.check())) {
        Ok(keys)
    } else {
        Err(MosaicError::WrongResponse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(bytes: [u8; CODE_BYTES]) -> ConfirmationCode {
        ConfirmationCode::from_bytes(Zeroizing::new(bytes))
    }

    #[test]
    fn encodes_crockford_base32_in_groups_of_four() {
        assert_eq!(
            code_of([0; CODE_BYTES]).as_str(),
            "0000-0000-0000-0000-0000-0000"
        );
        assert_eq!(
            code_of([0xff; CODE_BYTES]).as_str(),
            "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"
        );
        // 0x00 0x44 0x32 0x14 0xC7 = 00000 00001 00010 00011 00100 00101 00110 00111
        let mut b = [0u8; CODE_BYTES];
        b[..5].copy_from_slice(&[0x00, 0x44, 0x32, 0x14, 0xC7]);
        assert!(code_of(b).as_str().starts_with("0123-4567-"));
        // The same bits as a generic base32 encoder with Crockford's alphabet.
        let mut spec = data_encoding::Specification::new();
        spec.symbols
            .push_str(std::str::from_utf8(ALPHABET).unwrap());
        let crockford = spec.encoding().unwrap();
        let bytes: [u8; CODE_BYTES] = core::array::from_fn(|i| (i as u8).wrapping_mul(151) ^ 0x3c);
        assert_eq!(
            code_of(bytes).as_str().replace('-', ""),
            crockford.encode(&bytes)
        );
    }

    #[test]
    fn parse_round_trips_and_forgives() {
        let bytes: [u8; CODE_BYTES] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
        let shown = code_of(bytes);
        let parsed = ConfirmationCode::parse(shown.as_str()).unwrap();
        assert_eq!(*parsed.bytes, bytes);
        let sloppy = shown.as_str().to_lowercase().replace('-', " ");
        assert_eq!(*ConfirmationCode::parse(&sloppy).unwrap().bytes, bytes);
        let ones = ConfirmationCode::parse("oooo-iiii-llll-0000-1111-OIL0").unwrap();
        assert_eq!(ones.as_str(), "0000-1111-1111-0000-1111-0110");
    }

    #[test]
    fn parse_refuses_what_is_not_a_code() {
        for bad in [
            "",
            "0000-0000-0000-0000-0000-000",
            "0000-0000-0000-0000-0000-00000",
            "0000-0000-0000-0000-0000-000U",
            "12345678",
            "0000-0000-0000-0000-0000-000é",
        ] {
            assert!(
                matches!(
                    ConfirmationCode::parse(bad),
                    Err(MosaicError::InvalidConfirmationCode(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let shown = format!(
            "{:?} {:?}",
            code_of([0; CODE_BYTES]),
            DeviceSecret(Zeroizing::new([0; DEVICE_SECRET_LEN]))
        );
        assert!(!shown.contains("0000"), "{shown}");
    }
}

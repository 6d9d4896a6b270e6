//! Payloads and QR symbols: error correction M, one byte-mode segment, the
//! smallest version that holds the payload.

use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

use crate::rng::Rng;

/// Payload alphabet: base64url, which every decoder reports as the same bytes.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Shortest and longest payloads, in bytes.
pub const PAYLOAD_LEN: (usize, usize) = (50, 300);

/// A QR symbol as a square of modules.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// Modules per side (without quiet zone).
    pub size: usize,
    /// Version 1..=40.
    pub version: i16,
    /// Row-major, true for dark (set) modules.
    pub modules: Vec<bool>,
}

impl Symbol {
    /// Whether module (x, y) is dark; false outside the symbol.
    pub fn dark(&self, x: isize, y: isize) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.size
            && (y as usize) < self.size
            && self.modules[y as usize * self.size + x as usize]
    }
}

/// A random base64url payload of 50 to 300 bytes.
pub fn random_payload(rng: &mut Rng) -> String {
    let n = rng.int(PAYLOAD_LEN.0, PAYLOAD_LEN.1);
    (0..n).map(|_| char::from(*rng.pick(ALPHABET))).collect()
}

/// Encodes `payload` as one byte-mode segment at EC level M, in the smallest
/// version that holds it.
pub fn encode(payload: &[u8]) -> Result<Symbol, String> {
    for v in 1..=40i16 {
        let mut bits = Bits::new(Version::Normal(v));
        if bits.push_byte_data(payload).is_err() || bits.push_terminator(EcLevel::M).is_err() {
            continue;
        }
        let code = QrCode::with_bits(bits, EcLevel::M)
            .map_err(|e| format!("qr encoding failed: {e:?}"))?;
        let size = code.width();
        let modules = code
            .to_colors()
            .iter()
            .map(|c| *c == qrcode::Color::Dark)
            .collect();
        return Ok(Symbol {
            size,
            version: v,
            modules,
        });
    }
    Err(format!(
        "a payload of {} bytes does not fit any QR version at level M",
        payload.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_payload_fits_version_13() {
        let s = encode(&[b'A'; PAYLOAD_LEN.1]).unwrap();
        assert_eq!(s.version, 13);
        let s = encode(&[b'A'; PAYLOAD_LEN.0]).unwrap();
        assert_eq!(s.version, 4);
        assert_eq!(s.size, 33);
    }
}

//! HOTP, RFC 4226: an HMAC over an 8-byte counter, dynamically truncated.

use super::{Algorithm, OtpError, OtpKey, check_window, decimal_code, dynamic_truncate};
use crate::secret::OtpCode;

/// An HOTP generator: key, hash and number of digits.
#[derive(Debug)]
pub struct Hotp {
    key: OtpKey,
    algorithm: Algorithm,
    digits: u8,
}

impl Hotp {
    /// Fewest digits accepted (RFC 4226 §5.3).
    pub const MIN_DIGITS: u8 = 6;
    /// Most digits accepted (RFC 4226 §5.3 allows 6 to 8; the 31-bit
    /// truncated value cannot fill more digits evenly).
    pub const MAX_DIGITS: u8 = 8;

    /// A generator, checking that `digits` is between 6 and 8.
    pub fn new(key: OtpKey, algorithm: Algorithm, digits: u32) -> Result<Self, OtpError> {
        let digits = check_digits(digits, Self::MIN_DIGITS, Self::MAX_DIGITS)?;
        Ok(Self {
            key,
            algorithm,
            digits,
        })
    }

    /// The hash function.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits of each code.
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The code for `counter`.
    pub fn generate(&self, counter: u64) -> OtpCode {
        let mac = self
            .algorithm
            .hmac(self.key.expose(), &[&counter.to_be_bytes()]);
        decimal_code(dynamic_truncate(mac.as_slice()), self.digits)
    }

    /// Checks `code` against the counters `counter ..= counter + look_ahead` in
    /// constant time and returns how far ahead the match was (0 = `counter`).
    /// The caller stores `counter + offset + 1` as the next counter.
    pub fn verify(&self, code: &str, counter: u64, look_ahead: u32) -> Result<u64, OtpError> {
        check_window(look_ahead)?;
        counter
            .checked_add(u64::from(look_ahead))
            .ok_or(OtpError::CounterOverflow)?;
        let candidates = (0..=i64::from(look_ahead)).map(|offset| {
            let c = counter.wrapping_add(offset.unsigned_abs());
            Ok((offset, self.generate(c)))
        });
        super::find_in_window(code, candidates).map(i64::unsigned_abs)
    }
}

/// Validates a number of digits against an inclusive range.
pub(crate) fn check_digits(digits: u32, min: u8, max: u8) -> Result<u8, OtpError> {
    match u8::try_from(digits) {
        Ok(d) if (min..=max).contains(&d) => Ok(d),
        _ => Err(OtpError::InvalidDigits {
            got: digits,
            min,
            max,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_key() -> OtpKey {
        OtpKey::new(b"12345678901234567890".to_vec()).unwrap()
    }

    #[test]
    fn digits_range() {
        for d in [0, 5, 9, 10, 256, u32::MAX] {
            assert!(
                matches!(
                    Hotp::new(rfc_key(), Algorithm::Sha1, d),
                    Err(OtpError::InvalidDigits { .. })
                ),
                "{d}"
            );
        }
        for d in 6..=8 {
            assert_eq!(
                Hotp::new(rfc_key(), Algorithm::Sha1, d)
                    .unwrap()
                    .generate(0)
                    .len(),
                d as usize
            );
        }
    }

    #[test]
    fn verify_looks_ahead() {
        let hotp = Hotp::new(rfc_key(), Algorithm::Sha1, 6).unwrap();
        // RFC 4226 Appendix D: counter 5 gives 254676.
        assert_eq!(hotp.verify("254676", 5, 0), Ok(0));
        assert_eq!(hotp.verify("254676", 2, 3), Ok(3));
        assert_eq!(hotp.verify("254676", 2, 2), Err(OtpError::NoMatch));
        assert_eq!(hotp.verify("254676", 6, 10), Err(OtpError::NoMatch));
        assert_eq!(hotp.verify("25467", 5, 0), Err(OtpError::NoMatch));
    }

    #[test]
    fn verify_rejects_overflow_and_huge_windows() {
        let hotp = Hotp::new(rfc_key(), Algorithm::Sha1, 6).unwrap();
        assert_eq!(
            hotp.verify("000000", u64::MAX, 1),
            Err(OtpError::CounterOverflow)
        );
        assert!(hotp.verify("000000", u64::MAX, 0).is_err());
        assert!(matches!(
            hotp.verify("000000", 0, 1001),
            Err(OtpError::WindowTooLarge { .. })
        ));
    }
}

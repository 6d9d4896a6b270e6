//! The values a mosaic may carry for display: strings without forbidden
//! characters ([`crate::text`]), IBANs with a valid checksum, canonical
//! amounts and currency codes.

use super::MosaicError;
use crate::text::has_forbidden;

/// A display string of 1 to `max` characters, trimmed, with no forbidden character.
pub(crate) fn display(field: &'static str, s: &str, max: usize) -> Result<(), MosaicError> {
    if s.is_empty() {
        return Err(MosaicError::InvalidField {
            field,
            reason: "empty",
        });
    }
    if s.chars().count() > max {
        return Err(MosaicError::InvalidField {
            field,
            reason: "too long",
        });
    }
    if s.trim() != s {
        return Err(MosaicError::InvalidField {
            field,
            reason: "leading or trailing spaces",
        });
    }
    if has_forbidden(s) {
        return Err(MosaicError::InvalidField {
            field,
            reason: "control or bidirectional-override characters",
        });
    }
    Ok(())
}

/// An IBAN in electronic form: 2 letters, 2 check digits, 11 to 30
/// letters/digits, with a valid ISO 13616 checksum (mod 97 = 1).
pub(crate) fn iban(s: &str) -> Result<(), MosaicError> {
    let bad = |reason| {
        Err(MosaicError::InvalidField {
            field: "IBAN",
            reason,
        })
    };
    let b = s.as_bytes();
    if !(15..=34).contains(&b.len()) {
        return bad("must be 15 to 34 characters without spaces");
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return bad("must be uppercase letters and digits");
    }
    if !b.iter().take(2).all(u8::is_ascii_uppercase)
        || !b.iter().skip(2).take(2).all(u8::is_ascii_digit)
    {
        return bad("must start with a country code and two check digits");
    }
    let rearranged = b.iter().skip(4).chain(b.iter().take(4));
    let mut remainder = 0u32;
    for &c in rearranged {
        let value = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    if remainder != 1 {
        return bad("checksum does not match");
    }
    Ok(())
}

/// An amount as shown: digits without leading zeros, optionally a point and
/// 1 to 4 decimals ("120.50", "0.99", "1000").
pub(crate) fn amount(s: &str) -> Result<(), MosaicError> {
    let bad = Err(MosaicError::InvalidField {
        field: "amount",
        reason: "must be a decimal number like 120.50",
    });
    let (units, decimals) = s.split_once('.').unwrap_or((s, ""));
    let units_ok = !units.is_empty()
        && units.len() <= 12
        && units.bytes().all(|b| b.is_ascii_digit())
        && (units == "0" || !units.starts_with('0'));
    let decimals_ok = if s.contains('.') {
        (1..=4).contains(&decimals.len()) && decimals.bytes().all(|b| b.is_ascii_digit())
    } else {
        true
    };
    if units_ok && decimals_ok { Ok(()) } else { bad }
}

/// An ISO 4217 currency code: three uppercase letters.
pub(crate) fn currency(s: &str) -> Result<(), MosaicError> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(MosaicError::InvalidField {
            field: "currency",
            reason: "must be three uppercase letters (ISO 4217)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_strings() {
        assert!(display("payee", "Café Müller & Söhne", 70).is_ok());
        assert!(display("payee", "Alice 😀", 70).is_ok());
        for bad in [
            "",
            " Alice",
            "Alice ",
            "Al\u{202E}ice",
            "Al\u{2066}ice",
            "A\nB",
            "A\u{0}B",
            "A\u{200B}B",
            "A\u{FEFF}B",
            "A\u{2028}B",
            "A\u{061C}B",
        ] {
            assert!(display("payee", bad, 70).is_err(), "{bad:?}");
        }
        assert!(display("payee", &"x".repeat(71), 70).is_err());
        assert!(display("payee", &"é".repeat(70), 70).is_ok());
    }

    #[test]
    fn ibans() {
        for good in [
            "LU280019400644750000",
            "DE89370400440532013000",
            "FR1420041010050500013M02606",
            "GB82WEST12345698765432",
        ] {
            assert_eq!(iban(good), Ok(()), "{good}");
        }
        for bad in [
            "LU280019400644750001",
            "lu280019400644750000",
            "LU28 0019 4006 4475 0000",
            "1U280019400644750000",
            "LU2X0019400644750000",
            "LU28",
        ] {
            assert!(iban(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_and_currencies() {
        for good in ["0", "0.99", "120.50", "1000", "999999999999.9999"] {
            assert_eq!(amount(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            ".5",
            "01",
            "1.",
            "1.23456",
            "1,50",
            "-1",
            "1e3",
            "1 000",
            "1000000000000",
        ] {
            assert!(amount(bad).is_err(), "{bad}");
        }
        assert!(currency("EUR").is_ok());
        assert!(currency("eur").is_err() && currency("EURO").is_err() && currency("").is_err());
    }
}

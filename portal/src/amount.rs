//! Amounts per currency: how many decimals (ISO 4217 minor units) each
//! currency has, and the rule every transaction the portal issues passes
//! (the web form and `tessera issuer sign` alike): a positive amount with
//! no more decimals than its currency has. The core's own rule (digits, 1
//! to 4 decimals) knows no currencies; this one stops "10.555 EUR" or
//! "0 EUR" from reaching a phone.

use tessera_core::mosaic::MosaicError;

/// ISO 4217 minor units of the currencies the portal accepts: the common
/// ones, and every one with 0 or 3 decimals among them.
const MINOR_UNITS: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PLN", 2),
    ("RON", 2),
    ("RSD", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

/// How many decimals `currency` (an ISO 4217 code in capitals) has, if the
/// portal knows it.
pub fn minor_units(currency: &str) -> Option<u8> {
    MINOR_UNITS
        .iter()
        .find(|(code, _)| *code == currency)
        .map(|&(_, units)| units)
}

fn invalid(reason: &'static str) -> MosaicError {
    MosaicError::InvalidField {
        field: "amount",
        reason,
    }
}

/// Checks that `amount` ("120.50") is a positive amount of `currency` with
/// no more decimals than the currency has. The error names the field
/// (`amount` or `currency`) and says what is wrong.
pub fn check(amount: &str, currency: &str) -> Result<(), MosaicError> {
    let Some(units) = minor_units(currency) else {
        return Err(MosaicError::InvalidField {
            field: "currency",
            reason: "is not a currency this portal knows (an ISO 4217 code such as EUR, USD, \
                     CHF, GBP or JPY)",
        });
    };
    if amount.starts_with('-') {
        return Err(invalid("must be more than zero"));
    }
    let (whole, decimals) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(decimals) || amount.ends_with('.') {
        return Err(invalid("must be a decimal number like 120.50"));
    }
    if decimals.len() > usize::from(units) {
        return Err(invalid(match units {
            0 => "must be a whole number in this currency (it has no decimals)",
            1 | 2 => "must have at most 2 decimals in this currency",
            _ => "must have at most 3 decimals in this currency",
        }));
    }
    if amount.bytes().all(|b| b == b'0' || b == b'.') {
        return Err(invalid("must be more than zero"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_per_currency() {
        for (amount, currency) in [
            ("120.50", "EUR"),
            ("0.01", "EUR"),
            ("1000", "EUR"),
            ("120.5", "EUR"),
            ("5000", "JPY"),
            ("1.234", "KWD"),
            ("0.5", "USD"),
        ] {
            assert_eq!(check(amount, currency), Ok(()), "{amount} {currency}");
        }
        for (amount, currency, reason) in [
            ("10.555", "EUR", "at most 2 decimals"),
            ("0", "EUR", "more than zero"),
            ("0.00", "EUR", "more than zero"),
            ("-1", "EUR", "more than zero"),
            ("1.5", "JPY", "whole number"),
            ("1.2345", "BHD", "at most 3 decimals"),
            ("", "EUR", "decimal number"),
            ("1.", "EUR", "decimal number"),
            (".5", "EUR", "decimal number"),
            ("1,50", "EUR", "decimal number"),
            ("1e3", "EUR", "decimal number"),
        ] {
            match check(amount, currency) {
                Err(MosaicError::InvalidField {
                    field: "amount",
                    reason: r,
                }) => assert!(r.contains(reason), "{amount} {currency}: {r}"),
                other => panic!("{amount} {currency}: {other:?}"),
            }
        }
        assert!(matches!(
            check("1.00", "ERU"),
            Err(MosaicError::InvalidField {
                field: "currency",
                ..
            })
        ));
        assert_eq!(minor_units("JPY"), Some(0));
        assert_eq!(minor_units("eur"), None);
    }
}

//! Google's Key URI format, `otpauth://TYPE/LABEL?PARAMETERS`, with the
//! variations real issuers produce.
//!
//! Parsing is lenient where the meaning is clear (case of the scheme, type,
//! parameter names and base32 secret; spaces, dashes and padding in the
//! secret; `SHA-1` spellings; a missing counter) and strict where it is not
//! (duplicate parameters, zero or huge periods, unknown algorithms, digits
//! outside 6 to 8, secrets that are not base32). What was accepted leniently
//! is reported in [`ParsedUri::warnings`].

use std::borrow::Cow;

use data_encoding::{BASE32_NOPAD, Encoding};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use zeroize::Zeroizing;

use super::{OtpToken, TokenKind, UriError, split_label};
use crate::otp::{Algorithm, Hotp, OtpKey};
use crate::text::has_forbidden;

/// The longest Key URI accepted, in bytes (a QR code holds at most about 3 KB).
pub const MAX_URI_LEN: usize = 4096;

const SCHEME: &str = "otpauth://";

/// Characters escaped in labels and issuers: all but the URI unreserved set
/// and `@` (so that e-mail addresses stay readable).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// A parsed Key URI and what was accepted leniently.
#[derive(Debug)]
pub struct ParsedUri {
    /// The token.
    pub token: OtpToken,
    /// What an app may want to tell the user.
    pub warnings: Vec<UriWarning>,
}

/// Something in a Key URI that was accepted but deserves attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriWarning {
    /// The label's issuer prefix and the `issuer` parameter disagree; the
    /// parameter was used, as Google's specification recommends.
    IssuerMismatch {
        /// The prefix of the label.
        label: String,
        /// The `issuer` parameter.
        parameter: String,
    },
    /// The secret is shorter than the 128 bits required of new keys.
    ShortSecret {
        /// Its length in bits.
        bits: usize,
    },
    /// An HOTP URI without `counter`; counting starts at 0.
    MissingCounter,
}

/// The base32 alphabet of RFC 4648, accepting non-canonical trailing bits
/// (some issuers' secrets have them).
fn base32_lenient() -> Encoding {
    let mut spec = BASE32_NOPAD.specification();
    spec.check_trailing_bits = false;
    // The specification is a constant that is known to be valid.
    spec.encoding().unwrap_or_else(|_| BASE32_NOPAD.clone())
}

/// Decodes a base32 secret as people and issuers write it: any case, with
/// spaces or dashes between groups, with or without `=` padding.
pub fn decode_base32(text: &str) -> Result<Vec<u8>, UriError> {
    let mut clean: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\t'))
            .flat_map(char::to_uppercase)
            .collect(),
    );
    let unpadded = clean.trim_end_matches('=').len();
    clean.truncate(unpadded);
    if clean.is_empty() {
        return Err(UriError::InvalidParameter {
            name: "secret",
            reason: "it is empty".into(),
        });
    }
    base32_lenient()
        .decode(clean.as_bytes())
        .map_err(|e| UriError::InvalidParameter {
            name: "secret",
            reason: match e.kind {
                data_encoding::DecodeKind::Length => {
                    format!(
                        "{} base32 characters cannot be a whole number of bytes",
                        clean.len()
                    )
                }
                _ => format!("character {} is not base32 (A-Z, 2-7)", e.position + 1),
            },
        })
}

fn decode_component(
    name: &'static str,
    raw: &str,
    plus_is_space: bool,
) -> Result<String, UriError> {
    let raw: Cow<'_, str> = if plus_is_space {
        Cow::Owned(raw.replace('+', " "))
    } else {
        Cow::Borrowed(raw)
    };
    percent_decode_str(&raw)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| UriError::InvalidParameter {
            name,
            reason: "percent-encoded bytes are not UTF-8".into(),
        })
}

/// Labels and issuers are shown next to codes: control characters and
/// bidi overrides, isolates and invisible marks (which can make
/// "Bank:alice" render as another account) are refused, as in mosaics.
fn refuse_hidden_characters(name: &'static str, text: &str) -> Result<(), UriError> {
    if has_forbidden(text) {
        return Err(UriError::InvalidParameter {
            name,
            reason: "it contains control or bidirectional-formatting characters".into(),
        });
    }
    Ok(())
}

fn parse_number(name: &'static str, value: &str) -> Result<u64, UriError> {
    value
        .trim()
        .parse()
        .map_err(|_| UriError::InvalidParameter {
            name,
            reason: format!(
                "{:?} is not a non-negative whole number",
                value.chars().take(24).collect::<String>()
            ),
        })
}

/// Parses an `otpauth://totp/...` or `otpauth://hotp/...` URI.
pub fn parse_key_uri(uri: &str) -> Result<ParsedUri, UriError> {
    let rest = super::after_scheme(uri, SCHEME, MAX_URI_LEN)?;
    let rest = rest
        .split_once('#')
        .map_or(rest, |(before, _fragment)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind, raw_label) = path.split_once('/').unwrap_or((path, ""));

    let is_hotp = match kind.to_ascii_lowercase().as_str() {
        "totp" => false,
        "hotp" => true,
        _ => return Err(UriError::UnknownType(kind.chars().take(16).collect())),
    };
    let label = decode_component("label", raw_label, false)?;
    refuse_hidden_characters("label", &label)?;

    let mut secret = None;
    let mut issuer = None;
    let mut algorithm = None;
    let mut digits = None;
    let mut counter = None;
    let mut period = None;
    let mut seen: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = key.to_ascii_lowercase();
        // A repeated parameter we read is ambiguous (which secret?); repeated
        // parameters we ignore are not our concern.
        let ours = matches!(
            key.as_str(),
            "secret" | "issuer" | "algorithm" | "digits" | "counter" | "period"
        );
        if ours && seen.contains(&key) {
            return Err(UriError::DuplicateParameter(key));
        }
        match key.as_str() {
            "secret" => secret = Some(Zeroizing::new(decode_component("secret", value, false)?)),
            "issuer" => {
                let value = decode_component("issuer", value, true)?;
                refuse_hidden_characters("issuer", &value)?;
                issuer = Some(value);
            }
            "algorithm" => algorithm = Some(value.parse::<Algorithm>()?),
            "digits" => digits = Some(parse_number("digits", value)?),
            "counter" => counter = Some(parse_number("counter", value)?),
            "period" => period = Some(parse_number("period", value)?),
            // image, color, lock, icon, encoder, ...: not ours to interpret.
            _ => {}
        }
        seen.push(key);
    }

    let secret = secret.ok_or(UriError::MissingParameter("secret"))?;
    let secret = OtpKey::import(decode_base32(&secret)?)?;
    let algorithm = algorithm.unwrap_or_default();
    let digits = digits.unwrap_or(6);
    let digits = u32::try_from(digits)
        .ok()
        .filter(|d| (u32::from(Hotp::MIN_DIGITS)..=u32::from(Hotp::MAX_DIGITS)).contains(d))
        .and_then(|d| u8::try_from(d).ok())
        .ok_or_else(|| UriError::InvalidParameter {
            name: "digits",
            reason: format!(
                "{digits} is not between {} and {}",
                Hotp::MIN_DIGITS,
                Hotp::MAX_DIGITS
            ),
        })?;

    let mut warnings = Vec::new();
    let kind = if is_hotp {
        TokenKind::Hotp {
            counter: counter.unwrap_or_else(|| {
                warnings.push(UriWarning::MissingCounter);
                0
            }),
        }
    } else {
        let period = period.unwrap_or(30);
        if !(1..=OtpToken::MAX_PERIOD).contains(&period) {
            return Err(UriError::InvalidParameter {
                name: "period",
                reason: format!(
                    "{period} is not between 1 and {} seconds",
                    OtpToken::MAX_PERIOD
                ),
            });
        }
        TokenKind::Totp { period }
    };

    let issuer = issuer
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty());
    // When the label starts with the issuer parameter, split there: the
    // issuer itself may contain a colon.
    let prefixed = issuer
        .as_deref()
        .and_then(|i| label.strip_prefix(i))
        .and_then(|rest| rest.strip_prefix(':'));
    let (label_issuer, account) = match prefixed {
        Some(rest) => (issuer.clone(), rest.trim().to_owned()),
        None => split_label(&label),
    };
    let issuer = match (label_issuer, issuer) {
        (Some(label), Some(parameter)) if label != parameter => {
            warnings.push(UriWarning::IssuerMismatch {
                label,
                parameter: parameter.clone(),
            });
            Some(parameter)
        }
        (label, parameter) => parameter.or(label),
    };
    if secret.is_short() {
        warnings.push(UriWarning::ShortSecret {
            bits: secret.bits(),
        });
    }
    Ok(ParsedUri {
        token: OtpToken {
            kind,
            issuer,
            account,
            secret,
            algorithm,
            digits,
        },
        warnings,
    })
}

impl OtpToken {
    /// The token as a Key URI that Google Authenticator, Aegis and this parser
    /// read back to the same token. It contains the secret: show it only as a
    /// QR code for the user, never log it.
    pub fn to_key_uri(&self) -> Zeroizing<String> {
        let enc = |s: &str| utf8_percent_encode(s, COMPONENT).to_string();
        let (kind, extra) = match self.kind {
            TokenKind::Hotp { counter } => ("hotp", format!("counter={counter}")),
            TokenKind::Totp { period } => ("totp", format!("period={period}")),
        };
        // Without an issuer, an empty prefix keeps a colon in the account
        // from being read as the separator.
        let label = match &self.issuer {
            Some(issuer) => format!("{}:{}", enc(issuer), enc(&self.account)),
            None if self.account.contains(':') => format!(":{}", enc(&self.account)),
            None => enc(&self.account),
        };
        let secret = Zeroizing::new(BASE32_NOPAD.encode(self.secret.expose()));
        let issuer = self
            .issuer
            .as_deref()
            .map(|i| format!("&issuer={}", enc(i)))
            .unwrap_or_default();
        Zeroizing::new(format!(
            "otpauth://{kind}/{label}?secret={}{issuer}&algorithm={}&digits={}&{extra}",
            secret.as_str(),
            self.algorithm,
            self.digits
        ))
    }
}

#[cfg(test)]
mod tests {
    //! A few cases in the core, so that the Key URI parser also runs under
    //! Miri (docs/miri.md); the full table is `tests/tests/key_uri.rs`.

    use super::*;

    #[test]
    fn parses_formats_and_refuses() {
        let uri = "otpauth://totp/Example%20Bank:alice@example.com?secret=JBSW Y3DP-EHPK3PXP&issuer=Example+Bank&algorithm=SHA256&digits=8&period=60";
        let parsed = parse_key_uri(uri).unwrap();
        let t = &parsed.token;
        assert_eq!(t.issuer.as_deref(), Some("Example Bank"));
        assert_eq!(t.account, "alice@example.com");
        assert_eq!(t.secret.expose(), b"Hello!\xde\xad\xbe\xef");
        assert_eq!((t.algorithm, t.digits), (Algorithm::Sha256, 8));
        assert_eq!(t.kind, TokenKind::Totp { period: 60 });
        let back = parse_key_uri(&t.to_key_uri()).unwrap().token;
        assert_eq!(
            (back.issuer, back.account),
            (t.issuer.clone(), t.account.clone())
        );
        for bad in [
            "otpauth://totp/x?secret=JBSWY3DP1",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/a%E2%80%AEb?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=121",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=10",
            "otpauth://totp/%C3%28?secret=JBSWY3DPEHPK3PXP",
        ] {
            assert!(parse_key_uri(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_key_uri(&"x".repeat(MAX_URI_LEN + 1)),
            Err(UriError::TooLong { .. })
        ));
    }
}

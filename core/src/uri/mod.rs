//! Token descriptions from the outside world: `otpauth://` Key URIs (parse
//! and format) and Google Authenticator `otpauth-migration://` exports.

mod error;
mod migration;
mod otpauth;

pub use error::UriError;
pub use migration::{
    MAX_MIGRATION_BATCHES, MAX_MIGRATION_URI_LEN, MigrationBatch, MigrationImport, SkippedEntry,
    parse_migration,
};
pub use otpauth::{MAX_URI_LEN, ParsedUri, UriWarning, decode_base32, parse_key_uri};

use crate::otp::{Algorithm, Hotp, OtpError, OtpKey, Totp};
use crate::secret::OtpCode;

/// What follows `scheme` (matched without regard to case) in `uri`, after
/// trimming and refusing a URI longer than `max` bytes before anything else.
fn after_scheme<'a>(uri: &'a str, scheme: &'static str, max: usize) -> Result<&'a str, UriError> {
    let uri = uri.trim();
    if uri.len() > max {
        return Err(UriError::TooLong {
            len: uri.len(),
            max,
        });
    }
    uri.get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .and_then(|_| uri.get(scheme.len()..))
        .ok_or(UriError::WrongScheme { expected: scheme })
}

/// Whether a token counts events or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// HOTP with the next counter value to use.
    Hotp {
        /// The next counter value.
        counter: u64,
    },
    /// TOTP with its period in seconds (T0 is always 0 for Key URIs).
    Totp {
        /// The time step in seconds.
        period: u64,
    },
}

/// A token as a Key URI or an export describes it: parameters and secret.
#[derive(Debug)]
pub struct OtpToken {
    /// HOTP or TOTP, with the counter or period.
    pub kind: TokenKind,
    /// The service (for example "Example Bank"), if known.
    pub issuer: Option<String>,
    /// The account within the service (for example "alice@example.com").
    pub account: String,
    /// The shared secret.
    pub secret: OtpKey,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// Digits per code (6 to 8).
    pub digits: u8,
}

impl OtpToken {
    /// The longest TOTP period accepted when a token is provisioned: NIST SP
    /// 800-63B asks for a new code at least every two minutes.
    pub const MAX_PERIOD: u64 = 120;

    /// The code for `time` (Unix seconds) for a TOTP token, or for the stored
    /// counter for an HOTP token (which ignores `time`).
    pub fn code(&self, time: u64) -> Result<OtpCode, OtpError> {
        match self.kind {
            TokenKind::Hotp { counter } => {
                Ok(
                    Hotp::new(self.secret.duplicate(), self.algorithm, self.digits.into())?
                        .generate(counter),
                )
            }
            TokenKind::Totp { period } => Totp::new(
                self.secret.duplicate(),
                self.algorithm,
                self.digits.into(),
                period,
                0,
            )?
            .generate(time),
        }
    }

    /// "Issuer:account", or the account alone when there is no issuer.
    pub fn label(&self) -> String {
        match &self.issuer {
            Some(issuer) => format!("{issuer}:{}", self.account),
            None => self.account.clone(),
        }
    }
}

/// Splits "Issuer:account" at the first colon, trimming the spaces that some
/// issuers put after it. Empty parts become `None` / "".
pub(crate) fn split_label(label: &str) -> (Option<String>, String) {
    match label.split_once(':') {
        Some((issuer, account)) => {
            let issuer = issuer.trim();
            let issuer = (!issuer.is_empty()).then(|| issuer.to_owned());
            (issuer, account.trim().to_owned())
        }
        None => (None, label.trim().to_owned()),
    }
}

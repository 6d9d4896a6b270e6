//! Errors of Key URI and export parsing. They name the parameter that was
//! wrong, never the secret.

use thiserror::Error;

use crate::otp::OtpError;

/// Why a Key URI or an export could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UriError {
    /// Longer than any real URI; refused before parsing.
    #[error("the URI has {len} bytes; at most {max} are accepted")]
    TooLong {
        /// Length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The scheme is not the one expected.
    #[error("not an {expected} URI")]
    WrongScheme {
        /// The scheme that was expected, e.g. `otpauth://`.
        expected: &'static str,
    },
    /// The type after `otpauth://` is neither `totp` nor `hotp`.
    #[error("unknown OTP type {0:?} (expected totp or hotp)")]
    UnknownType(String),
    /// A required parameter is absent.
    #[error("the {0} parameter is missing")]
    MissingParameter(&'static str),
    /// A parameter appears twice, which makes the URI ambiguous.
    #[error("the {0} parameter appears more than once")]
    DuplicateParameter(String),
    /// A parameter has a value outside what is allowed.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong and what is allowed (never the secret itself).
        reason: String,
    },
    /// The token's parameters are not accepted by the OTP engine.
    #[error(transparent)]
    Otp(#[from] OtpError),
    /// The export's data is not a Google Authenticator migration payload.
    #[error("the export data is not valid: {0}")]
    InvalidExport(String),
    /// Batches of different exports, or the same batch twice.
    #[error("{0}")]
    BatchMismatch(String),
    /// Some batches of a split export are missing.
    #[error("the export is incomplete: batch {missing} of {size} is missing (scan every QR code of the export)", missing = .missing.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", "))]
    IncompleteExport {
        /// Zero-based indices of the missing batches.
        missing: Vec<u32>,
        /// Number of batches in the export.
        size: u32,
    },
}

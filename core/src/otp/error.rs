//! Errors of the OTP engines. Messages name what was wrong and the allowed
//! range; they never contain a key, a PIN or a code.

use thiserror::Error;

/// Why an OTP could not be computed or a code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OtpError {
    /// The number of digits is outside what the algorithm allows.
    #[error("digits must be between {min} and {max}, got {got}")]
    InvalidDigits {
        /// The requested number of digits.
        got: u32,
        /// Smallest allowed value.
        min: u8,
        /// Largest allowed value.
        max: u8,
    },
    /// An OCRA truncation length other than 0 or 4 to 10.
    #[error("OCRA truncation must be 0 (full HMAC) or 4 to 10 digits, got {0}")]
    InvalidTruncation(u32),
    /// The hash algorithm name is not SHA1, SHA256 or SHA512.
    #[error("unknown hash algorithm {0:?} (expected SHA1, SHA256 or SHA512)")]
    UnknownAlgorithm(String),
    /// The key is empty.
    #[error("the key is empty")]
    EmptyKey,
    /// A new key shorter than 128 bits.
    #[error("the key has {bits} bits; new keys need at least 128 bits")]
    KeyTooShort {
        /// Length of the key in bits.
        bits: usize,
    },
    /// A key longer than any real token uses.
    #[error("the key has {bytes} bytes; at most {max} are accepted")]
    KeyTooLong {
        /// Length of the key in bytes.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// TOTP period of zero seconds.
    #[error("the period must be at least 1 second")]
    ZeroPeriod,
    /// The time is before the TOTP epoch `T0`.
    #[error("time {time} is before T0 = {t0}")]
    TimeBeforeEpoch {
        /// The time given, in Unix seconds.
        time: u64,
        /// The epoch of the token.
        t0: u64,
    },
    /// A counter or time step would leave the 64-bit range.
    #[error("the counter would overflow 64 bits")]
    CounterOverflow,
    /// A verification window wider than the engines accept.
    #[error("verification window {got} is larger than the maximum {max}")]
    WindowTooLarge {
        /// Requested window.
        got: u32,
        /// The limit.
        max: u32,
    },
    /// The code does not match any value in the verification window.
    #[error("the code does not match")]
    NoMatch,
    /// The OCRA suite string does not follow RFC 6287's grammar.
    #[error("invalid OCRA suite: {0}")]
    InvalidSuite(String),
    /// A value the suite needs was not given.
    #[error("the suite requires {0}")]
    Missing(&'static str),
    /// A value was given that the suite does not use.
    #[error("the suite does not use {0}")]
    Unexpected(&'static str),
    /// The question is empty or longer than the suite allows.
    #[error("the question has {len} characters; the suite allows {min} to {max}")]
    QuestionLength {
        /// Characters given.
        len: usize,
        /// Fewest allowed.
        min: usize,
        /// Most allowed.
        max: usize,
    },
    /// The question has a character outside the suite's alphabet.
    #[error("the question must be {0}")]
    QuestionAlphabet(&'static str),
    /// A PIN hash, session value or other fixed-size input has the wrong length.
    #[error("{what} must be {expected} bytes, got {got}")]
    WrongLength {
        /// Which input.
        what: &'static str,
        /// Required length in bytes.
        expected: usize,
        /// Given length in bytes.
        got: usize,
    },
}

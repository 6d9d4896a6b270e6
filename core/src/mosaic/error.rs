//! Errors of the mosaic protocol. Each names what the app shows or does;
//! none carries a key, a code or the content of a refused message.

use thiserror::Error;

/// Why a mosaic could not be read, or a response not computed or accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MosaicError {
    /// The bytes are not a Tessera mosaic at all (another QR code).
    #[error("this QR code is not a Tessera mosaic")]
    NotAMosaic,
    /// A mosaic of a protocol version this app does not know.
    #[error(
        "this mosaic uses protocol version {0}, which this app does not support; update the app"
    )]
    UnsupportedVersion(u64),
    /// Larger than any mosaic; refused before decoding.
    #[error("the mosaic has {len} bytes; at most {max} are accepted")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The structure is not what the protocol defines.
    #[error("the mosaic is malformed: {0}")]
    Malformed(&'static str),
    /// Addressed to a token this device does not hold.
    #[error("this mosaic is not for this device")]
    NotForThisDevice,
    /// Authentication failed: the mosaic was altered, or sealed with another key.
    #[error("the mosaic failed its integrity check; it may have been altered")]
    Tampered,
    /// The activation code does not open the activation mosaic.
    #[error("the activation code is wrong")]
    WrongActivationCode,
    /// The activation code does not have the expected form.
    #[error("the activation code must be {0}")]
    InvalidActivationCode(&'static str),
    /// The confirmation code does not have the expected form.
    #[error("the confirmation code must be {0}")]
    InvalidConfirmationCode(&'static str),
    /// The mosaic (or the activation offer) has expired.
    #[error("this mosaic has expired; ask the portal for a new one")]
    Expired,
    /// The device's clock disagrees with the portal's by more than allowed.
    #[error(
        "this device's clock is off by {offset_secs} seconds; set the date and time automatically and try again"
    )]
    ClockSkew {
        /// Device time minus portal time, in seconds.
        offset_secs: i64,
    },
    /// This challenge was already answered on this device.
    #[error("this mosaic was already answered")]
    AlreadyAnswered,
    /// A field breaks the protocol's limits (length, characters, format).
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong with it (never its content).
        reason: &'static str,
    },
    /// A login mosaic used where a transaction is expected, or the reverse.
    #[error("this mosaic is a {found}, not a {expected}")]
    WrongKind {
        /// What was expected.
        expected: &'static str,
        /// What the mosaic is.
        found: &'static str,
    },
    /// The response does not match the challenge.
    #[error("the one-time password is wrong")]
    WrongResponse,
    /// The system's random source failed.
    #[error("the random number generator failed")]
    Random,
}

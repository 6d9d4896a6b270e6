//! What the portal tells the user, or the operator, when something is refused.

use tessera_core::mosaic::MosaicError;
use thiserror::Error;

/// Why the portal refused a request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortalError {
    /// No challenge with this identifier was ever issued.
    #[error("unknown challenge")]
    UnknownChallenge,
    /// The challenge was already answered correctly once.
    #[error("this challenge was already answered")]
    AlreadyAnswered,
    /// The challenge's time ran out.
    #[error("this challenge has expired")]
    Expired,
    /// The OTP does not answer the challenge.
    #[error("wrong one-time password ({attempts_left} attempts left before the mobile is locked)")]
    WrongOtp {
        /// Wrong OTPs still allowed before the token locks.
        attempts_left: u32,
    },
    /// What was typed cannot be an OTP of this mobile (not `digits`
    /// digits): refused without counting towards the lock.
    #[error("a one-time password of this mobile has {digits} digits")]
    MalformedOtp {
        /// The mobile's OTP length.
        digits: u8,
    },
    /// What was typed cannot be a confirmation code (not 24 letters and
    /// digits): refused without counting towards the lock.
    #[error("a confirmation code has 24 letters and digits, like ABCD-EFGH-JKMN-PQRS-TVWX-YZ01")]
    MalformedConfirmation,
    /// Too many wrong OTPs: the token is locked until an operator resets it.
    #[error(
        "this mobile is locked after too many wrong one-time passwords; contact support to unlock it"
    )]
    TokenLocked,
    /// The challenge is for another user or another purpose than the one asked.
    #[error("this challenge is not for this {0}")]
    Mismatch(&'static str),
    /// The user has no activated mobile.
    #[error("user {0:?} has no activated mobile")]
    NoActiveToken(String),
    /// The user has no activation waiting for its confirmation code.
    #[error("user {0:?} has no activation waiting for confirmation")]
    NoPendingActivation(String),
    /// The activation offer expired before it was confirmed.
    #[error("the activation has expired; start a new one")]
    ActivationExpired,
    /// A request field was refused by the protocol's rules.
    #[error(transparent)]
    Mosaic(#[from] MosaicError),
    /// The database file (or its -wal or -shm file) can be read by other
    /// users: it holds the mobiles' keys, so the portal does not open it.
    #[error(
        "{0} can be read by other users and holds the mobiles' keys: run `chmod 600 {0}` (and on its -wal and -shm files, if any) before starting the portal"
    )]
    InsecureDatabase(String),
    /// The database failed.
    #[error("storage error: {0}")]
    Storage(String),
}

impl From<rusqlite::Error> for PortalError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.to_string())
    }
}

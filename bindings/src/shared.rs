//! What the objects of one authenticator have in common: [`Shared`] (the
//! core, the foreign clock, the log), handed from the `Authenticator` to
//! every object it creates, and [`passcode`], the boundary's check of a
//! passcode. Both `authenticator.rs` and `vault.rs` use this module; it uses
//! neither.

use std::sync::Arc;

use tessera_core::authenticator::Authenticator as CoreAuthenticator;
use tessera_core::vault::{self as core_vault, Passcode};
use zeroize::Zeroizing;

use crate::error::TesseraError;
use crate::platform::{ClockAdapter, Log, LogLevel};

/// The longest passcode accepted at the boundary, in bytes: 16 characters
/// of up to 4 UTF-8 bytes. Anything longer can never be the passcode, so it
/// is refused before it reaches the KDF (and counts no attempt).
pub const MAX_PASSCODE_BYTES: usize = core_vault::MAX_CHARS * 4;

/// A passcode as it crosses the boundary (UTF-8 bytes), checked for length
/// only; the policy is the core's. The argument buffer is zeroized.
pub(crate) fn passcode(bytes: Vec<u8>) -> Result<Passcode, TesseraError> {
    let bytes = Zeroizing::new(bytes);
    if bytes.is_empty() {
        return Err(TesseraError::bad_input("the passcode is empty"));
    }
    if bytes.len() > MAX_PASSCODE_BYTES {
        return Err(TesseraError::bad_input(format!(
            "a passcode has at most {} characters",
            core_vault::MAX_CHARS
        )));
    }
    Ok(Passcode::new(bytes.to_vec()))
}

/// What every object of one authenticator shares.
pub(crate) struct Shared {
    pub(crate) core: CoreAuthenticator,
    clock: Arc<ClockAdapter>,
    pub(crate) log: Log,
}

impl Shared {
    /// Wraps the opened core with the clock it was opened with.
    pub(crate) fn new(core: CoreAuthenticator, clock: Arc<ClockAdapter>, log: Log) -> Self {
        Self { core, clock, log }
    }

    /// Starts an operation: the foreign clock must answer.
    pub(crate) fn begin(&self) -> Result<(), TesseraError> {
        refresh(&self.clock)
    }

    /// The current time, as read by [`begin`](Self::begin) or later.
    pub(crate) fn now(&self) -> u64 {
        tessera_core::platform::Clock::now_unix(self.clock.as_ref())
    }

    /// Logs the outcome of `what`.
    pub(crate) fn outcome<T>(
        &self,
        what: &str,
        result: Result<T, TesseraError>,
    ) -> Result<T, TesseraError> {
        match &result {
            Ok(_) => self.log.event(LogLevel::Info, || format!("{what}: ok")),
            Err(e) => {
                let level = match e {
                    TesseraError::StorageFailure { .. } | TesseraError::VaultUnusable { .. } => {
                        LogLevel::Error
                    }
                    _ => LogLevel::Warn,
                };
                self.log.event(level, || format!("{what}: {e}"));
            }
        }
        result
    }
}

/// Reads the foreign wall clock now; its failure is a platform failure.
pub(crate) fn refresh(clock: &ClockAdapter) -> Result<(), TesseraError> {
    clock
        .refresh()
        .map(|_| ())
        .map_err(|e| TesseraError::StorageFailure {
            reason: format!("the clock failed: {e}"),
        })
}

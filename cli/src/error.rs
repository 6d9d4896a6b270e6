//! The CLI's error: a one-line message naming the bad argument, and the exit
//! status that scripts rely on.

use std::fmt;
use std::process::ExitCode;

/// Exit status: the code did not match (`--verify`).
pub const EXIT_MISMATCH: u8 = 1;
/// Exit status: bad input (also what clap uses for usage errors).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit status: wrong passcode, or attempts are delayed.
pub const EXIT_WRONG_PASSCODE: u8 = 3;
/// Exit status: the vault's keys were erased (or its device key is gone).
pub const EXIT_WIPED: u8 = 4;
/// Exit status: the vault cannot be used (damaged, older copy, storage or keyring failure).
pub const EXIT_VAULT: u8 = 5;
/// Exit status: the mosaic is addressed to a token this device does not hold.
pub const EXIT_NOT_FOR_DEVICE: u8 = 6;
/// Exit status: the mosaic (or activation offer) has expired.
pub const EXIT_EXPIRED: u8 = 7;
/// Exit status: this computer's clock disagrees with the portal's.
pub const EXIT_CLOCK_SKEW: u8 = 8;
/// Exit status: the mosaic was already answered (or the offer already activated).
pub const EXIT_ALREADY_ANSWERED: u8 = 9;
/// Exit status: the mosaic failed its integrity check.
pub const EXIT_TAMPERED: u8 = 10;

/// A failure of a command, printed as `error: <arg>: <message>`.
#[derive(Debug)]
pub struct CliError {
    arg: Option<String>,
    message: String,
    status: u8,
}

impl CliError {
    /// Bad input in argument `arg` (e.g. "--key").
    pub fn arg(arg: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            arg: Some(arg.into()),
            message: message.to_string(),
            status: EXIT_BAD_INPUT,
        }
    }

    /// Bad input not tied to one argument.
    pub fn input(message: impl fmt::Display) -> Self {
        Self {
            arg: None,
            message: message.to_string(),
            status: EXIT_BAD_INPUT,
        }
    }

    /// A failure with its own exit status.
    pub fn with_status(status: u8, message: impl fmt::Display) -> Self {
        Self {
            arg: None,
            message: message.to_string(),
            status,
        }
    }

    /// The vault cannot be used.
    pub fn vault(message: impl fmt::Display) -> Self {
        Self::with_status(EXIT_VAULT, message)
    }

    /// Prints the message on stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        match &self.arg {
            Some(arg) => eprintln!("error: {arg}: {}", self.message),
            None => eprintln!("error: {}", self.message),
        }
        ExitCode::from(self.status)
    }
}

/// What a command returns.
pub type CliResult = Result<ExitCode, CliError>;

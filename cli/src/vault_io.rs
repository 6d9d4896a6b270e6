//! What the commands that use the vault share (`tessera passcode`, `token`,
//! `activate`, `approve`): where the vault lives, its KDF setting, how
//! passcodes are read (prompt or `--passcode-stdin`), and how vault errors
//! become messages and exit statuses.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clap::Args;
use subtle::ConstantTimeEq;
use tessera_core::vault::{KdfSetting, attempts::MAX_FAILURES};
use tessera_core::vault::{MAX_CHARS, MIN_CHARS, Passcode, VaultConfig, VaultError, VaultStatus};
use zeroize::Zeroizing;

use crate::error::{CliError, EXIT_BAD_INPUT, EXIT_WIPED, EXIT_WRONG_PASSCODE};

/// Where the vault lives.
#[derive(Debug, Args)]
pub struct HomeArg {
    /// The vault's directory [default: $TESSERA_HOME, else the per-user data
    /// directory + "tessera", e.g. ~/.local/share/tessera].
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
}

/// How the passcode is read.
#[derive(Debug, Args)]
pub struct PasscodeArg {
    /// Read the passcode from the first line of stdin instead of prompting
    /// on the terminal (for scripts).
    #[arg(long)]
    pub passcode_stdin: bool,
}

/// The KDF of new passcode slots: calibrated to half a second with 64 MiB.
/// `TESSERA_KDF=floor` (tests) uses the floor, 19 MiB and 2 passes.
pub fn config() -> VaultConfig {
    if std::env::var("TESSERA_KDF").is_ok_and(|v| v == "floor") {
        return VaultConfig::floor();
    }
    VaultConfig {
        kdf: KdfSetting::Calibrate {
            budget_ms: 500,
            memory_kib: 64 * 1024,
        },
        ..VaultConfig::default()
    }
}

/// Maps a vault error to the CLI's message and exit status.
pub fn vault_error(e: VaultError, home: &Path) -> CliError {
    let dir = home.display();
    match e {
        VaultError::WrongPasscode { .. } | VaultError::Locked { .. } => {
            CliError::with_status(EXIT_WRONG_PASSCODE, e)
        }
        VaultError::Wiped => CliError::with_status(
            EXIT_WIPED,
            format!(
                "the keys were erased after {MAX_FAILURES} wrong passcodes; create a new vault \
                 with `tessera passcode set --home {dir}` and import your tokens again \
                 (activate them again with their issuers)"
            ),
        ),
        VaultError::DeviceKeyLost => CliError::with_status(
            EXIT_WIPED,
            format!(
                "the device key of the vault in {dir} is gone, so it cannot be opened; move \
                 {dir}/vault away, create a new vault with `tessera passcode set` and import \
                 your tokens again"
            ),
        ),
        VaultError::NotFound => CliError::with_status(
            EXIT_BAD_INPUT,
            format!("there is no vault in {dir}: create one with `tessera passcode set`"),
        ),
        VaultError::AlreadyExists => CliError::with_status(
            EXIT_BAD_INPUT,
            format!(
                "a vault already exists in {dir}; change its passcode with `tessera passcode change`"
            ),
        ),
        VaultError::PolicyViolation(v) => CliError::arg("passcode", v),
        VaultError::UnknownToken(_)
        | VaultError::InvalidToken(_)
        | VaultError::WrongTokenKind { .. } => CliError::input(e),
        VaultError::Corrupted(_) | VaultError::RolledBack { .. } => {
            CliError::vault(format!("{e}; it was left as it is in {dir}/vault"))
        }
        other => CliError::vault(other),
    }
}

/// A failed unlock: like [`vault_error`], and a wrong passcode also says
/// when the next attempt is possible (`status` is the vault's status after
/// the failure).
pub fn unlock_error(e: VaultError, status: Option<VaultStatus>, home: &Path) -> CliError {
    if let VaultError::WrongPasscode { attempts_left } = e
        && let Some(VaultStatus::Ready {
            retry_after_secs, ..
        }) = status
        && retry_after_secs > 0
    {
        return CliError::with_status(
            EXIT_WRONG_PASSCODE,
            format!(
                "wrong passcode: {attempts_left} attempts left before the keys are erased; \
                 the next attempt is possible in {retry_after_secs} seconds"
            ),
        );
    }
    vault_error(e, home)
}

/// Refuses before prompting when no attempt is possible now.
pub fn check_can_attempt(status: VaultStatus, home: &Path) -> Result<(), CliError> {
    match status {
        VaultStatus::Wiped { .. } => Err(vault_error(VaultError::Wiped, home)),
        VaultStatus::Ready {
            retry_after_secs, ..
        } if retry_after_secs > 0 => {
            Err(vault_error(VaultError::Locked { retry_after_secs }, home))
        }
        VaultStatus::Ready { .. } => Ok(()),
    }
}

/// Reads one line of stdin without its line ending (every other character
/// counts, spaces included).
pub fn stdin_line(what: &str) -> Result<Zeroizing<String>, CliError> {
    // Sized up front so that reading does not reallocate (and free) a
    // buffer holding part of a passcode.
    let mut line = Zeroizing::new(String::with_capacity(1024));
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::arg("--passcode-stdin", format!("cannot read stdin: {e}")))?;
    if n == 0 {
        return Err(CliError::arg(
            "--passcode-stdin",
            format!("expected the {what} on stdin"),
        ));
    }
    let len = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(len);
    Ok(line)
}

/// The passcode of typed text.
pub fn passcode_of(text: &str) -> Passcode {
    Passcode::new(text.as_bytes().to_vec())
}

/// The passcode prompt failed: there is no terminal to type it in (the
/// command runs from a script, a pipe or a service).
fn no_terminal(e: std::io::Error) -> CliError {
    CliError::input(format!(
        "cannot ask for the passcode: there is no terminal to type it in ({e}); give it on \
         the first line of stdin with --passcode-stdin; nothing was stored"
    ))
}

fn prompt(text: &str) -> Result<Passcode, CliError> {
    let typed = rpassword::prompt_password(text).map_err(no_terminal)?;
    let typed = Zeroizing::new(typed);
    Ok(passcode_of(&typed))
}

/// The current passcode: a line of stdin or a prompt.
pub fn read_passcode(input: &PasscodeArg, what: &str) -> Result<Passcode, CliError> {
    if input.passcode_stdin {
        Ok(passcode_of(&stdin_line(what)?))
    } else {
        prompt(&format!("{}: ", capitalise(what)))
    }
}

/// A new passcode: a line of stdin, or typed twice; checked against the policy.
pub fn read_new_passcode(input: &PasscodeArg) -> Result<Passcode, CliError> {
    let new = if input.passcode_stdin {
        passcode_of(&stdin_line("new passcode")?)
    } else {
        eprintln!("Choose a passcode of {MIN_CHARS} to {MAX_CHARS} characters.");
        let first =
            Zeroizing::new(rpassword::prompt_password("New passcode: ").map_err(no_terminal)?);
        let again = Zeroizing::new(rpassword::prompt_password("Repeat it: ").map_err(no_terminal)?);
        if !bool::from(first.as_bytes().ct_eq(again.as_bytes())) {
            return Err(CliError::arg("passcode", "the two entries differ"));
        }
        passcode_of(&first)
    };
    new.check_policy()
        .map_err(|v| CliError::arg("passcode", format!("not accepted: {v}")))?;
    Ok(new)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

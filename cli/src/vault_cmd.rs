//! `tessera passcode set | change` and `tessera token import | list | code |
//! remove`: the desktop authenticator over the core's vault.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Value, json};
use tessera_core::uri::{MigrationImport, parse_key_uri};
use tessera_core::vault::{
    NewToken, Passcode, TokenId, TokenInfo, TokenKind, UnlockedVault, Vault,
};

use std::path::Path;

use tessera_core::scan::Scanner;
use zeroize::Zeroizing;

use crate::desktop::Home;
use crate::error::{CliError, CliResult};
use crate::image_input;
use crate::input::{arg_or_stdin, now};
use crate::uri_cmd::warning_text;
use crate::vault_io::{
    self, HomeArg, PasscodeArg, config, passcode_of, read_new_passcode, read_passcode, stdin_line,
    unlock_error, vault_error,
};

/// `tessera passcode ...`.
#[derive(Debug, Subcommand)]
pub enum PasscodeCommand {
    /// Create the vault, protected by a new passcode (6 to 16 characters).
    ///
    /// Common passcodes (123456, 000000, ...), one repeated character, simple
    /// runs (345678, abcdef) and repeated short groups (121212) are refused.
    #[command(
        after_help = "Example:\n  printf 'k7#pQ2!v\\n' | tessera passcode set --passcode-stdin"
    )]
    Set {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        input: PasscodeArg,
    },
    /// Change the passcode; the tokens stay.
    ///
    /// With --passcode-stdin, the current passcode is on the first line of
    /// stdin and the new one on the second.
    Change {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        input: PasscodeArg,
    },
}

/// `tessera token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Add tokens from otpauth:// Key URIs or a Google Authenticator export
    /// (otpauth-migration://, every QR code of a split export), given as text
    /// or as PNG or JPEG images of their QR codes. Asks for the passcode.
    ///
    /// With --passcode-stdin and URI "-", the passcode is on the first line of
    /// stdin and the URI on the next.
    #[command(after_help = "Examples:\n  \
            tessera token import \\\n      \
            'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example'\n  \
            tessera token import screenshot-of-the-qr-code.png")]
    Import {
        /// The URI, an image file of its QR code (PNG or JPEG), or - to read
        /// the URI from stdin.
        #[arg(required = true, value_name = "URI|IMAGE")]
        uris: Vec<String>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        input: PasscodeArg,
    },
    /// List the tokens (no passcode needed: labels are not secret).
    List {
        /// Print JSON instead of plain text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        home: HomeArg,
    },
    /// Print the current code of token ID (from `tessera token list`). Asks for the passcode.
    ///
    /// An HOTP token's counter is saved before the code is printed, so no
    /// code is ever shown twice.
    Code {
        /// The token's id.
        id: String,
        /// Unix time in seconds [default: now] (TOTP only).
        #[arg(long, value_name = "UNIX")]
        time: Option<u64>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        input: PasscodeArg,
    },
    /// Remove token ID and its secret. Asks for the passcode.
    Remove {
        /// The token's id.
        id: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        input: PasscodeArg,
    },
}

/// Opens the vault in `--home` (which must exist).
fn open(home: &HomeArg) -> Result<(Home, Vault), CliError> {
    let dir = crate::desktop::home_dir(home.home.as_deref())?;
    let home = Home::open(dir, false)?;
    let vault = Vault::open(home.platform()?, config()).map_err(|e| vault_error(e, &home.dir))?;
    Ok((home, vault))
}

/// Refuses before prompting when no attempt is possible now.
fn check_can_attempt(vault: &Vault, home: &Home) -> Result<(), CliError> {
    vault_io::check_can_attempt(vault.status(), &home.dir)
}

/// Unlocks with `passcode`; a wrong one reports the attempts left and the
/// delay before the next.
fn unlock(vault: &Vault, home: &Home, passcode: &Passcode) -> Result<UnlockedVault, CliError> {
    vault
        .unlock_with_passcode(passcode)
        .map_err(|e| unlock_error(e, Some(vault.status()), &home.dir))
}

fn parse_id(vault: &Vault, home: &Home, id: &str) -> Result<TokenInfo, CliError> {
    let id: TokenId = id.parse().map_err(|_| {
        CliError::arg(
            "ID",
            format!("{id:?} is not a token id (see `tessera token list`)"),
        )
    })?;
    vault
        .tokens()
        .map_err(|e| vault_error(e, &home.dir))?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            CliError::arg(
                "ID",
                format!("no token has id {id} (see `tessera token list`)"),
            )
        })
}

fn token_json(t: &TokenInfo) -> Value {
    let mut v = json!({
        "id": t.id.0,
        "type": t.kind.name(),
        "label": t.label(),
        "issuer": t.issuer,
        "account": t.account,
    });
    match &t.kind {
        TokenKind::Hotp {
            algorithm,
            digits,
            counter,
        } => {
            v["algorithm"] = json!(algorithm.name());
            v["digits"] = json!(digits);
            v["counter"] = json!(counter);
        }
        TokenKind::Totp {
            algorithm,
            digits,
            period,
        } => {
            v["algorithm"] = json!(algorithm.name());
            v["digits"] = json!(digits);
            v["period"] = json!(period);
        }
        TokenKind::Mosaic(b) => {
            v["digits"] = json!(b.params.digits);
            v["algorithm"] = json!(b.params.hash.name());
            v["portal_origin"] = json!(b.portal_origin);
            v["user_id"] = json!(b.user_id);
            v["portal_token_id"] = json!(b.portal_token_id.to_string());
        }
    }
    v
}

/// Runs `tessera passcode ...`.
pub fn passcode(cmd: &PasscodeCommand) -> CliResult {
    match cmd {
        PasscodeCommand::Set { home, input } => {
            let dir = crate::desktop::home_dir(home.home.as_deref())?;
            let home = Home::open(dir, true)?;
            let new = read_new_passcode(input)?;
            Vault::create(home.platform()?, config(), &new)
                .map_err(|e| vault_error(e, &home.dir))?;
            println!("created a vault in {}", home.dir.display());
        }
        PasscodeCommand::Change { home, input } => {
            let (home, vault) = open(home)?;
            check_can_attempt(&vault, &home)?;
            let current = read_passcode(input, "current passcode")?;
            let new = read_new_passcode(input)?;
            let unlocked = unlock(&vault, &home, &current)?;
            unlocked
                .change_passcode(&new)
                .map_err(|e| vault_error(e, &home.dir))?;
            println!("passcode changed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `tessera token ...`.
pub fn token(cmd: &TokenCommand) -> CliResult {
    match cmd {
        TokenCommand::Import { uris, home, input } => import(uris, home, input),
        TokenCommand::List { json, home } => {
            let (home, vault) = open(home)?;
            let tokens = vault.tokens().map_err(|e| vault_error(e, &home.dir))?;
            if *json {
                let all: Vec<Value> = tokens.iter().map(token_json).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&all).map_err(CliError::input)?
                );
            } else {
                for t in &tokens {
                    println!("{:>4}  {:<6}  {}", t.id, t.kind.name(), t.label());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Code {
            id,
            time,
            home,
            input,
        } => {
            let (home, vault) = open(home)?;
            let info = parse_id(&vault, &home, id)?;
            let time = match time {
                Some(t) => *t,
                None => now()?,
            };
            check_can_attempt(&vault, &home)?;
            let passcode = read_passcode(input, "passcode")?;
            let unlocked = unlock(&vault, &home, &passcode)?;
            let code = unlocked
                .code(info.id, time)
                .map_err(|e| vault_error(e, &home.dir))?;
            if code.clock_went_back {
                eprintln!(
                    "warning: a code for a later time was already shown for this token; \
                     the clock may have gone back"
                );
            }
            println!("{}", code.code.as_str());
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Remove { id, home, input } => {
            let (home, vault) = open(home)?;
            let info = parse_id(&vault, &home, id)?;
            check_can_attempt(&vault, &home)?;
            let passcode = read_passcode(input, "passcode")?;
            let unlocked = unlock(&vault, &home, &passcode)?;
            unlocked
                .remove_token(info.id)
                .map_err(|e| vault_error(e, &home.dir))?;
            println!("removed {}: {}", info.id, info.label());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Whether a `token import` argument names an image file rather than
/// holding a URI (a URI starts with its scheme; `-` is stdin).
fn is_image_arg(arg: &str) -> bool {
    if arg == "-" || starts_with_ignore_case(arg.trim_start(), "otpauth") {
        return false;
    }
    let path = Path::new(arg);
    path.is_file()
        || path.extension().is_some_and(|e| {
            ["png", "jpg", "jpeg"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix))
}

/// The otpauth:// and otpauth-migration:// URIs of the QR codes in an image
/// (a screenshot of an authenticator QR code or of an export).
fn uris_in_image(arg: &str) -> Result<Vec<Zeroizing<String>>, CliError> {
    let found = image_input::scan_file(Path::new(arg), &Scanner::default())
        .map_err(|e| CliError::arg(arg, format!("cannot read the image: {e}")))?;
    let mut uris = Vec::new();
    for detection in found {
        let payload = Zeroizing::new(detection.payload);
        if let Ok(text) = std::str::from_utf8(&payload) {
            let text = text.trim();
            if starts_with_ignore_case(text, "otpauth://")
                || starts_with_ignore_case(text, "otpauth-migration://")
            {
                uris.push(Zeroizing::new(text.to_owned()));
            }
        }
    }
    if uris.is_empty() {
        return Err(CliError::arg(
            arg,
            "no otpauth:// or otpauth-migration:// QR code found in the image (a Tessera \
             mosaic is activated with `tessera activate`)",
        ));
    }
    Ok(uris)
}

fn import(uris: &[String], home: &HomeArg, input: &PasscodeArg) -> CliResult {
    let (home, vault) = open(home)?;
    check_can_attempt(&vault, &home)?;
    // With --passcode-stdin the passcode comes first, then any "-" URI.
    let passcode = if input.passcode_stdin {
        Some(passcode_of(&stdin_line("passcode")?))
    } else {
        None
    };
    let mut tokens = Vec::new();
    let mut export = MigrationImport::new();
    let mut has_export = false;
    let mut texts = Vec::new();
    for arg in uris {
        if is_image_arg(arg) {
            texts.extend(uris_in_image(arg)?);
        } else {
            texts.push(arg_or_stdin("URI", arg)?);
        }
    }
    for uri in &texts {
        let is_export = uri
            .trim()
            .get(..20)
            .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration://"));
        if is_export {
            export.add(uri).map_err(|e| CliError::arg("URI", e))?;
            has_export = true;
        } else {
            let parsed = parse_key_uri(uri).map_err(|e| CliError::arg("URI", e))?;
            for w in &parsed.warnings {
                eprintln!("warning: {}", warning_text(w));
            }
            tokens.push(NewToken::from(parsed.token));
        }
    }
    if has_export {
        let (exported, skipped) = export.finish().map_err(|e| CliError::arg("URI", e))?;
        for s in &skipped {
            eprintln!("warning: skipped {:?}: {}", s.name, s.reason);
        }
        tokens.extend(exported.into_iter().map(NewToken::from));
    }
    if tokens.is_empty() {
        return Err(CliError::arg("URI", "no token to import"));
    }
    let passcode = match passcode {
        Some(p) => p,
        None => read_passcode(input, "passcode")?,
    };
    let unlocked = unlock(&vault, &home, &passcode)?;
    let labels: Vec<String> = tokens
        .iter()
        .map(|t| match &t.issuer {
            Some(issuer) => format!("{issuer}:{}", t.account),
            None => t.account.clone(),
        })
        .collect();
    let ids = unlocked
        .add_tokens(tokens)
        .map_err(|e| vault_error(e, &home.dir))?;
    for (id, label) in ids.iter().zip(labels) {
        println!("imported {id}: {label}");
    }
    Ok(ExitCode::SUCCESS)
}

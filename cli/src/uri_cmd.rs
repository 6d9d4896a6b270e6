//! `tessera uri show | code` and `tessera migration show`.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Value, json};
use tessera_core::uri::{
    MigrationImport, OtpToken, SkippedEntry, TokenKind, UriWarning, parse_key_uri,
};

use crate::error::{CliError, CliResult};
use crate::input::{arg_or_stdin, now};

/// `tessera uri ...`.
#[derive(Debug, Subcommand)]
pub enum UriCommand {
    /// Print the token an otpauth:// URI describes, as JSON (without the secret unless asked).
    #[command(after_help = "Example:\n  \
            tessera uri show \\\n      \
            'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example'")]
    Show {
        /// The otpauth:// URI, or - to read it from stdin.
        uri: String,
        /// Include the secret (base32) in the output.
        #[arg(long)]
        show_secret: bool,
    },
    /// Print the current code of an otpauth:// URI (HOTP: the code for its counter).
    Code {
        /// The otpauth:// URI, or - to read it from stdin.
        uri: String,
        /// Unix time in seconds [default: now].
        #[arg(long, value_name = "UNIX")]
        time: Option<u64>,
        /// Print JSON instead of plain text.
        #[arg(long)]
        json: bool,
    },
}

/// `tessera migration ...`.
#[derive(Debug, Subcommand)]
pub enum MigrationCommand {
    /// Print the tokens of a Google Authenticator export as JSON (without secrets unless asked).
    Show {
        /// Every otpauth-migration:// URI of the export (one per QR code), or - to read them from stdin, one per line.
        #[arg(required = true)]
        uris: Vec<String>,
        /// Include the secrets (base32) in the output.
        #[arg(long)]
        show_secret: bool,
    },
}

/// The JSON description of a token.
fn token_json(token: &OtpToken, show_secret: bool) -> Value {
    let mut v = json!({
        "issuer": token.issuer,
        "account": token.account,
        "algorithm": token.algorithm.name(),
        "digits": token.digits,
        "secret_bits": token.secret.bits(),
    });
    match token.kind {
        TokenKind::Hotp { counter } => {
            v["type"] = json!("hotp");
            v["counter"] = json!(counter);
        }
        TokenKind::Totp { period } => {
            v["type"] = json!("totp");
            v["period"] = json!(period);
        }
    }
    if show_secret {
        v["secret"] = json!(data_encoding::BASE32_NOPAD.encode(token.secret.expose()));
    }
    v
}

pub(crate) fn warning_text(w: &UriWarning) -> String {
    match w {
        UriWarning::IssuerMismatch { label, parameter } => format!(
            "the label says issuer {label:?} but the issuer parameter says {parameter:?}; using {parameter:?}"
        ),
        UriWarning::ShortSecret { bits } => {
            format!("the secret has only {bits} bits (new tokens should have at least 128)")
        }
        UriWarning::MissingCounter => "no counter given; starting at 0".to_owned(),
    }
}

/// Runs `tessera uri ...`.
pub fn uri(cmd: &UriCommand) -> CliResult {
    match cmd {
        UriCommand::Show { uri, show_secret } => {
            let uri = arg_or_stdin("URI", uri)?;
            let parsed = parse_key_uri(&uri).map_err(|e| CliError::arg("URI", e))?;
            let mut v = token_json(&parsed.token, *show_secret);
            v["warnings"] = json!(parsed.warnings.iter().map(warning_text).collect::<Vec<_>>());
            println!(
                "{}",
                serde_json::to_string_pretty(&v).map_err(CliError::input)?
            );
            Ok(ExitCode::SUCCESS)
        }
        UriCommand::Code { uri, time, json } => {
            let uri = arg_or_stdin("URI", uri)?;
            let parsed = parse_key_uri(&uri).map_err(|e| CliError::arg("URI", e))?;
            for w in &parsed.warnings {
                eprintln!("warning: {}", warning_text(w));
            }
            let time = match time {
                Some(t) => *t,
                None => now()?,
            };
            let code = parsed
                .token
                .code(time)
                .map_err(|e| CliError::arg("--time", e))?;
            if *json {
                println!(
                    "{}",
                    json!({ "code": code.as_str(), "label": parsed.token.label() })
                );
            } else {
                println!("{}", code.as_str());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn skipped_json(s: &SkippedEntry) -> Value {
    json!({ "name": s.name, "reason": s.reason })
}

/// Runs `tessera migration ...`.
pub fn migration(cmd: &MigrationCommand) -> CliResult {
    let MigrationCommand::Show { uris, show_secret } = cmd;
    let mut lines = Vec::new();
    for uri in uris {
        if uri == "-" {
            for line in std::io::stdin().lines() {
                let line =
                    line.map_err(|e| CliError::arg("URI", format!("cannot read stdin: {e}")))?;
                if !line.trim().is_empty() {
                    lines.push(zeroize::Zeroizing::new(line));
                }
            }
        } else {
            lines.push(zeroize::Zeroizing::new(uri.clone()));
        }
    }
    let mut import = MigrationImport::new();
    for (i, uri) in lines.iter().enumerate() {
        import
            .add(uri)
            .map_err(|e| CliError::arg(format!("URI {}", i + 1), e))?;
    }
    let (tokens, skipped) = import.finish().map_err(CliError::input)?;
    let v = json!({
        "tokens": tokens.iter().map(|t| token_json(t, *show_secret)).collect::<Vec<_>>(),
        "skipped": skipped.iter().map(skipped_json).collect::<Vec<_>>(),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&v).map_err(CliError::input)?
    );
    Ok(ExitCode::SUCCESS)
}

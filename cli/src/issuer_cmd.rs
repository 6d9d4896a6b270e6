//! `tessera issuer`: the portal's side of the protocol, scripted: enrol a
//! mobile, confirm it, issue login and transaction mosaics, verify OTPs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;
use tessera_core::mosaic::{MosaicError, Transaction};
use tessera_portal::{Portal, PortalConfig, PortalError, SqliteStore, render};

use crate::error::{CliError, CliResult, EXIT_MISMATCH};
use crate::input::now;

/// `tessera issuer --db FILE <command>`.
#[derive(Debug, Args)]
#[command(after_help = "Example (the portal side of a login):\n  \
    tessera issuer --db portal.db enroll --user alice --out activation.png\n  \
    tessera issuer --db portal.db confirm --user alice \\\n      \
    --code 7KQ3-9ZTM-D1XB-HN4R-02PF-S8WC\n  \
    tessera issuer --db portal.db login --user alice --out login.png\n  \
    tessera issuer --db portal.db verify --challenge 5b0c... --otp 87654321")]
pub struct IssuerArgs {
    /// The portal's SQLite database (created if missing).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Print JSON instead of plain text.
    #[arg(long, global = true)]
    json: bool,
    /// Unix time to act at [default: now] (for tests and demos).
    #[arg(long, value_name = "UNIX", global = true, hide = true)]
    now: Option<u64>,
    #[command(subcommand)]
    command: IssuerCommand,
}

/// What the issuer does.
#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Start adding a mobile: write the activation mosaic, print the activation code and token id.
    Enroll {
        /// The portal user.
        #[arg(long, value_name = "ID")]
        user: String,
        /// The portal's origin, shown on the phone and bound into every OTP.
        #[arg(
            long,
            value_name = "ORIGIN",
            default_value = "https://portal.example.lu"
        )]
        origin: String,
        /// Where to write the mosaic (.png or .svg).
        #[arg(long, value_name = "MOSAIC")]
        out: PathBuf,
    },
    /// Complete an activation with the confirmation code the phone shows.
    Confirm {
        /// The portal user.
        #[arg(long, value_name = "ID")]
        user: String,
        /// The confirmation code: 24 letters and digits, like
        /// ABCD-EFGH-JKMN-PQRS-TVWX-YZ01 (case, spaces and dashes do not matter).
        #[arg(long, value_name = "CODE")]
        code: String,
    },
    /// Issue a login challenge: write its mosaic, print its id.
    Login {
        /// The portal user.
        #[arg(long, value_name = "ID")]
        user: String,
        /// Where to write the mosaic (.png or .svg).
        #[arg(long, value_name = "MOSAIC")]
        out: PathBuf,
    },
    /// Issue a transaction to sign: write its mosaic, print its id.
    Sign {
        /// The portal user.
        #[arg(long, value_name = "ID")]
        user: String,
        /// The amount, e.g. 120.50: more than zero, with no more decimals
        /// than the currency has (EUR 2, JPY 0, KWD 3).
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        amount: String,
        /// ISO 4217 currency code (EUR, USD, CHF, GBP, JPY, ...).
        #[arg(long, value_name = "CODE", default_value = "EUR")]
        currency: String,
        /// The payee's name.
        #[arg(long, value_name = "NAME")]
        payee: String,
        /// The payee's IBAN (spaces allowed).
        #[arg(long, value_name = "IBAN")]
        iban: String,
        /// Reference or purpose.
        #[arg(long, value_name = "TEXT")]
        reference: Option<String>,
        /// Where to write the mosaic (.png or .svg).
        #[arg(long, value_name = "MOSAIC")]
        out: PathBuf,
    },
    /// Decide on an OTP: exit 0 accepted, 1 rejected (reason on stderr).
    Verify {
        /// The challenge id printed by `login` or `sign`.
        #[arg(long, value_name = "ID")]
        challenge: String,
        /// The OTP the user typed.
        #[arg(long, value_name = "OTP")]
        otp: String,
    },
    /// Unlock a mobile locked by wrong OTPs.
    Unlock {
        /// The token id.
        #[arg(long, value_name = "TOKEN")]
        token: String,
    },
}

/// What `--out` asks for: an SVG for `.svg`, a PNG for `.png`; anything
/// else is refused before the portal does anything (a JPEG would blur the
/// modules; a `.jpg` file holding PNG bytes would be a lie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MosaicFormat {
    Png,
    Svg,
}

fn mosaic_format(path: &Path) -> Result<MosaicFormat, CliError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => Ok(MosaicFormat::Png),
        Some("svg") => Ok(MosaicFormat::Svg),
        _ => Err(CliError::arg(
            "--out",
            format!(
                "{}: the mosaic is written as PNG or SVG; name the file .png or .svg",
                path.display()
            ),
        )),
    }
}

fn write_mosaic(path: &Path, payload: &[u8]) -> Result<(), CliError> {
    let arg = "--out";
    let bytes = match mosaic_format(path)? {
        MosaicFormat::Svg => render::svg(payload).map(String::into_bytes),
        MosaicFormat::Png => render::png(payload, 8),
    }
    .map_err(|e| CliError::arg(arg, e))?;
    std::fs::write(path, bytes)
        .map_err(|e| CliError::arg(arg, format!("cannot write {}: {e}", path.display())))
}

/// Whether a portal error is a decision (exit 1) rather than bad input.
fn is_rejection(e: &PortalError) -> bool {
    // Every variant named: a new refusal must choose its exit status.
    match e {
        PortalError::WrongOtp { .. }
        | PortalError::TokenLocked
        | PortalError::Expired
        | PortalError::AlreadyAnswered
        | PortalError::UnknownChallenge
        | PortalError::Mismatch(_)
        | PortalError::NoActiveToken(_)
        | PortalError::NoPendingActivation(_)
        | PortalError::ActivationExpired => true,
        // Input to correct (nothing was checked or counted), or the
        // database itself.
        PortalError::MalformedOtp { .. }
        | PortalError::MalformedConfirmation
        | PortalError::Mosaic(_)
        | PortalError::InsecureDatabase(_)
        | PortalError::Storage(_) => false,
    }
}

fn portal_error(e: PortalError) -> CliError {
    if is_rejection(&e) {
        CliError::with_status(EXIT_MISMATCH, e)
    } else {
        CliError::input(e)
    }
}

/// Runs `tessera issuer`.
pub fn issuer(args: &IssuerArgs) -> CliResult {
    // Refuse a mosaic file name before the portal records anything.
    match &args.command {
        IssuerCommand::Enroll { out, .. }
        | IssuerCommand::Login { out, .. }
        | IssuerCommand::Sign { out, .. } => {
            mosaic_format(out)?;
        }
        IssuerCommand::Confirm { .. }
        | IssuerCommand::Verify { .. }
        | IssuerCommand::Unlock { .. } => {}
    }
    let store = SqliteStore::open(&args.db).map_err(|e| CliError::arg("--db", e))?;
    let mut portal = Portal::new(store, PortalConfig::default());
    let now = match args.now {
        Some(t) => t,
        None => now()?,
    };
    let print = |text: String, value: serde_json::Value| {
        if args.json {
            println!("{value}");
        } else {
            println!("{text}");
        }
    };
    match &args.command {
        IssuerCommand::Enroll { user, origin, out } => {
            let e = portal.enroll(user, origin, now).map_err(portal_error)?;
            write_mosaic(out, &e.mosaic)?;
            let code = e.code.display();
            print(
                format!("activation code: {}\ntoken: {}", code.as_str(), e.token_id),
                json!({ "activation_code": code.as_str(), "token_id": e.token_id.to_string(), "expires_at": e.expires_at }),
            );
        }
        IssuerCommand::Confirm { user, code } => {
            let token = portal.confirm(user, code, now).map_err(portal_error)?;
            print(
                format!("mobile {token} activated for {user}"),
                json!({ "token_id": token.to_string(), "user": user }),
            );
        }
        IssuerCommand::Login { user, out } => {
            let c = portal.login(user, now).map_err(portal_error)?;
            write_mosaic(out, &c.mosaic)?;
            print(
                c.id.clone(),
                json!({ "challenge": c.id, "token_id": c.token_id.to_string(), "expires_at": c.expires_at }),
            );
        }
        IssuerCommand::Sign {
            user,
            amount,
            currency,
            payee,
            iban,
            reference,
            out,
        } => {
            let transaction = Transaction {
                amount: amount.clone(),
                currency: currency.to_uppercase(),
                payee: payee.clone(),
                iban: iban
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_uppercase(),
                reference: reference.clone(),
                text: None,
            };
            let c = portal.sign(user, transaction, now).map_err(|e| match e {
                PortalError::Mosaic(m @ MosaicError::InvalidField { field, .. }) => match field {
                    "amount" => CliError::arg("--amount", m),
                    "currency" => CliError::arg("--currency", m),
                    "payee" => CliError::arg("--payee", m),
                    "IBAN" => CliError::arg("--iban", m),
                    "reference" => CliError::arg("--reference", m),
                    _ => CliError::input(m),
                },
                PortalError::Mosaic(m) => CliError::input(m),
                e => portal_error(e),
            })?;
            write_mosaic(out, &c.mosaic)?;
            print(
                c.id.clone(),
                json!({ "challenge": c.id, "token_id": c.token_id.to_string(), "expires_at": c.expires_at }),
            );
        }
        IssuerCommand::Verify { challenge, otp } => {
            let accepted = portal
                .verify(challenge, otp, None, now)
                .map_err(portal_error)?;
            let what = match &accepted.transaction {
                Some(t) => format!(
                    "transaction of {} {} to {} signed by {}",
                    t.amount, t.currency, t.payee, accepted.user_id
                ),
                None => format!("login of {} accepted", accepted.user_id),
            };
            print(
                what,
                json!({ "accepted": true, "user": accepted.user_id, "kind": accepted.kind.name() }),
            );
        }
        IssuerCommand::Unlock { token } => {
            let id = token.parse().map_err(|e| CliError::arg("--token", e))?;
            portal.unlock(&id).map_err(portal_error)?;
            print(
                format!("mobile {token} unlocked"),
                json!({ "token_id": token }),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `tessera activate` and `tessera approve`: the phone's side of the mosaic
//! protocol on the desktop. An image file stands in for the camera (the same
//! path as `tessera scan`: `image_input` → the core's scanner), the
//! vault in `--home` for the phone's, and the terminal for its screen: what
//! is being activated or approved goes to stderr before the passcode is
//! asked, the OTP alone to stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{Value, json};
use tessera_core::authenticator::{AuthError, Authenticator, AuthenticatorConfig, Request};
use tessera_core::mosaic::{Challenge, Envelope, MosaicError, MosaicKind};
use tessera_core::platform::Clock as _;
use tessera_core::vault::{MosaicBinding, TokenKind, VaultError};

use crate::desktop::Home;
use crate::error::{
    CliError, CliResult, EXIT_ALREADY_ANSWERED, EXIT_CLOCK_SKEW, EXIT_EXPIRED, EXIT_NOT_FOR_DEVICE,
    EXIT_TAMPERED,
};
use crate::image_input::{self, ImageFrame};
use crate::input::arg_or_stdin;
use crate::vault_io::{
    HomeArg, PasscodeArg, check_can_attempt, config, read_new_passcode, read_passcode, unlock_error,
};

const ACTIVATE_EXIT_STATUS_HELP: &str = "Exit status: 0 the confirmation OTP was printed; 2 bad \
input (unreadable image, no QR code, not a Tessera mosaic, the wrong kind of mosaic, a wrong or \
mistyped activation code, a passcode the policy refuses); 3 wrong passcode, or attempts are \
delayed; 4 the vault's keys were erased (10 wrong passcodes) or its device key is gone; 5 the \
vault cannot be used; 7 the offer has expired; 9 the offer was already activated on this device; \
10 the mosaic failed its integrity check (altered).";

const APPROVE_EXIT_STATUS_HELP: &str = "Exit status: 0 the OTP was printed; 2 bad input \
(unreadable image, no QR code, not a Tessera mosaic, the wrong kind of mosaic); 3 wrong passcode, \
or attempts are delayed; 4 the vault's keys were erased (10 wrong passcodes) or its device key is \
gone; 5 the vault cannot be used; 6 the mosaic is not for this device; 7 the mosaic has expired; \
8 this computer's clock disagrees with the portal's; 9 the mosaic was already answered; 10 the \
mosaic failed its integrity check (altered).";

/// `tessera activate`.
#[derive(Debug, Args)]
#[command(after_help = format!(
    "The portal and user the token is for are printed on stderr before the passcode is asked. \
If this device has no vault yet, you choose its passcode now (6 to 16 characters, typed twice; \
with --passcode-stdin, one line). Otherwise the vault's passcode is asked (with \
--passcode-stdin, one line). With --code -, the code is the first line of stdin and the passcode \
the next. The last line of stdout is the confirmation OTP to type into the portal.\n\n\
{ACTIVATE_EXIT_STATUS_HELP}\n\nExample:\n  \
tessera activate activation.png --code ABCD-EFGH-JKMN-PQRS\n  \
printf 'k7#pQ2!v\\n' | tessera activate activation.png \\\n      \
--code ABCD-EFGH-JKMN-PQRS --passcode-stdin"
))]
pub struct ActivateArgs {
    /// The activation mosaic: a PNG or JPEG screenshot or photo of it.
    #[arg(value_name = "MOSAIC")]
    image: PathBuf,
    /// The activation code the portal sent by another channel (case, spaces
    /// and dashes do not matter), or - to read it from stdin.
    #[arg(long, value_name = "CODE")]
    code: String,
    #[command(flatten)]
    home: HomeArg,
    #[command(flatten)]
    input: PasscodeArg,
    /// Print one JSON object (portal, user, token, OTP) instead of the OTP alone.
    #[arg(long)]
    json: bool,
}

/// `tessera approve`.
#[derive(Debug, Args)]
#[command(after_help = format!(
    "What is being approved is printed on stderr before the passcode is asked: the portal and \
user, and for a transaction the amount, payee, IBAN and reference. The OTP is computed over \
exactly those fields. stdout is the OTP alone, on one line (with --json, one object with the \
fields and the OTP), so `otp=$(tessera approve login.png)` works.\n\n{APPROVE_EXIT_STATUS_HELP}\n\n\
Example:\n  tessera approve login.png\n  \
printf 'k7#pQ2!v\\n' | tessera approve transfer.png --passcode-stdin --json"
))]
pub struct ApproveArgs {
    /// The login or transaction mosaic: a PNG or JPEG screenshot or photo of it.
    #[arg(value_name = "MOSAIC")]
    image: PathBuf,
    #[command(flatten)]
    home: HomeArg,
    #[command(flatten)]
    input: PasscodeArg,
    /// Print one JSON object (what was approved and the OTP) instead of the OTP alone.
    #[arg(long)]
    json: bool,
}

/// The image in `path`, decoded within the input limits.
fn load_image(path: &Path) -> Result<ImageFrame, CliError> {
    image_input::load(path).map_err(|e| {
        CliError::arg(
            path.display().to_string(),
            format!("cannot read the image: {e}"),
        )
    })
}

fn no_code(path: &Path) -> CliError {
    CliError::arg(
        path.display().to_string(),
        "no QR code found in the image; use a sharper or larger picture of the mosaic",
    )
}

/// What the image asks for, by the core's one policy for a picture with
/// several codes (`Authenticator::scan_and_read`: the first that reads).
fn scan_request(
    auth: &Authenticator,
    image: &ImageFrame,
    path: &Path,
    fail: impl Fn(AuthError) -> CliError,
) -> Result<Request, CliError> {
    let frame = image
        .frame()
        .map_err(|e| CliError::arg(path.display().to_string(), e))?;
    auth.scan_and_read(&frame)
        .map_err(fail)?
        .map(|scanned| scanned.request)
        .ok_or_else(|| no_code(path))
}

/// An otpauth:// (or export) QR code given to activate or approve.
fn token_qr(image: &Path, expected: &str) -> CliError {
    CliError::input(format!(
        "this QR code holds an authenticator token (otpauth://), not {expected}; add it to the \
         vault with `tessera token import {}`",
        crate::desktop::shell_quote(image)
    ))
}

/// When the challenge expires, by this computer's clock: the portal decides
/// with its own clock, so a challenge past its expiry here (the phone
/// allows for clocks up to 120 s apart) is shown, with a warning, rather
/// than refused: this computer's clock may be the one that is wrong.
fn expiry(c: &Challenge, now: u64) -> String {
    let left = i128::from(c.expires_at) - i128::from(now);
    let span = |secs: i128| {
        if secs >= 120 {
            format!("{} min {} s", secs / 60, secs % 60)
        } else {
            format!("{secs} s")
        }
    };
    if left >= 0 {
        format!(
            "  Expires:   in {} (by this computer's clock)\n",
            span(left)
        )
    } else {
        format!(
            "  Expires:   {} ago by this computer's clock: this may have expired at the \
             portal; if the portal refuses the OTP, ask it for a new mosaic\n",
            span(-left)
        )
    }
}

/// Maps the authenticator's refusals to messages and exit statuses.
fn auth_error(e: AuthError, auth: Option<&Authenticator>, home: &Path) -> CliError {
    match e {
        AuthError::Vault(VaultError::AlreadyAnswered)
        | AuthError::Mosaic(MosaicError::AlreadyAnswered) => CliError::with_status(
            EXIT_ALREADY_ANSWERED,
            "this mosaic was already answered on this device; each mosaic gives one OTP: ask \
             the portal for a new one",
        ),
        AuthError::Vault(v) => unlock_error(v, auth.and_then(Authenticator::status), home),
        AuthError::Mosaic(m) => mosaic_error(m, home),
        AuthError::AlreadyActivated => CliError::with_status(
            EXIT_ALREADY_ANSWERED,
            format!(
                "this device is already activated with this offer (see `tessera token list \
                 --home {}`)",
                home.display()
            ),
        ),
        AuthError::NoVault => not_for_this_device(home),
        AuthError::Unrecognised => CliError::input(
            "the QR code is not a Tessera mosaic (`tessera scan` shows what it holds)",
        ),
        other => CliError::input(other),
    }
}

fn not_for_this_device(home: &Path) -> CliError {
    CliError::with_status(
        EXIT_NOT_FOR_DEVICE,
        format!(
            "this mosaic is not for this device: no token in {} is the one it is addressed to \
             (activate this device for that account first, or give the right --home)",
            home.display()
        ),
    )
}

fn mosaic_error(e: MosaicError, home: &Path) -> CliError {
    match e {
        MosaicError::NotForThisDevice => not_for_this_device(home),
        MosaicError::Expired => CliError::with_status(EXIT_EXPIRED, e),
        MosaicError::ClockSkew { offset_secs } => CliError::with_status(
            EXIT_CLOCK_SKEW,
            format!(
                "this computer's clock is {} seconds {} the portal's; set the date and time \
                 automatically and try again",
                offset_secs.unsigned_abs(),
                if offset_secs < 0 {
                    "behind"
                } else {
                    "ahead of"
                }
            ),
        ),
        MosaicError::AlreadyAnswered => CliError::with_status(EXIT_ALREADY_ANSWERED, e),
        MosaicError::Tampered => CliError::with_status(EXIT_TAMPERED, e),
        MosaicError::WrongActivationCode => CliError::arg(
            "--code",
            "the activation code is wrong (it does not open this mosaic); nothing was stored",
        ),
        MosaicError::InvalidActivationCode(_) => CliError::arg("--code", e),
        MosaicError::NotAMosaic => CliError::input(
            "the QR code is not a Tessera mosaic (`tessera scan` shows what it holds)",
        ),
        other => CliError::input(other),
    }
}

/// Opens `--home` (creating it when `create`) and the authenticator over it.
fn open(home: &HomeArg, create: bool) -> Result<(Home, Authenticator), CliError> {
    let dir = crate::desktop::home_dir(home.home.as_deref())?;
    let home = Home::open(dir, create)?;
    let config = AuthenticatorConfig {
        vault: config(),
        ..AuthenticatorConfig::default()
    };
    let auth =
        Authenticator::new(home.platform()?, config).map_err(|e| auth_error(e, None, &home.dir))?;
    Ok((home, auth))
}

/// An IBAN in groups of four, as printed on paper.
fn group_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the user approves, for the terminal (also `tessera demo`'s phone).
pub fn describe(c: &Challenge) -> String {
    // The portal's name comes first and stands out: a phishing page can
    // show another portal's mosaic, and only the user, reading this name,
    // can notice that it is not the site in front of them.
    let host = c
        .origin
        .split_once("://")
        .map_or(c.origin.as_str(), |(_, rest)| rest);
    let mut out = format!("== {host} ==\nApprove only if this is the site in front of you.\n");
    out.push_str(&match &c.transaction {
        None => format!("Log in to {}\n  User:      {}\n", c.origin, c.user_id),
        Some(_) => format!(
            "Sign a transaction at {}\n  User:      {}\n",
            c.origin, c.user_id
        ),
    });
    if let Some(t) = &c.transaction {
        out.push_str(&format!("  Amount:    {} {}\n", t.amount, t.currency));
        out.push_str(&format!("  Payee:     {}\n", t.payee));
        out.push_str(&format!("  IBAN:      {}\n", group_iban(&t.iban)));
        if let Some(r) = &t.reference {
            out.push_str(&format!("  Reference: {r}\n"));
        }
        if let Some(text) = &t.text {
            out.push_str(&format!("  Text:      {text}\n"));
        }
    }
    for field in c.deceptive_fields() {
        out.push_str(&format!(
            "warning: the {field} mixes alphabets or imitates Latin letters: read it letter by \
             letter before approving\n"
        ));
    }
    out
}

fn challenge_json(c: &Challenge, token: Option<&MosaicBinding>) -> Value {
    let transaction = c.transaction.as_ref().map(|t| {
        json!({
            "amount": t.amount,
            "currency": t.currency,
            "payee": t.payee,
            "iban": t.iban,
            "reference": t.reference,
            "text": t.text,
        })
    });
    json!({
        "kind": c.kind().name(),
        "origin": c.origin,
        "user": c.user_id,
        "challenge": c.id(),
        "expires_at": c.expires_at,
        "token_id": token.map(|b| b.portal_token_id.to_string()),
        "transaction": transaction,
        "deceptive_fields": c.deceptive_fields(),
    })
}

/// Runs `tessera activate`.
pub fn activate(args: &ActivateArgs) -> CliResult {
    let image = load_image(&args.image)?;
    // The code may come first on stdin, before any passcode.
    let code = arg_or_stdin("--code", &args.code)?;
    let (home, auth) = open(&args.home, true)?;
    let fail = |e: AuthError| auth_error(e, Some(&auth), &home.dir);
    let request = match scan_request(&auth, &image, &args.image, fail)? {
        Request::Activation(r) => r,
        Request::Challenge(c) => {
            return Err(CliError::input(format!(
                "this is a {} mosaic, not an activation mosaic; approve it with `tessera approve`",
                c.kind().name()
            )));
        }
        Request::Import(_) => return Err(token_qr(&args.image, "an activation mosaic")),
    };
    let preview = auth.unseal_activation(&request, &code).map_err(fail)?;
    eprintln!(
        "Activate this device for {}\n  User:      {}",
        preview.origin(),
        preview.user_id()
    );
    let creates_vault = !auth.has_vault();
    let passcode = if creates_vault {
        read_new_passcode(&args.input)?
    } else {
        if let Some(status) = auth.status() {
            check_can_attempt(status, &home.dir)?;
        }
        read_passcode(&args.input, "passcode")?
    };
    let activated = auth
        .complete_activation(&preview, &passcode)
        .map_err(fail)?;
    let binding = match &activated.token.kind {
        TokenKind::Mosaic(b) => Some(b),
        _ => None,
    };
    if args.json {
        println!(
            "{}",
            json!({
                "origin": binding.map(|b| b.portal_origin.as_str()),
                "user": activated.token.account,
                "token_id": binding.map(|b| b.portal_token_id.to_string()),
                "vault_token_id": activated.token.id.0,
                "vault_created": creates_vault,
                "confirmation": activated.confirmation.as_str(),
            })
        );
    } else {
        if creates_vault {
            eprintln!("created a vault in {}", home.dir.display());
        }
        eprintln!("Type this confirmation code into the portal:");
        println!("{}", activated.confirmation.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

/// Explains why the mosaic in `image` cannot be approved when `--home`
/// does not exist (there is no authenticator to read it with): an
/// activation mosaic anywhere in the picture says so, any other mosaic is
/// not for this device, else the first code's reason.
fn without_vault(image: &ImageFrame, path: &Path, home: &Path) -> CliError {
    let found = image
        .frame()
        .map(|frame| tessera_core::scan::Scanner::default().scan(&frame))
        .unwrap_or_default();
    let envelopes: Vec<_> = found
        .iter()
        .filter_map(|d| Envelope::parse(&d.payload).ok())
        .collect();
    if envelopes.iter().any(|e| e.kind() == MosaicKind::Activation) {
        return CliError::input(
            "this is an activation mosaic; activate this device with `tessera activate MOSAIC \
             --code CODE`",
        );
    }
    if !envelopes.is_empty() {
        return not_for_this_device(home);
    }
    match found.first() {
        Some(d) => match Envelope::parse(&d.payload) {
            Ok(_) => not_for_this_device(home),
            Err(e) => mosaic_error(e, home),
        },
        None => no_code(path),
    }
}

/// Runs `tessera approve`.
pub fn approve(args: &ApproveArgs) -> CliResult {
    let image = load_image(&args.image)?;
    let dir = crate::desktop::home_dir(args.home.home.as_deref())?;
    if !dir.is_dir() {
        return Err(without_vault(&image, &args.image, &dir));
    }
    let (home, auth) = open(&args.home, false)?;
    let fail = |e: AuthError| auth_error(e, Some(&auth), &home.dir);
    let request = match scan_request(&auth, &image, &args.image, fail)? {
        Request::Challenge(c) => c,
        Request::Activation(_) => {
            return Err(CliError::input(
                "this is an activation mosaic; activate this device with `tessera activate \
                 MOSAIC --code CODE`",
            ));
        }
        Request::Import(_) => return Err(token_qr(&args.image, "a mosaic to approve")),
    };
    let challenge = request.challenge();
    eprint!("{}", describe(challenge));
    eprint!(
        "{}",
        expiry(challenge, crate::desktop::SystemClock::new().now_unix())
    );
    if let Some(status) = auth.status() {
        check_can_attempt(status, &home.dir)?;
    }
    let passcode = read_passcode(&args.input, "passcode")?;
    let otp = auth
        .approve_with_passcode(&request, &passcode)
        .map_err(fail)?;
    if args.json {
        let binding = match &request.token().kind {
            TokenKind::Mosaic(b) => Some(b),
            _ => None,
        };
        let mut value = challenge_json(challenge, binding);
        value["otp"] = json!(otp.as_str());
        println!("{value}");
    } else {
        eprintln!("Type this one-time password into the portal:");
        println!("{}", otp.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::group_iban;

    #[test]
    fn iban_in_groups_of_four() {
        assert_eq!(
            group_iban("LU280019400644750000"),
            "LU28 0019 4006 4475 0000"
        );
        assert_eq!(
            group_iban("DE89370400440532013000"),
            "DE89 3704 0044 0532 0130 00"
        );
        assert_eq!(group_iban(""), "");
    }
}

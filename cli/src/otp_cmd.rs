//! `tessera hotp | totp | ocra`: an oathtool-like calculator and verifier.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use tessera_core::otp::{Algorithm, Hotp, Ocra, OcraInput, OcraSuite, OtpError, Pin, Totp};
use tessera_core::secret::OtpCode;

use crate::error::{CliError, CliResult, EXIT_MISMATCH};
use crate::input::{KeyArgs, decode_hex, now};

/// Options shared by `hotp` and `totp`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Digits per code (6 to 8).
    #[arg(long, default_value_t = 6, value_name = "N")]
    digits: u32,
    /// HMAC hash: SHA1, SHA256 or SHA512.
    #[arg(long, default_value = "SHA1", value_name = "HASH", value_parser = parse_algorithm)]
    algorithm: Algorithm,
    /// Instead of printing a code, check CODE; prints the matching offset.
    #[arg(long, value_name = "CODE")]
    verify: Option<String>,
    /// With --verify: how many steps to accept around (TOTP) or after (HOTP) the given one.
    #[arg(long, default_value_t = 0, value_name = "W", requires = "verify")]
    window: u32,
    /// Print JSON instead of plain text.
    #[arg(long)]
    json: bool,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse().map_err(|e: OtpError| e.to_string())
}

/// `tessera hotp`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    tessera hotp --key 3132333435363738393031323334353637383930 --counter 1\n  \
    tessera hotp --base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ --counter 1 \\\n      \
    --verify 287082 --window 5")]
pub struct HotpArgs {
    /// The counter value (RFC 4226's C).
    #[arg(long, value_name = "N")]
    counter: u64,
    #[command(flatten)]
    common: CommonArgs,
}

/// `tessera totp`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    tessera totp --base32 JBSWY3DPEHPK3PXP\n  \
    tessera totp --key 3132333435363738393031323334353637383930 \\\n      \
    --time 59 --digits 8\n  \
    tessera totp --base32 JBSWY3DPEHPK3PXP --verify 123456 --window 1")]
pub struct TotpArgs {
    /// Unix time in seconds [default: now].
    #[arg(long, value_name = "UNIX")]
    time: Option<u64>,
    /// Time step in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    period: u64,
    /// Unix time at which counting starts (RFC 6238's T0).
    #[arg(long, default_value_t = 0, value_name = "UNIX")]
    t0: u64,
    #[command(flatten)]
    common: CommonArgs,
}

/// Prints a code, or checks one and prints the offset that matched.
fn finish(
    json: bool,
    verified: Option<Result<i64, OtpError>>,
    code: impl FnOnce() -> Result<(OtpCode, serde_json::Value), CliError>,
) -> CliResult {
    match verified {
        Some(Ok(offset)) => {
            if json {
                println!("{}", json!({ "match": true, "offset": offset }));
            } else {
                println!("{offset}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Err(OtpError::NoMatch)) => {
            if json {
                println!("{}", json!({ "match": false }));
            }
            Err(CliError::with_status(
                EXIT_MISMATCH,
                "the code does not match",
            ))
        }
        Some(Err(e)) => Err(CliError::input(e)),
        None => {
            let (code, mut extra) = code()?;
            if json {
                extra["code"] = json!(code.as_str());
                println!("{extra}");
            } else {
                println!("{}", code.as_str());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn digits_error(e: OtpError) -> CliError {
    match e {
        OtpError::InvalidDigits { .. } => CliError::arg("--digits", e),
        OtpError::ZeroPeriod => CliError::arg("--period", e),
        OtpError::TimeBeforeEpoch { .. } => CliError::arg("--time", e),
        OtpError::WindowTooLarge { .. } => CliError::arg("--window", e),
        OtpError::CounterOverflow => CliError::arg("--counter", e),
        e => CliError::input(e),
    }
}

/// Runs `tessera hotp`.
pub fn hotp(args: &HotpArgs) -> CliResult {
    let c = &args.common;
    let hotp = Hotp::new(c.key.load()?, c.algorithm, c.digits).map_err(digits_error)?;
    let verified = c.verify.as_deref().map(|code| {
        hotp.verify(code, args.counter, c.window)
            .map(|o| i64::try_from(o).unwrap_or(i64::MAX))
    });
    if let Some(Err(e)) = &verified
        && *e != OtpError::NoMatch
    {
        return Err(digits_error(e.clone()));
    }
    finish(c.json, verified, || {
        Ok((
            hotp.generate(args.counter),
            json!({ "counter": args.counter }),
        ))
    })
}

/// Runs `tessera totp`.
pub fn totp(args: &TotpArgs) -> CliResult {
    let c = &args.common;
    let totp = Totp::new(c.key.load()?, c.algorithm, c.digits, args.period, args.t0)
        .map_err(digits_error)?;
    let time = match args.time {
        Some(t) => t,
        None => now()?,
    };
    let verified = c
        .verify
        .as_deref()
        .map(|code| totp.verify(code, time, c.window));
    if let Some(Err(e)) = &verified
        && *e != OtpError::NoMatch
    {
        return Err(digits_error(e.clone()));
    }
    finish(c.json, verified, || {
        let code = totp.generate(time).map_err(digits_error)?;
        let step = totp.step(time).map_err(digits_error)?;
        let remaining = totp.remaining(time).map_err(digits_error)?;
        Ok((
            code,
            json!({ "time": time, "step": step, "valid_for": remaining }),
        ))
    })
}

/// `tessera ocra`.
#[derive(Debug, Args)]
#[command(
    after_help = "The question is given as a person reads it: decimal digits for QN suites, \
text for QA, hex for QH. In mutual mode (--client-question), the response is the client's, \
computed over the server's question followed by the client's; --server-response computes the \
server's instead.\n\nExamples (RFC 6287's keys: \"1234567890\" repeated, 20, 32 and 64 bytes):\n  \
    KEY20=3132333435363738393031323334353637383930\n  \
    KEY32=${KEY20}313233343536373839303132\n  \
    KEY64=${KEY20}${KEY20}${KEY20}31323334\n  \
    tessera ocra --suite OCRA-1:HOTP-SHA1-6:QN08 --key $KEY20 --question 00000000\n  \
    tessera ocra --suite OCRA-1:HOTP-SHA512-8:QN08-T1M --key $KEY64 \\\n      \
    --question 22222222 --timestamp 132d0b6\n  \
    tessera ocra --suite OCRA-1:HOTP-SHA256-8:QA08 --key $KEY32 \\\n      \
    --question SRV11110 --client-question CLI22220"
)]
pub struct OcraArgs {
    /// The OCRA suite, e.g. OCRA-1:HOTP-SHA1-6:QN08 or OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1.
    #[arg(long, value_name = "SUITE")]
    suite: String,
    #[command(flatten)]
    key: KeyArgs,
    /// The counter, for suites with C.
    #[arg(long, value_name = "N")]
    counter: Option<u64>,
    /// The challenge question (in mutual mode, the server's).
    #[arg(long, value_name = "Q")]
    question: String,
    /// Mutual mode: the client's question.
    #[arg(long, value_name = "Q")]
    client_question: Option<String>,
    /// Mutual mode: compute the server's response (client question first).
    #[arg(long, requires = "client_question")]
    server_response: bool,
    /// The PIN in clear, hashed with the suite's PIN hash.
    #[arg(long, value_name = "PIN", conflicts_with = "pin_hash")]
    pin: Option<String>,
    /// The already-hashed PIN, in hex.
    #[arg(long, value_name = "HEX")]
    pin_hash: Option<String>,
    /// Session information in hex: exactly the suite's nnn bytes.
    #[arg(long, value_name = "HEX")]
    session: Option<String>,
    /// Unix time in seconds, divided by the suite's time step [default: now, for suites with T].
    #[arg(long, value_name = "UNIX", conflicts_with = "timestamp")]
    time: Option<u64>,
    /// The timestamp already divided by the time step, in hex (as RFC 6287's vectors give it).
    #[arg(long, value_name = "HEX")]
    timestamp: Option<String>,
    /// Instead of printing a response, check CODE; prints the matching offset.
    #[arg(long, value_name = "CODE")]
    verify: Option<String>,
    /// With --verify: steps accepted around T (suites with T) or after C (suites with C).
    #[arg(long, default_value_t = 0, value_name = "W", requires = "verify")]
    window: u32,
    /// Print JSON instead of plain text.
    #[arg(long)]
    json: bool,
}

/// Names the argument an OCRA error is about.
fn ocra_error(e: OtpError, mutual: bool) -> CliError {
    let question = if mutual {
        "--question/--client-question"
    } else {
        "--question"
    };
    let arg = match &e {
        OtpError::InvalidSuite(_) | OtpError::InvalidTruncation(_) => "--suite",
        OtpError::Missing(what) | OtpError::Unexpected(what) => match *what {
            w if w.contains("counter") => "--counter",
            w if w.contains("PIN") => "--pin",
            w if w.contains("session") => "--session",
            w if w.contains("timestamp") => "--time/--timestamp",
            _ => "--window",
        },
        OtpError::QuestionLength { .. } | OtpError::QuestionAlphabet(_) => question,
        OtpError::WrongLength { what, .. } if what.contains("PIN") => "--pin-hash",
        OtpError::WrongLength { .. } => "--session",
        OtpError::WindowTooLarge { .. } => "--window",
        OtpError::CounterOverflow => "--counter",
        _ => return CliError::input(e),
    };
    CliError::arg(arg, e)
}

/// Runs `tessera ocra`.
pub fn ocra(args: &OcraArgs) -> CliResult {
    let suite: OcraSuite = args
        .suite
        .parse()
        .map_err(|e| CliError::arg("--suite", e))?;
    let mutual = args.client_question.is_some();
    let timestamp = match (&args.timestamp, args.time, suite.time_step()) {
        (Some(hex), _, _) => Some(
            u64::from_str_radix(hex.trim_start_matches("0x"), 16)
                .map_err(|_| CliError::arg("--timestamp", "not a 64-bit hex number"))?,
        ),
        (None, Some(t), Some(_)) => {
            Some(suite.timestamp_for(t).map_err(|e| ocra_error(e, mutual))?)
        }
        (None, Some(_), None) => {
            return Err(CliError::arg("--time", "the suite has no timestamp (T)"));
        }
        (None, None, Some(_)) => Some(
            suite
                .timestamp_for(now()?)
                .map_err(|e| ocra_error(e, mutual))?,
        ),
        (None, None, None) => None,
    };
    let pin_hash = args
        .pin_hash
        .as_deref()
        .map(|h| decode_hex("--pin-hash", h))
        .transpose()?;
    let session = args
        .session
        .as_deref()
        .map(|s| decode_hex("--session", s))
        .transpose()?;
    let (first, second) = match (&args.client_question, args.server_response) {
        (Some(client), true) => (client.as_str(), Some(args.question.as_str())),
        (client, _) => (args.question.as_str(), client.as_deref()),
    };
    let input = OcraInput {
        counter: args.counter,
        question: first,
        second_question: second,
        pin: match (&args.pin, &pin_hash) {
            (Some(pin), _) => Some(Pin::Clear(pin.as_bytes())),
            (None, Some(hash)) => Some(Pin::Hash(hash)),
            (None, None) => None,
        },
        session: session.as_deref().map(|s| s.as_slice()),
        timestamp,
    };
    let ocra = Ocra::new(suite, args.key.load()?);
    let verified = args
        .verify
        .as_deref()
        .map(|code| ocra.verify(code, &input, args.window));
    if let Some(Err(e)) = &verified
        && *e != OtpError::NoMatch
    {
        return Err(ocra_error(e.clone(), mutual));
    }
    finish(args.json, verified, || {
        let code = ocra.compute(&input).map_err(|e| ocra_error(e, mutual))?;
        Ok((code, json!({ "suite": ocra.suite().as_str() })))
    })
}

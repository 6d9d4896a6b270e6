//! Reading keys, hex values, URIs and the clock from the command line.

use std::io::BufRead;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use data_encoding::HEXLOWER_PERMISSIVE;
use tessera_core::otp::OtpKey;
use zeroize::Zeroizing;

use crate::error::CliError;

/// `--key HEX | --base32 B32`, exactly one.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct KeyArgs {
    /// The shared secret in hexadecimal.
    #[arg(long, value_name = "HEX")]
    pub key: Option<String>,
    /// The shared secret in base32 (any case; spaces, dashes and padding allowed).
    #[arg(long, value_name = "B32")]
    pub base32: Option<String>,
}

impl KeyArgs {
    /// Decodes the key. A key shorter than 128 bits is accepted (existing
    /// tokens have them) with a warning on stderr.
    pub fn load(&self) -> Result<OtpKey, CliError> {
        let (arg, bytes) = match (&self.key, &self.base32) {
            (Some(hex), _) => ("--key", decode_hex("--key", hex)?),
            (None, Some(b32)) => (
                "--base32",
                Zeroizing::new(
                    tessera_core::uri::decode_base32(b32)
                        .map_err(|e| CliError::arg("--base32", e))?,
                ),
            ),
            (None, None) => return Err(CliError::input("give the key with --key or --base32")),
        };
        let key = OtpKey::import(bytes.to_vec()).map_err(|e| CliError::arg(arg, e))?;
        if key.is_short() {
            eprintln!(
                "warning: {arg}: the key has {} bits; new keys should have at least {}",
                key.bits(),
                OtpKey::MIN_BITS
            );
        }
        Ok(key)
    }
}

/// Decodes hexadecimal (either case, spaces allowed between bytes).
pub fn decode_hex(arg: &str, text: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let clean: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    HEXLOWER_PERMISSIVE
        .decode(clean.as_bytes())
        .map(Zeroizing::new)
        .map_err(|e| {
            let reason = match e.kind {
                data_encoding::DecodeKind::Length => "odd number of hex digits".to_owned(),
                _ => format!("character {} is not a hex digit", e.position + 1),
            };
            CliError::arg(arg, reason)
        })
}

/// The current Unix time in seconds.
pub fn now() -> Result<u64, CliError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| CliError::input("the system clock is before 1970"))
}

/// The argument itself, or one line of stdin when it is `-` (so that a
/// secret need not appear in the process list or shell history).
pub fn arg_or_stdin(arg: &str, value: &str) -> Result<Zeroizing<String>, CliError> {
    if value != "-" {
        return Ok(Zeroizing::new(value.to_owned()));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::arg(arg, format!("cannot read stdin: {e}")))?;
    let trimmed = Zeroizing::new(line.trim().to_owned());
    if trimmed.is_empty() {
        return Err(CliError::arg(arg, "nothing on stdin"));
    }
    Ok(trimmed)
}

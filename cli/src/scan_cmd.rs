//! `tessera scan IMAGE...`: read QR codes from PNG or JPEG files with the
//! core's scanner (the same code path as camera frames on a phone).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use tessera_core::scan::{Detection, Scanner};

use crate::error::{CliError, CliResult, EXIT_BAD_INPUT, EXIT_MISMATCH};
use crate::image_input;

/// `tessera scan`.
#[derive(Debug, Args)]
#[command(
    after_help = "Prints one line per image: the payload as text when it is printable UTF-8, \
otherwise as hex (always hex with --hex), or `not found`. Several codes in one image are \
separated by a tab. Exit status: 0 when every image had a code, 1 when one had none, 2 when a \
file could not be read.\n\nExample:\n  tessera scan mosaic.png"
)]
pub struct ScanArgs {
    /// PNG or JPEG files.
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<PathBuf>,
    /// Print payloads as hex even when they are text.
    #[arg(long)]
    hex: bool,
    /// Print one JSON object per image: payloads, corners and time taken.
    #[arg(long)]
    json: bool,
}

/// The payload as text if it is UTF-8 without control characters (a code
/// must not be able to send escape sequences to the terminal).
fn as_text(payload: &[u8]) -> Option<&str> {
    std::str::from_utf8(payload)
        .ok()
        .filter(|s| !s.chars().any(char::is_control))
}

fn show(d: &Detection, hex: bool) -> String {
    match (hex, as_text(&d.payload)) {
        (false, Some(text)) => text.to_owned(),
        _ => data_encoding::HEXLOWER.encode(&d.payload),
    }
}

/// Runs `tessera scan`.
pub fn scan(args: &ScanArgs) -> CliResult {
    let scanner = Scanner::default();
    let mut status = 0u8;
    for path in &args.images {
        let image = match image_input::load(path) {
            Ok(image) => image,
            Err(e) => {
                // Keep going: the other images still get their line.
                let err = CliError::arg(
                    path.display().to_string(),
                    format!("cannot read the image: {e}"),
                );
                err.report();
                if args.json {
                    println!(
                        "{}",
                        json!({ "file": path.display().to_string(), "error": e.to_string() })
                    );
                } else {
                    println!("unreadable");
                }
                status = EXIT_BAD_INPUT;
                continue;
            }
        };
        let frame = image
            .frame()
            .map_err(|e| CliError::arg(path.display().to_string(), e))?;
        let start = Instant::now();
        let found = scanner.scan(&frame);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if found.is_empty() && status == 0 {
            status = EXIT_MISMATCH;
        }
        if args.json {
            let codes: Vec<_> = found
                .iter()
                .map(|d| {
                    json!({
                        "text": if args.hex { None } else { as_text(&d.payload) },
                        "hex": data_encoding::HEXLOWER.encode(&d.payload),
                        "corners": d.corners.map(|c| c.map(|p| [p.x, p.y])),
                    })
                })
                .collect();
            println!(
                "{}",
                json!({ "file": path.display().to_string(), "found": !found.is_empty(), "codes": codes, "ms": ms })
            );
        } else if found.is_empty() {
            println!("not found");
        } else {
            println!(
                "{}",
                found
                    .iter()
                    .map(|d| show(d, args.hex))
                    .collect::<Vec<_>>()
                    .join("\t")
            );
        }
    }
    Ok(ExitCode::from(status))
}

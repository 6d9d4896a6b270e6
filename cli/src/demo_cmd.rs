//! `tessera demo`: the whole story in one process, with no set-up: a
//! throwaway portal (SQLite in a temporary directory) and a throwaway phone
//! (a vault in the same directory, its device key in a file), talking only
//! through mosaics drawn as PNG files and read back from their pixels by
//! the phone's scanner (`Authenticator::scan`, the apps' code path).
//!
//! The vault uses the KDF floor (`VaultConfig::floor()`, 19 MiB and 2
//! passes, what `TESSERA_KDF=floor` selects for the CLI tests) instead of
//! the half-second calibration: the vault is deleted at the end, and the
//! demo takes about a second instead of several.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use tessera_core::authenticator::{
    AuthError, Authenticator, AuthenticatorConfig, ChallengeRequest, Request,
};
use tessera_core::mosaic::{MosaicKind, Transaction};
use tessera_core::vault::{Passcode, VaultConfig};
use tessera_portal::{Portal, PortalConfig, PortalError, SqliteStore, render};

use crate::desktop::{Home, create_private_dir};
use crate::error::{CliError, CliResult};
use crate::image_input;
use crate::phone_cmd::describe;
use crate::vault_io::{passcode_of, stdin_line};

/// The demo's passcode when none is read from stdin.
const DEMO_PASSCODE: &str = "Mosaic#Demo7";
const ORIGIN: &str = "https://portal.example.lu";
const USER: &str = "alice";
/// Pixels per module of the saved PNGs.
const PNG_MODULE_PX: u32 = 6;

/// `tessera demo`.
#[derive(Debug, Args)]
#[command(
    after_help = "Runs activation, login, a signed transfer and a transfer whose amount \
was changed (refused), printing each step as the user would see it on the portal and on the \
phone. The mosaics are drawn in the terminal (in colour when stdout is a terminal; NO_COLOR \
turns colour off) and saved as PNG files. The portal's database and the phone's vault live in a \
temporary directory that is deleted at the end.\n\nExample:\n  tessera demo\n  \
printf 'my-own-passcode\\n' | tessera demo --passcode-stdin --out ./mosaics"
)]
pub struct DemoArgs {
    /// Read the phone's passcode (6 to 16 characters) from the first line
    /// of stdin instead of using the demo's.
    #[arg(long)]
    passcode_stdin: bool,
    /// The folder to save the four mosaics in, as PNG files [default: a new
    /// temporary directory].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// How the demo prints.
struct Screen {
    colour: bool,
}

impl Screen {
    fn heading(&self, text: &str) {
        if self.colour {
            println!("\n\x1b[1m━━ {text} ━━\x1b[0m");
        } else {
            println!("\n== {text} ==");
        }
    }

    fn say(&self, who: &str, text: &str) {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        if self.colour {
            println!("\x1b[1m{who:<7}\x1b[0m {first}");
        } else {
            println!("{who:<7} {first}");
        }
        for line in lines {
            println!("        {line}");
        }
    }

    fn mosaic(&self, payload: &[u8]) -> Result<(), CliError> {
        println!();
        print!("{}", terminal_mosaic(payload, self.colour)?);
        println!();
        Ok(())
    }
}

/// A mosaic in the terminal: two modules per character cell with the upper
/// half block, foreground the upper module's colour and background the
/// lower's (24-bit ANSI colours); without colour, blocks for dark modules.
pub fn terminal_mosaic(payload: &[u8], colour: bool) -> Result<String, CliError> {
    let img = render::image(payload, 1).map_err(CliError::input)?;
    let (w, h) = img.dimensions();
    let light = image::Rgb([0xff, 0xff, 0xff]);
    let dark = |p: &image::Rgb<u8>| {
        u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114 < 128_000
    };
    let mut out = String::new();
    for y in (0..h).step_by(2) {
        out.push_str("  ");
        for x in 0..w {
            let top = *img.get_pixel(x, y);
            let bottom = if y + 1 < h {
                *img.get_pixel(x, y + 1)
            } else {
                light
            };
            if colour {
                let _ = write!(
                    out,
                    "\x1b[38;2;{};{};{}m\x1b[48;2;{};{};{}m▀",
                    top[0], top[1], top[2], bottom[0], bottom[1], bottom[2]
                );
            } else {
                out.push(match (dark(&top), dark(&bottom)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
        }
        if colour {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    Ok(out)
}

/// The temporary directory, deleted (but for the saved mosaics) on drop,
/// whatever happened.
struct Workspace {
    dir: PathBuf,
    keep_pngs: bool,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if self.keep_pngs {
            let _ = std::fs::remove_dir_all(self.dir.join("phone"));
            for name in ["portal.db", "portal.db-wal", "portal.db-shm"] {
                let _ = std::fs::remove_file(self.dir.join(name));
            }
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn workspace(out: Option<&Path>) -> Result<Workspace, CliError> {
    let random =
        tessera_core::crypto::random_bytes::<6>(&tessera_core::crypto::SystemRandom::new())
            .map_err(|_| CliError::input("the random number generator failed"))?;
    let dir = std::env::temp_dir().join(format!(
        "tessera-demo-{}",
        data_encoding::HEXLOWER.encode(&random)
    ));
    create_private_dir(&dir)?;
    Ok(Workspace {
        dir,
        keep_pngs: out.is_none(),
    })
}

fn demo_error(e: impl std::fmt::Display) -> CliError {
    CliError::with_status(1, format!("the demo failed: {e}"))
}

/// `--out` is a folder for the four PNG files: a file name there (say
/// `--out mosaic.jpg`) is refused rather than made a folder.
fn check_out_dir(dir: &Path) -> Result<(), CliError> {
    let looks_like_a_file = dir.extension().is_some_and(|e| {
        ["png", "jpg", "jpeg", "svg", "gif"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    });
    if dir.exists() && !dir.is_dir() || !dir.exists() && looks_like_a_file {
        return Err(CliError::arg(
            "--out",
            format!(
                "{} is a file name; --out takes a folder, where the demo writes its four mosaics \
                 as PNG files (activation.png, login.png, transfer.png, transfer-changed.png)",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Draws a mosaic as PNG into `dir/name`.
fn save_png(dir: &Path, name: &str, payload: &[u8]) -> Result<PathBuf, CliError> {
    let path = dir.join(name);
    let png = render::png(payload, PNG_MODULE_PX).map_err(demo_error)?;
    std::fs::write(&path, png)
        .map_err(|e| CliError::arg("--out", format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// What the phone's camera reads from the PNG: the file's pixels through
/// the phone's scanner.
fn scan_png(auth: &Authenticator, path: &Path) -> Result<Request, CliError> {
    let image = image_input::load(path)
        .map_err(|e| demo_error(format!("cannot read {}: {e}", path.display())))?;
    let frame = image.frame().map_err(demo_error)?;
    auth.scan_and_read(&frame)
        .map_err(demo_error)?
        .map(|scanned| scanned.request)
        .ok_or_else(|| demo_error(format!("the scanner found no code in {}", path.display())))
}

fn scan_challenge(auth: &Authenticator, path: &Path) -> Result<ChallengeRequest, CliError> {
    match scan_png(auth, path)? {
        Request::Challenge(c) => Ok(c),
        _ => Err(demo_error("expected a login or transaction mosaic")),
    }
}

fn transfer() -> Transaction {
    Transaction {
        amount: "120.50".into(),
        currency: "EUR".into(),
        payee: "Boulangerie Schmit".into(),
        iban: "LU280019400644750000".into(),
        reference: Some("Facture 1187".into()),
        text: None,
    }
}

fn approve(
    auth: &Authenticator,
    request: &ChallengeRequest,
    passcode: &Passcode,
) -> Result<String, CliError> {
    auth.approve_with_passcode(request, passcode)
        .map(|otp| otp.as_str().to_owned())
        .map_err(|e: AuthError| demo_error(e))
}

/// The phone's turn on a login or transfer mosaic: scan it, show what is
/// approved, approve with the passcode, show the OTP after `said`.
fn phone_answers(
    screen: &Screen,
    auth: &Authenticator,
    path: &Path,
    passcode: &Passcode,
    said: &str,
) -> Result<String, CliError> {
    let request = scan_challenge(auth, path)?;
    screen.say("Phone", describe(request.challenge()).trim_end());
    let otp = approve(auth, &request, passcode)?;
    screen.say("Phone", &format!("{said} One-time password: {otp}"));
    Ok(otp)
}

/// Runs `tessera demo`.
pub fn demo(args: &DemoArgs) -> CliResult {
    let started = Instant::now();
    let passcode = if args.passcode_stdin {
        let p = passcode_of(&stdin_line("passcode")?);
        p.check_policy()
            .map_err(|v| CliError::arg("passcode", format!("not accepted: {v}")))?;
        p
    } else {
        passcode_of(DEMO_PASSCODE)
    };
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let screen = Screen { colour };
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let ws = workspace(args.out.as_deref())?;
    let pngs = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                CliError::arg("--out", format!("cannot create {}: {e}", dir.display()))
            })?;
            dir.clone()
        }
        None => ws.dir.clone(),
    };

    // The portal and the phone, each with its own storage.
    let store = SqliteStore::open(&ws.dir.join("portal.db")).map_err(demo_error)?;
    let mut portal = Portal::new(store, PortalConfig::default());
    let home = Home::open(ws.dir.join("phone"), true)?;
    let platform = home.throwaway_platform();
    let clock = platform.clock.clone();
    let now = || clock.now_unix();
    let config = AuthenticatorConfig {
        vault: VaultConfig::floor(),
        ..AuthenticatorConfig::default()
    };
    let auth = Authenticator::new(platform, config).map_err(demo_error)?;

    println!("Tessera demo: a portal and a phone in one process, talking only through mosaics.");
    println!(
        "  Portal database and phone vault: {} (deleted at the end)",
        ws.dir.display()
    );
    println!("  Mosaics saved as PNG in:         {}", pngs.display());

    // 1. Activation.
    screen.heading("1. Activation: \"Mon compte\" → \"Ajouter un mobile\"");
    let e = portal.enroll(USER, ORIGIN, now()).map_err(demo_error)?;
    let path = save_png(&pngs, "activation.png", &e.mosaic)?;
    screen.say(
        "Portal",
        &format!(
            "{USER} asks to add a mobile. The portal shows the activation mosaic ({}):",
            path.display()
        ),
    );
    screen.mosaic(&e.mosaic)?;
    let code = e.code.display();
    screen.say(
        "Portal",
        &format!(
            "The activation code reaches {USER} by letter: {}",
            code.as_str()
        ),
    );
    let request = match scan_png(&auth, &path)? {
        Request::Activation(r) => r,
        _ => return Err(demo_error("expected an activation mosaic")),
    };
    screen.say(
        "Phone",
        "Scans the mosaic and asks for the activation code.",
    );
    let preview = auth
        .unseal_activation(&request, &code)
        .map_err(demo_error)?;
    screen.say(
        "Phone",
        &format!(
            "Activate this device for {}\n  User:    {}",
            preview.origin(),
            preview.user_id()
        ),
    );
    if args.passcode_stdin {
        screen.say("Phone", "Passcode chosen (read from stdin).");
    } else {
        screen.say(
            "Phone",
            &format!(
                "Passcode chosen: {DEMO_PASSCODE} (the demo's; --passcode-stdin to type your own)"
            ),
        );
    }
    let done = auth
        .complete_activation(&preview, &passcode)
        .map_err(demo_error)?;
    let confirmation = done.confirmation.as_str().to_owned();
    screen.say(
        "Phone",
        &format!("Type this confirmation code into the portal: {confirmation}"),
    );
    let token = portal
        .confirm(USER, &confirmation, now())
        .map_err(demo_error)?;
    screen.say(
        "Portal",
        &format!("Confirmation code accepted: mobile {token} is activated for {USER}."),
    );

    // 2. Login.
    screen.heading("2. Login");
    let c = portal.login(USER, now()).map_err(demo_error)?;
    let path = save_png(&pngs, "login.png", &c.mosaic)?;
    screen.say(
        "Portal",
        &format!(
            "{USER} types her user ID and password and chooses her mobile. The portal shows\n\
             the login mosaic ({}):",
            path.display()
        ),
    );
    screen.mosaic(&c.mosaic)?;
    let otp = phone_answers(&screen, &auth, &path, &passcode, "Passcode accepted.")?;
    let accepted = portal
        .verify(&c.id, &otp, Some((USER, MosaicKind::Login)), now())
        .map_err(demo_error)?;
    screen.say(
        "Portal",
        &format!(
            "OTP accepted: \"Vous êtes connecté\" ({} is signed in).",
            accepted.user_id
        ),
    );

    // 3. A transfer, signed.
    screen.heading("3. A transfer, signed with the mobile");
    let tx = transfer();
    let c = portal.sign(USER, tx.clone(), now()).map_err(demo_error)?;
    let path = save_png(&pngs, "transfer.png", &c.mosaic)?;
    screen.say(
        "Portal",
        &format!(
            "{USER} transfers {} {} to {}. The portal shows the transfer's mosaic ({}):",
            tx.amount,
            tx.currency,
            tx.payee,
            path.display()
        ),
    );
    screen.mosaic(&c.mosaic)?;
    let otp = phone_answers(
        &screen,
        &auth,
        &path,
        &passcode,
        "Approved with the passcode.",
    )?;
    let accepted = portal
        .verify(&c.id, &otp, Some((USER, MosaicKind::Transaction)), now())
        .map_err(demo_error)?;
    let signed = accepted.transaction.unwrap_or(tx);
    screen.say(
        "Portal",
        &format!(
            "OTP accepted: the transfer of {} {} to {} is signed by {}.",
            signed.amount, signed.currency, signed.payee, accepted.user_id
        ),
    );

    // 4. The same, with the amount changed on the way.
    screen.heading("4. A changed amount, refused");
    let tx = transfer();
    let c = portal.sign(USER, tx.clone(), now()).map_err(demo_error)?;
    let path = save_png(&pngs, "transfer-changed.png", &c.mosaic)?;
    screen.say(
        "Portal",
        &format!(
            "{USER} transfers {} {} to {} again ({}).",
            tx.amount,
            tx.currency,
            tx.payee,
            path.display()
        ),
    );
    let request = scan_challenge(&auth, &path)?;
    let mut tampered = request.challenge().clone();
    if let Some(t) = tampered.transaction.as_mut() {
        t.amount = "1120.50".into();
    }
    screen.say(
        "Phone",
        "The OTP is computed over a tampered amount, 1120.50 EUR instead of 120.50 EUR\n\
         (as if malware had changed it between the portal and the signature).",
    );
    let unlocked = auth.unlock_with_passcode(&passcode).map_err(demo_error)?;
    let otp = unlocked
        .respond(request.token().id, &tampered)
        .map_err(demo_error)?;
    screen.say("Phone", &format!("One-time password: {}", otp.as_str()));
    match portal.verify(
        &c.id,
        otp.as_str(),
        Some((USER, MosaicKind::Transaction)),
        now(),
    ) {
        Err(e @ PortalError::WrongOtp { .. }) => screen.say(
            "Portal",
            &format!(
                "Refused: the OTP does not match the transfer the portal issued ({e}).\n\
                 The OTP covers exactly the amount, payee and IBAN shown: what you see is what you sign."
            ),
        ),
        Ok(_) => return Err(demo_error("the portal accepted an OTP over a changed amount")),
        Err(e) => return Err(demo_error(e)),
    }

    println!(
        "\nDone in {:.1} s. The mosaics are in {}; the portal's database and the phone's vault \
         were deleted.",
        started.elapsed().as_secs_f64(),
        pngs.display()
    );
    drop(home);
    drop(ws);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::terminal_mosaic;
    use tessera_core::scan::{Frame, Scanner};

    /// The plain terminal rendering, drawn back into pixels, is a code the
    /// scanner reads: the half blocks put each module where it belongs.
    #[test]
    fn terminal_mosaic_reads_back() {
        let payload = b"tessera terminal mosaic: an odd number of rows, 123456789";
        let text = terminal_mosaic(payload, false).unwrap();
        let rows: Vec<Vec<char>> = text.lines().map(|l| l.chars().skip(2).collect()).collect();
        let (w, h, scale) = (rows[0].len(), rows.len() * 2, 4);
        let side = w * scale;
        let mut rgba = vec![255u8; side * h * scale * 4];
        for (row, line) in rows.iter().enumerate() {
            for (x, c) in line.iter().enumerate() {
                let (top, bottom) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                for (half, dark) in [(0, top), (1, bottom)] {
                    if !dark {
                        continue;
                    }
                    let y0 = (row * 2 + half) * scale;
                    for y in y0..y0 + scale {
                        for xx in x * scale..(x + 1) * scale {
                            let o = (y * side + xx) * 4;
                            rgba[o..o + 3].copy_from_slice(&[0, 0, 0]);
                        }
                    }
                }
            }
        }
        let frame = Frame::rgba(side as u32, (h * scale) as u32, &rgba, side * 4).unwrap();
        let found = Scanner::default().scan(&frame);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].payload, payload);
    }

    #[test]
    fn colour_rendering_uses_24_bit_half_blocks() {
        let text = terminal_mosaic(b"colour", true).unwrap();
        assert!(text.contains("\x1b[38;2;"));
        assert!(text.contains("\x1b[48;2;"));
        assert!(text.lines().all(|l| l.ends_with("\x1b[0m")));
        assert!(!terminal_mosaic(b"colour", false).unwrap().contains('\x1b'));
    }
}

//! The phone side as a script drives it, with real files and the real
//! binary: `tessera issuer` plays the portal, `tessera activate` and
//! `tessera approve` the phone (image → scanner → authenticator → vault).

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

mod common;

use common::{line, stderr};
use image::{Rgb, RgbImage};
use qrcode::{EcLevel, QrCode};

const PASS: &str = "k7#pQ2!vCanary";

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-phone-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs tessera in `dir` with `stdin`, the file keystore, the floor KDF and `env`.
fn run(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, String)]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    common::tessera(Some(dir), args, stdin, &env)
}

/// Asserts the exit status and returns stdout without the trailing newline.
fn expect(out: &Output, status: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(status),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .trim_end()
        .to_owned()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A portal (database `portal.db`) and a phone (vault in `phone/`) in one directory.
struct World {
    dir: PathBuf,
}

impl World {
    fn new(name: &str) -> Self {
        Self { dir: scratch(name) }
    }

    fn issuer(&self, args: &[&str]) -> Output {
        let mut all = vec!["issuer", "--db", "portal.db"];
        all.extend(args);
        run(&self.dir, &all, "", &[])
    }

    /// `tessera issuer enroll --json`: (activation code, token id).
    fn enroll(&self, user: &str, out: &str) -> (String, String) {
        let json: serde_json::Value = serde_json::from_str(&expect(
            &self.issuer(&["enroll", "--user", user, "--out", out, "--json"]),
            0,
        ))
        .unwrap();
        (
            json["activation_code"].as_str().unwrap().to_owned(),
            json["token_id"].as_str().unwrap().to_owned(),
        )
    }

    /// A phone command with `--home home --passcode-stdin` and `stdin`.
    fn phone(&self, home: &str, args: &[&str], stdin: &str, env: &[(&str, String)]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--home", home, "--passcode-stdin"]);
        run(&self.dir, &all, stdin, env)
    }

    /// Enrols `user`, activates the phone in `home` and confirms: the token id.
    fn activated(&self, user: &str, home: &str) -> String {
        let (code, token) = self.enroll(user, "act.png");
        let confirmation = expect(
            &self.phone(
                home,
                &["activate", "act.png", "--code", &code],
                &line(PASS),
                &[],
            ),
            0,
        );
        expect(
            &self.issuer(&["confirm", "--user", user, "--code", &confirmation]),
            0,
        );
        token
    }

    /// `tessera issuer login`: the challenge id.
    fn login(&self, user: &str, out: &str) -> String {
        expect(&self.issuer(&["login", "--user", user, "--out", out]), 0)
    }

    fn approve(&self, home: &str, image: &str, env: &[(&str, String)]) -> Output {
        self.phone(home, &["approve", image], &line(PASS), env)
    }

    fn verify(&self, challenge: &str, otp: &str) -> Output {
        self.issuer(&["verify", "--challenge", challenge, "--otp", otp])
    }
}

#[test]
fn activate_login_and_sign_as_a_script() {
    let w = World::new("flow");
    let (code, token) = w.enroll("alice", "act.png");
    // First activation: no vault yet, so the passcode on stdin is the new one.
    let out = w.phone(
        "H",
        &["activate", "act.png", "--code", &code.to_lowercase()],
        &line(PASS),
        &[],
    );
    let confirmation = expect(&out, 0);
    // 24 Crockford base32 characters in groups of four (review M3).
    assert!(
        confirmation.len() == 29
            && confirmation.split('-').all(|g| g.len() == 4
                && g.bytes()
                    .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))),
        "{confirmation}"
    );
    let shown = stderr(&out);
    assert!(
        shown.contains("https://portal.example.lu") && shown.contains("alice"),
        "{shown}"
    );
    assert!(w.dir.join("H/vault").exists());
    let confirmed = expect(
        &w.issuer(&[
            "confirm",
            "--user",
            "alice",
            "--code",
            &confirmation.to_lowercase(),
        ]),
        0,
    );
    assert!(confirmed.contains(&token), "{confirmed}");
    // The token is in the vault, listed without the passcode.
    let list = expect(&run(&w.dir, &["token", "list", "--home", "H"], "", &[]), 0);
    assert!(list.contains("mosaic") && list.contains("alice"), "{list}");

    // Login: the OTP is the only line of stdout.
    let challenge = w.login("alice", "l.png");
    let out = w.approve("H", "l.png", &[]);
    let otp = expect(&out, 0);
    assert_eq!(otp.lines().count(), 1);
    assert!(stderr(&out).contains("Log in to https://portal.example.lu"));
    let accepted = expect(&w.verify(&challenge, &otp), 0);
    assert!(accepted.contains("login of alice accepted"), "{accepted}");
    // Replay: the portal answers once (exit 1), the phone once (exit 9).
    let out = w.verify(&challenge, &otp);
    expect(&out, 1);
    assert!(
        stderr(&out).contains("already answered"),
        "{}",
        stderr(&out)
    );
    let out = w.approve("H", "l.png", &[]);
    expect(&out, 9);
    assert!(
        stderr(&out).contains("already answered"),
        "{}",
        stderr(&out)
    );

    // A transaction: every displayed field on stderr, the IBAN grouped by 4.
    let challenge = expect(
        &w.issuer(&[
            "sign",
            "--user",
            "alice",
            "--amount",
            "120.50",
            "--currency",
            "EUR",
            "--payee",
            "Boulangerie Schmit",
            "--iban",
            "LU28 0019 4006 4475 0000",
            "--reference",
            "Facture 2026-1187",
            "--out",
            "t.png",
        ]),
        0,
    );
    let out = w.approve("H", "t.png", &[]);
    let otp = expect(&out, 0);
    let shown = stderr(&out);
    for field in [
        "Sign a transaction at https://portal.example.lu",
        "120.50 EUR",
        "Boulangerie Schmit",
        "LU28 0019 4006 4475 0000",
        "Facture 2026-1187",
    ] {
        assert!(shown.contains(field), "{field} missing from: {shown}");
    }
    let signed = expect(&w.verify(&challenge, &otp), 0);
    assert!(
        signed.contains("transaction of 120.50 EUR to Boulangerie Schmit signed by alice"),
        "{signed}"
    );

    // --json: one object with the fields and the OTP.
    let challenge = w.login("alice", "l2.png");
    let out = w.phone("H", &["approve", "l2.png", "--json"], &line(PASS), &[]);
    let json: serde_json::Value = serde_json::from_str(&expect(&out, 0)).unwrap();
    assert_eq!(json["kind"], "login");
    assert_eq!(json["user"], "alice");
    assert_eq!(json["origin"], "https://portal.example.lu");
    assert_eq!(json["challenge"], challenge.as_str());
    assert_eq!(json["token_id"], token.as_str());
    assert!(json["transaction"].is_null());
    expect(&w.verify(&challenge, json["otp"].as_str().unwrap()), 0);
}

#[test]
fn activation_code_from_stdin_and_a_second_token_behind_the_same_passcode() {
    let w = World::new("second");
    w.activated("alice", "H");
    // A second portal user on the same phone: the existing passcode is asked.
    let (code, _) = w.enroll("bob", "bob.png");
    let out = w.phone(
        "H",
        &["activate", "bob.png", "--code", "-", "--json"],
        &format!("{code}\nwrong-passcode\n"),
        &[],
    );
    expect(&out, 3);
    assert!(stderr(&out).contains("attempts left"), "{}", stderr(&out));
    let out = w.phone(
        "H",
        &["activate", "bob.png", "--code", "-", "--json"],
        &format!("{code}\n{PASS}\n"),
        &[],
    );
    let json: serde_json::Value = serde_json::from_str(&expect(&out, 0)).unwrap();
    assert_eq!(json["user"], "bob");
    assert_eq!(json["vault_created"], false);
    let confirmation = json["confirmation"].as_str().unwrap();
    expect(
        &w.issuer(&["confirm", "--user", "bob", "--code", confirmation]),
        0,
    );
    // Both tokens answer their own challenges.
    for user in ["alice", "bob"] {
        let challenge = w.login(user, "l.png");
        let otp = expect(&w.approve("H", "l.png", &[]), 0);
        expect(&w.verify(&challenge, &otp), 0);
    }
    // The same offer again: already activated.
    let out = w.phone(
        "H",
        &["activate", "bob.png", "--code", &code],
        &line(PASS),
        &[],
    );
    expect(&out, 9);
    assert!(
        stderr(&out).contains("already activated"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wrong_codes_and_passcodes_store_nothing() {
    let w = World::new("refused");
    let (code, _) = w.enroll("alice", "act.png");
    // A well-formed but wrong code: bad input, no vault.
    let wrong = if code.starts_with('A') {
        "BBBB-BBBB-BBBB-BBBB"
    } else {
        "AAAA-AAAA-AAAA-AAAA"
    };
    let out = w.phone(
        "H",
        &["activate", "act.png", "--code", wrong],
        &line(PASS),
        &[],
    );
    expect(&out, 2);
    assert!(
        stderr(&out).contains("--code: the activation code is wrong"),
        "{}",
        stderr(&out)
    );
    assert!(!w.dir.join("H/vault").exists());
    // Nothing at all: not even the vault's folder and its lock file.
    assert!(!w.dir.join("H").exists());
    // A mistyped code (U is not in the alphabet).
    let out = w.phone(
        "H",
        &["activate", "act.png", "--code", "UUUU-AAAA-AAAA-AAAA"],
        &line(PASS),
        &[],
    );
    expect(&out, 2);
    assert!(stderr(&out).contains("--code"), "{}", stderr(&out));
    // A passcode the policy refuses is explained, and nothing is stored.
    let out = w.phone(
        "H",
        &["activate", "act.png", "--code", &code],
        &line("123456"),
        &[],
    );
    expect(&out, 2);
    assert!(
        stderr(&out).contains("passcode: not accepted"),
        "{}",
        stderr(&out)
    );
    assert!(!w.dir.join("H").exists());
    // The portal still waits for the confirmation, and the offer still works.
    let confirmation = expect(
        &w.phone(
            "H",
            &["activate", "act.png", "--code", &code],
            &line(PASS),
            &[],
        ),
        0,
    );
    expect(
        &w.issuer(&["confirm", "--user", "alice", "--code", &confirmation]),
        0,
    );

    // A wrong passcode at approval: exit 3, the mosaic is still answerable.
    let challenge = w.login("alice", "l.png");
    let out = w.phone("H", &["approve", "l.png"], &line("Not-the-passcode"), &[]);
    expect(&out, 3);
    assert!(stderr(&out).contains("9 attempts left"), "{}", stderr(&out));
    let otp = expect(&w.approve("H", "l.png", &[]), 0);
    expect(&w.verify(&challenge, &otp), 0);
}

#[test]
fn each_refusal_has_its_exit_status() {
    let w = World::new("statuses");
    w.activated("alice", "H");

    // Not for this device: another phone, with or without a vault.
    let challenge = w.login("alice", "l.png");
    let out = w.approve("nowhere", "l.png", &[]);
    expect(&out, 6);
    assert!(
        stderr(&out).contains("not for this device"),
        "{}",
        stderr(&out)
    );
    w.activated("bob", "Other");
    let out = w.approve("Other", "l.png", &[]);
    expect(&out, 6);
    assert!(
        stderr(&out).contains("not for this device"),
        "{}",
        stderr(&out)
    );

    // Expired (the phone's clock after the challenge's expiry) and clock
    // skew (the phone's clock far behind the portal's).
    let later = [("TESSERA_NOW", (now() + 3600).to_string())];
    let out = w.approve("H", "l.png", &later);
    expect(&out, 7);
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    let earlier = [("TESSERA_NOW", (now() - 3600).to_string())];
    let out = w.approve("H", "l.png", &earlier);
    expect(&out, 8);
    assert!(
        stderr(&out).contains("seconds behind the portal's"),
        "{}",
        stderr(&out)
    );
    // None of these answered it: the right phone still can.
    let otp = expect(&w.approve("H", "l.png", &[]), 0);
    expect(&w.verify(&challenge, &otp), 0);

    // The wrong kind of mosaic for the command.
    let out = w.approve("H", "act.png", &[]);
    expect(&out, 2);
    assert!(
        stderr(&out).contains("tessera activate"),
        "{}",
        stderr(&out)
    );
    let out = w.phone(
        "H",
        &["activate", "l.png", "--code", "AAAA-AAAA-AAAA-AAAA"],
        &line(PASS),
        &[],
    );
    expect(&out, 2);
    assert!(stderr(&out).contains("tessera approve"), "{}", stderr(&out));

    // Altered: one bit of the authentication tag flipped, re-rendered.
    w.login("alice", "l3.png");
    let hex = expect(&run(&w.dir, &["scan", "--hex", "l3.png"], "", &[]), 0);
    let mut payload = data_encoding::HEXLOWER.decode(hex.as_bytes()).unwrap();
    *payload.last_mut().unwrap() ^= 0x01;
    write_qr(&w.dir.join("tampered.png"), &payload);
    let out = w.approve("H", "tampered.png", &[]);
    expect(&out, 10);
    assert!(stderr(&out).contains("integrity"), "{}", stderr(&out));

    // Not a Tessera mosaic at all, and no QR code at all.
    write_qr(&w.dir.join("other.png"), b"https://example.com/");
    let out = w.approve("H", "other.png", &[]);
    expect(&out, 2);
    assert!(
        stderr(&out).contains("not a Tessera mosaic"),
        "{}",
        stderr(&out)
    );
    RgbImage::from_pixel(64, 64, Rgb([255, 255, 255]))
        .save(w.dir.join("blank.png"))
        .unwrap();
    let out = w.approve("H", "blank.png", &[]);
    expect(&out, 2);
    assert!(stderr(&out).contains("no QR code"), "{}", stderr(&out));
}

/// Writes `payload` as a black-on-white QR code PNG.
fn write_qr(path: &Path, payload: &[u8]) {
    let code = QrCode::with_error_correction_level(payload, EcLevel::M).unwrap();
    let w = code.width() as u32;
    let colors = code.to_colors();
    let img = RgbImage::from_fn((w + 8) * 6, (w + 8) * 6, |x, y| {
        let (mx, my) = (x / 6, y / 6);
        let inside = (4..w + 4).contains(&mx) && (4..w + 4).contains(&my);
        if inside && colors[((my - 4) * w + mx - 4) as usize] == qrcode::Color::Dark {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    });
    img.save(path).unwrap();
}

#[test]
fn help_documents_the_exit_statuses() {
    let dir = scratch("help");
    for command in ["activate", "approve"] {
        let out = expect(&run(&dir, &[command, "--help"], "", &[]), 0);
        for needle in [
            "--passcode-stdin",
            "--home",
            "--json",
            "10 the mosaic failed its integrity check",
            "Example:",
        ] {
            assert!(
                out.contains(needle),
                "{command}: {needle} missing from {out}"
            );
        }
    }
    let out = expect(&run(&dir, &["activate", "--help"], "", &[]), 0);
    assert!(out.contains("--code"), "{out}");
    // approve takes no activation code and sets no passcode.
    let out = expect(&run(&dir, &["approve", "--help"], "", &[]), 0);
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!out.contains("activation code"), "{out}");
    assert!(!out.contains("policy"), "{out}");
    assert!(out.contains("6 the mosaic is not for this device"), "{out}");
    let out = expect(&run(&dir, &["--help"], "", &[]), 0);
    assert!(out.contains("activate") && out.contains("approve"), "{out}");
}

/// `activate` run by a script that forgot --passcode-stdin, with no
/// terminal: the message names no flag the user did not give, no keyring
/// warning is printed (nothing was written), and no folder is left.
#[test]
fn activate_without_a_terminal_says_so_and_leaves_nothing() {
    let w = World::new("no-tty");
    let (code, _) = w.enroll("alice", "act.png");
    // setsid: a new session has no controlling terminal, so /dev/tty cannot
    // be opened whoever runs the tests.
    let Ok(out) = Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_tessera"))
        .args(["activate", "act.png", "--code", &code, "--home", "H"])
        .current_dir(&w.dir)
        .env_remove("TESSERA_HOME")
        .env_remove("TESSERA_KEYSTORE")
        .env("TESSERA_KDF", "floor")
        .stdin(Stdio::null())
        .output()
    else {
        eprintln!("setsid is not installed: skipped");
        return;
    };
    let err = stderr(&out);
    expect(&out, 2);
    assert!(
        err.contains("no terminal") && err.contains("--passcode-stdin"),
        "{err}"
    );
    assert!(!err.contains("error: --passcode-stdin:"), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(!w.dir.join("H").exists(), "a folder was left behind");
}

/// The approval screen shows when the challenge expires; past its expiry by
/// this computer's clock (the phone allows 120 s of clock difference, the
/// portal refuses after 180 s), it says the portal may have expired it.
#[test]
fn approve_shows_the_expiry_and_warns_past_it() {
    let w = World::new("expiry");
    w.activated("alice", "H");
    let t0 = now();
    let issued = |out: &str| {
        let at = t0.to_string();
        expect(
            &w.issuer(&["--now", &at, "login", "--user", "alice", "--out", out]),
            0,
        )
    };
    issued("fresh.png");
    let at = |t: u64| [("TESSERA_NOW", t.to_string())];
    let out = w.approve("H", "fresh.png", &at(t0 + 10));
    expect(&out, 0);
    assert!(
        stderr(&out).contains("Expires:   in 2 min 50 s"),
        "{}",
        stderr(&out)
    );
    let challenge = issued("late.png");
    let out = w.approve("H", "late.png", &at(t0 + 231));
    let otp = expect(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("51 s ago"), "{err}");
    assert!(err.contains("this may have expired at the portal"), "{err}");
    // And indeed the portal refuses it.
    let late = (t0 + 231).to_string();
    let out = w.issuer(&[
        "--now",
        &late,
        "verify",
        "--challenge",
        &challenge,
        "--otp",
        &otp,
    ]);
    expect(&out, 1);
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    // --json carries the expiry.
    issued("json.png");
    let out = w.phone(
        "H",
        &["approve", "json.png", "--json"],
        &line(PASS),
        &at(t0 + 10),
    );
    let json: serde_json::Value = serde_json::from_str(&expect(&out, 0)).unwrap();
    assert_eq!(json["expires_at"], t0 + 180);
}

/// An authenticator QR code given to approve points to `token import`,
/// which takes the image itself.
#[test]
fn otpauth_qr_codes_are_imported_from_images() {
    let w = World::new("otpauth-image");
    w.activated("alice", "H");
    let uri = "otpauth://totp/Example:carol?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";
    write_qr(&w.dir.join("totp qr.png"), uri.as_bytes());
    let out = w.approve("H", "totp qr.png", &[]);
    expect(&out, 2);
    assert!(
        stderr(&out).contains("tessera token import 'totp qr.png'"),
        "{}",
        stderr(&out)
    );
    let out = w.phone("H", &["token", "import", "totp qr.png"], &line(PASS), &[]);
    assert_eq!(expect(&out, 0), "imported 2: Example:carol");
    let out = w.phone(
        "H",
        &["token", "code", "2", "--time", "59"],
        &line(PASS),
        &[],
    );
    assert_eq!(expect(&out, 0), "94287082");
    // A picture without an otpauth:// code says so.
    let out = w.phone("H", &["token", "import", "act.png"], &line(PASS), &[]);
    expect(&out, 2);
    assert!(
        stderr(&out).contains("no otpauth:// or otpauth-migration:// QR code"),
        "{}",
        stderr(&out)
    );
}

/// `tessera issuer`: mosaics are written in the format their name says or
/// refused before the portal records anything.
#[test]
fn issuer_refuses_unknown_mosaic_formats() {
    let w = World::new("issuer-input");
    let out = w.issuer(&["enroll", "--user", "alice", "--out", "act.jpg"]);
    expect(&out, 2);
    assert!(
        stderr(&out).contains("--out") && stderr(&out).contains(".png or .svg"),
        "{}",
        stderr(&out)
    );
    assert!(!w.dir.join("act.jpg").exists());
    // Nothing was enrolled: there is no activation to confirm.
    expect(
        &w.issuer(&[
            "confirm",
            "--user",
            "alice",
            "--code",
            "0000-0000-0000-0000-0000-0000",
        ]),
        1,
    );
    w.activated("alice", "H");
    let out = w.issuer(&["login", "--user", "alice", "--out", "login.PNG"]);
    expect(&out, 0);
    assert!(
        std::fs::read(w.dir.join("login.PNG"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    let out = w.issuer(&["login", "--user", "alice", "--out", "login.svg"]);
    expect(&out, 0);
    assert!(
        std::fs::read_to_string(w.dir.join("login.svg"))
            .unwrap()
            .contains("<svg")
    );
}

/// Amounts follow the currency's decimals and must be positive; a negative
/// one is refused as such, not as an unknown option.
#[test]
fn issuer_amounts_follow_the_currency() {
    let w = World::new("issuer-amounts");
    w.activated("alice", "H");
    let sign = |amount: &str, currency: &str| {
        w.issuer(&[
            "sign",
            "--user",
            "alice",
            "--amount",
            amount,
            "--currency",
            currency,
            "--payee",
            "Boulangerie Schmit",
            "--iban",
            "LU28 0019 4006 4475 0000",
            "--out",
            "t.png",
        ])
    };
    for (amount, currency, arg, reason) in [
        ("10.555", "EUR", "--amount", "at most 2 decimals"),
        ("0", "EUR", "--amount", "more than zero"),
        ("0.00", "EUR", "--amount", "more than zero"),
        ("-1", "EUR", "--amount", "more than zero"),
        ("1.5", "JPY", "--amount", "whole number"),
        (
            "1.00",
            "ERU",
            "--currency",
            "not a currency this portal knows",
        ),
    ] {
        let out = sign(amount, currency);
        let err = stderr(&out);
        expect(&out, 2);
        assert!(
            err.contains(&format!("error: {arg}: ")) && err.contains(reason),
            "{amount} {currency}: {err}"
        );
    }
    expect(&sign("1500", "JPY"), 0);
    expect(&sign("1.250", "KWD"), 0);
    let out = w.approve("H", "t.png", &[]);
    expect(&out, 0);
    assert!(stderr(&out).contains("1.250 KWD"), "{}", stderr(&out));
}

/// The portal's name stands first on the approval screen (a relayed login
/// mosaic can only be noticed there), and a payee that mixes alphabets is
/// flagged before the passcode is asked.
#[test]
fn approve_puts_the_portal_first_and_flags_look_alike_payees() {
    let w = World::new("lookalike");
    w.activated("alice", "H");
    let t0 = now().to_string();
    expect(
        &w.issuer(&[
            "--now",
            &t0,
            "sign",
            "--user",
            "alice",
            "--amount",
            "12.00",
            // A Cyrillic "о" in "Boulangerie".
            "--payee",
            "B\u{043E}ulangerie Schmit",
            "--iban",
            "LU280019400644750000",
            "--out",
            "odd.png",
        ]),
        0,
    );
    let out = w.approve("H", "odd.png", &[]);
    expect(&out, 0);
    let err = stderr(&out);
    // The first line after the key-file warning of the test setup.
    let screen = err
        .lines()
        .skip_while(|l| l.starts_with("warning: this vault's device key"))
        .collect::<Vec<_>>();
    assert_eq!(screen.first(), Some(&"== portal.example.lu =="), "{err}");
    assert!(err.contains("warning: the payee mixes alphabets"), "{err}");
    assert!(!err.contains("the user mixes"), "{err}");
}

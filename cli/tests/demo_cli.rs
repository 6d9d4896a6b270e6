//! `tessera demo` as a newcomer runs it: one command, no set-up, the whole
//! story on stdout, the mosaics kept as PNG, nothing else left behind.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn demo(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("demo")
        .args(args)
        .env_remove("TESSERA_NOW")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn demo_tells_the_whole_story_and_cleans_up() {
    let out_dir = std::env::temp_dir().join(format!("tessera-demo-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = demo(&["--out", out_dir.to_str().unwrap()], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "== 1. Activation",
        "The activation code reaches alice by letter: ",
        "Activate this device for https://portal.example.lu",
        "Passcode chosen: ",
        "Confirmation code accepted: mobile ",
        "== 2. Login",
        "Log in to https://portal.example.lu",
        "OTP accepted: \"Vous êtes connecté\"",
        "== 3. A transfer, signed",
        "  Amount:    120.50 EUR",
        "  IBAN:      LU28 0019 4006 4475 0000",
        "is signed by alice",
        "== 4. A changed amount, refused",
        "Refused: the OTP does not match the transfer",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    assert!(
        stdout.contains('█') && stdout.contains('▀'),
        "mosaics drawn"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colour codes when stdout is not a terminal"
    );
    for png in [
        "activation.png",
        "login.png",
        "transfer.png",
        "transfer-changed.png",
    ] {
        let bytes = std::fs::read(out_dir.join(png)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{png}");
    }
    let work = stdout
        .lines()
        .find_map(|l| l.split("Portal database and phone vault: ").nth(1))
        .and_then(|l| l.strip_suffix(" (deleted at the end)"))
        .unwrap();
    assert!(!std::path::Path::new(work).exists(), "{work} was deleted");
    std::fs::remove_dir_all(&out_dir).unwrap();
}

#[test]
fn demo_passcode_from_stdin_must_meet_the_policy() {
    let out = demo(&["--passcode-stdin"], "123456\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("passcode"));
}

/// `--out` is a folder: a file name is refused, not turned into a folder.
#[test]
fn out_must_be_a_folder() {
    let name = std::env::temp_dir().join(format!("tessera-demo-{}.jpg", std::process::id()));
    let out = demo(&["--out", name.to_str().unwrap()], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--out takes a folder"), "{err}");
    assert!(!name.exists());
}

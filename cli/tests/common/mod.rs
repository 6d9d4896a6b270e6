//! What the CLI's script-style tests share: running the real binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs tessera (in `dir` when given) with `stdin`, the file keystore, the
/// floor KDF, no inherited TESSERA_HOME/TESSERA_NOW, and `env`.
pub fn tessera(dir: Option<&Path>, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.args(args)
        .env_remove("TESSERA_HOME")
        .env_remove("TESSERA_NOW")
        .env("TESSERA_KEYSTORE", "file")
        .env("TESSERA_KDF", "floor")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // A command that refuses before reading stdin may be gone already.
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// The command's standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `s` as one line of input.
pub fn line(s: &str) -> String {
    format!("{s}\n")
}

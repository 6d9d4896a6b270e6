//! The README's example session, run as printed: every `$ ` command of its
//! shell block runs in `sh` with this build of `tessera` first on PATH, and
//! prints what the README shows. Values the portal draws at random
//! (activation code, token id, OTPs, challenge id) are taken from the run
//! and carried into the later commands, so that the README cannot drift
//! from the CLI.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The passcode typed at the prompts the README shows (activate, approve).
const TYPED_PASSCODE: &str = "Readme#Pass7";

/// Prompt lines shown on the terminal; with --passcode-stdin (the test has
/// no terminal) they are not printed.
const PROMPTS: &[&str] = &[
    "Choose a passcode of",
    "New passcode:",
    "Repeat it:",
    "Passcode:",
];

/// One `$ command` of the README and the lines it shows.
struct Step {
    command: String,
    shown: Vec<String>,
}

/// The steps of the README's shell session (the ```sh block whose lines
/// start with `$ `); a command continued with a backslash is one step.
fn readme_steps() -> Vec<Step> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let block = text
        .split("```sh\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(body, _)| body))
        .find(|b| b.starts_with("$ "))
        .expect("the README has a shell session");
    let mut steps: Vec<Step> = Vec::new();
    let mut continued = false;
    for line in block.lines() {
        if continued {
            let step = steps.last_mut().unwrap();
            step.command.push(' ');
            step.command
                .push_str(line.trim().trim_end_matches('\\').trim_end());
        } else if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.trim_end_matches('\\').trim_end().to_owned(),
                shown: Vec::new(),
            });
        } else {
            steps.last_mut().unwrap().shown.push(line.to_owned());
        }
        continued = line.ends_with('\\');
    }
    steps
}

/// A value the run chooses: long, with a digit or in dashed groups (codes,
/// ids, OTPs; a drawn code may happen to hold no digit).
fn is_drawn(word: &str) -> bool {
    word.len() >= 8
        && word.bytes().any(|b| b.is_ascii_digit() || b == b'-')
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn readme_session_runs_as_printed() {
    let dir = scratch();
    let bin = Path::new(env!("CARGO_BIN_EXE_tessera")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let homes = [
        ("/tmp/v", dir.join("v").display().to_string()),
        ("/tmp/phone", dir.join("phone").display().to_string()),
    ];
    let mut drawn: HashMap<String, String> = HashMap::new();
    let steps = readme_steps();
    assert!(steps.len() >= 10, "{} steps", steps.len());
    for step in steps {
        let mut command = step.command.clone();
        for (readme, real) in &homes {
            command = command.replace(readme, real);
        }
        for (readme, real) in &drawn {
            command = command.replace(readme, real);
        }
        // The prompts of activate and approve, answered on stdin.
        let prompts = step
            .shown
            .iter()
            .any(|l| PROMPTS.iter().any(|p| l.starts_with(p)));
        if prompts {
            command.push_str(" --passcode-stdin");
        }
        let mut child = Command::new("sh")
            .args(["-c", &format!("{command} 2>&1")])
            .current_dir(&dir)
            .env("PATH", &path)
            .env("TESSERA_KEYSTORE", "file")
            .env("TESSERA_KDF", "floor")
            .env_remove("TESSERA_HOME")
            .env_remove("TESSERA_NOW")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = if prompts {
            format!("{TYPED_PASSCODE}\n")
        } else {
            String::new()
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let mut printed = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "$ {}\n{printed}", step.command);
        for (readme, real) in &homes {
            printed = printed.replace(real, readme);
        }
        // Warnings depend on the machine (no keyring here), not on the README.
        let printed: Vec<&str> = printed
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .collect();
        let shown: Vec<&str> = step
            .shown
            .iter()
            .map(String::as_str)
            .filter(|l| !PROMPTS.iter().any(|p| l.starts_with(p)))
            .collect();
        assert_eq!(
            printed.len(),
            shown.len(),
            "$ {}\nprinted:\n{}\nREADME:\n{}",
            step.command,
            printed.join("\n"),
            shown.join("\n")
        );
        for (real, readme) in printed.iter().zip(&shown) {
            if real == readme {
                continue;
            }
            // Time left changes by the second.
            let expires = "  Expires:   in ";
            if readme.starts_with(expires) && real.starts_with(expires) {
                continue;
            }
            let (a, b): (Vec<&str>, Vec<&str>) = (
                real.split_whitespace().collect(),
                readme.split_whitespace().collect(),
            );
            assert_eq!(a.len(), b.len(), "$ {}\n{real}\n{readme}", step.command);
            for (r, m) in a.iter().zip(&b) {
                if r == m {
                    continue;
                }
                assert!(
                    is_drawn(m) && is_drawn(r),
                    "$ {}\nprinted: {real}\nREADME:  {readme}",
                    step.command
                );
                let known = drawn.entry((*m).to_owned()).or_insert((*r).to_owned());
                assert_eq!(known, r, "{m} stands for two values");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

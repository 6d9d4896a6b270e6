//! The `tessera` OTP commands as scripts call them: output, exit status and
//! error messages that name the bad argument.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const K20: &str = "3132333435363738393031323334353637383930";
const K32: &str = "3132333435363738393031323334353637383930313233343536373839303132";
const K64: &str = "31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334";

fn tessera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .output()
        .unwrap()
}

fn tessera_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Asserts success and returns stdout without the trailing newline.
fn ok(args: &[&str]) -> String {
    let out = tessera(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

/// Asserts exit status 2 and a one-line error on stderr naming `arg`.
fn bad(args: &[&str], arg: &str) {
    let out = tessera(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert!(
        stderr.contains(arg),
        "{args:?}: {stderr:?} does not name {arg}"
    );
}

#[test]
fn hotp_codes_and_verification() {
    assert_eq!(ok(&["hotp", "--key", K20, "--counter", "0"]), "755224");
    assert_eq!(
        ok(&["hotp", "--key", K20, "--counter", "9", "--digits", "8"]),
        "45520489"
    );
    assert_eq!(
        ok(&[
            "hotp",
            "--base32",
            "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
            "--counter",
            "1"
        ]),
        "287082"
    );
    // Look-ahead: counter 1's code is found from counter 0, not from counter 2.
    assert_eq!(
        ok(&[
            "hotp",
            "--key",
            K20,
            "--counter",
            "0",
            "--verify",
            "287082",
            "--window",
            "3"
        ]),
        "1"
    );
    let miss = tessera(&[
        "hotp",
        "--key",
        K20,
        "--counter",
        "2",
        "--verify",
        "287082",
        "--window",
        "3",
    ]);
    assert_eq!(miss.status.code(), Some(1));
    assert!(miss.stdout.is_empty());
    let json = ok(&[
        "hotp",
        "--key",
        K20,
        "--counter",
        "0",
        "--verify",
        "755224",
        "--json",
    ]);
    assert_eq!(json, r#"{"match":true,"offset":0}"#);
}

#[test]
fn totp_codes_and_verification() {
    assert_eq!(
        ok(&["totp", "--key", K20, "--time", "59", "--digits", "8"]),
        "94287082"
    );
    assert_eq!(
        ok(&[
            "totp",
            "--key",
            K64,
            "--time",
            "20000000000",
            "--digits",
            "8",
            "--algorithm",
            "SHA512"
        ]),
        "47863826"
    );
    assert_eq!(
        ok(&[
            "totp",
            "--key",
            K32,
            "--time",
            "1111111109",
            "--digits",
            "8",
            "--algorithm",
            "sha-256"
        ]),
        "68084774"
    );
    // Period and T0: step (89 - 30) / 60 = 0.
    assert_eq!(
        ok(&[
            "totp", "--key", K20, "--time", "89", "--period", "60", "--t0", "30", "--digits", "8"
        ]),
        "84755224"
    );
    assert_eq!(
        ok(&[
            "totp", "--key", K20, "--time", "89", "--digits", "8", "--verify", "94287082",
            "--window", "1"
        ]),
        "-1"
    );
    let json: String = ok(&[
        "totp", "--key", K20, "--time", "59", "--digits", "8", "--json",
    ]);
    assert_eq!(
        json,
        r#"{"code":"94287082","step":1,"time":59,"valid_for":1}"#
    );
    // Without --time the current time is used: a code of the right shape.
    let now = ok(&["totp", "--base32", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"]);
    assert!(
        now.len() == 6 && now.bytes().all(|b| b.is_ascii_digit()),
        "{now}"
    );
}

#[test]
fn ocra_one_way_mutual_and_signature() {
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            K20,
            "--question",
            "22222222"
        ]),
        "653583"
    );
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
            "--key",
            K32,
            "--counter",
            "9",
            "--question",
            "12345678",
            "--pin",
            "1234"
        ]),
        "08522129"
    );
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
            "--key",
            K32,
            "--counter",
            "9",
            "--question",
            "12345678",
            "--pin-hash",
            "7110eda4d09e062aa5e4a390b0a572ac0d2c0220",
        ]),
        "08522129"
    );
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA512-8:QN08-T1M",
            "--key",
            K64,
            "--question",
            "22222222",
            "--timestamp",
            "132d0b6"
        ]),
        "22048402"
    );
    // --time is divided by the suite's step: 0x132d0b6 minutes.
    let seconds = (0x132d0b6u64 * 60 + 59).to_string();
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA512-8:QN08-T1M",
            "--key",
            K64,
            "--question",
            "22222222",
            "--time",
            &seconds
        ]),
        "22048402"
    );
    // Mutual mode, RFC 6287 C.2: client and server responses.
    let mutual = [
        "ocra",
        "--suite",
        "OCRA-1:HOTP-SHA256-8:QA08",
        "--key",
        K32,
        "--question",
        "SRV11110",
        "--client-question",
        "CLI22220",
    ];
    assert_eq!(ok(&mutual), "15510767");
    let mut server = mutual.to_vec();
    server.push("--server-response");
    assert_eq!(ok(&server), "28247970");
    // Signature mode with a timestamp, RFC 6287 C.3.
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA512-8:QA10-T1M",
            "--key",
            K64,
            "--question",
            "SIG1400000",
            "--timestamp",
            "132d0b6"
        ]),
        "65360607"
    );
    assert_eq!(
        ok(&[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            K20,
            "--question",
            "22222222",
            "--verify",
            "653583"
        ]),
        "0"
    );
    let miss = tessera(&[
        "ocra",
        "--suite",
        "OCRA-1:HOTP-SHA1-6:QN08",
        "--key",
        K20,
        "--question",
        "22222222",
        "--verify",
        "653584",
    ]);
    assert_eq!(miss.status.code(), Some(1));
    // Truncation 0: the full HMAC-SHA256 in hex.
    let full = ok(&[
        "ocra",
        "--suite",
        "OCRA-1:HOTP-SHA256-0:QH08",
        "--key",
        K32,
        "--question",
        "abcdef12",
    ]);
    assert_eq!(full.len(), 64);
}

#[test]
fn bad_input_names_the_argument() {
    bad(&["hotp", "--key", "31x", "--counter", "0"], "--key");
    bad(&["hotp", "--key", "", "--counter", "0"], "--key");
    bad(
        &["hotp", "--base32", "JBSWY3DP!", "--counter", "0"],
        "--base32",
    );
    bad(
        &["hotp", "--key", K20, "--counter", "0", "--digits", "9"],
        "--digits",
    );
    bad(
        &["hotp", "--key", K20, "--counter", "0", "--digits", "5"],
        "--digits",
    );
    bad(&["hotp", "--key", K20, "--counter", "x"], "--counter");
    bad(
        &[
            "hotp",
            "--key",
            K20,
            "--counter",
            "18446744073709551615",
            "--verify",
            "000000",
            "--window",
            "1",
        ],
        "--counter",
    );
    bad(
        &["hotp", "--key", K20, "--counter", "0", "--algorithm", "MD5"],
        "--algorithm",
    );
    bad(
        &[
            "hotp",
            "--key",
            K20,
            "--counter",
            "0",
            "--verify",
            "1",
            "--window",
            "100000",
        ],
        "--window",
    );
    bad(
        &[
            "hotp",
            "--key",
            K20,
            "--base32",
            "JBSWY3DP",
            "--counter",
            "0",
        ],
        "--key",
    );
    bad(&["totp", "--key", K20, "--period", "0"], "--period");
    bad(
        &["totp", "--key", K20, "--t0", "100", "--time", "50"],
        "--time",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-T0H",
            "--key",
            K20,
            "--question",
            "12345678",
        ],
        "--suite",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-3:QN08",
            "--key",
            K20,
            "--question",
            "12345678",
        ],
        "--suite",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:C-QN08",
            "--key",
            K20,
            "--question",
            "12345678",
        ],
        "--counter",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            K20,
            "--question",
            "12345678",
            "--counter",
            "1",
        ],
        "--counter",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            K20,
            "--question",
            "123456789",
        ],
        "--question",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            K20,
            "--question",
            "1234567a",
        ],
        "--question",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-PSHA1",
            "--key",
            K20,
            "--question",
            "12345678",
        ],
        "--pin",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-PSHA1",
            "--key",
            K20,
            "--question",
            "12345678",
            "--pin-hash",
            "00",
        ],
        "--pin-hash",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-S064",
            "--key",
            K20,
            "--question",
            "12345678",
            "--session",
            "00",
        ],
        "--session",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            K20,
            "--question",
            "12345678",
            "--time",
            "5",
        ],
        "--time",
    );
    bad(
        &[
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-T1M",
            "--key",
            K20,
            "--question",
            "12345678",
            "--timestamp",
            "xyz",
        ],
        "--timestamp",
    );
}

#[test]
fn short_keys_work_with_a_warning() {
    let out = tessera(&["hotp", "--key", "0102030405060708090a", "--counter", "0"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning") && stderr.contains("80 bits"),
        "{stderr}"
    );
}

#[test]
fn every_command_has_help() {
    for cmd in [
        &["--help"][..],
        &["hotp", "--help"],
        &["totp", "--help"],
        &["ocra", "--help"],
        &["uri", "--help"],
        &["uri", "show", "--help"],
        &["uri", "code", "--help"],
        &["migration", "show", "--help"],
    ] {
        let text = ok(cmd);
        assert!(text.contains("Usage: tessera"), "{cmd:?}: {text}");
    }
    assert!(ok(&["ocra", "--help"]).contains("--client-question"));
}

#[test]
fn key_uris() {
    let uri = "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";
    assert_eq!(ok(&["uri", "code", uri, "--time", "59"]), "94287082");
    let shown: serde_json::Value = serde_json::from_str(&ok(&["uri", "show", uri])).unwrap();
    assert_eq!(shown["issuer"], "Example");
    assert_eq!(shown["account"], "alice@example.com");
    assert_eq!(shown["type"], "totp");
    assert_eq!(shown["period"], 30);
    assert_eq!(shown["digits"], 8);
    assert!(
        shown.get("secret").is_none(),
        "the secret is shown only on request"
    );
    let with_secret: serde_json::Value =
        serde_json::from_str(&ok(&["uri", "show", "--show-secret", uri])).unwrap();
    assert_eq!(with_secret["secret"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    // From stdin, so the secret stays out of the process list.
    let out = tessera_stdin(&["uri", "code", "-", "--time", "59"], &format!("{uri}\n"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "94287082");
    bad(
        &[
            "uri",
            "show",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0",
        ],
        "period",
    );
    bad(&["uri", "show", "https://example.com"], "URI");
}

#[test]
fn google_authenticator_export() {
    let export = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&["migration", "show", "--show-secret", export])).unwrap();
    let tokens = shown["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["issuer"], "Example");
    assert_eq!(tokens[0]["account"], "alice@google.com");
    assert_eq!(tokens[0]["secret"], "JBSWY3DPEHPK3PXP");
    bad(
        &["migration", "show", "otpauth-migration://offline?data=%%"],
        "URI 1",
    );
}

/// Every command's help, as an 80-column terminal shows it.
fn help_at_80_columns(command: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(command)
        .arg("--help")
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    assert!(out.status.success(), "{command:?}");
    String::from_utf8(out.stdout).unwrap()
}

const COMMANDS: &[&[&str]] = &[
    &[],
    &["demo"],
    &["portal"],
    &["hotp"],
    &["totp"],
    &["ocra"],
    &["issuer"],
    &["issuer", "sign"],
    &["scan"],
    &["uri", "show"],
    &["uri", "code"],
    &["migration", "show"],
    &["passcode", "set"],
    &["passcode", "change"],
    &["token", "import"],
    &["token", "list"],
    &["token", "code"],
    &["token", "remove"],
    &["activate"],
    &["approve"],
];

/// The example lines of a help text: each is a command, a variable, or the
/// continuation of a line ending in a backslash.
fn examples(help: &str) -> Vec<String> {
    let mut lines = help.lines().skip_while(|l| !l.starts_with("Example"));
    lines.next();
    lines
        .take_while(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Examples are copied and pasted: no command is wrapped in its middle at
/// 80 columns, and none uses a variable it does not define.
#[test]
fn help_examples_survive_copy_and_paste() {
    for command in COMMANDS {
        let help = help_at_80_columns(command);
        let lines = examples(&help);
        let mut continued = false;
        let mut defined = Vec::new();
        for line in &lines {
            let starts_command = line.starts_with("  tessera ")
                || line.starts_with("  printf ")
                || line.starts_with("  KEY");
            assert!(
                starts_command || continued,
                "{command:?}: a wrapped example line: {line:?}\n{help}"
            );
            assert!(line.len() <= 80, "{command:?}: {line:?}");
            if let Some((name, _)) = line.trim().split_once('=') {
                defined.push(format!("${name}"));
                defined.push(format!("${{{name}}}"));
            }
            for word in line.split(|c: char| c.is_whitespace()) {
                if word.starts_with('$') && !word.starts_with("$(") {
                    assert!(
                        defined.iter().any(|d| word.starts_with(d.as_str())),
                        "{command:?}: {word} is not defined in the example"
                    );
                }
            }
            continued = line.ends_with('\\');
        }
    }
}

/// The OTP examples of the help run as printed, in a shell, and give
/// RFC 6287's values.
#[cfg(unix)]
#[test]
fn ocra_help_examples_run_as_printed() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_tessera"))
        .parent()
        .unwrap()
        .to_owned();
    let script = examples(&help_at_80_columns(&["ocra"]))
        .iter()
        .map(|l| l.trim_start())
        .collect::<Vec<_>>()
        .join("\n");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "237653\n22048402\n15510767\n"
    );
}

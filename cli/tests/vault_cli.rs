//! The desktop authenticator as a script drives it: `tessera passcode` and
//! `tessera token` with --passcode-stdin, exit statuses 3 and 4, --home and
//! TESSERA_HOME, and what ends up on disk.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

use common::{line, stderr};

const PASS: &str = "k7#pQ2!vCanary";
const NEW_PASS: &str = "Zt9-lamp-Orbit";
/// RFC 6238's SHA-1 seed "12345678901234567890" in base32.
const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const TOTP_URI: &str = "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";
const HOTP_URI: &str = "otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0";
/// Google Authenticator's sample export: one TOTP token, Example:alice@google.com.
const EXPORT: &str = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs tessera with `stdin`, the file keystore and the floor KDF.
fn run_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    common::tessera(None, args, stdin, env)
}

fn run(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut all = args.to_vec();
    let home = home.to_str().unwrap();
    all.extend(["--home", home]);
    run_env(&all, stdin, &[])
}

/// Asserts the exit status and returns stdout without the trailing newline.
fn expect(out: Output, status: i32) -> String {
    assert_eq!(out.status.code(), Some(status), "stderr: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

fn set_up(name: &str) -> PathBuf {
    let home = temp_home(name);
    expect(
        run(&home, &["passcode", "set", "--passcode-stdin"], &line(PASS)),
        0,
    );
    home
}

#[test]
fn import_list_code_remove() {
    let home = set_up("flow");
    let out = expect(
        run(
            &home,
            &[
                "token",
                "import",
                "--passcode-stdin",
                TOTP_URI,
                HOTP_URI,
                EXPORT,
            ],
            &line(PASS),
        ),
        0,
    );
    assert_eq!(
        out,
        "imported 1: Example:alice@example.com\nimported 2: bob\nimported 3: Example:alice@google.com"
    );
    let list = expect(run(&home, &["token", "list"], ""), 0);
    assert!(
        list.contains("1  totp    Example:alice@example.com"),
        "{list}"
    );
    assert!(list.contains("2  hotp    bob"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&expect(run(&home, &["token", "list", "--json"], ""), 0)).unwrap();
    assert_eq!(json[0]["id"], 1);
    assert_eq!(json[0]["type"], "totp");
    assert_eq!(json[0]["digits"], 8);
    assert_eq!(json[1]["counter"], 0);
    assert!(json[0].get("secret").is_none());
    // RFC 6238 Appendix B (SHA-1, T = 59) and RFC 4226 Appendix D.
    let code = |id: &str, extra: &[&str]| {
        let mut args = vec!["token", "code", id, "--passcode-stdin"];
        args.extend(extra);
        expect(run(&home, &args, &line(PASS)), 0)
    };
    assert_eq!(code("1", &["--time", "59"]), "94287082");
    assert_eq!(code("2", &[]), "755224");
    assert_eq!(code("2", &[]), "287082");
    assert_eq!(code("2", &[]), "359152");
    let json: serde_json::Value =
        serde_json::from_str(&expect(run(&home, &["token", "list", "--json"], ""), 0)).unwrap();
    assert_eq!(json[1]["counter"], 3);
    // A clock that went back is flagged.
    let out = run(
        &home,
        &["token", "code", "1", "--time", "29", "--passcode-stdin"],
        &line(PASS),
    );
    assert!(
        stderr(&out).contains("clock may have gone back"),
        "{}",
        stderr(&out)
    );
    expect(out, 0);
    // Unknown ids are refused before the passcode is asked.
    let out = run(&home, &["token", "code", "9"], "");
    assert!(stderr(&out).contains("no token has id 9"));
    expect(out, 2);
    assert_eq!(
        expect(
            run(
                &home,
                &["token", "remove", "2", "--passcode-stdin"],
                &line(PASS)
            ),
            0
        ),
        "removed 2: bob"
    );
    let list = expect(run(&home, &["token", "list"], ""), 0);
    assert!(!list.contains("bob"));
    // URI from stdin, after the passcode.
    let out = expect(
        run(
            &home,
            &["token", "import", "--passcode-stdin", "-"],
            &format!("{PASS}\n{HOTP_URI}\n"),
        ),
        0,
    );
    assert_eq!(out, "imported 4: bob");
    // A bad URI costs no attempt.
    let out = run(
        &home,
        &["token", "import", "--passcode-stdin", "otpauth://totp/x"],
        &line(PASS),
    );
    expect(out, 2);
}

#[test]
fn nothing_secret_on_disk() {
    let home = set_up("disk");
    expect(
        run(
            &home,
            &["token", "import", "--passcode-stdin", TOTP_URI],
            &line(PASS),
        ),
        0,
    );
    let vault = std::fs::read(home.join("vault")).unwrap();
    for secret in [
        &b"12345678901234567890"[..],
        SEED_B32.as_bytes(),
        PASS.as_bytes(),
        b"alice",
    ] {
        assert!(
            !vault.windows(secret.len()).any(|w| w == secret),
            "the vault file holds a secret"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["vault", "device-key", ".lock", "keystore"] {
            let mode = std::fs::metadata(home.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        let mode = std::fs::metadata(&home).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

#[test]
fn passcode_policy_set_twice_and_change() {
    let home = temp_home("change");
    let out = run(&home, &["passcode", "set", "--passcode-stdin"], "123456\n");
    assert!(stderr(&out).contains("most common"), "{}", stderr(&out));
    expect(out, 2);
    let out = run(&home, &["passcode", "set", "--passcode-stdin"], "abc\n");
    assert!(stderr(&out).contains("at least 6"), "{}", stderr(&out));
    expect(out, 2);
    expect(
        run(&home, &["passcode", "set", "--passcode-stdin"], &line(PASS)),
        0,
    );
    let out = run(
        &home,
        &["passcode", "set", "--passcode-stdin"],
        &line(NEW_PASS),
    );
    assert!(stderr(&out).contains("already exists"));
    expect(out, 2);
    expect(
        run(
            &home,
            &["token", "import", "--passcode-stdin", TOTP_URI],
            &line(PASS),
        ),
        0,
    );
    // The new passcode must meet the policy too (and costs no attempt).
    expect(
        run(
            &home,
            &["passcode", "change", "--passcode-stdin"],
            &format!("{PASS}\n111111\n"),
        ),
        2,
    );
    expect(
        run(
            &home,
            &["passcode", "change", "--passcode-stdin"],
            &format!("{PASS}\n{NEW_PASS}\n"),
        ),
        0,
    );
    let code = |pass: &str| {
        run(
            &home,
            &["token", "code", "1", "--time", "59", "--passcode-stdin"],
            &line(pass),
        )
    };
    expect(code(PASS), 3);
    // The tokens stayed.
    assert_eq!(expect(code(NEW_PASS), 0), "94287082");
}

#[test]
fn wrong_passcodes_exit_3_then_wipe_exits_4() {
    let home = set_up("wipe");
    expect(
        run(
            &home,
            &["token", "import", "--passcode-stdin", TOTP_URI],
            &line(PASS),
        ),
        0,
    );
    let h = home.to_str().unwrap();
    let at = |now: u64, pass: &str| {
        let now = now.to_string();
        run_env(
            &[
                "token",
                "code",
                "1",
                "--time",
                "59",
                "--passcode-stdin",
                "--home",
                h,
            ],
            &line(pass),
            &[("TESSERA_NOW", &now)],
        )
    };
    let mut now = 1_800_000_000;
    for left in (1..=9).rev() {
        let out = at(now, "wrong-passcode");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("wrong passcode: {left} attempts left")),
            "{err}"
        );
        if left <= 7 {
            assert!(err.contains("next attempt is possible in"), "{err}");
        }
        expect(out, 3);
        now += 10_000;
    }
    // Too early for the next attempt: refused without asking.
    let out = at(now - 9_000, PASS);
    assert!(stderr(&out).contains("try again in"), "{}", stderr(&out));
    expect(out, 3);
    // The tenth failure erases the keys; the right passcode is then refused.
    let out = at(now, "wrong-passcode");
    assert!(stderr(&out).contains("erased"), "{}", stderr(&out));
    expect(out, 4);
    assert!(!home.join("device-key").exists());
    let out = at(now + 10_000, PASS);
    let err = stderr(&out);
    assert!(err.contains("passcode set"), "{err}");
    expect(out, 4);
    expect(run(&home, &["token", "list"], ""), 4);
    // Starting over.
    expect(
        run(
            &home,
            &["passcode", "set", "--passcode-stdin"],
            &line(NEW_PASS),
        ),
        0,
    );
    assert_eq!(expect(run(&home, &["token", "list"], ""), 0), "");
}

#[test]
fn tessera_home_and_missing_vault() {
    let home = temp_home("env");
    let h = home.to_str().unwrap();
    let out = run_env(&["token", "list"], "", &[("TESSERA_HOME", h)]);
    assert!(stderr(&out).contains("no vault"), "{}", stderr(&out));
    expect(out, 2);
    expect(
        run_env(
            &["passcode", "set", "--passcode-stdin"],
            &line(PASS),
            &[("TESSERA_HOME", h)],
        ),
        0,
    );
    assert!(home.join("vault").exists());
    expect(
        run_env(
            &["token", "import", "--passcode-stdin", TOTP_URI],
            &line(PASS),
            &[("TESSERA_HOME", h)],
        ),
        0,
    );
    // --home wins over TESSERA_HOME.
    let other = temp_home("env-other");
    let out = run_env(
        &["token", "list", "--home", other.to_str().unwrap()],
        "",
        &[("TESSERA_HOME", h)],
    );
    expect(out, 2);
    let list = expect(run_env(&["token", "list"], "", &[("TESSERA_HOME", h)]), 0);
    assert!(list.contains("alice"));
}

#[test]
fn corrupted_vault_is_reported_and_left_alone() {
    let home = set_up("corrupt");
    let path = home.join("vault");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let out = run(&home, &["token", "list"], "");
    assert!(stderr(&out).contains("corrupted"), "{}", stderr(&out));
    expect(out, 5);
    expect(
        run(&home, &["passcode", "set", "--passcode-stdin"], &line(PASS)),
        2,
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn keyring_or_file_fallback() {
    // Without TESSERA_KEYSTORE=file the OS keyring is tried; where none runs
    // (CI) the key goes to a 0600 file with a warning.
    let home = temp_home("keyring");
    let h = home.to_str().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    let out = {
        cmd.args(["passcode", "set", "--passcode-stdin", "--home", h])
            .env_remove("TESSERA_KEYSTORE")
            .env("TESSERA_KDF", "floor")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(line(PASS).as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let err = stderr(&out);
    expect(out, 0);
    if err.contains("no OS keyring is running") {
        assert!(home.join("device-key").exists());
        // Said once, in Tessera's words, with what it means and what to do.
        assert_eq!(err.matches("warning").count(), 1, "{err}");
        assert!(!err.contains("No default store"), "{err}");
        assert!(err.contains("try passcodes offline"), "{err}");
        assert!(err.contains("GNOME Keyring"), "{err}");
        // The file stays in use once chosen, and every use says what it means.
        let out = run_env(
            &["token", "list", "--home", h],
            "",
            &[("TESSERA_KEYSTORE", "")],
        );
        let err = stderr(&out);
        assert!(
            err.contains("device key is in") && err.contains("offline"),
            "{err}"
        );
        expect(out, 0);
    } else {
        assert!(!home.join("device-key").exists());
    }
}

#[test]
fn help_explains_every_command() {
    for (args, needle) in [
        (&["passcode", "--help"][..], "change"),
        (&["passcode", "set", "--help"][..], "--passcode-stdin"),
        (&["passcode", "change", "--help"][..], "second"),
        (&["token", "--help"][..], "import"),
        (&["token", "import", "--help"][..], "otpauth-migration://"),
        (&["token", "list", "--help"][..], "--json"),
        (&["token", "code", "--help"][..], "--time"),
        (&["token", "remove", "--help"][..], "--home"),
        (&["--help"][..], "4 when the vault"),
    ] {
        let out = expect(run_env(args, "", &[]), 0);
        assert!(out.contains(needle), "{args:?}: {out}");
    }
}

/// Runs tessera and kills it after `secs` seconds (a command that blocks
/// fails the test instead of hanging it).
fn run_with_timeout(home: &Path, args: &[&str], stdin: &str, secs: u64) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.args(args)
        .args(["--home", home.to_str().unwrap()])
        .env_remove("TESSERA_HOME")
        .env("TESSERA_KEYSTORE", "file")
        .env("TESSERA_KDF", "floor")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= secs {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "tessera {args:?} still runs after {secs} s: {}",
                stderr(&out)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The vault's folder is used only when it is the user's and closed to
/// others; files in it are not followed through symbolic links, and a
/// FIFO or a held lock does not block without a word.
#[cfg(unix)]
#[test]
fn vault_folder_must_be_private_and_plain() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let set_mode = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };

    // An existing folder open to others is refused, with the command to run.
    let home = temp_home("private");
    std::fs::create_dir_all(&home).unwrap();
    set_mode(&home, 0o755);
    let out = run(&home, &["passcode", "set", "--passcode-stdin"], &line(PASS));
    let err = stderr(&out);
    assert!(
        err.contains("mode 0755") && err.contains("chmod 700"),
        "{err}"
    );
    expect(out, 5);
    assert!(!home.join(".lock").exists());
    set_mode(&home, 0o700);
    expect(
        run(&home, &["passcode", "set", "--passcode-stdin"], &line(PASS)),
        0,
    );
    set_mode(&home, 0o750);
    let out = run(&home, &["token", "list"], "");
    assert!(stderr(&out).contains("chmod 700"), "{}", stderr(&out));
    expect(out, 5);
    set_mode(&home, 0o700);

    // A folder of another user's (only root can make one here).
    if rustix_uid_is_root(&home) {
        let other = temp_home("private-other");
        std::fs::create_dir_all(&other).unwrap();
        set_mode(&other, 0o700);
        let status = Command::new("chown")
            .args(["65534", other.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = run(
            &other,
            &["passcode", "set", "--passcode-stdin"],
            &line(PASS),
        );
        let err = stderr(&out);
        assert!(
            err.contains("belongs to another user (uid 65534)") && err.contains("chown"),
            "{err}"
        );
        expect(out, 5);
    }

    // .lock as a symbolic link: not followed, nothing created at its target.
    let target = home.with_extension("planted");
    let _ = std::fs::remove_file(&target);
    std::fs::remove_file(home.join(".lock")).unwrap();
    symlink(&target, home.join(".lock")).unwrap();
    let out = run_with_timeout(&home, &["token", "list"], "", 20);
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    expect(out, 5);
    assert!(!target.exists(), "tessera created the symlink's target");
    std::fs::remove_file(home.join(".lock")).unwrap();

    // .lock as a FIFO: refused at once, not waited on forever.
    let status = Command::new("mkfifo")
        .arg(home.join(".lock"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = run_with_timeout(&home, &["token", "list"], "", 20);
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    expect(out, 5);
    std::fs::remove_file(home.join(".lock")).unwrap();
    expect(run(&home, &["token", "list"], ""), 0);
    let mode = std::fs::metadata(home.join(".lock"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // A held lock: tessera says what it waits for, and goes on once released.
    let held = std::fs::File::options()
        .write(true)
        .open(home.join(".lock"))
        .unwrap();
    held.lock().unwrap();
    let h = home.clone();
    let waiter = std::thread::spawn(move || run_with_timeout(&h, &["token", "list"], "", 30));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    held.unlock().unwrap();
    let out = waiter.join().unwrap();
    assert!(
        stderr(&out).contains("waiting for another tessera"),
        "{}",
        stderr(&out)
    );
    expect(out, 0);
}

/// Whether this test runs as root (who may chown), judged by the owner of
/// a folder it just created.
#[cfg(unix)]
fn rustix_uid_is_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).unwrap().uid() == 0
}

/// The device key file: private to the user, not a link, never planted
/// next to a keyring vault; its loss is told apart from an absent keyring.
#[cfg(unix)]
#[test]
fn device_key_file_is_checked_and_its_loss_explained() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let home = set_up("key-file");
    let key = home.join("device-key");
    assert_eq!(
        std::fs::read_to_string(home.join("keystore")).unwrap(),
        "file\n"
    );
    // Every use says what a key file means.
    let out = run(&home, &["token", "list"], "");
    assert!(
        stderr(&out).contains("anyone with a copy of"),
        "{}",
        stderr(&out)
    );
    expect(out, 0);

    // Readable by others: refused, with the chmod to run.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(&home, &["token", "list"], "");
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    expect(out, 5);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    // A symbolic link is not followed.
    let real = home.with_extension("key-elsewhere");
    std::fs::rename(&key, &real).unwrap();
    symlink(&real, &key).unwrap();
    let out = run(&home, &["token", "list"], "");
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    expect(out, 5);
    std::fs::remove_file(&key).unwrap();
    std::fs::rename(&real, &key).unwrap();
    expect(run(&home, &["token", "list"], ""), 0);

    // A key file next to a vault whose key is in the keyring is refused,
    // not used in the keyring's place.
    std::fs::write(home.join("keystore"), "keyring\n").unwrap();
    let out = run(&home, &["token", "list"], "");
    let err = stderr(&out);
    assert!(err.contains("did not write that file"), "{err}");
    expect(out, 5);
    std::fs::write(home.join("keystore"), "file\n").unwrap();

    // The key file deleted, and no keyring in the environment: the key is
    // gone (exit 4, how to start over), not "the keyring holds it".
    std::fs::remove_file(&key).unwrap();
    let out = run_env(
        &["token", "list", "--home", home.to_str().unwrap()],
        "",
        &[("TESSERA_KEYSTORE", "")],
    );
    let err = stderr(&out);
    assert!(
        err.contains("device key of the vault") && err.contains("is gone"),
        "{err}"
    );
    assert!(err.contains("tessera passcode set"), "{err}");
    assert!(!err.contains("No default store"), "{err}");
    expect(out, 4);
}

/// A home that is a file, or a folder the user cannot write in: the message
/// says what to do, not just "File exists" or "Permission denied".
#[cfg(unix)]
#[test]
fn unusable_homes_say_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let file = temp_home("is-a-file");
    std::fs::write(&file, b"").unwrap();
    for args in [
        &["passcode", "set", "--passcode-stdin"][..],
        &["token", "list"],
    ] {
        let out = run(&file, args, &line(PASS));
        let err = stderr(&out);
        assert!(err.contains("is a file, not a folder"), "{args:?}: {err}");
        expect(out, 2);
    }
    let below = file.join("vault-home");
    let out = run(
        &below,
        &["passcode", "set", "--passcode-stdin"],
        &line(PASS),
    );
    assert!(
        stderr(&out).contains("is a file, not a folder"),
        "{}",
        stderr(&out)
    );
    expect(out, 2);
    std::fs::remove_file(&file).unwrap();

    let home = set_up("read-only");
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o500)).unwrap();
    let out = run(&home, &["token", "list"], "");
    let err = stderr(&out);
    assert!(
        err.contains("not writable for you") && err.contains("chmod 700"),
        "{err}"
    );
    expect(out, 5);
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
}

//! Every export with hostile input: empty, huge, invalid UTF-8, wrong
//! lengths, absurd frame sizes, overflowing strides, garbage from the
//! platform, absurd times. Each call must return an error — never panic
//! (a panic would reach uniffi's catch_unwind and surface as an internal
//! error in the app) and never succeed on nonsense.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use common::{Gate, NOW, ORIGIN, PASSCODE, Phone, Storage};
use tessera_ffi::{
    Authenticator, BiometricGate, CameraFrame, FramePlane, PixelFormat, PlatformError,
    ScannedRequest, TesseraError, erase_vault,
};
use tessera_portal::{Portal, PortalConfig, SqliteStore};

/// The exports this file drives, as their scaffolding is named
/// (`uniffi_tessera_ffi_fn_<name>`). `scripts/bindings` fails when the
/// library exports something that is not listed here (the platform traits'
/// methods excepted: the shells implement those), so a new export cannot
/// ship without a hostile-input test.
pub const COVERED_EXPORTS: &[&str] = &[
    "constructor_authenticator_new",
    "func_erase_vault",
    "method_authenticator_is_activated",
    "method_authenticator_read",
    "method_authenticator_scan_frame",
    "method_authenticator_status",
    "method_authenticator_tokens",
    "method_authenticator_unlock_with_biometrics",
    "method_authenticator_unlock_with_passcode",
    "method_pendingactivation_complete",
    "method_pendingactivation_unseal",
    "method_pendingchallenge_approve_with_biometrics",
    "method_pendingchallenge_approve_with_passcode",
    "method_pendingchallenge_details",
    "method_pendingimport_import_tokens",
    "method_pendingimport_skipped",
    "method_pendingimport_tokens",
    "method_unlockedvault_change_passcode",
    "method_unlockedvault_code",
    "method_unlockedvault_disable_biometrics",
    "method_unlockedvault_enable_biometrics",
    "method_unlockedvault_lock",
    "method_unlockedvault_method",
    "method_unlockedvault_remove_token",
];

/// Runs `f`, fails the test if it panics or succeeds, returns the error.
#[track_caller]
fn refused<T: std::fmt::Debug>(
    what: &str,
    f: impl FnOnce() -> Result<T, TesseraError>,
) -> TesseraError {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Err(e)) => e,
        Ok(Ok(v)) => {
            let shown: String = format!("{v:?}").chars().take(200).collect();
            panic!("{what}: accepted hostile input: {shown}")
        }
        Err(_) => panic!("{what}: panicked"),
    }
}

/// Runs `f`, fails the test if it panics; any result is fine.
#[track_caller]
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("{what}: panicked"))
}

fn strings() -> Vec<String> {
    vec![
        String::new(),
        "\0".into(),
        "\u{202e}ABCD-EFGH\u{2066}".into(),
        "🔑".repeat(1000),
        "A".repeat(1 << 20),
        "ABCD-EFGH-JKMN-PQR".into(),
        "ABCD-EFGH-JKMN-PQRS-T".into(),
        "\u{feff}\r\n\t".into(),
    ]
}

fn passcodes() -> Vec<Vec<u8>> {
    vec![
        vec![],
        vec![0],
        vec![0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28],
        vec![b'a'; 65],
        vec![b'a'; 1 << 20],
        b"12345".to_vec(),
        b"\x80\x80\x80\x80\x80\x80".to_vec(),
    ]
}

fn payloads(valid_mosaic: &[u8]) -> Vec<Vec<u8>> {
    let mut flipped = valid_mosaic.to_vec();
    if let Some(b) = flipped.last_mut() {
        *b ^= 1;
    }
    vec![
        vec![],
        vec![0],
        vec![0xff; 2953],
        vec![0xa5; 10 << 20],
        b"otpauth://totp/x?secret=\xff\xfe".to_vec(),
        b"otpauth://hotp/x?secret=AAAA&counter=99999999999999999999999".to_vec(),
        b"otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&period=0".to_vec(),
        b"otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&digits=10".to_vec(),
        b"otpauth-migration://offline?data=%FF%FF".to_vec(),
        b"otpauth-migration://offline?data=".to_vec(),
        b"OTPAUTH://".to_vec(),
        valid_mosaic.get(..valid_mosaic.len() / 2).unwrap().to_vec(),
        flipped,
        [valid_mosaic, &[0u8; 16]].concat(),
        vec![
            0x83, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
        ],
        vec![0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ]
}

fn plane(len: usize, row: u32, pixel: u32) -> FramePlane {
    FramePlane {
        data: vec![0x80; len],
        row_stride: row,
        pixel_stride: pixel,
    }
}

fn frames() -> Vec<CameraFrame> {
    let f = |width, height, format, planes| CameraFrame {
        width,
        height,
        format,
        planes,
    };
    use PixelFormat::*;
    vec![
        f(0, 0, Luma, vec![plane(0, 0, 1)]),
        f(0, 10, Luma, vec![plane(100, 10, 1)]),
        f(u32::MAX, u32::MAX, Luma, vec![plane(16, 4, 1)]),
        f(16_385, 1, Luma, vec![plane(16_385, 16_385, 1)]),
        f(16_384, 16_384, Luma, vec![plane(1024, 16_384, 1)]),
        f(10, 10, Luma, vec![]),
        f(10, 10, Luma, vec![plane(100, 10, 1), plane(100, 10, 1)]),
        f(10, 10, Luma, vec![plane(99, 10, 1)]),
        f(10, 10, Luma, vec![plane(100, 9, 1)]),
        f(10, 10, Luma, vec![plane(100, 10, 0)]),
        f(10, 10, Luma, vec![plane(100, u32::MAX, 1)]),
        f(10, 10, Luma, vec![plane(100, 10, u32::MAX)]),
        f(16_384, 16_384, Luma, vec![plane(64, u32::MAX, u32::MAX)]),
        f(10, 10, Rgba, vec![plane(400, 40, 3)]),
        f(10, 10, Bgra, vec![plane(399, 40, 4)]),
        f(10, 10, Yuv420, vec![plane(100, 10, 1)]),
        f(
            10,
            10,
            Yuv420,
            vec![plane(100, 10, 1), plane(25, 5, 1), plane(24, 5, 1)],
        ),
        f(
            10,
            10,
            Yuv420,
            vec![plane(100, 10, 1), plane(0, 0, 0), plane(0, 0, 0)],
        ),
        f(
            10,
            10,
            Yuv420,
            vec![
                plane(100, 10, 1),
                plane(25, u32::MAX, 2),
                plane(25, 10, u32::MAX),
            ],
        ),
    ]
}

/// A gate that returns what it is told to, however wrong.
struct Garbage(Mutex<Vec<u8>>);

impl BiometricGate for Garbage {
    fn enroll(&self, _slot_key: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        Ok(self.0.lock().unwrap().clone())
    }
    fn unlock(&self, _blob: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        Ok(self.0.lock().unwrap().clone())
    }
}

fn garbage_gates() -> Vec<Arc<dyn BiometricGate>> {
    let mut gates: Vec<Arc<dyn BiometricGate>> = [
        vec![],
        vec![0; 31],
        vec![0; 33],
        vec![0x5a; 32],
        vec![1; 1 << 20],
    ]
    .into_iter()
    .map(|b| Arc::new(Garbage(Mutex::new(b))) as Arc<dyn BiometricGate>)
    .collect();
    gates.push(Gate::throwing(PlatformError::Unexpected {
        reason: "boom".into(),
    }));
    gates.push(Gate::throwing(PlatformError::Unavailable {
        reason: String::new(),
    }));
    gates
}

struct Activated {
    portal: Portal<SqliteStore>,
    phone: Phone,
    login: Vec<u8>,
}

fn activated() -> Activated {
    let mut portal = Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default());
    let phone = Phone::new();
    let e = portal.enroll("alice", ORIGIN, NOW).unwrap();
    let ScannedRequest::Activation { activation } = phone.auth.read(e.mosaic).unwrap() else {
        panic!("no activation");
    };
    activation.unseal(e.code.display().to_string()).unwrap();
    let done = activation.complete(PASSCODE.to_vec()).unwrap();
    portal
        .confirm("alice", &done.confirmation_code, NOW)
        .unwrap();
    let login = portal.login("alice", NOW).unwrap().mosaic;
    Activated {
        portal,
        phone,
        login,
    }
}

#[test]
fn scan_frame_refuses_every_bad_frame() {
    let phone = Phone::new();
    for (i, frame) in frames().into_iter().enumerate() {
        let e = refused(&format!("frame {i}"), || phone.auth.scan_frame(frame));
        assert!(
            matches!(e, TesseraError::BadInput { .. }),
            "frame {i}: {e:?}"
        );
    }
    // A valid frame of noise: nothing found, not an error.
    let noise = CameraFrame {
        width: 64,
        height: 48,
        format: PixelFormat::Luma,
        planes: vec![FramePlane {
            data: (0..64 * 48)
                .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
            row_stride: 64,
            pixel_stride: 1,
        }],
    };
    assert!(
        no_panic("noise", || phone.auth.scan_frame(noise))
            .unwrap()
            .is_none()
    );
}

#[test]
fn read_refuses_every_bad_payload() {
    let a = activated();
    let fresh = Phone::new();
    for (i, payload) in payloads(&a.login).into_iter().enumerate() {
        refused(&format!("payload {i}"), || {
            a.phone.auth.read(payload.clone())
        });
        refused(&format!("payload {i} (no vault)"), || {
            fresh.auth.read(payload)
        });
    }
}

#[test]
fn activation_refuses_bad_codes_and_passcodes() {
    let mut portal = Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default());
    let phone = Phone::new();
    let e = portal.enroll("alice", ORIGIN, NOW).unwrap();
    let ScannedRequest::Activation { activation } = phone.auth.read(e.mosaic).unwrap() else {
        panic!("no activation");
    };
    for p in passcodes() {
        refused("complete before unseal", || activation.complete(p));
    }
    for s in strings() {
        refused("unseal", || activation.unseal(s));
    }
    activation.unseal(e.code.display().to_string()).unwrap();
    for p in passcodes() {
        refused("complete with a bad passcode", || activation.complete(p));
    }
    // Still usable after all that.
    activation.complete(PASSCODE.to_vec()).unwrap();
}

#[test]
fn unlock_and_approve_refuse_bad_passcodes_and_gates() {
    let a = activated();
    let ScannedRequest::Challenge { challenge } = a.phone.auth.read(a.login.clone()).unwrap()
    else {
        panic!("no challenge");
    };
    no_panic("details", || challenge.details()).unwrap();
    // Bad passcodes: refused before the KDF when they cannot be a passcode,
    // counted as wrong when they could; a few of each, then a reset.
    for p in passcodes().into_iter().take(4) {
        refused("unlock", || a.phone.auth.unlock_with_passcode(p.clone()));
        refused("approve", || challenge.approve_with_passcode(p));
        a.phone.clock.fake.advance(10_000);
    }
    a.phone
        .auth
        .unlock_with_passcode(PASSCODE.to_vec())
        .unwrap();
    // Biometrics not enabled, then enabled with gates that return garbage.
    for gate in garbage_gates() {
        refused("unlock (bio off)", || {
            a.phone.auth.unlock_with_biometrics(gate.clone())
        });
    }
    let unlocked = a
        .phone
        .auth
        .unlock_with_passcode(PASSCODE.to_vec())
        .unwrap();
    for gate in garbage_gates() {
        // Enrolling a garbage blob may be accepted (it is the platform's
        // opaque blob); it must not panic.
        no_panic("enable", || unlocked.enable_biometrics(gate)).ok();
    }
    unlocked
        .enable_biometrics(Arc::new(Gate::default()))
        .unwrap();
    for gate in garbage_gates() {
        refused("unlock (garbage key)", || {
            a.phone.auth.unlock_with_biometrics(gate.clone())
        });
        refused("approve (garbage key)", || {
            challenge.approve_with_biometrics(gate)
        });
        a.phone.clock.fake.advance(10_000);
    }
    drop(a.portal);
}

#[test]
fn unlocked_vault_refuses_bad_ids_and_passcodes() {
    let a = activated();
    let unlocked = a
        .phone
        .auth
        .unlock_with_passcode(PASSCODE.to_vec())
        .unwrap();
    let mosaic_token = a.phone.auth.tokens().unwrap()[0].id;
    for id in [0, mosaic_token, u64::MAX] {
        refused("code", || unlocked.code(id));
    }
    for id in [0, u64::MAX] {
        refused("remove", || unlocked.remove_token(id));
    }
    for p in passcodes() {
        refused("change passcode", || unlocked.change_passcode(p));
    }
    no_panic("method", || unlocked.method()).unwrap();
    no_panic("disable", || unlocked.disable_biometrics()).unwrap();
    unlocked.lock().unwrap();
    unlocked.lock().unwrap();
    refused("code after lock", || unlocked.code(mosaic_token));
    refused("disable after lock", || unlocked.disable_biometrics());
}

#[test]
fn import_refuses_bad_passcodes() {
    let phone = Phone::new();
    let uri = b"otpauth://hotp/Example:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615".to_vec();
    let ScannedRequest::Import {
        pending_import: import,
    } = phone.auth.read(uri).unwrap()
    else {
        panic!("no import");
    };
    no_panic("tokens", || import.tokens()).unwrap();
    no_panic("skipped", || import.skipped()).unwrap();
    for p in passcodes() {
        refused("import", || import.import_tokens(p));
    }
    let tokens = import.import_tokens(PASSCODE.to_vec()).unwrap();
    let unlocked = phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    // The counter is at u64::MAX: the next value would overflow.
    refused("code at the last counter", || unlocked.code(tokens[0].id));
}

#[test]
fn garbage_from_storage_and_keystore_is_an_error() {
    let blobs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0xff; 64],
        vec![0x42; 1 << 20],
        b"TSV1".to_vec(),
    ];
    for (i, blob) in blobs.into_iter().enumerate() {
        let phone = Phone::new();
        phone.storage.mem.put("vault", blob);
        let e = refused(&format!("open blob {i}"), || {
            Authenticator::new(
                phone.storage.clone(),
                phone.keystore.clone(),
                phone.clock.clone(),
                None,
                common::fast(),
            )
        });
        assert!(
            matches!(
                e,
                TesseraError::VaultUnusable { .. } | TesseraError::StorageFailure { .. }
            ),
            "{e:?}"
        );
    }
    // A valid vault whose bytes are flipped one by one.
    let a = activated();
    let stored = a.phone.storage.mem.get("vault").unwrap();
    for i in (0..stored.len()).step_by(7) {
        let mut bad = stored.clone();
        if let Some(b) = bad.get_mut(i) {
            *b ^= 0x40;
        }
        a.phone.storage.mem.put("vault", bad);
        refused(&format!("flipped byte {i}"), || {
            Authenticator::new(
                a.phone.storage.clone(),
                a.phone.keystore.clone(),
                a.phone.clock.clone(),
                None,
                common::fast(),
            )
        });
    }
    // Storage that throws on everything.
    let broken = Arc::new(Storage::default());
    broken.broken.store(true, Ordering::SeqCst);
    refused("open on broken storage", || {
        Authenticator::new(
            broken.clone(),
            a.phone.keystore.clone(),
            a.phone.clock.clone(),
            None,
            None,
        )
    });
    a.phone.keystore.fake.set_unavailable(true);
    refused("erase with a broken keystore", || {
        erase_vault(Arc::new(Storage::default()), a.phone.keystore.clone())
    });
}

#[test]
fn absurd_times_are_errors_not_overflows() {
    for now in [0, u64::MAX, i64::MAX as u64, (i64::MAX as u64) + 1] {
        let a = activated();
        a.phone.clock.fake.set(now);
        no_panic("status", || a.phone.auth.status()).unwrap();
        no_panic("is activated", || a.phone.auth.is_activated()).unwrap();
        no_panic("tokens", || a.phone.auth.tokens()).unwrap();
        refused(&format!("read at {now}"), || {
            a.phone.auth.read(a.login.clone())
        });
        let unlocked = no_panic("unlock", || {
            a.phone.auth.unlock_with_passcode(PASSCODE.to_vec())
        });
        drop(unlocked);
    }
    let phone = Phone::new();
    let uri = b"otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30".to_vec();
    let ScannedRequest::Import {
        pending_import: import,
    } = phone.auth.read(uri).unwrap()
    else {
        panic!("no import");
    };
    let id = import.import_tokens(PASSCODE.to_vec()).unwrap()[0].id;
    let unlocked = phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    for now in [0, u64::MAX] {
        phone.clock.fake.set(now);
        no_panic("totp at an absurd time", || unlocked.code(id)).ok();
    }
}

#[test]
fn the_test_portal_refuses_hostile_input_too() {
    use tessera_ffi_testing::{TestPortal, test_mosaic_frame};
    let portal = TestPortal::new(ORIGIN.into()).unwrap();
    for s in strings() {
        // The portal decides which user ids it accepts; it must not panic.
        no_panic("enroll", || portal.enroll(s.clone(), NOW)).ok();
        no_panic("activation code", || portal.activation_code(s.clone())).ok();
        refused("confirm", || portal.confirm(s.clone(), s.clone(), NOW));
        refused("login", || portal.login(s.clone(), NOW));
        refused("verify", || {
            portal.verify(s.clone(), s.clone(), true, s.clone(), NOW)
        });
        refused("sign", || {
            portal.sign(
                "alice".into(),
                s.clone(),
                s.clone(),
                s.clone(),
                s.clone(),
                Some(s.clone()),
                NOW,
            )
        });
    }
    for s in strings() {
        no_panic("portal at a hostile origin", || {
            TestPortal::new(s).map(|p| p.enroll("alice".into(), NOW).ok())
        })
        .ok();
    }
    refused("frame of nothing", || {
        test_mosaic_frame(vec![], PixelFormat::Luma)
    });
    refused("frame of too much", || {
        test_mosaic_frame(vec![0; 1 << 16], PixelFormat::Rgba)
    });
}

#[test]
fn the_coverage_list_is_sorted_and_unique() {
    assert!(
        COVERED_EXPORTS.windows(2).all(|w| w[0] < w[1]),
        "keep COVERED_EXPORTS sorted, without duplicates"
    );
}

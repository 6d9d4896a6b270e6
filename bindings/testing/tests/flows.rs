//! The exported surface driven from Rust as a shell would drive it, against
//! the reference portal: activation, login, transaction, wrong passcodes,
//! lockout, biometrics, platform failures, imports, recovery.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use common::{Gate, NOW, ORIGIN, PASSCODE, Phone};
use tessera_core::mosaic::Transaction;
use tessera_core::platform::BiometricError;
use tessera_ffi::{
    BiometricStatus, ChallengeKind, PendingActivation, PendingChallenge, PlatformError,
    ScannedRequest, TesseraError, TokenKind, VaultStatus, erase_vault,
};
use tessera_portal::{Portal, PortalConfig, SqliteStore};

fn portal() -> Portal<SqliteStore> {
    Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default())
}

fn activation(phone: &Phone, mosaic: Vec<u8>) -> Arc<PendingActivation> {
    match phone.auth.read(mosaic).unwrap() {
        ScannedRequest::Activation { activation } => activation,
        other => panic!("expected an activation, got {other:?}"),
    }
}

fn challenge(phone: &Phone, mosaic: Vec<u8>) -> Arc<PendingChallenge> {
    match phone.auth.read(mosaic).unwrap() {
        ScannedRequest::Challenge { challenge } => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

/// Activates `phone` for `user` at the portal and confirms it there.
fn activate(p: &mut Portal<SqliteStore>, phone: &Phone, user: &str) {
    let e = p.enroll(user, ORIGIN, NOW).unwrap();
    let pending = activation(phone, e.mosaic);
    let details = pending.unseal(e.code.display().to_string()).unwrap();
    assert_eq!(
        (details.origin.as_str(), details.user_id.as_str()),
        (ORIGIN, user)
    );
    let activated = pending.complete(PASSCODE.to_vec()).unwrap();
    assert!(matches!(activated.token.kind, TokenKind::Mosaic { .. }));
    p.confirm(user, &activated.confirmation_code, NOW + 30)
        .unwrap();
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

fn ready(phone: &Phone) -> (u32, u32, u64, BiometricStatus) {
    match phone.auth.status().unwrap() {
        VaultStatus::Ready {
            failures,
            attempts_left,
            retry_after_secs,
            biometrics,
        } => (failures, attempts_left, retry_after_secs, biometrics),
        other => panic!("not ready: {other:?}"),
    }
}

#[test]
fn activation_login_and_transaction_against_the_portal() {
    let mut p = portal();
    let phone = Phone::new();
    assert!(!phone.auth.is_activated().unwrap());
    assert_eq!(phone.auth.status().unwrap(), VaultStatus::NoVault);
    activate(&mut p, &phone, "alice");
    assert!(phone.auth.is_activated().unwrap());
    assert_eq!(phone.auth.tokens().unwrap().len(), 1);

    let issued = p.login("alice", NOW + 100).unwrap();
    phone.clock.fake.set(NOW + 100);
    let login = challenge(&phone, issued.mosaic);
    let details = login.details().unwrap();
    assert_eq!(details.kind, ChallengeKind::Login);
    assert_eq!(details.challenge_id, issued.id);
    assert_eq!(details.transaction, None);
    let otp = login.approve_with_passcode(PASSCODE.to_vec()).unwrap();
    p.verify(&issued.id, &otp, None, NOW + 110).unwrap();
    assert_eq!(
        login.approve_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::AlreadyAnswered)
    );

    let issued = p.sign("alice", transfer(), NOW + 200).unwrap();
    phone.clock.fake.set(NOW + 200);
    let tx = challenge(&phone, issued.mosaic.clone());
    let shown = tx.details().unwrap().transaction.unwrap();
    assert_eq!(
        (
            shown.amount.as_str(),
            shown.currency.as_str(),
            shown.payee.as_str(),
            shown.iban.as_str()
        ),
        (
            "120.50",
            "EUR",
            "Boulangerie Schmit",
            "LU280019400644750000"
        )
    );
    let otp = tx.approve_with_passcode(PASSCODE.to_vec()).unwrap();
    p.verify(&issued.id, &otp, None, NOW + 210).unwrap();

    // The same mosaic read again is a replay, whichever object answers it.
    let again = challenge(&phone, issued.mosaic);
    assert_eq!(
        again.approve_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::AlreadyAnswered)
    );

    // Nothing secret reached the logger.
    let logs = phone.logs();
    assert!(!logs.contains("k7#pQ2!v") && !logs.contains(&otp), "{logs}");
}

#[test]
fn wrong_passcodes_count_down_delay_and_wipe() {
    let mut p = portal();
    let phone = Phone::new();
    activate(&mut p, &phone, "alice");
    let issued = p.login("alice", NOW).unwrap();
    let login = challenge(&phone, issued.mosaic);
    for left in [9, 8, 7] {
        assert_eq!(
            login.approve_with_passcode(b"wrong-one".to_vec()),
            Err(TesseraError::WrongPasscode {
                attempts_left: left
            })
        );
    }
    match login.approve_with_passcode(b"wrong-one".to_vec()) {
        Err(TesseraError::Locked { retry_after_secs }) => assert!(retry_after_secs >= 30),
        other => panic!("expected Locked, got {other:?}"),
    }
    // The delay survives a restart.
    let mut phone = phone;
    phone.restart();
    assert!(matches!(
        phone.auth.unlock_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::Locked { .. })
    ));
    let mut wiped = false;
    for _ in 0..20 {
        phone.clock.fake.advance(100_000);
        match phone.auth.unlock_with_passcode(b"wrong-one".to_vec()) {
            Err(TesseraError::WrongPasscode { .. }) => {}
            Err(TesseraError::Wiped) => {
                wiped = true;
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(wiped);
    assert!(matches!(
        phone.auth.status().unwrap(),
        VaultStatus::Wiped { .. }
    ));
    assert_eq!(
        phone.auth.unlock_with_passcode(PASSCODE.to_vec()).err(),
        Some(TesseraError::Wiped)
    );
    assert!(!phone.keystore.fake.has_key());

    // Start over: erase, reopen, activate again.
    erase_vault(phone.storage.clone(), phone.keystore.clone()).unwrap();
    phone.restart();
    assert_eq!(phone.auth.status().unwrap(), VaultStatus::NoVault);
    phone.clock.fake.set(NOW);
    activate(&mut p, &phone, "alice");
}

#[test]
fn biometrics_enable_cancel_invalidate() {
    let mut p = portal();
    let phone = Phone::new();
    activate(&mut p, &phone, "alice");
    let gate = Arc::new(Gate::default());

    // Biometrics not enabled yet.
    assert!(matches!(
        phone.auth.unlock_with_biometrics(gate.clone()),
        Err(TesseraError::BiometricUnavailable { .. })
    ));
    let unlocked = phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    unlocked.enable_biometrics(gate.clone()).unwrap();
    unlocked.lock().unwrap();
    assert_eq!(
        unlocked.enable_biometrics(gate.clone()),
        Err(TesseraError::UnlockRequired)
    );
    assert_eq!(ready(&phone).3, BiometricStatus::Enabled);

    let issued = p.login("alice", NOW).unwrap();
    let login = challenge(&phone, issued.mosaic);
    gate.fake.fail_with(Some(BiometricError::Cancelled));
    assert_eq!(
        login.approve_with_biometrics(gate.clone()),
        Err(TesseraError::Cancelled)
    );
    assert_eq!(ready(&phone).0, 0, "a cancel costs no attempt");
    gate.fake.fail_with(None);
    let otp = login.approve_with_biometrics(gate.clone()).unwrap();
    p.verify(&issued.id, &otp, None, NOW + 5).unwrap();

    // A biometric unlock cannot change the passcode.
    let bio = phone.auth.unlock_with_biometrics(gate.clone()).unwrap();
    assert_eq!(
        bio.change_passcode(b"n3w-Passc0de".to_vec()),
        Err(TesseraError::UnlockRequired)
    );
    drop(bio);

    gate.fake.fail_with(Some(BiometricError::KeyInvalidated));
    assert_eq!(
        phone.auth.unlock_with_biometrics(gate.clone()).err(),
        Some(TesseraError::BiometricInvalidated)
    );
    assert_eq!(ready(&phone).3, BiometricStatus::Invalidated);
    // Enabled again after a passcode unlock.
    let unlocked = phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    gate.fake.fail_with(None);
    unlocked.enable_biometrics(gate.clone()).unwrap();
    assert_eq!(ready(&phone).3, BiometricStatus::Enabled);
}

#[test]
fn a_throwing_gate_is_an_error_and_costs_an_attempt() {
    let mut p = portal();
    let phone = Phone::new();
    activate(&mut p, &phone, "alice");
    let gate = Arc::new(Gate::default());
    let unlocked = phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    unlocked.enable_biometrics(gate.clone()).unwrap();
    drop(unlocked);

    gate.throw(Some(PlatformError::Unexpected {
        reason: "java.lang.NullPointerException".into(),
    }));
    match phone.auth.unlock_with_biometrics(gate.clone()) {
        Err(TesseraError::BiometricUnavailable { reason }) => {
            assert!(reason.contains("NullPointerException"), "{reason}")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(ready(&phone).0, 1, "the failed attempt was counted");
}

#[test]
fn a_throwing_keystore_after_the_count_still_counts_the_attempt() {
    let mut p = portal();
    let phone = Phone::new();
    activate(&mut p, &phone, "alice");
    // The attempt is written, then the keystore throws while recording the
    // new generation: an error, and the attempt stays counted.
    phone
        .keystore
        .throw_on_set_generation
        .store(true, Ordering::SeqCst);
    assert!(matches!(
        phone.auth.unlock_with_passcode(b"wrong-one".to_vec()),
        Err(TesseraError::StorageFailure { .. })
    ));
    assert_eq!(ready(&phone).0, 1);
    let mut phone = phone;
    phone.restart();
    assert_eq!(ready(&phone).0, 1, "counted durably");
    phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    assert_eq!(ready(&phone).0, 0);
}

#[test]
fn storage_and_clock_failures_are_errors() {
    let mut p = portal();
    let phone = Phone::new();
    activate(&mut p, &phone, "alice");
    phone.storage.broken.store(true, Ordering::SeqCst);
    assert!(matches!(
        phone.auth.unlock_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::StorageFailure { .. })
    ));
    phone.storage.broken.store(false, Ordering::SeqCst);
    phone.clock.broken.store(true, Ordering::SeqCst);
    assert!(matches!(
        phone.auth.unlock_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::StorageFailure { .. })
    ));
    phone.clock.broken.store(false, Ordering::SeqCst);
    assert_eq!(ready(&phone).0, 0, "no attempt was made");
    phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
}

#[test]
fn challenges_for_others_expired_or_with_a_wrong_clock_are_refused() {
    let mut p = portal();
    let alice = Phone::new();
    let bob = Phone::new();
    activate(&mut p, &alice, "alice");
    activate(&mut p, &bob, "bob");
    let issued = p.login("alice", NOW).unwrap();
    assert_eq!(
        bob.auth.read(issued.mosaic.clone()).err(),
        Some(TesseraError::NotForThisDevice)
    );
    // A phone never activated.
    assert_eq!(
        Phone::new().auth.read(issued.mosaic.clone()).err(),
        Some(TesseraError::NotForThisDevice)
    );
    // The clock is an hour ahead: the portal's challenge looks wrong.
    alice.clock.fake.set(NOW + 3600);
    assert!(matches!(
        alice.auth.read(issued.mosaic.clone()),
        Err(TesseraError::ClockWrong { .. } | TesseraError::Expired)
    ));
    // Expires while the user looks at it.
    alice.clock.fake.set(NOW);
    let login = challenge(&alice, issued.mosaic);
    alice.clock.fake.set(NOW + 10_000);
    assert!(matches!(
        login.approve_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::Expired | TesseraError::ClockWrong { .. })
    ));
}

#[test]
fn activation_retries_after_a_wrong_code_or_weak_passcode() {
    let mut p = portal();
    let phone = Phone::new();
    let e = p.enroll("alice", ORIGIN, NOW).unwrap();
    let pending = activation(&phone, e.mosaic.clone());
    assert_eq!(
        pending
            .complete(PASSCODE.to_vec())
            .err()
            .map(|e| matches!(e, TesseraError::BadInput { .. })),
        Some(true)
    );
    assert_eq!(
        pending.unseal("ABCD-EFGH-JKMN-PQRS".into()).err(),
        Some(TesseraError::WrongActivationCode)
    );
    pending.unseal(e.code.display().to_string()).unwrap();
    assert!(matches!(
        pending.complete(b"123456".to_vec()),
        Err(TesseraError::WeakPasscode { .. })
    ));
    let activated = pending.complete(PASSCODE.to_vec()).unwrap();
    assert_eq!(
        pending.complete(PASSCODE.to_vec()),
        Err(TesseraError::AlreadyAnswered)
    );
    p.confirm("alice", &activated.confirmation_code, NOW + 1)
        .unwrap();
    // The same offer again: already on this device.
    let again = activation(&phone, e.mosaic);
    assert!(matches!(
        again.unseal(e.code.display().to_string()),
        Err(TesseraError::BadInput { .. })
    ));
}

#[test]
fn import_totp_and_manage_tokens() {
    let phone = Phone::new();
    let uri = b"otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8".to_vec();
    let import = match phone.auth.read(uri.clone()).unwrap() {
        ScannedRequest::Import {
            pending_import: import,
        } => import,
        other => panic!("expected an import, got {other:?}"),
    };
    assert_eq!(import.tokens().unwrap()[0].label, "Example:alice");
    assert!(matches!(
        import.import_tokens(b"123456".to_vec()),
        Err(TesseraError::WeakPasscode { .. })
    ));
    let tokens = import.import_tokens(PASSCODE.to_vec()).unwrap();
    assert_eq!(
        import.import_tokens(PASSCODE.to_vec()),
        Err(TesseraError::AlreadyAnswered)
    );
    let id = tokens[0].id;
    phone.clock.fake.set(59);
    let unlocked = phone.auth.unlock_with_passcode(PASSCODE.to_vec()).unwrap();
    let code = unlocked.code(id).unwrap();
    assert_eq!(code.code, "94287082", "RFC 6238 at T=59");
    assert_eq!(code.valid_for_secs, Some(1));
    unlocked.change_passcode(b"n3w-Passc0de".to_vec()).unwrap();
    unlocked.remove_token(id).unwrap();
    assert!(phone.auth.tokens().unwrap().is_empty());
    assert!(matches!(
        unlocked.code(id),
        Err(TesseraError::BadInput { .. })
    ));
    drop(unlocked);
    assert!(matches!(
        phone.auth.unlock_with_passcode(PASSCODE.to_vec()),
        Err(TesseraError::WrongPasscode { .. })
    ));
    phone
        .auth
        .unlock_with_passcode(b"n3w-Passc0de".to_vec())
        .unwrap();
}

#[test]
fn a_vault_without_its_device_key_is_unusable_until_erased() {
    let mut p = portal();
    let phone = Phone::new();
    activate(&mut p, &phone, "alice");
    tessera_core::platform::DeviceKeystore::delete_key(&phone.keystore.fake).unwrap();
    let open = tessera_ffi::Authenticator::new(
        phone.storage.clone(),
        phone.keystore.clone(),
        phone.clock.clone(),
        None,
        common::fast(),
    );
    assert!(matches!(open, Err(TesseraError::VaultUnusable { .. })));
    erase_vault(phone.storage.clone(), phone.keystore.clone()).unwrap();
    let mut phone = phone;
    phone.restart();
    assert_eq!(phone.auth.status().unwrap(), VaultStatus::NoVault);
}

#[test]
fn camera_frames_in_every_format_read_the_mosaic() {
    use tessera_ffi::PixelFormat;
    use tessera_ffi_testing::{TestPortal, test_mosaic_frame};
    let portal = TestPortal::new(ORIGIN.into()).unwrap();
    let phone = Phone::new();
    let mosaic = portal.enroll("alice".into(), NOW).unwrap();
    for format in [
        PixelFormat::Luma,
        PixelFormat::Yuv420,
        PixelFormat::Rgba,
        PixelFormat::Bgra,
    ] {
        let frame = test_mosaic_frame(mosaic.clone(), format).unwrap();
        match phone.auth.scan_frame(frame).unwrap() {
            Some(ScannedRequest::Activation { .. }) => {}
            other => panic!("{format:?}: {other:?}"),
        }
    }
    let code = portal.activation_code("alice".into()).unwrap();
    let Some(ScannedRequest::Activation { activation }) = phone
        .auth
        .scan_frame(test_mosaic_frame(mosaic, PixelFormat::Yuv420).unwrap())
        .unwrap()
    else {
        panic!("no activation");
    };
    activation.unseal(code).unwrap();
    let done = activation.complete(PASSCODE.to_vec()).unwrap();
    portal
        .confirm("alice".into(), done.confirmation_code, NOW + 1)
        .unwrap();
    let issued = portal.login("alice".into(), NOW + 2).unwrap();
    let login = challenge(&phone, issued.mosaic);
    let otp = login.approve_with_passcode(PASSCODE.to_vec()).unwrap();
    portal
        .verify(issued.id, "alice".into(), false, otp, NOW + 3)
        .unwrap();
}

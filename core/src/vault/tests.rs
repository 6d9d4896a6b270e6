//! The vault against the platform doubles: attempts, wipes, crashes at every
//! write, rollback, biometrics, what is stored, and what errors show.
//! Test names carry the id of the check (docs/threat-model.md) they demonstrate.

use super::attempts::MAX_FAILURES;
use super::kdf::tests::derivations;
use super::testing::{FakeBiometrics, FakeKeystore, FakePlatform, WriteFault};
use super::*;
use crate::crypto;
use crate::mosaic::Challenge;
use crate::mosaic::OtpParams;
use crate::otp::Algorithm;
use crate::otp::{OtpKey, Totp};
use crate::platform::{BiometricError, BiometricGate, DeviceKeystore, StorageError};
use crate::secret::SecretBytes;

const PASS: &[u8] = b"k7#pQ2!vCANARYPW";
const NEW_PASS: &[u8] = b"Zt9-lamp-Orbit";
/// RFC 6238's SHA-1 seed, used as a canary: it must never be stored in clear.
const SEED: &[u8] = b"12345678901234567890";
const CHALLENGE_KEY: [u8; 32] = [0xC7; 32];

fn pass() -> Passcode {
    Passcode::new(PASS.to_vec())
}

fn new_pass() -> Passcode {
    Passcode::new(NEW_PASS.to_vec())
}

fn wrong() -> Passcode {
    Passcode::new(b"wrong-passcode".to_vec())
}

fn create(fp: &FakePlatform) -> Vault {
    Vault::create(fp.platform(), VaultConfig::floor(), &pass()).unwrap()
}

/// Opens the vault again as a restarted app would (faults cleared).
fn reopen(fp: &FakePlatform) -> Result<Vault, VaultError> {
    fp.storage.revive();
    fp.keystore.clear_faults();
    Vault::open(fp.platform(), VaultConfig::floor())
}

fn totp_token() -> NewToken {
    NewToken {
        issuer: Some("Example".into()),
        account: "alice@example.com".into(),
        kind: TokenKind::Totp {
            algorithm: Algorithm::Sha1,
            digits: 8,
            period: 30,
        },
        key: OtpKey::new(SEED.to_vec()).unwrap(),
        challenge_key: None,
    }
}

fn hotp_token() -> NewToken {
    NewToken {
        issuer: None,
        account: "bob".into(),
        kind: TokenKind::Hotp {
            algorithm: Algorithm::Sha1,
            digits: 6,
            counter: 0,
        },
        key: OtpKey::new(SEED.to_vec()).unwrap(),
        challenge_key: None,
    }
}

const PORTAL_TOKEN: crate::mosaic::TokenId =
    crate::mosaic::TokenId::from_bytes([9, 8, 7, 6, 5, 4, 3, 2]);

fn mosaic_token() -> NewToken {
    NewToken {
        issuer: Some("Bank".into()),
        account: "carol".into(),
        kind: TokenKind::Mosaic(MosaicBinding {
            params: OtpParams::default(),
            portal_origin: "https://portal.example".into(),
            user_id: "carol01".into(),
            portal_token_id: PORTAL_TOKEN,
        }),
        key: OtpKey::new(SEED.to_vec()).unwrap(),
        challenge_key: Some(SecretBytes::from_slice(&CHALLENGE_KEY)),
    }
}

fn failures(v: &Vault) -> u32 {
    match v.status() {
        VaultStatus::Ready { failures, .. } => failures,
        VaultStatus::Wiped { .. } => u32::MAX,
    }
}

/// RFC 6238 Appendix B, SHA-1, T = 59.
fn assert_rfc_totp(unlocked: &UnlockedVault, id: TokenId) {
    assert_eq!(unlocked.code(id, 59).unwrap().code.as_str(), "94287082");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn vault_handles_can_cross_threads() {
    // The FFI keeps these in `Arc`s and calls them from any thread.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Vault>();
    send_sync::<UnlockedVault>();
    send_sync::<VaultError>();
}

#[test]
fn create_import_code_and_reopen() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    assert!(vault.tokens().unwrap().is_empty());
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let ids = unlocked
        .add_tokens(vec![totp_token(), hotp_token()])
        .unwrap();
    assert_eq!(ids, [TokenId(1), TokenId(2)]);
    assert_rfc_totp(&unlocked, ids[0]);
    // RFC 4226 Appendix D: counters 0 and 1.
    assert_eq!(unlocked.code(ids[1], 0).unwrap().code.as_str(), "755224");
    assert_eq!(unlocked.code(ids[1], 0).unwrap().code.as_str(), "287082");
    unlocked.lock();

    let vault = reopen(&fp).unwrap();
    let tokens = vault.tokens().unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0].label(), "Example:alice@example.com");
    assert_eq!(
        tokens[1].kind,
        TokenKind::Hotp {
            algorithm: Algorithm::Sha1,
            digits: 6,
            counter: 2
        }
    );
    assert!(matches!(
        Vault::create(fp.platform(), VaultConfig::floor(), &pass()),
        Err(VaultError::AlreadyExists)
    ));
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    // The counter survived the restart: counter 2 next.
    assert_eq!(unlocked.code(ids[1], 0).unwrap().code.as_str(), "359152");
    unlocked.remove_token(ids[1]).unwrap();
    assert_eq!(vault.tokens().unwrap().len(), 1);
    assert!(matches!(
        unlocked.code(ids[1], 0),
        Err(VaultError::UnknownToken(2))
    ));
    assert_eq!(
        Vault::open(FakePlatform::new().platform(), VaultConfig::floor()).err(),
        Some(VaultError::NotFound)
    );
}

#[test]
fn c1_policy_applies_to_create_and_change() {
    let fp = FakePlatform::new();
    assert_eq!(
        Vault::create(
            fp.platform(),
            VaultConfig::floor(),
            &Passcode::new(b"123456".to_vec())
        )
        .err(),
        Some(VaultError::PolicyViolation(PolicyViolation::Common))
    );
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    assert_eq!(
        unlocked
            .change_passcode(&Passcode::new(b"12345".to_vec()))
            .err(),
        Some(VaultError::PolicyViolation(PolicyViolation::TooShort {
            chars: 5
        }))
    );
    // A 16-character passcode and one differing only in its last character.
    unlocked
        .change_passcode(&Passcode::new(b"k7#pQ2!vL9@wX4$a".to_vec()))
        .unwrap();
    assert!(matches!(
        vault.unlock_with_passcode(&Passcode::new(b"k7#pQ2!vL9@wX4$b".to_vec())),
        Err(VaultError::WrongPasscode { .. })
    ));
    assert!(
        vault
            .unlock_with_passcode(&Passcode::new(b"k7#pQ2!vL9@wX4$a".to_vec()))
            .is_ok()
    );
}

#[test]
fn c2_ten_failures_wipe_and_the_eleventh_right_passcode_is_refused() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    unlocked.add_token(totp_token()).unwrap();
    unlocked.lock();
    let sealed = fp.storage.get(BLOB_NAME).unwrap();
    for i in 1..MAX_FAILURES {
        fp.clock.advance(10_000);
        assert_eq!(
            vault.unlock_with_passcode(&wrong()).err(),
            Some(VaultError::WrongPasscode {
                attempts_left: MAX_FAILURES - i
            })
        );
    }
    assert!(fp.keystore.has_key());
    fp.clock.advance(10_000);
    assert_eq!(
        vault.unlock_with_passcode(&wrong()).err(),
        Some(VaultError::Wiped)
    );
    // The device key is deleted (crypto-erase) and the blob is the marker.
    assert!(!fp.keystore.has_key());
    assert_eq!(fp.keystore.deletions(), 1);
    let marker = fp.storage.get(BLOB_NAME).unwrap();
    assert!(marker.len() < 20);
    assert!(matches!(vault.status(), VaultStatus::Wiped { .. }));
    // The 11th attempt, with the right passcode, now and after a restart.
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Wiped)
    );
    let vault = reopen(&fp).unwrap();
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Wiped)
    );
    assert_eq!(vault.tokens().err(), Some(VaultError::Wiped));
    // An old copy of the sealed vault is useless: its key is gone.
    fp.storage.put(BLOB_NAME, sealed);
    assert_eq!(reopen(&fp).err(), Some(VaultError::DeviceKeyLost));
    // A wiped vault can be created again (re-activation).
    let fp2 = FakePlatform::new();
    let v2 = create(&fp2);
    for _ in 0..MAX_FAILURES {
        fp2.clock.advance(10_000);
        let _ = v2.unlock_with_passcode(&wrong());
    }
    let fresh = Vault::create(fp2.platform(), VaultConfig::floor(), &new_pass()).unwrap();
    assert!(fresh.tokens().unwrap().is_empty());
    assert!(fresh.unlock_with_passcode(&new_pass()).is_ok());
}

#[test]
fn c3_c4_c6_counter_survives_restart_resets_on_success_and_delays_escalate() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    for _ in 0..3 {
        assert!(matches!(
            vault.unlock_with_passcode(&wrong()),
            Err(VaultError::WrongPasscode { .. })
        ));
    }
    // Three free failures, then 30 s, which a restart does not reset.
    let vault = reopen(&fp).unwrap();
    assert_eq!(failures(&vault), 3);
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Locked {
            retry_after_secs: 30
        })
    );
    fp.clock.advance(29);
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Locked {
            retry_after_secs: 1
        })
    );
    fp.clock.advance(1);
    assert!(matches!(
        vault.unlock_with_passcode(&wrong()),
        Err(VaultError::WrongPasscode { attempts_left: 6 })
    ));
    let vault = reopen(&fp).unwrap();
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Locked {
            retry_after_secs: 60
        })
    );
    // Setting the clock back does not shorten the delay.
    fp.clock.set(1_000);
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Locked {
            retry_after_secs: 60
        })
    );
    fp.clock.set(1_700_000_000 + 30 + 60);
    assert!(vault.unlock_with_passcode(&pass()).is_ok());
    // Success resets; the next failure starts at 1.
    assert_eq!(failures(&reopen(&fp).unwrap()), 0);
    let _ = vault.unlock_with_passcode(&wrong());
    assert_eq!(failures(&reopen(&fp).unwrap()), 1);
}

/// A fault to inject: at a storage write, or at the keystore's generation update.
#[derive(Debug, Clone, Copy)]
enum Inject {
    Write(WriteFault),
    SetGeneration,
}

const INJECTIONS: [Inject; 4] = [
    Inject::Write(WriteFault::Error),
    Inject::Write(WriteFault::CrashBeforeRename),
    Inject::Write(WriteFault::CrashAfterRename),
    Inject::SetGeneration,
];

fn inject(fp: &FakePlatform, n: u64, how: Inject) {
    match how {
        Inject::Write(fault) => fp.storage.fail_write(n, fault),
        Inject::SetGeneration => fp.keystore.fail_set_generation(n),
    }
}

fn fault_hit(fp: &FakePlatform, how: Inject) -> bool {
    match how {
        Inject::Write(_) => !fp.storage.fault_pending(),
        Inject::SetGeneration => !fp.keystore.fault_pending(),
    }
}

/// Runs `case` with a fault at the 1st, 2nd, ... write until the operation
/// completes without reaching it. Returns how many faults were hit.
fn at_every_write(mut case: impl FnMut(Inject, u64) -> bool) -> u64 {
    let mut hit = 0;
    for how in INJECTIONS {
        for n in 1.. {
            if !case(how, n) {
                break;
            }
            hit += 1;
            assert!(n < 20, "{how:?}: the operation never completes");
        }
    }
    hit
}

#[test]
fn c3_crash_at_every_write_of_unlock_never_gives_a_free_attempt() {
    for right in [false, true] {
        let hit = at_every_write(|how, n| {
            let fp = FakePlatform::new();
            let vault = create(&fp);
            vault
                .unlock_with_passcode(&pass())
                .unwrap()
                .add_token(totp_token())
                .unwrap();
            let _ = vault.unlock_with_passcode(&wrong());
            let before = failures(&vault);
            inject(&fp, n, how);
            let kdf_before = derivations();
            let attempt = if right { pass() } else { wrong() };
            let result = vault.unlock_with_passcode(&attempt);
            let kdf_ran = derivations() > kdf_before;
            if !fault_hit(&fp, how) {
                assert!(result.is_ok() == right, "{how:?} {n}: {result:?}");
                return false;
            }
            assert!(result.is_err(), "{how:?} {n}");
            let vault = reopen(&fp).unwrap();
            let after = failures(&vault);
            if kdf_ran && !right {
                assert_eq!(
                    after,
                    before + 1,
                    "{how:?} {n}: a checked attempt was not counted"
                );
            }
            if right {
                assert!(
                    [before, before + 1, 0].contains(&after),
                    "{how:?} {n}: {after}"
                );
            } else {
                assert!(
                    [before, before + 1].contains(&after),
                    "{how:?} {n}: {after}"
                );
            }
            // Never a broken vault: it still opens with the right passcode.
            let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
            assert_rfc_totp(&unlocked, TokenId(1));
            true
        });
        assert!(hit >= 4, "{hit}");
    }
}

#[test]
fn crash_at_every_write_of_change_passcode_keeps_exactly_one_passcode() {
    let hit = at_every_write(|how, n| {
        let fp = FakePlatform::new();
        let vault = create(&fp);
        let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
        unlocked.add_token(totp_token()).unwrap();
        inject(&fp, n, how);
        let result = unlocked.change_passcode(&new_pass());
        drop(unlocked);
        if !fault_hit(&fp, how) {
            result.unwrap();
            return false;
        }
        let vault = reopen(&fp).unwrap();
        let new_ok = vault.unlock_with_passcode(&new_pass());
        let old_ok = vault.unlock_with_passcode(&pass());
        assert!(
            new_ok.is_ok() != old_ok.is_ok(),
            "{how:?} {n}: {new_ok:?} {old_ok:?}"
        );
        assert_rfc_totp(&new_ok.or(old_ok).unwrap(), TokenId(1));
        true
    });
    assert!(hit >= 3, "{hit}");
}

#[test]
fn crash_at_every_write_of_import_gives_all_or_nothing() {
    let hit = at_every_write(|how, n| {
        let fp = FakePlatform::new();
        let vault = create(&fp);
        let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
        inject(&fp, n, how);
        let result = unlocked.add_tokens(vec![totp_token(), hotp_token()]);
        drop(unlocked);
        if !fault_hit(&fp, how) {
            result.unwrap();
            return false;
        }
        let vault = reopen(&fp).unwrap();
        let count = vault.tokens().unwrap().len();
        assert!(count == 0 || count == 2, "{how:?} {n}: {count}");
        let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
        if count == 2 {
            assert_rfc_totp(&unlocked, TokenId(1));
        }
        true
    });
    assert!(hit >= 3, "{hit}");
}

#[test]
fn c19_hotp_counter_is_persisted_before_the_code_is_returned() {
    let hit = at_every_write(|how, n| {
        let fp = FakePlatform::new();
        let vault = create(&fp);
        let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
        let id = unlocked.add_token(hotp_token()).unwrap();
        inject(&fp, n, how);
        let result = unlocked.code(id, 0);
        drop(unlocked);
        if !fault_hit(&fp, how) {
            assert_eq!(result.unwrap().code.as_str(), "755224");
            return false;
        }
        let vault = reopen(&fp).unwrap();
        let TokenKind::Hotp { counter, .. } = vault.tokens().unwrap()[0].kind else {
            panic!("not hotp");
        };
        match result {
            // A code was shown: its counter is used up for good.
            Ok(code) => {
                assert_eq!(code.code.as_str(), "755224");
                assert_eq!(counter, 1, "{how:?} {n}");
            }
            // No code: the counter may or may not have moved.
            Err(_) => assert!(counter <= 1),
        }
        let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
        let next = unlocked.code(id, 0).unwrap();
        assert_eq!(next.counter, counter);
        true
    });
    assert!(hit >= 3);
    // And directly: a failing write, no code.
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let id = unlocked.add_token(hotp_token()).unwrap();
    fp.storage.fail_write(1, WriteFault::Error);
    assert!(matches!(unlocked.code(id, 0), Err(VaultError::Storage(_))));
    assert_eq!(unlocked.code(id, 0).unwrap().counter, 0);
}

#[test]
fn c5_rollback_to_an_older_copy_is_detected() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let snapshot = fp.storage.get(BLOB_NAME).unwrap();
    for _ in 0..3 {
        let _ = vault.unlock_with_passcode(&wrong());
    }
    // Restore the copy from before the failures (a backup restore).
    fp.storage.put(BLOB_NAME, snapshot);
    assert!(matches!(reopen(&fp), Err(VaultError::RolledBack { .. })));
    // A storage layer that serves an old copy is caught the same way.
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let _ = vault.unlock_with_passcode(&wrong());
    fp.storage.serve_old_copy(BLOB_NAME, 1);
    assert!(matches!(
        Vault::open(fp.platform(), VaultConfig::floor()),
        Err(VaultError::RolledBack { .. })
    ));
}

#[test]
fn corrupted_vault_is_reported_and_not_overwritten() {
    let fp = FakePlatform::new();
    create(&fp);
    let len = fp.storage.get(BLOB_NAME).unwrap().len();
    for index in [0, 4, 5, 6, len / 2, len - 1] {
        let fp2 = FakePlatform::new();
        create(&fp2);
        fp2.storage.corrupt(BLOB_NAME, index);
        let damaged = fp2.storage.get(BLOB_NAME).unwrap();
        let writes = fp2.storage.writes();
        let err = reopen(&fp2).unwrap_err();
        assert!(
            matches!(
                err,
                VaultError::Corrupted(_) | VaultError::UnsupportedVersion(_)
            ),
            "{index}: {err:?}"
        );
        assert!(matches!(
            Vault::create(fp2.platform(), VaultConfig::floor(), &pass()),
            Err(VaultError::AlreadyExists)
        ));
        assert_eq!(fp2.storage.writes(), writes);
        assert_eq!(fp2.storage.get(BLOB_NAME).unwrap(), damaged);
    }
}

#[test]
fn c8_without_the_device_key_the_passcode_recovers_nothing() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    vault
        .unlock_with_passcode(&pass())
        .unwrap()
        .add_token(totp_token())
        .unwrap();
    fp.keystore.set_unavailable(true);
    assert!(matches!(
        reopen(&fp),
        Err(VaultError::KeystoreUnavailable(_))
    ));
    // An open vault cannot count an attempt without the keystore, so it
    // does not check the passcode either.
    assert!(vault.unlock_with_passcode(&pass()).is_err());
    fp.keystore.set_unavailable(false);
    // A copy on another device (another keystore) opens nothing.
    let other = FakePlatform::new();
    other
        .storage
        .put(BLOB_NAME, fp.storage.get(BLOB_NAME).unwrap());
    assert_eq!(reopen(&other).err(), Some(VaultError::DeviceKeyLost));
    other.keystore.create_key().unwrap();
    assert!(matches!(reopen(&other), Err(VaultError::Corrupted(_))));
}

#[test]
fn c12_biometric_bytes_must_open_the_slot() {
    let fp = FakePlatform::new();
    let bio = FakeBiometrics::new();
    let vault = create(&fp);
    assert_eq!(
        vault.unlock_with_biometrics(&bio).err(),
        Some(VaultError::BiometricNotEnabled)
    );
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let id = unlocked.add_token(totp_token()).unwrap();
    unlocked.enable_biometrics(&bio).unwrap();
    unlocked.lock();
    let by_bio = vault.unlock_with_biometrics(&bio).unwrap();
    assert_eq!(by_bio.method(), UnlockMethod::Biometrics);
    assert_rfc_totp(&by_bio, id);
    // Biometrics cannot change the passcode or re-enrol biometrics.
    assert_eq!(
        by_bio.change_passcode(&new_pass()).err(),
        Some(VaultError::PasscodeRequired)
    );
    assert_eq!(
        by_bio.enable_biometrics(&bio).err(),
        Some(VaultError::PasscodeRequired)
    );
    by_bio.lock();
    // "Success" with the wrong bytes unlocks nothing and costs an attempt.
    bio.return_wrong_bytes(true);
    assert_eq!(
        vault.unlock_with_biometrics(&bio).err(),
        Some(VaultError::BiometricMismatch {
            attempts_left: MAX_FAILURES - 1
        })
    );
    assert_eq!(failures(&reopen(&fp).unwrap()), 1);
    bio.return_wrong_bytes(false);
    // Cancel and lockout cost nothing; a platform failure counts (C32).
    bio.fail_with(Some(BiometricError::Cancelled));
    assert_eq!(
        vault.unlock_with_biometrics(&bio).err(),
        Some(VaultError::BiometricCancelled)
    );
    bio.fail_with(Some(BiometricError::Lockout));
    assert_eq!(
        vault.unlock_with_biometrics(&bio).err(),
        Some(VaultError::BiometricLockout)
    );
    assert_eq!(failures(&vault), 1);
    bio.fail_with(Some(BiometricError::Platform("boom".into())));
    assert!(matches!(
        vault.unlock_with_biometrics(&bio),
        Err(VaultError::BiometricPlatform(_))
    ));
    assert_eq!(failures(&vault), 2);
    bio.fail_with(None);
    assert!(vault.unlock_with_biometrics(&bio).is_ok());
    assert_eq!(failures(&vault), 0);
}

#[test]
fn c13_invalidated_biometric_key_falls_back_to_the_passcode() {
    let fp = FakePlatform::new();
    let bio = FakeBiometrics::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let id = unlocked.add_token(totp_token()).unwrap();
    unlocked.enable_biometrics(&bio).unwrap();
    unlocked.lock();
    bio.fail_with(Some(BiometricError::KeyInvalidated));
    assert_eq!(
        vault.unlock_with_biometrics(&bio).err(),
        Some(VaultError::BiometricInvalidated)
    );
    // The slot is gone, durably; the platform is not even asked again.
    let vault = reopen(&fp).unwrap();
    assert!(matches!(
        vault.status(),
        VaultStatus::Ready {
            biometrics: BiometricState::Invalidated,
            ..
        }
    ));
    bio.fail_with(None);
    let prompts = bio.prompts();
    assert_eq!(
        vault.unlock_with_biometrics(&bio).err(),
        Some(VaultError::BiometricInvalidated)
    );
    assert_eq!(bio.prompts(), prompts);
    assert_eq!(bio.enrolments(), 1);
    // The passcode still works, and only then can biometrics be rebuilt.
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    assert_rfc_totp(&unlocked, id);
    unlocked.enable_biometrics(&bio).unwrap();
    assert_eq!(bio.enrolments(), 2);
    unlocked.lock();
    assert!(vault.unlock_with_biometrics(&bio).is_ok());
}

#[test]
fn stored_bytes_contain_no_secret() {
    let fp = FakePlatform::new();
    fp.keystore.record_plaintexts(true);
    let bio = FakeBiometrics::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    unlocked
        .add_tokens(vec![totp_token(), mosaic_token()])
        .unwrap();
    unlocked.enable_biometrics(&bio).unwrap();
    unlocked.code(TokenId(1), 59).unwrap();
    unlocked.change_passcode(&new_pass()).unwrap();
    let stored = fp.storage.history(BLOB_NAME);
    assert!(stored.len() >= 5);
    for blob in &stored {
        for secret in [SEED, PASS, NEW_PASS, &CHALLENGE_KEY[..], b"alice"] {
            assert!(!contains(blob, secret), "a stored blob contains a secret");
        }
    }
    // Inside the device layer: labels and challenge keys are there (they are
    // readable without the passcode), OTP keys and passcodes are not.
    let inner = fp.keystore.plaintexts();
    assert!(inner.iter().any(|p| contains(p, b"alice@example.com")));
    assert!(inner.iter().any(|p| contains(p, &CHALLENGE_KEY)));
    for plain in &inner {
        for secret in [SEED, PASS, NEW_PASS] {
            assert!(
                !contains(plain, secret),
                "the inner layer contains a secret"
            );
        }
    }
}

#[test]
fn c9_kdf_parameters_below_the_floor_are_refused_and_raised_on_unlock() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    // A downgraded slot (as an attacker with the device key could write).
    {
        let mut inner = vault.lock();
        let mut next = inner.body().unwrap().clone();
        next.passcode_slot.kdf.iterations = 1;
        inner.persist(next).unwrap();
    }
    let vault = reopen(&fp).unwrap();
    let kdf_before = derivations();
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::WeakKdfParameters {
            memory_kib: 19 * 1024,
            iterations: 1,
            parallelism: 1
        })
    );
    assert_eq!(derivations(), kdf_before);
    assert_eq!(failures(&vault), 0);
    // Salt: 16 random bytes, different for every slot.
    let fp = FakePlatform::new();
    let a = create(&fp);
    let b = create(&FakePlatform::new());
    let salt = |v: &Vault| v.lock().body().unwrap().passcode_slot.salt.0.clone();
    assert_eq!(salt(&a).len(), 16);
    assert_ne!(salt(&a), salt(&b));
    // Stronger parameters are applied at the next successful unlock.
    let target = KdfParams {
        iterations: 3,
        ..KdfParams::FLOOR
    };
    let config = VaultConfig {
        upgrade_kdf_to: Some(target),
        ..VaultConfig::floor()
    };
    let vault = Vault::open(fp.platform(), config).unwrap();
    let _ = vault.unlock_with_passcode(&wrong());
    assert_eq!(
        vault.lock().body().unwrap().passcode_slot.kdf,
        KdfParams::FLOOR
    );
    vault.unlock_with_passcode(&pass()).unwrap();
    let vault = reopen(&fp).unwrap();
    assert_eq!(vault.lock().body().unwrap().passcode_slot.kdf, target);
    assert!(vault.unlock_with_passcode(&pass()).is_ok());
}

#[test]
fn c25_answered_nonces_are_refused_bounded_and_survive_restart() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let id = unlocked.add_token(mosaic_token()).unwrap();
    let totp = unlocked.add_token(totp_token()).unwrap();
    // The challenge key is readable while locked; the OTP key is not exposed.
    unlocked.lock();
    assert_eq!(vault.challenge_key(id).unwrap().expose(), &CHALLENGE_KEY);
    assert!(matches!(
        vault.challenge_key(totp),
        Err(VaultError::WrongTokenKind { .. })
    ));
    vault.record_answered(id, b"nonce-1").unwrap();
    assert_eq!(
        vault.record_answered(id, b"nonce-1").err(),
        Some(VaultError::AlreadyAnswered)
    );
    let vault = reopen(&fp).unwrap();
    assert_eq!(
        vault.record_answered(id, b"nonce-1").err(),
        Some(VaultError::AlreadyAnswered)
    );
    // Responses record the nonce first: the same OTP as the protocol's own
    // computation with the token's key, once.
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let challenge = Challenge {
        token_id: PORTAL_TOKEN,
        nonce: [2; 12],
        origin: "https://portal.example".into(),
        user_id: "carol01".into(),
        issued_at: 1_000,
        expires_at: 1_100,
        transaction: None,
    };
    let expected = crate::mosaic::respond(&challenge, SEED, OtpParams::default()).unwrap();
    assert_eq!(
        unlocked.respond(id, &challenge).unwrap().as_str(),
        expected.as_str()
    );
    assert_eq!(
        unlocked.respond(id, &challenge).err(),
        Some(VaultError::AlreadyAnswered)
    );
    assert_eq!(
        vault
            .find_mosaic_token(&PORTAL_TOKEN)
            .unwrap()
            .map(|t| t.id),
        Some(id)
    );
    // A challenge naming another portal or user is refused, unrecorded.
    for other in [
        Challenge {
            origin: "https://evil.example".into(),
            nonce: [3; 12],
            ..challenge.clone()
        },
        Challenge {
            user_id: "mallory".into(),
            nonce: [3; 12],
            ..challenge.clone()
        },
    ] {
        assert!(matches!(
            unlocked.respond(id, &other),
            Err(VaultError::InvalidToken(_))
        ));
    }
    unlocked
        .respond(
            id,
            &Challenge {
                nonce: [3; 12],
                ..challenge.clone()
            },
        )
        .unwrap();
    assert!(matches!(
        unlocked.code(id, 0),
        Err(VaultError::WrongTokenKind { .. })
    ));
    // Bounded: the oldest are forgotten.
    let config = VaultConfig {
        max_answered: 3,
        ..VaultConfig::floor()
    };
    let vault = Vault::open(fp.platform(), config).unwrap();
    for i in 0..5u8 {
        vault.record_answered(id, &[b'n', i]).unwrap();
    }
    assert_eq!(vault.lock().body().unwrap().answered.len(), 3);
    vault.record_answered(id, &[b'n', 0]).unwrap();
    assert_eq!(
        vault.record_answered(id, &[b'n', 4]).err(),
        Some(VaultError::AlreadyAnswered)
    );
}

#[test]
fn c22_totp_flags_a_clock_that_went_back() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let id = unlocked.add_token(totp_token()).unwrap();
    let first = unlocked.code(id, 1_000_000).unwrap();
    assert!(!first.clock_went_back);
    assert_eq!(first.valid_for_secs, Some(20));
    assert!(!unlocked.code(id, 1_000_001).unwrap().clock_went_back);
    let back = unlocked.code(id, 999_000).unwrap();
    assert!(back.clock_went_back);
    // Remembered across restarts.
    drop(unlocked);
    let vault = reopen(&fp).unwrap();
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    assert!(unlocked.code(id, 999_900).unwrap().clock_went_back);
    assert!(!unlocked.code(id, 1_000_030).unwrap().clock_went_back);
}

#[test]
fn tokens_are_validated() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let mut t = totp_token();
    t.kind = TokenKind::Totp {
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 121,
    };
    assert!(matches!(
        unlocked.add_token(t),
        Err(VaultError::InvalidToken(_))
    ));
    let mut m = mosaic_token();
    m.challenge_key = None;
    assert!(matches!(
        unlocked.add_token(m),
        Err(VaultError::InvalidToken(_))
    ));
    let mut l = hotp_token();
    l.account = "x\u{202e}".repeat(200);
    assert!(matches!(
        unlocked.add_token(l),
        Err(VaultError::InvalidToken(_))
    ));
    // C27: labels that would render as something else are refused, whatever
    // path the token came by.
    for (issuer, account) in [
        (None, "alice\u{202E}moc.elgoog"),
        (Some("Bank\u{2066}"), "alice"),
        (Some("Bank"), "ali\u{200B}ce"),
        (None, "alice\nmallory"),
    ] {
        let mut t = hotp_token();
        t.issuer = issuer.map(str::to_owned);
        t.account = account.to_owned();
        assert!(
            matches!(unlocked.add_token(t), Err(VaultError::InvalidToken(_))),
            "{issuer:?} {account:?}"
        );
    }
    let mut rtl = hotp_token();
    rtl.issuer = Some("بنك".into());
    rtl.account = "שלום".into();
    let rtl_id = unlocked.add_token(rtl).unwrap();
    unlocked.remove_token(rtl_id).unwrap();
    // Nothing was added by the failed calls.
    assert!(vault.tokens().unwrap().is_empty());
}

/// Every variant, so that adding one without checking its message fails to compile.
fn every_error() -> Vec<VaultError> {
    let all = vec![
        VaultError::NotFound,
        VaultError::AlreadyExists,
        VaultError::WrongPasscode { attempts_left: 3 },
        VaultError::Locked {
            retry_after_secs: 30,
        },
        VaultError::Wiped,
        VaultError::DeviceKeyLost,
        VaultError::RolledBack {
            found: 1,
            expected: 2,
        },
        VaultError::Corrupted("x".into()),
        VaultError::UnsupportedVersion(9),
        VaultError::Storage(StorageError::io("write", "disk full")),
        VaultError::KeystoreUnavailable("locked".into()),
        VaultError::BiometricCancelled,
        VaultError::BiometricLockout,
        VaultError::BiometricInvalidated,
        VaultError::BiometricMismatch { attempts_left: 2 },
        VaultError::BiometricPlatform("x".into()),
        VaultError::BiometricNotEnabled,
        VaultError::PasscodeRequired,
        VaultError::PolicyViolation(PolicyViolation::Common),
        VaultError::WeakKdfParameters {
            memory_kib: 1,
            iterations: 1,
            parallelism: 1,
        },
        VaultError::UnknownToken(1),
        VaultError::WrongTokenKind {
            id: 1,
            kind: "hotp",
            operation: "x",
        },
        VaultError::InvalidToken("x".into()),
        VaultError::AlreadyAnswered,
        VaultError::CounterExhausted,
        VaultError::TooManyTokens(1),
        VaultError::ChangedElsewhere,
        VaultError::Crypto("x"),
    ];
    for e in &all {
        match e {
            VaultError::NotFound
            | VaultError::AlreadyExists
            | VaultError::WrongPasscode { .. }
            | VaultError::Locked { .. }
            | VaultError::Wiped
            | VaultError::DeviceKeyLost
            | VaultError::RolledBack { .. }
            | VaultError::Corrupted(_)
            | VaultError::UnsupportedVersion(_)
            | VaultError::Storage(_)
            | VaultError::KeystoreUnavailable(_)
            | VaultError::BiometricCancelled
            | VaultError::BiometricLockout
            | VaultError::BiometricInvalidated
            | VaultError::BiometricMismatch { .. }
            | VaultError::BiometricPlatform(_)
            | VaultError::BiometricNotEnabled
            | VaultError::PasscodeRequired
            | VaultError::PolicyViolation(_)
            | VaultError::WeakKdfParameters { .. }
            | VaultError::UnknownToken(_)
            | VaultError::WrongTokenKind { .. }
            | VaultError::InvalidToken(_)
            | VaultError::AlreadyAnswered
            | VaultError::CounterExhausted
            | VaultError::TooManyTokens(_)
            | VaultError::ChangedElsewhere
            | VaultError::Crypto(_) => {}
        }
    }
    all
}

#[test]
fn c35_errors_and_debug_never_show_secrets() {
    // Every error the flows below produce, plus one of every variant.
    let mut shown = Vec::new();
    for e in every_error() {
        assert!(!e.to_string().is_empty());
        assert!(e.to_string().starts_with(|c: char| c.is_lowercase()), "{e}");
        shown.push(format!("{e} {e:?}"));
    }
    let fp = FakePlatform::new();
    let bio = FakeBiometrics::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let id = unlocked.add_token(totp_token()).unwrap();
    let m = unlocked.add_token(mosaic_token()).unwrap();
    unlocked.enable_biometrics(&bio).unwrap();
    let code = unlocked.code(id, 59).unwrap();
    shown.push(format!(
        "{vault:?} {unlocked:?} {code:?} {:?} {:?} {:?}",
        vault.tokens().unwrap(),
        vault.challenge_key(m).unwrap(),
        pass(),
    ));
    let mut errors = vec![
        vault.unlock_with_passcode(&wrong()).unwrap_err(),
        unlocked
            .change_passcode(&Passcode::new(b"123456".to_vec()))
            .unwrap_err(),
        unlocked.code(m, 59).unwrap_err(),
        unlocked.code(TokenId(99), 59).unwrap_err(),
    ];
    let mut bad = totp_token();
    bad.kind = TokenKind::Totp {
        algorithm: Algorithm::Sha1,
        digits: 9,
        period: 30,
    };
    errors.push(unlocked.add_token(bad).unwrap_err());
    fp.storage.corrupt(BLOB_NAME, 40);
    errors.push(reopen(&fp).unwrap_err());
    for e in &errors {
        shown.push(format!("{e} {e:?}"));
    }
    let all = shown.join("\n");
    let seed_b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    for canary in [
        "CANARYPW",
        "12345678901234567890",
        seed_b32,
        "94287082",
        "c7c7c7",
    ] {
        assert!(!all.contains(canary), "{canary} in:\n{all}");
    }
    assert!(all.contains("[REDACTED]"));
}

/// A clock set back (or reset) after failures delays the next attempt by
/// one delay from the new time, not until the clock catches up again.
#[test]
fn a_clock_set_back_delays_once_not_forever() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    for _ in 0..4 {
        let _ = vault.unlock_with_passcode(&wrong());
        fp.clock.advance(3600);
    }
    fp.clock.set(1_000);
    assert!(matches!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Locked {
            retry_after_secs: 60
        })
    ));
    // The reset time survives a restart.
    let vault = reopen(&fp).unwrap();
    fp.clock.set(1_059);
    assert!(matches!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Locked {
            retry_after_secs: 1
        })
    ));
    fp.clock.set(1_060);
    assert!(vault.unlock_with_passcode(&pass()).is_ok());
}

/// Review finding: byte strings over 4 KiB (a big secrets table, or a few
/// 1 KiB keys from a crafted export) must survive a reopen.
#[test]
fn a_large_vault_reopens() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let mut tokens: Vec<NewToken> = (0..200)
        .map(|i| NewToken {
            account: format!("user{i}@example.com"),
            key: OtpKey::new(vec![i as u8; 64]).unwrap(),
            ..totp_token()
        })
        .collect();
    tokens.extend((0..5).map(|i| NewToken {
        account: format!("big{i}"),
        key: OtpKey::import(vec![0xA0 + i as u8; OtpKey::MAX_BYTES]).unwrap(),
        ..totp_token()
    }));
    let ids = unlocked.add_tokens(tokens).unwrap();
    drop(unlocked);
    let vault = reopen(&fp).unwrap();
    assert_eq!(vault.tokens().unwrap().len(), 205);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let last = *ids.last().unwrap();
    let expected = Totp::new(
        OtpKey::import(vec![0xA4; OtpKey::MAX_BYTES]).unwrap(),
        Algorithm::Sha1,
        8,
        30,
        0,
    )
    .unwrap()
    .generate(59)
    .unwrap();
    assert_eq!(
        unlocked.code(last, 59).unwrap().code.as_str(),
        expected.as_str()
    );
}

/// Review finding: a KDF upgrade that cannot be applied must not turn a
/// correct passcode into a counted failure, and never lowers a parameter.
#[test]
fn a_bad_kdf_upgrade_costs_no_attempt() {
    let fp = FakePlatform::new();
    create(&fp);
    let config = VaultConfig {
        upgrade_kdf_to: Some(KdfParams {
            memory_kib: u32::MAX,
            ..KdfParams::FLOOR
        }),
        ..VaultConfig::floor()
    };
    let vault = Vault::open(fp.platform(), config).unwrap();
    for _ in 0..12 {
        assert!(vault.unlock_with_passcode(&pass()).is_ok());
    }
    assert_eq!(failures(&vault), 0);
    let stronger = KdfParams {
        memory_kib: 16 * 1024,
        iterations: 3,
        parallelism: 1,
    };
    assert_eq!(
        KdfParams::FLOOR.stronger_of(&stronger),
        KdfParams {
            memory_kib: 19 * 1024,
            iterations: 3,
            parallelism: 1
        }
    );
}

/// Review finding: a wipe marker written into storage by someone else does
/// not make the vault delete the device key; a real wipe interrupted after
/// the keystore recorded it is finished on the next start.
#[test]
fn only_a_wipe_the_keystore_recorded_erases_the_key() {
    let fp = FakePlatform::new();
    create(&fp);
    let sealed = fp.storage.get(BLOB_NAME).unwrap();
    fp.storage.put(BLOB_NAME, format::wiped_blob(5));
    assert!(matches!(reopen(&fp), Err(VaultError::Corrupted(_))));
    assert!(fp.keystore.has_key());
    // Put the real vault back: it opens, nothing was lost.
    fp.storage.put(BLOB_NAME, sealed);
    let vault = reopen(&fp).unwrap();
    assert!(vault.unlock_with_passcode(&pass()).is_ok());
    // Interrupted wipe: the keystore says wiped, the blob is still sealed.
    fp.keystore.set_generation(u64::MAX).unwrap();
    let vault = reopen(&fp).unwrap();
    assert!(matches!(vault.status(), VaultStatus::Wiped { .. }));
    assert!(!fp.keystore.has_key());
    assert_eq!(
        vault.unlock_with_passcode(&pass()).err(),
        Some(VaultError::Wiped)
    );
}

/// The review's scenario (finding H1): code running as the app unwraps the
/// body once with the device key and then tests passcode guesses anywhere.
/// With the slot bound to the hardware MAC, even the right passcode does not
/// open the slot without the device.
#[test]
fn h1_one_unwrap_gives_no_offline_passcode_oracle() {
    let fp = FakePlatform::new();
    create(&fp);
    // Everything exportable plus one unwrap.
    let blob = fp.storage.get(BLOB_NAME).unwrap();
    let Ok(format::Blob::Sealed(wrapped)) = format::parse_blob(&blob) else {
        panic!("a sealed blob");
    };
    let plain = fp.keystore.unwrap(wrapped).unwrap();
    let body = format::decode_body(&plain).unwrap();
    let slot = body.passcode_slot;
    assert!(slot.hardware_bound);
    let macs = fp.keystore.hardware_macs();
    // Offline: Argon2id of the right passcode with the stored salt and
    // parameters, then the slot's AEAD; no device.
    let offline = |guess: &[u8]| {
        let kek = kdf::derive(guess, &slot.salt.0, &slot.kdf).unwrap();
        crypto::open(
            kek.expose(),
            b"tessera/vault/slot/passcode/v1",
            &slot.wrapped.0,
        )
        .is_ok()
    };
    assert!(!offline(PASS), "the right passcode tested offline");
    assert!(!offline(b"wrong-passcode"));
    assert_eq!(fp.keystore.hardware_macs(), macs);
}

/// Every passcode guess the vault tests costs exactly one hardware MAC, and
/// a refused attempt (delay) costs none.
#[test]
fn h1_each_passcode_guess_costs_one_hardware_operation() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let start = fp.keystore.hardware_macs();
    for n in 1..=3 {
        assert!(matches!(
            vault.unlock_with_passcode(&wrong()),
            Err(VaultError::WrongPasscode { .. })
        ));
        assert_eq!(fp.keystore.hardware_macs(), start + n);
    }
    // Three failures: the next attempt waits, and tests nothing.
    assert!(matches!(
        vault.unlock_with_passcode(&pass()),
        Err(VaultError::Locked { .. })
    ));
    assert_eq!(fp.keystore.hardware_macs(), start + 3);
    fp.clock.advance(31);
    vault.unlock_with_passcode(&pass()).unwrap();
    assert_eq!(fp.keystore.hardware_macs(), start + 4);
}

/// A platform fault before a guess could be tested gives the attempt back.
#[test]
fn a_failing_hardware_mac_costs_no_attempt() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    vault.unlock_with_passcode(&wrong()).unwrap_err();
    fp.keystore.fail_hardware_mac(true);
    for _ in 0..3 {
        assert!(matches!(
            vault.unlock_with_passcode(&pass()),
            Err(VaultError::KeystoreUnavailable(_))
        ));
    }
    assert!(matches!(
        vault.status(),
        VaultStatus::Ready { failures: 1, .. }
    ));
    fp.keystore.fail_hardware_mac(false);
    vault.unlock_with_passcode(&pass()).unwrap();
    assert!(matches!(
        vault.status(),
        VaultStatus::Ready { failures: 0, .. }
    ));
}

/// A slot written before the hardware MAC existed still opens, and the
/// unlock rebinds it in the same write.
#[test]
fn slots_from_before_the_hardware_mac_are_rebound_at_unlock() {
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    {
        let mut inner = vault.lock();
        let mut body = inner.body().unwrap().clone();
        let kek = kdf::derive(PASS, &body.passcode_slot.salt.0, &body.passcode_slot.kdf).unwrap();
        body.passcode_slot.wrapped = format::Bytes(
            crypto::seal(
                kek.expose(),
                b"tessera/vault/slot/passcode/v1",
                unlocked.vault_key.expose(),
                &crypto::SystemRandom::new(),
            )
            .unwrap(),
        );
        body.passcode_slot.hardware_bound = false;
        inner.persist(body).unwrap();
    }
    drop(unlocked);
    let vault = reopen(&fp).unwrap();
    let macs = fp.keystore.hardware_macs();
    vault.unlock_with_passcode(&pass()).unwrap();
    assert!(vault.lock().body().unwrap().passcode_slot.hardware_bound);
    // The rebinding ran the MAC once; the old slot's open did not.
    assert_eq!(fp.keystore.hardware_macs(), macs + 1);
    let vault = reopen(&fp).unwrap();
    vault.unlock_with_passcode(&pass()).unwrap();
}

/// Rollback where the generation lives in a file a backup restores (as on
/// Android): restoring any older pair of vault blob and generation brings
/// back attempts with a plain keystore, and opens nothing with a rotating
/// one (a new wrapping key per write, the older ones destroyed).
#[test]
fn c5_restoring_any_older_blob_and_generation_pair_fails_with_a_rotating_keystore() {
    for rotating in [false, true] {
        let fp = FakePlatform {
            keystore: if rotating {
                FakeKeystore::rotating()
            } else {
                FakeKeystore::new()
            },
            ..FakePlatform::new()
        };
        let vault = create(&fp);
        let mut pairs = vec![(
            fp.storage.get(BLOB_NAME).unwrap(),
            fp.keystore.current_generation(),
        )];
        for _ in 0..3 {
            vault.unlock_with_passcode(&wrong()).unwrap_err();
            pairs.push((
                fp.storage.get(BLOB_NAME).unwrap(),
                fp.keystore.current_generation(),
            ));
        }
        let (latest, generation) = pairs.pop().unwrap();
        drop(vault);
        for (blob, older) in pairs {
            fp.storage.put(BLOB_NAME, blob);
            fp.keystore.restore_generation(older);
            let reopened = reopen(&fp);
            if rotating {
                assert!(
                    matches!(reopened, Err(VaultError::Corrupted(_))),
                    "generation {older}: {reopened:?}"
                );
            } else {
                // The attack the rotation defeats: fewer failures are back.
                let VaultStatus::Ready { failures, .. } = reopened.unwrap().status() else {
                    panic!("ready");
                };
                assert!(failures < 3);
            }
        }
        // The latest pair still opens, with its three failures.
        fp.storage.put(BLOB_NAME, latest);
        fp.keystore.restore_generation(generation);
        assert!(matches!(
            reopen(&fp).unwrap().status(),
            VaultStatus::Ready { failures: 3, .. }
        ));
    }
}

/// Two instances over one storage (an app and its extension): every
/// attempt of either is counted, and a stale instance never writes over
/// the newer vault (review finding: N instances gave N × 10 tries).
#[test]
fn two_instances_over_one_storage_count_every_attempt() {
    let fp = FakePlatform::new();
    let a = create(&fp);
    let b = reopen(&fp).unwrap();
    for (n, vault) in [&a, &b, &a].into_iter().enumerate() {
        assert!(
            matches!(
                vault.unlock_with_passcode(&wrong()),
                Err(VaultError::WrongPasscode { attempts_left }) if attempts_left == 9 - n as u32
            ),
            "attempt {n}"
        );
    }
    fp.clock.advance(31);
    assert!(matches!(
        b.unlock_with_passcode(&wrong()),
        Err(VaultError::WrongPasscode { attempts_left: 6 })
    ));
    assert!(matches!(
        reopen(&fp).unwrap().status(),
        VaultStatus::Ready { failures: 4, .. }
    ));
    // A write racing another instance's is refused, not lost: the instance
    // reloads and the next call works on the newer vault.
    let stale_state = b.lock().body().unwrap().clone();
    fp.clock.advance(61);
    a.unlock_with_passcode(&pass()).unwrap();
    {
        let mut inner = crate::sync::lock(&b.inner);
        inner.state = super::locked::State::Active(Box::new(stale_state));
        let mut next = inner.body().unwrap().clone();
        next.attempts.failures += 1;
        assert_eq!(inner.persist(next), Err(VaultError::ChangedElsewhere));
        assert_eq!(inner.body().unwrap().attempts.failures, 0);
    }
    assert!(matches!(b.status(), VaultStatus::Ready { failures: 0, .. }));
}

/// A biometric gate whose prompt calls back into the vault (a shell that
/// refreshes its screen from `status` while the prompt is open): the
/// prompt runs with the vault unlocked, so this completes instead of
/// deadlocking, and `status` is not stuck behind the prompt.
#[test]
fn a_biometric_prompt_does_not_hold_the_vault() {
    struct CallsBack {
        vault: Vault,
        fake: FakeBiometrics,
    }
    impl BiometricGate for CallsBack {
        fn enroll(&self, slot_key: &[u8]) -> Result<Vec<u8>, BiometricError> {
            self.fake.enroll(slot_key)
        }
        fn unlock(&self, blob: &[u8]) -> Result<Vec<u8>, BiometricError> {
            let _ = self.vault.status();
            self.fake.unlock(blob)
        }
    }
    let fp = FakePlatform::new();
    let vault = create(&fp);
    let fake = FakeBiometrics::new();
    vault
        .unlock_with_passcode(&pass())
        .unwrap()
        .enable_biometrics(&fake)
        .unwrap();
    let gate = CallsBack {
        vault: vault.clone(),
        fake,
    };
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let unlocked = vault.unlock_with_biometrics(&gate).map(|u| u.method());
        let _ = done.send(unlocked);
    });
    let outcome = finished
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the biometric unlock deadlocked");
    assert_eq!(outcome, Ok(UnlockMethod::Biometrics));
}

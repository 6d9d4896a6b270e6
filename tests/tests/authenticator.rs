//! `core::authenticator`, the facade the apps and the CLI use, over the
//! platform doubles (`FakePlatform`, `FakeBiometrics`) with the reference
//! portal on the other side: activation, login and transaction approval,
//! and every refusal the app has to show.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use tessera_core::authenticator::{
    ActivationRequest, AuthError, Authenticator, AuthenticatorConfig, ChallengeRequest, Request,
};
use tessera_core::mosaic::{MosaicError, MosaicKind, Transaction};
use tessera_core::platform::BiometricError;
use tessera_core::scan::Frame;
use tessera_core::secret::OtpCode;
use tessera_core::vault::testing::{FakeBiometrics, FakePlatform};
use tessera_core::vault::{
    BLOB_NAME, BiometricState, Passcode, TokenKind, VaultConfig, VaultError, VaultStatus,
};
use tessera_portal::{Portal, PortalConfig, SqliteStore};
use tessera_tests::frames::{Rgb, draw_qr, mono};

const ORIGIN: &str = "https://portal.example.lu";
const PASS: &str = "k7#pQ2!vCanary";

fn passcode(text: &str) -> Passcode {
    Passcode::new(text.as_bytes().to_vec())
}

/// A phone: the doubles (kept for the test to move the clock and inspect
/// storage) and the authenticator over them.
struct Phone {
    fake: FakePlatform,
    auth: Authenticator,
}

impl Phone {
    fn new() -> Self {
        let fake = FakePlatform::new();
        let auth = Authenticator::new(fake.platform(), config()).unwrap();
        Self { fake, auth }
    }

    fn now(&self) -> u64 {
        use tessera_core::platform::Clock;
        self.fake.clock.now_unix()
    }

    fn activation(&self, mosaic: &[u8]) -> ActivationRequest {
        match self.auth.read(mosaic).unwrap() {
            Request::Activation(r) => r,
            other => panic!("expected an activation, got {other:?}"),
        }
    }

    fn challenge(&self, mosaic: &[u8]) -> Result<ChallengeRequest, AuthError> {
        match self.auth.read(mosaic)? {
            Request::Challenge(c) => Ok(c),
            other => panic!("expected a challenge, got {other:?}"),
        }
    }

    /// Enrols `user` at `portal`, activates this phone and confirms.
    fn activate(&self, portal: &mut Portal<SqliteStore>, user: &str) {
        let e = portal.enroll(user, ORIGIN, self.now()).unwrap();
        let preview = self
            .auth
            .unseal_activation(&self.activation(&e.mosaic), &e.code.display())
            .unwrap();
        let done = self
            .auth
            .complete_activation(&preview, &passcode(PASS))
            .unwrap();
        portal
            .confirm(user, done.confirmation.as_str(), self.now())
            .unwrap();
    }
}

fn config() -> AuthenticatorConfig {
    AuthenticatorConfig {
        vault: VaultConfig::floor(),
        ..AuthenticatorConfig::default()
    }
}

fn portal() -> Portal<SqliteStore> {
    Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default())
}

fn payment() -> Transaction {
    Transaction {
        amount: "120.50".into(),
        currency: "EUR".into(),
        payee: "Boulangerie Schmit".into(),
        iban: "LU280019400644750000".into(),
        reference: Some("Facture 2026-1187".into()),
        text: None,
    }
}

fn failures(phone: &Phone) -> u32 {
    match phone.auth.status() {
        Some(VaultStatus::Ready { failures, .. }) => failures,
        other => panic!("unexpected status {other:?}"),
    }
}

#[test]
fn activation_creates_the_vault_and_confirms_at_the_portal() {
    let phone = Phone::new();
    let mut portal = portal();
    assert!(!phone.auth.has_vault());
    assert!(phone.auth.status().is_none());
    let e = portal.enroll("alice", ORIGIN, phone.now()).unwrap();
    let request = phone.activation(&e.mosaic);
    // Typed as a person would: lower case, spaces instead of dashes.
    let typed = e.code.display().to_lowercase().replace('-', " ");
    let preview = phone.auth.unseal_activation(&request, &typed).unwrap();
    assert_eq!(preview.origin(), ORIGIN);
    assert_eq!(preview.user_id(), "alice");
    assert_eq!(preview.expires_at(), e.expires_at);
    // Unsealing stores nothing.
    assert_eq!(phone.fake.storage.writes(), 0);
    let done = phone
        .auth
        .complete_activation(&preview, &passcode(PASS))
        .unwrap();
    assert!(phone.auth.has_vault());
    assert!(phone.fake.storage.get(BLOB_NAME).is_some());
    let tokens = phone.auth.tokens().unwrap();
    assert_eq!(tokens, vec![done.token.clone()]);
    let TokenKind::Mosaic(binding) = &done.token.kind else {
        panic!("not a mosaic token: {:?}", done.token.kind);
    };
    assert_eq!(binding.portal_origin, ORIGIN);
    assert_eq!(binding.user_id, "alice");
    assert_eq!(binding.portal_token_id, e.token_id);
    assert_eq!(done.token.account, "alice");
    assert_eq!(done.token.issuer.as_deref(), Some("portal.example.lu"));
    assert_eq!(done.confirmation.as_str().len(), 29);
    let confirmed = portal
        .confirm("alice", done.confirmation.as_str(), phone.now())
        .unwrap();
    assert_eq!(confirmed, e.token_id);
}

#[test]
fn the_same_offer_twice_is_already_activated() {
    let phone = Phone::new();
    let mut portal = portal();
    let e = portal.enroll("alice", ORIGIN, phone.now()).unwrap();
    let request = phone.activation(&e.mosaic);
    let preview = phone
        .auth
        .unseal_activation(&request, &e.code.display())
        .unwrap();
    phone
        .auth
        .complete_activation(&preview, &passcode(PASS))
        .unwrap();
    let writes = phone.fake.storage.writes();
    let again = phone.auth.unseal_activation(&request, &e.code.display());
    assert_eq!(again.unwrap_err(), AuthError::AlreadyActivated);
    assert_eq!(phone.fake.storage.writes(), writes);
    assert_eq!(phone.auth.tokens().unwrap().len(), 1);
}

#[test]
fn a_wrong_activation_code_stores_nothing() {
    let phone = Phone::new();
    let mut portal = portal();
    let e = portal.enroll("alice", ORIGIN, phone.now()).unwrap();
    let request = phone.activation(&e.mosaic);
    let right = e.code.display();
    // Change one character of the code to another of the alphabet.
    let wrong: String = right
        .chars()
        .enumerate()
        .map(|(i, c)| match (i, c) {
            (0, 'A') => 'B',
            (0, _) => 'A',
            (_, c) => c,
        })
        .collect();
    assert_eq!(
        phone.auth.unseal_activation(&request, &wrong).unwrap_err(),
        AuthError::Mosaic(MosaicError::WrongActivationCode)
    );
    assert!(matches!(
        phone.auth.unseal_activation(&request, "ABCD-EFGH"),
        Err(AuthError::Mosaic(MosaicError::InvalidActivationCode(_)))
    ));
    assert_eq!(phone.fake.storage.writes(), 0);
    assert!(phone.fake.storage.get(BLOB_NAME).is_none());
    assert!(!phone.fake.keystore.has_key());
    assert!(!phone.auth.has_vault());
    // The right code still works afterwards.
    assert!(phone.auth.unseal_activation(&request, &right).is_ok());
}

#[test]
fn a_second_token_needs_the_existing_passcode() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");
    let e = portal.enroll("bob", ORIGIN, phone.now()).unwrap();
    let request = phone.activation(&e.mosaic);
    let preview = phone
        .auth
        .unseal_activation(&request, &e.code.display())
        .unwrap();
    assert_eq!(
        phone
            .auth
            .complete_activation(&preview, &passcode("Some-other-1"))
            .unwrap_err(),
        AuthError::Vault(VaultError::WrongPasscode { attempts_left: 9 })
    );
    assert_eq!(phone.auth.tokens().unwrap().len(), 1);
    let preview = phone
        .auth
        .unseal_activation(&request, &e.code.display())
        .unwrap();
    let done = phone
        .auth
        .complete_activation(&preview, &passcode(PASS))
        .unwrap();
    assert_eq!(done.token.account, "bob");
    assert_eq!(phone.auth.tokens().unwrap().len(), 2);
    assert_eq!(failures(&phone), 0);
}

#[test]
fn login_and_transaction_approval() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");

    let issued = portal.login("alice", phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic).unwrap();
    assert_eq!(request.kind(), MosaicKind::Login);
    let c = request.challenge();
    assert_eq!((c.origin.as_str(), c.user_id.as_str()), (ORIGIN, "alice"));
    assert_eq!(c.id(), issued.id);
    assert!(c.transaction.is_none());
    assert_eq!(request.token().account, "alice");
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode(PASS))
        .unwrap();
    let accepted = portal
        .verify(
            &issued.id,
            otp.as_str(),
            Some(("alice", MosaicKind::Login)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(accepted.kind, MosaicKind::Login);

    let issued = portal.sign("alice", payment(), phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic).unwrap();
    assert_eq!(request.kind(), MosaicKind::Transaction);
    assert_eq!(request.challenge().transaction.as_ref(), Some(&payment()));
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode(PASS))
        .unwrap();
    let accepted = portal
        .verify(
            &issued.id,
            otp.as_str(),
            Some(("alice", MosaicKind::Transaction)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(accepted.transaction, Some(payment()));
}

#[test]
fn approving_twice_is_already_answered() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");
    let issued = portal.login("alice", phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic).unwrap();
    phone
        .auth
        .approve_with_passcode(&request, &passcode(PASS))
        .unwrap();
    assert_eq!(
        phone
            .auth
            .approve_with_passcode(&request, &passcode(PASS))
            .unwrap_err(),
        AuthError::Vault(VaultError::AlreadyAnswered)
    );
    // Scanning the same mosaic again does not help either.
    let rescanned = phone.challenge(&issued.mosaic).unwrap();
    assert_eq!(
        phone
            .auth
            .approve_with_passcode(&rescanned, &passcode(PASS))
            .unwrap_err(),
        AuthError::Vault(VaultError::AlreadyAnswered)
    );
}

#[test]
fn a_challenge_for_another_token_is_not_for_this_device() {
    let alice_phone = Phone::new();
    let bob_phone = Phone::new();
    let fresh_phone = Phone::new();
    let mut portal = portal();
    alice_phone.activate(&mut portal, "alice");
    bob_phone.activate(&mut portal, "bob");
    let issued = portal.login("alice", alice_phone.now()).unwrap();
    for phone in [&bob_phone, &fresh_phone] {
        assert_eq!(
            phone.challenge(&issued.mosaic).unwrap_err(),
            AuthError::Mosaic(MosaicError::NotForThisDevice)
        );
    }
    // Alice's phone still answers it.
    let request = alice_phone.challenge(&issued.mosaic).unwrap();
    let otp = alice_phone
        .auth
        .approve_with_passcode(&request, &passcode(PASS))
        .unwrap();
    portal
        .verify(&issued.id, otp.as_str(), None, alice_phone.now())
        .unwrap();
}

#[test]
fn expired_challenges_are_refused_before_and_after_the_prompt() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");
    let lifetime = PortalConfig::default().challenge_lifetime;
    let skew = AuthenticatorConfig::default().max_clock_skew_secs;
    let issued = portal.login("alice", phone.now()).unwrap();
    let start = phone.now();
    // Within the lifetime plus the tolerance it still reads.
    phone.fake.clock.set(start + lifetime + skew);
    let request = phone.challenge(&issued.mosaic).unwrap();
    // The user waited at the passcode prompt: refused when approving.
    phone.fake.clock.advance(1);
    assert_eq!(
        phone
            .auth
            .approve_with_passcode(&request, &passcode(PASS))
            .unwrap_err(),
        AuthError::Mosaic(MosaicError::Expired)
    );
    assert_eq!(
        phone.challenge(&issued.mosaic).unwrap_err(),
        AuthError::Mosaic(MosaicError::Expired)
    );
    // Nothing was recorded as answered: back in time, it is answerable.
    phone.fake.clock.set(start + 10);
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode(PASS))
        .unwrap();
    portal
        .verify(&issued.id, otp.as_str(), None, start + 10)
        .unwrap();
}

#[test]
fn a_clock_behind_the_portal_is_clock_skew() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");
    // The portal's clock is 10 minutes ahead of the phone's.
    let issued = portal.login("alice", phone.now() + 600).unwrap();
    assert_eq!(
        phone.challenge(&issued.mosaic).unwrap_err(),
        AuthError::Mosaic(MosaicError::ClockSkew { offset_secs: -600 })
    );
    // Within the tolerance it reads.
    let skew = AuthenticatorConfig::default().max_clock_skew_secs;
    let issued = portal.login("alice", phone.now() + skew).unwrap();
    assert!(phone.challenge(&issued.mosaic).is_ok());
}

#[test]
fn a_wrong_passcode_counts_an_attempt() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");
    let issued = portal.login("alice", phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic).unwrap();
    assert_eq!(failures(&phone), 0);
    for left in [9, 8] {
        assert_eq!(
            phone
                .auth
                .approve_with_passcode(&request, &passcode("Not-the-one-1"))
                .unwrap_err(),
            AuthError::Vault(VaultError::WrongPasscode {
                attempts_left: left
            })
        );
    }
    assert_eq!(failures(&phone), 2);
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode(PASS))
        .unwrap();
    assert_eq!(failures(&phone), 0);
    portal
        .verify(&issued.id, otp.as_str(), None, phone.now())
        .unwrap();
}

#[test]
fn biometric_approval_with_the_fake_gate() {
    let phone = Phone::new();
    let mut portal = portal();
    phone.activate(&mut portal, "alice");
    let gate = FakeBiometrics::new();
    // Not enabled yet.
    let issued = portal.login("alice", phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic).unwrap();
    assert_eq!(
        phone
            .auth
            .approve_with_biometrics(&request, &gate)
            .unwrap_err(),
        AuthError::Vault(VaultError::BiometricNotEnabled)
    );
    phone
        .auth
        .unlock_with_passcode(&passcode(PASS))
        .unwrap()
        .enable_biometrics(&gate)
        .unwrap();
    assert!(matches!(
        phone.auth.status(),
        Some(VaultStatus::Ready {
            biometrics: BiometricState::Enabled,
            ..
        })
    ));
    // Cancelling costs no attempt and answers nothing.
    gate.fail_with(Some(BiometricError::Cancelled));
    assert_eq!(
        phone
            .auth
            .approve_with_biometrics(&request, &gate)
            .unwrap_err(),
        AuthError::Vault(VaultError::BiometricCancelled)
    );
    assert_eq!(failures(&phone), 0);
    gate.fail_with(None);
    let otp: OtpCode = phone.auth.approve_with_biometrics(&request, &gate).unwrap();
    assert_eq!(gate.prompts(), 2);
    portal
        .verify(&issued.id, otp.as_str(), None, phone.now())
        .unwrap();
    // A transaction, too.
    let issued = portal.sign("alice", payment(), phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic).unwrap();
    let otp = phone.auth.approve_with_biometrics(&request, &gate).unwrap();
    let accepted = portal
        .verify(
            &issued.id,
            otp.as_str(),
            Some(("alice", MosaicKind::Transaction)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(accepted.transaction, Some(payment()));
}

#[test]
fn import_of_an_otpauth_uri_creates_the_vault() {
    let phone = Phone::new();
    // RFC 6238's SHA-1 seed, 8 digits: its first vector is 94287082 at T = 59.
    let uri = "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";
    let Request::Import(import) = phone.auth.read(uri.as_bytes()).unwrap() else {
        panic!("not an import");
    };
    assert_eq!(import.tokens.len(), 1);
    assert!(import.skipped.is_empty());
    let added = phone.auth.import(import, &passcode(PASS)).unwrap();
    assert!(phone.auth.has_vault());
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].label(), "Example:alice@example.com");
    assert!(matches!(added[0].kind, TokenKind::Totp { digits: 8, .. }));
    let unlocked = phone.auth.unlock_with_passcode(&passcode(PASS)).unwrap();
    assert_eq!(
        unlocked.code(added[0].id, 59).unwrap().code.as_str(),
        "94287082"
    );
    // Something that is neither a mosaic nor a token.
    assert_eq!(
        phone.auth.read(b"https://example.com/").unwrap_err(),
        AuthError::Unrecognised
    );
}

/// A white frame with `payloads` drawn left to right, 4 pixels a module.
fn frame_with(payloads: &[&[u8]]) -> Rgb {
    let mut canvas = Rgb::filled(1280, 480, [255, 255, 255]);
    let mut x = 20;
    for payload in payloads {
        x += draw_qr(&mut canvas, payload, x, 40, 4, 4, &mono) + 20;
    }
    canvas
}

fn scan_and_read(phone: &Phone, canvas: &Rgb) -> Result<Option<Request>, AuthError> {
    let rgba = canvas.rgba_strided(canvas.w * 4, false);
    let frame = Frame::rgba(canvas.w as u32, canvas.h as u32, &rgba, canvas.w * 4).unwrap();
    Ok(phone
        .auth
        .scan_and_read(&frame)?
        .map(|scanned| scanned.request))
}

fn first_detection(phone: &Phone, canvas: &Rgb) -> Vec<u8> {
    let rgba = canvas.rgba_strided(canvas.w * 4, false);
    let frame = Frame::rgba(canvas.w as u32, canvas.h as u32, &rgba, canvas.w * 4).unwrap();
    phone.auth.scan(&frame).swap_remove(0).payload
}

#[test]
fn scan_and_read_takes_the_first_code_that_reads() {
    let phone = Phone::new();
    let mut portal = portal();
    let offer = portal.enroll("alice", ORIGIN, phone.now()).unwrap();
    // A QR code that is no mosaic stands before the offer (the scanner
    // finds it first): the offer wins all the same.
    let canvas = frame_with(&[b"https://example.lu/menu", &offer.mosaic]);
    assert_eq!(first_detection(&phone, &canvas), b"https://example.lu/menu");
    match scan_and_read(&phone, &canvas) {
        Ok(Some(Request::Activation(_))) => {}
        other => panic!("expected the activation offer, got {other:?}"),
    }
    // Codes that all fail to read: the first one's error.
    let canvas = frame_with(&[b"https://example.lu/menu", b"WIFI:S:cafe;;"]);
    assert_eq!(
        scan_and_read(&phone, &canvas).err(),
        Some(AuthError::Unrecognised)
    );
    // No code at all.
    assert!(matches!(
        scan_and_read(&phone, &Rgb::filled(640, 480, [200, 200, 200])),
        Ok(None)
    ));
}

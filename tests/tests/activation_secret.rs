//! Review finding M3: the activation mosaic and its code were a permanent,
//! undetectable clone of the token — the portal chose every key, so a
//! screenshot of the mosaic and the code, even after activation, gave the
//! same keys forever. Now the phone draws a secret of its own at
//! activation, the token's keys derive from the offer and that secret, and
//! the secret reaches the portal in the confirmation code. These tests play
//! the screenshot attacker against the reference portal and two phones
//! (`Authenticator` over the platform doubles).

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use tessera_core::authenticator::{
    Activated, AuthError, Authenticator, AuthenticatorConfig, Request,
};
use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, ConfirmationCode, Envelope, MosaicError,
    MosaicKind, TokenKeys, Transaction, respond, verify_confirmation, verify_response,
};
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{Passcode, VaultConfig};
use tessera_portal::{
    Enrollment, Portal, PortalConfig, PortalError, PortalStore, SqliteStore, keys_of,
};

const ORIGIN: &str = "https://portal.example.lu";

fn passcode() -> Passcode {
    Passcode::new(b"k7#pQ2!vCanary".to_vec())
}

fn portal() -> Portal<SqliteStore> {
    Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default())
}

/// A phone over the platform doubles (the system's random source).
struct Phone {
    fake: FakePlatform,
    auth: Authenticator,
}

impl Phone {
    fn new() -> Self {
        let fake = FakePlatform::new();
        let config = AuthenticatorConfig {
            vault: VaultConfig::floor(),
            ..AuthenticatorConfig::default()
        };
        let auth = Authenticator::new(fake.platform(), config).unwrap();
        Self { fake, auth }
    }

    fn now(&self) -> u64 {
        use tessera_core::platform::Clock;
        self.fake.clock.now_unix()
    }

    /// Scans the offer, types the activation code, sets the passcode.
    fn activate(&self, e: &Enrollment) -> Activated {
        let Request::Activation(request) = self.auth.read(&e.mosaic).unwrap() else {
            panic!("not an activation");
        };
        let preview = self
            .auth
            .unseal_activation(&request, &e.code.display())
            .unwrap();
        self.auth
            .complete_activation(&preview, &passcode())
            .unwrap()
    }

    /// Scans a challenge and approves it: the OTP, or why the phone refused.
    fn approve(&self, mosaic: &[u8]) -> Result<String, AuthError> {
        match self.auth.read(mosaic)? {
            Request::Challenge(c) => Ok(self
                .auth
                .approve_with_passcode(&c, &passcode())?
                .as_str()
                .to_owned()),
            other => panic!("expected a challenge, got {other:?}"),
        }
    }
}

/// What a screenshot (or a shared screen) of the activation page gives: the
/// offer, opened with the code shown beside it.
fn screenshot(e: &Enrollment) -> ActivationOffer {
    let code = ActivationCode::parse(&e.code.display()).unwrap();
    ActivationOffer::open(&Envelope::parse(&e.mosaic).unwrap(), &code).unwrap()
}

/// The keys a phone derived, read back from its confirmation code (which
/// carries its secret) the way the portal reads them.
fn keys_from(offer: &ActivationOffer, done: &Activated) -> TokenKeys {
    let code = ConfirmationCode::parse(done.confirmation.as_str()).unwrap();
    verify_confirmation(&offer.keys, &offer.nonce, &code).unwrap()
}

/// The challenge behind a mosaic the portal issued, opened with the key the
/// portal holds (as if the attacker could read it).
fn challenge_of(portal: &Portal<SqliteStore>, e: &Enrollment, mosaic: &[u8]) -> Challenge {
    let held = keys_of(&portal.store().token(&e.token_id).unwrap().unwrap());
    Challenge::open(&Envelope::parse(mosaic).unwrap(), held.challenge.expose()).unwrap()
}

fn payment() -> Transaction {
    Transaction {
        amount: "120.50".into(),
        currency: "EUR".into(),
        payee: "Boulangerie Schmit".into(),
        iban: "LU280019400644750000".into(),
        reference: None,
        text: None,
    }
}

/// Two phones open the same offer with the same code. Phone A confirms;
/// phone B's confirmation is then refused, its keys differ from A's, and
/// its answers to the portal's login challenges are refused while A's are
/// accepted.
#[test]
fn a_second_phone_from_the_same_screenshot_gets_keys_the_portal_never_accepts() {
    let a = Phone::new();
    let b = Phone::new();
    let mut portal = portal();
    let e = portal.enroll("alice", ORIGIN, a.now()).unwrap();
    let done_a = a.activate(&e);
    let done_b = b.activate(&e);
    assert_ne!(done_a.confirmation.as_str(), done_b.confirmation.as_str());

    assert_eq!(
        portal.confirm("alice", done_a.confirmation.as_str(), a.now()),
        Ok(e.token_id)
    );
    // B comes too late: the offer is consumed, by either entry point.
    assert_eq!(
        portal.confirm("alice", done_b.confirmation.as_str(), b.now()),
        Err(PortalError::NoPendingActivation("alice".into()))
    );
    assert_eq!(
        portal.confirm_offer("alice", &e.token_id, done_b.confirmation.as_str(), b.now()),
        Err(PortalError::NoPendingActivation("alice".into()))
    );

    // The portal holds A's keys; B's are others.
    let offer = screenshot(&e);
    let keys_a = keys_from(&offer, &done_a);
    let keys_b = keys_from(&offer, &done_b);
    let held = keys_of(&portal.store().token(&e.token_id).unwrap().unwrap());
    assert_eq!(held.ocra, keys_a.ocra);
    assert_eq!(held.challenge, keys_a.challenge);
    assert_ne!(keys_b.ocra, keys_a.ocra);
    assert_ne!(keys_b.challenge, keys_a.challenge);

    // A login challenge: B cannot even open it…
    let login = portal.login("alice", a.now()).unwrap();
    assert_eq!(
        b.approve(&login.mosaic).unwrap_err(),
        AuthError::Mosaic(MosaicError::Tampered)
    );
    // …and had it read the challenge, its answer is refused.
    let challenge = challenge_of(&portal, &e, &login.mosaic);
    let otp_b = respond(&challenge, keys_b.ocra.expose(), offer.params).unwrap();
    assert!(matches!(
        portal.verify(
            &login.id,
            otp_b.as_str(),
            Some(("alice", MosaicKind::Login)),
            b.now()
        ),
        Err(PortalError::WrongOtp { .. })
    ));
    // A's is accepted.
    let otp_a = a.approve(&login.mosaic).unwrap();
    let accepted = portal
        .verify(
            &login.id,
            &otp_a,
            Some(("alice", MosaicKind::Login)),
            a.now(),
        )
        .unwrap();
    assert_eq!(accepted.token_id, e.token_id);

    // And again on a second login, so it is not one lucky refusal.
    let login = portal.login("alice", a.now()).unwrap();
    let challenge = challenge_of(&portal, &e, &login.mosaic);
    let otp_b = respond(&challenge, keys_b.ocra.expose(), offer.params).unwrap();
    assert!(
        portal
            .verify(&login.id, otp_b.as_str(), None, b.now())
            .is_err()
    );
    let otp_a = a.approve(&login.mosaic).unwrap();
    portal.verify(&login.id, &otp_a, None, a.now()).unwrap();
}

/// The screenshot attacker who holds only the offer and its code after A's
/// confirmation: the offer's keys open no challenge, their OTPs are
/// refused, and they do not even verify the OTPs A produces (so A's OTPs,
/// seen over a shoulder, teach nothing about them either).
#[test]
fn the_offer_and_code_alone_are_worthless_after_confirmation() {
    let a = Phone::new();
    let mut portal = portal();
    let e = portal.enroll("alice", ORIGIN, a.now()).unwrap();
    let offer = screenshot(&e);
    let done = a.activate(&e);
    portal
        .confirm("alice", done.confirmation.as_str(), a.now())
        .unwrap();

    // The portal kept none of the offer's keys.
    let held = keys_of(&portal.store().token(&e.token_id).unwrap().unwrap());
    assert_ne!(held.ocra, offer.keys.ocra);
    assert_ne!(held.challenge, offer.keys.challenge);

    for issued in [
        portal.login("alice", a.now()).unwrap(),
        portal.sign("alice", payment(), a.now()).unwrap(),
    ] {
        let envelope = Envelope::parse(&issued.mosaic).unwrap();
        assert_eq!(
            Challenge::open(&envelope, offer.keys.challenge.expose()).unwrap_err(),
            MosaicError::Tampered,
            "the offer's challenge key opens nothing"
        );
        let challenge = challenge_of(&portal, &e, &issued.mosaic);
        let otp_a = a.approve(&issued.mosaic).unwrap();
        assert_eq!(
            verify_response(&challenge, offer.keys.ocra.expose(), offer.params, &otp_a),
            Err(MosaicError::WrongResponse),
            "A's OTP does not verify under the offer's key"
        );
        let forged = respond(&challenge, offer.keys.ocra.expose(), offer.params).unwrap();
        assert_ne!(forged.as_str(), otp_a);
        assert!(matches!(
            portal.verify(&issued.id, forged.as_str(), None, a.now()),
            Err(PortalError::WrongOtp { .. })
        ));
        portal.verify(&issued.id, &otp_a, None, a.now()).unwrap();
    }
}

/// The attacker's only window is before the user confirms, and it shows: if
/// a clone confirms first, the user's own confirmation is refused (the user
/// is told, and the portal has one token, the clone's, to remove).
#[test]
fn a_clone_that_confirms_first_is_noticed_by_the_user() {
    let a = Phone::new();
    let clone = Phone::new();
    let mut portal = portal();
    let e = portal.enroll("alice", ORIGIN, a.now()).unwrap();
    let done_clone = clone.activate(&e);
    let done_a = a.activate(&e);
    portal
        .confirm("alice", done_clone.confirmation.as_str(), clone.now())
        .unwrap();
    assert_eq!(
        portal.confirm("alice", done_a.confirmation.as_str(), a.now()),
        Err(PortalError::NoPendingActivation("alice".into()))
    );
    let login = portal.login("alice", a.now()).unwrap();
    assert_eq!(
        a.approve(&login.mosaic).unwrap_err(),
        AuthError::Mosaic(MosaicError::Tampered)
    );
}

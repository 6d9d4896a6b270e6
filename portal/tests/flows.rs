//! The portal's decisions, with the device side played by the core directly:
//! activation, login and transaction, and every way an answer is refused.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, DeviceActivation, DeviceSecret, Envelope,
    MosaicKind, Transaction, activate, respond,
};
use tessera_portal::{Portal, PortalConfig, PortalError, PortalStore, SqliteStore};

const NOW: u64 = 1_764_400_000;
const ORIGIN: &str = "https://portal.example.lu";

/// The device side: what an activated phone keeps (the offer for its
/// token id and parameters; its own keys, from its secret).
struct Device {
    offer: ActivationOffer,
    own: DeviceActivation,
}

impl Device {
    fn activate(mosaic: &[u8], code: &ActivationCode) -> Self {
        let envelope = Envelope::parse(mosaic).unwrap();
        let typed = ActivationCode::parse(&code.display()).unwrap();
        let offer = ActivationOffer::open(&envelope, &typed).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let own = activate(&offer, &DeviceSecret::generate(&rng).unwrap()).unwrap();
        Self { offer, own }
    }

    fn confirmation(&self) -> String {
        self.own.confirmation.as_str().to_owned()
    }

    fn read(&self, mosaic: &[u8]) -> Challenge {
        let envelope = Envelope::parse(mosaic).unwrap();
        assert_eq!(
            envelope.token_id(),
            Some(self.offer.token_id),
            "addressed to this device"
        );
        Challenge::open(&envelope, self.own.keys.challenge.expose()).unwrap()
    }

    fn answer(&self, challenge: &Challenge) -> String {
        respond(challenge, self.own.keys.ocra.expose(), self.offer.params)
            .unwrap()
            .as_str()
            .to_owned()
    }
}

fn portal() -> Portal<SqliteStore> {
    Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default())
}

fn activated(p: &mut Portal<SqliteStore>, user: &str) -> Device {
    let e = p.enroll(user, ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    assert_eq!(
        p.confirm(user, &device.confirmation(), NOW + 60).unwrap(),
        e.token_id
    );
    device
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

#[test]
fn activation_login_and_transaction() {
    let mut p = portal();
    let device = activated(&mut p, "alice");

    let issued = p.login("alice", NOW + 100).unwrap();
    let challenge = device.read(&issued.mosaic);
    assert_eq!(challenge.user_id, "alice");
    assert_eq!(challenge.origin, ORIGIN);
    assert_eq!(challenge.id(), issued.id);
    let accepted = p
        .verify(
            &issued.id,
            &device.answer(&challenge),
            Some(("alice", MosaicKind::Login)),
            NOW + 110,
        )
        .unwrap();
    assert_eq!(
        (accepted.user_id.as_str(), accepted.kind),
        ("alice", MosaicKind::Login)
    );

    let issued = p.sign("alice", transfer(), NOW + 200).unwrap();
    let challenge = device.read(&issued.mosaic);
    assert_eq!(challenge.transaction, Some(transfer()));
    let accepted = p
        .verify(&issued.id, &device.answer(&challenge), None, NOW + 210)
        .unwrap();
    assert_eq!(accepted.transaction, Some(transfer()));
}

#[test]
fn each_challenge_answers_once() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.login("alice", NOW).unwrap();
    let otp = device.answer(&device.read(&issued.mosaic));
    p.verify(&issued.id, &otp, None, NOW + 5).unwrap();
    assert_eq!(
        p.verify(&issued.id, &otp, None, NOW + 6),
        Err(PortalError::AlreadyAnswered)
    );
}

#[test]
fn expired_challenges_are_refused() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.login("alice", NOW).unwrap();
    let otp = device.answer(&device.read(&issued.mosaic));
    assert_eq!(
        p.verify(&issued.id, &otp, None, issued.expires_at + 1),
        Err(PortalError::Expired)
    );
    // Still refused later, and the state did not change.
    assert_eq!(
        p.verify(&issued.id, &otp, None, issued.expires_at + 2),
        Err(PortalError::Expired)
    );
}

#[test]
fn wrong_otps_lock_the_token_until_unlocked() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.login("alice", NOW).unwrap();
    for left in (1..5).rev() {
        assert_eq!(
            p.verify(&issued.id, "00000000", None, NOW + 1),
            Err(PortalError::WrongOtp {
                attempts_left: left
            })
        );
    }
    assert_eq!(
        p.verify(&issued.id, "00000000", None, NOW + 1),
        Err(PortalError::TokenLocked)
    );
    // Even the right OTP is refused now, and no new challenge is issued.
    let otp = device.answer(&device.read(&issued.mosaic));
    assert_eq!(
        p.verify(&issued.id, &otp, None, NOW + 2),
        Err(PortalError::TokenLocked)
    );
    assert_eq!(
        p.login("alice", NOW + 3).err(),
        Some(PortalError::TokenLocked)
    );
    p.unlock(&issued.token_id).unwrap();
    p.verify(&issued.id, &otp, None, NOW + 4).unwrap();
}

#[test]
fn a_success_resets_the_failure_count() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.login("alice", NOW).unwrap();
    for _ in 0..4 {
        assert!(p.verify(&issued.id, "12345678", None, NOW).is_err());
    }
    p.verify(
        &issued.id,
        &device.answer(&device.read(&issued.mosaic)),
        None,
        NOW,
    )
    .unwrap();
    let issued = p.login("alice", NOW).unwrap();
    assert_eq!(
        p.verify(&issued.id, "12345678", None, NOW),
        Err(PortalError::WrongOtp { attempts_left: 4 })
    );
}

#[test]
fn login_otps_do_not_sign_transactions_and_users_do_not_mix() {
    let mut p = portal();
    let alice = activated(&mut p, "alice");
    let _bob = activated(&mut p, "bob");
    let login = p.login("alice", NOW).unwrap();
    let otp = alice.answer(&alice.read(&login.mosaic));
    assert_eq!(
        p.verify(
            &login.id,
            &otp,
            Some(("alice", MosaicKind::Transaction)),
            NOW
        ),
        Err(PortalError::Mismatch("purpose"))
    );
    assert_eq!(
        p.verify(&login.id, &otp, Some(("bob", MosaicKind::Login)), NOW),
        Err(PortalError::Mismatch("user"))
    );
    // A transaction answered with the login's OTP is refused.
    let tx = p.sign("alice", transfer(), NOW).unwrap();
    assert!(matches!(
        p.verify(&tx.id, &otp, None, NOW),
        Err(PortalError::WrongOtp { .. })
    ));
    // The login itself is still open and accepts its own OTP.
    p.verify(&login.id, &otp, Some(("alice", MosaicKind::Login)), NOW)
        .unwrap();
}

#[test]
fn a_tampered_amount_gives_an_otp_the_portal_refuses() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.sign("alice", transfer(), NOW).unwrap();
    let mut challenge = device.read(&issued.mosaic);
    challenge.transaction.as_mut().unwrap().amount = "1205.00".into();
    assert!(matches!(
        p.verify(&issued.id, &device.answer(&challenge), None, NOW),
        Err(PortalError::WrongOtp { .. })
    ));
}

#[test]
fn an_otp_for_another_portal_is_worthless() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.login("alice", NOW).unwrap();
    let mut challenge = device.read(&issued.mosaic);
    challenge.origin = "https://phishing.example".into();
    assert!(matches!(
        p.verify(&issued.id, &device.answer(&challenge), None, NOW),
        Err(PortalError::WrongOtp { .. })
    ));
}

#[test]
fn activation_needs_the_right_confirmation_in_time() {
    let mut p = portal();
    let e = p.enroll("carol", ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    assert!(matches!(
        p.confirm("carol", "0000-0000-0000-0000-0000-0000", NOW),
        Err(PortalError::WrongOtp { attempts_left: 4 })
    ));
    assert_eq!(
        p.confirm("dave", &device.confirmation(), NOW),
        Err(PortalError::NoPendingActivation("dave".into()))
    );
    assert_eq!(
        p.login("carol", NOW).err(),
        Some(PortalError::NoActiveToken("carol".into()))
    );
    p.confirm("carol", &device.confirmation(), e.expires_at)
        .unwrap();
    assert_eq!(
        p.confirm("carol", &device.confirmation(), NOW),
        Err(PortalError::NoPendingActivation("carol".into()))
    );
    // One second late: expired (and erased, so it stays expired).
    let e = p.enroll("erin", ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    assert_eq!(
        p.confirm("erin", &device.confirmation(), e.expires_at + 1),
        Err(PortalError::ActivationExpired)
    );
    assert_eq!(
        p.confirm("erin", &device.confirmation(), e.expires_at),
        Err(PortalError::ActivationExpired)
    );
}

#[test]
fn unknown_and_malformed_challenge_ids() {
    let mut p = portal();
    activated(&mut p, "alice");
    for id in [
        "",
        "zz",
        "00112233445566778899aabb",
        "00112233445566778899aabbcc",
    ] {
        assert_eq!(
            p.verify(id, "12345678", None, NOW),
            Err(PortalError::UnknownChallenge),
            "{id:?}"
        );
    }
}

#[test]
fn a_restart_loses_nothing() {
    let dir = std::env::temp_dir().join(format!("tessera-portal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("portal.db");
    let _ = std::fs::remove_file(&db);
    let (device, issued) = {
        let mut p = Portal::new(SqliteStore::open(&db).unwrap(), PortalConfig::default());
        let device = activated(&mut p, "alice");
        let issued = p.login("alice", NOW).unwrap();
        assert!(p.verify(&issued.id, "00000000", None, NOW).is_err());
        (device, issued)
    };
    let mut p = Portal::new(SqliteStore::open(&db).unwrap(), PortalConfig::default());
    let tokens = p.store().tokens_of("alice").unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0].failures, 1,
        "the wrong OTP still counts after a restart"
    );
    let otp = device.answer(&device.read(&issued.mosaic));
    p.verify(&issued.id, &otp, None, NOW + 1).unwrap();
    drop(p);
    let mut p = Portal::new(SqliteStore::open(&db).unwrap(), PortalConfig::default());
    assert_eq!(
        p.verify(&issued.id, &otp, None, NOW + 2),
        Err(PortalError::AlreadyAnswered)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn removed_mobiles_get_no_challenges() {
    let mut p = portal();
    let device = activated(&mut p, "alice");
    let issued = p.login("alice", NOW).unwrap();
    p.remove("alice", &issued.token_id).unwrap();
    let otp = device.answer(&device.read(&issued.mosaic));
    assert!(matches!(
        p.verify(&issued.id, &otp, None, NOW),
        Err(PortalError::NoActiveToken(_))
    ));
    assert!(matches!(
        p.login("alice", NOW),
        Err(PortalError::NoActiveToken(_))
    ));
    assert!(p.remove("bob", &issued.token_id).is_err());
}

/// Finding: a non-digit OTP counted towards the lock. `verify` and
/// `confirm` refuse what cannot be an OTP or a confirmation code without
/// counting it (review M3: the confirmation is now a 24-character code, so
/// the old 8-digit OTP is malformed too).
#[test]
fn malformed_otps_are_refused_without_counting() {
    let mut p = portal();
    let e = p.enroll("alice", ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    let code = device.confirmation();
    let short = code[..code.len() - 1].to_owned();
    let long = format!("{code}0");
    let with_u = format!("{short}U");
    let with_symbol = format!("{short}#");
    for typed in [
        "abc",
        "",
        "12345678",
        "١٢٣٤٥٦٧٨",
        &short,
        &long,
        &with_u,
        &with_symbol,
    ] {
        for _ in 0..5 {
            assert_eq!(
                p.confirm("alice", typed, NOW),
                Err(PortalError::MalformedConfirmation),
                "{typed:?}"
            );
        }
    }
    let t = p.store().token(&e.token_id).unwrap().unwrap();
    assert_eq!(t.failures, 0, "no malformed code was counted");
    p.confirm("alice", &device.confirmation(), NOW).unwrap();
    let issued = p.login("alice", NOW).unwrap();
    for _ in 0..10 {
        assert_eq!(
            p.verify(&issued.id, "abc", None, NOW),
            Err(PortalError::MalformedOtp { digits: 8 })
        );
    }
    let otp = device.answer(&device.read(&issued.mosaic));
    p.verify(&issued.id, &otp, None, NOW).unwrap();
}

/// Finding L5: pending offers kept their keys in clear forever. Once an
/// offer expires unconfirmed, its keys are erased (at the next enrolment
/// or confirmation, or `expire_offers`) and it can no longer be confirmed;
/// a removed mobile's keys are erased too.
#[test]
fn expired_offers_and_removed_mobiles_lose_their_keys() {
    let mut p = portal();
    let config = PortalConfig::default();
    let stale = p.enroll("alice", ORIGIN, NOW).unwrap();
    let device = Device::activate(&stale.mosaic, &stale.code);
    let later = NOW + config.activation_lifetime + 1;
    let fresh = p.enroll("bob", ORIGIN, later).unwrap();
    let t = p.store().token(&stale.token_id).unwrap().unwrap();
    assert!(t.ocra_key.is_empty() && t.challenge_key.is_empty());
    assert_eq!(t.state, tessera_portal::store::TokenState::Expired);
    assert_eq!(
        p.confirm_offer("alice", &stale.token_id, &device.confirmation(), later),
        Err(PortalError::ActivationExpired)
    );
    assert_eq!(
        p.confirm("alice", &device.confirmation(), later),
        Err(PortalError::ActivationExpired)
    );
    let t = p.store().token(&fresh.token_id).unwrap().unwrap();
    assert_eq!(t.ocra_key.len(), 32, "a live offer keeps its keys");

    let bob = Device::activate(&fresh.mosaic, &fresh.code);
    p.confirm_offer("bob", &fresh.token_id, &bob.confirmation(), later)
        .unwrap();
    p.remove("bob", &fresh.token_id).unwrap();
    let t = p.store().token(&fresh.token_id).unwrap().unwrap();
    assert!(t.ocra_key.is_empty() && t.challenge_key.is_empty());
    assert_eq!(p.expire_offers(later).unwrap(), 0);
}

/// Finding L5 at the library level: `confirm_offer` checks the offer it
/// names, not the user's newest.
#[test]
fn confirm_offer_checks_the_named_offer() {
    let mut p = portal();
    let first = p.enroll("alice", ORIGIN, NOW).unwrap();
    let second = p.enroll("alice", ORIGIN, NOW + 1).unwrap();
    let d1 = Device::activate(&first.mosaic, &first.code);
    let d2 = Device::activate(&second.mosaic, &second.code);
    assert!(matches!(
        p.confirm_offer("alice", &first.token_id, &d2.confirmation(), NOW + 2),
        Err(PortalError::WrongOtp { .. })
    ));
    assert_eq!(
        p.confirm_offer("bob", &first.token_id, &d1.confirmation(), NOW + 2),
        Err(PortalError::NoPendingActivation("bob".into()))
    );
    assert_eq!(
        p.confirm_offer("alice", &first.token_id, &d1.confirmation(), NOW + 2),
        Ok(first.token_id)
    );
}

/// Review M3: the confirmation code is typed by a person, so the portal
/// forgives lower case, spaces, dashes and the look-alikes I/L → 1, O → 0.
#[test]
fn confirmation_codes_are_read_as_typed() {
    let mut p = portal();
    let e = p.enroll("alice", ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    let code = device.confirmation();
    assert_eq!(code.len(), 29);
    assert_eq!(code.matches('-').count(), 5);
    // Lower case, spaces instead of dashes, and each 1 typed as l, each 0 as O.
    let sloppy: String = code
        .chars()
        .map(|c| match c {
            '-' => ' ',
            '1' => 'l',
            '0' => 'O',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    assert_eq!(
        p.confirm("alice", &format!("  {sloppy} "), NOW),
        Ok(e.token_id)
    );

    let e = p.enroll("bob", ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    let bare: String = device
        .confirmation()
        .chars()
        .filter(|c| *c != '-')
        .map(|c| if c == '1' { 'I' } else { c })
        .collect();
    assert_eq!(p.confirm("bob", &bare, NOW), Ok(e.token_id));
}

/// Review M3: at confirmation the portal replaces the offer's keys with the
/// device's final keys; the offer's keys answer nothing afterwards.
#[test]
fn confirmation_replaces_the_offer_keys_with_the_devices() {
    let mut p = portal();
    let e = p.enroll("alice", ORIGIN, NOW).unwrap();
    let device = Device::activate(&e.mosaic, &e.code);
    let pending = p.store().token(&e.token_id).unwrap().unwrap();
    assert_eq!(
        pending.ocra_key.as_slice(),
        device.offer.keys.ocra.expose(),
        "a pending token holds the offer's keys"
    );
    p.confirm("alice", &device.confirmation(), NOW).unwrap();
    let t = p.store().token(&e.token_id).unwrap().unwrap();
    assert_eq!(t.ocra_key.as_slice(), device.own.keys.ocra.expose());
    assert_eq!(
        t.challenge_key.as_slice(),
        device.own.keys.challenge.expose()
    );
    assert_ne!(t.ocra_key.as_slice(), device.offer.keys.ocra.expose());
    assert_ne!(
        t.challenge_key.as_slice(),
        device.offer.keys.challenge.expose()
    );
    // A login for the device, refused when answered with the offer's key.
    let issued = p.login("alice", NOW).unwrap();
    let challenge = device.read(&issued.mosaic);
    let with_offer_key = respond(
        &challenge,
        device.offer.keys.ocra.expose(),
        device.offer.params,
    )
    .unwrap();
    assert!(matches!(
        p.verify(&issued.id, with_offer_key.as_str(), None, NOW),
        Err(PortalError::WrongOtp { .. })
    ));
    p.verify(&issued.id, &device.answer(&challenge), None, NOW)
        .unwrap();
}

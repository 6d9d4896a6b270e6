//! C35 for the portal: the `Display`, `Debug` and alternate
//! `Debug` of every `PortalError` variant never contain the OTP or the
//! confirmation code that was typed, the right one, the activation code or a
//! token key (the offer's or the final one). The match in
//! [`variant`] is exhaustive, so a new variant fails to compile until it is
//! named here; the test checks every variant was produced (all but
//! `Storage` by a real operation).

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;

use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, DeviceSecret, Envelope, MosaicKind, activate,
    respond,
};

use crate::{Portal, PortalConfig, PortalError, PortalStore, SqliteStore, keys_of};

const NOW: u64 = 1_764_400_000;
const ORIGIN: &str = "https://portal.example.lu";

fn variant(e: &PortalError) -> &'static str {
    match e {
        PortalError::UnknownChallenge => "UnknownChallenge",
        PortalError::AlreadyAnswered => "AlreadyAnswered",
        PortalError::Expired => "Expired",
        PortalError::WrongOtp { .. } => "WrongOtp",
        PortalError::MalformedOtp { .. } => "MalformedOtp",
        PortalError::MalformedConfirmation => "MalformedConfirmation",
        PortalError::TokenLocked => "TokenLocked",
        PortalError::Mismatch(_) => "Mismatch",
        PortalError::NoActiveToken(_) => "NoActiveToken",
        PortalError::NoPendingActivation(_) => "NoPendingActivation",
        PortalError::ActivationExpired => "ActivationExpired",
        PortalError::Mosaic(_) => "Mosaic",
        PortalError::InsecureDatabase(_) => "InsecureDatabase",
        PortalError::Storage(_) => "Storage",
    }
}

const VARIANTS: [&str; 14] = [
    "InsecureDatabase",
    "UnknownChallenge",
    "AlreadyAnswered",
    "Expired",
    "WrongOtp",
    "MalformedOtp",
    "MalformedConfirmation",
    "TokenLocked",
    "Mismatch",
    "NoActiveToken",
    "NoPendingActivation",
    "ActivationExpired",
    "Mosaic",
    "Storage",
];

#[test]
fn c35_portal_errors_never_show_otps_codes_or_keys() {
    let mut p = Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default());
    let mut errors = Vec::new();
    let mut canaries: Vec<String> = Vec::new();

    // Activation: a wrong confirmation, then the right one.
    let e = p.enroll("alice", ORIGIN, NOW).unwrap();
    canaries.push(e.code.display().to_string());
    let typed = ActivationCode::parse(&e.code.display()).unwrap();
    let offer = ActivationOffer::open(&Envelope::parse(&e.mosaic).unwrap(), &typed).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let device = activate(&offer, &DeviceSecret::generate(&rng).unwrap()).unwrap();
    let confirmation = device.confirmation.as_str().to_owned();
    // Well formed, with its last character changed: a wrong check.
    let last = if confirmation.ends_with('0') {
        "1"
    } else {
        "0"
    };
    let wrong = format!("{}{last}", &confirmation[..confirmation.len() - 1]);
    let slip = format!("{}U", &confirmation[..confirmation.len() - 1]);
    canaries.extend([
        confirmation.clone(),
        confirmation.replace('-', ""),
        wrong.clone(),
        slip.clone(),
    ]);
    errors.push(p.confirm("alice", &slip, NOW + 1).unwrap_err());
    errors.push(p.confirm("alice", &wrong, NOW + 1).unwrap_err());
    p.confirm("alice", &confirmation, NOW + 2).unwrap();
    errors.push(p.confirm("alice", &confirmation, NOW + 3).unwrap_err());
    // An activation that expired.
    p.enroll("bob", ORIGIN, NOW).unwrap();
    errors.push(p.confirm("bob", &wrong, NOW + 10 * 86_400).unwrap_err());

    // Login: wrong, right, again, late, other user, other purpose.
    let issued = p.login("alice", NOW + 10).unwrap();
    let challenge: Challenge = Challenge::open(
        &Envelope::parse(&issued.mosaic).unwrap(),
        device.keys.challenge.expose(),
    )
    .unwrap();
    let otp = respond(&challenge, device.keys.ocra.expose(), offer.params)
        .unwrap()
        .as_str()
        .to_owned();
    let wrong_otp = if otp == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    canaries.extend([otp.clone(), wrong_otp.to_owned()]);
    errors.push(p.verify(&issued.id, wrong_otp, None, NOW + 11).unwrap_err());
    let slip = format!("{}x", otp.get(..7).unwrap());
    canaries.push(slip.clone());
    errors.push(p.verify(&issued.id, &slip, None, NOW + 11).unwrap_err());
    errors.push(
        p.verify(
            &issued.id,
            &otp,
            Some(("mallory", MosaicKind::Login)),
            NOW + 11,
        )
        .unwrap_err(),
    );
    p.verify(
        &issued.id,
        &otp,
        Some(("alice", MosaicKind::Login)),
        NOW + 12,
    )
    .unwrap();
    errors.push(p.verify(&issued.id, &otp, None, NOW + 13).unwrap_err());
    let late = p.login("alice", NOW + 20).unwrap();
    errors.push(p.verify(&late.id, &otp, None, NOW + 10_000).unwrap_err());
    errors.push(
        p.verify("00112233445566778899aabb", &otp, None, NOW)
            .unwrap_err(),
    );
    errors.push(p.login("carol", NOW).unwrap_err());
    // Wrong OTPs until the token locks.
    let locking = p.login("alice", NOW + 30).unwrap();
    for _ in 0..6 {
        if let Err(e) = p.verify(&locking.id, wrong_otp, None, NOW + 31) {
            errors.push(e);
        }
    }
    // A field the protocol refuses.
    errors.push(p.enroll("dave\u{202E}", ORIGIN, NOW).unwrap_err());
    // A database others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let db = std::env::temp_dir().join(format!("tessera-c35-{}.db", std::process::id()));
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        errors.push(SqliteStore::open(&db).unwrap_err());
        let _ = std::fs::remove_file(&db);
    }
    #[cfg(not(unix))]
    errors.push(PortalError::InsecureDatabase("portal.db".into()));
    // SQLite does not fail on demand: constructed as `From<rusqlite::Error>` makes it.
    errors.push(PortalError::from(rusqlite::Error::InvalidQuery));

    let keys = keys_of(&p.store().token(&offer.token_id).unwrap().unwrap());
    for key in [
        keys.ocra.expose(),
        keys.challenge.expose(),
        offer.keys.ocra.expose(),
        offer.keys.challenge.expose(),
    ] {
        canaries.push(data_encoding::HEXLOWER.encode(key));
        canaries.push(format!("{key:?}").trim_matches(['[', ']']).to_owned());
    }
    let seen: BTreeSet<_> = errors.iter().map(variant).collect();
    let missing: Vec<_> = VARIANTS.iter().filter(|v| !seen.contains(*v)).collect();
    assert!(missing.is_empty(), "never produced: {missing:?}");
    for e in &errors {
        for shown in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            for c in &canaries {
                assert!(!shown.contains(c.as_str()), "{c:?} in {shown:?}");
            }
        }
    }
}

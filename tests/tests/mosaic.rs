//! The mosaic protocol: round trips, sizes that fit the QR versions the
//! protocol promises, and every way a mosaic can be wrong.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::type_complexity)]
use qrcode::{EcLevel, QrCode, Version};
use ring::rand::SystemRandom;
use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, ConfirmationCode, DeviceSecret, Envelope,
    MosaicError, MosaicKind, OtpParams, TokenId, TokenKeys, Transaction, activate, respond,
    verify_confirmation, verify_response,
};
use tessera_core::otp::Algorithm;
use tessera_core::secret::SecretBytes;

const NOW: u64 = 1_764_400_000;

fn rng() -> SystemRandom {
    SystemRandom::new()
}

fn token() -> TokenId {
    TokenId::from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap()
}

fn login() -> Challenge {
    tessera_tests::sample_login(NOW)
}

fn transfer() -> Challenge {
    tessera_tests::sample_transfer(NOW)
}

fn keys() -> TokenKeys {
    TokenKeys {
        ocra: SecretBytes::from_slice(&[0x11; 32]),
        challenge: SecretBytes::from_slice(&[0x22; 32]),
    }
}

fn offer() -> ActivationOffer {
    ActivationOffer {
        token_id: token(),
        user_id: "alice.martin".into(),
        origin: "https://portal.example.lu".into(),
        params: OtpParams::default(),
        issued_at: NOW,
        expires_at: NOW + 24 * 3600,
        nonce: [0x77; 12],
        keys: keys(),
    }
}

fn qr_version(payload: &[u8]) -> i16 {
    match QrCode::with_error_correction_level(payload, EcLevel::M)
        .unwrap()
        .version()
    {
        Version::Normal(v) => v,
        Version::Micro(_) => panic!("micro QR"),
    }
}

#[test]
fn challenges_round_trip_and_fit_small_qr_codes() {
    let key = [0x22u8; 32];
    for (challenge, max_version) in [(login(), 7), (transfer(), 10)] {
        let sealed = challenge.seal(&key).unwrap();
        let envelope = Envelope::parse(&sealed).unwrap();
        assert_eq!(envelope.kind(), challenge.kind());
        assert_eq!(envelope.token_id(), Some(token()));
        assert_eq!(Challenge::open(&envelope, &key).unwrap(), challenge);
        let version = qr_version(&sealed);
        assert!(
            version <= max_version,
            "{:?}: {} bytes need QR version {version}",
            challenge.kind(),
            sealed.len()
        );
    }
    // A long payee and free text still fit version 10.
    let mut big = transfer();
    let t = big.transaction.as_mut().unwrap();
    t.payee = "Société Luxembourgeoise de Boulangerie".into();
    t.reference = Some("RF18539007547034".into());
    let sealed = big.seal(&key).unwrap();
    assert!(qr_version(&sealed) <= 10, "{} bytes", sealed.len());
    // Version 10 at level M holds 213 bytes: room remains for longer texts.
    assert!(sealed.len() <= 213 - 10, "{} bytes", sealed.len());
}

#[test]
fn activation_round_trip() {
    let code = ActivationCode::generate(&rng()).unwrap();
    let sealed = offer().seal(&code, &rng()).unwrap();
    let envelope = Envelope::parse(&sealed).unwrap();
    assert_eq!(envelope.kind(), MosaicKind::Activation);
    let typed = ActivationCode::parse(&code.display().to_lowercase().replace('-', " ")).unwrap();
    let opened = ActivationOffer::open(&envelope, &typed).unwrap();
    assert_eq!(opened.token_id, token());
    assert_eq!(opened.origin, "https://portal.example.lu");
    assert_eq!(opened.keys.ocra, SecretBytes::from_slice(&[0x11; 32]));
    assert!(qr_version(&sealed) <= 10, "{} bytes", sealed.len());

    // The device's own keys, and the confirmation code that hands its
    // secret to the portal (review M3).
    let device = activate(&opened, &DeviceSecret::generate(&rng()).unwrap()).unwrap();
    assert_ne!(device.keys.ocra, opened.keys.ocra);
    assert_ne!(device.keys.challenge, opened.keys.challenge);
    let shown = device.confirmation.as_str();
    assert_eq!(shown.len(), 29, "{shown}");
    assert!(shown.split('-').all(|g| {
        g.len() == 4
            && g.bytes()
                .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
    }));
    // What the user types, read back by the portal, gives the device's keys.
    let typed = ConfirmationCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
    let keys = verify_confirmation(&offer().keys, &[0x77; 12], &typed).unwrap();
    assert_eq!(keys.ocra, device.keys.ocra);
    assert_eq!(keys.challenge, device.keys.challenge);
    // Another offer's nonce or keys: the check fails.
    assert_eq!(
        verify_confirmation(&offer().keys, &[0x78; 12], &typed).err(),
        Some(MosaicError::WrongResponse)
    );
    let other = TokenKeys {
        ocra: SecretBytes::from_slice(&[0x12; 32]),
        challenge: SecretBytes::from_slice(&[0x22; 32]),
    };
    assert_eq!(
        verify_confirmation(&other, &[0x77; 12], &typed).err(),
        Some(MosaicError::WrongResponse)
    );
    // Two activations of the same offer draw two secrets: two key sets.
    let again = activate(&opened, &DeviceSecret::generate(&rng()).unwrap()).unwrap();
    assert_ne!(again.keys.ocra, device.keys.ocra);
    assert_ne!(again.confirmation.as_str(), device.confirmation.as_str());
}

/// Review M3: the final keys and the confirmation code, computed
/// independently (Python's hmac) for ocra = 0x11…, challenge = 0x22…,
/// nonce = 0x77…, d = 01 02 … 0a: the ADR's formulas, byte for byte.
#[test]
fn confirmation_known_answer() {
    let code = ConfirmationCode::parse("0410-6105-0R3G-G28A-JGV7-2TN0").unwrap();
    let own = verify_confirmation(&keys(), &[0x77; 12], &code).unwrap();
    let hex = |k: &SecretBytes| data_encoding::HEXLOWER.encode(k.expose());
    assert_eq!(
        hex(&own.ocra),
        "f816832b249430bdc1159a747bd580691fe4baab3c675f683ed8cad5b650a765"
    );
    assert_eq!(
        hex(&own.challenge),
        "92c48e88a185142a87232adfc646b7d25e3f5907a57f036c9ad706171c10a0b5"
    );
    // Any other check (here its last symbol) is refused.
    let wrong = ConfirmationCode::parse("0410-6105-0R3G-G28A-JGV7-2TN1").unwrap();
    assert_eq!(
        verify_confirmation(&keys(), &[0x77; 12], &wrong).err(),
        Some(MosaicError::WrongResponse)
    );
}

/// Review M3: the confirmation code is typed by a person. Case, spaces,
/// dashes and the look-alikes I/L (1) and O (0) are forgiven; anything that
/// is not 24 symbols of the alphabet is malformed.
#[test]
fn confirmation_codes_forgive_typing_and_refuse_junk() {
    let canonical = "0410-6105-0R3G-G28A-JGV7-2TN0";
    for typed in [
        "0410-6105-0R3G-G28A-JGV7-2TN0",
        "0410 6105 0r3g g28a jgv7 2tnO",
        "O4lO-6iO5-0R3G-G28A-JGV7-2TNo",
        "04106105 0R3GG28AJGV72TN0",
        " 0410-6105-0R3G-G28A-JGV7-2TN0\t",
    ] {
        let code = ConfirmationCode::parse(typed).unwrap();
        assert_eq!(code.as_str(), canonical, "{typed:?}");
        verify_confirmation(&keys(), &[0x77; 12], &code).unwrap();
    }
    for bad in [
        "",
        "12345678",
        "0410-6105-0R3G-G28A-JGV7-2TN",
        "0410-6105-0R3G-G28A-JGV7-2TN00",
        "0410-6105-0R3G-G28A-JGV7-2TNU",
        "0410-6105-0R3G-G28A-JGV7-2TN!",
        "0410_6105_0R3G_G28A_JGV7_2TN0",
        "0410-6105-0R3G-G28A-JGV7-2TN٠",
    ] {
        assert!(
            matches!(
                ConfirmationCode::parse(bad),
                Err(MosaicError::InvalidConfirmationCode(_))
            ),
            "{bad:?}"
        );
    }
    let code = ConfirmationCode::parse(canonical).unwrap();
    assert!(!format!("{code:?}").contains("0410"));
}

#[test]
fn a_wrong_activation_code_is_reported_as_such() {
    let code = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
    let sealed = offer().seal(&code, &rng()).unwrap();
    let envelope = Envelope::parse(&sealed).unwrap();
    let wrong = ActivationCode::parse("ABCD-EFGH-JKMN-PQRT").unwrap();
    assert_eq!(
        ActivationOffer::open(&envelope, &wrong).err(),
        Some(MosaicError::WrongActivationCode)
    );
    // Look-alikes are forgiven; malformed codes are refused before the KDF.
    assert!(ActivationCode::parse("abcd efgh jkmn pqrs").is_ok());
    assert_eq!(
        ActivationCode::parse("0O1I-L000-0000-0000")
            .unwrap()
            .display()
            .as_str(),
        "0011-1000-0000-0000"
    );
    for bad in [
        "",
        "ABCD",
        "ABCD-EFGH-JKMN-PQRSX",
        "ABCD-EFGH-JKMN-PQRU",
        "ABCD-EFGH-JKMN-PQR!",
    ] {
        assert!(
            matches!(
                ActivationCode::parse(bad),
                Err(MosaicError::InvalidActivationCode(_))
            ),
            "{bad}"
        );
    }
    assert!(!format!("{code:?}").contains("ABCD"));
}

/// check C23 (docs/threat-model.md): flipping any single bit of a sealed mosaic is
/// refused, and no display data comes out of it.
#[test]
fn every_single_bit_flip_is_refused() {
    let key = [0x22u8; 32];
    for challenge in [login(), transfer()] {
        let sealed = challenge.seal(&key).unwrap();
        for bit in 0..sealed.len() * 8 {
            let mut bad = sealed.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let opened = Envelope::parse(&bad).and_then(|e| Challenge::open(&e, &key));
            assert!(
                opened.is_err(),
                "bit {bit} of a {:?} mosaic",
                challenge.kind()
            );
        }
    }
    let code = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
    let sealed = offer().seal(&code, &rng()).unwrap();
    // The KDF costs ~0.1 s, so a sample of positions over every part of the payload.
    for bit in (0..sealed.len() * 8).step_by(37) {
        let mut bad = sealed.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(
            Envelope::parse(&bad)
                .and_then(|e| ActivationOffer::open(&e, &code))
                .is_err(),
            "bit {bit}"
        );
    }
}

#[test]
fn only_the_addressed_device_reads_a_challenge() {
    let sealed = login().seal(&[0x22; 32]).unwrap();
    let envelope = Envelope::parse(&sealed).unwrap();
    assert_eq!(
        Challenge::open(&envelope, &[0x23; 32]),
        Err(MosaicError::Tampered)
    );
}

#[test]
fn login_and_transaction_are_domain_separated() {
    let key = [0x22u8; 32];
    // Re-labelling a login mosaic as a transaction breaks its authentication.
    let sealed = login().seal(&key).unwrap();
    let relabelled = {
        let mut b = sealed.clone();
        assert_eq!(b[2], 0x02, "kind byte of a login");
        b[2] = 0x03;
        b
    };
    let envelope = Envelope::parse(&relabelled).unwrap();
    assert_eq!(envelope.kind(), MosaicKind::Transaction);
    assert_eq!(Challenge::open(&envelope, &key), Err(MosaicError::Tampered));

    // The same nonce answered as a login and as a transaction gives
    // different OTPs, and neither verifies as the other.
    let login_otp = respond(&login(), &[0x11; 32], OtpParams::default()).unwrap();
    let tx_otp = respond(&transfer(), &[0x11; 32], OtpParams::default()).unwrap();
    assert_ne!(login_otp.as_str(), tx_otp.as_str());
    assert_eq!(
        verify_response(
            &transfer(),
            &[0x11; 32],
            OtpParams::default(),
            login_otp.as_str()
        ),
        Err(MosaicError::WrongResponse)
    );
    verify_response(
        &login(),
        &[0x11; 32],
        OtpParams::default(),
        login_otp.as_str(),
    )
    .unwrap();
    verify_response(
        &transfer(),
        &[0x11; 32],
        OtpParams::default(),
        tx_otp.as_str(),
    )
    .unwrap();
}

/// check C24 (docs/threat-model.md): changing any displayed field changes the OTP.
#[test]
fn what_you_see_is_what_you_sign() {
    let master = [0x11u8; 32];
    let original = respond(&transfer(), &master, OtpParams::default()).unwrap();
    let variants: Vec<Box<dyn Fn(&mut Transaction)>> = vec![
        Box::new(|t| t.amount = "1205.0".into()),
        Box::new(|t| t.amount = "120.51".into()),
        Box::new(|t| t.currency = "USD".into()),
        Box::new(|t| t.payee = "Boulangerie Schmit S.à r.l".into()),
        Box::new(|t| t.iban = "DE89370400440532013000".into()),
        Box::new(|t| t.reference = None),
        Box::new(|t| t.text = Some("x".into())),
    ];
    for (i, change) in variants.iter().enumerate() {
        let mut c = transfer();
        change(c.transaction.as_mut().unwrap());
        let otp = respond(&c, &master, OtpParams::default()).unwrap();
        assert_ne!(otp.as_str(), original.as_str(), "variant {i}");
        assert_eq!(
            verify_response(&c, &master, OtpParams::default(), original.as_str()),
            Err(MosaicError::WrongResponse),
            "variant {i}"
        );
    }
    // Another portal, another user, another nonce: another OTP.
    for change in [
        Box::new(|c: &mut Challenge| c.origin = "https://portal.example.com".into())
            as Box<dyn Fn(&mut Challenge)>,
        Box::new(|c: &mut Challenge| c.user_id = "bob".into()),
        Box::new(|c: &mut Challenge| c.nonce[0] ^= 1),
    ] {
        let mut c = transfer();
        change(&mut c);
        assert_ne!(
            respond(&c, &master, OtpParams::default()).unwrap().as_str(),
            original.as_str()
        );
    }
}

#[test]
fn display_fields_are_checked_when_sealing_and_opening() {
    let key = [0x22u8; 32];
    let bad: Vec<Box<dyn Fn(&mut Challenge)>> = vec![
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "Alice\u{202E}ecilA".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "Alice\nBob".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().iban = "LU280019400644750001".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().amount = "-5".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().currency = "eur".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().text = Some("x".repeat(141))),
        Box::new(|c| c.user_id = "\u{2066}admin".into()),
        Box::new(|c| c.origin = "https://a b".into()),
        Box::new(|c| c.expires_at = c.issued_at),
        Box::new(|c| c.expires_at = c.issued_at + 3601),
        // Invisible and look-alike-making characters (review finding L3).
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "Ali\u{00AD}ce".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "Alice\u{FE0F}".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "Alice\u{E0041}".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "Al\u{0338}ice".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().payee = "\u{3164}Alice".into()),
        Box::new(|c| c.transaction.as_mut().unwrap().reference = Some("Ref\u{FFF9}1".into())),
        Box::new(|c| c.user_id = "ali\u{034F}ce".into()),
        Box::new(|c| c.user_id = "alice\u{180E}".into()),
    ];
    for (i, change) in bad.iter().enumerate() {
        let mut c = transfer();
        change(&mut c);
        assert!(
            matches!(c.seal(&key), Err(MosaicError::InvalidField { .. })),
            "variant {i}"
        );
    }
}

#[test]
fn fields_that_imitate_other_text_are_named_for_the_approval_screen() {
    assert!(transfer().deceptive_fields().is_empty());
    let mut c = transfer();
    // A Cyrillic "а" in the payee, a Cyrillic "о" in the portal's name.
    c.transaction.as_mut().unwrap().payee = "Boulangerie Schmit \u{0430}nd Co".into();
    c.origin = "https://p\u{043E}rtal.example.lu".into();
    assert_eq!(c.deceptive_fields(), vec!["origin", "payee"]);
    // Sealed and opened, the flags are the same on the phone.
    let key = [0x22u8; 32];
    let opened = Challenge::open(&Envelope::parse(&c.seal(&key).unwrap()).unwrap(), &key).unwrap();
    assert_eq!(opened.deceptive_fields(), vec!["origin", "payee"]);
}

#[test]
fn time_checks() {
    let c = login();
    assert_eq!(c.check_time(NOW, 300), Ok(()));
    assert_eq!(c.check_time(NOW + 120, 300), Ok(()));
    assert_eq!(c.check_time(NOW - 299, 300), Ok(()));
    assert_eq!(
        c.check_time(NOW - 301, 300),
        Err(MosaicError::ClockSkew { offset_secs: -301 })
    );
    assert_eq!(c.check_time(NOW + 421, 300), Err(MosaicError::Expired));
    assert_eq!(
        c.check_time(0, 300),
        Err(MosaicError::ClockSkew {
            offset_secs: -(NOW as i64)
        })
    );
    assert_eq!(
        offer().check_time(NOW + 24 * 3600 + 1),
        Err(MosaicError::Expired)
    );
}

#[test]
fn junk_is_not_a_mosaic() {
    for junk in [
        &b""[..],
        b"hello",
        b"otpauth://totp/x?secret=AAAA",
        &[0x83, 0x01, 0x02],
        &[0x83, 0x02, 0x02, 0x80],
        &[0xff; 50],
    ] {
        assert!(Envelope::parse(junk).is_err(), "{junk:?}");
    }
    assert!(matches!(
        Envelope::parse(&[0u8; 1025]),
        Err(MosaicError::TooLarge { .. })
    ));
    // A future version is told apart from junk.
    let mut future = login().seal(&[0x22; 32]).unwrap();
    future[1] = 0x02;
    assert_eq!(
        Envelope::parse(&future).err(),
        Some(MosaicError::UnsupportedVersion(2))
    );
}

#[test]
fn params_other_than_the_default() {
    let params = OtpParams {
        digits: 6,
        hash: Algorithm::Sha512,
    };
    let otp = respond(&login(), &[0x11; 32], params).unwrap();
    assert_eq!(otp.len(), 6);
    verify_response(&login(), &[0x11; 32], params, otp.as_str()).unwrap();
}

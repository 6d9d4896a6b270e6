//! Check C35 (docs/threat-model.md) at every boundary: the `Display`, `Debug` and alternate
//! `Debug` of every variant of `OtpError`, `UriError`, `MosaicError`,
//! `ScanError`, `VaultError` and `AuthError` never contain a canary secret,
//! passcode, PIN, activation code or OTP used in the operation that produced
//! the error.
//!
//! Each error type has a `variant` function with an exhaustive match (no
//! wildcard), so a new
//! variant fails to compile until it is named here, and each test checks
//! that every variant was seen — produced by an operation with canaries
//! wherever one can produce it, constructed (with the fields an operation
//! would give it) only where none can in a test. `PortalError` has the same
//! test in `tessera-portal` (`canary_tests`).

use std::collections::BTreeSet;
use std::fmt::Debug;

use crate::authenticator::{AuthError, Authenticator, AuthenticatorConfig, Request};
use crate::mosaic::{
    ActivationCode, ActivationOffer, Challenge, ConfirmationCode, DeviceSecret, Envelope,
    MosaicError, OtpParams, TokenId, TokenKeys, Transaction, activate, respond,
    verify_confirmation, verify_response,
};
use crate::otp::{Algorithm, Hotp, Ocra, OcraInput, OtpError, OtpKey, Pin, Totp};
use crate::scan::{Detection, Frame, ScanError};
use crate::secret::SecretBytes;
use crate::uri::{MigrationImport, UriError, parse_key_uri, parse_migration};
use crate::vault::testing::FakePlatform;
use crate::vault::{Passcode, VaultConfig};

/// The OTP key of every operation: its text, hex, base32 and base64 forms
/// are canaries.
const KEY: &[u8] = b"CANARY-OTP-KEY-0123456789";
const PASSCODE: &[u8] = b"Canary#Pw-7319q";
const PIN: &[u8] = b"PIN-CANARY-8842";
const ACTIVATION_CODE: &str = "CANA-RYC0-DE12-3456";
const CHALLENGE_KEY: [u8; 32] = *b"CANARY-CHALLENGE-KEY-0123456789!";
const OCRA_KEY: [u8; 32] = *b"CANARY-OCRA-KEY-0123456789abcdef";
const NOW: u64 = 1_764_400_000;

fn base32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

/// Every text form of every canary, plus the OTPs the operations used.
fn canaries(otps: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for secret in [KEY, PIN, &CHALLENGE_KEY, &OCRA_KEY] {
        out.push(String::from_utf8_lossy(secret).into_owned());
        out.push(data_encoding::HEXLOWER.encode(secret));
        out.push(data_encoding::HEXUPPER.encode(secret));
        out.push(base32(secret));
        out.push(base32(secret).to_lowercase());
        out.push(data_encoding::BASE64.encode(secret));
        // Debug of a byte slice.
        out.push(format!("{secret:?}").trim_matches(['[', ']']).to_owned());
    }
    out.push(String::from_utf8_lossy(PASSCODE).into_owned());
    out.push(ACTIVATION_CODE.to_owned());
    out.push(ACTIVATION_CODE.replace('-', ""));
    out.extend(otps.iter().cloned());
    out
}

fn assert_clean<E: std::fmt::Display + Debug>(errors: &[E], otps: &[String]) {
    let canaries = canaries(otps);
    for e in errors {
        for shown in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            for c in &canaries {
                assert!(!shown.contains(c.as_str()), "{c:?} in {shown:?}");
            }
        }
    }
}

fn assert_all_seen(seen: &BTreeSet<&'static str>, all: &[&'static str]) {
    let missing: Vec<_> = all.iter().filter(|v| !seen.contains(*v)).collect();
    assert!(missing.is_empty(), "variants never produced: {missing:?}");
}

fn key() -> OtpKey {
    OtpKey::new(KEY.to_vec()).unwrap()
}

// ---------------------------------------------------------------- OtpError

fn otp_variant(e: &OtpError) -> &'static str {
    match e {
        OtpError::InvalidDigits { .. } => "InvalidDigits",
        OtpError::InvalidTruncation(_) => "InvalidTruncation",
        OtpError::UnknownAlgorithm(_) => "UnknownAlgorithm",
        OtpError::EmptyKey => "EmptyKey",
        OtpError::KeyTooShort { .. } => "KeyTooShort",
        OtpError::KeyTooLong { .. } => "KeyTooLong",
        OtpError::ZeroPeriod => "ZeroPeriod",
        OtpError::TimeBeforeEpoch { .. } => "TimeBeforeEpoch",
        OtpError::CounterOverflow => "CounterOverflow",
        OtpError::WindowTooLarge { .. } => "WindowTooLarge",
        OtpError::NoMatch => "NoMatch",
        OtpError::InvalidSuite(_) => "InvalidSuite",
        OtpError::Missing(_) => "Missing",
        OtpError::Unexpected(_) => "Unexpected",
        OtpError::QuestionLength { .. } => "QuestionLength",
        OtpError::QuestionAlphabet(_) => "QuestionAlphabet",
        OtpError::WrongLength { .. } => "WrongLength",
    }
}

const OTP_VARIANTS: [&str; 17] = [
    "InvalidDigits",
    "InvalidTruncation",
    "UnknownAlgorithm",
    "EmptyKey",
    "KeyTooShort",
    "KeyTooLong",
    "ZeroPeriod",
    "TimeBeforeEpoch",
    "CounterOverflow",
    "WindowTooLarge",
    "NoMatch",
    "InvalidSuite",
    "Missing",
    "Unexpected",
    "QuestionLength",
    "QuestionAlphabet",
    "WrongLength",
];

#[test]
fn c35_otp_errors_never_show_keys_pins_or_codes() {
    let hotp = Hotp::new(key(), Algorithm::Sha1, 6).unwrap();
    let otps: Vec<String> = (0..12)
        .map(|c| hotp.generate(c).as_str().to_owned())
        .collect();
    let pin_suite = "OCRA-1:HOTP-SHA1-6:C-QN08-PSHA1".parse().unwrap();
    let ocra = Ocra::new(pin_suite, key());
    let with_pin = OcraInput {
        counter: Some(1),
        question: "12345678",
        pin: Some(Pin::Clear(PIN)),
        ..OcraInput::default()
    };
    let ocra_code = ocra.compute(&with_pin).unwrap().as_str().to_owned();
    let mut errors = vec![
        Hotp::new(key(), Algorithm::Sha1, 9).unwrap_err(),
        "OCRA-1:HOTP-SHA1-3:QN08"
            .parse::<crate::otp::OcraSuite>()
            .unwrap_err(),
        "CANARY-OTP-KEY"
            .parse::<Algorithm>()
            .map(|_| ())
            .unwrap_err(),
        OtpKey::import(Vec::new()).unwrap_err(),
        OtpKey::new(KEY[..10].to_vec()).unwrap_err(),
        OtpKey::import(KEY.repeat(50)).unwrap_err(),
        Totp::new(key(), Algorithm::Sha1, 6, 0, 0).unwrap_err(),
        Totp::new(key(), Algorithm::Sha1, 6, 30, NOW)
            .unwrap()
            .verify(&otps[0], 5, 1)
            .unwrap_err(),
        hotp.verify(&otps[3], u64::MAX, 1).unwrap_err(),
        hotp.verify(&otps[3], 0, 1001).unwrap_err(),
        hotp.verify(&otps[11], 0, 10).unwrap_err(),
        "OCRA-1:HOTP-SHA1-6:QN08-CANARY"
            .parse::<crate::otp::OcraSuite>()
            .unwrap_err(),
        ocra.compute(&OcraInput {
            counter: None,
            ..with_pin
        })
        .unwrap_err(),
        ocra.compute(&OcraInput {
            timestamp: Some(1),
            ..with_pin
        })
        .unwrap_err(),
        ocra.compute(&OcraInput {
            question: "123456789",
            ..with_pin
        })
        .unwrap_err(),
        ocra.compute(&OcraInput {
            question: "1234567a",
            ..with_pin
        })
        .unwrap_err(),
        ocra.compute(&OcraInput {
            pin: Some(Pin::Hash(PIN)),
            ..with_pin
        })
        .unwrap_err(),
        ocra.verify(
            &ocra_code,
            &OcraInput {
                counter: Some(2),
                ..with_pin
            },
            0,
        )
        .unwrap_err(),
    ];
    errors.push(
        ocra.verify(
            &ocra_code,
            &OcraInput {
                counter: Some(u64::MAX),
                ..with_pin
            },
            1,
        )
        .unwrap_err(),
    );
    let seen: BTreeSet<_> = errors.iter().map(otp_variant).collect();
    assert_all_seen(&seen, &OTP_VARIANTS);
    let mut otps = otps;
    otps.push(ocra_code);
    assert_clean(&errors, &otps);
}

// ---------------------------------------------------------------- UriError

fn uri_variant(e: &UriError) -> &'static str {
    match e {
        UriError::TooLong { .. } => "TooLong",
        UriError::WrongScheme { .. } => "WrongScheme",
        UriError::UnknownType(_) => "UnknownType",
        UriError::MissingParameter(_) => "MissingParameter",
        UriError::DuplicateParameter(_) => "DuplicateParameter",
        UriError::InvalidParameter { .. } => "InvalidParameter",
        UriError::Otp(_) => "Otp",
        UriError::InvalidExport(_) => "InvalidExport",
        UriError::BatchMismatch(_) => "BatchMismatch",
        UriError::IncompleteExport { .. } => "IncompleteExport",
    }
}

const URI_VARIANTS: [&str; 10] = [
    "TooLong",
    "WrongScheme",
    "UnknownType",
    "MissingParameter",
    "DuplicateParameter",
    "InvalidParameter",
    "Otp",
    "InvalidExport",
    "BatchMismatch",
    "IncompleteExport",
];

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// An export of one TOTP entry with the canary key, batch `index` of `size`.
fn export(size: u64, index: u64, id: u64, algorithm: u64) -> String {
    let mut entry = Vec::new();
    for (tag, bytes) in [
        (1u64, KEY),
        (2, b"alice".as_slice()),
        (3, b"Bank".as_slice()),
    ] {
        varint(&mut entry, (tag << 3) | 2);
        varint(&mut entry, bytes.len() as u64);
        entry.extend_from_slice(bytes);
    }
    for (tag, v) in [(4u64, algorithm), (5, 1), (6, 2)] {
        varint(&mut entry, tag << 3);
        varint(&mut entry, v);
    }
    let mut payload = Vec::new();
    varint(&mut payload, (1 << 3) | 2);
    varint(&mut payload, entry.len() as u64);
    payload.extend(entry);
    for (tag, v) in [(2u64, 1), (3, size), (4, index), (5, id)] {
        varint(&mut payload, tag << 3);
        varint(&mut payload, v);
    }
    format!(
        "otpauth-migration://offline?data={}",
        data_encoding::BASE64.encode(&payload)
    )
}

#[test]
fn c35_uri_errors_never_show_the_secret() {
    let s = base32(KEY);
    let uris = [
        format!("otpauth://totp/x?secret={s}&image={}", "a".repeat(5000)),
        format!("https://totp/x?secret={s}"),
        format!("otpauth://motp/x?secret={s}"),
        "otpauth://totp/x?issuer=CANARY".to_owned(),
        format!("otpauth://totp/x?secret={s}&secret={s}"),
        format!("otpauth://totp/x?secret={s}1"),
        format!("otpauth://totp/x?secret={s}&digits=9"),
        format!("otpauth://totp/Bank:al%E2%80%AEice?secret={s}"),
        format!("otpauth://totp/x?secret={s}&algorithm=MD5"),
    ];
    let mut errors: Vec<UriError> = uris.iter().map(|u| parse_key_uri(u).unwrap_err()).collect();
    errors.push(parse_migration(&format!("{}AAAA", export(1, 0, 1, 1))).unwrap_err());
    errors.push(parse_migration(&export(1, 0, 1, 1).replace("data=", "data=%FF")).unwrap_err());
    let mut import = MigrationImport::new();
    import.add(&export(2, 0, 7, 1)).unwrap();
    errors.push(import.add(&export(2, 0, 7, 1)).unwrap_err());
    errors.push(import.add(&export(3, 1, 8, 1)).unwrap_err());
    errors.push(import.finish().unwrap_err());
    // A skipped entry's reason is shown too.
    let md5 = parse_migration(&export(1, 0, 1, 4)).unwrap();
    assert_eq!(md5.skipped.len(), 1);
    let reasons: Vec<String> = md5.skipped.iter().map(|s| format!("{s:?}")).collect();
    assert_clean(&reasons, &[]);
    let seen: BTreeSet<_> = errors.iter().map(uri_variant).collect();
    assert_all_seen(&seen, &URI_VARIANTS);
    assert_clean(&errors, &[]);
}

// ------------------------------------------------------------- MosaicError

fn mosaic_variant(e: &MosaicError) -> &'static str {
    match e {
        MosaicError::NotAMosaic => "NotAMosaic",
        MosaicError::UnsupportedVersion(_) => "UnsupportedVersion",
        MosaicError::TooLarge { .. } => "TooLarge",
        MosaicError::Malformed(_) => "Malformed",
        MosaicError::NotForThisDevice => "NotForThisDevice",
        MosaicError::Tampered => "Tampered",
        MosaicError::WrongActivationCode => "WrongActivationCode",
        MosaicError::InvalidActivationCode(_) => "InvalidActivationCode",
        MosaicError::InvalidConfirmationCode(_) => "InvalidConfirmationCode",
        MosaicError::Expired => "Expired",
        MosaicError::ClockSkew { .. } => "ClockSkew",
        MosaicError::AlreadyAnswered => "AlreadyAnswered",
        MosaicError::InvalidField { .. } => "InvalidField",
        MosaicError::WrongKind { .. } => "WrongKind",
        MosaicError::WrongResponse => "WrongResponse",
        MosaicError::Random => "Random",
    }
}

const MOSAIC_VARIANTS: [&str; 16] = [
    "NotAMosaic",
    "UnsupportedVersion",
    "TooLarge",
    "Malformed",
    "NotForThisDevice",
    "Tampered",
    "WrongActivationCode",
    "InvalidActivationCode",
    "InvalidConfirmationCode",
    "Expired",
    "ClockSkew",
    "AlreadyAnswered",
    "InvalidField",
    "WrongKind",
    "WrongResponse",
    "Random",
];

fn challenge() -> Challenge {
    Challenge {
        token_id: TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
        nonce: [9; 12],
        origin: "https://portal.example".into(),
        user_id: "alice".into(),
        issued_at: NOW,
        expires_at: NOW + 120,
        transaction: Some(Transaction {
            amount: "10.00".into(),
            currency: "EUR".into(),
            payee: "Shop".into(),
            iban: "LU280019400644750000".into(),
            reference: None,
            text: None,
        }),
    }
}

fn offer() -> ActivationOffer {
    ActivationOffer {
        token_id: TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
        user_id: "alice".into(),
        origin: "https://portal.example".into(),
        params: OtpParams::default(),
        issued_at: NOW,
        expires_at: NOW + 600,
        nonce: [7; 12],
        keys: TokenKeys {
            ocra: SecretBytes::from_slice(&OCRA_KEY),
            challenge: SecretBytes::from_slice(&CHALLENGE_KEY),
        },
    }
}

#[test]
fn c35_mosaic_errors_never_show_keys_codes_or_otps() {
    let c = challenge();
    let sealed = c.seal(&CHALLENGE_KEY).unwrap();
    let envelope = Envelope::parse(&sealed).unwrap();
    let otp = respond(&c, &OCRA_KEY, OtpParams::default()).unwrap();
    let mut other = c.clone();
    other.nonce = [8; 12];
    let rng = ring::rand::SystemRandom::new();
    let code = ActivationCode::parse(ACTIVATION_CODE).unwrap();
    let offer_mosaic = offer().seal(&code, &rng).unwrap();
    let offer_envelope = Envelope::parse(&offer_mosaic).unwrap();
    let wrong_code = ActivationCode::parse("0000-0000-0000-0000").unwrap();
    let mut version_2 = sealed.clone();
    version_2[1] = 2;
    let mut flipped = sealed.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut huge = challenge();
    huge.transaction.as_mut().unwrap().text = Some("😀".repeat(140));
    huge.transaction.as_mut().unwrap().payee = "😀".repeat(70);
    huge.user_id = "😀".repeat(64);
    let mut bad_payee = challenge();
    bad_payee.transaction.as_mut().unwrap().payee = "Sh\u{202E}op".into();
    let device = activate(&offer(), &DeviceSecret::generate(&rng).unwrap()).unwrap();
    let confirmation = device.confirmation.as_str().to_owned();
    // The same device secret with a check for another offer's nonce.
    let mut other_offer = offer();
    other_offer.nonce = [8; 12];
    let mut errors = vec![
        Envelope::parse(KEY).unwrap_err(),
        Envelope::parse(&version_2).unwrap_err(),
        huge.seal(&CHALLENGE_KEY).unwrap_err(),
        Envelope::parse(&[sealed.as_slice(), &[0]].concat()).unwrap_err(),
        Challenge::open(&Envelope::parse(&flipped).unwrap(), &CHALLENGE_KEY).unwrap_err(),
        Challenge::open(&envelope, &OCRA_KEY).unwrap_err(),
        ActivationOffer::open(&offer_envelope, &wrong_code).unwrap_err(),
        ActivationCode::parse("CANARY-CODE-UUUU-1234").unwrap_err(),
        ConfirmationCode::parse(&format!("{confirmation}-U")).unwrap_err(),
        verify_confirmation(&other_offer.keys, &other_offer.nonce, &device.confirmation)
            .map(|_| ())
            .unwrap_err(),
        c.check_time(NOW + 10_000, 60).unwrap_err(),
        c.check_time(NOW - 10_000, 60).unwrap_err(),
        bad_payee.seal(&CHALLENGE_KEY).unwrap_err(),
        Challenge::open(&offer_envelope, &CHALLENGE_KEY).unwrap_err(),
        verify_response(&other, &OCRA_KEY, OtpParams::default(), otp.as_str()).unwrap_err(),
    ];
    // No test can make ring's SystemRandom fail, nor does anything in the
    // core produce these two (the authenticator and the portal do, below
    // and in tessera-portal): constructed as those produce them.
    errors.push(MosaicError::Random);
    errors.push(MosaicError::AlreadyAnswered);
    let auth = auth_with_token();
    let mut stranger = challenge();
    stranger.token_id = TokenId::from_bytes([8; 8]);
    match auth.read(&stranger.seal(&CHALLENGE_KEY).unwrap()) {
        Err(AuthError::Mosaic(e)) => errors.push(e),
        other => panic!("{other:?}"),
    }
    let seen: BTreeSet<_> = errors.iter().map(mosaic_variant).collect();
    assert_all_seen(&seen, &MOSAIC_VARIANTS);
    assert_clean(
        &errors,
        &[
            otp.as_str().to_owned(),
            confirmation.clone(),
            confirmation.replace('-', ""),
        ],
    );
}

// --------------------------------------------------------------- ScanError

fn scan_variant(e: &ScanError) -> &'static str {
    match e {
        ScanError::InvalidFrame(_) => "InvalidFrame",
        ScanError::EmptyPayload => "EmptyPayload",
        ScanError::PayloadTooLarge { .. } => "PayloadTooLarge",
    }
}

#[test]
fn c35_scan_errors_never_show_the_payload() {
    let payload = format!("otpauth://totp/x?secret={}", base32(KEY)).repeat(100);
    let pixels = payload.as_bytes();
    let errors = [
        Frame::luma(100, 100, pixels, 100).err().unwrap(),
        Frame::rgba(10, 10, pixels, 3).err().unwrap(),
        Detection::from_platform(Vec::new()).unwrap_err(),
        Detection::from_platform(pixels.to_vec()).unwrap_err(),
    ];
    let seen: BTreeSet<_> = errors.iter().map(scan_variant).collect();
    assert_all_seen(&seen, &["InvalidFrame", "EmptyPayload", "PayloadTooLarge"]);
    assert_clean(&errors, &[]);
}

// ----------------------------------------------------- AuthError, VaultError

fn auth_variant(e: &AuthError) -> &'static str {
    match e {
        AuthError::Vault(_) => "Vault",
        AuthError::Mosaic(_) => "Mosaic",
        AuthError::Scan(_) => "Scan",
        AuthError::Uri(_) => "Uri",
        AuthError::Unrecognised => "Unrecognised",
        AuthError::NoVault => "NoVault",
        AuthError::AlreadyActivated => "AlreadyActivated",
        AuthError::ExportInParts(_) => "ExportInParts",
    }
}

fn passcode() -> Passcode {
    Passcode::new(PASSCODE.to_vec())
}

fn config() -> AuthenticatorConfig {
    AuthenticatorConfig {
        vault: VaultConfig::floor(),
        ..AuthenticatorConfig::default()
    }
}

/// An authenticator activated with the canary offer, behind the canary passcode.
fn auth_with_token() -> Authenticator {
    let fp = FakePlatform::new();
    fp.clock.set(NOW);
    let auth = Authenticator::new(fp.platform(), config()).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let code = ActivationCode::parse(ACTIVATION_CODE).unwrap();
    let mosaic = offer().seal(&code, &rng).unwrap();
    let Request::Activation(request) = auth.read(&mosaic).unwrap() else {
        panic!("not an activation");
    };
    let preview = auth.unseal_activation(&request, ACTIVATION_CODE).unwrap();
    auth.complete_activation(&preview, &passcode()).unwrap();
    auth
}

#[test]
fn c35_authenticator_and_vault_errors_never_show_secrets() {
    let fresh = Authenticator::new(FakePlatform::new().platform(), config()).unwrap();
    let auth = auth_with_token();
    let rng = ring::rand::SystemRandom::new();
    let code = ActivationCode::parse(ACTIVATION_CODE).unwrap();
    let mosaic = offer().seal(&code, &rng).unwrap();
    let Request::Activation(again) = auth.read(&mosaic).unwrap() else {
        panic!("not an activation");
    };
    let mut errors = vec![
        fresh.unlock_with_passcode(&passcode()).unwrap_err(),
        auth.unlock_with_passcode(&Passcode::new(b"Canary#Pw-7319Q".to_vec()))
            .unwrap_err(),
        auth.read(&[]).unwrap_err(),
        auth.read(KEY).unwrap_err(),
        auth.read(export(2, 0, 3, 1).as_bytes()).unwrap_err(),
        auth.read(format!("otpauth://totp/x?secret={}1", base32(KEY)).as_bytes())
            .unwrap_err(),
        auth.unseal_activation(&again, ACTIVATION_CODE).unwrap_err(),
        auth.unseal_activation(&again, "0000-0000-0000-0000")
            .unwrap_err(),
    ];
    let unlocked = auth.unlock_with_passcode(&passcode()).unwrap();
    let vault_errors = vec![
        unlocked
            .change_passcode(&Passcode::new(b"123456".to_vec()))
            .unwrap_err(),
        unlocked.code(crate::vault::TokenId(1), NOW).unwrap_err(),
        unlocked.code(crate::vault::TokenId(99), NOW).unwrap_err(),
    ];
    errors.extend(vault_errors.iter().cloned().map(AuthError::Vault));
    let seen: BTreeSet<_> = errors.iter().map(auth_variant).collect();
    assert_all_seen(
        &seen,
        &[
            "Vault",
            "Mosaic",
            "Scan",
            "Uri",
            "Unrecognised",
            "NoVault",
            "AlreadyActivated",
            "ExportInParts",
        ],
    );
    let shown = format!("{auth:?} {unlocked:?} {:?}", passcode());
    assert!(!shown.contains("Canary#Pw"), "{shown}");
    assert_clean(&errors, &[]);
    assert_clean(&vault_errors, &[]);
    // Every VaultError variant, with the vault's own canaries, is in
    // vault::tests::c35_errors_and_debug_never_show_secrets.
}

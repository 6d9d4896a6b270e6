//! Key URIs as real issuers write them (Google's Key URI format with the
//! quirks seen in the wild), the errors for the ones that cannot be read, and
//! `OtpToken::to_key_uri` round trips.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use tessera_core::otp::{Algorithm, OtpError, OtpKey};
use tessera_core::uri::{OtpToken, TokenKind, UriError, UriWarning, parse_key_uri};

/// RFC 4226/6238's 20-byte key, in base32.
const S20: &[u8] = b"12345678901234567890";
const B20: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// Google's example secret: 10 bytes, 80 bits.
const HELLO: &[u8] = b"Hello!\xde\xad\xbe\xef";
const B_HELLO: &str = "JBSWY3DPEHPK3PXP";

/// The longest URI accepted (`tessera_core::uri::otpauth::MAX_URI_LEN`).
const MAX_URI_LEN: usize = 4096;

/// What a URI should parse to.
#[derive(Debug)]
struct Want {
    kind: TokenKind,
    issuer: Option<&'static str>,
    account: &'static str,
    secret: &'static [u8],
    algorithm: Algorithm,
    digits: u8,
    warnings: Vec<UriWarning>,
}

/// A default TOTP token (SHA1, 6 digits, 30 s) with the 20-byte secret.
fn totp(issuer: Option<&'static str>, account: &'static str) -> Want {
    Want {
        kind: TokenKind::Totp { period: 30 },
        issuer,
        account,
        secret: S20,
        algorithm: Algorithm::Sha1,
        digits: 6,
        warnings: vec![],
    }
}

fn hotp(counter: u64) -> Want {
    Want {
        kind: TokenKind::Hotp { counter },
        ..totp(None, "x")
    }
}

fn short(want: Want) -> Want {
    Want {
        secret: HELLO,
        warnings: vec![UriWarning::ShortSecret { bits: 80 }],
        ..want
    }
}

fn with_algorithm(algorithm: Algorithm) -> Want {
    Want {
        algorithm,
        ..totp(None, "x")
    }
}

fn check_token(token: &OtpToken, want: &Want, ctx: &str) {
    assert_eq!(token.kind, want.kind, "{ctx}: kind");
    assert_eq!(token.issuer.as_deref(), want.issuer, "{ctx}: issuer");
    assert_eq!(token.account, want.account, "{ctx}: account");
    assert_eq!(token.secret.expose(), want.secret, "{ctx}: secret");
    assert_eq!(token.algorithm, want.algorithm, "{ctx}: algorithm");
    assert_eq!(token.digits, want.digits, "{ctx}: digits");
}

/// Field-by-field equality of two tokens (`OtpToken` is not `PartialEq`: its
/// key is compared only in constant time).
fn assert_same_token(a: &OtpToken, b: &OtpToken, ctx: &str) {
    assert_eq!(a.kind, b.kind, "{ctx}: kind");
    assert_eq!(a.issuer, b.issuer, "{ctx}: issuer");
    assert_eq!(a.account, b.account, "{ctx}: account");
    assert_eq!(a.secret.expose(), b.secret.expose(), "{ctx}: secret");
    assert_eq!(a.algorithm, b.algorithm, "{ctx}: algorithm");
    assert_eq!(a.digits, b.digits, "{ctx}: digits");
}

fn accepted_cases() -> Vec<(&'static str, String, Want)> {
    let s = B20;
    vec![
        // --- issuer: label prefix and parameter
        (
            "Google's example URI",
            format!("otpauth://totp/Example:alice@google.com?secret={B_HELLO}&issuer=Example"),
            short(totp(Some("Example"), "alice@google.com")),
        ),
        (
            "prefix and parameter agree, all parameters explicit",
            format!(
                "otpauth://totp/ACME%20Co:john.doe@email.com?secret={s}&issuer=ACME%20Co\
                 &algorithm=SHA1&digits=6&period=30"
            ),
            totp(Some("ACME Co"), "john.doe@email.com"),
        ),
        (
            "issuer only in the label prefix",
            format!("otpauth://totp/ACME%20Co:john?secret={s}"),
            totp(Some("ACME Co"), "john"),
        ),
        (
            "issuer only as a parameter",
            format!("otpauth://totp/john@example.com?secret={s}&issuer=ACME%20Co"),
            totp(Some("ACME Co"), "john@example.com"),
        ),
        (
            "prefix and parameter disagree: the parameter wins, with a warning",
            format!("otpauth://totp/Old%20Name:bob?secret={s}&issuer=New%20Name"),
            Want {
                warnings: vec![UriWarning::IssuerMismatch {
                    label: "Old Name".into(),
                    parameter: "New Name".into(),
                }],
                ..totp(Some("New Name"), "bob")
            },
        ),
        (
            "empty issuer parameter: the prefix is used",
            format!("otpauth://totp/Example:bob?secret={s}&issuer="),
            totp(Some("Example"), "bob"),
        ),
        // --- percent-encoding in the label and the issuer
        (
            "%3A as the separator, %40 in the account",
            format!("otpauth://totp/Example%3Aalice%40example.com?secret={s}&issuer=Example"),
            totp(Some("Example"), "alice@example.com"),
        ),
        (
            "spaces before the account name (literal colon)",
            format!("otpauth://totp/Example:%20%20alice?secret={s}"),
            totp(Some("Example"), "alice"),
        ),
        (
            "a space before the account name (encoded colon)",
            format!("otpauth://totp/Example%3A%20alice?secret={s}"),
            totp(Some("Example"), "alice"),
        ),
        (
            "UTF-8 in label and issuer",
            format!(
                "otpauth://totp/M%C3%BCller%20GmbH:j%C3%BCrgen?secret={s}\
                 &issuer=M%C3%BCller%20GmbH"
            ),
            totp(Some("Müller GmbH"), "jürgen"),
        ),
        (
            "'+' is a space in the issuer parameter but kept in the label path",
            format!("otpauth://totp/Big%20Corp:alice+otp@example.com?secret={s}&issuer=Big+Corp"),
            totp(Some("Big Corp"), "alice+otp@example.com"),
        ),
        (
            "'+' in UTF-8 issuer parameter",
            format!("otpauth://totp/M%C3%BCller%20GmbH:bob?secret={s}&issuer=M%C3%BCller+GmbH"),
            totp(Some("Müller GmbH"), "bob"),
        ),
        (
            "%2B in the issuer parameter is a plus",
            format!("otpauth://totp/A+B:bob?secret={s}&issuer=A%2BB"),
            totp(Some("A+B"), "bob"),
        ),
        (
            "'@' in a label without issuer",
            format!("otpauth://totp/alice@example.com?secret={s}"),
            totp(None, "alice@example.com"),
        ),
        (
            "'&' and '=' percent-encoded in the issuer parameter",
            format!("otpauth://totp/bob?secret={s}&issuer=R%26D%3Dfun"),
            totp(Some("R&D=fun"), "bob"),
        ),
        // --- secrets as people write them
        (
            "lowercase secret",
            format!("otpauth://totp/x?secret={}", s.to_lowercase()),
            totp(None, "x"),
        ),
        (
            "lowercase secret with a space and a dash",
            "otpauth://totp/x?secret=jbsw%20y3dp-ehpk3pxp".into(),
            short(totp(None, "x")),
        ),
        (
            "superfluous '=' padding",
            format!("otpauth://totp/x?secret={B_HELLO}===="),
            short(totp(None, "x")),
        ),
        (
            "required '=' padding (21 bytes)",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE======".into(),
            Want {
                secret: b"123456789012345678901",
                ..totp(None, "x")
            },
        ),
        (
            "percent-encoded padding",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE%3D%3D%3D%3D%3D%3D".into(),
            Want {
                secret: b"123456789012345678901",
                ..totp(None, "x")
            },
        ),
        // --- algorithm spellings
        (
            "algorithm=SHA-1",
            format!("otpauth://totp/x?secret={s}&algorithm=SHA-1"),
            with_algorithm(Algorithm::Sha1),
        ),
        (
            "algorithm=sha256",
            format!("otpauth://totp/x?secret={s}&algorithm=sha256"),
            with_algorithm(Algorithm::Sha256),
        ),
        (
            "algorithm=HmacSHA512",
            format!("otpauth://totp/x?secret={s}&algorithm=HmacSHA512"),
            with_algorithm(Algorithm::Sha512),
        ),
        (
            "algorithm=SHA512",
            format!("otpauth://totp/x?secret={s}&algorithm=SHA512"),
            with_algorithm(Algorithm::Sha512),
        ),
        // --- defaults and other parameters
        (
            "only a secret: SHA1, 6 digits, 30 s",
            format!("otpauth://totp/x?secret={s}"),
            totp(None, "x"),
        ),
        (
            "digits=8, period=60",
            format!("otpauth://totp/x?secret={s}&digits=8&period=60"),
            Want {
                digits: 8,
                kind: TokenKind::Totp { period: 60 },
                ..totp(None, "x")
            },
        ),
        (
            "digits=7, period=1",
            format!("otpauth://totp/x?secret={s}&digits=7&period=1"),
            Want {
                digits: 7,
                kind: TokenKind::Totp { period: 1 },
                ..totp(None, "x")
            },
        ),
        (
            "period=120 (the limit)",
            format!("otpauth://totp/x?secret={s}&period=120"),
            Want {
                kind: TokenKind::Totp { period: 120 },
                ..totp(None, "x")
            },
        ),
        (
            "hotp with a counter",
            format!("otpauth://hotp/x?secret={s}&counter=42"),
            hotp(42),
        ),
        (
            "hotp with the largest counter",
            format!("otpauth://hotp/x?secret={s}&counter=18446744073709551615"),
            hotp(u64::MAX),
        ),
        (
            "hotp without counter: 0, with a warning",
            format!("otpauth://hotp/x?secret={s}"),
            Want {
                warnings: vec![UriWarning::MissingCounter],
                ..hotp(0)
            },
        ),
        (
            "unknown parameters are ignored",
            format!(
                "otpauth://totp/Example:alice?secret={s}&issuer=Example\
                 &image=https%3A%2F%2Fexample.com%2Flogo.png&color=ff0000&lock=true"
            ),
            totp(Some("Example"), "alice"),
        ),
        (
            "upper-case scheme and type",
            format!("OTPAUTH://TOTP/Example:alice?secret={s}&issuer=Example"),
            totp(Some("Example"), "alice"),
        ),
        (
            "mixed-case scheme and type, upper-case parameter names",
            format!("OtpAuth://Hotp/x?SECRET={s}&Counter=7&DIGITS=8"),
            Want {
                digits: 8,
                ..hotp(7)
            },
        ),
        (
            "surrounding whitespace from a scanner",
            format!("  otpauth://totp/x?secret={s}\n"),
            totp(None, "x"),
        ),
    ]
}

#[test]
fn real_world_uris_parse() {
    let cases = accepted_cases();
    for (name, uri, want) in &cases {
        let parsed = parse_key_uri(uri).unwrap_or_else(|e| panic!("{name}: {uri}: {e}"));
        let ctx = format!("{name}: {uri}");
        check_token(&parsed.token, want, &ctx);
        assert_eq!(parsed.warnings, want.warnings, "{ctx}: warnings");
    }
    assert!(cases.len() >= 30, "{}", cases.len());
}

/// Every accepted URI, written back by `to_key_uri`, reads back the same
/// (without the warnings about how the original was written).
#[test]
fn parsed_uris_round_trip() {
    for (name, uri, _) in accepted_cases() {
        let first = parse_key_uri(&uri).unwrap().token;
        let written = first.to_key_uri();
        let again = parse_key_uri(&written).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same_token(&first, &again.token, name);
        let expected: Vec<UriWarning> = if first.secret.is_short() {
            vec![UriWarning::ShortSecret {
                bits: first.secret.bits(),
            }]
        } else {
            vec![]
        };
        assert_eq!(again.warnings, expected, "{name}");
    }
}

/// A URI that must be refused: name, URI, and the error it must give.
type Rejected = (&'static str, String, fn(&UriError) -> bool);

fn rejected_cases() -> Vec<Rejected> {
    let s = B20;
    let long = {
        let head = format!("otpauth://totp/x?secret={s}&image=");
        format!("{head}{}", "a".repeat(MAX_URI_LEN + 1 - head.len()))
    };
    vec![
        (
            "period=0",
            format!("otpauth://totp/x?secret={s}&period=0"),
            |e| matches!(e, UriError::InvalidParameter { name: "period", .. }),
        ),
        (
            "period=121",
            format!("otpauth://totp/x?secret={s}&period=121"),
            |e| matches!(e, UriError::InvalidParameter { name: "period", .. }),
        ),
        (
            "period=-30",
            format!("otpauth://totp/x?secret={s}&period=-30"),
            |e| matches!(e, UriError::InvalidParameter { name: "period", .. }),
        ),
        (
            "digits=5",
            format!("otpauth://totp/x?secret={s}&digits=5"),
            |e| matches!(e, UriError::InvalidParameter { name: "digits", .. }),
        ),
        (
            "digits=9",
            format!("otpauth://totp/x?secret={s}&digits=9"),
            |e| matches!(e, UriError::InvalidParameter { name: "digits", .. }),
        ),
        (
            "digits=x",
            format!("otpauth://totp/x?secret={s}&digits=x"),
            |e| matches!(e, UriError::InvalidParameter { name: "digits", .. }),
        ),
        (
            "digits= (empty)",
            format!("otpauth://totp/x?secret={s}&digits="),
            |e| matches!(e, UriError::InvalidParameter { name: "digits", .. }),
        ),
        (
            "counter=-1",
            format!("otpauth://hotp/x?secret={s}&counter=-1"),
            |e| {
                matches!(
                    e,
                    UriError::InvalidParameter {
                        name: "counter",
                        ..
                    }
                )
            },
        ),
        (
            "algorithm=MD5",
            format!("otpauth://totp/x?secret={s}&algorithm=MD5"),
            |e| matches!(e, UriError::Otp(OtpError::UnknownAlgorithm(a)) if a == "MD5"),
        ),
        (
            "no secret",
            "otpauth://totp/Example:alice?issuer=Example".into(),
            |e| matches!(e, UriError::MissingParameter("secret")),
        ),
        (
            "empty secret",
            "otpauth://totp/x?secret=&issuer=Example".into(),
            |e| matches!(e, UriError::InvalidParameter { name: "secret", .. }),
        ),
        (
            "'1' is not base32",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ".into(),
            |e| matches!(e, UriError::InvalidParameter { name: "secret", .. }),
        ),
        (
            "'0' is not base32",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJ0GEZDGNBVGY3TQOJQ".into(),
            |e| matches!(e, UriError::InvalidParameter { name: "secret", .. }),
        ),
        (
            "'8' is not base32",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJ8GEZDGNBVGY3TQOJQ".into(),
            |e| matches!(e, UriError::InvalidParameter { name: "secret", .. }),
        ),
        (
            "base32 of impossible length",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQG".into(),
            |e| matches!(e, UriError::InvalidParameter { name: "secret", .. }),
        ),
        (
            "duplicate secret",
            format!("otpauth://totp/x?secret={s}&secret={B_HELLO}"),
            |e| matches!(e, UriError::DuplicateParameter(p) if p == "secret"),
        ),
        (
            "duplicate issuer",
            format!("otpauth://totp/x?secret={s}&issuer=A&issuer=B"),
            |e| matches!(e, UriError::DuplicateParameter(p) if p == "issuer"),
        ),
        (
            "duplicate digits in different case",
            format!("otpauth://totp/x?secret={s}&digits=6&DIGITS=8"),
            |e| matches!(e, UriError::DuplicateParameter(p) if p == "digits"),
        ),
        (
            "http scheme",
            format!("https://example.com/totp/x?secret={s}"),
            |e| matches!(e, UriError::WrongScheme { .. }),
        ),
        ("single slash", format!("otpauth:/totp/x?secret={s}"), |e| {
            matches!(e, UriError::WrongScheme { .. })
        }),
        (
            "a migration export is not a Key URI",
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SBGFsaWNl".into(),
            |e| matches!(e, UriError::WrongScheme { .. }),
        ),
        ("empty string", String::new(), |e| {
            matches!(e, UriError::WrongScheme { .. })
        }),
        (
            "unknown type motp",
            format!("otpauth://motp/x?secret={s}"),
            |e| matches!(e, UriError::UnknownType(t) if t == "motp"),
        ),
        (
            "no type",
            format!("otpauth:///x?secret={s}"),
            |e| matches!(e, UriError::UnknownType(t) if t.is_empty()),
        ),
        ("over 4096 bytes", long, |e| {
            matches!(
                e,
                UriError::TooLong {
                    len: 4097,
                    max: MAX_URI_LEN
                }
            )
        }),
        (
            "invalid UTF-8 in the label",
            format!("otpauth://totp/Example:%C3%28?secret={s}"),
            |e| matches!(e, UriError::InvalidParameter { name: "label", .. }),
        ),
        (
            "invalid UTF-8 in the issuer",
            format!("otpauth://totp/x?secret={s}&issuer=%FF%FE"),
            |e| matches!(e, UriError::InvalidParameter { name: "issuer", .. }),
        ),
        // C27: what would render as another label is refused.
        (
            "right-to-left override in the label",
            format!("otpauth://totp/Bank:alice%E2%80%AEmoc.elgoog?secret={s}"),
            |e| matches!(e, UriError::InvalidParameter { name: "label", .. }),
        ),
        (
            "first-strong isolate in the issuer",
            format!("otpauth://totp/alice?secret={s}&issuer=Bank%E2%81%A8"),
            |e| matches!(e, UriError::InvalidParameter { name: "issuer", .. }),
        ),
        (
            "right-to-left override in the issuer, as raw UTF-8",
            format!("otpauth://totp/alice?secret={s}&issuer=Ba\u{202E}nk"),
            |e| matches!(e, UriError::InvalidParameter { name: "issuer", .. }),
        ),
        (
            "newline in the label",
            format!("otpauth://totp/Bank:alice%0Amallory?secret={s}"),
            |e| matches!(e, UriError::InvalidParameter { name: "label", .. }),
        ),
        (
            "zero-width space in the label",
            format!("otpauth://totp/Bank:ali%E2%80%8Bce?secret={s}"),
            |e| matches!(e, UriError::InvalidParameter { name: "label", .. }),
        ),
        (
            "invalid UTF-8 in the secret",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ%FF".into(),
            |e| matches!(e, UriError::InvalidParameter { name: "secret", .. }),
        ),
    ]
}

/// Pieces of the secrets used above that must never appear in a message.
const SECRET_PIECES: [&str; 5] = [
    "GEZDGNBVGY3TQOJ",
    "GY3TQOJQ",
    "JBSWY3DP",
    "EHPK3PXP",
    "1234567890",
];

fn assert_no_secret(text: &str, ctx: &str) {
    let upper = text.to_uppercase();
    for piece in SECRET_PIECES {
        assert!(!upper.contains(piece), "{ctx}: {text:?} contains {piece}");
    }
}

#[test]
fn broken_uris_are_rejected_without_leaking_the_secret() {
    let cases = rejected_cases();
    for (name, uri, is_expected) in &cases {
        let err = match parse_key_uri(uri) {
            Ok(p) => panic!("{name}: {uri} was accepted: {:?}", p.token),
            Err(e) => e,
        };
        assert!(is_expected(&err), "{name}: {uri}: unexpected {err:?}");
        assert_no_secret(&err.to_string(), name);
        assert_no_secret(&format!("{err:?}"), name);
        assert_no_secret(&format!("{err:#?}"), name);
    }
    assert!(cases.len() >= 25, "{}", cases.len());
}

/// The boundary of the length limit: 4096 bytes are read.
#[test]
fn a_uri_of_exactly_the_limit_is_accepted() {
    let head = format!("otpauth://totp/x?secret={B20}&image=");
    let uri = format!("{head}{}", "a".repeat(MAX_URI_LEN - head.len()));
    assert_eq!(uri.len(), MAX_URI_LEN);
    let parsed = parse_key_uri(&uri).unwrap();
    assert_eq!(parsed.token.secret.expose(), S20);
}

#[test]
fn parsed_tokens_do_not_show_the_secret() {
    let parsed = parse_key_uri(&format!(
        "otpauth://totp/Example:alice?secret={B20}&issuer=Example"
    ))
    .unwrap();
    assert_no_secret(&format!("{parsed:?}"), "ParsedUri Debug");
    assert_no_secret(&format!("{:?}", parsed.token), "OtpToken Debug");
}

#[test]
fn short_secret_warning_boundary() {
    for (secret, bits) in [
        (B_HELLO, Some(80)),                        // 10 bytes
        ("GEZDGNBVGY3TQOJQGEZDGNBV", Some(120)),    // 15 bytes
        ("GEZDGNBVGY3TQOJQGEZDGNBVGY======", None), // 16 bytes: enough
        (B20, None),
    ] {
        let parsed = parse_key_uri(&format!("otpauth://totp/x?secret={secret}")).unwrap();
        let expected: Vec<UriWarning> = bits
            .map(|bits| UriWarning::ShortSecret { bits })
            .into_iter()
            .collect();
        assert_eq!(parsed.warnings, expected, "{secret}");
        assert_eq!(parsed.token.secret.is_short(), bits.is_some(), "{secret}");
    }
}

/// Codes from parsed URIs equal the RFC 6238 (Appendix B) and RFC 4226
/// (Appendix D) vectors.
#[test]
fn codes_from_parsed_uris_match_the_rfcs() {
    let sha256_key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";
    let sha512_key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
                      GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA";
    let cases = [
        (
            format!("otpauth://totp/RFC:6238?secret={B20}&digits=8"),
            59,
            "94287082",
        ),
        (
            format!("otpauth://totp/RFC:6238?secret={B20}&digits=8"),
            1_111_111_109,
            "07081804",
        ),
        (
            format!("otpauth://totp/RFC:6238?secret={B20}&digits=8&period=30"),
            20_000_000_000,
            "65353130",
        ),
        (
            format!("otpauth://totp/RFC:6238?secret={sha256_key}&digits=8&algorithm=SHA256"),
            59,
            "46119246",
        ),
        (
            format!("otpauth://totp/RFC:6238?secret={sha512_key}&digits=8&algorithm=SHA512"),
            59,
            "90693936",
        ),
        (
            format!("otpauth://totp/RFC:6238?secret={sha512_key}&digits=8&algorithm=SHA512"),
            1_234_567_890,
            "93441116",
        ),
        // HOTP ignores the time and uses the stored counter.
        (
            format!("otpauth://hotp/RFC:4226?secret={B20}&counter=5"),
            0,
            "254676",
        ),
        (
            format!("otpauth://hotp/RFC:4226?secret={B20}&counter=9"),
            1_234_567_890,
            "520489",
        ),
        (
            format!("otpauth://hotp/RFC:4226?secret={B20}"),
            59,
            "755224",
        ),
    ];
    for (uri, time, code) in cases {
        let token = parse_key_uri(&uri).unwrap().token;
        assert_eq!(token.code(time).unwrap().as_str(), code, "{uri} at {time}");
    }
}

fn token(
    kind: TokenKind,
    issuer: Option<&str>,
    account: &str,
    secret: Vec<u8>,
    algorithm: Algorithm,
    digits: u8,
) -> OtpToken {
    OtpToken {
        kind,
        issuer: issuer.map(str::to_owned),
        account: account.to_owned(),
        secret: OtpKey::import(secret).unwrap(),
        algorithm,
        digits,
    }
}

#[test]
fn to_key_uri_round_trips() {
    use Algorithm::{Sha1, Sha256, Sha512};
    let seq = |n: usize| (0..n).map(|i| (i * 37 + 11) as u8).collect::<Vec<u8>>();
    let totp = |period| TokenKind::Totp { period };
    let hotp = |counter| TokenKind::Hotp { counter };
    let tokens = [
        token(
            totp(30),
            Some("Example"),
            "alice@example.com",
            S20.to_vec(),
            Sha1,
            6,
        ),
        token(totp(60), None, "bob", seq(32), Sha256, 8),
        token(
            hotp(123_456_789),
            Some("ACME Co"),
            "alice+otp@example.com",
            seq(64),
            Sha512,
            7,
        ),
        token(hotp(0), None, "carol", seq(20), Sha1, 6),
        token(hotp(u64::MAX), Some("Max"), "dave", seq(21), Sha256, 8),
        token(
            totp(1),
            Some("Müller & Söhne"),
            "jürgen.groß@example.de",
            HELLO.to_vec(),
            Sha1,
            6,
        ),
        token(
            totp(120),
            Some("a/b?c#d&e=f%g+h"),
            "x y+z@w.example",
            seq(21),
            Sha256,
            8,
        ),
        token(totp(30), Some("😀 Emoji Bank"), "用户", seq(20), Sha512, 6),
        token(
            totp(45),
            // No tab: control characters are refused in labels (C27).
            Some("Spaces  and \"quotes\""),
            "o'brien",
            seq(1),
            Sha1,
            7,
        ),
        token(totp(30), Some("Example"), "", seq(100), Sha512, 8),
        // Colons are the label separator: an issuer or an account holding one
        // still comes back whole.
        token(totp(30), Some("A:B"), "acct:1", seq(20), Sha1, 6),
        token(totp(30), None, "a:b", seq(20), Sha1, 6),
    ];
    for t in &tokens {
        let uri = t.to_key_uri();
        let ctx = format!("{} ({:?})", t.label(), t.kind);
        let scheme = match t.kind {
            TokenKind::Hotp { .. } => "otpauth://hotp/",
            TokenKind::Totp { .. } => "otpauth://totp/",
        };
        assert!(uri.starts_with(scheme), "{ctx}");
        assert!(uri.len() <= MAX_URI_LEN, "{ctx}");
        let parsed = parse_key_uri(&uri).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        assert_same_token(t, &parsed.token, &ctx);
        let expected: Vec<UriWarning> = if t.secret.is_short() {
            vec![UriWarning::ShortSecret {
                bits: t.secret.bits(),
            }]
        } else {
            vec![]
        };
        assert_eq!(parsed.warnings, expected, "{ctx}");
        for time in [0, 59, 1_700_000_000] {
            assert_eq!(
                t.code(time).unwrap().as_str(),
                parsed.token.code(time).unwrap().as_str(),
                "{ctx} at {time}"
            );
        }
    }
}

#[test]
fn repeated_parameters_we_ignore_are_harmless() {
    let uri = format!("otpauth://totp/x?secret={B20}&image=a&image=b&color=1&color=2");
    let parsed = parse_key_uri(&uri).unwrap();
    assert_eq!(parsed.token.secret.expose(), S20);
}

/// C27: labels in right-to-left scripts are fine; only the invisible
/// formatting characters that reorder text are refused.
#[test]
fn right_to_left_scripts_without_formatting_characters_are_accepted() {
    let uri = format!(
        "otpauth://totp/%D8%A8%D9%86%D9%83:%D7%A9%D7%9C%D7%95%D7%9D?secret={B20}&issuer=%D8%A8%D9%86%D9%83"
    );
    let t = parse_key_uri(&uri).unwrap().token;
    assert_eq!(t.issuer.as_deref(), Some("بنك"));
    assert_eq!(t.account, "שלום");
}

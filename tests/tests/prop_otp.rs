//! Property tests of the OTP engines and Key URIs: verification
//! accepts exactly the codes of its window (HOTP look-ahead, TOTP
//! look-around, OCRA counter and time windows) and nothing else, and every
//! token survives Key URI format → parse.

#![allow(clippy::unwrap_used, clippy::panic)]

use proptest::prelude::*;
use tessera_core::otp::{Algorithm, Hotp, Ocra, OcraInput, OcraSuite, OtpError, OtpKey, Totp};
use tessera_core::uri::{MAX_URI_LEN, OtpToken, TokenKind, parse_key_uri};

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 16..=64)
}

/// A typed code: the right code of some nearby counter, or arbitrary digits.
fn typed(digits: usize) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => proptest::string::string_regex(&format!("[0-9]{{{digits}}}")).unwrap().prop_map(Some),
    ]
}

/// The offset the verifier must report: the first of `offsets` whose code
/// equals `code` (two codes of a window can collide; the first is reported).
fn first_match(code: &str, offsets: impl Iterator<Item = (i64, Option<String>)>) -> Option<i64> {
    offsets
        .filter_map(|(o, c)| c.map(|c| (o, c)))
        .find(|(_, c)| c == code)
        .map(|(o, _)| o)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// HOTP: a code is accepted exactly when a counter in
    /// `counter ..= counter + look_ahead` gives it, at the first such offset.
    #[test]
    fn hotp_accepts_exactly_its_look_ahead_window(
        key in key(), alg in algorithm(), digits in 6u32..=8,
        counter in 0..u64::MAX - 64, look_ahead in 0u32..=10, delta in -5i64..=20,
        other in typed(7),
    ) {
        let hotp = Hotp::new(OtpKey::new(key).unwrap(), alg, digits).unwrap();
        let code = match &other {
            Some(s) => s.chars().take(digits as usize).collect(),
            None => match counter.checked_add_signed(delta) {
                Some(c) => hotp.generate(c).as_str().to_owned(),
                None => return Ok(()),
            },
        };
        let window = (0..=i64::from(look_ahead))
            .map(|o| (o, Some(hotp.generate(counter + o as u64).as_str().to_owned())));
        let expected = first_match(&code, window);
        let got = hotp.verify(&code, counter, look_ahead);
        prop_assert_eq!(got.as_ref().ok().map(|o| *o as i64), expected);
        if expected.is_none() {
            prop_assert_eq!(got, Err(OtpError::NoMatch));
        }
        if other.is_none() && (0..=i64::from(look_ahead)).contains(&delta) {
            prop_assert!(expected.is_some_and(|o| o <= delta));
        }
    }

    /// TOTP: a code is accepted exactly when a step in
    /// `T - window ..= T + window` (steps below zero left out) gives it.
    #[test]
    fn totp_accepts_exactly_its_look_around_window(
        key in key(), alg in algorithm(), digits in 6u32..=8, period in 1u64..=120,
        time in 0u64..=40_000_000_000, window in 0u32..=5, delta in -8i64..=8,
        other in typed(8),
    ) {
        let totp = Totp::new(OtpKey::new(key).unwrap(), alg, digits, period, 0).unwrap();
        let step = totp.step(time).unwrap();
        let code = match &other {
            Some(s) => s.chars().take(digits as usize).collect(),
            None => match step.checked_add_signed(delta) {
                Some(s) => totp.generate_step(s).as_str().to_owned(),
                None => return Ok(()),
            },
        };
        let w = i64::from(window);
        let candidates = (-w..=w).map(|o| {
            (o, step.checked_add_signed(o).map(|s| totp.generate_step(s).as_str().to_owned()))
        });
        let expected = first_match(&code, candidates);
        let got = totp.verify(&code, time, window);
        prop_assert_eq!(got.as_ref().ok().copied(), expected);
        if expected.is_none() {
            prop_assert_eq!(got, Err(OtpError::NoMatch));
        }
        if other.is_none() && delta.abs() <= w {
            prop_assert!(expected.is_some());
        }
    }

    /// OCRA with a counter: `C ..= C + window`; with a timestamp:
    /// `T - window ..= T + window`. Nothing outside.
    #[test]
    fn ocra_accepts_exactly_its_window(
        key in key(), timed in any::<bool>(), question in "[0-9]{4,8}",
        value in 8u64..=u64::MAX / 2, window in 0u32..=5, delta in -8i64..=8,
        other in typed(8),
    ) {
        let suite: OcraSuite = if timed {
            "OCRA-1:HOTP-SHA512-8:QN08-T1M".parse().unwrap()
        } else {
            "OCRA-1:HOTP-SHA256-8:C-QN08".parse().unwrap()
        };
        let ocra = Ocra::new(suite, OtpKey::new(key).unwrap());
        let input = |v: u64| OcraInput {
            question: &question,
            counter: (!timed).then_some(v),
            timestamp: timed.then_some(v),
            ..OcraInput::default()
        };
        let code_at = |v: u64| ocra.compute(&input(v)).unwrap().as_str().to_owned();
        let code = match &other {
            Some(s) => s.clone(),
            None => code_at(value.checked_add_signed(delta).unwrap()),
        };
        let w = i64::from(window);
        let offsets: Vec<i64> = if timed || window == 0 { (-w..=w).collect() } else { (0..=w).collect() };
        let expected = first_match(
            &code,
            offsets.into_iter().map(|o| (o, Some(code_at(value.checked_add_signed(o).unwrap())))),
        );
        let got = ocra.verify(&code, &input(value), window);
        prop_assert_eq!(got.as_ref().ok().copied(), expected);
        if expected.is_none() {
            prop_assert_eq!(got, Err(OtpError::NoMatch));
        }
    }
}

/// Labels as issuers write them: any script, separators and characters
/// that need escaping, trimmed (the parser trims), never control or
/// bidi-formatting characters (refused, C27).
fn label_text(max: usize) -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        6 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        2 => proptest::char::range('0', '9'),
        4 => proptest::sample::select(vec![' ', ':', '@', '/', '?', '&', '=', '%', '+', '#', '.', '-', '_', '~', '"', '\'']),
        1 => proptest::char::range('\u{e0}', '\u{17f}'),
        1 => proptest::char::range('\u{4e00}', '\u{4e40}'),
        1 => proptest::char::range('\u{1f600}', '\u{1f64f}'),
    ];
    proptest::collection::vec(ch, 0..=max)
        .prop_map(|v| v.into_iter().collect::<String>().trim().to_owned())
}

fn token() -> impl Strategy<Value = OtpToken> {
    (
        prop_oneof![
            any::<u64>().prop_map(|counter| TokenKind::Hotp { counter }),
            (1u64..=120).prop_map(|period| TokenKind::Totp { period }),
        ],
        proptest::option::of(label_text(40).prop_filter("non-empty", |s| !s.is_empty())),
        label_text(60),
        proptest::collection::vec(any::<u8>(), 1..=64),
        algorithm(),
        6u8..=8,
    )
        .prop_map(
            |(kind, issuer, account, secret, algorithm, digits)| OtpToken {
                kind,
                issuer,
                account,
                secret: OtpKey::import(secret).unwrap(),
                algorithm,
                digits,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Key URIs: format → parse gives the same token back.
    #[test]
    fn key_uris_round_trip(t in token()) {
        let uri = t.to_key_uri();
        prop_assume!(uri.len() <= MAX_URI_LEN);
        let back = parse_key_uri(&uri).map_err(|e| TestCaseError::fail(format!("{e}")))?.token;
        prop_assert_eq!(back.kind, t.kind);
        prop_assert_eq!(&back.issuer, &t.issuer);
        prop_assert_eq!(&back.account, &t.account);
        prop_assert_eq!(back.secret.expose(), t.secret.expose());
        prop_assert_eq!(back.algorithm, t.algorithm);
        prop_assert_eq!(back.digits, t.digits);
    }
}

//! Property tests of the mosaic messages: every message that
//! seals opens to itself, and no single-bit change of a sealed challenge is
//! accepted (C23, C27).

#![allow(clippy::unwrap_used, clippy::panic)]

use proptest::prelude::*;
use ring::rand::SystemRandom;
use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, Envelope, MAX_MOSAIC_LEN, MosaicError, OtpParams,
    TokenId, TokenKeys, Transaction,
};
use tessera_core::otp::Algorithm;
use tessera_core::secret::SecretBytes;

const KEY: [u8; 32] = [0x22; 32];

/// Text the protocol lets the app display: 1 to `max` characters, none of
/// them control or bidi-formatting, no leading or trailing space. Any
/// script, including 4-byte characters, so that encoded sizes vary widely.
fn display(max: usize) -> impl Strategy<Value = String> {
    // Sometimes all 4-byte characters, so that sizes reach the 1 KiB limit.
    let wide =
        proptest::collection::vec(proptest::char::range('\u{1f600}', '\u{1f64f}'), max..=max)
            .prop_map(|v| v.into_iter().collect::<String>());
    let ch = prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('A', 'Z'),
        1 => Just(' '),
        1 => proptest::char::range('\u{e0}', '\u{ff}'),
        1 => proptest::char::range('\u{5d0}', '\u{5ea}'),
        1 => proptest::char::range('\u{1f600}', '\u{1f64f}'),
    ];
    let mixed = proptest::collection::vec(ch, 1..=max)
        .prop_map(|v| v.into_iter().collect::<String>().trim().to_owned())
        .prop_filter("non-empty", |s| !s.is_empty());
    prop_oneof![4 => mixed, 1 => wide]
}

/// An IBAN with a valid ISO 13616 checksum.
fn iban() -> impl Strategy<Value = String> {
    ("[A-Z]{2}", "[0-9A-Z]{11,30}").prop_map(|(country, bban)| {
        let digits = |s: &str| -> String {
            s.chars()
                .map(|c| c.to_digit(36).unwrap().to_string())
                .collect()
        };
        let number = format!("{}{}00", digits(&bban), digits(&country));
        let rem = number
            .bytes()
            .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
        format!("{country}{:02}{bban}", 98 - rem)
    })
}

fn transaction() -> impl Strategy<Value = Transaction> {
    (
        "(0|[1-9][0-9]{0,11})(\\.[0-9]{1,4})?",
        "[A-Z]{3}",
        display(70),
        iban(),
        proptest::option::of(display(35)),
        proptest::option::of(display(140)),
    )
        .prop_map(
            |(amount, currency, payee, iban, reference, text)| Transaction {
                amount,
                currency,
                payee,
                iban,
                reference,
                text,
            },
        )
}

fn challenge() -> impl Strategy<Value = Challenge> {
    (
        any::<[u8; 8]>(),
        any::<[u8; 12]>(),
        "https://[a-z]{1,40}\\.[a-z]{2,6}",
        display(64),
        0..u64::MAX - 3600,
        1..=3600u64,
        proptest::option::of(transaction()),
    )
        .prop_map(
            |(id, nonce, origin, user_id, issued_at, lifetime, transaction)| Challenge {
                token_id: TokenId::from_bytes(id),
                nonce,
                origin,
                user_id,
                issued_at,
                expires_at: issued_at + lifetime,
                transaction,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Login and transaction challenges: seal → parse → open is the
    /// identity; a challenge too large for a mosaic is refused when sealed,
    /// never sealed into bytes the device would refuse.
    #[test]
    fn challenges_round_trip(c in challenge()) {
        match c.seal(&KEY) {
            Ok(sealed) => {
                prop_assert!(sealed.len() <= MAX_MOSAIC_LEN);
                let envelope = Envelope::parse(&sealed).unwrap();
                prop_assert_eq!(envelope.kind(), c.kind());
                prop_assert_eq!(envelope.token_id(), Some(c.token_id));
                prop_assert_eq!(Challenge::open(&envelope, &KEY).unwrap(), c);
            }
            Err(e) => prop_assert!(matches!(e, MosaicError::TooLarge { .. }), "{e:?}"),
        }
    }

    /// C23: flipping any one bit of a sealed challenge (random positions
    /// over the whole payload) is refused, and nothing of its content
    /// comes out.
    #[test]
    fn every_single_bit_change_of_a_sealed_challenge_is_refused(
        c in challenge(),
        positions in proptest::collection::vec(any::<proptest::sample::Index>(), 16),
    ) {
        let Ok(sealed) = c.seal(&KEY) else { return Ok(()) };
        for p in positions {
            let bit = p.index(sealed.len() * 8);
            let mut changed = sealed.clone();
            changed[bit / 8] ^= 1 << (bit % 8);
            let opened = Envelope::parse(&changed).and_then(|e| Challenge::open(&e, &KEY));
            prop_assert!(opened.is_err(), "bit {bit} of {} accepted", sealed.len() * 8);
        }
    }
}

proptest! {
    // Each case runs Argon2id (19 MiB) twice: few cases.
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// Activation offers with a fixed code: seal → parse → open gives the
    /// same offer, and a flipped bit is refused.
    #[test]
    fn activation_offers_round_trip(
        id in any::<[u8; 8]>(),
        nonce in any::<[u8; 12]>(),
        origin in "https://[a-z]{1,40}\\.[a-z]{2,6}",
        user_id in display(64),
        digits in 6u8..=8,
        hash in prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)],
        issued_at in 0..u64::MAX / 2,
        lifetime in 1..=86_400u64,
        ocra in any::<[u8; 32]>(),
        challenge_key in any::<[u8; 32]>(),
        bit in any::<proptest::sample::Index>(),
    ) {
        let offer = ActivationOffer {
            token_id: TokenId::from_bytes(id),
            user_id,
            origin,
            params: OtpParams { digits, hash },
            issued_at,
            expires_at: issued_at + lifetime,
            nonce,
            keys: TokenKeys {
                ocra: SecretBytes::from_slice(&ocra),
                challenge: SecretBytes::from_slice(&challenge_key),
            },
        };
        let code = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
        let sealed = offer.seal(&code, &SystemRandom::new()).unwrap();
        let opened = ActivationOffer::open(&Envelope::parse(&sealed).unwrap(), &code).unwrap();
        prop_assert_eq!(opened.token_id, offer.token_id);
        prop_assert_eq!(&opened.user_id, &offer.user_id);
        prop_assert_eq!(&opened.origin, &offer.origin);
        prop_assert_eq!(opened.params, offer.params);
        prop_assert_eq!((opened.issued_at, opened.expires_at), (offer.issued_at, offer.expires_at));
        prop_assert_eq!(opened.nonce, offer.nonce);
        prop_assert!(opened.keys.ocra == offer.keys.ocra);
        prop_assert!(opened.keys.challenge == offer.keys.challenge);
        let bit = bit.index(sealed.len() * 8);
        let mut changed = sealed.clone();
        changed[bit / 8] ^= 1 << (bit % 8);
        let result = Envelope::parse(&changed).and_then(|e| ActivationOffer::open(&e, &code));
        prop_assert!(result.is_err(), "bit {bit} accepted");
    }
}

/// Found while writing `challenges_round_trip`: every field at its longest,
/// in 4-byte characters, made a 1372-byte payload that `Challenge::seal`
/// returned and every device refuses (over 1 KiB). Sealing now refuses it
/// (C27: the size limit holds on both sides).
#[test]
fn a_challenge_too_large_for_a_mosaic_is_refused_when_sealed() {
    let emoji = |n: usize| "😀".repeat(n);
    let c = Challenge {
        token_id: TokenId::from_bytes([1; 8]),
        nonce: [2; 12],
        origin: "https://portal.example.lu".into(),
        user_id: emoji(64),
        issued_at: 1_764_400_000,
        expires_at: 1_764_400_060,
        transaction: Some(Transaction {
            amount: "1.00".into(),
            currency: "EUR".into(),
            payee: emoji(70),
            iban: "LU280019400644750000".into(),
            reference: Some(emoji(35)),
            text: Some(emoji(140)),
        }),
    };
    assert!(
        matches!(
            c.seal(&KEY),
            Err(MosaicError::TooLarge {
                max: MAX_MOSAIC_LEN,
                ..
            })
        ),
        "{:?}",
        c.seal(&KEY).map(|s| s.len())
    );
}

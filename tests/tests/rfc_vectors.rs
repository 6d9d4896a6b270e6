//! Every test vector of RFC 4226 Appendix D, RFC 6238 Appendix B and RFC 6287
//! Appendix C, read from `tests/data/*.txt` and checked through the public API
//! (generation and verification).

use tessera_core::otp::{Algorithm, Hotp, Ocra, OcraInput, OcraSuite, OtpKey, Pin, Totp};

#[test]
fn rfc4226_appendix_d() {
    let records = tessera_tests::load_vectors("rfc4226.txt");
    assert_eq!(records.len(), 10);
    for r in records {
        let alg: Algorithm = r.req("Algorithm").parse().unwrap();
        let hotp = Hotp::new(
            OtpKey::new(r.hex("Key")).unwrap(),
            alg,
            r.num("Digits") as u32,
        )
        .unwrap();
        let counter = r.num("Counter");
        assert_eq!(
            hotp.generate(counter).as_str(),
            r.req("OTP"),
            "line {}",
            r.line
        );
        assert_eq!(
            hotp.verify(r.req("OTP"), counter, 0),
            Ok(0),
            "line {}",
            r.line
        );
        if counter > 0 {
            assert_eq!(
                hotp.verify(r.req("OTP"), counter - 1, 1),
                Ok(1),
                "line {}",
                r.line
            );
        }
    }
}

#[test]
fn rfc6238_appendix_b() {
    let records = tessera_tests::load_vectors("rfc6238.txt");
    assert_eq!(records.len(), 18);
    let mut algorithms = std::collections::BTreeSet::new();
    for r in records {
        let alg: Algorithm = r.req("Algorithm").parse().unwrap();
        algorithms.insert(alg.name());
        let key = r.hex("Key");
        assert_eq!(
            key.len(),
            alg.output_len(),
            "line {}: the RFC's seed length",
            r.line
        );
        let totp = Totp::new(
            OtpKey::new(key).unwrap(),
            alg,
            r.num("Digits") as u32,
            r.num("Period"),
            r.num("T0"),
        )
        .unwrap();
        let time = r.num("Time");
        assert_eq!(
            totp.generate(time).unwrap().as_str(),
            r.req("OTP"),
            "line {}",
            r.line
        );
        assert_eq!(totp.verify(r.req("OTP"), time, 0), Ok(0), "line {}", r.line);
        assert_eq!(
            totp.verify(r.req("OTP"), time + 30, 1),
            Ok(-1),
            "line {}",
            r.line
        );
    }
    assert_eq!(algorithms.len(), 3);
}

#[test]
fn rfc6287_appendix_c() {
    let records = tessera_tests::load_vectors("rfc6287.txt");
    assert_eq!(records.len(), 70);
    let mut suites = std::collections::BTreeSet::new();
    for r in records {
        let suite: OcraSuite = r.req("Suite").parse().unwrap();
        suites.insert(suite.to_string());
        let ocra = Ocra::new(suite, OtpKey::new(r.hex("Key")).unwrap());
        let timestamp = r
            .get("Timestamp")
            .map(|t| u64::from_str_radix(t, 16).unwrap());
        let input = OcraInput {
            counter: r.get("Counter").map(|c| c.parse().unwrap()),
            question: r.req("Question"),
            second_question: r.get("SecondQuestion"),
            pin: r.get("PIN").map(|p| Pin::Clear(p.as_bytes())),
            session: None,
            timestamp,
        };
        let code = ocra
            .compute(&input)
            .unwrap_or_else(|e| panic!("line {}: {e}", r.line));
        assert_eq!(code.as_str(), r.req("OTP"), "line {}", r.line);
        assert_eq!(
            ocra.verify(r.req("OTP"), &input, 0),
            Ok(0),
            "line {}",
            r.line
        );
    }
    // One-way, mutual and signature suites of the appendix.
    assert_eq!(suites.len(), 9, "{suites:?}");
}

/// The PIN of the RFC vectors, given as its SHA-1 hash instead of in clear,
/// gives the same responses.
#[test]
fn rfc6287_pin_hash_equals_clear_pin() {
    let pin_hash = data_encoding::HEXLOWER
        .decode(b"7110eda4d09e062aa5e4a390b0a572ac0d2c0220")
        .unwrap();
    for r in tessera_tests::load_vectors("rfc6287.txt")
        .into_iter()
        .filter(|r| r.get("PIN").is_some())
    {
        let ocra = Ocra::new(
            r.req("Suite").parse().unwrap(),
            OtpKey::new(r.hex("Key")).unwrap(),
        );
        let input = OcraInput {
            counter: r.get("Counter").map(|c| c.parse().unwrap()),
            question: r.req("Question"),
            second_question: r.get("SecondQuestion"),
            pin: Some(Pin::Hash(&pin_hash)),
            ..Default::default()
        };
        assert_eq!(
            ocra.compute(&input).unwrap().as_str(),
            r.req("OTP"),
            "line {}",
            r.line
        );
    }
}

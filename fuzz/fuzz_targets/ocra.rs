//! OCRA: the suite parser on arbitrary text, then computation and
//! verification with fuzzed inputs. Input: suite text, a newline, then bytes
//! that choose the key and the data input.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tessera_core::otp::{Ocra, OcraInput, OcraSuite, OtpKey, Pin};

/// Characters of questions: every alphabet's, plus a few that none allows.
const CHARS: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', 'A', 'B', 'F',
    'G', 'Z', 'z', 'x', ' ', '-', 'é', '٣', '\0',
];

fn question(u: &mut Unstructured<'_>) -> Result<String> {
    let len = u.int_in_range(0..=70)?;
    (0..len).map(|_| u.choose(CHARS).copied()).collect()
}

fn bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let len = u.int_in_range(0..=max)?;
    Ok(u.bytes(len)?.to_vec())
}

fn run(suite: OcraSuite, u: &mut Unstructured<'_>) -> Result<()> {
    let text = suite.to_string();
    let key = bytes(u, 80)?;
    let Ok(key) = OtpKey::import(key) else {
        return Ok(());
    };
    let ocra = Ocra::new(suite, key);
    let q1 = question(u)?;
    let q2 = if u.arbitrary()? {
        Some(question(u)?)
    } else {
        None
    };
    let pin_bytes = bytes(u, 70)?;
    let session = bytes(u, 520)?;
    let input = OcraInput {
        counter: u.arbitrary()?,
        question: &q1,
        second_question: q2.as_deref(),
        pin: match u.int_in_range(0..=2)? {
            0 => None,
            1 => Some(Pin::Clear(&pin_bytes)),
            _ => Some(Pin::Hash(&pin_bytes)),
        },
        session: if u.arbitrary()? { Some(&session) } else { None },
        timestamp: u.arbitrary()?,
    };
    let window = if u.arbitrary()? {
        u.int_in_range(0..=8)?
    } else {
        u.arbitrary()?
    };
    if let Ok(t) = u.arbitrary::<u64>() {
        let _ = ocra.suite().timestamp_for(t);
    }
    if let Ok(code) = ocra.compute(&input) {
        let digits = ocra.suite().truncation();
        let expected = if digits == 0 {
            2 * ocra.suite().hash().output_len()
        } else {
            usize::from(digits)
        };
        assert_eq!(code.len(), expected, "{text}");
        assert_eq!(ocra.verify(code.as_str(), &input, 0), Ok(0), "{text}");
    }
    let typed = question(u)?;
    let _ = ocra.verify(&typed, &input, window);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let (text, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(suite) = text.parse::<OcraSuite>() else {
        return;
    };
    // The suite text is part of the HMAC input: it must be kept verbatim.
    assert_eq!(suite.to_string(), text);
    assert_eq!(suite.to_string().parse::<OcraSuite>().as_ref(), Ok(&suite));
    let _ = run(suite, &mut Unstructured::new(rest));
});

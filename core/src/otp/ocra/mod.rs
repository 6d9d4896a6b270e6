//! OCRA, RFC 6287: challenge-response OTPs over a suite-defined data input
//! `suite | 00 | [C] | Q | [P] | [S] | [T]`.
//!
//! One-way, mutual and signature modes all use [`Ocra::compute`]: mutual mode
//! passes two questions (the one answered first), signature mode passes the
//! data to sign (or its hash) as the question.

mod suite;

use zeroize::Zeroizing;

pub use suite::{OcraSuite, QuestionFormat, TimeStep};

use super::{OtpError, OtpKey, check_window, decimal_code, dynamic_truncate, find_in_window};
use crate::secret::OtpCode;

/// Size of the question field `Q` in the data input.
const QUESTION_BYTES: usize = 128;

/// The PIN input `P` of a suite with `PSHA*`.
#[derive(Debug, Clone, Copy)]
pub enum Pin<'a> {
    /// The PIN as the user types it; hashed with the suite's PIN hash.
    Clear(&'a [u8]),
    /// The already-hashed PIN, exactly the hash's length.
    Hash(&'a [u8]),
}

/// The variable inputs of one OCRA computation. Each must be present exactly
/// when the suite asks for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OcraInput<'a> {
    /// The counter `C`.
    pub counter: Option<u64>,
    /// The question, as a person reads it: decimal digits for `QN`, text for
    /// `QA`, hex digits for `QH`.
    pub question: &'a str,
    /// In mutual mode, the second question, appended to the first (the
    /// responder's own question comes second: RFC 6287 §7.3).
    pub second_question: Option<&'a str>,
    /// The PIN `P`.
    pub pin: Option<Pin<'a>>,
    /// The session information `S`, exactly the suite's `nnn` bytes.
    pub session: Option<&'a [u8]>,
    /// The timestamp `T`: time steps since the Unix epoch (see
    /// [`OcraSuite::timestamp_for`]).
    pub timestamp: Option<u64>,
}

/// An OCRA responder or verifier: a suite and a key.
#[derive(Debug)]
pub struct Ocra {
    suite: OcraSuite,
    key: OtpKey,
}

impl Ocra {
    /// Pairs a suite with its key.
    pub fn new(suite: OcraSuite, key: OtpKey) -> Self {
        Self { suite, key }
    }

    /// The suite.
    pub fn suite(&self) -> &OcraSuite {
        &self.suite
    }

    /// The response for `input`.
    pub fn compute(&self, input: &OcraInput<'_>) -> Result<OtpCode, OtpError> {
        let data = data_input(&self.suite, input)?;
        let mac = self.suite.hash().hmac(self.key.expose(), &[&data]);
        Ok(match self.suite.truncation() {
            0 => OtpCode::new(data_encoding::HEXLOWER.encode(mac.as_slice())),
            digits => decimal_code(dynamic_truncate(mac.as_slice()), digits),
        })
    }

    /// Checks `code` in constant time. With a `window`, a suite with a
    /// timestamp accepts `T - window ..= T + window` and a suite with only a
    /// counter accepts `C ..= C + window`; the matching offset is returned.
    pub fn verify(&self, code: &str, input: &OcraInput<'_>, window: u32) -> Result<i64, OtpError> {
        check_window(window)?;
        let w = i64::from(window);
        let at = |offset: i64| -> Option<Result<(i64, OtpCode), OtpError>> {
            let mut shifted = *input;
            if self.suite.time_step().is_some() {
                shifted.timestamp = Some(input.timestamp?.checked_add_signed(offset)?);
            } else if self.suite.has_counter() {
                shifted.counter = Some(input.counter?.checked_add_signed(offset)?);
            }
            Some(self.compute(&shifted).map(|code| (offset, code)))
        };
        if window == 0 {
            return find_in_window(code, std::iter::once(self.compute(input).map(|c| (0, c))));
        }
        if self.suite.time_step().is_some() {
            find_in_window(code, (-w..=w).filter_map(at))
        } else if self.suite.has_counter() {
            let counter = input.counter.ok_or(OtpError::Missing("a counter (C)"))?;
            counter
                .checked_add(u64::from(window))
                .ok_or(OtpError::CounterOverflow)?;
            find_in_window(code, (0..=w).filter_map(at))
        } else {
            Err(OtpError::Unexpected(
                "a verification window (it has neither C nor T)",
            ))
        }
    }
}

/// Assembles `suite | 00 | [C] | Q | [P] | [S] | [T]`, checking that each
/// input is present exactly when the suite uses it.
fn data_input(suite: &OcraSuite, input: &OcraInput<'_>) -> Result<Zeroizing<Vec<u8>>, OtpError> {
    let mut data = Zeroizing::new(Vec::with_capacity(
        suite.as_str().len() + 1 + 8 + QUESTION_BYTES + 64 + 512 + 8,
    ));
    data.extend_from_slice(suite.as_str().as_bytes());
    data.push(0);

    match (suite.has_counter(), input.counter) {
        (true, Some(c)) => data.extend_from_slice(&c.to_be_bytes()),
        (true, None) => return Err(OtpError::Missing("a counter (C)")),
        (false, Some(_)) => return Err(OtpError::Unexpected("a counter")),
        (false, None) => {}
    }

    data.extend_from_slice(&question_field(
        suite,
        input.question,
        input.second_question,
    )?);

    match (suite.pin_hash(), input.pin) {
        (Some(hash), Some(Pin::Clear(pin))) => data.extend_from_slice(hash.digest(pin).as_slice()),
        (Some(hash), Some(Pin::Hash(h))) => {
            if h.len() != hash.output_len() {
                return Err(OtpError::WrongLength {
                    what: "the PIN hash",
                    expected: hash.output_len(),
                    got: h.len(),
                });
            }
            data.extend_from_slice(h);
        }
        (Some(_), None) => return Err(OtpError::Missing("a PIN (P)")),
        (None, Some(_)) => return Err(OtpError::Unexpected("a PIN")),
        (None, None) => {}
    }

    match (suite.session_len(), input.session) {
        (Some(len), Some(s)) => {
            if s.len() != usize::from(len) {
                return Err(OtpError::WrongLength {
                    what: "the session information",
                    expected: usize::from(len),
                    got: s.len(),
                });
            }
            data.extend_from_slice(s);
        }
        (Some(_), None) => return Err(OtpError::Missing("session information (S)")),
        (None, Some(_)) => return Err(OtpError::Unexpected("session information")),
        (None, None) => {}
    }

    match (suite.time_step(), input.timestamp) {
        (Some(_), Some(t)) => data.extend_from_slice(&t.to_be_bytes()),
        (Some(_), None) => return Err(OtpError::Missing("a timestamp (T)")),
        (None, Some(_)) => return Err(OtpError::Unexpected("a timestamp")),
        (None, None) => {}
    }
    Ok(data)
}

/// The 128-byte question field. Each question is checked against the suite's
/// alphabet and length (4 to `xx` characters); in mutual mode both are
/// concatenated before encoding.
fn question_field(
    suite: &OcraSuite,
    first: &str,
    second: Option<&str>,
) -> Result<[u8; QUESTION_BYTES], OtpError> {
    let format = suite.question_format();
    for q in std::iter::once(first).chain(second) {
        let len = q.chars().count();
        let (min, max) = (
            usize::from(OcraSuite::MIN_QUESTION_LEN),
            usize::from(suite.question_len()),
        );
        if !(min..=max).contains(&len) {
            return Err(OtpError::QuestionLength { len, min, max });
        }
        let valid = match format {
            QuestionFormat::Alphanumeric => q.bytes().all(|b| b.is_ascii_alphanumeric()),
            QuestionFormat::Numeric => q.bytes().all(|b| b.is_ascii_digit()),
            QuestionFormat::Hex => q.bytes().all(|b| b.is_ascii_hexdigit()),
        };
        if !valid {
            return Err(OtpError::QuestionAlphabet(format.describe()));
        }
    }
    let mut text = String::with_capacity(2 * QUESTION_BYTES);
    text.push_str(first);
    text.push_str(second.unwrap_or_default());

    let mut field = [0u8; QUESTION_BYTES];
    match format {
        QuestionFormat::Alphanumeric => {
            // At most 2 × 64 ASCII characters: always fits.
            for (dst, src) in field.iter_mut().zip(text.bytes()) {
                *dst = src;
            }
        }
        // The RFC's reference code turns a numeric question into the hex
        // digits of its value (no leading zeros) and, like a hex question,
        // pads the hex string on the right with '0' to 256 digits; an odd
        // number of digits therefore shifts the value by a nibble.
        QuestionFormat::Numeric => pack_nibbles(&decimal_to_hex(&text), &mut field),
        QuestionFormat::Hex => pack_nibbles(&text, &mut field),
    }
    Ok(field)
}

/// Packs hex digits into `out` from the left, two per byte, leaving the rest zero.
fn pack_nibbles(hex: &str, out: &mut [u8; QUESTION_BYTES]) {
    for (i, digit) in hex.chars().filter_map(|c| c.to_digit(16)).enumerate() {
        if let (Some(byte), Ok(nibble)) = (out.get_mut(i / 2), u8::try_from(digit)) {
            *byte |= if i % 2 == 0 { nibble << 4 } else { nibble };
        }
    }
}

/// The hexadecimal digits of a decimal number, without leading zeros ("0" for zero),
/// like Java's `new BigInteger(q, 10).toString(16)`.
fn decimal_to_hex(decimal: &str) -> String {
    // Big-endian base-256 digits of the number.
    let mut bytes: Vec<u8> = Vec::with_capacity(decimal.len() / 2 + 1);
    for d in decimal.bytes().map(|b| b.wrapping_sub(b'0')) {
        let mut carry = u16::from(d);
        for byte in bytes.iter_mut().rev() {
            let v = u16::from(*byte) * 10 + carry;
            *byte = v.to_le_bytes()[0];
            carry = v >> 8;
        }
        if carry > 0 {
            bytes.insert(0, carry.to_le_bytes()[0]);
        }
    }
    let hex = data_encoding::HEXLOWER.encode(&bytes);
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ocra(suite: &str, key: &[u8]) -> Ocra {
        Ocra::new(
            suite.parse().unwrap(),
            OtpKey::import(key.to_vec()).unwrap(),
        )
    }

    const KEY20: &[u8] = b"12345678901234567890";

    #[test]
    fn decimal_to_hex_matches_biginteger() {
        assert_eq!(decimal_to_hex("00000000"), "0");
        assert_eq!(decimal_to_hex("11111111"), "a98ac7");
        assert_eq!(decimal_to_hex("1"), "1");
        assert_eq!(decimal_to_hex("255"), "ff");
        assert_eq!(decimal_to_hex("256"), "100");
        assert_eq!(decimal_to_hex("18446744073709551616"), "10000000000000000");
    }

    #[test]
    fn odd_hex_is_padded_on_the_right() {
        let mut field = [0u8; QUESTION_BYTES];
        pack_nibbles("abc", &mut field);
        assert_eq!(&field[..3], &[0xab, 0xc0, 0x00]);
    }

    #[test]
    fn rfc_one_way_vector() {
        let o = ocra("OCRA-1:HOTP-SHA1-6:QN08", KEY20);
        let code = o
            .compute(&OcraInput {
                question: "00000000",
                ..Default::default()
            })
            .unwrap();
        assert_eq!(code.as_str(), "237653");
        assert_eq!(
            o.verify(
                "237653",
                &OcraInput {
                    question: "00000000",
                    ..Default::default()
                },
                0
            ),
            Ok(0)
        );
    }

    #[test]
    fn inputs_must_match_the_suite() {
        let o = ocra("OCRA-1:HOTP-SHA1-6:C-QN08-PSHA1", KEY20);
        let q = OcraInput {
            question: "12345678",
            counter: Some(1),
            pin: Some(Pin::Clear(b"1234")),
            ..Default::default()
        };
        assert!(o.compute(&q).is_ok());
        assert_eq!(
            o.compute(&OcraInput { counter: None, ..q }).err(),
            Some(OtpError::Missing("a counter (C)"))
        );
        assert_eq!(
            o.compute(&OcraInput { pin: None, ..q }).err(),
            Some(OtpError::Missing("a PIN (P)"))
        );
        assert!(matches!(
            o.compute(&OcraInput {
                pin: Some(Pin::Hash(&[0; 19])),
                ..q
            }),
            Err(OtpError::WrongLength { .. })
        ));
        assert_eq!(
            o.compute(&OcraInput {
                timestamp: Some(1),
                ..q
            })
            .err(),
            Some(OtpError::Unexpected("a timestamp"))
        );
        assert_eq!(
            o.compute(&OcraInput {
                session: Some(b"x"),
                ..q
            })
            .err(),
            Some(OtpError::Unexpected("session information"))
        );
        assert!(matches!(
            o.compute(&OcraInput {
                question: "123456789",
                ..q
            }),
            Err(OtpError::QuestionLength { len: 9, .. })
        ));
        assert!(matches!(
            o.compute(&OcraInput {
                question: "123",
                ..q
            }),
            Err(OtpError::QuestionLength { len: 3, .. })
        ));
        assert!(matches!(
            o.compute(&OcraInput {
                question: "1234567a",
                ..q
            }),
            Err(OtpError::QuestionAlphabet(_))
        ));
        assert!(matches!(
            o.compute(&OcraInput {
                question: "١٢٣٤٥٦٧٨",
                ..q
            }),
            Err(OtpError::QuestionAlphabet(_))
        ));
    }

    #[test]
    fn session_length_is_exact() {
        let o = ocra("OCRA-1:HOTP-SHA1-6:QA08-S064", KEY20);
        let q = OcraInput {
            question: "ABCDEFGH",
            session: Some(&[0u8; 64]),
            ..Default::default()
        };
        assert!(o.compute(&q).is_ok());
        assert!(matches!(
            o.compute(&OcraInput {
                session: Some(&[0u8; 63]),
                ..q
            }),
            Err(OtpError::WrongLength {
                expected: 64,
                got: 63,
                ..
            })
        ));
        assert_eq!(
            o.compute(&OcraInput { session: None, ..q }).err(),
            Some(OtpError::Missing("session information (S)"))
        );
    }

    #[test]
    fn truncation_zero_is_full_hmac_hex() {
        let o = ocra("OCRA-1:HOTP-SHA256-0:QA08", KEY20);
        let code = o
            .compute(&OcraInput {
                question: "ABCDEFGH",
                ..Default::default()
            })
            .unwrap();
        assert_eq!(code.len(), 64);
        assert!(
            code.as_str()
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn verify_windows() {
        let o = ocra("OCRA-1:HOTP-SHA512-8:QN08-T1M", KEY20);
        let at = |t| OcraInput {
            question: "12345678",
            timestamp: Some(t),
            ..Default::default()
        };
        let code = o.compute(&at(1000)).unwrap();
        assert_eq!(o.verify(code.as_str(), &at(1002), 2), Ok(-2));
        assert_eq!(
            o.verify(code.as_str(), &at(1003), 2),
            Err(OtpError::NoMatch)
        );
        let c = ocra("OCRA-1:HOTP-SHA1-6:C-QN08", KEY20);
        let at = |n| OcraInput {
            question: "12345678",
            counter: Some(n),
            ..Default::default()
        };
        let code = c.compute(&at(7)).unwrap();
        assert_eq!(c.verify(code.as_str(), &at(5), 3), Ok(2));
        assert_eq!(c.verify(code.as_str(), &at(8), 3), Err(OtpError::NoMatch));
        assert_eq!(
            c.verify(code.as_str(), &at(u64::MAX), 1),
            Err(OtpError::CounterOverflow)
        );
        let plain = ocra("OCRA-1:HOTP-SHA1-6:QN08", KEY20);
        assert!(
            plain
                .verify(
                    "000000",
                    &OcraInput {
                        question: "12345678",
                        ..Default::default()
                    },
                    1
                )
                .is_err()
        );
    }
}

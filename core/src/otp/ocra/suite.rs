//! The OCRA suite grammar of RFC 6287 §6:
//! `OCRA-1:HOTP-<hash>-<t>:[C-]Q<F><xx>[-P<hash>][-S<nnn>][-T<G>]`.

use std::fmt;
use std::str::FromStr;

use crate::otp::{Algorithm, OtpError};

/// The alphabet of the challenge question (`QA`, `QN`, `QH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionFormat {
    /// `QA`: alphanumeric characters, hashed as their ASCII bytes.
    Alphanumeric,
    /// `QN`: decimal digits, converted to a big-endian number.
    Numeric,
    /// `QH`: hexadecimal digits.
    Hex,
}

impl QuestionFormat {
    /// What a valid question consists of, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Alphanumeric => "alphanumeric (A-Z, a-z, 0-9)",
            Self::Numeric => "decimal digits",
            Self::Hex => "hexadecimal digits",
        }
    }
}

/// The time step of a `T` data input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeStep {
    /// `T<n>S`, 1 to 59 seconds.
    Seconds(u8),
    /// `T<n>M`, 1 to 59 minutes.
    Minutes(u8),
    /// `T<n>H`, 1 to 48 hours (erratum 3729: `T0H` is not a step).
    Hours(u8),
}

impl TimeStep {
    /// The step in seconds.
    pub fn seconds(self) -> u64 {
        match self {
            Self::Seconds(n) => u64::from(n),
            Self::Minutes(n) => u64::from(n) * 60,
            Self::Hours(n) => u64::from(n) * 3600,
        }
    }
}

/// A parsed OCRA suite. Its text is part of the HMAC input, so it is kept
/// exactly as given and [`fmt::Display`] prints it back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OcraSuite {
    text: String,
    hash: Algorithm,
    truncation: u8,
    counter: bool,
    question: QuestionFormat,
    question_len: u8,
    pin: Option<Algorithm>,
    session: Option<u16>,
    time_step: Option<TimeStep>,
}

impl OcraSuite {
    /// Shortest question length `xx` in a suite.
    pub const MIN_QUESTION_LEN: u8 = 4;
    /// Longest question length `xx` in a suite.
    pub const MAX_QUESTION_LEN: u8 = 64;
    /// Largest session information size `nnn`, in bytes.
    pub const MAX_SESSION_LEN: u16 = 512;
    /// Longest suite text accepted (the longest valid suite is far shorter).
    const MAX_TEXT_LEN: usize = 64;

    /// The HMAC hash function.
    pub fn hash(&self) -> Algorithm {
        self.hash
    }

    /// Number of decimal digits of the response, or 0 for the full HMAC in hex.
    pub fn truncation(&self) -> u8 {
        self.truncation
    }

    /// Whether the data input has a counter `C`.
    pub fn has_counter(&self) -> bool {
        self.counter
    }

    /// The question alphabet.
    pub fn question_format(&self) -> QuestionFormat {
        self.question
    }

    /// The maximum length `xx` of one question, in characters.
    pub fn question_len(&self) -> u8 {
        self.question_len
    }

    /// The hash of the PIN input `P`, if the suite has one.
    pub fn pin_hash(&self) -> Option<Algorithm> {
        self.pin
    }

    /// The length in bytes of the session input `S`, if the suite has one.
    pub fn session_len(&self) -> Option<u16> {
        self.session
    }

    /// The time step of the timestamp input `T`, if the suite has one.
    pub fn time_step(&self) -> Option<TimeStep> {
        self.time_step
    }

    /// The suite text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The timestamp input `T` for a Unix time: `time / step`.
    pub fn timestamp_for(&self, unix_time: u64) -> Result<u64, OtpError> {
        let step = self.time_step.ok_or(OtpError::Unexpected("a timestamp"))?;
        Ok(unix_time / step.seconds())
    }
}

impl fmt::Display for OcraSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn invalid(reason: impl Into<String>) -> OtpError {
    OtpError::InvalidSuite(reason.into())
}

/// A decimal number of 1 to `max_digits` digits without a leading zero
/// (so that every suite has one spelling).
fn number(s: &str, max_digits: usize, what: &str) -> Result<u32, OtpError> {
    let well_formed = !s.is_empty()
        && s.len() <= max_digits
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if !well_formed {
        return Err(invalid(format!("{what} {s:?} is not a number")));
    }
    s.parse()
        .map_err(|_| invalid(format!("{what} {s:?} is not a number")))
}

fn hash_name(s: &str) -> Result<Algorithm, OtpError> {
    match s {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        _ => Err(invalid(format!(
            "unknown hash {s:?} (expected SHA1, SHA256 or SHA512)"
        ))),
    }
}

impl FromStr for OcraSuite {
    type Err = OtpError;

    fn from_str(text: &str) -> Result<Self, OtpError> {
        if text.len() > Self::MAX_TEXT_LEN {
            return Err(invalid(format!(
                "longer than {} characters",
                Self::MAX_TEXT_LEN
            )));
        }
        if !text.is_ascii() {
            return Err(invalid("it must be ASCII"));
        }
        let mut parts = text.split(':');
        let (Some(algorithm), Some(function), Some(data), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("expected three parts separated by ':'"));
        };
        if algorithm != "OCRA-1" {
            return Err(invalid(format!(
                "unknown version {algorithm:?} (expected OCRA-1)"
            )));
        }

        let mut function = function.split('-');
        let (Some("HOTP"), Some(hash), Some(digits), None) = (
            function.next(),
            function.next(),
            function.next(),
            function.next(),
        ) else {
            return Err(invalid("the crypto function must be HOTP-<hash>-<digits>"));
        };
        let hash = hash_name(hash)?;
        let truncation = number(digits, 2, "truncation")?;
        if truncation != 0 && !(4..=10).contains(&truncation) {
            return Err(OtpError::InvalidTruncation(truncation));
        }

        let mut items = data.split('-').peekable();
        let counter = items.next_if_eq(&"C").is_some();
        let question_item = items.next().unwrap_or_default();
        let (question, question_len) = parse_question(question_item)?;

        let mut suite = Self {
            text: text.to_owned(),
            hash,
            truncation: u8::try_from(truncation)
                .map_err(|_| OtpError::InvalidTruncation(truncation))?,
            counter,
            question,
            question_len,
            pin: None,
            session: None,
            time_step: None,
        };
        // Optional inputs, each at most once, in the order of the data input.
        let mut rank = 0;
        for item in items {
            let this_rank = match item.as_bytes().first() {
                Some(b'P') => {
                    suite.pin = Some(hash_name(item.get(1..).unwrap_or_default())?);
                    1
                }
                Some(b'S') => {
                    suite.session = Some(parse_session(item)?);
                    2
                }
                Some(b'T') => {
                    suite.time_step = Some(parse_time_step(item)?);
                    3
                }
                _ => return Err(invalid(format!("unknown data input {item:?}"))),
            };
            if this_rank <= rank {
                return Err(invalid(format!(
                    "data input {item:?} is repeated or out of order (C, Q, P, S, T)"
                )));
            }
            rank = this_rank;
        }
        Ok(suite)
    }
}

fn parse_question(item: &str) -> Result<(QuestionFormat, u8), OtpError> {
    let mut chars = item.chars();
    if chars.next() != Some('Q') {
        return Err(invalid("the data input needs a question Q<A|N|H><xx>"));
    }
    let format = match chars.next() {
        Some('A') => QuestionFormat::Alphanumeric,
        Some('N') => QuestionFormat::Numeric,
        Some('H') => QuestionFormat::Hex,
        _ => {
            return Err(invalid(format!(
                "question {item:?}: the format must be A, N or H"
            )));
        }
    };
    let len = chars.as_str();
    let valid = len.len() == 2 && len.bytes().all(|b| b.is_ascii_digit());
    let n: u8 = if valid { len.parse().unwrap_or(0) } else { 0 };
    if !(OcraSuite::MIN_QUESTION_LEN..=OcraSuite::MAX_QUESTION_LEN).contains(&n) {
        return Err(invalid(format!(
            "question {item:?}: the length must be two digits from 04 to 64"
        )));
    }
    Ok((format, n))
}

fn parse_session(item: &str) -> Result<u16, OtpError> {
    let digits = item.get(1..).unwrap_or_default();
    let valid = digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit());
    let n: u16 = if valid {
        digits.parse().unwrap_or(0)
    } else {
        0
    };
    if n == 0 || n > OcraSuite::MAX_SESSION_LEN {
        return Err(invalid(format!(
            "session {item:?}: the length must be three digits from 001 to {}",
            OcraSuite::MAX_SESSION_LEN
        )));
    }
    Ok(n)
}

fn parse_time_step(item: &str) -> Result<TimeStep, OtpError> {
    let body = item.get(1..).unwrap_or_default();
    let (n, unit) = body.split_at(body.len().saturating_sub(1));
    let n = number(n, 2, "time step").map_err(|_| {
        invalid(format!(
            "timestamp {item:?}: expected T<n>S, T<n>M or T<n>H"
        ))
    })?;
    let n = u8::try_from(n).unwrap_or(u8::MAX);
    let (step, range) = match unit {
        "S" => (TimeStep::Seconds(n), 1..=59),
        "M" => (TimeStep::Minutes(n), 1..=59),
        "H" => (TimeStep::Hours(n), 1..=48),
        _ => {
            return Err(invalid(format!(
                "timestamp {item:?}: the unit must be S, M or H"
            )));
        }
    };
    if !range.contains(&n) {
        return Err(invalid(format!(
            "timestamp {item:?}: the step must be {} to {}{unit}",
            range.start(),
            range.end()
        )));
    }
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc_suites() {
        let s: OcraSuite = "OCRA-1:HOTP-SHA512-8:C-QN08-PSHA1".parse().unwrap();
        assert_eq!(s.hash(), Algorithm::Sha512);
        assert_eq!(s.truncation(), 8);
        assert!(s.has_counter());
        assert_eq!(s.question_format(), QuestionFormat::Numeric);
        assert_eq!(s.question_len(), 8);
        assert_eq!(s.pin_hash(), Some(Algorithm::Sha1));
        assert_eq!(s.to_string(), "OCRA-1:HOTP-SHA512-8:C-QN08-PSHA1");

        let s: OcraSuite = "OCRA-1:HOTP-SHA512-8:QA10-T1M".parse().unwrap();
        assert_eq!(s.time_step(), Some(TimeStep::Minutes(1)));
        assert_eq!(s.timestamp_for(1_206_446_760).unwrap(), 0x132d0b6);

        let s: OcraSuite = "OCRA-1:HOTP-SHA256-0:QH64-PSHA512-S512-T48H"
            .parse()
            .unwrap();
        assert_eq!(s.truncation(), 0);
        assert_eq!(s.session_len(), Some(512));
        assert_eq!(s.time_step().unwrap().seconds(), 48 * 3600);
    }

    #[test]
    fn rejects_malformed_suites() {
        let bad = [
            "",
            "OCRA-1",
            "OCRA-1:HOTP-SHA1-6",
            "OCRA-2:HOTP-SHA1-6:QN08",
            "ocra-1:HOTP-SHA1-6:QN08",
            "OCRA-1:HOTP-MD5-6:QN08",
            "OCRA-1:HOTP-SHA1-3:QN08",
            "OCRA-1:HOTP-SHA1-11:QN08",
            "OCRA-1:HOTP-SHA1-06:QN08",
            "OCRA-1:TOTP-SHA1-6:QN08",
            "OCRA-1:HOTP-SHA1-6:",
            "OCRA-1:HOTP-SHA1-6:C",
            "OCRA-1:HOTP-SHA1-6:QN03",
            "OCRA-1:HOTP-SHA1-6:QN65",
            "OCRA-1:HOTP-SHA1-6:QN8",
            "OCRA-1:HOTP-SHA1-6:QX08",
            "OCRA-1:HOTP-SHA1-6:QN08-C",
            "OCRA-1:HOTP-SHA1-6:QN08-T0H",
            "OCRA-1:HOTP-SHA1-6:QN08-T49H",
            "OCRA-1:HOTP-SHA1-6:QN08-T60M",
            "OCRA-1:HOTP-SHA1-6:QN08-T0S",
            "OCRA-1:HOTP-SHA1-6:QN08-T1D",
            "OCRA-1:HOTP-SHA1-6:QN08-T",
            "OCRA-1:HOTP-SHA1-6:QN08-S000",
            "OCRA-1:HOTP-SHA1-6:QN08-S513",
            "OCRA-1:HOTP-SHA1-6:QN08-S64",
            "OCRA-1:HOTP-SHA1-6:QN08-PMD5",
            "OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1",
            "OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1",
            "OCRA-1:HOTP-SHA1-6:QN08-",
            "OCRA-1:HOTP-SHA1-6:QN08:extra",
            "OCRA-1:HOTP-SHA1-6:QN08-T1M\u{0}",
            "OCRA-1:HOTP-SHA1-6:QN08-TéM",
        ];
        for suite in bad {
            assert!(
                suite.parse::<OcraSuite>().is_err(),
                "{suite:?} was accepted"
            );
        }
        let long = format!("OCRA-1:HOTP-SHA1-6:QN08{}", "-T1M".repeat(100));
        assert!(long.parse::<OcraSuite>().is_err());
    }
}

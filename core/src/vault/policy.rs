//! The passcode: bytes in (it crosses the FFI as bytes, never as a string),
//! zeroized, redacted; and the policy new passcodes must meet (NIST SP
//! 800-63B: length, a blocklist of common values, trivial sequences).

use std::fmt;

use thiserror::Error;

use crate::secret::SecretBytes;

/// Fewest characters a passcode may have.
pub const MIN_CHARS: usize = 6;
/// Most characters a passcode may have. Longer passcodes are refused, never truncated.
pub const MAX_CHARS: usize = 16;

/// Common passcodes that are refused whatever their length rules say
/// (compared case-insensitively).
pub const BLOCKLIST: &[&str] = &[
    "000000",
    "111111",
    "123456",
    "654321",
    "123123",
    "121212",
    "112233",
    "666666",
    "123321",
    "159753",
    "147258",
    "258369",
    "789456",
    "123654",
    "696969",
    "131313",
    "102030",
    "101010",
    "112358",
    "147852",
    "987654",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "11223344",
    "password",
    "passwort",
    "qwerty",
    "qwertz",
    "azerty",
    "abc123",
    "iloveyou",
    "letmein",
    "monkey",
    "dragon",
    "qwerty123",
    "password1",
    "luxtrust",
    "passcode",
];

/// A passcode as the user typed it, as bytes (UTF-8 expected for the policy
/// check). Zeroized when dropped, `[REDACTED]` in `Debug`, no `Clone`.
pub struct Passcode(SecretBytes);

impl Passcode {
    /// Takes the bytes without copying them.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretBytes::new(bytes))
    }

    /// The bytes, for the KDF.
    pub(crate) fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// Checks the policy for a new passcode.
    pub fn check_policy(&self) -> Result<(), PolicyViolation> {
        check_passcode(self.expose())
    }
}

impl fmt::Debug for Passcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passcode([REDACTED])")
    }
}

/// Why a new passcode is refused; the app shows the matching hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PolicyViolation {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("it has {chars} characters; at least {MIN_CHARS} are needed")]
    TooShort {
        /// Characters typed.
        chars: usize,
    },
    /// More than [`MAX_CHARS`] characters.
    #[error("it has {chars} characters; at most {MAX_CHARS} are allowed")]
    TooLong {
        /// Characters typed.
        chars: usize,
    },
    /// Not valid UTF-8 text.
    #[error("it is not valid text")]
    NotText,
    /// It contains a control character (tab, newline, ...).
    #[error("it contains a control character")]
    ControlCharacter,
    /// One of the most common passcodes.
    #[error("it is one of the most common passcodes")]
    Common,
    /// The same character repeated.
    #[error("it repeats one character")]
    RepeatedCharacter,
    /// A run like 123456, 987654 or abcdef.
    #[error("it is a simple sequence")]
    Sequence,
    /// A short group repeated, like 121212 or 123123.
    #[error("it repeats a short pattern")]
    RepeatedPattern,
}

/// Checks `passcode` (UTF-8 bytes) against the policy. Characters are Unicode
/// scalar values: "ééééé1" has 6 characters, not 11 bytes.
pub fn check_passcode(passcode: &[u8]) -> Result<(), PolicyViolation> {
    let text = std::str::from_utf8(passcode).map_err(|_| PolicyViolation::NotText)?;
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n < MIN_CHARS {
        return Err(PolicyViolation::TooShort { chars: n });
    }
    if n > MAX_CHARS {
        return Err(PolicyViolation::TooLong { chars: n });
    }
    if chars.iter().any(|c| c.is_control()) {
        return Err(PolicyViolation::ControlCharacter);
    }
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let lower_text: String = lower.iter().collect();
    if BLOCKLIST.iter().any(|b| *b == lower_text) {
        return Err(PolicyViolation::Common);
    }
    if lower.windows(2).all(|w| matches!(w, [a, b] if a == b)) {
        return Err(PolicyViolation::RepeatedCharacter);
    }
    let step = |w: &[char]| match w {
        [a, b] => i64::from(u32::from(*b)) - i64::from(u32::from(*a)),
        _ => 0,
    };
    let steps: Vec<i64> = lower.windows(2).map(step).collect();
    if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Err(PolicyViolation::Sequence);
    }
    // A group of 2 or 3 characters repeated to fill the whole passcode.
    for period in 2..=3 {
        if n.is_multiple_of(period)
            && lower
                .iter()
                .zip(lower.iter().skip(period))
                .all(|(a, b)| a == b)
        {
            return Err(PolicyViolation::RepeatedPattern);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        use PolicyViolation::*;
        let table: &[(&[u8], Result<(), PolicyViolation>)] = &[
            (b"", Err(TooShort { chars: 0 })),
            (b"a1b2c", Err(TooShort { chars: 5 })),
            (b"a1b2c3", Ok(())),
            (b"a1b2c3d4e5f6g7h8", Ok(())),
            (b"a1b2c3d4e5f6g7h8i", Err(TooLong { chars: 17 })),
            // Characters, not bytes: 6 two-byte characters are enough, 17 are too many.
            ("\u{e9}t\u{e9}4\u{e9}\u{e8}".as_bytes(), Ok(())),
            (
                "\u{e9}\u{e8}\u{e0}\u{f9}".as_bytes(),
                Err(TooShort { chars: 4 }),
            ),
            (
                "\u{e9}1\u{e9}2\u{e9}3\u{e9}4\u{e9}5\u{e9}6\u{e9}7\u{e9}8\u{e9}".as_bytes(),
                Err(TooLong { chars: 17 }),
            ),
            (b"\xff\xfe\xfd\xfc\xfb\xfa", Err(NotText)),
            (b"abc\ndef", Err(ControlCharacter)),
            (b"000000", Err(Common)),
            (b"111111", Err(Common)),
            (b"123456", Err(Common)),
            (b"654321", Err(Common)),
            (b"123123", Err(Common)),
            (b"121212", Err(Common)),
            (b"112233", Err(Common)),
            (b"666666", Err(Common)),
            (b"123321", Err(Common)),
            (b"159753", Err(Common)),
            (b"PassWord", Err(Common)),
            (b"QWERTY", Err(Common)),
            (b"999999", Err(RepeatedCharacter)),
            (b"aaaaaaaaaaaaaaaa", Err(RepeatedCharacter)),
            (b"345678", Err(Sequence)),
            (b"876543", Err(Sequence)),
            (b"abcdefgh", Err(Sequence)),
            (b"FEDCBA", Err(Sequence)),
            (b"454545", Err(RepeatedPattern)),
            (b"789789", Err(RepeatedPattern)),
            (b"abababab", Err(RepeatedPattern)),
            (b"271828", Ok(())),
            (b"135790", Ok(())),
            (b"correct horse", Ok(())),
            (b"1234567a", Ok(())),
        ];
        for (passcode, want) in table {
            assert_eq!(
                check_passcode(passcode),
                *want,
                "{:?}",
                String::from_utf8_lossy(passcode)
            );
        }
        assert!(BLOCKLIST.len() >= 10);
        for common in BLOCKLIST {
            assert!(check_passcode(common.as_bytes()).is_err(), "{common}");
        }
    }

    #[test]
    fn every_character_counts() {
        // Two passcodes that differ only in the 16th character are different
        // inputs to the KDF: nothing is truncated.
        let a = Passcode::new(b"k7#pQ2!vL9@wX4$a".to_vec());
        let b = Passcode::new(b"k7#pQ2!vL9@wX4$b".to_vec());
        assert!(a.check_policy().is_ok() && b.check_policy().is_ok());
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 16);
    }

    #[test]
    fn debug_is_redacted() {
        let p = Passcode::new(b"canary-pass".to_vec());
        assert_eq!(format!("{p:?}"), "Passcode([REDACTED])");
    }
}

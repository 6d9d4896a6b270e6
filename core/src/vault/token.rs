//! The tokens a vault holds: what anyone may read without the passcode
//! ([`TokenInfo`]) and what goes in when a token is added ([`NewToken`]).

use std::fmt;
use std::str::FromStr;

use super::error::VaultError;
use super::format::{StoredKey, StoredKind, TokenRecord};
use crate::mosaic::{OtpParams, TokenId as PortalTokenId};
use crate::otp::{Algorithm, Hotp, OtpKey};
use crate::secret::SecretBytes;
use crate::text::has_forbidden;
use crate::uri::{OtpToken, TokenKind as UriKind};

/// Longest issuer, account, origin or user id accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 256;
/// Length of a challenge key in bytes.
pub const CHALLENGE_KEY_LEN: usize = 32;

/// A token's id in this vault (never reused after removal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenId(pub u64);

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for TokenId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(Self)
    }
}

/// What a token is bound to when a portal activated it by mosaic
/// ([`crate::mosaic`]): its responses' parameters, and the portal, user and
/// portal-side token id its challenges must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MosaicBinding {
    /// Digits and hash of the OCRA responses.
    pub params: OtpParams,
    /// The portal's origin (for example `https://portal.example`).
    pub portal_origin: String,
    /// The user at the portal.
    pub user_id: String,
    /// The portal's id for this token (the `kid` of its challenge mosaics).
    pub portal_token_id: PortalTokenId,
}

/// A token's kind and public parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// Event-based (RFC 4226).
    Hotp {
        /// The HMAC hash.
        algorithm: Algorithm,
        /// Digits per code.
        digits: u8,
        /// The next counter value.
        counter: u64,
    },
    /// Time-based (RFC 6238, T0 = 0).
    Totp {
        /// The HMAC hash.
        algorithm: Algorithm,
        /// Digits per code.
        digits: u8,
        /// The time step in seconds.
        period: u64,
    },
    /// Activated from a portal's mosaic: OCRA challenge-response.
    Mosaic(MosaicBinding),
}

impl TokenKind {
    /// `hotp`, `totp` or `mosaic`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Hotp { .. } => "hotp",
            Self::Totp { .. } => "totp",
            Self::Mosaic(_) => "mosaic",
        }
    }
}

/// What can be read about a token without the passcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its id in this vault.
    pub id: TokenId,
    /// The service, if known.
    pub issuer: Option<String>,
    /// The account within the service.
    pub account: String,
    /// Kind and parameters.
    pub kind: TokenKind,
}

impl TokenInfo {
    /// "Issuer:account", or the account alone.
    pub fn label(&self) -> String {
        match &self.issuer {
            Some(issuer) => format!("{issuer}:{}", self.account),
            None => self.account.clone(),
        }
    }
}

/// A token to add: its public description, its OTP key and, for mosaic
/// tokens, its challenge key.
#[derive(Debug)]
pub struct NewToken {
    /// The service, if known.
    pub issuer: Option<String>,
    /// The account within the service.
    pub account: String,
    /// Kind and parameters (the HOTP counter is the next value to use).
    pub kind: TokenKind,
    /// The OTP (or OCRA) key.
    pub key: OtpKey,
    /// The 32-byte key that opens challenge mosaics (mosaic tokens only).
    pub challenge_key: Option<SecretBytes>,
}

impl From<OtpToken> for NewToken {
    fn from(t: OtpToken) -> Self {
        let kind = match t.kind {
            UriKind::Hotp { counter } => TokenKind::Hotp {
                algorithm: t.algorithm,
                digits: t.digits,
                counter,
            },
            UriKind::Totp { period } => TokenKind::Totp {
                algorithm: t.algorithm,
                digits: t.digits,
                period,
            },
        };
        Self {
            issuer: t.issuer,
            account: t.account,
            kind,
            key: t.secret,
            challenge_key: None,
        }
    }
}

fn check_text(what: &str, text: &str) -> Result<(), VaultError> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(VaultError::InvalidToken(format!(
            "the {what} has {chars} characters; at most {MAX_TEXT_CHARS} are allowed"
        )));
    }
    // The same characters as in mosaics and Key URIs: control, bidi
    // overrides and isolates, invisible marks.
    if has_forbidden(text) {
        return Err(VaultError::InvalidToken(format!(
            "the {what} contains a control or bidirectional-formatting character"
        )));
    }
    Ok(())
}

fn check_digits(digits: u8) -> Result<(), VaultError> {
    if !(Hotp::MIN_DIGITS..=Hotp::MAX_DIGITS).contains(&digits) {
        return Err(VaultError::InvalidToken(format!(
            "digits must be between {} and {}, got {digits}",
            Hotp::MIN_DIGITS,
            Hotp::MAX_DIGITS
        )));
    }
    Ok(())
}

impl NewToken {
    /// Checks the parameters and builds the stored record (without the key).
    pub(crate) fn to_record(&self, id: u64) -> Result<TokenRecord, VaultError> {
        if let Some(issuer) = &self.issuer {
            check_text("issuer", issuer)?;
        }
        check_text("account", &self.account)?;
        let kind = match &self.kind {
            TokenKind::Hotp {
                algorithm,
                digits,
                counter,
            } => {
                check_digits(*digits)?;
                StoredKind::Hotp {
                    algorithm: algorithm.name().to_owned(),
                    digits: *digits,
                    counter: *counter,
                }
            }
            TokenKind::Totp {
                algorithm,
                digits,
                period,
            } => {
                check_digits(*digits)?;
                if !(1..=OtpToken::MAX_PERIOD).contains(period) {
                    return Err(VaultError::InvalidToken(format!(
                        "the period must be between 1 and {} seconds, got {period}",
                        OtpToken::MAX_PERIOD
                    )));
                }
                StoredKind::Totp {
                    algorithm: algorithm.name().to_owned(),
                    digits: *digits,
                    period: *period,
                }
            }
            TokenKind::Mosaic(binding) => {
                check_text("portal origin", &binding.portal_origin)?;
                check_text("user id", &binding.user_id)?;
                check_digits(binding.params.digits)?;
                StoredKind::Mosaic {
                    digits: binding.params.digits,
                    hash: binding.params.hash.name().to_owned(),
                    portal_origin: binding.portal_origin.clone(),
                    user_id: binding.user_id.clone(),
                    portal_token_id: binding.portal_token_id.to_string(),
                }
            }
        };
        let challenge_key = match (&self.kind, &self.challenge_key) {
            (TokenKind::Mosaic(_), Some(k)) if k.len() == CHALLENGE_KEY_LEN => {
                Some(StoredKey(SecretBytes::from_slice(k.expose())))
            }
            (TokenKind::Mosaic(_), _) => {
                return Err(VaultError::InvalidToken(format!(
                    "a mosaic token needs a {CHALLENGE_KEY_LEN}-byte challenge key"
                )));
            }
            (_, Some(_)) => {
                return Err(VaultError::InvalidToken(
                    "only mosaic tokens have a challenge key".into(),
                ));
            }
            (_, None) => None,
        };
        Ok(TokenRecord {
            id,
            issuer: self.issuer.clone(),
            account: self.account.clone(),
            kind,
            challenge_key,
            last_step: None,
        })
    }
}

impl TokenRecord {
    /// The public view. A record whose parameters no longer parse is
    /// reported as corrupted.
    pub(crate) fn info(&self) -> Result<TokenInfo, VaultError> {
        let bad = || VaultError::Corrupted(format!("token {} has invalid parameters", self.id));
        let kind = match &self.kind {
            StoredKind::Hotp {
                algorithm,
                digits,
                counter,
            } => TokenKind::Hotp {
                algorithm: algorithm.parse().map_err(|_| bad())?,
                digits: *digits,
                counter: *counter,
            },
            StoredKind::Totp {
                algorithm,
                digits,
                period,
            } => TokenKind::Totp {
                algorithm: algorithm.parse().map_err(|_| bad())?,
                digits: *digits,
                period: *period,
            },
            StoredKind::Mosaic {
                digits,
                hash,
                portal_origin,
                user_id,
                portal_token_id,
            } => TokenKind::Mosaic(MosaicBinding {
                params: OtpParams {
                    digits: *digits,
                    hash: hash.parse().map_err(|_| bad())?,
                },
                portal_origin: portal_origin.clone(),
                user_id: user_id.clone(),
                portal_token_id: portal_token_id.parse().map_err(|_| bad())?,
            }),
        };
        Ok(TokenInfo {
            id: TokenId(self.id),
            issuer: self.issuer.clone(),
            account: self.account.clone(),
            kind,
        })
    }
}

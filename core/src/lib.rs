//! Tessera's core: everything of the authenticator that is not camera or
//! biometric hardware, with no FFI, no global state and no I/O.
//!
//! - [`authenticator`]: the facade the apps, the CLI and the demo use: scan,
//!   read, unlock, approve, import.
//! - [`crypto`]: the one AES-256-GCM, Argon2id and HMAC-SHA256 of the core;
//!   randomness as a parameter.
//! - [`mosaic`]: the portal's messages (activation offers, login and
//!   transaction challenges) and their OCRA responses.
//! - [`otp`]: HOTP, TOTP and OCRA engines.
//! - [`platform`]: the platform's contract (storage, device keys,
//!   biometrics, clock, randomness) as traits.
//! - [`scan`]: QR codes from camera frames.
//! - [`secret`]: the byte types that hold keys and codes.
//! - [`sync`]: the one way a mutex is taken.
//! - [`text`]: what may be shown to the user (forbidden and look-alike
//!   characters).
//! - [`uri`]: `otpauth://` Key URIs and Google Authenticator exports.
//! - [`vault`]: the tokens' secrets at rest behind a passcode or biometrics.
//!
//! Time, storage and platform keys come in through parameters and traits;
//! this crate never reads the clock, the file system, the network or the
//! environment.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

pub mod authenticator;
pub mod crypto;
pub mod mosaic;
pub mod otp;
pub mod platform;
pub mod scan;
pub mod secret;
pub mod sync;
pub mod text;
pub mod uri;
pub mod vault;

#[cfg(test)]
mod canary_tests;

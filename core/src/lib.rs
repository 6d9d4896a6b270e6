//! Tessera's core: everything of the authenticator that is not camera or
//! biometric hardware, with no FFI, no global state and no I/O.
//!
//! - [`otp`]: HOTP, TOTP and OCRA engines.
//! - [`uri`]: `otpauth://` Key URIs and Google Authenticator exports.
//! - [`scan`]: QR codes from camera frames.
//! - [`secret`]: the byte types that hold keys and codes.
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

//! Tessera's reference portal: the relying party that issues activation
//! offers and challenges as coloured mosaics and decides on the OTPs that
//! come back. It uses the same core code as the phone.
//!
//! - [`Portal`]: enrol, confirm, issue login and transaction challenges, verify.
//! - [`store`]: the state behind a trait, SQLite by default.
//! - [`render`]: mosaics as PNG or SVG.
//! - [`amount`]: amounts per currency (minor units), checked for every transaction.

pub mod amount;
mod error;
mod portal;
pub mod render;
pub mod store;

#[cfg(test)]
mod canary_tests;

pub use error::PortalError;
pub use portal::{
    Accepted, Enrollment, IssuedChallenge, Portal, PortalConfig, keys_of, parse_challenge_id,
};
pub use store::{PortalStore, SqliteStore};
#[cfg(feature = "web")]
pub mod web;

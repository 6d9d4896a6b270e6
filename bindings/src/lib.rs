//! Tessera's uniffi surface for Kotlin, Swift and Python: the
//! `tessera_core::authenticator` facade as objects, records, platform
//! traits and one error. Nothing here computes what the core computes.
//!
//! | File | Concern |
//! |---|---|
//! | `authenticator.rs` | [`Authenticator`], [`ScannedRequest`], [`PendingActivation`], [`PendingChallenge`], [`PendingImport`], [`erase_vault`] |
//! | `vault.rs` | [`UnlockedVault`]: codes, token, passcode and biometric management |
//! | `shared.rs` | what the objects of one authenticator share (core, clock, log) and the passcode check at the boundary |
//! | `platform.rs` | the traits the shells implement ([`SecureStorage`], [`DeviceKeystore`], [`BiometricGate`], [`Clock`], [`Logger`]) and their `*Adapter`s to the core's |
//! | `frame.rs` | [`CameraFrame`]: planes with strides, as cameras deliver them |
//! | `records.rs` | the non-secret records and enums |
//! | `error.rs` | [`TesseraError`] (to the app) and [`PlatformError`] (from the shells) |
//!
//! Rules: every export returns `Result`; no record holds key material
//! (passcodes cross as bytes, only OTPs cross as text, for display);
//! unlocked state stays in [`UnlockedVault`]; nothing test-only (the test
//! exports and the tests are the crate `tessera-ffi-testing`,
//! `bindings/testing`, which this crate never depends on). See
//! `bindings/README.md` for the threading rules and
//! `docs/adr/0006-uniffi-surface.md` for the why.

uniffi::setup_scaffolding!();

mod authenticator;
mod error;
mod frame;
mod platform;
mod records;
mod shared;
mod vault;

pub use authenticator::{
    Authenticator, PendingActivation, PendingChallenge, PendingImport, ScannedRequest, erase_vault,
};
pub use error::{PlatformError, TesseraError};
pub use frame::{CameraFrame, FramePlane, PixelFormat};
pub use platform::{
    BiometricAdapter, BiometricGate, Clock, ClockAdapter, DeviceKeystore, KeystoreAdapter,
    LogLevel, Logger, SecureStorage, StorageAdapter,
};
pub use records::{
    ActivatedToken, ActivationDetails, AuthenticatorOptions, BiometricStatus, ChallengeDetails,
    ChallengeKind, HashAlgorithm, ImportPreview, TokenCode, TokenInfo, TokenKind,
    TransactionDetails, UnlockMethod, VaultStatus,
};
pub use shared::MAX_PASSCODE_BYTES;
pub use vault::UnlockedVault;

//! The reference portal (relying party). Issuing and verifying mosaics arrives
//! with the mosaic protocol issue; this crate depends only on the core.

pub use tessera_core as core;

//! Tessera's FFI surface. The uniffi exports arrive with the bindings issue;
//! until then this crate only re-exports the core so the workspace layout and
//! its one-way dependency rule are in place.

pub use tessera_core as core;

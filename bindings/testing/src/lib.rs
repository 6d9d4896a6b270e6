//! TEST ONLY: `libtessera_ffi_testing`, the library the Kotlin and Python
//! binding tests load. It is `tessera-ffi` (re-exported whole, so all of its
//! scaffolding is linked in and library-mode generation finds both crates)
//! plus what the tests need to play the relying party. Never in an app:
//! `tessera-ffi` does not depend on it, and `scripts/bindings` checks that
//! the shipped library exports nothing from here.
//!
//! | File | Concern |
//! |---|---|
//! | `portal.rs` | [`TestPortal`], the reference portal in memory: enrol, confirm, login, sign, verify |
//! | `frame.rs` | [`test_mosaic_frame`]: a mosaic as a camera frame in any [`PixelFormat`](tessera_ffi::PixelFormat) |
//! | `tests/*.rs` | the Rust tests of the whole surface (flows, hostile input to every export) |
//! | `tests/{kotlin,python,swift}/` | the foreign-language tests `scripts/bindings` runs (Swift: parsed only) |
//! | `kotlin-testkit/` | Kotlin fakes of the platform traits and the test harness, shared with `android/jvm-tests` |

uniffi::setup_scaffolding!();

/// The shipped surface, whole: its exports are linked into this library.
pub use tessera_ffi;

mod frame;
mod portal;

pub use frame::test_mosaic_frame;
pub use portal::{TestChallenge, TestPortal};

use tessera_ffi::TesseraError;
use tessera_portal::PortalError;

fn bad_input(reason: impl Into<String>) -> TesseraError {
    TesseraError::BadInput {
        reason: reason.into(),
    }
}

fn refused(e: PortalError) -> TesseraError {
    bad_input(format!("the portal refused: {e}"))
}

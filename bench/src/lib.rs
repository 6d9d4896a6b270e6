//! Tessera's scanner benchmark: a reproducible, seeded generator of
//! camera-like frames holding QR codes (monochrome and coloured mosaics,
//! degraded as phone cameras degrade them), and the manifest that describes
//! them. `gen-frames` writes a set; `scripts/bench-scan` runs the decoders
//! over it and `bench/report.py` writes `docs/benchmarks.md`.
//!
//! | file | concern |
//! | --- | --- |
//! | `rng.rs` | seeded random streams (stable across crate versions) |
//! | `qr.rs` | payloads and QR symbols (EC M, byte mode) |
//! | `palette.rs` | monochrome, brand, low-contrast and mosaic colours |
//! | `scene.rs` | textured backgrounds |
//! | `warp.rs` | pose, homography, compositing with bilinear sampling |
//! | `degrade.rs` | light, glare, blur, motion blur, vignetting, noise |
//! | `yuv.rs` | NV21 / NV12 / I420 / grey layouts with padded strides |
//! | `frame.rs` | categories, their recipes, one frame end to end |
//! | `manifest.rs` | the manifest entry and its loader |

pub mod degrade;
pub mod frame;
pub mod load;
pub mod manifest;
pub mod palette;
pub mod qr;
pub mod raster;
pub mod rng;
pub mod scene;
pub mod warp;
pub mod yuv;

pub use frame::{CATEGORIES, Frame, TIMING_CATEGORIES, generate};
pub use manifest::{Entry, Format, Plane};

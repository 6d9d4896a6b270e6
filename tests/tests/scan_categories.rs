//! Every category of the benchmark's frame generator, at small scale, through
//! the real scanner: the easy ones must always read, the hard ones mostly.
//! (The full comparison with zxing-cpp and zbar is `scripts/bench-scan`.)

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use tessera_bench::frame::{CATEGORIES, generate};
use tessera_bench::load::Pixels;
use tessera_core::scan::Scanner;

const SEED: u64 = 2026;
const PER_CATEGORY: u32 = 3;

/// Categories every frame of which must read.
const ALWAYS: [&str; 8] = [
    "clean",
    "color-high",
    "color-low",
    "mosaic",
    "inverted",
    "rotated",
    "yuv",
    "moire",
];

#[test]
fn every_generator_category_reads() {
    let scanner = Scanner::default();
    let mut total = (0u32, 0u32);
    let mut report = Vec::new();
    for category in CATEGORIES {
        let mut read = 0;
        for i in 0..PER_CATEGORY {
            let f = generate(SEED, category, 1280, 720, i).unwrap();
            let pixels = Pixels::decode(&f.entry, f.bytes).unwrap();
            let found = scanner.scan(&pixels.frame(&f.entry).unwrap());
            if found
                .iter()
                .any(|d| d.payload == f.entry.payload.as_bytes())
            {
                read += 1;
            }
        }
        report.push(format!("{category}: {read}/{PER_CATEGORY}"));
        total.0 += read;
        total.1 += PER_CATEGORY;
        if ALWAYS.contains(&category) {
            assert_eq!(read, PER_CATEGORY, "{category}: {}", report.join(", "));
        } else {
            assert!(read >= 1, "{category}: {}", report.join(", "));
        }
    }
    // The benchmark's overall rate is near 90 %; a drop below 80 % here is a regression.
    assert!(
        total.0 * 100 >= total.1 * 80,
        "{total:?}: {}",
        report.join(", ")
    );
}

//! Criterion benchmark of the scanner's decode time per frame size and
//! category, on frames the seeded generator makes in memory (the same
//! recipe as `scripts/bench-scan`, fewer frames). Decoding PNG/JPEG happens
//! before the clock starts; only `Scanner::scan` is measured.
//!
//! `cargo bench -p tessera-bench --bench scan` (add `-- clean` to filter).

// A benchmark run is a tool run: a panic here is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tessera_bench::frame::{CATEGORIES, generate};
use tessera_bench::load::Pixels;
use tessera_core::scan::Scanner;

const SEED: u64 = 11;
const FRAMES_PER_CASE: u32 = 3;

fn scan(c: &mut Criterion) {
    let scanner = Scanner::default();
    for (w, h) in [(1280, 720), (1920, 1080)] {
        let mut group = c.benchmark_group(format!("scan/{w}x{h}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(2))
            .warm_up_time(Duration::from_millis(300));
        for category in CATEGORIES {
            let frames: Vec<_> = (0..FRAMES_PER_CASE)
                .map(|i| {
                    let f = generate(SEED, category, w, h, i).unwrap();
                    let pixels = Pixels::decode(&f.entry, f.bytes).unwrap();
                    (f.entry, pixels)
                })
                .collect();
            group.bench_with_input(
                BenchmarkId::from_parameter(category),
                &frames,
                |b, frames| {
                    b.iter(|| {
                        for (entry, pixels) in frames {
                            std::hint::black_box(scanner.scan(&pixels.frame(entry).unwrap()));
                        }
                    });
                },
            );
        }
        group.finish();
    }
}

criterion_group!(benches, scan);
criterion_main!(benches);

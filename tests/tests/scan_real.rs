//! Real photos through the real scanner: the zxing project's black-box QR
//! sets and zxing-cpp's QR samples (third-party data, not in this
//! repository: `bench/import-zxing-qr.py` lays them out, `bench/README.md`
//! says where they live). Each set must read at least as many images as it
//! did when its floor was set; the comparison with zxing-cpp and zbar is
//! `scripts/bench-scan`.
//!
//! The corpus is looked for in `$TESSERA_QR_CORPUS`, then
//! `../shared/testdata/zxing-qrcode` beside the repository, then
//! `target/testdata/zxing-qrcode`. Without it the test says so and passes,
//! unless `TESSERA_REQUIRE_QR_CORPUS` is set.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use tessera_bench::load::Pixels;
use tessera_bench::manifest;
use tessera_core::scan::Scanner;

/// Images each set must read (exact text): the rates measured when the floor
/// was set (zxing-cpp 3.1.1 reads, for comparison: 20, 31, 42, 38, 19, 15;
/// 8, 52, 18, 15, 16, 15).
const FLOORS: [(&str, usize, usize); 12] = [
    ("zxing/qrcode-1", 20, 20),
    ("zxing/qrcode-2", 33, 35),
    ("zxing/qrcode-3", 39, 42),
    ("zxing/qrcode-4", 43, 48),
    ("zxing/qrcode-5", 19, 19),
    ("zxing/qrcode-6", 15, 15),
    ("zxing-cpp/qrcode-1", 8, 8),
    ("zxing-cpp/qrcode-2", 49, 56),
    ("zxing-cpp/qrcode-3", 15, 18),
    ("zxing-cpp/qrcode-4", 19, 24),
    ("zxing-cpp/qrcode-5", 16, 16),
    ("zxing-cpp/qrcode-6", 15, 15),
];

fn corpus() -> Option<PathBuf> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("TESSERA_QR_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            workspace.join("../shared/testdata/zxing-qrcode"),
            workspace.join("target/testdata/zxing-qrcode"),
        ])
        .find(|d| d.join("manifest.json").is_file())
}

#[test]
fn real_photo_sets_read_at_least_their_floor() {
    let Some(dir) = corpus() else {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_QR_CORPUS").is_none(),
            "TESSERA_REQUIRE_QR_CORPUS is set but no corpus was found"
        );
        eprintln!("scan_real: no real-photo corpus found (see the module docs); not run");
        return;
    };
    let entries = manifest::load(&dir.join("manifest.json")).unwrap();
    let scanner = Scanner::default();
    let mut read: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();
    for e in &entries {
        let bytes = std::fs::read(dir.join(&e.file)).unwrap();
        let pixels = Pixels::decode(e, bytes).unwrap();
        let found = scanner.scan(&pixels.frame(e).unwrap());
        let ok = found.iter().any(|d| e.matches(&d.payload));
        let r = read.entry(e.category.clone()).or_default();
        r.0 += usize::from(ok);
        r.1 += 1;
        if !ok {
            missed.push(e.file.clone());
        }
    }
    let summary = format!("{read:?}; missed {missed:?}");
    for (set, floor, images) in FLOORS {
        let (ok, n) = read.get(set).copied().unwrap_or_default();
        assert_eq!(n, images, "{set}: the corpus changed ({summary})");
        assert!(
            ok >= floor,
            "{set}: {ok}/{n} read, floor {floor} ({summary})"
        );
    }
    assert_eq!(read.len(), FLOORS.len(), "{summary}");
}

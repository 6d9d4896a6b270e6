//! The frame generator at small scale: the manifest describes what was
//! written, a seed gives the same bytes, another seed other frames, every
//! category is there, and each code's clean reference decodes (with rqrr) to
//! the manifest's payload.
// Helpers of a test: a panic is a failed test.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use tessera_bench::manifest::{self, Entry, Format};
use tessera_bench::{CATEGORIES, yuv};

const SIZE: &str = "1280x720";

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn gen_frames(dir: &Path, args: &[&str]) -> Vec<Entry> {
    let status = Command::new(env!("CARGO_BIN_EXE_gen-frames"))
        .arg("--out")
        .arg(dir)
        .args(["--sizes", SIZE])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "gen-frames {args:?} failed");
    manifest::load(&dir.join("manifest.json")).unwrap()
}

fn check_entry(dir: &Path, e: &Entry) {
    let bytes =
        std::fs::read(dir.join(&e.file)).unwrap_or_else(|_| panic!("{} is missing", e.file));
    assert_eq!((e.width, e.height), (1280, 720), "{}", e.file);
    assert!(
        e.file.starts_with(&format!("{}/", e.category)),
        "{}",
        e.file
    );
    assert!(
        e.file.ends_with(&format!(".{}", e.format.ext())),
        "{}",
        e.file
    );
    assert!((50..=300).contains(&e.payload.len()), "{}", e.file);
    assert!(
        e.payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    for [x, y] in e.corners {
        assert!(
            (0.0..=1280.0).contains(&x) && (0.0..=720.0).contains(&y),
            "{}: corner off frame",
            e.file
        );
    }
    if e.format.is_raw() {
        assert_eq!(e.category, "yuv");
        let stride = e.row_stride.unwrap() as usize;
        assert!(
            stride >= 1280 && stride.is_multiple_of(64),
            "{}: stride {stride}",
            e.file
        );
        let (planes, size) = yuv::layout(e.format, 1280, 720, stride);
        assert_eq!(e.planes, planes, "{}", e.file);
        let expected = match e.format {
            Format::Gray => stride * 720,
            _ => stride * 720 * 3 / 2,
        };
        assert_eq!(size, expected);
        assert_eq!(bytes.len(), expected, "{}: raw size", e.file);
    } else {
        assert!(e.row_stride.is_none() && e.planes.is_empty(), "{}", e.file);
        let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .unwrap();
        let want = if e.format == Format::Png {
            image::ImageFormat::Png
        } else {
            image::ImageFormat::Jpeg
        };
        assert_eq!(reader.format(), Some(want), "{}", e.file);
        assert_eq!(reader.into_dimensions().unwrap(), (1280, 720), "{}", e.file);
    }
}

/// Decodes the clean reference written next to a frame with rqrr.
fn decode_clean(dir: &Path, e: &Entry) -> String {
    let path = dir.join(format!("{}.clean.png", e.file));
    let img = image::open(&path).unwrap().to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        img.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    assert_eq!(
        grids.len(),
        1,
        "{}: clean reference has {} codes",
        e.file,
        grids.len()
    );
    let (meta, text) = grids[0]
        .decode()
        .unwrap_or_else(|err| panic!("{}: {err:?}", e.file));
    assert_eq!(meta.ecc_level, 0, "{}: not EC level M", e.file);
    text
}

#[test]
fn small_scale_run_is_consistent_reproducible_and_encodes_its_payloads() {
    let a = out_dir("frames-a");
    let b = out_dir("frames-b");
    let c = out_dir("frames-c");
    let d = out_dir("frames-d");
    let ea = gen_frames(&a, &["--seed", "7", "--per-category", "2", "--write-clean"]);

    // Every category, two frames each, in one size.
    let cats: BTreeSet<&str> = ea.iter().map(|e| e.category.as_str()).collect();
    assert_eq!(cats, CATEGORIES.iter().copied().collect());
    assert_eq!(ea.len(), 2 * CATEGORIES.len());

    for e in &ea {
        check_entry(&a, e);
        assert_eq!(
            decode_clean(&a, e),
            e.payload,
            "{}: clean code is not the payload",
            e.file
        );
    }

    // Same seed: byte-identical files and manifest entries (each frame has
    // its own stream, so a smaller run repeats the first frames exactly).
    let eb = gen_frames(&b, &["--seed", "7", "--per-category", "1"]);
    assert_eq!(eb.len(), CATEGORIES.len());
    for y in &eb {
        let x = ea.iter().find(|x| x.file == y.file).unwrap();
        assert_eq!(x, y);
        assert!(
            std::fs::read(a.join(&x.file)).unwrap() == std::fs::read(b.join(&y.file)).unwrap(),
            "{} differs",
            x.file
        );
    }
    let again = out_dir("frames-a2");
    gen_frames(
        &again,
        &[
            "--seed",
            "7",
            "--per-category",
            "2",
            "--categories",
            "clean,mosaic",
        ],
    );
    let subset: Vec<Entry> = ea
        .iter()
        .filter(|e| e.category == "clean" || e.category == "mosaic")
        .cloned()
        .collect();
    let manifest = serde_json::to_string_pretty(&subset).unwrap() + "\n";
    assert_eq!(
        std::fs::read_to_string(again.join("manifest.json")).unwrap(),
        manifest
    );

    // Another seed: other payloads and other pixels.
    // (A few categories, one per kind of output, keep the test short.)
    let some = "clean,mosaic,moire,jpeg,yuv,hard";
    let ec = gen_frames(
        &c,
        &["--seed", "8", "--per-category", "1", "--categories", some],
    );
    assert_eq!(ec.len(), 6);
    for e in &ec {
        let same = ea.iter().find(|x| x.file == e.file).unwrap();
        assert_ne!(same.payload, e.payload, "{}", e.file);
        assert!(
            std::fs::read(a.join(&e.file)).unwrap() != std::fs::read(c.join(&e.file)).unwrap(),
            "{}",
            e.file
        );
    }

    // One category alone gives the same frames as in the full run, and the
    // camera category cycles through every raw layout.
    let ed = gen_frames(
        &d,
        &["--seed", "7", "--per-category", "4", "--categories", "yuv"],
    );
    let formats: Vec<Format> = ed.iter().map(|e| e.format).collect();
    assert_eq!(
        formats,
        [Format::Nv21, Format::Nv12, Format::I420, Format::Gray]
    );
    for e in &ed {
        check_entry(&d, e);
        if let Some(x) = ea.iter().find(|x| x.file == e.file) {
            assert_eq!(x, e);
            assert!(
                std::fs::read(a.join(&x.file)).unwrap() == std::fs::read(d.join(&e.file)).unwrap()
            );
        }
    }
}

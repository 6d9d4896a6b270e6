//! The portal's coloured mosaics read in ordinary QR readers (zbar, zxing-cpp)
//! and in Tessera's own scanner, bytes exact.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tessera_core::scan::{Frame, Scanner};
use tessera_portal::render;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn python() -> PathBuf {
    std::env::var_os("TESSERA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"))
}

fn payloads() -> Vec<Vec<u8>> {
    // Binary payloads of the sizes mosaics have (login ~100, activation ~200 bytes).
    [60usize, 101, 186, 196, 300]
        .iter()
        .map(|&n| (0..n).map(|i| (i * 131 + n * 7) as u8).collect())
        .collect()
}

fn write_pngs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::create_dir_all(dir).unwrap();
    payloads()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let path = dir.join(format!("mosaic-{i}.png"));
            std::fs::write(&path, render::png(&p, 6).unwrap()).unwrap();
            (path, p)
        })
        .collect()
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("tessera-render-{}-{name}", std::process::id()))
}

#[test]
fn tessera_reads_its_mosaics() {
    for (i, p) in payloads().iter().enumerate() {
        let img = render::image(p, 4).unwrap();
        let (w, h) = img.dimensions();
        let rgb = img.into_raw();
        let rgba: Vec<u8> = rgb
            .chunks(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect();
        let frame = Frame::rgba(w, h, &rgba, w as usize * 4).unwrap();
        let found = Scanner::default().scan(&frame);
        assert_eq!(found.len(), 1, "payload {i}");
        assert_eq!(&found[0].payload, p, "payload {i}");
    }
}

#[test]
fn zbar_reads_the_mosaics() {
    let dir = temp("zbar");
    for (path, payload) in write_pngs(&dir) {
        let out = Command::new("zbarimg")
            .args(["--raw", "-q", "-Sbinary"])
            .arg(&path)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run zbarimg ({e}); install zbar-tools (scripts/setup does)")
            });
        assert!(
            out.status.success(),
            "zbar found nothing in {}",
            path.display()
        );
        let mut got = out.stdout;
        if got.len() == payload.len() + 1 && got.last() == Some(&b'\n') {
            got.pop();
        }
        assert_eq!(got, payload, "{}", path.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zxing_reads_the_mosaics() {
    let dir = temp("zxing");
    let files = write_pngs(&dir);
    let script = workspace().join("tests/tools/zxing_read.py");
    let out = Command::new(python())
        .arg(&script)
        .args(files.iter().map(|(p, _)| p))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); run scripts/setup", python().display()));
    assert!(
        out.status.success(),
        "zxing-cpp failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), files.len());
    for ((path, payload), line) in files.iter().zip(&lines) {
        assert_eq!(
            line,
            &data_encoding::HEXLOWER.encode(payload),
            "{}",
            path.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn svg_mosaics_are_well_formed() {
    let svg = render::svg(&payloads()[1]).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<rect").count(), svg.matches("/>").count());
}

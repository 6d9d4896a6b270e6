//! `tessera scan` on real PNG and JPEG files.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use image::{ImageFormat, Rgb, RgbImage};
use qrcode::{EcLevel, QrCode};

fn tessera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-scan-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `payload` as a QR code image (8 px per module, quiet zone 4) in `format`.
fn write_qr(
    dir: &Path,
    name: &str,
    payload: &[u8],
    format: ImageFormat,
    dark: [u8; 3],
    light: [u8; 3],
) -> String {
    let code = QrCode::with_error_correction_level(payload, EcLevel::M).unwrap();
    let w = code.width() as u32;
    let colors = code.to_colors();
    let size = (w + 8) * 8;
    let img = RgbImage::from_fn(size + 40, size + 20, |x, y| {
        let (mx, my) = ((x as i64 - 20) / 8 - 4, (y as i64 - 10) / 8 - 4);
        let inside =
            (0..w as i64).contains(&mx) && (0..w as i64).contains(&my) && x >= 20 && y >= 10;
        if inside && colors[(my as u32 * w + mx as u32) as usize] == qrcode::Color::Dark {
            Rgb(dark)
        } else {
            Rgb(light)
        }
    });
    let path = dir.join(name);
    img.save_with_format(&path, format).unwrap();
    path.display().to_string()
}

#[test]
fn scans_png_and_jpeg() {
    let dir = temp_dir("ok");
    let png = write_qr(
        &dir,
        "a.png",
        b"hello mosaic",
        ImageFormat::Png,
        [0, 0, 0],
        [255, 255, 255],
    );
    let jpg = write_qr(
        &dir,
        "b.jpg",
        b"colour mosaic",
        ImageFormat::Jpeg,
        [200, 60, 60],
        [90, 140, 60],
    );
    let out = tessera(&["scan", &png, &jpg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "hello mosaic\ncolour mosaic\n"
    );

    let out = tessera(&["scan", "--hex", &png]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "68656c6c6f206d6f73616963"
    );

    let out = tessera(&["scan", "--json", &png]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["found"], true);
    assert_eq!(v["codes"][0]["text"], "hello mosaic");
    assert_eq!(v["codes"][0]["corners"].as_array().unwrap().len(), 4);
    assert!(v["ms"].as_f64().unwrap() >= 0.0);
}

#[test]
fn binary_and_control_characters_are_printed_as_hex() {
    let dir = temp_dir("bin");
    let escape = write_qr(
        &dir,
        "esc.png",
        b"\x1b[31mred\x1b[0m",
        ImageFormat::Png,
        [0, 0, 0],
        [255, 255, 255],
    );
    let binary = write_qr(
        &dir,
        "bin.png",
        &[0xff, 0x00, 0xfe, 0x01],
        ImageFormat::Png,
        [0, 0, 0],
        [255, 255, 255],
    );
    let out = tessera(&["scan", &escape, &binary]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "1b5b33316d7265641b5b306d\nff00fe01\n"
    );
}

#[test]
fn exit_status_says_what_happened() {
    let dir = temp_dir("status");
    let png = write_qr(
        &dir,
        "a.png",
        b"x",
        ImageFormat::Png,
        [0, 0, 0],
        [255, 255, 255],
    );
    let blank = dir.join("blank.png");
    RgbImage::from_pixel(100, 100, Rgb([255, 255, 255]))
        .save(&blank)
        .unwrap();
    let garbage = dir.join("garbage.png");
    std::fs::write(&garbage, b"not an image").unwrap();

    let out = tessera(&["scan", &png, blank.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "x\nnot found\n");

    let out = tessera(&["scan", garbage.to_str().unwrap(), &png]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "unreadable\nx\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("garbage.png"));

    let out = tessera(&["scan", dir.join("missing.png").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

/// A PNG whose header declares `width × height` 8-bit grey pixels, with an
/// empty image stream: a decompression bomb as the decoder first sees it
/// (a real one is a few hundred kilobytes of deflated zeros).
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Images are refused by the dimensions they declare, before anything is
/// decoded: a small file must not make the CLI allocate gigabytes.
#[test]
fn huge_declared_dimensions_are_refused_before_decoding() {
    let dir = temp_dir("bomb");
    for (w, h) in [(23_000u32, 23_000u32), (16_000, 16_000), (40_000, 10)] {
        // Named .jpg on purpose: the format is read from the content.
        let path = dir.join(format!("bomb-{w}x{h}.jpg"));
        std::fs::write(&path, png_declaring(w, h)).unwrap();
        let out = tessera(&["scan", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "unreadable\n");
        assert!(
            stderr.contains(&format!("{w}×{h} pixels"))
                && stderr.contains("at most 16384 pixels each way"),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // The phone's commands read images the same way.
    let path = dir.join("bomb-23000x23000.jpg");
    let home = dir.join("home");
    let out = tessera(&[
        "approve",
        path.to_str().unwrap(),
        "--home",
        home.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("23000×23000 pixels"), "{stderr}");
}

//! The manifest: one entry per frame, written as `manifest.json` (a JSON
//! list) next to the frames. Readers (peers.py, scan-bench) load frames from
//! it; see `docs/benchmarks.md` for how each format is laid out.

use serde::{Deserialize, Serialize};

/// How a frame file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// 8-bit RGB PNG.
    Png,
    /// 8-bit RGB baseline JPEG.
    Jpeg,
    /// Y plane, then one interleaved V/U plane (Android camera default).
    Nv21,
    /// Y plane, then one interleaved U/V plane.
    Nv12,
    /// Y plane, then a U and a V plane, each with half the row stride.
    I420,
    /// 8-bit luma only (the Y plane of a camera frame).
    Gray,
}

impl Format {
    /// File name extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Nv21 => "nv21",
            Format::Nv12 => "nv12",
            Format::I420 => "i420",
            Format::Gray => "gray",
        }
    }

    /// Whether the file holds raw planes (described by `planes`).
    pub fn is_raw(self) -> bool {
        !matches!(self, Format::Png | Format::Jpeg)
    }
}

/// One plane of a raw frame, as Android's `ImageProxy.PlaneProxy` describes
/// it: sample (x, y) of the plane is at `offset + y * row_stride + x *
/// pixel_stride` in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plane {
    /// "y", "u" (Cb) or "v" (Cr).
    pub name: String,
    /// Byte offset of sample (0, 0).
    pub offset: u64,
    /// Bytes from one row to the next.
    pub row_stride: u32,
    /// Bytes from one sample to the next in a row (2 for interleaved chroma).
    pub pixel_stride: u32,
    /// Samples per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

/// One frame of the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Path relative to the manifest's directory.
    pub file: String,
    /// One of `CATEGORIES`.
    pub category: String,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// File encoding.
    pub format: Format,
    /// Bytes per row of the Y plane (raw formats only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_stride: Option<u32>,
    /// Plane layout (raw formats only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planes: Vec<Plane>,
    /// The exact text encoded in the code.
    pub payload: String,
    /// Every byte string that spells `payload` (hex), when that is not only
    /// its UTF-8 (real photos: a code's bytes carry no charset, the expected
    /// text is decoded characters; see `bench/import-zxing-qr.py`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// Palette name (prefixed with "inv:" when light modules are on dark).
    #[serde(default)]
    pub palette: String,
    /// Frame positions of the symbol's corners (without quiet zone): the
    /// outer corners of the top-left, top-right, bottom-right and bottom-left
    /// modules, in pixels with (0, 0) at the top-left corner of the frame.
    #[serde(default)]
    pub corners: [[f64; 2]; 4],
    /// Seed of the run.
    #[serde(default)]
    pub seed: u64,
    /// Index of the frame within its category and size.
    #[serde(default)]
    pub index: u32,
    /// Everything that was drawn: version, module size, angles, blur, noise…
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl Entry {
    /// Whether `bytes` (a decoder's payload) is exactly this entry's text.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes == self.payload.as_bytes() || self.accept.iter().any(|hex| hex_eq(hex, bytes))
    }
}

/// Whether the hex string `hex` spells `bytes`.
fn hex_eq(hex: &str, bytes: &[u8]) -> bool {
    let digits = hex.as_bytes();
    digits.len() == bytes.len() * 2
        && digits.chunks(2).zip(bytes).all(|(pair, &b)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                == Some(b)
        })
}

/// Reads a manifest file.
pub fn load(path: &std::path::Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a manifest: {e}", path.display()))
}

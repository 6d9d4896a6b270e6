//! Drawing a mosaic: the QR code of a payload in brand colours, as PNG or
//! SVG. Dark modules take one of several dark colours and light modules one
//! of several light tints, all with enough luminance contrast that ordinary
//! QR readers (zbar, zxing) read it as well as Tessera does.

use image::{ImageFormat, Rgb, RgbImage};
use qrcode::{Color, EcLevel, QrCode};

use crate::PortalError;

/// Dark module colours (navy, wine, forest, plum); luma 45 to 70.
const DARK: [[u8; 3]; 4] = [
    [0x1b, 0x2a, 0x6b],
    [0x7a, 0x1e, 0x3a],
    [0x1e, 0x5b, 0x3a],
    [0x4a, 0x24, 0x70],
];
/// Light module colours (white, cream, ice, blush); luma 230 to 255.
const LIGHT: [[u8; 3]; 4] = [
    [0xff, 0xff, 0xff],
    [0xff, 0xf3, 0xd6],
    [0xe3, 0xee, 0xff],
    [0xff, 0xe3, 0xec],
];
/// Modules of quiet zone around the code.
const QUIET: usize = 4;

/// The module matrix of a payload: (size, dark?) at level M.
pub fn modules(payload: &[u8]) -> Result<(usize, Vec<bool>), PortalError> {
    let code = QrCode::with_error_correction_level(payload, EcLevel::M)
        .map_err(|e| PortalError::Storage(format!("cannot encode the mosaic: {e}")))?;
    let w = code.width();
    Ok((
        w,
        code.to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect(),
    ))
}

/// Whether (x, y) lies in one of the three finder patterns (with separator).
fn in_finder(x: usize, y: usize, w: usize) -> bool {
    (y < 8 && (x < 8 || x + 8 >= w)) || (x < 8 && y + 8 >= w)
}

/// The colour of module (x, y): finder patterns in the first colours (so
/// they stand out), the rest spread over the palette by position.
fn colour(x: usize, y: usize, w: usize, dark: bool) -> [u8; 3] {
    let palette = if dark { &DARK } else { &LIGHT };
    if in_finder(x, y, w) {
        return palette[0];
    }
    let h = (x.wrapping_mul(0x9e37) ^ y.wrapping_mul(0x85eb)).wrapping_mul(0x2545) >> 7;
    palette[h % palette.len()]
}

/// The mosaic as an image, `module` pixels per module, with a quiet zone.
pub fn image(payload: &[u8], module: u32) -> Result<RgbImage, PortalError> {
    let (w, cells) = modules(payload)?;
    let module = module.max(1);
    let side = (w + 2 * QUIET) as u32 * module;
    Ok(RgbImage::from_fn(side, side, |px, py| {
        let (mx, my) = ((px / module) as usize, (py / module) as usize);
        if mx < QUIET || my < QUIET || mx >= QUIET + w || my >= QUIET + w {
            return Rgb(LIGHT[0]);
        }
        let (x, y) = (mx - QUIET, my - QUIET);
        let dark = cells.get(y * w + x).copied().unwrap_or(false);
        Rgb(colour(x, y, w, dark))
    }))
}

/// The side in pixels of [`image`]`(payload, module)`.
pub fn image_side(payload: &[u8], module: u32) -> Result<u32, PortalError> {
    let (w, _) = modules(payload)?;
    let modules = u32::try_from(w + 2 * QUIET).unwrap_or(u32::MAX);
    Ok(modules.saturating_mul(module.max(1)))
}

/// The mosaic as PNG bytes.
pub fn png(payload: &[u8], module: u32) -> Result<Vec<u8>, PortalError> {
    let img = image(payload, module)?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| PortalError::Storage(format!("cannot encode PNG: {e}")))?;
    Ok(out.into_inner())
}

/// The mosaic as an SVG document (one rectangle per module, crisp at any size).
pub fn svg(payload: &[u8]) -> Result<String, PortalError> {
    let (w, cells) = modules(payload)?;
    let side = w + 2 * QUIET;
    let hex = |c: [u8; 3]| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"Mosaic to scan with the Tessera app\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"{}\"/>",
        hex(LIGHT[0])
    );
    for y in 0..w {
        for x in 0..w {
            let dark = cells.get(y * w + x).copied().unwrap_or(false);
            let c = colour(x, y, w, dark);
            if c != LIGHT[0] {
                out.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"1\" height=\"1\" fill=\"{}\"/>",
                    x + QUIET,
                    y + QUIET,
                    hex(c)
                ));
            }
        }
    }
    out.push_str("</svg>\n");
    Ok(out)
}

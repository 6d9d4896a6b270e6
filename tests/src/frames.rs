//! Synthetic camera frames for scanner tests: a QR code rendered into an RGB
//! canvas, then laid out in the pixel formats phones deliver.

use qrcode::{EcLevel, QrCode};

/// An RGB image, row-major, 3 bytes per pixel.
#[derive(Debug, Clone)]
pub struct Rgb {
    /// Width in pixels.
    pub w: usize,
    /// Height in pixels.
    pub h: usize,
    /// R, G, B bytes.
    pub px: Vec<u8>,
}

impl Rgb {
    /// A canvas filled with one colour.
    pub fn filled(w: usize, h: usize, colour: [u8; 3]) -> Self {
        Self {
            w,
            h,
            px: colour.repeat(w * h),
        }
    }

    /// Sets pixel (x, y) if it is inside.
    pub fn set(&mut self, x: usize, y: usize, colour: [u8; 3]) {
        if x < self.w && y < self.h {
            let i = (y * self.w + x) * 3;
            self.px[i..i + 3].copy_from_slice(&colour);
        }
    }

    /// Pixel (x, y).
    pub fn get(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.w + x) * 3;
        [self.px[i], self.px[i + 1], self.px[i + 2]]
    }

    /// BT.601 luma of each pixel.
    pub fn luma(&self) -> Vec<u8> {
        self.px.chunks(3).map(|p| luma(p[0], p[1], p[2])).collect()
    }

    /// Rows of `stride` bytes (stride ≥ w), padding filled with 0xEE.
    pub fn luma_strided(&self, stride: usize) -> Vec<u8> {
        let l = self.luma();
        let mut out = vec![0xEE; stride * self.h];
        for y in 0..self.h {
            out[y * stride..y * stride + self.w].copy_from_slice(&l[y * self.w..(y + 1) * self.w]);
        }
        out
    }

    /// RGBA (or BGRA when `bgr`) rows of `stride` bytes.
    pub fn rgba_strided(&self, stride: usize, bgr: bool) -> Vec<u8> {
        let mut out = vec![0xEE; stride * self.h];
        for y in 0..self.h {
            for x in 0..self.w {
                let [r, g, b] = self.get(x, y);
                let o = y * stride + x * 4;
                let px = if bgr { [b, g, r, 255] } else { [r, g, b, 255] };
                out[o..o + 4].copy_from_slice(&px);
            }
        }
        out
    }

    /// Y, U and V planes (4:2:0, chroma averaged over 2×2), each row-major
    /// without padding; chroma planes are ceil(w/2) × ceil(h/2).
    pub fn yuv420(&self) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (cw, ch) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let mut u = vec![0u8; cw * ch];
        let mut v = vec![0u8; cw * ch];
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut su, mut sv, mut n) = (0i32, 0i32, 0i32);
                for (x, y) in [
                    (2 * cx, 2 * cy),
                    (2 * cx + 1, 2 * cy),
                    (2 * cx, 2 * cy + 1),
                    (2 * cx + 1, 2 * cy + 1),
                ] {
                    if x < self.w && y < self.h {
                        let [r, g, b] = self.get(x, y);
                        let (pu, pv) = chroma(r, g, b);
                        su += pu;
                        sv += pv;
                        n += 1;
                    }
                }
                u[cy * cw + cx] = (su / n).clamp(0, 255) as u8;
                v[cy * cw + cx] = (sv / n).clamp(0, 255) as u8;
            }
        }
        (self.luma(), u, v)
    }

    /// A contiguous NV21 (`vu`) or NV12 buffer with rows of `stride` bytes.
    pub fn semi_planar(&self, stride: usize, vu: bool) -> Vec<u8> {
        let (y, u, v) = self.yuv420();
        let (cw, ch) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let mut out = vec![0xEE; stride * self.h + stride * ch];
        for r in 0..self.h {
            out[r * stride..r * stride + self.w].copy_from_slice(&y[r * self.w..(r + 1) * self.w]);
        }
        let base = stride * self.h;
        for r in 0..ch {
            for c in 0..cw {
                let (first, second) = if vu {
                    (v[r * cw + c], u[r * cw + c])
                } else {
                    (u[r * cw + c], v[r * cw + c])
                };
                out[base + r * stride + 2 * c] = first;
                out[base + r * stride + 2 * c + 1] = second;
            }
        }
        out
    }

    /// A contiguous I420 buffer: Y rows of `stride`, then U and V rows of `stride.div_ceil(2)`.
    pub fn i420(&self, stride: usize) -> Vec<u8> {
        let (y, u, v) = self.yuv420();
        let (cw, ch) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let cs = stride.div_ceil(2);
        let mut out = vec![0xEE; stride * self.h + 2 * cs * ch];
        for r in 0..self.h {
            out[r * stride..r * stride + self.w].copy_from_slice(&y[r * self.w..(r + 1) * self.w]);
        }
        let ub = stride * self.h;
        let vb = ub + cs * ch;
        for r in 0..ch {
            out[ub + r * cs..ub + r * cs + cw].copy_from_slice(&u[r * cw..(r + 1) * cw]);
            out[vb + r * cs..vb + r * cs + cw].copy_from_slice(&v[r * cw..(r + 1) * cw]);
        }
        out
    }
}

/// BT.601 luma.
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

fn chroma(r: u8, g: u8, b: u8) -> (i32, i32) {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    (
        ((-43 * r - 85 * g + 128 * b + 128) >> 8) + 128,
        ((128 * r - 107 * g - 21 * b + 128) >> 8) + 128,
    )
}

/// The module matrix of `payload` at error-correction level M (true = dark).
pub fn qr_modules(payload: &[u8]) -> (usize, Vec<bool>) {
    let code =
        QrCode::with_error_correction_level(payload, EcLevel::M).expect("payload fits a QR code");
    let w = code.width();
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    (w, modules)
}

/// Draws `payload` as a QR code with `module` pixels per module and a quiet
/// zone of `quiet` modules, top-left corner at (x0, y0); `colour(mx, my, dark)`
/// picks each module's colour (so mosaics can vary it per module).
pub fn draw_qr(
    canvas: &mut Rgb,
    payload: &[u8],
    x0: usize,
    y0: usize,
    module: usize,
    quiet: usize,
    colour: &dyn Fn(usize, usize, bool) -> [u8; 3],
) -> usize {
    let (w, modules) = qr_modules(payload);
    let total = w + 2 * quiet;
    for my in 0..total {
        for mx in 0..total {
            let inside = mx >= quiet && my >= quiet && mx < quiet + w && my < quiet + w;
            let dark = inside && modules[(my - quiet) * w + (mx - quiet)];
            let c = colour(mx, my, dark);
            for dy in 0..module {
                for dx in 0..module {
                    canvas.set(x0 + mx * module + dx, y0 + my * module + dy, c);
                }
            }
        }
    }
    total * module
}

/// Black on white.
pub fn mono(_: usize, _: usize, dark: bool) -> [u8; 3] {
    if dark { [0, 0, 0] } else { [255, 255, 255] }
}

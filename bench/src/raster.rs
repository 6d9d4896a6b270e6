//! A floating-point RGB raster (sRGB values 0..255) that every stage works on,
//! and its conversion to 8-bit.

/// An RGB image with one `[r, g, b]` per pixel, row-major, no padding.
#[derive(Debug, Clone)]
pub struct Rgb {
    /// Width in pixels.
    pub w: usize,
    /// Height in pixels.
    pub h: usize,
    /// Pixels, `w * h` of them.
    pub px: Vec<[f32; 3]>,
}

impl Rgb {
    /// An image filled with one colour.
    pub fn new(w: usize, h: usize, fill: [f32; 3]) -> Self {
        Self {
            w,
            h,
            px: vec![fill; w * h],
        }
    }

    /// The pixel at (x, y), clamped to the edge.
    pub fn at(&self, x: isize, y: isize) -> [f32; 3] {
        let x = x.clamp(0, self.w as isize - 1) as usize;
        let y = y.clamp(0, self.h as isize - 1) as usize;
        self.px[y * self.w + x]
    }

    /// Bilinear sample at continuous coordinates where pixel (x, y) has its
    /// centre at (x, y); clamped to the edge.
    pub fn bilinear(&self, x: f32, y: f32) -> [f32; 3] {
        let x0 = x.floor();
        let y0 = y.floor();
        let fx = x - x0;
        let fy = y - y0;
        let (xi, yi) = (x0 as isize, y0 as isize);
        let a = self.at(xi, yi);
        let b = self.at(xi + 1, yi);
        let c = self.at(xi, yi + 1);
        let d = self.at(xi + 1, yi + 1);
        let mut out = [0.0; 3];
        for k in 0..3 {
            let top = a[k] + (b[k] - a[k]) * fx;
            let bot = c[k] + (d[k] - c[k]) * fx;
            out[k] = top + (bot - top) * fy;
        }
        out
    }

    /// Interleaved 8-bit RGB, rounded and clamped.
    pub fn to_rgb8(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.px.len() * 3);
        for p in &self.px {
            for v in p {
                out.push(to_u8(*v));
            }
        }
        out
    }
}

/// Rounds and clamps a value to 0..=255.
pub fn to_u8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// BT.601 luma of an 8-bit colour, 0..255.
pub fn luma(c: [u8; 3]) -> f64 {
    0.299 * f64::from(c[0]) + 0.587 * f64::from(c[1]) + 0.114 * f64::from(c[2])
}

/// A colour as floats.
pub fn f(c: [u8; 3]) -> [f32; 3] {
    [f32::from(c[0]), f32::from(c[1]), f32::from(c[2])]
}

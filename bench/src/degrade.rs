//! What light, optics and sensor do to the picture: uneven illumination and
//! shadows, glare, lens blur (separable Gaussian), motion blur along an angle,
//! vignetting and sensor noise.

use crate::raster::Rgb;
use crate::rng::Rng;

/// Separable Gaussian blur with standard deviation `sigma` pixels.
pub fn gaussian_blur(img: &mut Rgb, sigma: f64) {
    if sigma < 0.2 {
        return;
    }
    let r = (sigma * 3.0).ceil() as isize;
    let mut k: Vec<f32> = (-r..=r)
        .map(|i| (-((i * i) as f64) / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let sum: f32 = k.iter().sum();
    for v in &mut k {
        *v /= sum;
    }
    let (w, h) = (img.w, img.h);
    let mut tmp = vec![[0.0f32; 3]; w * h];
    // Horizontal pass into tmp, vertical pass back into img; edges clamp.
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f32; 3];
            for (j, kv) in k.iter().enumerate() {
                let p = img.at(x as isize + j as isize - r, y as isize);
                for c in 0..3 {
                    acc[c] += kv * p[c];
                }
            }
            tmp[y * w + x] = acc;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f32; 3];
            for (j, kv) in k.iter().enumerate() {
                let yy = (y as isize + j as isize - r).clamp(0, h as isize - 1) as usize;
                let p = tmp[yy * w + x];
                for c in 0..3 {
                    acc[c] += kv * p[c];
                }
            }
            img.px[y * w + x] = acc;
        }
    }
}

/// Linear motion blur: each pixel averages the picture along a segment of
/// `length` pixels at `angle` radians (a box kernel along the motion).
pub fn motion_blur(img: &mut Rgb, length: f64, angle: f64) {
    if length < 1.0 {
        return;
    }
    let n = (length.ceil() as usize).max(2) + 1;
    let (s, c) = angle.sin_cos();
    let offsets: Vec<(f32, f32)> = (0..n)
        .map(|i| {
            let t = (i as f64 / (n - 1) as f64 - 0.5) * length;
            ((t * c) as f32, (t * s) as f32)
        })
        .collect();
    let src = img.clone();
    let inv = 1.0 / n as f32;
    for y in 0..img.h {
        for x in 0..img.w {
            let mut acc = [0.0f32; 3];
            for (dx, dy) in &offsets {
                let p = src.bilinear(x as f32 + dx, y as f32 + dy);
                for k in 0..3 {
                    acc[k] += p[k];
                }
            }
            img.px[y * img.w + x] = acc.map(|v| v * inv);
        }
    }
}

/// Illumination: a linear gradient along `angle`, multiplied into the
/// picture (reflective surfaces only): `lo` at `span / 2` pixels before the
/// point (`cx`, `cy`), `hi` at `span / 2` after it, constant beyond.
pub fn light_gradient(
    img: &mut Rgb,
    (cx, cy): (f64, f64),
    span: f64,
    (lo, hi): (f64, f64),
    angle: f64,
) {
    let (s, c) = angle.sin_cos();
    for y in 0..img.h {
        for x in 0..img.w {
            let t = ((x as f64 - cx) * c + (y as f64 - cy) * s) / span.max(1.0) + 0.5;
            let g = (lo + (hi - lo) * t.clamp(0.0, 1.0)) as f32;
            let p = &mut img.px[y * img.w + x];
            *p = p.map(|v| v * g);
        }
    }
}

/// A soft shadow: the half-plane beyond a line through (`cx`, `cy`) at
/// `angle`, darkened to `depth` with an edge `soft` pixels wide.
pub fn shadow(img: &mut Rgb, cx: f64, cy: f64, angle: f64, depth: f64, soft: f64) {
    let (s, c) = angle.sin_cos();
    for y in 0..img.h {
        for x in 0..img.w {
            let d = (x as f64 - cx) * c + (y as f64 - cy) * s;
            let t = (0.5 + d / soft.max(1.0)).clamp(0.0, 1.0);
            let t = t * t * (3.0 - 2.0 * t);
            let g = (1.0 - (1.0 - depth) * t) as f32;
            let p = &mut img.px[y * img.w + x];
            *p = p.map(|v| v * g);
        }
    }
}

/// Vignetting: brightness falls to `1 - strength` in the corners.
pub fn vignette(img: &mut Rgb, strength: f64) {
    let (cx, cy) = (img.w as f64 / 2.0, img.h as f64 / 2.0);
    let r2 = cx * cx + cy * cy;
    for y in 0..img.h {
        for x in 0..img.w {
            let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)) / r2;
            let g = (1.0 - strength * d) as f32;
            let p = &mut img.px[y * img.w + x];
            *p = p.map(|v| v * g);
        }
    }
}

/// Specular glare: a bright ellipse centred at (`cx`, `cy`) with radii
/// (`rx`, `ry`) rotated by `angle`; its core (inner `core` fraction of the
/// radius) is saturated white, with a smooth falloff to the rim, and a faint
/// halo beyond it.
pub struct Glare {
    /// Centre x, pixels.
    pub cx: f64,
    /// Centre y, pixels.
    pub cy: f64,
    /// Radius along the ellipse's own x axis, pixels.
    pub rx: f64,
    /// Radius along the ellipse's own y axis, pixels.
    pub ry: f64,
    /// Rotation, radians.
    pub angle: f64,
    /// Saturated fraction of the radius.
    pub core: f64,
    /// Tint of the light (near white).
    pub tint: [f32; 3],
}

impl std::fmt::Debug for Glare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Glare")
            .field("cx", &self.cx)
            .field("cy", &self.cy)
            .finish_non_exhaustive()
    }
}

/// Adds `g` to the picture.
pub fn glare(img: &mut Rgb, g: &Glare) {
    let (s, c) = g.angle.sin_cos();
    let reach = g.rx.max(g.ry) * 2.0;
    let x0 = (g.cx - reach).max(0.0) as usize;
    let y0 = (g.cy - reach).max(0.0) as usize;
    let x1 = ((g.cx + reach).max(0.0) as usize).min(img.w);
    let y1 = ((g.cy + reach).max(0.0) as usize).min(img.h);
    for y in y0..y1 {
        for x in x0..x1 {
            let dx = x as f64 - g.cx;
            let dy = y as f64 - g.cy;
            let u = (dx * c + dy * s) / g.rx;
            let v = (-dx * s + dy * c) / g.ry;
            let r = (u * u + v * v).sqrt();
            let a = if r <= g.core {
                1.0
            } else if r < 1.0 {
                let t = (r - g.core) / (1.0 - g.core);
                1.0 - t * t * (3.0 - 2.0 * t) * 0.75
            } else {
                0.25 * (-(r - 1.0) * 3.0).exp()
            } as f32;
            let p = &mut img.px[y * img.w + x];
            for (v, t) in p.iter_mut().zip(g.tint) {
                // Light adds to what is there and saturates the sensor.
                *v += (t * 1.3 - *v).max(0.0) * a;
            }
        }
    }
}

/// Sensor noise, independent per pixel and channel: read noise `read`
/// (standard deviation in 8-bit steps) plus shot noise whose variance grows
/// with the signal (`shot` × value).
pub fn sensor_noise(img: &mut Rgb, rng: &mut Rng, read: f64, shot: f64) {
    for p in &mut img.px {
        for v in p.iter_mut() {
            let sd = (read * read + shot * f64::from(v.max(0.0))).sqrt();
            *v += (sd * rng.normal()) as f32;
        }
    }
}

/// Exposure: multiplies by `gain`.
pub fn exposure(img: &mut Rgb, gain: f64) {
    let g = gain as f32;
    for p in &mut img.px {
        *p = p.map(|v| v * g);
    }
}

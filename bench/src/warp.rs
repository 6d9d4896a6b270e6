//! Geometry: a pose of the code in front of the camera (in-plane rotation,
//! tilt, distance), the 3×3 homography it induces, and compositing of a
//! surface (the printed code or a screen) into the frame by inverse mapping
//! with bilinear sampling.

use crate::raster::Rgb;

/// A 3×3 projective transform, row-major, mapping (x, y, 1).
#[derive(Debug, Clone, Copy)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// Maps a point.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.0;
        let w = m[6] * x + m[7] * y + m[8];
        (
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        )
    }

    /// The transform taking the four `src` points to the four `dst` points;
    /// None when they are degenerate.
    pub fn from_quads(src: &[[f64; 2]; 4], dst: &[[f64; 2]; 4]) -> Option<Self> {
        // Eight equations in h0..h7 (h8 = 1), solved by Gaussian elimination.
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let [x, y] = src[i];
            let [u, v] = dst[i];
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for col in 0..8 {
            let pivot = (col..8).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
            if a[pivot][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, pivot);
            let row = a[col];
            for (r, other) in a.iter_mut().enumerate() {
                if r != col {
                    let k = other[col] / row[col];
                    for c in col..9 {
                        other[c] -= k * row[c];
                    }
                }
            }
        }
        let mut m = [0.0; 9];
        for (i, r) in a.iter().enumerate() {
            m[i] = r[8] / r[i];
        }
        m[8] = 1.0;
        Some(Self(m))
    }

    /// The inverse transform; None when singular.
    pub fn inverse(&self) -> Option<Self> {
        let m = &self.0;
        let c = [
            m[4] * m[8] - m[5] * m[7],
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8],
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6],
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        let det = m[0] * c[0] + m[1] * c[3] + m[2] * c[6];
        if det.abs() < 1e-18 {
            return None;
        }
        Some(Self(c.map(|v| v / det)))
    }
}

/// Where the surface is in front of the camera.
#[derive(Debug, Clone, Copy)]
pub struct Pose {
    /// Frame pixels per surface unit at the surface centre, before tilt.
    pub scale: f64,
    /// In-plane rotation, radians.
    pub rotation: f64,
    /// Tilt about the horizontal axis, radians.
    pub tilt_x: f64,
    /// Tilt about the vertical axis, radians.
    pub tilt_y: f64,
    /// Focal length in pixels (distance of the pinhole to the surface centre).
    pub focal: f64,
}

impl Pose {
    /// Frame positions of surface points (in surface units, origin at the
    /// surface's top-left corner, `side` units wide), centred on (0, 0).
    pub fn project(&self, side: f64, pts: &[[f64; 2]; 4]) -> [[f64; 2]; 4] {
        let (sr, cr) = self.rotation.sin_cos();
        let (sx, cx) = self.tilt_x.sin_cos();
        let (sy, cy) = self.tilt_y.sin_cos();
        pts.map(|[u, v]| {
            let x = (u - side / 2.0) * self.scale;
            let y = (v - side / 2.0) * self.scale;
            // In-plane rotation, then tilt about x, then about y.
            let (x, y) = (x * cr - y * sr, x * sr + y * cr);
            let (y, z) = (y * cx, y * sx);
            let (x, z) = (x * cy + z * sy, -x * sy + z * cy);
            let d = self.focal / (self.focal + z);
            [x * d, y * d]
        })
    }
}

/// A flat picture placed in the scene: `img` covers `units` × `units` surface
/// units (modules for a printed code, screen pixels for a monitor).
#[derive(Debug, Clone)]
pub struct Surface {
    /// The picture.
    pub img: Rgb,
    /// Side length in surface units.
    pub units: f64,
}

/// Draws `surf` into `frame` where `to_frame` maps surface units to frame
/// pixels; `samples`² sub-pixel samples per frame pixel (1 = plain bilinear
/// sampling, which aliases like a sensor without an anti-aliasing filter).
pub fn composite(
    frame: &mut Rgb,
    surf: &Surface,
    to_frame: &Homography,
    samples: usize,
) -> Result<(), String> {
    let to_surf = to_frame.inverse().ok_or("singular homography")?;
    let corners = [
        [0.0, 0.0],
        [surf.units, 0.0],
        [surf.units, surf.units],
        [0.0, surf.units],
    ];
    let q = corners.map(|[x, y]| to_frame.apply(x, y));
    let fx = |f: fn(f64, f64) -> f64| q.iter().map(|p| p.0).fold(q[0].0, f);
    let fy = |f: fn(f64, f64) -> f64| q.iter().map(|p| p.1).fold(q[0].1, f);
    let x0 = fx(f64::min).floor().max(0.0) as usize;
    let y0 = fy(f64::min).floor().max(0.0) as usize;
    let x1 = (fx(f64::max).ceil().max(0.0) as usize).min(frame.w);
    let y1 = (fy(f64::max).ceil().max(0.0) as usize).min(frame.h);
    let px_per_unit = surf.img.w as f64 / surf.units;
    let n = samples.max(1);
    let inv_n = 1.0 / n as f64;
    for y in y0..y1 {
        for x in x0..x1 {
            let bg = frame.px[y * frame.w + x];
            let mut acc = [0.0f32; 3];
            let mut hit = false;
            for sy in 0..n {
                for sx in 0..n {
                    let px = x as f64 + (sx as f64 + 0.5) * inv_n;
                    let py = y as f64 + (sy as f64 + 0.5) * inv_n;
                    let (u, v) = to_surf.apply(px, py);
                    let c = if u >= 0.0 && v >= 0.0 && u < surf.units && v < surf.units {
                        hit = true;
                        surf.img.bilinear(
                            (u * px_per_unit - 0.5) as f32,
                            (v * px_per_unit - 0.5) as f32,
                        )
                    } else {
                        bg
                    };
                    for k in 0..3 {
                        acc[k] += c[k];
                    }
                }
            }
            if hit {
                let s = (n * n) as f32;
                frame.px[y * frame.w + x] = acc.map(|v| v / s);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_quads_and_inverts() {
        let src = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let dst = [[100.0, 50.0], [220.0, 70.0], [200.0, 210.0], [90.0, 180.0]];
        let h = Homography::from_quads(&src, &dst).unwrap();
        let inv = h.inverse().unwrap();
        for (s, d) in src.iter().zip(&dst) {
            let (x, y) = h.apply(s[0], s[1]);
            assert!((x - d[0]).abs() < 1e-6 && (y - d[1]).abs() < 1e-6);
            let (u, v) = inv.apply(d[0], d[1]);
            assert!((u - s[0]).abs() < 1e-6 && (v - s[1]).abs() < 1e-6);
        }
    }
}

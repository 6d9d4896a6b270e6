//! Plane projective transforms (homographies) between module space and the
//! image, from four point correspondences.

/// A point in image or module coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pt {
    pub x: f32,
    pub y: f32,
}

impl Pt {
    pub fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// `[a11, a12, a13, a21, a22, a23, a31, a32, a33]` mapping (u, v) to
/// ((a11 u + a21 v + a31) / w, (a12 u + a22 v + a32) / w) with
/// w = a13 u + a23 v + a33.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Homography([f64; 9]);

impl Homography {
    /// The transform taking the unit square's corners (0,0), (1,0), (1,1),
    /// (0,1) to `q` (Heckbert's closed form).
    fn square_to_quad(q: [Pt; 4]) -> Self {
        let [p0, p1, p2, p3] = q.map(|p| (f64::from(p.x), f64::from(p.y)));
        let dx3 = p0.0 - p1.0 + p2.0 - p3.0;
        let dy3 = p0.1 - p1.1 + p2.1 - p3.1;
        if dx3.abs() < 1e-12 && dy3.abs() < 1e-12 {
            // Affine.
            return Self([
                p1.0 - p0.0,
                p1.1 - p0.1,
                0.0,
                p2.0 - p1.0,
                p2.1 - p1.1,
                0.0,
                p0.0,
                p0.1,
                1.0,
            ]);
        }
        let (dx1, dx2) = (p1.0 - p2.0, p3.0 - p2.0);
        let (dy1, dy2) = (p1.1 - p2.1, p3.1 - p2.1);
        let den = dx1 * dy2 - dx2 * dy1;
        let a13 = (dx3 * dy2 - dx2 * dy3) / den;
        let a23 = (dx1 * dy3 - dx3 * dy1) / den;
        Self([
            p1.0 - p0.0 + a13 * p1.0,
            p1.1 - p0.1 + a13 * p1.1,
            a13,
            p3.0 - p0.0 + a23 * p3.0,
            p3.1 - p0.1 + a23 * p3.1,
            a23,
            p0.0,
            p0.1,
            1.0,
        ])
    }

    /// The adjoint, which is the inverse up to a scale factor (all a
    /// projective transform needs).
    fn adjoint(&self) -> Self {
        let [a11, a12, a13, a21, a22, a23, a31, a32, a33] = self.0;
        Self([
            a22 * a33 - a23 * a32,
            a13 * a32 - a12 * a33,
            a12 * a23 - a13 * a22,
            a23 * a31 - a21 * a33,
            a11 * a33 - a13 * a31,
            a13 * a21 - a11 * a23,
            a21 * a32 - a22 * a31,
            a12 * a31 - a11 * a32,
            a11 * a22 - a12 * a21,
        ])
    }

    /// `self` then `other`.
    fn then(&self, other: &Self) -> Self {
        let a = self.0;
        let b = other.0;
        let m = |r: usize, c: usize| {
            (0..3)
                .map(|k| {
                    a.get(r * 3 + k).copied().unwrap_or(0.0)
                        * b.get(k * 3 + c).copied().unwrap_or(0.0)
                })
                .sum()
        };
        Self([
            m(0, 0),
            m(0, 1),
            m(0, 2),
            m(1, 0),
            m(1, 1),
            m(1, 2),
            m(2, 0),
            m(2, 1),
            m(2, 2),
        ])
    }

    /// The transform taking quadrilateral `from` to quadrilateral `to`
    /// (corresponding corners in the same order).
    pub fn quad_to_quad(from: [Pt; 4], to: [Pt; 4]) -> Self {
        let to_square = Self::square_to_quad(from).adjoint();
        to_square.then(&Self::square_to_quad(to))
    }

    /// Maps a point; `None` when it maps to infinity or the transform is degenerate.
    pub fn map(&self, p: Pt) -> Option<Pt> {
        let [a11, a12, a13, a21, a22, a23, a31, a32, a33] = self.0;
        let (u, v) = (f64::from(p.x), f64::from(p.y));
        let w = a13 * u + a23 * v + a33;
        if w.abs() < 1e-12 || !w.is_finite() {
            return None;
        }
        let x = (a11 * u + a21 * v + a31) / w;
        let y = (a12 * u + a22 * v + a32) / w;
        (x.is_finite() && y.is_finite()).then(|| Pt::new(x as f32, y as f32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_corners_to_corners() {
        let from = [
            Pt::new(3.5, 3.5),
            Pt::new(21.5, 3.5),
            Pt::new(18.5, 18.5),
            Pt::new(3.5, 21.5),
        ];
        let to = [
            Pt::new(100.0, 120.0),
            Pt::new(400.0, 90.0),
            Pt::new(380.0, 390.0),
            Pt::new(130.0, 420.0),
        ];
        let h = Homography::quad_to_quad(from, to);
        for (f, t) in from.iter().zip(&to) {
            let m = h.map(*f).unwrap();
            assert!(
                (m.x - t.x).abs() < 1e-3 && (m.y - t.y).abs() < 1e-3,
                "{m:?} vs {t:?}"
            );
        }
    }
}

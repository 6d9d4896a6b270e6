//! Geometry refinement: moves the four anchor points of a candidate grid so
//! that the code's fixed patterns (finders, separators, timing, the
//! bottom-right alignment pattern) line up best with the image, measured in
//! grey levels against the local threshold. A finder centre that is off by
//! half a module — an inferred third finder, a blurred small code — shifts
//! whole columns of modules; this recovers it before sampling.

use super::binarize::Bits;
use super::geometry::{Homography, Pt};

/// A candidate grid: `dim` modules, module-space anchors and their image positions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    pub dim: usize,
    pub module: [Pt; 4],
    pub image: [Pt; 4],
}

impl Grid {
    pub fn homography(&self) -> Homography {
        Homography::quad_to_quad(self.module, self.image)
    }
}

/// Whether function-pattern module (x, y) is dark, for the cells the
/// objective looks at (`None` for data modules).
fn expected(x: usize, y: usize, dim: usize, alignment: bool) -> Option<bool> {
    let finder = |fx: usize, fy: usize| -> Option<bool> {
        // (fx, fy) is the finder's top-left module; 7x7 plus a light separator.
        let (dx, dy) = (x as isize - fx as isize, y as isize - fy as isize);
        if !(-1..=7).contains(&dx) || !(-1..=7).contains(&dy) {
            return None;
        }
        if dx == -1 || dy == -1 || dx == 7 || dy == 7 {
            return Some(false);
        }
        let ring = dx.min(dy).min(6 - dx).min(6 - dy);
        Some(ring != 1)
    };
    if let Some(e) = finder(0, 0)
        .or_else(|| finder(dim - 7, 0))
        .or_else(|| finder(0, dim - 7))
    {
        // The separator of a finder at the far edge lies outside the grid.
        return Some(e);
    }
    if y == 6 && (8..dim - 8).contains(&x) {
        return Some(x.is_multiple_of(2));
    }
    if x == 6 && (8..dim - 8).contains(&y) {
        return Some(y.is_multiple_of(2));
    }
    if alignment {
        let c = dim - 7;
        let (dx, dy) = (x as isize - c as isize, y as isize - c as isize);
        if dx.abs() <= 2 && dy.abs() <= 2 {
            return Some(dx.abs().max(dy.abs()) != 1);
        }
    }
    None
}

/// The function-pattern cells of a grid of `dim` modules.
fn cells(dim: usize) -> Vec<(usize, usize, bool)> {
    let alignment = dim >= 25;
    let mut out = Vec::new();
    for y in 0..dim {
        for x in 0..dim {
            if let Some(e) = expected(x, y, dim, alignment) {
                out.push((x, y, e));
            }
        }
    }
    out
}

/// How well the fixed patterns match: the summed grey-level contrast of
/// each expected cell in the expected direction, each term capped so that
/// glare or a stain cannot dominate.
fn objective(bits: &Bits, h: &Homography, cells: &[(usize, usize, bool)], dark: bool) -> f32 {
    let mut total = 0.0;
    for &(x, y, e) in cells {
        let Some(p) = h.map(Pt::new(x as f32 + 0.5, y as f32 + 0.5)) else {
            return f32::MIN;
        };
        let contrast = bits.contrast_at(p.x, p.y).unwrap_or(-32.0);
        let sign = if e == dark { 1.0 } else { -1.0 };
        total += (contrast * sign).clamp(-48.0, 48.0);
    }
    total
}

/// Moves each anchor by half, then a quarter, then an eighth of a module
/// while the objective improves (coordinate descent, bounded work).
pub(crate) fn refine(bits: &Bits, grid: Grid, module_px: f32, dark: bool) -> Grid {
    let cells = cells(grid.dim);
    let mut best = grid;
    let mut best_score = objective(bits, &best.homography(), &cells, dark);
    for step in [0.5f32, 0.25, 0.125] {
        let delta = step * module_px.max(0.5);
        for _round in 0..3 {
            let mut improved = false;
            for anchor in 0..4 {
                for (dx, dy) in [(delta, 0.0), (-delta, 0.0), (0.0, delta), (0.0, -delta)] {
                    let mut trial = best;
                    if let Some(p) = trial.image.get_mut(anchor) {
                        p.x += dx;
                        p.y += dy;
                    }
                    let score = objective(bits, &trial.homography(), &cells, dark);
                    if score > best_score {
                        best = trial;
                        best_score = score;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }
    best
}

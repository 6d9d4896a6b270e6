//! The alignment pattern near where the finders predict it (versions 2
//! and up): the fourth point of a grid's homography.

use super::binarize::Bits;
use super::geometry::Pt;

/// Looks for an alignment pattern near `est` (where the finders predict
/// it), widening the search if needed; `module` is the local module size.
pub(super) fn find_alignment(bits: &Bits, est: Pt, module: f32, dark: bool) -> Option<Pt> {
    if !est.x.is_finite() || !est.y.is_finite() || !module.is_finite() || module < 1.0 {
        return None;
    }
    for reach in [3.0f32, 6.0, 12.0] {
        let r = (reach * module) as isize;
        let (cx, cy) = (est.x as isize, est.y as isize);
        let mut best: Option<(f32, Pt)> = None;
        for y in (cy - r).max(0)..(cy + r).min(bits.h as isize) {
            let mut x = (cx - r).max(0);
            let x_end = (cx + r).min(bits.w as isize);
            // A dark run of about one module, then confirmed both ways.
            while x < x_end {
                let is = |xx: isize| bits.dark(xx as usize, y as usize) == dark;
                if !is(x) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < x_end && is(x) {
                    x += 1;
                }
                let run = (x - start) as f32;
                if (run - module).abs() > module * 0.7 {
                    continue;
                }
                let centre_x = start as f32 + run / 2.0;
                if let Some(p) = confirm_alignment(bits, centre_x, y as f32, module, dark) {
                    let dist = (p.x - est.x).hypot(p.y - est.y);
                    if best.is_none_or(|(bd, _)| dist < bd) {
                        best = Some((dist, p));
                    }
                }
            }
        }
        if let Some((_, p)) = best {
            return Some(p);
        }
    }
    None
}

/// Checks for the 5×5 alignment pattern (dark centre, light ring, dark ring)
/// around (x, y) along the row and the column; returns its refined centre.
fn confirm_alignment(bits: &Bits, x: f32, y: f32, module: f32, dark: bool) -> Option<Pt> {
    let (xi, yi) = (x as isize, y as isize);
    let at = |px: isize, py: isize| {
        px >= 0
            && py >= 0
            && (px as usize) < bits.w
            && (py as usize) < bits.h
            && bits.dark(px as usize, py as usize) == dark
    };
    let max = (module * 1.8).ceil() as isize + 1;
    let mut centre = [0f32; 2];
    for (axis, (dx, dy)) in [(1isize, 0isize), (0, 1)].into_iter().enumerate() {
        // From the centre: dark run, light ring, dark ring on both sides.
        let mut lengths = [0isize; 2];
        let mut ring_ok = true;
        for (side, sign) in [-1isize, 1].into_iter().enumerate() {
            let mut i = 0;
            while i < max && at(xi + dx * sign * i, yi + dy * sign * i) {
                i += 1;
            }
            if i >= max {
                return None;
            }
            if let Some(l) = lengths.get_mut(side) {
                *l = i;
            }
            let mut light = 0;
            while light < max && !at(xi + dx * sign * (i + light), yi + dy * sign * (i + light)) {
                light += 1;
            }
            if light == 0 || light >= max || (light as f32 - module).abs() > module * 0.7 {
                ring_ok = false;
            }
        }
        if !ring_ok {
            return None;
        }
        let [back, fwd] = lengths;
        let run = (back + fwd - 1) as f32;
        if (run - module).abs() > module * 0.7 {
            return None;
        }
        let pos = if axis == 0 { x } else { y };
        if let Some(c) = centre.get_mut(axis) {
            *c = pos.floor() + (fwd - back) as f32 / 2.0 + 0.5;
        }
    }
    let [cx, cy] = centre;
    Some(Pt::new(cx, cy))
}

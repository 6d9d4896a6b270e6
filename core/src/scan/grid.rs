//! From three finder patterns to decoded bytes: pick plausible triples,
//! orient them, find the alignment pattern, map module space onto the image
//! with a homography, sample every module and let rqrr correct and decode.

use super::binarize::Bits;
use super::finder::Finder;
use super::geometry::{Homography, Pt};
use super::{Budget, Point};

/// A decoded code in the coordinates of the binary image it was read from.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub payload: Vec<u8>,
    /// Top-left, top-right, bottom-right, bottom-left of the code's outer edge.
    pub corners: [Pt; 4],
}

/// The most finder candidates combined into triples (the strongest first).
const MAX_FINDERS: usize = 24;

/// A candidate triple, scored (lower is more QR-like).
struct Triple {
    score: f32,
    tl: usize,
    tr: usize,
    bl: usize,
}

fn triples(finders: &[Finder]) -> Vec<Triple> {
    let mut out = Vec::new();
    let n = finders.len();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                if let Some(t) = triple(finders, [i, j, k]) {
                    out.push(t);
                }
            }
        }
    }
    out.sort_by(|a, b| a.score.total_cmp(&b.score));
    out
}

fn triple(f: &[Finder], idx: [usize; 3]) -> Option<Triple> {
    let [a, b, c] = idx.map(|i| f.get(i).copied());
    let (a, b, c) = (a?, b?, c?);
    if a.dark != b.dark || b.dark != c.dark {
        return None;
    }
    let modules = [a.module, b.module, c.module];
    let (lo, hi) = modules
        .iter()
        .fold((f32::MAX, 0f32), |(lo, hi), &m| (lo.min(m), hi.max(m)));
    if hi > 2.0 * lo {
        return None;
    }
    // The right angle is at the vertex opposite the longest side.
    let (dab, dbc, dca) = (a.distance(&b), b.distance(&c), c.distance(&a));
    let (corner, p, q) = if dbc >= dab && dbc >= dca {
        (idx[0], idx[1], idx[2])
    } else if dca >= dab && dca >= dbc {
        (idx[1], idx[2], idx[0])
    } else {
        (idx[2], idx[0], idx[1])
    };
    let (tl, pp, qq) = (f.get(corner)?, f.get(p)?, f.get(q)?);
    let (v1x, v1y) = (pp.x - tl.x, pp.y - tl.y);
    let (v2x, v2y) = (qq.x - tl.x, qq.y - tl.y);
    let (l1, l2) = (v1x.hypot(v1y), v2x.hypot(v2y));
    if l1 < 1.0 || l2 < 1.0 {
        return None;
    }
    let ratio = l1.max(l2) / l1.min(l2);
    let cos = (v1x * v2x + v1y * v2y) / (l1 * l2);
    let module = (lo + hi) / 2.0;
    let span = (l1 + l2) / 2.0 / module;
    // Version 1 has 14 modules between finder centres, version 40 has 170.
    if ratio > 2.0 || cos.abs() > 0.5 || !(10.0..=190.0).contains(&span) {
        return None;
    }
    let cross = v1x * v2y - v1y * v2x;
    let (tr, bl) = if cross > 0.0 { (p, q) } else { (q, p) };
    let score = cos.abs() + (ratio - 1.0) + (hi / lo - 1.0);
    Some(Triple {
        score,
        tl: corner,
        tr,
        bl,
    })
}

/// Decodes every code the finders lead to, within `budget`.
pub(crate) fn decode_all(
    bits: &Bits,
    finders: &mut Vec<Finder>,
    budget: &mut Budget,
) -> Vec<Located> {
    finders.sort_by_key(|f| std::cmp::Reverse(f.count));
    finders.truncate(MAX_FINDERS);
    let mut used = vec![false; finders.len()];
    let mut out: Vec<Located> = Vec::new();
    for t in triples(finders) {
        if budget.exhausted() {
            break;
        }
        let is_used = |i: usize| used.get(i).copied().unwrap_or(true);
        if is_used(t.tl) || is_used(t.tr) || is_used(t.bl) {
            continue;
        }
        let (Some(tl), Some(tr), Some(bl)) =
            (finders.get(t.tl), finders.get(t.tr), finders.get(t.bl))
        else {
            continue;
        };
        if let Some(found) = decode_triple(bits, tl, tr, bl, budget) {
            for i in [t.tl, t.tr, t.bl] {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            if !out.iter().any(|o| o.payload == found.payload) {
                out.push(found);
            }
        }
    }
    out
}

fn decode_triple(
    bits: &Bits,
    tl: &Finder,
    tr: &Finder,
    bl: &Finder,
    budget: &mut Budget,
) -> Option<Located> {
    let module = (tl.module + tr.module + bl.module) / 3.0;
    // Finders measure their module along the image's rows and columns, which
    // cross a code turned by θ obliquely: 1 / max(|cos θ|, |sin θ|) too long
    // (up to √2 at 45°). The version comes from the finders' distance in true
    // modules, so undo that; the alignment search runs along rows and keeps
    // the row-wise size.
    let (dx, dy) = (tr.x - tl.x, tr.y - tl.y);
    let len = dx.hypot(dy);
    let squareness = if len > 0.0 {
        (dx.abs().max(dy.abs()) / len).max(std::f32::consts::FRAC_1_SQRT_2)
    } else {
        1.0
    };
    let span = (tl.distance(tr) + tl.distance(bl)) / 2.0 / (module * squareness);
    let version = ((span + 7.0 - 17.0) / 4.0).round().clamp(1.0, 40.0) as i32;
    for v in [version, version - 1, version + 1] {
        if !(1..=40).contains(&v) || budget.exhausted() {
            continue;
        }
        let dim = 17 + 4 * v as usize;
        let (p_tl, p_tr, p_bl) = (
            Pt::new(tl.x, tl.y),
            Pt::new(tr.x, tr.y),
            Pt::new(bl.x, bl.y),
        );
        let far = Pt::new(p_tr.x + p_bl.x - p_tl.x, p_tr.y + p_bl.y - p_tl.y);
        let d = dim as f32;
        let module_quad = |br: Pt| {
            [
                Pt::new(3.5, 3.5),
                Pt::new(d - 3.5, 3.5),
                br,
                Pt::new(3.5, d - 3.5),
            ]
        };
        let mut attempts: Vec<Homography> = Vec::with_capacity(2);
        if v >= 2
            && let Some(align) = find_alignment(bits, p_tl, p_tr, p_bl, dim, module, tl.dark)
        {
            attempts.push(Homography::quad_to_quad(
                module_quad(Pt::new(d - 6.5, d - 6.5)),
                [p_tl, p_tr, align, p_bl],
            ));
        }
        attempts.push(Homography::quad_to_quad(
            module_quad(Pt::new(d - 3.5, d - 3.5)),
            [p_tl, p_tr, far, p_bl],
        ));
        for h in attempts {
            if budget.exhausted() {
                return None;
            }
            budget.spend_decode();
            let Some(grid) = sample(bits, &h, dim, tl.dark) else {
                continue;
            };
            if let Some(payload) = grid.decode() {
                let corners = [
                    Pt::new(0.0, 0.0),
                    Pt::new(d, 0.0),
                    Pt::new(d, d),
                    Pt::new(0.0, d),
                ]
                .map(|p| h.map(p).unwrap_or(p));
                return Some(Located { payload, corners });
            }
        }
    }
    None
}

/// Looks for the bottom-right alignment pattern near where the three finders
/// predict it, widening the search if needed.
fn find_alignment(
    bits: &Bits,
    tl: Pt,
    tr: Pt,
    bl: Pt,
    dim: usize,
    module: f32,
    dark: bool,
) -> Option<Pt> {
    let d = dim as f32;
    let k = (d - 10.0) / (d - 7.0);
    let est = Pt::new(
        tl.x + (tr.x - tl.x + bl.x - tl.x) * k,
        tl.y + (tr.y - tl.y + bl.y - tl.y) * k,
    );
    for reach in [4.0f32, 8.0, 16.0] {
        let r = (reach * module) as isize;
        let (cx, cy) = (est.x as isize, est.y as isize);
        let mut best: Option<(f32, Pt)> = None;
        for y in (cy - r).max(0)..(cy + r).min(bits.h as isize) {
            let mut x = (cx - r).max(0);
            let x_end = (cx + r).min(bits.w as isize);
            // Runs light, dark, light of about one module each.
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
                if (run - module).abs() > module * 0.6 {
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

/// The module grid read through `h`; `None` when too much of it falls outside the image.
fn sample(bits: &Bits, h: &Homography, dim: usize, dark: bool) -> Option<Sampled> {
    let mut cells = Vec::with_capacity(dim * dim);
    let mut outside = 0usize;
    for my in 0..dim {
        for mx in 0..dim {
            let p = h.map(Pt::new(mx as f32 + 0.5, my as f32 + 0.5))?;
            let (x, y) = (p.x.floor(), p.y.floor());
            if x < 0.0 || y < 0.0 || x >= bits.w as f32 || y >= bits.h as f32 {
                outside += 1;
                cells.push(false);
                continue;
            }
            cells.push(bits.dark(x as usize, y as usize) == dark);
        }
    }
    (outside * 20 <= dim * dim).then_some(Sampled { dim, cells })
}

/// A sampled module grid, for rqrr's decoder.
struct Sampled {
    dim: usize,
    cells: Vec<bool>,
}

impl rqrr::BitGrid for Sampled {
    fn size(&self) -> usize {
        self.dim
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.cells.get(y * self.dim + x).copied().unwrap_or(false)
    }
}

impl Sampled {
    /// Corrects and decodes the grid; `None` if it is not a readable code.
    fn decode(self) -> Option<Vec<u8>> {
        let grid = rqrr::Grid::new(self);
        let mut payload = Vec::new();
        // rqrr is not ours: a panic inside it must not take the app down.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            grid.decode_to(&mut payload)
        }));
        matches!(result, Ok(Ok(_))).then_some(payload)
    }
}

impl From<Pt> for Point {
    fn from(p: Pt) -> Self {
        Point { x: p.x, y: p.y }
    }
}

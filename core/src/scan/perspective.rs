//! One triple of finders to a decoded code: the perspective its module
//! sizes imply, candidate versions and grids scored on their timing
//! patterns, then the best grids sampled (`sample.rs`) and decoded
//! (`decode.rs`), refined on their fixed patterns when the first read fails.

use super::Budget;
use super::alignment::find_alignment;
use super::binarize::Bits;
use super::decode::MIN_ERASED;
use super::finder::Finder;
use super::geometry::{Homography, Pt};
use super::refine::{Grid, refine};
use super::sample::{Sampling, sample};
use super::triples::Located;

/// The timing score of a grid placed by the finders alone from which its
/// alignment pattern is looked for.
const ALIGNMENT_SEARCH_BAR: f32 = 0.55;

/// Grids of a triple with an inferred finder fitted before scoring.
const MAX_INFERRED_FITS: usize = 4;

/// The module-space to image map that three finder centres and the local
/// scale at each of them imply: a homography whose denominator `w` is 1 at
/// the top-left finder, `w_tr` at the top-right and `w_bl` at the
/// bottom-left (a pattern that looks smaller is further away: its local
/// scale goes as 1/w²). With `w_tr = w_bl = 1` it is the affine map of the
/// parallelogram.
struct ThreePoint {
    tl: Pt,
    tr: Pt,
    bl: Pt,
    w_tr: f32,
    w_bl: f32,
    d: f32,
}

impl ThreePoint {
    fn map(&self, u: f32, v: f32) -> Pt {
        let (a, b) = ((u - 3.5) / (self.d - 7.0), (v - 3.5) / (self.d - 7.0));
        let w = 1.0 + a * (self.w_tr - 1.0) + b * (self.w_bl - 1.0);
        let nx = self.tl.x
            + a * (self.tr.x * self.w_tr - self.tl.x)
            + b * (self.bl.x * self.w_bl - self.tl.x);
        let ny = self.tl.y
            + a * (self.tr.y * self.w_tr - self.tl.y)
            + b * (self.bl.y * self.w_bl - self.tl.y);
        if w.abs() < 1e-3 {
            Pt::new(f32::NAN, f32::NAN)
        } else {
            Pt::new(nx / w, ny / w)
        }
    }
}

/// What a triple's finders say about the code before any grid is read.
struct Estimate {
    tl: Pt,
    tr: Pt,
    bl: Pt,
    /// Perspective weights at the top-right and bottom-left finders.
    w_tr: f32,
    w_bl: f32,
    /// Module size in pixels along the top and left legs.
    m_right: f32,
    m_down: f32,
    /// The legs' mean length in modules, and the version it implies.
    span: f32,
    version: i32,
}

/// Module sizes measured along each leg at both ends (robust to rotation);
/// their ratio tells the perspective, the legs' length the version.
fn estimate(bits: &Bits, tl: &Finder, tr: &Finder, bl: &Finder) -> Estimate {
    let (p_tl, p_tr, p_bl) = (
        Pt::new(tl.x, tl.y),
        Pt::new(tr.x, tr.y),
        Pt::new(bl.x, bl.y),
    );
    let dark = tl.dark;
    let (s_tl_x, s_tr_x) = (
        module_along(bits, p_tl, p_tr, dark),
        module_along(bits, p_tr, p_tl, dark),
    );
    let (s_tl_y, s_bl_y) = (
        module_along(bits, p_tl, p_bl, dark),
        module_along(bits, p_bl, p_tl, dark),
    );
    let fallback = (tl.module + tr.module + bl.module) / 3.0;
    let mean = |a: Option<f32>, b: Option<f32>| match (a, b) {
        (Some(x), Some(y)) => (x + y) / 2.0,
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => fallback,
    };
    let weight = |near: Option<f32>, far: Option<f32>| match (near, far) {
        (Some(n), Some(f)) if f > 0.0 => (n / f).sqrt().clamp(0.6, 1.6),
        _ => 1.0,
    };
    let (m_right, m_down) = (mean(s_tl_x, s_tr_x), mean(s_tl_y, s_bl_y));
    let span = (tl.distance(tr) / m_right + tl.distance(bl) / m_down) / 2.0;
    Estimate {
        tl: p_tl,
        tr: p_tr,
        bl: p_bl,
        w_tr: weight(s_tl_x, s_tr_x),
        w_bl: weight(s_tl_y, s_bl_y),
        m_right,
        m_down,
        span,
        version: ((span + 7.0 - 17.0) / 4.0).round().clamp(1.0, 40.0) as i32,
    }
}

/// Every (version, geometry) candidate of `est`, scored on its timing
/// patterns alone (a few dozen samples): the version and its neighbours,
/// each with the perspective map and (when they differ) the affine one,
/// with the alignment pattern as fourth point where one is found.
fn candidate_grids(
    bits: &Bits,
    est: &Estimate,
    dark: bool,
    budget: &mut Budget,
) -> Vec<(f32, i32, Grid)> {
    let mut candidates: Vec<(f32, i32, Grid)> = Vec::new();
    let version = est.version;
    for v in [version, version - 1, version + 1] {
        if !(1..=40).contains(&v) {
            continue;
        }
        let dim = 17 + 4 * v as usize;
        let d = dim as f32;
        let module_quad = |br: Pt| {
            [
                Pt::new(3.5, 3.5),
                Pt::new(d - 3.5, 3.5),
                br,
                Pt::new(3.5, d - 3.5),
            ]
        };
        let mut maps = vec![ThreePoint {
            tl: est.tl,
            tr: est.tr,
            bl: est.bl,
            w_tr: est.w_tr,
            w_bl: est.w_bl,
            d,
        }];
        if (est.w_tr - 1.0).abs() > 0.02 || (est.w_bl - 1.0).abs() > 0.02 {
            maps.push(ThreePoint {
                tl: est.tl,
                tr: est.tr,
                bl: est.bl,
                w_tr: 1.0,
                w_bl: 1.0,
                d,
            });
        }
        for map in &maps {
            let g = Grid {
                dim,
                module: module_quad(Pt::new(d - 3.5, d - 3.5)),
                image: [est.tl, est.tr, map.map(d - 3.5, d - 3.5), est.bl],
            };
            let plain = timing_score(bits, &g.homography(), dim, dark);
            candidates.push((plain, v, g));
            // The timing patterns lie along the legs, where the three finders
            // alone place the grid well: a triple of chance blobs (texture,
            // noise) scores about one half there, a code far more. The
            // alignment search (a window of up to 24 modules) is for grids
            // that look like a code already.
            if v >= 2 && plain >= ALIGNMENT_SEARCH_BAR {
                let at = map.map(d - 6.5, d - 6.5);
                let step = map.map(d - 5.5, d - 6.5);
                let local = (step.x - at.x).hypot(step.y - at.y);
                let alignment = find_alignment(bits, at, local, dark);
                budget.note(|| {
                    format!(
                        "    v{v}: alignment estimate ({:.1},{:.1}) found {alignment:?}",
                        at.x, at.y
                    )
                });
                if let Some(align) = alignment {
                    let g = Grid {
                        dim,
                        module: module_quad(Pt::new(d - 6.5, d - 6.5)),
                        image: [est.tl, est.tr, align, est.bl],
                    };
                    candidates.push((timing_score(bits, &g.homography(), dim, dark), v, g));
                }
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates
}

pub(super) fn decode_triple(
    bits: &Bits,
    tl: &Finder,
    tr: &Finder,
    bl: &Finder,
    budget: &mut Budget,
) -> Option<Located> {
    let dark = tl.dark;
    let est = estimate(bits, tl, tr, bl);
    budget.note(|| {
        format!(
            "  triple tl=({:.0},{:.0}) tr=({:.0},{:.0}) bl=({:.0},{:.0}) span={:.1} v={} w=({:.3},{:.3})",
            tl.x, tl.y, tr.x, tr.y, bl.x, bl.y, est.span, est.version, est.w_tr, est.w_bl
        )
    });
    let mut candidates = candidate_grids(bits, &est, dark, budget);
    let module_px = (est.m_right + est.m_down) / 2.0;
    // A finder inferred from a pair (count 0) is only roughly placed: the
    // best few grids are fitted to the code's fixed patterns before they are
    // scored again, each fit paid for as a sample (a fit reads the image
    // hundreds of times; unpaid, crafted frames made thousands of them).
    if tl.count == 0 || tr.count == 0 || bl.count == 0 {
        for (score, _, g) in candidates.iter_mut().take(MAX_INFERRED_FITS) {
            if budget.exhausted() {
                break;
            }
            // A fit costs hundreds of grey samples: only for a grid one of
            // whose legs shows its timing pattern (chance blobs of texture
            // or noise paired with a guessed third finder do not).
            let leg = [(est.tl, est.tr, est.bl), (est.tl, est.bl, est.tr)]
                .into_iter()
                .map(|(a, b, inside)| leg_timing(bits, a, b, inside, g.dim, dark))
                .fold(0.0f32, f32::max);
            let cells = g.dim.saturating_sub(16) as f32;
            if leg < (0.5 + 1.25 / cells.max(1.0).sqrt()).clamp(0.6, 0.9) {
                budget.note(|| format!("    leg timing {leg:.2}: no fit"));
                *score = 0.0;
                continue;
            }
            budget.spend_sample();
            budget.note(|| "    fit a grid of an inferred finder".to_string());
            *g = refine(bits, *g, module_px, dark);
            *score = timing_score(bits, &g.homography(), g.dim, dark);
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
    for (score, v, g) in candidates.into_iter().take(3) {
        // Random cells match the timing pattern half the time; a grid off by
        // half a module scores about 0.6 before refinement. Small versions
        // have few timing cells, so chance alone scores higher there: ask
        // for 2.5 standard deviations above chance.
        let cells = 2.0 * (g.dim.saturating_sub(16)) as f32;
        let bar = (0.5 + 1.25 / cells.max(1.0).sqrt()).clamp(0.6, 0.9);
        if score < bar || budget.exhausted() {
            budget.note(|| format!("    v{v}: timing {score:.2}, stop"));
            break;
        }
        if let Some(found) = read_grid(bits, g, score, module_px, dark, budget) {
            return Some(found);
        }
    }
    None
}

/// Reads one candidate grid: as found first (most codes read here), then
/// refined on its fixed patterns, read from the binary and then the grey
/// image; each read with its flat modules as erasures when it fails without.
fn read_grid(
    bits: &Bits,
    g: Grid,
    score: f32,
    module_px: f32,
    dark: bool,
    budget: &mut Budget,
) -> Option<Located> {
    let dim = g.dim;
    let d = dim as f32;
    let v = (dim - 17) / 4;
    let mut h = g.homography();
    for (refined, how) in [
        (false, Sampling::Binary),
        (true, Sampling::Binary),
        (true, Sampling::Grey),
        (true, Sampling::ModuleLocal),
        (true, Sampling::Sharpened),
    ] {
        if refined && how == Sampling::Binary {
            h = refine(bits, g, module_px, dark).homography();
        }
        budget.spend_sample();
        let Some(grid) = sample(bits, &h, dim, dark, how) else {
            budget.note(|| format!("    v{v}: sample outside the image"));
            return None;
        };
        budget.note(|| grid.dump());
        let mut decoded = None;
        if grid.plausible() {
            budget.spend_decode();
            decoded = grid.decode(false);
            // Glare or a finger over part of the code: its modules as
            // erasures, which the parity corrects twice as many of.
            let erased = grid.erasures();
            if decoded.is_none() && erased >= MIN_ERASED && !budget.exhausted() {
                budget.spend_decode();
                decoded = grid.decode(true);
                budget.note(|| format!("    v{v}: {erased} modules erased"));
            }
        }
        budget.note(|| {
            format!(
                "    v{v} timing {score:.2} refined={refined} {how:?}: decode {}",
                if decoded.is_some() { "ok" } else { "failed" }
            )
        });
        if let Some(payload) = decoded {
            let corners = [
                Pt::new(0.0, 0.0),
                Pt::new(d, 0.0),
                Pt::new(d, d),
                Pt::new(0.0, d),
            ]
            .map(|p| h.map(p).unwrap_or(p));
            return Some(Located { payload, corners });
        }
        if budget.exhausted() {
            return None;
        }
    }
    None
}

/// The fraction of timing-pattern modules (row and column 6 between the
/// finders) that `h` reads as alternating, by the binary pixel at each
/// module's centre.
fn timing_score(bits: &Bits, h: &Homography, dim: usize, dark: bool) -> f32 {
    if dim < 21 {
        return 0.0;
    }
    let mut matches = 0usize;
    let mut total = 0usize;
    for i in 8..dim - 8 {
        let want = i % 2 == 0;
        for (mx, my) in [(i, 6), (6, i)] {
            total += 1;
            if let Some(p) = h.map(Pt::new(mx as f32 + 0.5, my as f32 + 0.5))
                && p.x >= 0.0
                && p.y >= 0.0
                && (bits.dark(p.x as usize, p.y as usize) == dark) == want
            {
                matches += 1;
            }
        }
    }
    matches as f32 / total.max(1) as f32
}

/// The fraction of the timing pattern's modules along the leg from finder
/// centre `a` to finder centre `b` of a `dim`-module code (3 modules
/// towards `inside`, the third finder) that the binary image shows
/// alternating; straight-line placement, no perspective.
fn leg_timing(bits: &Bits, a: Pt, b: Pt, inside: Pt, dim: usize, dark: bool) -> f32 {
    let n = dim.saturating_sub(7);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    if n < 11 || len < 1.0 {
        return 0.0;
    }
    let step = len / n as f32;
    let (mut px, mut py) = (-dy / len, dx / len);
    if px * (inside.x - a.x) + py * (inside.y - a.y) < 0.0 {
        (px, py) = (-px, -py);
    }
    let (ox, oy) = (a.x + 3.0 * step * px, a.y + 3.0 * step * py);
    let (mut matches, mut total) = (0usize, 0usize);
    // Module k from the finder centre is timing column k + 3: dark when odd.
    for k in 5..=n - 5 {
        let t = k as f32 / n as f32;
        let (x, y) = (ox + dx * t, oy + dy * t);
        total += 1;
        if x >= 0.0 && y >= 0.0 && (bits.dark(x as usize, y as usize) == dark) == (k % 2 == 1) {
            matches += 1;
        }
    }
    matches as f32 / total.max(1) as f32
}

/// The finder pattern's width along the line from its centre `from` towards
/// `to`, in modules of pixels: the 7 modules of dark, light, dark-centre,
/// light, dark runs measured both ways along that direction.
fn module_along(bits: &Bits, from: Pt, to: Pt, dark: bool) -> Option<f32> {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = dx.hypot(dy);
    if len < 1.0 {
        return None;
    }
    let (ux, uy) = (dx / len, dy / len);
    let is = |t: f32| -> Option<bool> {
        let (x, y) = (from.x + ux * t, from.y + uy * t);
        if x < 0.0 || y < 0.0 || x >= bits.w as f32 || y >= bits.h as f32 {
            return None;
        }
        Some(bits.dark(x as usize, y as usize) == dark)
    };
    // From the centre outwards: 1.5 modules of centre, 1 light, 1 dark.
    let edge = |sign: f32| -> Option<f32> {
        let mut t = 0.0f32;
        for want in [true, false, true] {
            let start = t;
            while is(sign * t)? == want {
                t += 0.5;
                if t - start > len / 2.0 {
                    return None;
                }
            }
            if t == start {
                return None;
            }
        }
        Some(t)
    };
    let total = edge(1.0)? + edge(-1.0)?;
    Some(total / 7.0)
}

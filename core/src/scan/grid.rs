//! From three finder patterns to decoded bytes: pick plausible triples,
//! orient them, find the alignment pattern, map module space onto the image
//! with a homography, sample every module and let rqrr correct and decode.

use super::binarize::Bits;
use super::finder::{Finder, find_near};
use super::geometry::{Homography, Pt};
use super::refine::{Grid, refine};
use super::{Budget, Point};

/// A decoded code in the coordinates of the binary image it was read from.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub payload: Vec<u8>,
    /// Top-left, top-right, bottom-right, bottom-left of the code's outer edge.
    pub corners: [Pt; 4],
}

/// The most finder candidates combined into triples (the strongest first).
pub(crate) const MAX_FINDERS: usize = 24;

/// A candidate triple, scored (lower is more QR-like).
struct Triple {
    score: f32,
    tl: usize,
    tr: usize,
    bl: usize,
}

fn triples(finders: &[Finder]) -> Vec<Triple> {
    let n = finders.len();
    // Shape alone puts a strongly tilted code behind chance triples of
    // background blobs; the code's own finders are usually the best
    // confirmed of their polarity, so weak confirmation costs too.
    let best = |dark: bool| {
        finders
            .iter()
            .filter(|f| f.dark == dark)
            .map(|f| f.count)
            .max()
            .unwrap_or(1)
            .max(1) as f32
    };
    let (best_dark, best_light) = (best(true), best(false));
    let (mut dark, mut light) = (Vec::new(), Vec::new());
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let weakest = [i, j, k]
                    .iter()
                    .filter_map(|&x| finders.get(x))
                    .map(|f| f.count)
                    .min()
                    .unwrap_or(0) as f32;
                let is_dark = finders.get(i).is_some_and(|f| f.dark);
                let best = if is_dark { best_dark } else { best_light };
                let penalty = 2.0 * (1.0 - weakest / best);
                let list = if is_dark { &mut dark } else { &mut light };
                list.extend(triple(finders, [i, j, k]).into_iter().map(|mut t| {
                    t.score += penalty;
                    t
                }));
            }
        }
    }
    // Best first within each polarity, the two taken in turn: light-on-dark
    // texture (or a dark-mode code's surroundings) cannot push every
    // triple of the other polarity past the budget.
    dark.sort_by(|a, b| a.score.total_cmp(&b.score));
    light.sort_by(|a, b| a.score.total_cmp(&b.score));
    let mut out = Vec::with_capacity(dark.len() + light.len());
    let (mut dark, mut light) = (dark.into_iter().peekable(), light.into_iter().peekable());
    while dark.peek().is_some() || light.peek().is_some() {
        out.extend(dark.next());
        out.extend(light.next());
    }
    out
}

/// The orientations of three finders as a code's corners: usually the
/// right angle is opposite the longest side, but a strongly tilted code
/// can make another vertex look more square, so each vertex that could be
/// the top-left is offered (best first); the timing check sorts them out.
fn triple(f: &[Finder], idx: [usize; 3]) -> Vec<Triple> {
    let [a, b, c] = idx.map(|i| f.get(i).copied());
    let (Some(a), Some(b), Some(c)) = (a, b, c) else {
        return Vec::new();
    };
    if a.dark != b.dark || b.dark != c.dark {
        return Vec::new();
    }
    let (lo, hi) = [a.module, b.module, c.module]
        .iter()
        .fold((f32::MAX, 0f32), |(lo, hi), &m| (lo.min(m), hi.max(m)));
    // Perspective can make one finder look up to about three times the size of another.
    if hi > 3.0 * lo {
        return Vec::new();
    }
    let module = (lo + hi) / 2.0;
    let mut out = Vec::new();
    for (corner, p, q) in [
        (idx[0], idx[1], idx[2]),
        (idx[1], idx[2], idx[0]),
        (idx[2], idx[0], idx[1]),
    ] {
        let (Some(tl), Some(pp), Some(qq)) = (f.get(corner), f.get(p), f.get(q)) else {
            continue;
        };
        let (v1x, v1y) = (pp.x - tl.x, pp.y - tl.y);
        let (v2x, v2y) = (qq.x - tl.x, qq.y - tl.y);
        let (l1, l2) = (v1x.hypot(v1y), v2x.hypot(v2y));
        if l1 < 1.0 || l2 < 1.0 {
            continue;
        }
        let ratio = l1.max(l2) / l1.min(l2);
        let cos = (v1x * v2x + v1y * v2y) / (l1 * l2);
        let span = (l1 + l2) / 2.0 / module;
        // Version 1 has 14 modules between finder centres, version 40 has 170
        // (the module estimate from row runs is up to √2 too large for rotated
        // codes, hence the slack). Strong tilt skews the right angle and the legs.
        if ratio > 3.0 || cos.abs() > 0.7 || !(7.0..=190.0).contains(&span) {
            continue;
        }
        let cross = v1x * v2y - v1y * v2x;
        let (tr, bl) = if cross > 0.0 { (p, q) } else { (q, p) };
        let score = cos.abs() + (ratio - 1.0) + (hi / lo - 1.0);
        out.push(Triple {
            score,
            tl: corner,
            tr,
            bl,
        });
    }
    out
}

/// Grids of a triple with an inferred finder fitted before scoring.
const MAX_INFERRED_FITS: usize = 4;

/// Triples tried after a code was read, before giving up on finding another
/// (counted again from each code read).
const MAX_TRIPLES_AFTER_A_READ: usize = 12;

/// What [`decode_all`] read, and where to go on from.
pub(crate) struct Decoded {
    /// The codes read.
    pub found: Vec<Located>,
    /// The index of the first triple not tried (`None`: every triple and
    /// the pair completion were tried, or a code was read).
    pub resume_at: Option<usize>,
}

/// Decodes every code the finders lead to, within `budget`, trying the
/// triples from index `skip` on, at most `take` of them (best first).
pub(crate) fn decode_all(
    bits: &Bits,
    finders: &[Finder],
    budget: &mut Budget,
    skip: usize,
    take: usize,
) -> Decoded {
    let mut used = vec![false; finders.len()];
    let mut out: Vec<Located> = Vec::new();
    // Once a code is read, the frame is known to be readable: another code
    // in it is looked for only among finders confirmed by at least a quarter
    // as many scan lines as the weakest finder of the codes read (about half
    // the module size), and in the next few triples only (they come best
    // first). Without this, a busy background's finder-like blobs cost more
    // than the code itself.
    let mut min_count = 0u32;
    let mut extra_triples = MAX_TRIPLES_AFTER_A_READ;
    // A lone pair is completed before any triple is tried: the triples
    // that do not include the code's missing finder are all background.
    if skip == 0
        && let Some(pair) = lone_pair(finders)
        && let Some(found) = complete_pairs(bits, &pair, budget)
    {
        return Decoded {
            found: vec![found],
            resume_at: None,
        };
    }
    let all = triples(finders);
    let end = skip.saturating_add(take).min(all.len());
    let mut next = skip;
    for t in all.iter().take(end).skip(skip) {
        if budget.exhausted() || extra_triples == 0 {
            break;
        }
        next += 1;
        let is_used = |i: usize| used.get(i).copied().unwrap_or(true);
        if is_used(t.tl) || is_used(t.tr) || is_used(t.bl) {
            continue;
        }
        let (Some(tl), Some(tr), Some(bl)) =
            (finders.get(t.tl), finders.get(t.tr), finders.get(t.bl))
        else {
            continue;
        };
        if tl.count.min(tr.count).min(bl.count) < min_count {
            continue;
        }
        if !out.is_empty() {
            extra_triples -= 1;
        }
        if let Some(found) = decode_triple(bits, tl, tr, bl, budget) {
            extra_triples = MAX_TRIPLES_AFTER_A_READ;
            let weakest = tl.count.min(tr.count).min(bl.count);
            let bar = (weakest / 4).max(3);
            min_count = if out.is_empty() {
                bar
            } else {
                min_count.min(bar)
            };
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
    if !out.is_empty() {
        return Decoded {
            found: out,
            resume_at: None,
        };
    }
    if next < all.len() {
        return Decoded {
            found: out,
            resume_at: Some(next),
        };
    }
    let strong: Vec<Finder> = finders
        .iter()
        .filter(|f| f.count >= 3)
        .take(MAX_PAIR_FINDERS)
        .copied()
        .collect();
    out.extend(complete_pairs(bits, &strong, budget));
    Decoded {
        found: out,
        resume_at: None,
    }
}

/// Strong finders whose pairs are tried for a missing third pattern.
const MAX_PAIR_FINDERS: usize = 8;

/// The two best-confirmed finders of a polarity, when they stand out: each
/// confirmed by at least this many times as many scan lines as the next
/// finder of that polarity (a code's third finder washed out by glare or
/// blur, while its other two are as clear as ever).
const LONE_PAIR_MARGIN: u32 = 3;

/// The standing-out pair of [`LONE_PAIR_MARGIN`], if there is one (the
/// finders come best confirmed first).
fn lone_pair(finders: &[Finder]) -> Option<[Finder; 2]> {
    [true, false].into_iter().find_map(|dark| {
        let mut same = finders.iter().filter(|f| f.dark == dark);
        let (a, b) = (*same.next()?, *same.next()?);
        let third = same.next().map_or(0, |f| f.count);
        (b.count >= 3 && b.count >= LONE_PAIR_MARGIN * third).then_some([a, b])
    })
}

/// When no triple decodes, a finder pattern may have been missed (blur or
/// glare over it, modules of two pixels): for each pair of well-confirmed
/// finders of the same size, the third is looked for where a square code
/// would put it (beside either end of the pair, or across its diagonal).
fn complete_pairs(bits: &Bits, strong: &[Finder], budget: &mut Budget) -> Option<Located> {
    let mut pairs: Vec<(Finder, Finder)> = Vec::new();
    for (i, a) in strong.iter().enumerate() {
        for b in strong.iter().skip(i + 1) {
            pairs.push((*a, *b));
        }
    }
    // The best-confirmed pairs first.
    pairs.sort_by_key(|(a, b)| std::cmp::Reverse(a.count + b.count));
    for (a, b) in &pairs {
        {
            if budget.exhausted() {
                return None;
            }
            let module = (a.module + b.module) / 2.0;
            let dist = a.distance(b);
            if a.dark != b.dark
                || a.module.max(b.module) > 1.6 * a.module.min(b.module)
                || !(10.0..=240.0).contains(&(dist / module))
            {
                continue;
            }
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
            let hypotheses = [
                (a.x - dy, a.y + dx),
                (a.x + dy, a.y - dx),
                (b.x - dy, b.y + dx),
                (b.x + dy, b.y - dx),
                (mx - dy / 2.0, my + dx / 2.0),
                (mx + dy / 2.0, my - dx / 2.0),
            ];
            for (x, y) in hypotheses {
                if x < 0.0 || y < 0.0 || x >= bits.w as f32 || y >= bits.h as f32 {
                    continue;
                }
                let third = find_near(bits, x, y, 4.0 * module, a.dark).unwrap_or(Finder {
                    x,
                    y,
                    module,
                    count: 0,
                    dark: a.dark,
                });
                budget.note(|| {
                    format!(
                        "  pair ({:.0},{:.0})-({:.0},{:.0}): third at ({:.0},{:.0})",
                        a.x, a.y, b.x, b.y, third.x, third.y
                    )
                });
                let three = [*a, *b, third];
                let Some(t) = triple(&three, [0, 1, 2])
                    .into_iter()
                    .min_by(|x, y| x.score.total_cmp(&y.score))
                else {
                    continue;
                };
                let (Some(tl), Some(tr), Some(bl)) =
                    (three.get(t.tl), three.get(t.tr), three.get(t.bl))
                else {
                    continue;
                };
                if let Some(found) = decode_triple(bits, tl, tr, bl, budget) {
                    return Some(found);
                }
            }
        }
    }
    None
}

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

fn decode_triple(
    bits: &Bits,
    tl: &Finder,
    tr: &Finder,
    bl: &Finder,
    budget: &mut Budget,
) -> Option<Located> {
    let (p_tl, p_tr, p_bl) = (
        Pt::new(tl.x, tl.y),
        Pt::new(tr.x, tr.y),
        Pt::new(bl.x, bl.y),
    );
    let dark = tl.dark;
    // Module sizes measured along each leg at both ends (robust to
    // rotation); their ratio tells the perspective.
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
    let (w_tr, w_bl) = (weight(s_tl_x, s_tr_x), weight(s_tl_y, s_bl_y));
    let span = (tl.distance(tr) / m_right + tl.distance(bl) / m_down) / 2.0;
    let version = ((span + 7.0 - 17.0) / 4.0).round().clamp(1.0, 40.0) as i32;
    budget.note(|| {
        format!(
            "  triple tl=({:.0},{:.0}) tr=({:.0},{:.0}) bl=({:.0},{:.0}) span={span:.1} v={version} w=({w_tr:.3},{w_bl:.3})",
            tl.x, tl.y, tr.x, tr.y, bl.x, bl.y
        )
    });
    // Every (version, geometry) candidate is first scored on its timing
    // patterns alone (a few dozen samples); only the best are sampled in
    // full and decoded.
    let mut candidates: Vec<(f32, i32, Grid)> = Vec::new();
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
            tl: p_tl,
            tr: p_tr,
            bl: p_bl,
            w_tr,
            w_bl,
            d,
        }];
        if (w_tr - 1.0).abs() > 0.02 || (w_bl - 1.0).abs() > 0.02 {
            maps.push(ThreePoint {
                tl: p_tl,
                tr: p_tr,
                bl: p_bl,
                w_tr: 1.0,
                w_bl: 1.0,
                d,
            });
        }
        for map in &maps {
            if v >= 2 {
                let est = map.map(d - 6.5, d - 6.5);
                let step = map.map(d - 5.5, d - 6.5);
                let local = (step.x - est.x).hypot(step.y - est.y);
                let alignment = find_alignment(bits, est, local, dark);
                budget.note(|| {
                    format!(
                        "    v{v}: alignment estimate ({:.1},{:.1}) found {alignment:?}",
                        est.x, est.y
                    )
                });
                if let Some(align) = alignment {
                    let g = Grid {
                        dim,
                        module: module_quad(Pt::new(d - 6.5, d - 6.5)),
                        image: [p_tl, p_tr, align, p_bl],
                    };
                    candidates.push((timing_score(bits, &g.homography(), dim, dark), v, g));
                }
            }
            let g = Grid {
                dim,
                module: module_quad(Pt::new(d - 3.5, d - 3.5)),
                image: [p_tl, p_tr, map.map(d - 3.5, d - 3.5), p_bl],
            };
            candidates.push((timing_score(bits, &g.homography(), dim, dark), v, g));
        }
    }
    let module_px = (m_right + m_down) / 2.0;
    // A finder inferred from a pair (count 0) is only roughly placed: the
    // best few grids are fitted to the code's fixed patterns before they are
    // scored again, each fit paid for as a sample (a fit reads the image
    // hundreds of times; unpaid, crafted frames made thousands of them).
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    if tl.count == 0 || tr.count == 0 || bl.count == 0 {
        for (score, _, g) in candidates.iter_mut().take(MAX_INFERRED_FITS) {
            if budget.exhausted() {
                break;
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
        let dim = g.dim;
        let d = dim as f32;
        // The grid as found first (most codes read here), then refined on
        // its fixed patterns, read from the binary and then the grey image.
        let mut decoded = None;
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
                break;
            };
            budget.note(|| grid.dump());
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
            if decoded.is_some() || budget.exhausted() {
                break;
            }
        }
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

/// Looks for an alignment pattern near `est` (where the finders predict
/// it), widening the search if needed; `module` is the local module size.
fn find_alignment(bits: &Bits, est: Pt, module: f32, dark: bool) -> Option<Pt> {
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

/// How a module's colour is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sampling {
    /// The grey level at five points of the module's centre area against
    /// the local threshold, interpolated (small, blurred or noisy modules).
    Grey,
    /// The binary pixel under the module's centre.
    Binary,
    /// The grey level of each module against the midpoint of the darkest
    /// and lightest modules around it (5 x 5 modules): follows a shadow
    /// edge across the code at the scale of modules, not pixel blocks.
    ModuleLocal,
    /// As `ModuleLocal`, after undoing some of the blur between
    /// neighbouring modules (each value pushed away from the mean of its four
    /// neighbours): for codes blurred by more than half a module.
    Sharpened,
}

/// The module grid read through `h`; `None` when too much of it falls outside the image.
fn sample(bits: &Bits, h: &Homography, dim: usize, dark: bool, how: Sampling) -> Option<Sampled> {
    if matches!(how, Sampling::ModuleLocal | Sampling::Sharpened) {
        return sample_module_local(bits, h, dim, dark, how == Sampling::Sharpened);
    }
    const SPOTS: [(f32, f32); 5] = [(0.5, 0.5), (0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7)];
    let mut cells = Vec::with_capacity(dim * dim);
    let mut outside = 0usize;
    for my in 0..dim {
        for mx in 0..dim {
            let cell = match how {
                Sampling::Binary => {
                    let p = h.map(Pt::new(mx as f32 + 0.5, my as f32 + 0.5))?;
                    let (x, y) = (p.x.floor(), p.y.floor());
                    (x >= 0.0 && y >= 0.0 && x < bits.w as f32 && y < bits.h as f32)
                        .then(|| bits.dark(x as usize, y as usize) == dark)
                }
                Sampling::ModuleLocal | Sampling::Sharpened => None,
                Sampling::Grey => {
                    let mut votes = 0i32;
                    let mut seen = 0;
                    for (dx, dy) in SPOTS {
                        let p = h.map(Pt::new(mx as f32 + dx, my as f32 + dy))?;
                        if let Some(d) = bits.dark_at(p.x, p.y) {
                            votes += if d == dark { 1 } else { -1 };
                            seen += 1;
                        }
                    }
                    (seen > 0).then_some(votes > 0)
                }
            };
            match cell {
                Some(c) => cells.push(c),
                None => {
                    outside += 1;
                    cells.push(false);
                }
            }
        }
    }
    (outside * 20 <= dim * dim).then_some(Sampled {
        dim,
        cells,
        erased: Vec::new(),
    })
}

/// See [`Sampling::ModuleLocal`].
fn sample_module_local(
    bits: &Bits,
    h: &Homography,
    dim: usize,
    dark: bool,
    sharpen: bool,
) -> Option<Sampled> {
    const SPOTS: [(f32, f32); 5] = [(0.5, 0.5), (0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7)];
    let mut values = Vec::with_capacity(dim * dim);
    let mut outside = 0usize;
    for my in 0..dim {
        for mx in 0..dim {
            let mut sum = 0.0;
            let mut seen = 0.0;
            for (dx, dy) in SPOTS {
                let p = h.map(Pt::new(mx as f32 + dx, my as f32 + dy))?;
                if let Some(v) = bits.gray_at(p.x, p.y) {
                    sum += v;
                    seen += 1.0;
                }
            }
            if seen == 0.0 {
                outside += 1;
                values.push(f32::NAN);
            } else {
                values.push(sum / seen);
            }
        }
    }
    if outside * 20 > dim * dim {
        return None;
    }
    let erased = flat_modules(&values, dim);
    if sharpen {
        let at = |x: usize, y: usize| {
            (x < dim && y < dim)
                .then(|| values.get(y * dim + x).copied())
                .flatten()
                .filter(|v| v.is_finite())
        };
        let sharp: Vec<f32> = (0..dim * dim)
            .map(|i| {
                let (x, y) = (i % dim, i / dim);
                let Some(v) = at(x, y) else { return f32::NAN };
                let around: Vec<f32> = [
                    x.checked_sub(1).and_then(|x| at(x, y)),
                    at(x + 1, y),
                    y.checked_sub(1).and_then(|y| at(x, y)),
                    at(x, y + 1),
                ]
                .into_iter()
                .flatten()
                .collect();
                if around.is_empty() {
                    return v;
                }
                let mean = around.iter().sum::<f32>() / around.len() as f32;
                v + (v - mean)
            })
            .collect();
        values = sharp;
    }
    let mut cells = Vec::with_capacity(dim * dim);
    for my in 0..dim {
        for mx in 0..dim {
            let (mut lo, mut hi) = (f32::MAX, f32::MIN);
            for y in my.saturating_sub(2)..(my + 3).min(dim) {
                for x in mx.saturating_sub(2)..(mx + 3).min(dim) {
                    if let Some(&v) = values.get(y * dim + x).filter(|v| v.is_finite()) {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
            let v = values.get(my * dim + mx).copied().unwrap_or(f32::NAN);
            let is_dark = v.is_finite() && hi > lo && v <= (lo + hi) / 2.0;
            cells.push(is_dark == dark);
        }
    }
    Some(Sampled { dim, cells, erased })
}

/// The modules whose 3 × 3 neighbourhood of grey levels is flat
/// ([`FLAT_RANGE`]) or unread.
fn flat_modules(values: &[f32], dim: usize) -> Vec<bool> {
    (0..dim * dim)
        .map(|i| {
            let (mx, my) = (i % dim, i / dim);
            let (mut lo, mut hi) = (f32::MAX, f32::MIN);
            for y in my.saturating_sub(1)..(my + 2).min(dim) {
                for x in mx.saturating_sub(1)..(mx + 2).min(dim) {
                    match values.get(y * dim + x).filter(|v| v.is_finite()) {
                        Some(&v) => {
                            lo = lo.min(v);
                            hi = hi.max(v);
                        }
                        None => return true,
                    }
                }
            }
            hi - lo < FLAT_RANGE
        })
        .collect()
}

/// A sampled module grid, for rqrr's decoder.
struct Sampled {
    dim: usize,
    cells: Vec<bool>,
    /// Modules that could not be read (empty: none known).
    erased: Vec<bool>,
}

/// A sampled grid as rqrr reads it: with or without its erasures.
struct ForDecoder<'a> {
    grid: &'a Sampled,
    erasures: bool,
}

impl rqrr::BitGrid for ForDecoder<'_> {
    fn size(&self) -> usize {
        self.grid.dim
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.grid
            .cells
            .get(y * self.grid.dim + x)
            .copied()
            .unwrap_or(false)
    }

    fn erased(&self, y: usize, x: usize) -> bool {
        self.erasures
            && self
                .grid
                .erased
                .get(y * self.grid.dim + x)
                .copied()
                .unwrap_or(false)
    }
}

/// Erased modules worth a second decode (a patch of three by three).
const MIN_ERASED: usize = 9;

/// A module whose 3 × 3 neighbourhood spans fewer grey levels than this is
/// taken as unreadable (burnt out by glare, covered): a code's own modules
/// differ far more, except where nine of them happen to share a colour,
/// and erasing a right module costs only one parity codeword.
const FLAT_RANGE: f32 = 12.0;

/// The 32 valid format-information words (BCH(15,5), generator 0x537),
/// before the 0x5412 mask.
fn format_codewords() -> [u16; 32] {
    let mut words = [0u16; 32];
    for (data, word) in words.iter_mut().enumerate() {
        let mut rem = (data as u32) << 10;
        for bit in (10..15).rev() {
            if rem & (1 << bit) != 0 {
                rem ^= 0x537 << (bit - 10);
            }
        }
        *word = (((data as u32) << 10) | rem) as u16;
    }
    words
}

impl Sampled {
    /// The grid as rows of 0/1 (for traces).
    fn dump(&self) -> String {
        let mut out = String::from("    grid ");
        for row in self.cells.chunks(self.dim.max(1)) {
            out.extend(row.iter().map(|&c| if c { '1' } else { '0' }));
            out.push('/');
        }
        out
    }

    fn at(&self, x: usize, y: usize, mirrored: bool) -> bool {
        let (x, y) = if mirrored { (y, x) } else { (x, y) };
        self.cells.get(y * self.dim + x).copied().unwrap_or(false)
    }

    /// Whether the grid looks like a QR code before the costly decode: the
    /// timing patterns mostly alternate, and one copy of the format
    /// information is within the 3 errors BCH(15,5) corrects (in either
    /// orientation, as rqrr also tries the mirror image).
    fn plausible(&self) -> bool {
        let n = self.dim;
        if n < 21 {
            return false;
        }
        let span = n - 16;
        let matches = (8..n - 8)
            .map(|i| {
                usize::from(self.at(i, 6, false) == (i % 2 == 0))
                    + usize::from(self.at(6, i, false) == (i % 2 == 0))
            })
            .sum::<usize>();
        // Random cells match half the time; a real grid far more often.
        if matches * 4 < span * 2 * 3 {
            return false;
        }
        let codewords = format_codewords();
        let near = |word: u16| codewords.iter().any(|c| (c ^ word).count_ones() <= 3);
        const XS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
        const YS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
        [false, true].into_iter().any(|mirrored| {
            let mut first = 0u16;
            for (i, (&x, &y)) in XS.iter().zip(YS.iter()).enumerate() {
                first |= u16::from(self.at(x, y, mirrored)) << i;
            }
            let mut second = 0u16;
            for i in 0..7 {
                second = (second << 1) | u16::from(self.at(8, n - 1 - i, mirrored));
            }
            for i in 0..8 {
                second = (second << 1) | u16::from(self.at(n - 8 + i, 8, mirrored));
            }
            near(first ^ 0x5412) || near(second ^ 0x5412)
        })
    }

    /// How many modules are erased.
    fn erasures(&self) -> usize {
        self.erased.iter().filter(|&&e| e).count()
    }

    /// Corrects and decodes the grid, with its erased modules as erasures
    /// or not; `None` if it is not a readable code.
    fn decode(&self, erasures: bool) -> Option<Vec<u8>> {
        let grid = rqrr::Grid::new(ForDecoder {
            grid: self,
            erasures,
        });
        let mut payload = Vec::new();
        // rqrr is not ours: a panic inside it must not take the app down.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            grid.decode_to(&mut payload)
        }));
        // A grid that decodes to no data at all is noise that happened to
        // pass error correction (found by fuzzing): no code carries nothing.
        (matches!(result, Ok(Ok(_))) && !payload.is_empty()).then_some(payload)
    }
}

impl From<Pt> for Point {
    fn from(p: Pt) -> Self {
        Point { x: p.x, y: p.y }
    }
}

//! From finder patterns to decoded codes: which triples of finders to try
//! and in what order (each polarity in turn, a lone pair completed first),
//! until the budget is spent. Each triple is read by `perspective.rs`.

use super::binarize::Bits;
use super::finder::{Finder, find_near};
use super::geometry::Pt;
use super::perspective::decode_triple;
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

/// The most finder candidates kept per view: beyond the strongest
/// [`MAX_FINDERS`], the others are combined with their nearest neighbours
/// only, once a code was read and every code is wanted (a sheet of labels:
/// three finders a code).
pub(crate) const MAX_KEPT: usize = 240;

/// Neighbours of a finder combined into local triples.
const LOCAL_NEIGHBOURS: usize = 6;

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

/// Triples tried after a code was read, before giving up on finding another
/// (counted again from each code read).
const MAX_TRIPLES_AFTER_A_READ: usize = 12;

/// The same when every code is wanted: triples across two codes of a sheet
/// (their finders make right angles too) come between its codes' own.
const MAX_TRIPLES_AFTER_A_READ_EVERY: usize = 48;

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
    let top = finders
        .get(..MAX_FINDERS.min(finders.len()))
        .unwrap_or_default();
    let all = triples(top);
    let end = skip.saturating_add(take).min(all.len());
    let mut reading = Reading {
        used: vec![false; finders.len()],
        out: Vec::new(),
        min_count: 0,
    };
    let after_a_read = if budget.every() {
        MAX_TRIPLES_AFTER_A_READ_EVERY
    } else {
        MAX_TRIPLES_AFTER_A_READ
    };
    let mut extra_triples = after_a_read;
    let mut next = skip;
    for t in all.iter().take(end).skip(skip) {
        if budget.exhausted() || extra_triples == 0 {
            break;
        }
        next += 1;
        match reading.try_triple(bits, finders, t, budget) {
            Tried::Skipped => {}
            Tried::Read => extra_triples = after_a_read,
            Tried::Failed if !reading.out.is_empty() => extra_triples -= 1,
            Tried::Failed => {}
        }
    }
    // Every code wanted and one read: the finders beyond the strongest
    // few, each with its nearest neighbours (a sheet of labels).
    if budget.every() && !reading.out.is_empty() && finders.len() > top.len() {
        let local = local_triples(finders, &reading.used, reading.min_count);
        budget.note(|| format!("  {} local triples", local.len()));
        let mut extra_triples = after_a_read;
        for t in &local {
            if budget.exhausted() || extra_triples == 0 {
                break;
            }
            match reading.try_triple(bits, finders, t, budget) {
                Tried::Skipped => {}
                Tried::Read => extra_triples = after_a_read,
                Tried::Failed => extra_triples -= 1,
            }
        }
    }
    if !reading.out.is_empty() {
        return Decoded {
            found: reading.out,
            resume_at: None,
        };
    }
    if next < all.len() {
        return Decoded {
            found: Vec::new(),
            resume_at: Some(next),
        };
    }
    Decoded {
        found: complete_strong_pairs(bits, finders, budget)
            .into_iter()
            .collect(),
        resume_at: None,
    }
}

/// The codes read so far from a view's triples.
struct Reading {
    /// Finders that belong to a code read.
    used: Vec<bool>,
    out: Vec<Located>,
    /// Once a code is read, the frame is known to be readable: another code
    /// in it is looked for only among finders confirmed by at least a
    /// quarter as many scan lines as the weakest finder of the codes read
    /// (about half the module size). Without this, a busy background's
    /// finder-like blobs cost more than the code itself.
    min_count: u32,
}

/// What became of a triple.
enum Tried {
    /// Not tried: a finder of it belongs to a code read, or is too weak.
    Skipped,
    Failed,
    Read,
}

impl Reading {
    fn try_triple(
        &mut self,
        bits: &Bits,
        finders: &[Finder],
        t: &Triple,
        budget: &mut Budget,
    ) -> Tried {
        let is_used = |i: usize| self.used.get(i).copied().unwrap_or(true);
        if is_used(t.tl) || is_used(t.tr) || is_used(t.bl) {
            return Tried::Skipped;
        }
        let (Some(tl), Some(tr), Some(bl)) =
            (finders.get(t.tl), finders.get(t.tr), finders.get(t.bl))
        else {
            return Tried::Skipped;
        };
        if tl.count.min(tr.count).min(bl.count) < self.min_count {
            return Tried::Skipped;
        }
        let Some(found) = decode_triple(bits, tl, tr, bl, budget) else {
            return Tried::Failed;
        };
        let weakest = tl.count.min(tr.count).min(bl.count);
        let bar = (weakest / 4).max(3);
        self.min_count = if self.out.is_empty() {
            bar
        } else {
            self.min_count.min(bar)
        };
        for i in [t.tl, t.tr, t.bl] {
            if let Some(u) = self.used.get_mut(i) {
                *u = true;
            }
        }
        if !self.out.iter().any(|o| o.payload == found.payload) {
            self.out.push(found);
        }
        budget.refund_read();
        Tried::Read
    }
}

/// Triples of each finder not yet used with its nearest
/// [`LOCAL_NEIGHBOURS`] of the same polarity and about the same module
/// size, best first: linear in the finders where all triples are cubic.
fn local_triples(finders: &[Finder], used: &[bool], min_count: u32) -> Vec<Triple> {
    let free = |i: usize| {
        !used.get(i).copied().unwrap_or(true)
            && finders.get(i).is_some_and(|f| f.count >= min_count)
    };
    let mut keys: Vec<[usize; 3]> = Vec::new();
    for (i, a) in finders.iter().enumerate() {
        if !free(i) {
            continue;
        }
        let mut near: Vec<(f32, usize)> = finders
            .iter()
            .enumerate()
            .filter(|&(j, b)| {
                j != i
                    && free(j)
                    && b.dark == a.dark
                    && a.module.max(b.module) < 2.0 * a.module.min(b.module)
                    && a.distance(b) <= 190.0 * a.module.max(b.module)
            })
            .map(|(j, b)| (a.distance(b), j))
            .collect();
        near.sort_by(|x, y| x.0.total_cmp(&y.0));
        near.truncate(LOCAL_NEIGHBOURS);
        for (x, &(_, j)) in near.iter().enumerate() {
            for &(_, k) in near.iter().skip(x + 1) {
                let mut key = [i, j, k];
                key.sort_unstable();
                keys.push(key);
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut out: Vec<Triple> = keys.into_iter().flat_map(|k| triple(finders, k)).collect();
    out.sort_by(|a, b| a.score.total_cmp(&b.score));
    out
}

/// The last resort of a view, once its triples are tried or given up: pairs
/// of its strongest finders completed with a third where a square code
/// would put it.
pub(crate) fn complete_strong_pairs(
    bits: &Bits,
    finders: &[Finder],
    budget: &mut Budget,
) -> Option<Located> {
    let strong: Vec<Finder> = finders
        .iter()
        .filter(|f| f.count >= 3)
        .take(MAX_PAIR_FINDERS)
        .copied()
        .collect();
    complete_pairs(bits, &strong, budget)
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

impl From<Pt> for Point {
    fn from(p: Pt) -> Self {
        Point { x: p.x, y: p.y }
    }
}

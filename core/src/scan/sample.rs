//! Reading every module of a grid through its homography: from the binary
//! image, the grey image, or against each module's neighbourhood; and the
//! modules too flat to read, for erasure decoding.

use super::binarize::Bits;
use super::decode::Sampled;
use super::geometry::{Homography, Pt};

/// A module whose 3 × 3 neighbourhood spans fewer grey levels than this is
/// taken as unreadable (burnt out by glare, covered): a code's own modules
/// differ far more, except where nine of them happen to share a colour,
/// and erasing a right module costs only one parity codeword.
const FLAT_RANGE: f32 = 12.0;

/// How a module's colour is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sampling {
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
pub(super) fn sample(
    bits: &Bits,
    h: &Homography,
    dim: usize,
    dark: bool,
    how: Sampling,
) -> Option<Sampled> {
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

//! Finder patterns: the three 7×7 squares in a QR code's corners, found as
//! runs of 1:1:3:1:1 modules on a row, confirmed on the column and the row
//! through their centre. Both polarities (dark-on-light and light-on-dark
//! codes) are found in the same pass.

use super::binarize::Bits;

/// A finder pattern candidate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Finder {
    pub x: f32,
    pub y: f32,
    /// Estimated module size in pixels.
    pub module: f32,
    /// How many scan lines confirmed it.
    pub count: u32,
    /// Whether the pattern's centre is dark (a normal code) or light (inverted).
    pub dark: bool,
}

impl Finder {
    pub fn distance(&self, other: &Finder) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// Whether five run lengths look like 1:1:3:1:1.
fn is_pattern(runs: &[usize; 5]) -> bool {
    let total: usize = runs.iter().sum();
    if total < 7 || runs.contains(&0) {
        return false;
    }
    let module = total as f32 / 7.0;
    let tolerance = module / 2.0;
    let [a, b, c, d, e] = runs.map(|r| r as f32);
    (module - a).abs() < tolerance
        && (module - b).abs() < tolerance
        && (3.0 * module - c).abs() < 3.0 * tolerance
        && (module - d).abs() < tolerance
        && (module - e).abs() < tolerance
}

/// Counts the pattern along a line through (x, y) in direction (dx, dy),
/// returning the centre offset along the line and the pattern's total length,
/// or `None` if the line does not cross a 1:1:3:1:1 pattern of colour `dark`.
fn cross_check(
    bits: &Bits,
    x: usize,
    y: usize,
    dx: isize,
    dy: isize,
    dark: bool,
    max_run: usize,
) -> Option<(f32, usize)> {
    let inside = |i: isize| -> Option<bool> {
        let (px, py) = (x as isize + dx * i, y as isize + dy * i);
        if px < 0 || py < 0 || px as usize >= bits.w || py as usize >= bits.h {
            return None;
        }
        Some(bits.dark(px as usize, py as usize) == dark)
    };
    if inside(0) != Some(true) {
        return None;
    }
    // The length of the run of `want` starting at `from` going in `step`.
    let run = |from: isize, step: isize, want: bool| -> Option<usize> {
        let mut n = 0usize;
        while inside(from + step * n as isize) == Some(want) {
            n += 1;
            if n > max_run {
                return None;
            }
        }
        Some(n)
    };
    // Backwards from the centre: centre part, ring, outer part; then forwards.
    let back_centre = run(0, -1, true)?;
    let back_ring = run(-(back_centre as isize), -1, false)?;
    let back_outer = run(-((back_centre + back_ring) as isize), -1, true)?;
    let fwd_centre = run(1, 1, true)?;
    let fwd_ring = run(1 + fwd_centre as isize, 1, false)?;
    let fwd_outer = run(1 + (fwd_centre + fwd_ring) as isize, 1, true)?;
    let runs = [
        back_outer,
        back_ring,
        back_centre + fwd_centre,
        fwd_ring,
        fwd_outer,
    ];
    let start = -((back_centre + back_ring + back_outer) as isize) + 1;
    if !is_pattern(&runs) {
        return None;
    }
    let total: usize = runs.iter().sum();
    let centre_start = start + (back_outer + back_ring) as isize;
    let centre = centre_start as f32 + (back_centre + fwd_centre) as f32 / 2.0;
    Some((centre, total))
}

/// Finds finder pattern candidates, at most `max` distinct ones (the rest of
/// the image is still scanned to confirm those already found).
pub(crate) fn find(bits: &Bits, max: usize) -> Vec<Finder> {
    let mut found: Vec<Finder> = Vec::new();
    for y in 0..bits.h {
        let row = bits.row(y);
        let mut runs = [0usize; 5];
        let mut colours = [false; 5];
        let mut filled = 0usize;
        let mut current = row.first().is_some_and(|&b| b != 0);
        let mut length = 0usize;
        for (x, &b) in row
            .iter()
            .enumerate()
            .chain(std::iter::once((row.len(), &2u8)))
        {
            let colour = b == 1;
            if b != 2 && colour == current {
                length += 1;
                continue;
            }
            // A run of `current` of `length` ended just before x.
            runs.rotate_left(1);
            colours.rotate_left(1);
            runs[4] = length;
            colours[4] = current;
            filled = (filled + 1).min(5);
            if filled == 5 && is_pattern(&runs) {
                let dark = colours[2];
                let end = x;
                let centre_x = end as f32 - runs[4] as f32 - runs[3] as f32 - runs[2] as f32 / 2.0;
                let total: usize = runs.iter().sum();
                consider(bits, &mut found, max, centre_x, y, total, runs[2], dark);
            }
            current = colour;
            length = 1;
        }
    }
    found
}

#[allow(clippy::too_many_arguments)]
fn consider(
    bits: &Bits,
    found: &mut Vec<Finder>,
    max: usize,
    cx: f32,
    y: usize,
    h_total: usize,
    centre_run: usize,
    dark: bool,
) {
    let max_run = centre_run.saturating_mul(2).max(4);
    let x = cx as usize;
    let Some((cy, v_total)) = cross_check(bits, x, y, 0, 1, dark, max_run) else {
        return;
    };
    let ry = (y as f32 + cy).max(0.0) as usize;
    // The column must agree with the row on the pattern's size.
    let (h, v) = (h_total as f32, v_total as f32);
    if (h - v).abs() > 0.4 * h.max(v) {
        return;
    }
    // Re-centre along the row through the column's centre.
    let Some((cx2, h2)) = cross_check(bits, x, ry, 1, 0, dark, max_run) else {
        return;
    };
    let fx = x as f32 + cx2;
    let fy = ry as f32 + 0.5;
    // The diagonal must cross the pattern too (rejects text and hatching).
    if cross_check(bits, fx as usize, ry, 1, 1, dark, max_run * 2).is_none() {
        return;
    }
    let module = (h2 as f32 + v) / 14.0;
    for f in found.iter_mut() {
        if f.dark == dark
            && (f.x - fx).abs() <= module.max(f.module)
            && (f.y - fy).abs() <= module.max(f.module)
            && (f.module / module) < 2.0
            && (module / f.module) < 2.0
        {
            let n = f.count as f32;
            f.x = (f.x * n + fx) / (n + 1.0);
            f.y = (f.y * n + fy) / (n + 1.0);
            f.module = (f.module * n + module) / (n + 1.0);
            f.count += 1;
            return;
        }
    }
    if found.len() < max {
        found.push(Finder {
            x: fx,
            y: fy,
            module,
            count: 1,
            dark,
        });
    }
}

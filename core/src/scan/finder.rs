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

/// Whether five run lengths look like 1:1:3:1:1. Blur and thresholding
/// grow one colour at the expense of the other: dark runs gain what light
/// runs lose, so each one-module run may be far from a module, while the
/// sum of each outer run and its neighbouring ring stays two modules and
/// the module (the mean of the four one-module runs) stays exact. The
/// centre may then be anywhere from about two to four modules.
fn is_pattern(runs: &[usize; 5]) -> bool {
    let [a, b, c, d, e] = runs.map(|r| r as f32);
    if a == 0.0 || b == 0.0 || c == 0.0 || d == 0.0 || e == 0.0 {
        return false;
    }
    let module = (a + b + d + e) / 4.0;
    module >= 1.0
        && ((a + b) - 2.0 * module).abs() < module
        && ((d + e) - 2.0 * module).abs() < module
        && [a, b, d, e].iter().all(|&r| r < 2.0 * module)
        && (2.0 * module..=4.2 * module).contains(&c)
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

/// The runs of equal bytes of a row of 0/1 bytes, left to right, as (end,
/// dark, length): the run covers `end - length..end`. Uniform stretches are
/// skipped eight bytes at a time (most of a frame is background).
fn runs_of(row: &[u8]) -> impl Iterator<Item = (usize, bool, usize)> + '_ {
    let mut x = 0usize;
    std::iter::from_fn(move || {
        let value = *row.get(x)?;
        let start = x;
        let pattern = u64::from_ne_bytes([value; 8]);
        let rest = row.get(x..).unwrap_or_default();
        let mut skipped = 0usize;
        for chunk in rest.chunks_exact(8) {
            if <[u8; 8]>::try_from(chunk).map_or(!pattern, u64::from_ne_bytes) != pattern {
                break;
            }
            skipped += 8;
        }
        let tail = rest.get(skipped..).unwrap_or_default();
        x += skipped + tail.iter().position(|&b| b != value).unwrap_or(tail.len());
        Some((x, value != 0, x - start))
    })
}

/// Finds finder pattern candidates and returns the `keep` most confirmed
/// (at most `max` are tracked, so a frame full of texture costs bounded
/// work). Candidates merge only with those seen on recent rows, so the
/// work per detection does not grow with the size of the frame.
pub(crate) fn find(bits: &Bits, max: usize, keep: usize) -> Vec<Finder> {
    let mut active: Vec<Finder> = Vec::new();
    let mut done: Vec<Finder> = Vec::new();
    let mut tracked = 0usize;
    let step = if bits.h > 800 { 2 } else { 1 };
    for y in (0..bits.h).step_by(step) {
        // Retire candidates whose pattern ended above this row.
        let mut i = 0;
        while i < active.len() {
            let f = active.get(i).copied();
            if let Some(f) = f.filter(|f| y as f32 > f.y + 4.0 * f.module + 2.0) {
                done.push(f);
                active.swap_remove(i);
            } else {
                i += 1;
            }
        }
        let mut runs = [0usize; 5];
        let mut colours = [false; 5];
        let mut filled = 0usize;
        for (x, current, length) in runs_of(bits.row(y)) {
            // A run of `current` of `length` ended just before x.
            runs.rotate_left(1);
            colours.rotate_left(1);
            runs[4] = length;
            colours[4] = current;
            filled = (filled + 1).min(5);
            if filled == 5 && is_pattern(&runs) {
                let dark = colours[2];
                let centre_x = x as f32 - runs[4] as f32 - runs[3] as f32 - runs[2] as f32 / 2.0;
                let total: usize = runs.iter().sum();
                if let Some(mut candidate) = confirm(bits, centre_x, y, total, runs[2], dark) {
                    candidate.count *= step as u32;
                    let merged = merge(&mut active, candidate);
                    if !merged && tracked < max {
                        active.push(candidate);
                        tracked += 1;
                    }
                }
            }
        }
    }
    done.extend(active);
    select(done, keep)
}

/// The `keep` best candidates: confirmed by more than one scan line when
/// there are enough of those, strongest first.
fn select(mut all: Vec<Finder>, keep: usize) -> Vec<Finder> {
    all.sort_by_key(|f| std::cmp::Reverse(f.count));
    let confirmed = all.iter().filter(|f| f.count >= 2).count();
    if confirmed >= 3 {
        all.truncate(confirmed);
    }
    all.truncate(keep);
    all
}

/// Merges `c` into a nearby candidate of the same polarity and size.
fn merge(active: &mut [Finder], c: Finder) -> bool {
    for f in active.iter_mut() {
        if f.dark == c.dark
            && (f.x - c.x).abs() <= c.module.max(f.module)
            && (f.y - c.y).abs() <= c.module.max(f.module)
            && (f.module / c.module) < 2.0
            && (c.module / f.module) < 2.0
        {
            let (n, w) = (f.count as f32, c.count as f32);
            f.x = (f.x * n + c.x * w) / (n + w);
            f.y = (f.y * n + c.y * w) / (n + w);
            f.module = (f.module * n + c.module * w) / (n + w);
            f.count += c.count;
            return true;
        }
    }
    false
}

/// Confirms a row hit on the column and the row through its centre; the
/// diagonal weighs it.
fn confirm(
    bits: &Bits,
    cx: f32,
    y: usize,
    h_total: usize,
    centre_run: usize,
    dark: bool,
) -> Option<Finder> {
    let max_run = centre_run.saturating_mul(2).max(4);
    let x = cx as usize;
    let (cy, v_total) = cross_check(bits, x, y, 0, 1, dark, max_run)?;
    let ry = (y as f32 + cy).max(0.0) as usize;
    // The column must roughly agree with the row on the pattern's size; a
    // strongly tilted code foreshortens one of them (up to 2.5 times).
    let (h, v) = (h_total as f32, v_total as f32);
    if h.max(v) > 2.5 * h.min(v) {
        return None;
    }
    // Re-centre along the row through the column's centre.
    let (cx2, h2) = cross_check(bits, x, ry, 1, 0, dark, max_run)?;
    let fx = x as f32 + cx2;
    let fy = ry as f32 + 0.5;
    // A pattern the diagonal also crosses is more likely a finder (text and
    // hatching rarely pass); rotated patterns with rounded corners may not,
    // so it weighs the candidate instead of rejecting it.
    let weight = if cross_check(bits, fx as usize, ry, 1, 1, dark, max_run * 2).is_some() {
        2
    } else {
        1
    };
    let module = (h2 as f32 + v) / 14.0;
    Some(Finder {
        x: fx,
        y: fy,
        module,
        count: weight,
        dark,
    })
}

/// The finder pattern candidate of polarity `dark` closest to (`x`, `y`)
/// within `radius` pixels, scanning only that window (to complete a pair of
/// finders whose third pattern the full scan missed).
pub(crate) fn find_near(bits: &Bits, x: f32, y: f32, radius: f32, dark: bool) -> Option<Finder> {
    if !x.is_finite() || !y.is_finite() {
        return None;
    }
    let (x0, x1) = (
        (x - radius).max(0.0) as usize,
        ((x + radius).max(0.0) as usize).min(bits.w),
    );
    let (y0, y1) = (
        (y - radius).max(0.0) as usize,
        ((y + radius).max(0.0) as usize).min(bits.h),
    );
    let mut best: Option<(f32, Finder)> = None;
    for row in y0..y1 {
        let line = bits.row(row).get(x0..x1).unwrap_or_default();
        let mut runs = [0usize; 5];
        let mut colours = [false; 5];
        let mut filled = 0usize;
        for (i, current, length) in runs_of(line) {
            runs.rotate_left(1);
            colours.rotate_left(1);
            runs[4] = length;
            colours[4] = current;
            filled = (filled + 1).min(5);
            if filled == 5 && colours[2] == dark && is_pattern(&runs) {
                let cx = (x0 + i) as f32 - runs[4] as f32 - runs[3] as f32 - runs[2] as f32 / 2.0;
                let total: usize = runs.iter().sum();
                if let Some(f) = confirm(bits, cx, row, total, runs[2], dark) {
                    let dist = (f.x - x).hypot(f.y - y);
                    if dist <= radius && best.is_none_or(|(d, _)| dist < d) {
                        best = Some((dist, f));
                    }
                }
            }
        }
    }
    best.map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::runs_of;

    /// The runs as a byte-at-a-time walk finds them.
    fn naive(row: &[u8]) -> Vec<(usize, bool, usize)> {
        let mut out: Vec<(usize, bool, usize)> = Vec::new();
        for (x, &b) in row.iter().enumerate() {
            match out.last_mut() {
                Some((end, dark, len)) if *dark == (b != 0) => {
                    *end = x + 1;
                    *len += 1;
                }
                _ => out.push((x + 1, b != 0, 1)),
            }
        }
        out
    }

    #[test]
    fn runs_match_a_byte_at_a_time_walk() {
        let mut rows: Vec<Vec<u8>> = vec![vec![], vec![0], vec![1], vec![1; 8], vec![0; 17]];
        // Runs of every length from 1 to 20 around the eight-byte steps.
        let mut state = 7u32;
        for _ in 0..200 {
            let mut row = Vec::new();
            let mut colour = 0u8;
            while row.len() < 90 {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                row.extend(std::iter::repeat_n(colour, (state >> 16) as usize % 20 + 1));
                colour ^= 1;
            }
            rows.push(row);
        }
        for row in rows {
            assert_eq!(runs_of(&row).collect::<Vec<_>>(), naive(&row), "{row:?}");
        }
    }
}

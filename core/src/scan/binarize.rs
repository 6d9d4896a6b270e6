//! Local-threshold binarization: each 8×8 block is thresholded at the mean
//! brightness of its 5×5-block neighbourhood, which follows uneven lighting,
//! glare gradients and vignetting that a global threshold cannot.

use super::gray::Gray;

const BLOCK: usize = 8;
/// Blocks whose brightness range is below this are treated as flat.
const MIN_RANGE: u8 = 24;

/// A binary image: 1 = dark, 0 = light; with the grey image and the block
/// thresholds it came from, so the sampler can read modules with sub-pixel
/// precision.
#[derive(Debug, Clone)]
pub(crate) struct Bits {
    pub w: usize,
    pub h: usize,
    pub data: Vec<u8>,
    gray: Vec<u8>,
    thresholds: Vec<u32>,
    bw: usize,
    bh: usize,
}

impl Bits {
    /// Whether (x, y) is dark; outside the image counts as light.
    #[inline]
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.w && self.data.get(y * self.w + x).is_some_and(|&b| b != 0)
    }

    /// Whether the grey level at sub-pixel position (x, y) is at or below
    /// the local threshold (bilinear in both the image and the thresholds).
    pub fn dark_at(&self, x: f32, y: f32) -> Option<bool> {
        self.contrast_at(x, y).map(|c| c >= 0.0)
    }

    /// The grey level at sub-pixel position (x, y), interpolated.
    pub fn gray_at(&self, x: f32, y: f32) -> Option<f32> {
        if !(x >= 0.0 && y >= 0.0 && x < self.w as f32 && y < self.h as f32) {
            return None;
        }
        Some(bilinear(x - 0.5, y - 0.5, self.w, self.h, |i, j| {
            self.gray.get(j * self.w + i).map(|&v| f32::from(v))
        }))
    }

    /// How far below the local threshold the grey level at sub-pixel
    /// position (x, y) is (positive: darker than the threshold).
    pub fn contrast_at(&self, x: f32, y: f32) -> Option<f32> {
        if !(x >= 0.0 && y >= 0.0 && x < self.w as f32 && y < self.h as f32) {
            return None;
        }
        let value = bilinear(x - 0.5, y - 0.5, self.w, self.h, |i, j| {
            self.gray.get(j * self.w + i).map(|&v| f32::from(v))
        });
        let half = BLOCK as f32 / 2.0;
        let threshold = bilinear(
            (x - half) / BLOCK as f32,
            (y - half) / BLOCK as f32,
            self.bw,
            self.bh,
            |i, j| self.thresholds.get(j * self.bw + i).map(|&v| v as f32),
        );
        Some(threshold - value)
    }

    /// The row `y` as 0/1 bytes.
    #[inline]
    pub fn row(&self, y: usize) -> &[u8] {
        self.data
            .get(y * self.w..(y + 1) * self.w)
            .unwrap_or_default()
    }
}

/// Bilinear interpolation of `at` (defined on a `w × h` grid) at (x, y),
/// clamped to the grid.
fn bilinear(x: f32, y: f32, w: usize, h: usize, at: impl Fn(usize, usize) -> Option<f32>) -> f32 {
    let x = x.clamp(0.0, (w.max(1) - 1) as f32);
    let y = y.clamp(0.0, (h.max(1) - 1) as f32);
    // Both are clamped to at least 0, so truncation is the floor (and
    // needs no libm call where SSE4.1 is not assumed).
    let (x0, y0) = (x as usize, y as usize);
    let (x1, y1) = ((x0 + 1).min(w.max(1) - 1), (y0 + 1).min(h.max(1) - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let v = |i, j| at(i, j).unwrap_or(0.0);
    let top = v(x0, y0) * (1.0 - fx) + v(x1, y0) * fx;
    let bottom = v(x0, y1) * (1.0 - fx) + v(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

pub(crate) fn binarize(gray: Gray) -> Bits {
    let (w, h) = (gray.w, gray.h);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let averages = block_averages(&gray.px, w, h, bw, bh);
    let thresholds = neighbourhood_means(&averages, bw, bh);

    // Row by row, eight pixels per block threshold: long, branch-free
    // loops the compiler vectorises.
    let mut data = vec![0u8; w * h];
    if w > 0 {
        for (y, (dst, src)) in data
            .chunks_exact_mut(w)
            .zip(gray.px.chunks_exact(w))
            .enumerate()
        {
            let row = thresholds
                .get((y / BLOCK) * bw..(y / BLOCK + 1) * bw)
                .unwrap_or_default();
            for ((d, s), &t) in dst.chunks_mut(BLOCK).zip(src.chunks(BLOCK)).zip(row) {
                let t = t.min(255) as u8;
                for (d, &p) in d.iter_mut().zip(s) {
                    *d = u8::from(p <= t);
                }
            }
        }
    }
    Bits {
        w,
        h,
        data,
        gray: gray.px,
        thresholds,
        bw,
        bh,
    }
}

/// Each block's mean brightness; a flat block (range at most `MIN_RANGE`)
/// is assumed light unless its neighbours above and to the left show that
/// it is darker.
fn block_averages(px: &[u8], w: usize, h: usize, bw: usize, bh: usize) -> Vec<u32> {
    let mut averages = vec![0u32; bw * bh];
    // Per column over the block's rows first (element-wise: vectorised),
    // then per block over its columns.
    let (mut col_lo, mut col_hi, mut col_sum) = (vec![0u8; w], vec![0u8; w], vec![0u16; w]);
    for by in 0..bh {
        col_lo.fill(u8::MAX);
        col_hi.fill(0);
        col_sum.fill(0);
        let rows = px
            .get(by * BLOCK * w..((by + 1) * BLOCK).min(h) * w)
            .unwrap_or_default();
        for row in rows.chunks_exact(w.max(1)) {
            for (((l, r), s), &p) in col_lo
                .iter_mut()
                .zip(col_hi.iter_mut())
                .zip(col_sum.iter_mut())
                .zip(row)
            {
                *l = (*l).min(p);
                *r = (*r).max(p);
                *s += u16::from(p);
            }
        }
        let block_h = (((by + 1) * BLOCK).min(h) - by * BLOCK) as u32;
        for (bx, ((cl, cr), cs)) in col_lo
            .chunks(BLOCK)
            .zip(col_hi.chunks(BLOCK))
            .zip(col_sum.chunks(BLOCK))
            .enumerate()
        {
            let l = cl.iter().fold(u8::MAX, |a, &p| a.min(p));
            let r = cr.iter().fold(0, |a, &p| a.max(p));
            let s: u32 = cs.iter().map(|&p| u32::from(p)).sum();
            let count = (cl.len() as u32 * block_h).max(1);
            let mut average = s / count;
            if r.saturating_sub(l) <= MIN_RANGE {
                average = u32::from(l) / 2;
                if by > 0 && bx > 0 {
                    let at = |x: usize, y: usize| averages.get(y * bw + x).copied().unwrap_or(0);
                    let neighbours = (at(bx, by - 1) + 2 * at(bx - 1, by) + at(bx - 1, by - 1)) / 4;
                    if u32::from(l) < neighbours {
                        average = neighbours;
                    }
                }
            }
            if let Some(slot) = averages.get_mut(by * bw + bx) {
                *slot = average;
            }
        }
    }
    averages
}

/// Each block's threshold: the mean of the block averages in its 5×5
/// neighbourhood, shifted inwards at the edges (sums of five along rows,
/// then five of those along columns).
fn neighbourhood_means(averages: &[u32], bw: usize, bh: usize) -> Vec<u32> {
    // The first block of the window around block `i` of `n`, and its length.
    let window = |i: usize, n: usize| {
        let c = i.clamp(2.min(n - 1), n.saturating_sub(3).max(2.min(n - 1)));
        let start = c.saturating_sub(2);
        (start, (c + 3).min(n) - start)
    };
    let mut across = vec![0u32; bw * bh];
    for by in 0..bh {
        let row = averages.get(by * bw..(by + 1) * bw).unwrap_or_default();
        for bx in 0..bw {
            let (start, len) = window(bx, bw);
            if let Some(slot) = across.get_mut(by * bw + bx) {
                *slot = row.iter().skip(start).take(len).sum();
            }
        }
    }
    let mut thresholds = vec![0u32; bw * bh];
    for by in 0..bh {
        let (start, len) = window(by, bh);
        for bx in 0..bw {
            let n = (len * window(bx, bw).1).max(1) as u32;
            let sum: u32 = (start..start + len)
                .map(|y| across.get(y * bw + bx).copied().unwrap_or(0))
                .sum();
            if let Some(t) = thresholds.get_mut(by * bw + bx) {
                *t = sum / n;
            }
        }
    }
    thresholds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The separable sums give the plain 5×5 mean (window shifted inwards
    /// at the edges, clipped on grids narrower than five blocks).
    #[test]
    fn neighbourhood_means_match_the_direct_mean() {
        for (bw, bh) in [(1, 1), (1, 6), (2, 3), (4, 4), (5, 5), (7, 3), (9, 8)] {
            let averages: Vec<u32> = (0..bw * bh).map(|i| (i as u32 * 37 + 11) % 256).collect();
            let got = neighbourhood_means(&averages, bw, bh);
            for by in 0..bh {
                for bx in 0..bw {
                    let (x0, y0) = (
                        bx.clamp(2, bw.max(5) - 3) - 2,
                        by.clamp(2, bh.max(5) - 3) - 2,
                    );
                    let (xs, ys) = (x0..(x0 + 5).min(bw), y0..(y0 + 5).min(bh));
                    let n = (xs.len() * ys.len()) as u32;
                    let sum: u32 = ys
                        .flat_map(|y| xs.clone().map(move |x| y * bw + x))
                        .map(|i| averages[i])
                        .sum();
                    assert_eq!(got[by * bw + bx], sum / n, "block ({bx},{by}) of {bw}×{bh}");
                }
            }
        }
    }

    /// A dark square on a light page: dark inside, light around, at any
    /// size (blocks cut by the right and bottom edges included).
    #[test]
    fn a_dark_square_binarises_dark() {
        for (w, h) in [(40, 40), (43, 37), (9, 70)] {
            let px: Vec<u8> = (0..w * h)
                .map(|i| {
                    let (x, y) = (i % w, i / w);
                    if (w / 4..w / 2).contains(&x) && (h / 4..h / 2).contains(&y) {
                        20
                    } else {
                        230
                    }
                })
                .collect();
            let bits = binarize(Gray { w, h, px });
            for y in 0..h {
                for x in 0..w {
                    let inside = (w / 4..w / 2).contains(&x) && (h / 4..h / 2).contains(&y);
                    assert_eq!(bits.dark(x, y), inside, "({x},{y}) of {w}×{h}");
                }
            }
        }
    }
}

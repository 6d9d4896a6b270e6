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
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
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
    let mut averages = vec![0u32; bw * bh];

    for by in 0..bh {
        for bx in 0..bw {
            let (x0, y0) = (bx * BLOCK, by * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(w), (y0 + BLOCK).min(h));
            let (mut lo, mut hi, mut sum) = (u8::MAX, 0u8, 0u32);
            for y in y0..y1 {
                let row = gray.px.get(y * w + x0..y * w + x1).unwrap_or_default();
                for &p in row {
                    lo = lo.min(p);
                    hi = hi.max(p);
                    sum += u32::from(p);
                }
            }
            let count = ((x1 - x0) * (y1 - y0)).max(1) as u32;
            let mut average = sum / count;
            if hi - lo <= MIN_RANGE {
                // A flat block: assume it is light (background or a light
                // module area) unless its neighbours show it is darker.
                average = u32::from(lo) / 2;
                if by > 0 && bx > 0 {
                    let at = |x: usize, y: usize| averages.get(y * bw + x).copied().unwrap_or(0);
                    let neighbours = (at(bx, by - 1) + 2 * at(bx - 1, by) + at(bx - 1, by - 1)) / 4;
                    if u32::from(lo) < neighbours {
                        average = neighbours;
                    }
                }
            }
            if let Some(slot) = averages.get_mut(by * bw + bx) {
                *slot = average;
            }
        }
    }

    let mut data = vec![0u8; w * h];
    let mut thresholds = vec![0u32; bw * bh];
    for by in 0..bh {
        // The 5×5 neighbourhood, shifted inwards at the edges.
        let cy = by.clamp(2.min(bh - 1), bh.saturating_sub(3).max(2.min(bh - 1)));
        for bx in 0..bw {
            let cx = bx.clamp(2.min(bw - 1), bw.saturating_sub(3).max(2.min(bw - 1)));
            let (mut sum, mut n) = (0u32, 0u32);
            for ny in cy.saturating_sub(2)..(cy + 3).min(bh) {
                for nx in cx.saturating_sub(2)..(cx + 3).min(bw) {
                    sum += averages.get(ny * bw + nx).copied().unwrap_or(0);
                    n += 1;
                }
            }
            let threshold = sum / n.max(1);
            if let Some(t) = thresholds.get_mut(by * bw + bx) {
                *t = threshold;
            }
            let (x0, y0) = (bx * BLOCK, by * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(w), (y0 + BLOCK).min(h));
            for y in y0..y1 {
                let src = gray.px.get(y * w + x0..y * w + x1).unwrap_or_default();
                let dst = data.get_mut(y * w + x0..y * w + x1).unwrap_or_default();
                for (d, &p) in dst.iter_mut().zip(src) {
                    *d = u8::from(u32::from(p) <= threshold);
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

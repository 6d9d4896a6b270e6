//! One-channel views of a frame: luma, or a colour projection for mosaics
//! whose colours differ in hue more than in brightness.

use super::frame::Frame;

/// An 8-bit single-channel image, row-major, no padding.
#[derive(Debug, Clone)]
pub(crate) struct Gray {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

/// Which channel combination to read the code from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Projection {
    /// BT.601 luma: what every QR reader uses.
    Luma,
    /// Blue-difference chroma (Cb): blue/yellow contrast.
    U,
    /// Red-difference chroma (Cr): red/green and blue/purple contrast.
    V,
    /// Cb + Cr: magenta/green contrast.
    UPlusV,
    /// Cb − Cr: blue/orange, teal/orange contrast.
    UMinusV,
    /// Saturation (max − min of R, G, B): pastel on white or grey.
    Saturation,
}

impl Projection {
    /// The colour projections, in the order they are tried.
    pub const COLOUR: [Projection; 5] = [
        Projection::V,
        Projection::U,
        Projection::UMinusV,
        Projection::UPlusV,
        Projection::Saturation,
    ];

    fn value(self, frame: &Frame<'_>, x: usize, y: usize) -> u8 {
        match self {
            Self::Luma => frame.yuv(x, y).0,
            Self::U => frame.yuv(x, y).1,
            Self::V => frame.yuv(x, y).2,
            Self::UPlusV => {
                let (_, u, v) = frame.yuv(x, y);
                ((u16::from(u) + u16::from(v)) / 2) as u8
            }
            Self::UMinusV => {
                let (_, u, v) = frame.yuv(x, y);
                ((i16::from(u) - i16::from(v)) / 2 + 128) as u8
            }
            Self::Saturation => {
                let (r, g, b) = frame.rgb(x, y);
                r.max(g).max(b) - r.min(g).min(b)
            }
        }
    }
}

/// Projects `frame` to one channel, shrinking it by `scale` (1, 2, 3, …:
/// each output pixel averages a `scale × scale` block; shrinking averages
/// away sensor noise and screen moiré and bounds the work on huge frames).
pub(crate) fn project(frame: &Frame<'_>, projection: Projection, scale: usize) -> Gray {
    let scale = scale.max(1);
    let (w, h) = (frame.width() / scale, frame.height() / scale);
    let (w, h) = (w.max(1), h.max(1));
    let mut px = Vec::with_capacity(w * h);
    if scale == 1
        && projection == Projection::Luma
        && let Some(plane) = frame.luma_plane()
    {
        // The luma plane as is: a row copy, no conversion.
        for y in 0..h {
            let row = plane.data.get(y * plane.row_stride..).unwrap_or_default();
            let row = row.get(..w).unwrap_or(row);
            px.extend_from_slice(row);
            px.resize((y + 1) * w, 0);
        }
        return Gray { w, h, px };
    }
    let area = (scale * scale) as u32;
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0u32;
            for dy in 0..scale {
                for dx in 0..scale {
                    sum += u32::from(projection.value(frame, x * scale + dx, y * scale + dy));
                }
            }
            px.push((sum / area) as u8);
        }
    }
    let mut gray = Gray { w, h, px };
    if projection != Projection::Luma {
        stretch(&mut gray);
    }
    gray
}

/// Stretches the 1st..99th percentile of values to the full 0..=255 range, so
/// that a colour difference of a few levels becomes a usable contrast.
fn stretch(gray: &mut Gray) {
    let mut histogram = [0usize; 256];
    for &p in &gray.px {
        if let Some(slot) = histogram.get_mut(usize::from(p)) {
            *slot += 1;
        }
    }
    let total = gray.px.len();
    let percentile = |fraction: usize| {
        let target = total * fraction / 100;
        let mut seen = 0;
        for (value, count) in histogram.iter().enumerate() {
            seen += count;
            if seen > target {
                return value;
            }
        }
        255
    };
    let (lo, hi) = (percentile(1), percentile(99));
    if hi <= lo {
        return;
    }
    let range = (hi - lo) as u32;
    let mut table = [0u8; 256];
    for (v, out) in table.iter_mut().enumerate() {
        let clamped = v.clamp(lo, hi) - lo;
        *out = ((clamped as u32 * 255 + range / 2) / range) as u8;
    }
    for p in &mut gray.px {
        *p = table.get(usize::from(*p)).copied().unwrap_or(*p);
    }
}

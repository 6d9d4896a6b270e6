//! One-channel views of a frame: luma, or a colour projection for mosaics
//! whose colours differ in hue more than in brightness.

use super::frame::{Frame, rgb_to_yuv};

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
    let full = match full_size(frame, projection) {
        Some(g) => g,
        None => generic(frame, projection),
    };
    let mut gray = if scale == 1 {
        full
    } else {
        shrink(&full, scale)
    };
    if projection != Projection::Luma {
        stretch(&mut gray);
    }
    gray
}

/// Whether the frame has enough colour for the colour projections to be
/// worth their cost: the spread of Cb and Cr over a sparse sample of pixels.
/// A grey scene (or a monochrome code under white light) skips them.
pub(crate) fn colourful(frame: &Frame<'_>) -> bool {
    const SPREAD: u8 = 12;
    let (w, h) = (frame.width(), frame.height());
    let step = ((w * h / 4096).max(1) as f64).sqrt().ceil() as usize;
    let (mut u_lo, mut u_hi, mut v_lo, mut v_hi) = (u8::MAX, 0u8, u8::MAX, 0u8);
    for y in (0..h).step_by(step.max(1)) {
        for x in (0..w).step_by(step.max(1)) {
            let (_, u, v) = frame.yuv(x, y);
            u_lo = u_lo.min(u);
            u_hi = u_hi.max(u);
            v_lo = v_lo.min(v);
            v_hi = v_hi.max(v);
            if u_hi - u_lo > SPREAD || v_hi - v_lo > SPREAD {
                return true;
            }
        }
    }
    false
}

/// A `scale`-times smaller image, each pixel the mean of its block.
pub(crate) fn shrink(gray: &Gray, scale: usize) -> Gray {
    let scale = scale.max(1);
    let (w, h) = ((gray.w / scale).max(1), (gray.h / scale).max(1));
    let mut sums = vec![0u32; w];
    let mut px = Vec::with_capacity(w * h);
    let area = (scale * scale) as u32;
    for y in 0..h {
        sums.iter_mut().for_each(|s| *s = 0);
        for dy in 0..scale {
            let row = gray.px.get((y * scale + dy) * gray.w..).unwrap_or_default();
            for (x, sum) in sums.iter_mut().enumerate() {
                for dx in 0..scale {
                    *sum += u32::from(row.get(x * scale + dx).copied().unwrap_or(0));
                }
            }
        }
        px.extend(sums.iter().map(|s| (s / area) as u8));
    }
    Gray { w, h, px }
}

/// The common projections of the common layouts, a row at a time (this
/// runs on every pixel of every frame).
fn full_size(frame: &Frame<'_>, projection: Projection) -> Option<Gray> {
    let (w, h) = (frame.width(), frame.height());
    let mut px = Vec::with_capacity(w * h);
    if let Some((plane, ri, bi)) = frame.rgb_plane() {
        if projection == Projection::Luma {
            // The hot path of RGBA/BGRA frames: luma only, in a loop the
            // compiler vectorises.
            let bgra = bi == 0;
            for y in 0..h {
                let row = plane.data.get(y * plane.row_stride..)?.get(..w * 4)?;
                px.extend(row.chunks_exact(4).map(|p| match *p {
                    [b, g, r, _] if bgra => luma(r, g, b),
                    [r, g, b, _] => luma(r, g, b),
                    _ => 0,
                }));
            }
            return Some(Gray { w, h, px });
        }
        for y in 0..h {
            let row = plane.data.get(y * plane.row_stride..)?.get(..w * 4)?;
            for p in row.chunks_exact(4) {
                let (r, g, b) = (p.get(ri).copied()?, p.get(1).copied()?, p.get(bi).copied()?);
                px.push(match projection {
                    Projection::Luma => rgb_to_yuv(r, g, b).0,
                    Projection::Saturation => r.max(g).max(b) - r.min(g).min(b),
                    other => {
                        let (_, u, v) = rgb_to_yuv(r, g, b);
                        chroma(other, u, v)
                    }
                });
            }
        }
        return Some(Gray { w, h, px });
    }
    let luma = frame.luma_plane()?;
    if projection == Projection::Luma {
        // The luma plane as is: a row copy, no conversion.
        for y in 0..h {
            px.extend_from_slice(luma.data.get(y * luma.row_stride..)?.get(..w)?);
        }
        return Some(Gray { w, h, px });
    }
    let (u_plane, v_plane) = frame.chroma_planes()?;
    if projection == Projection::Saturation {
        return None;
    }
    for y in 0..h {
        let (cy, us, vs) = (y / 2, u_plane, v_plane);
        for x in 0..w {
            let u = us
                .data
                .get(cy * us.row_stride + (x / 2) * us.pixel_stride)
                .copied()
                .unwrap_or(128);
            let v = vs
                .data
                .get(cy * vs.row_stride + (x / 2) * vs.pixel_stride)
                .copied()
                .unwrap_or(128);
            px.push(chroma(projection, u, v));
        }
    }
    Some(Gray { w, h, px })
}

/// BT.601 luma, as [`rgb_to_yuv`] computes it.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

fn chroma(projection: Projection, u: u8, v: u8) -> u8 {
    match projection {
        Projection::U => u,
        Projection::V => v,
        Projection::UPlusV => ((u16::from(u) + u16::from(v)) / 2) as u8,
        Projection::UMinusV => ((i16::from(u) - i16::from(v)) / 2 + 128) as u8,
        Projection::Luma | Projection::Saturation => 128,
    }
}

/// Any projection of any layout, a pixel at a time.
fn generic(frame: &Frame<'_>, projection: Projection) -> Gray {
    let (w, h) = (frame.width(), frame.height());
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            px.push(projection.value(frame, x, y));
        }
    }
    Gray { w, h, px }
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

//! Camera frame layouts: full-range BT.601 YUV 4:2:0 (as Android's camera
//! delivers it) in NV21, NV12 and I420, and 8-bit luma alone, with padded row
//! strides. Padding bytes are random, as in real camera buffers, so that a
//! reader that strays into them reads garbage.

use crate::manifest::{Format, Plane};
use crate::rng::Rng;

fn plane(
    name: &str,
    offset: usize,
    row_stride: usize,
    pixel_stride: usize,
    w: usize,
    h: usize,
) -> Plane {
    Plane {
        name: name.to_owned(),
        offset: offset as u64,
        row_stride: row_stride as u32,
        pixel_stride: pixel_stride as u32,
        width: w as u32,
        height: h as u32,
    }
}

/// The planes of a `w` × `h` frame in `format` with Y row stride `stride`,
/// and the file size. Chroma of NV21/NV12 shares the Y stride; each chroma
/// plane of I420 has half of it. Width and height must be even.
pub fn layout(format: Format, w: usize, h: usize, stride: usize) -> (Vec<Plane>, usize) {
    let y = plane("y", 0, stride, 1, w, h);
    let ysize = stride * h;
    let (cw, chh) = (w / 2, h / 2);
    match format {
        Format::Nv21 => (
            vec![
                y,
                plane("u", ysize + 1, stride, 2, cw, chh),
                plane("v", ysize, stride, 2, cw, chh),
            ],
            ysize + stride * chh,
        ),
        Format::Nv12 => (
            vec![
                y,
                plane("u", ysize, stride, 2, cw, chh),
                plane("v", ysize + 1, stride, 2, cw, chh),
            ],
            ysize + stride * chh,
        ),
        Format::I420 => {
            let cs = stride / 2;
            (
                vec![
                    y,
                    plane("u", ysize, cs, 1, cw, chh),
                    plane("v", ysize + cs * chh, cs, 1, cw, chh),
                ],
                ysize + 2 * cs * chh,
            )
        }
        Format::Gray | Format::Png | Format::Jpeg => (vec![y], ysize),
    }
}

/// Full-range BT.601 (JFIF) Y, Cb, Cr of an 8-bit RGB colour.
pub fn ycbcr(r: f32, g: f32, b: f32) -> (f32, f32, f32) {
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let cb = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b;
    let cr = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b;
    (y, cb, cr)
}

fn q(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Converts interleaved 8-bit RGB to a raw frame; chroma is the mean of each
/// 2×2 block.
pub fn encode(
    rgb: &[u8],
    w: usize,
    h: usize,
    format: Format,
    stride: usize,
    rng: &mut Rng,
) -> (Vec<u8>, Vec<Plane>) {
    let (planes, size) = layout(format, w, h, stride);
    let mut out: Vec<u8> = (0..size).map(|_| (rng.next_u64() >> 56) as u8).collect();
    let px = |x: usize, y: usize| {
        let i = (y * w + x) * 3;
        (
            f32::from(rgb[i]),
            f32::from(rgb[i + 1]),
            f32::from(rgb[i + 2]),
        )
    };
    for y in 0..h {
        for x in 0..w {
            let (r, g, b) = px(x, y);
            out[y * stride + x] = q(ycbcr(r, g, b).0);
        }
    }
    if let [_, u, v] = planes.as_slice() {
        for cy in 0..h / 2 {
            for cx in 0..w / 2 {
                let mut acc = (0.0, 0.0, 0.0);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (r, g, b) = px(2 * cx + dx, 2 * cy + dy);
                    acc = (acc.0 + r / 4.0, acc.1 + g / 4.0, acc.2 + b / 4.0);
                }
                let (_, cb, cr) = ycbcr(acc.0, acc.1, acc.2);
                let at = |p: &Plane| {
                    p.offset as usize + cy * p.row_stride as usize + cx * p.pixel_stride as usize
                };
                out[at(u)] = q(cb);
                out[at(v)] = q(cr);
            }
        }
    }
    (out, planes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_add_up() {
        let (p, n) = layout(Format::Nv21, 8, 4, 64);
        assert_eq!(n, 64 * 4 + 64 * 2);
        assert_eq!((p[1].offset, p[2].offset), (257, 256));
        let (p, n) = layout(Format::I420, 8, 4, 64);
        assert_eq!(n, 64 * 4 + 2 * 32 * 2);
        assert_eq!((p[1].offset, p[2].offset, p[2].row_stride), (256, 320, 32));
    }

    #[test]
    fn grey_stays_grey_and_chroma_lands_in_its_plane() {
        // 4×4: top two rows grey, bottom two rows red.
        let mut img = Vec::new();
        for y in 0..4 {
            for _ in 0..4 {
                img.extend_from_slice(if y < 2 {
                    &[200, 200, 200]
                } else {
                    &[255, 0, 0]
                });
            }
        }
        let (out, p) = encode(&img, 4, 4, Format::Nv12, 64, &mut Rng::new(1));
        assert_eq!(out[0], 200);
        assert_eq!(out[p[1].offset as usize], 128);
        assert_eq!(out[p[2].offset as usize], 128);
        let second = p[2].offset as usize + p[2].row_stride as usize;
        assert_eq!(out[second], 255);
        assert_eq!(out[3 * 64], 76);
    }
}

//! [`test_mosaic_frame`]: a mosaic drawn as the portal draws it and laid out
//! as a camera delivers it, in every [`PixelFormat`], so the binding tests
//! drive `Authenticator::scan_frame` without a camera.

use tessera_ffi::{CameraFrame, FramePlane, PixelFormat, TesseraError};
use tessera_portal::render;

use crate::{bad_input, refused};

/// TEST ONLY: `payload` drawn as the portal draws mosaics (coloured, 4 px
/// per module) and laid out as a camera would deliver it in `format`, with
/// padded rows, and for `Yuv420` interleaved chroma (NV12, pixel stride 2).
#[uniffi::export]
pub fn test_mosaic_frame(
    payload: Vec<u8>,
    format: PixelFormat,
) -> Result<CameraFrame, TesseraError> {
    if payload.is_empty() {
        return Err(bad_input("nothing to draw"));
    }
    let img = render::image(&payload, 4).map_err(refused)?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let rgb: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    let stride32 = |n: usize| u32::try_from(n).map_err(|_| bad_input("frame too large"));
    // The plane of `Luma`, and the Y plane of `Yuv420`: one byte a pixel, rows padded.
    let luma_plane = || -> Result<FramePlane, TesseraError> {
        let row = w + 8;
        let mut data = vec![0u8; row * h];
        for (i, [r, g, b]) in rgb.iter().copied().enumerate() {
            if let Some(d) = data.get_mut((i / w) * row + i % w) {
                *d = ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000) as u8;
            }
        }
        Ok(FramePlane {
            data,
            row_stride: stride32(row)?,
            pixel_stride: 1,
        })
    };
    let planes = match format {
        PixelFormat::Rgba | PixelFormat::Bgra => {
            let row = w * 4 + 16;
            let mut data = vec![0u8; row * h];
            for (i, [r, g, b]) in rgb.iter().copied().enumerate() {
                let at = (i / w) * row + (i % w) * 4;
                let px = if format == PixelFormat::Rgba {
                    [r, g, b, 255]
                } else {
                    [b, g, r, 255]
                };
                if let Some(dst) = data.get_mut(at..at + 4) {
                    dst.copy_from_slice(&px);
                }
            }
            vec![FramePlane {
                data,
                row_stride: stride32(row)?,
                pixel_stride: 4,
            }]
        }
        PixelFormat::Luma => vec![luma_plane()?],
        PixelFormat::Yuv420 => {
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let crow = cw * 2;
            let mut uv = vec![128u8; crow * ch];
            for cy in 0..ch {
                for cx in 0..cw {
                    let Some(&[r, g, b]) = rgb.get((cy * 2) * w + cx * 2) else {
                        continue;
                    };
                    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
                    let u = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b;
                    let v = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b;
                    let at = cy * crow + cx * 2;
                    if let Some(dst) = uv.get_mut(at..at + 2) {
                        dst.copy_from_slice(&[
                            u.clamp(0.0, 255.0) as u8,
                            v.clamp(0.0, 255.0) as u8,
                        ]);
                    }
                }
            }
            // As Android's ImageProxy hands out NV12: U and V planes that
            // overlap, one byte apart, pixel stride 2.
            let v_plane = uv.get(1..).map(<[u8]>::to_vec).unwrap_or_default();
            vec![
                luma_plane()?,
                FramePlane {
                    data: uv,
                    row_stride: stride32(crow)?,
                    pixel_stride: 2,
                },
                FramePlane {
                    data: v_plane,
                    row_stride: stride32(crow)?,
                    pixel_stride: 2,
                },
            ]
        }
    };
    Ok(CameraFrame {
        width: stride32(w)?,
        height: stride32(h)?,
        format,
        planes,
    })
}

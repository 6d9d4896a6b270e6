//! The camera path: `Frame` validation and `Scanner::scan` on small frames
//! of every pixel format and layout. The first bytes choose the layout,
//! the size (at most 96 × 96, so a run is fast), the strides and how the
//! pixels are filled; the rest are the pixels.
//!
//! Header: format, width, height, stride padding, fill, then pixel bytes.
//! Fill 0 repeats the bytes as samples; fill 1 reads one bit per pixel
//! (set = black), as in the C29 input that stalled rqrr's grid detector.
//! Scanner limits: see [`scanner`].
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::scan::{Frame, PixelFormat, Plane, ScanConfig, Scanner};

const MAX_SIDE: usize = 96;

/// The default limits except for fewer grid samples and decodes per view:
/// the same code paths, at about ten times the executions per second (on
/// noise, sampling dominates; see docs/fuzzing.md). The default limits are
/// covered by the C29 test in tests/tests/scan.rs.
fn scanner() -> Scanner {
    Scanner::new(ScanConfig {
        max_samples: 12,
        max_decodes: 4,
        ..ScanConfig::default()
    })
}

/// The value of pixel `i` from `src`.
fn sample(src: &[u8], bits: bool, i: usize) -> u8 {
    if src.is_empty() {
        return 0x80;
    }
    if bits {
        let byte = src[(i / 8) % src.len()];
        if byte & (0x80 >> (i % 8)) != 0 {
            0
        } else {
            0xff
        }
    } else {
        src[i % src.len()]
    }
}

fuzz_target!(|data: &[u8]| {
    let [format, w, h, pad, fill, rest @ ..] = data else {
        return;
    };
    let (w, h) = (
        1 + usize::from(*w) % MAX_SIDE,
        1 + usize::from(*h) % MAX_SIDE,
    );
    let bits = fill & 1 == 1;
    // Bit 7 of the padding: a stride that may not fit (validation must refuse it).
    let tight = pad & 0x80 != 0;
    let pad = usize::from(pad & 0x0f);
    let scanner = scanner();
    let chroma = w.div_ceil(2);
    let (ch, cw) = (h.div_ceil(2), chroma);

    let mut buf: Vec<u8>;
    let frame = match format % 7 {
        0 => {
            let stride = if tight { pad } else { w + pad };
            buf = (0..stride * h).map(|i| sample(rest, bits, i)).collect();
            Frame::luma(w as u32, h as u32, &buf, stride)
        }
        f @ (1 | 2) => {
            let stride = if tight { 4 * pad } else { 4 * w + pad };
            buf = (0..stride * h)
                .map(|i| {
                    let v = sample(rest, bits, i / 4);
                    if i % 4 == 3 {
                        0xff
                    } else if bits {
                        v
                    } else {
                        sample(rest, false, i)
                    }
                })
                .collect();
            if f == 1 {
                Frame::rgba(w as u32, h as u32, &buf, stride)
            } else {
                Frame::bgra(w as u32, h as u32, &buf, stride)
            }
        }
        f @ 3..=5 => {
            let stride = if tight { pad } else { w + pad };
            let c_stride = if f == 5 { stride.div_ceil(2) } else { stride };
            let y_len = stride * h;
            let len = y_len + c_stride * ch;
            buf = (0..len)
                .map(|i| {
                    if i < y_len {
                        sample(rest, bits, i)
                    } else if bits {
                        0x80
                    } else {
                        sample(rest, false, i)
                    }
                })
                .collect();
            // Sometimes one byte short: the last row must still be checked.
            if fill & 2 != 0 {
                buf.pop();
            }
            match f {
                3 => Frame::nv21(w as u32, h as u32, &buf, stride),
                4 => Frame::nv12(w as u32, h as u32, &buf, stride),
                _ => Frame::i420(w as u32, h as u32, &buf, stride),
            }
        }
        _ => {
            // Three separate planes with their own strides, as an
            // ImageProxy gives them; pixel stride 1 or 2.
            let ps = 1 + usize::from(fill >> 7);
            let y_stride = if tight { pad } else { w + pad };
            let c_stride = if tight {
                pad / 2
            } else {
                (cw - 1) * ps + 1 + pad / 2
            };
            buf = (0..y_stride * h).map(|i| sample(rest, bits, i)).collect();
            let u: Vec<u8> = (0..c_stride * ch)
                .map(|i| sample(rest, false, i + 1))
                .collect();
            let v: Vec<u8> = (0..c_stride * ch)
                .map(|i| sample(rest, false, i + 2))
                .collect();
            let frame = Frame::new(
                w as u32,
                h as u32,
                PixelFormat::Yuv420,
                &[
                    Plane::new(&buf, y_stride, 1),
                    Plane::new(&u, c_stride, ps),
                    Plane::new(&v, c_stride, ps),
                ],
            );
            if let Ok(frame) = frame {
                let _ = scanner.scan(&frame);
            }
            return;
        }
    };
    if let Ok(frame) = frame {
        assert_eq!((frame.width(), frame.height()), (w, h));
        for d in scanner.scan(&frame) {
            assert!(!d.payload.is_empty());
        }
    }
});

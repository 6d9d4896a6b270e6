//! The scanner on synthetic camera frames: every pixel format, padded
//! strides, colours, inversion, several codes, hostile frames.

use std::time::{Duration, Instant};

use tessera_core::scan::{Detection, Frame, PixelFormat, Plane, ScanConfig, ScanError, Scanner};
use tessera_tests::frames::{Rgb, draw_qr, luma, mono};

const PAYLOAD: &[u8] = b"TSR1:login:8f2c1e7a-portal.example.lu:alice:1764400000:9b3f0d";

fn scene(colour: &dyn Fn(usize, usize, bool) -> [u8; 3], background: [u8; 3]) -> Rgb {
    let mut canvas = Rgb::filled(640, 480, background);
    draw_qr(&mut canvas, PAYLOAD, 150, 60, 8, 4, colour);
    canvas
}

fn payloads(found: &[Detection]) -> Vec<&[u8]> {
    found.iter().map(|d| d.payload.as_slice()).collect()
}

#[test]
fn every_pixel_format_reads_the_same_payload() {
    let rgb = scene(&mono, [255, 255, 255]);
    let scanner = Scanner::default();
    let (w, h) = (rgb.w as u32, rgb.h as u32);
    for stride_pad in [0usize, 64] {
        let luma = rgb.luma_strided(rgb.w + stride_pad);
        let rgba = rgb.rgba_strided(rgb.w * 4 + stride_pad, false);
        let bgra = rgb.rgba_strided(rgb.w * 4 + stride_pad, true);
        let nv21 = rgb.semi_planar(rgb.w + stride_pad, true);
        let nv12 = rgb.semi_planar(rgb.w + stride_pad, false);
        let i420 = rgb.i420(rgb.w + stride_pad);
        let frames = [
            (
                "luma",
                Frame::luma(w, h, &luma, rgb.w + stride_pad).unwrap(),
            ),
            (
                "rgba",
                Frame::rgba(w, h, &rgba, rgb.w * 4 + stride_pad).unwrap(),
            ),
            (
                "bgra",
                Frame::bgra(w, h, &bgra, rgb.w * 4 + stride_pad).unwrap(),
            ),
            (
                "nv21",
                Frame::nv21(w, h, &nv21, rgb.w + stride_pad).unwrap(),
            ),
            (
                "nv12",
                Frame::nv12(w, h, &nv12, rgb.w + stride_pad).unwrap(),
            ),
            (
                "i420",
                Frame::i420(w, h, &i420, rgb.w + stride_pad).unwrap(),
            ),
        ];
        for (name, frame) in frames {
            let found = scanner.scan(&frame);
            assert_eq!(
                payloads(&found),
                vec![PAYLOAD],
                "{name} with {stride_pad} bytes of row padding"
            );
            let corners = found[0].corners.expect("camera detections have corners");
            // The code's outer edge: 150 + 4·8 = 182 px from the left, 33 modules of 8 px.
            let side = 8.0 * 33.0;
            assert!(
                (corners[0].x - 182.0).abs() < 4.0 && (corners[0].y - 92.0).abs() < 4.0,
                "{name}: {corners:?}"
            );
            assert!(
                (corners[2].x - (182.0 + side)).abs() < 4.0
                    && (corners[2].y - (92.0 + side)).abs() < 4.0,
                "{name}: {corners:?}"
            );
        }
    }
}

#[test]
fn android_planes_with_pixel_stride_two() {
    // YUV_420_888 as CameraX hands it out: U and V views into one
    // interleaved buffer, pixel stride 2, each plane a byte short at the end.
    let rgb = scene(&mono, [255, 255, 255]);
    let stride = 704;
    let nv21 = rgb.semi_planar(stride, true);
    let y_len = stride * rgb.h;
    let v = &nv21[y_len..nv21.len() - 1];
    let u = &nv21[y_len + 1..];
    let frame = Frame::new(
        rgb.w as u32,
        rgb.h as u32,
        PixelFormat::Yuv420,
        &[
            Plane::new(&nv21[..y_len], stride, 1),
            Plane::new(u, stride, 2),
            Plane::new(v, stride, 2),
        ],
    )
    .unwrap();
    assert_eq!(payloads(&Scanner::default().scan(&frame)), vec![PAYLOAD]);
}

#[test]
fn inverted_codes_read() {
    let rgb = scene(
        &|_, _, dark| if dark { [240, 240, 240] } else { [20, 20, 30] },
        [20, 20, 30],
    );
    let l = rgb.luma();
    let frame = Frame::luma(rgb.w as u32, rgb.h as u32, &l, rgb.w).unwrap();
    assert_eq!(payloads(&Scanner::default().scan(&frame)), vec![PAYLOAD]);
}

/// Colour pairs whose luma differs by less than 15 % of the range.
#[test]
fn low_luminance_contrast_colours_read() {
    let pairs: [([u8; 3], [u8; 3]); 4] = [
        ([200, 60, 60], [90, 140, 60]),     // red on green
        ([60, 60, 220], [150, 60, 170]),    // blue on purple
        ([230, 120, 40], [40, 170, 170]),   // orange on teal
        ([255, 190, 200], [250, 250, 250]), // pastel pink on white
    ];
    for (dark, light) in pairs {
        let diff = (i32::from(luma(dark[0], dark[1], dark[2]))
            - i32::from(luma(light[0], light[1], light[2])))
        .abs();
        assert!(diff < 40, "{dark:?}/{light:?} luma difference {diff}");
        let rgb = scene(&|_, _, d| if d { dark } else { light }, light);
        let rgba = rgb.rgba_strided(rgb.w * 4, false);
        let frame = Frame::rgba(rgb.w as u32, rgb.h as u32, &rgba, rgb.w * 4).unwrap();
        assert_eq!(
            payloads(&Scanner::default().scan(&frame)),
            vec![PAYLOAD],
            "{dark:?} on {light:?}"
        );
        // Through the camera's YUV too.
        let nv21 = rgb.semi_planar(rgb.w, true);
        let frame = Frame::nv21(rgb.w as u32, rgb.h as u32, &nv21, rgb.w).unwrap();
        assert_eq!(
            payloads(&Scanner::default().scan(&frame)),
            vec![PAYLOAD],
            "{dark:?} on {light:?} (NV21)"
        );
    }
}

#[test]
fn several_codes_in_one_frame() {
    let mut canvas = Rgb::filled(900, 400, [255, 255, 255]);
    draw_qr(&mut canvas, b"first code", 20, 40, 6, 4, &mono);
    draw_qr(&mut canvas, b"second code", 320, 60, 5, 4, &mono);
    draw_qr(&mut canvas, b"third code", 600, 30, 7, 4, &mono);
    let l = canvas.luma();
    let frame = Frame::luma(canvas.w as u32, canvas.h as u32, &l, canvas.w).unwrap();
    let mut found = payloads(&Scanner::default().scan(&frame))
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(
        found,
        vec![
            b"first code".to_vec(),
            b"second code".to_vec(),
            b"third code".to_vec()
        ]
    );
}

/// A sheet of 24 labels: `scan` returns every code on it; the fast path of a
/// caller that wants one code (`scan_first_until`, what
/// `Authenticator::scan_and_read` uses) stops soon after the first.
#[test]
fn every_code_on_a_sheet_of_labels() {
    const PITCH: usize = 160;
    let mut canvas = Rgb::filled(6 * PITCH + 20, 4 * PITCH + 20, [250, 250, 246]);
    let mut want = Vec::new();
    for i in 0..24 {
        let payload = format!("label {i:02} of the sheet");
        let (x, y) = (10 + (i % 6) * PITCH, 10 + (i / 6) * PITCH);
        let side = draw_qr(&mut canvas, payload.as_bytes(), x, y, 4, 4, &mono);
        assert!(side <= PITCH, "labels overlap: {side} px");
        want.push(payload.into_bytes());
    }
    want.sort();
    let l = canvas.luma();
    let frame = Frame::luma(canvas.w as u32, canvas.h as u32, &l, canvas.w).unwrap();
    let scanner = Scanner::default();
    let mut found: Vec<Vec<u8>> = payloads(&scanner.scan(&frame))
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    found.sort();
    assert_eq!(
        found
            .iter()
            .map(|p| String::from_utf8_lossy(p))
            .collect::<Vec<_>>(),
        want.iter()
            .map(|p| String::from_utf8_lossy(p))
            .collect::<Vec<_>>()
    );
    let first = scanner.scan_first_until(&frame, &tessera_core::scan::NoDeadline);
    assert!(!first.is_empty(), "the fast path reads no code");
    assert!(first.len() < 24, "the fast path read the whole sheet");
    for d in &first {
        assert!(want.contains(&d.payload));
    }
}

#[test]
fn malformed_frames_are_errors() {
    let buf = vec![0u8; 100 * 100 * 4];
    let cases: Vec<(&str, Result<Frame<'_>, ScanError>)> = vec![
        ("zero width", Frame::luma(0, 10, &buf, 10)),
        ("zero height", Frame::luma(10, 0, &buf, 10)),
        ("stride below width", Frame::luma(100, 10, &buf, 99)),
        (
            "plane too short",
            Frame::luma(100, 101, &buf[..100 * 100], 100),
        ),
        ("absurd size", Frame::luma(100_000, 100_000, &buf, 100_000)),
        ("rgba stride below width", Frame::rgba(100, 10, &buf, 399)),
        (
            "rgba too short",
            Frame::rgba(100, 100, &buf[..100 * 100 * 4 - 1], 400),
        ),
        (
            "nv21 without chroma",
            Frame::nv21(100, 100, &buf[..100 * 100], 100),
        ),
        (
            "i420 too short",
            Frame::i420(100, 100, &buf[..100 * 100 + 10], 100),
        ),
        (
            "overflowing stride",
            Frame::luma(16_000, 16_000, &buf, usize::MAX / 2),
        ),
        (
            "wrong plane count",
            Frame::new(10, 10, PixelFormat::Yuv420, &[Plane::new(&buf, 10, 1)]),
        ),
        (
            "pixel stride 0",
            Frame::new(10, 10, PixelFormat::Luma, &[Plane::new(&buf, 10, 0)]),
        ),
        (
            "chroma pixel stride overflow",
            Frame::new(
                10,
                10,
                PixelFormat::Yuv420,
                &[
                    Plane::new(&buf, 10, 1),
                    Plane::new(&buf, 10, usize::MAX),
                    Plane::new(&buf, 10, 1),
                ],
            ),
        ),
    ];
    for (name, result) in cases {
        assert!(
            matches!(result, Err(ScanError::InvalidFrame(_))),
            "{name}: {result:?}"
        );
    }
    // A valid frame with nothing in it: no detections, no error.
    let frame = Frame::luma(100, 100, &buf[..10_000], 100).unwrap();
    assert!(Scanner::default().scan(&frame).is_empty());
}

/// check C29 (docs/threat-model.md): a 21-byte input that keeps rqrr 0.11's own grid
/// detection busy for seconds. Width 21 + b0 % 108, height 21 + b1 % 108,
/// then one bit per pixel, repeated over the image; set bit = black.
#[test]
fn crafted_image_returns_within_budget() {
    let input = data_encoding::HEXLOWER
        .decode(b"675d5d2e10000000015d805d5df75d3a2e5d40ff5d")
        .unwrap();
    let (w, h) = (
        21 + usize::from(input[0]) % 108,
        21 + usize::from(input[1]) % 108,
    );
    assert_eq!((w, h), (124, 114));
    let bits = &input[2..];
    for msb_first in [true, false] {
        let pixels: Vec<u8> = (0..w * h)
            .map(|i| {
                let bit = i % (bits.len() * 8);
                let byte = bits[bit / 8];
                let set = if msb_first {
                    byte >> (7 - bit % 8) & 1
                } else {
                    byte >> (bit % 8) & 1
                };
                if set == 1 { 0 } else { 255 }
            })
            .collect();
        let frame = Frame::luma(w as u32, h as u32, &pixels, w).unwrap();
        let start = Instant::now();
        let found = Scanner::default().scan(&frame);
        let took = start.elapsed();
        // Generous for a debug build on a loaded machine; rqrr's detector takes seconds.
        assert!(took < Duration::from_millis(500), "took {took:?}");
        assert!(found.is_empty());
    }
}

/// Fuzz finding (docs/fuzzing.md): an 80 × 96 frame of one bit per pixel
/// whose finder pairs made the scanner fit every candidate grid of every
/// inferred third finder, unpaid: 1.3 s per frame under the fuzzer's
/// limits. Fits are now few and paid for from the sample allowance.
#[test]
fn fuzz_timeout_inferred_finder_fits_are_bounded() {
    let input = data_encoding::HEXLOWER
        .decode(
            b"004f5f00012e10000000015d71979797979797979797979797979797970000009797979797979797975d\
              5dffff073ba2005f5f00012e1000450000015d805d5dffff071ba2333ffc000000000000000000000000\
              00000000000000000000000000000000000000000000000000000000c3ff000003333ffcc3ff7b0700\
              00bf005d",
        )
        .unwrap();
    // The fuzz target's layout: format 0 (luma), width 1 + 0x4f % 96,
    // height 1 + 0x5f % 96, no padding, fill 1 (one bit per pixel, MSB
    // first, set = black, the bits repeated).
    let (w, h) = (
        1 + usize::from(input[1]) % 96,
        1 + usize::from(input[2]) % 96,
    );
    assert_eq!((w, h), (80, 96));
    let bits = &input[5..];
    let pixels: Vec<u8> = (0..w * h)
        .map(|i| {
            let byte = bits[(i / 8) % bits.len()];
            if byte & (0x80 >> (i % 8)) != 0 {
                0
            } else {
                0xff
            }
        })
        .collect();
    let frame = Frame::luma(w as u32, h as u32, &pixels, w).unwrap();
    // Every fit is paid from the allowance of 120 grid samples per view
    // (luma and half-size luma here): before the fix, each of the dozen
    // candidate grids of every inferred triple was fitted, unpaid.
    let (found, trace) = Scanner::default().trace(&frame);
    assert!(found.is_empty());
    let fits = trace
        .iter()
        .filter(|l| l.contains("fit a grid of an inferred finder"))
        .count();
    let samples_allowed = 2 * ScanConfig::default().max_samples;
    // Since fits need a leg of the grid to show its timing pattern first,
    // this frame's guessed finders are turned down before any fit.
    let turned_down = trace.iter().filter(|l| l.contains(": no fit")).count();
    assert!(
        fits + turned_down > 0,
        "the frame no longer reaches the inferred-finder path"
    );
    assert!(fits <= samples_allowed, "{fits} fits");
    // And the same frame within the fuzzer's limits.
    let fuzz_limits = Scanner::new(ScanConfig {
        max_samples: 12,
        max_decodes: 4,
        ..ScanConfig::default()
    });
    let (found, trace) = fuzz_limits.trace(&frame);
    assert!(found.is_empty());
    let fits = trace
        .iter()
        .filter(|l| l.contains("fit a grid of an inferred finder"))
        .count();
    assert!(fits <= 2 * 12, "{fits} fits");
}

/// Fuzz finding (docs/fuzzing.md): a 66 × 66 BGRA frame of a 13-byte
/// pattern holds a grid that passes error correction and decodes to no data;
/// it was returned as a detection with an empty payload.
#[test]
fn fuzz_crash_no_detection_has_an_empty_payload() {
    let input = data_encoding::BASE64
        .decode(b"AkFBAAAAPD8BAAAAAAAAAEFB")
        .unwrap();
    // The fuzz target's layout: format 2 (BGRA), 66 x 66, no padding, fill 0
    // (the bytes repeated as samples, alpha 0xff).
    let [2, w, h, 0, 0, rest @ ..] = input.as_slice() else {
        panic!("not the recorded input");
    };
    let (w, h) = (1 + usize::from(*w) % 96, 1 + usize::from(*h) % 96);
    let pixels: Vec<u8> = (0..4 * w * h)
        .map(|i| {
            if i % 4 == 3 {
                0xff
            } else {
                rest[i % rest.len()]
            }
        })
        .collect();
    let frame = Frame::bgra(w as u32, h as u32, &pixels, 4 * w).unwrap();
    for scanner in [
        Scanner::default(),
        Scanner::new(ScanConfig {
            max_samples: 12,
            max_decodes: 4,
            ..ScanConfig::default()
        }),
    ] {
        for d in scanner.scan(&frame) {
            assert!(!d.payload.is_empty(), "a detection without payload");
        }
    }
}

#[test]
fn platform_payloads_meet_the_same_type() {
    let d = Detection::from_platform(PAYLOAD.to_vec()).unwrap();
    assert_eq!(d.payload, PAYLOAD);
    assert!(d.corners.is_none());
    assert_eq!(
        Detection::from_platform(vec![]),
        Err(ScanError::EmptyPayload)
    );
    assert!(matches!(
        Detection::from_platform(vec![0; 2954]),
        Err(ScanError::PayloadTooLarge { .. })
    ));
}

/// The colour projections are what reads a red-on-green mosaic: with them
/// turned off, luma alone does not.
#[test]
fn colour_projections_are_what_reads_equal_luma_colours() {
    use tessera_core::scan::ScanConfig;
    let rgb = scene(
        &|_, _, d| if d { [200, 60, 60] } else { [90, 140, 60] },
        [90, 140, 60],
    );
    let rgba = rgb.rgba_strided(rgb.w * 4, false);
    let frame = Frame::rgba(rgb.w as u32, rgb.h as u32, &rgba, rgb.w * 4).unwrap();
    let luma_only = Scanner::new(ScanConfig {
        colour: false,
        ..ScanConfig::default()
    });
    assert!(luma_only.scan(&frame).is_empty());
    assert_eq!(payloads(&Scanner::default().scan(&frame)), vec![PAYLOAD]);
}

/// The caller's deadline stops the scan between steps.
#[test]
fn an_expired_deadline_stops_the_scan() {
    struct Expired;
    impl tessera_core::scan::Deadline for Expired {
        fn expired(&self) -> bool {
            true
        }
    }
    let rgb = scene(&mono, [255, 255, 255]);
    let l = rgb.luma();
    let frame = Frame::luma(rgb.w as u32, rgb.h as u32, &l, rgb.w).unwrap();
    assert!(Scanner::default().scan_until(&frame, &Expired).is_empty());
}

/// `payload` as a black-on-white QR code turned by `degrees` about the centre
/// of a `side` × `side` grey frame, `module` pixels per module, 2 × 2
/// samples per pixel.
fn rotated_code(payload: &[u8], degrees: f32, module: f32, side: usize) -> Vec<u8> {
    let (w, modules) = tessera_tests::frames::qr_modules(payload);
    let (s, c) = degrees.to_radians().sin_cos();
    let half = side as f32 / 2.0;
    let dark_at = |x: f32, y: f32| {
        // Back into the code's frame, in modules from its top-left corner.
        let (dx, dy) = (x - half, y - half);
        let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
        let (mx, my) = (u / module + w as f32 / 2.0, v / module + w as f32 / 2.0);
        mx >= 0.0
            && my >= 0.0
            && (mx as usize) < w
            && (my as usize) < w
            && modules[my as usize * w + mx as usize]
    };
    let mut out = vec![0u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let dark = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)]
                .iter()
                .filter(|(ox, oy)| dark_at(x as f32 + ox, y as f32 + oy))
                .count();
            out[y * side + x] = (255 - dark * 255 / 4) as u8;
        }
    }
    out
}

#[test]
fn codes_turned_by_any_angle_read() {
    // The phone is rarely held square to the screen. Versions 3, 7, 10 and 13.
    let scanner = Scanner::default();
    let side = 560;
    for len in [40usize, 120, 200, 300] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        for degrees in [0.0, 15.0, 30.0, 40.0, 45.0, 60.0, 135.0, 222.0, 315.0] {
            let grey = rotated_code(&payload, degrees, 4.0, side);
            let frame = Frame::luma(side as u32, side as u32, &grey, side).unwrap();
            let found = scanner.scan(&frame);
            assert_eq!(
                payloads(&found),
                vec![payload.as_slice()],
                "{len} bytes turned by {degrees}°"
            );
        }
    }
}

/// Reed-Solomon correction (rqrr, forked for speed: ADR 0008) repairs
/// damaged modules: codes of one, two and four blocks per version, with
/// data modules flipped (each flip damages at most one codeword, fewer
/// than any block corrects), still read.
#[test]
fn error_correction_repairs_damaged_modules() {
    use qrcode::{EcLevel, QrCode};
    let scanner = Scanner::default();
    // Versions 3 (one block, corrects 13), 5 (two, 9 each), 6 (four, 8 each) at level M.
    for (len, version) in [(40usize, 3i16), (80, 5), (100, 6)] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 13 + 5) as u8).collect();
        let code = QrCode::with_error_correction_level(&payload, EcLevel::M).unwrap();
        assert_eq!(code.version(), qrcode::Version::Normal(version));
        let w = code.width();
        let modules: Vec<bool> = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        for flips in [0usize, 7] {
            let mut damaged = modules.clone();
            let mut state = 0x2545_f491_u32 ^ len as u32;
            let mut done = 0;
            while done < flips {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let (x, y) = (state as usize % w, (state >> 16) as usize % w);
                if !code.is_functional(x, y) {
                    damaged[y * w + x] ^= true;
                    done += 1;
                }
            }
            let (module, quiet) = (4usize, 4usize);
            let side = (w + 2 * quiet) * module;
            let grey: Vec<u8> = (0..side * side)
                .map(|i| {
                    let (mx, my) = ((i % side) / module, (i / side) / module);
                    let inside =
                        (quiet..quiet + w).contains(&mx) && (quiet..quiet + w).contains(&my);
                    if inside && damaged[(my - quiet) * w + (mx - quiet)] {
                        0
                    } else {
                        255
                    }
                })
                .collect();
            let frame = Frame::luma(side as u32, side as u32, &grey, side).unwrap();
            assert_eq!(
                payloads(&scanner.scan(&frame)),
                vec![payload.as_slice()],
                "version {version}, {flips} modules flipped"
            );
        }
    }
}

/// A 7 × 7-module square in the 1:1:3:1:1 pattern of a finder, top-left
/// corner at (x0, y0): `outer` for the outer ring and the centre, `ring`
/// for the ring between them.
fn finder_like(
    canvas: &mut Rgb,
    x0: usize,
    y0: usize,
    module: usize,
    outer: [u8; 3],
    ring: [u8; 3],
) {
    for my in 0..7 {
        for mx in 0..7 {
            let depth = mx.min(my).min(6 - mx).min(6 - my);
            let c = if depth == 1 { ring } else { outer };
            for dy in 0..module {
                for dx in 0..module {
                    canvas.set(x0 + mx * module + dx, y0 + my * module + dy, c);
                }
            }
        }
    }
}

/// Glare over one finder pattern, on a background strewn with light
/// finder-like blobs (the frames of the benchmark's glare category that
/// failed): the code's two clear finders stand out, and their pair is
/// completed before the background's triples use up the budget.
#[test]
fn glare_over_a_finder_among_finder_like_texture() {
    let mut canvas = Rgb::filled(960, 640, [60, 60, 60]);
    let size = draw_qr(&mut canvas, PAYLOAD, 420, 120, 8, 4, &mono);
    // The glare: the top-left finder and its surroundings burnt white.
    for y in 120 + 24..120 + 24 + 80 {
        for x in 420 + 24..420 + 24 + 80 {
            canvas.set(x, y, [255, 255, 255]);
        }
    }
    // Light-on-dark 1:1:3:1:1 squares of 5-pixel modules across the background.
    for i in 0..18 {
        let (x0, y0) = (20 + (i % 3) * 130, 20 + (i / 3) * 100);
        if x0 + 35 > 420 && y0 < 120 + size {
            continue;
        }
        finder_like(&mut canvas, x0, y0, 5, [235, 235, 235], [60, 60, 60]);
    }
    let l = canvas.luma();
    let frame = Frame::luma(canvas.w as u32, canvas.h as u32, &l, canvas.w).unwrap();
    let (found, trace) = Scanner::default().trace(&frame);
    assert_eq!(payloads(&found), vec![PAYLOAD]);
    // Read from the pair, before any triple of the texture was tried.
    let first = |what: &str| trace.iter().position(|l| l.trim_start().starts_with(what));
    let pair = first("pair").expect("a pair was completed");
    assert!(first("triple").is_none_or(|t| t > pair), "{trace:#?}");
}

/// Light-on-dark texture better confirmed than the code's own finders (a
/// dark code seen small and tilted, large bright shapes behind it): the
/// code's triple is tried first, not after every triple of the texture
/// (the benchmark frame that failed had 24 such candidates).
#[test]
fn triples_of_each_polarity_are_taken_in_turn() {
    let mut canvas = Rgb::filled(1000, 700, [40, 40, 40]);
    // The code: 4-pixel modules on a white card.
    draw_qr(&mut canvas, PAYLOAD, 600, 300, 4, 4, &mono);
    // Bright 1:1:3:1:1 squares of 10-pixel modules, three at right angles.
    for (x0, y0) in [(40, 40), (300, 40), (40, 300)] {
        finder_like(&mut canvas, x0, y0, 10, [240, 240, 240], [40, 40, 40]);
    }
    let l = canvas.luma();
    let frame = Frame::luma(canvas.w as u32, canvas.h as u32, &l, canvas.w).unwrap();
    let (found, trace) = Scanner::default().trace(&frame);
    assert_eq!(payloads(&found), vec![PAYLOAD]);
    let first = trace
        .iter()
        .find(|l| l.trim_start().starts_with("triple"))
        .expect("a triple was tried");
    // "triple tl=(x,y) ...": the code's top-left finder is at about (630, 330).
    let tl: Vec<f32> = first
        .split("tl=(")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .map(|xy| xy.split(',').map(|v| v.parse().unwrap()).collect())
        .unwrap();
    assert!(tl[0] > 590.0 && tl[1] > 290.0, "{first}");
}

/// Glare burning out a patch of the data area: more wrong codewords than
/// the parity corrects as errors, but its flat white modules are passed to
/// the decoder as erasures, which it corrects twice as many of (ADR 0008).
#[test]
fn a_burnt_out_patch_is_read_through_erasures() {
    // Version 3-M (29 modules): one block of 70 codewords, 26 of them
    // parity (13 errors or 26 erasures).
    let payload: Vec<u8> = (0..40).map(|i| (i * 29 + 3) as u8).collect();
    let (w, modules) = tessera_tests::frames::qr_modules(&payload);
    assert_eq!(w, 29);
    let (module, quiet) = (6usize, 4usize);
    let side = (w + 2 * quiet) * module;
    // The glare: modules 10..21 across, 11..22 down, pure white.
    let glare = |mx: usize, my: usize| (10..21).contains(&mx) && (11..22).contains(&my);
    let grey: Vec<u8> = (0..side * side)
        .map(|i| {
            let (mx, my) = ((i % side) / module, (i / side) / module);
            let inside = (quiet..quiet + w).contains(&mx) && (quiet..quiet + w).contains(&my);
            let (cx, cy) = (mx.wrapping_sub(quiet), my.wrapping_sub(quiet));
            if inside && glare(cx, cy) {
                255
            } else if inside && modules[cy * w + cx] {
                30
            } else {
                225
            }
        })
        .collect();
    let frame = Frame::luma(side as u32, side as u32, &grey, side).unwrap();
    let (found, trace) = Scanner::default().trace(&frame);
    assert_eq!(payloads(&found), vec![payload.as_slice()]);
    assert!(
        trace.iter().any(|l| l.contains("modules erased")),
        "read without erasures: the patch is too small to show them"
    );
}

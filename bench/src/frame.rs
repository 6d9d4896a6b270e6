//! One benchmark frame from (seed, category, size, index): the recipe of each
//! category, rendering (scene, code surface, pose, light, optics, sensor) and
//! encoding to the file format.

use serde_json::{Map, Value, json};

use crate::degrade::{self, Glare};
use crate::manifest::{Entry, Format};
use crate::palette::{self, Palette};
use crate::qr::{self, Symbol};
use crate::raster::{Rgb, f, luma};
use crate::rng::{Rng, hash_str};
use crate::scene;
use crate::warp::{self, Homography, Pose, Surface};
use crate::yuv;

/// Every category, in report order.
pub const CATEGORIES: [&str; 18] = [
    "clean",
    "color-high",
    "color-low",
    "mosaic",
    "inverted",
    "no-quiet-zone",
    "small",
    "rotated",
    "perspective",
    "blur-gaussian",
    "blur-motion",
    "noise",
    "uneven-light",
    "glare",
    "jpeg",
    "moire",
    "yuv",
    "hard",
];

/// Categories that measure time more than reading, outside [`CATEGORIES`]:
/// a code blurred past reading, and frames without any code (a desk scene
/// with printed text, tiles and objects; a smooth gradient; a flat surface
/// under heavy sensor noise; uniform random noise). Their payload is empty
/// when there is no code: such a frame is read correctly when nothing is
/// found.
pub const TIMING_CATEGORIES: [&str; 5] = [
    "too-blurred",
    "no-code-desk",
    "no-code-gradient",
    "no-code-sensor",
    "no-code-uniform",
];

/// Modules of quiet zone in the clean reference image.
const CLEAN_QUIET: usize = 4;
/// Pixels per module in the clean reference image.
const CLEAN_PPM: usize = 4;

/// The undegraded code as it was drawn, classified back to dark/light from
/// the colours actually rendered, in standard polarity (dark modules 0,
/// light 255) with a 4-module quiet zone: what the manifest's payload must
/// decode from.
#[derive(Debug, Clone)]
pub struct CleanCode {
    /// Side in pixels.
    pub side: usize,
    /// Grey pixels, row-major.
    pub px: Vec<u8>,
}

/// A generated frame: its manifest entry (with `file` relative to the output
/// directory), the file's bytes, and the clean reference of its code.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Manifest entry.
    pub entry: Entry,
    /// File contents.
    pub bytes: Vec<u8>,
    /// The code before any degradation.
    pub clean: CleanCode,
}

const DEG: f64 = std::f64::consts::PI / 180.0;

fn r4(x: f64) -> Value {
    json!((x * 1e4).round() / 1e4)
}

/// What happens to one frame; drawn from the frame's random stream.
#[derive(Debug, Clone)]
struct Recipe {
    palette: Palette,
    inverted: bool,
    quiet: usize,
    /// Target module size in frame pixels at the code centre.
    ppm: f64,
    rotation: f64,
    tilt_x: f64,
    tilt_y: f64,
    focal: f64,
    base_blur: f64,
    blur: f64,
    motion: Option<(f64, f64)>,
    read_noise: f64,
    shot_noise: f64,
    gain: f64,
    vignette: f64,
    gradient: (f64, f64, f64),
    /// Length of the gradient in code sides; None: across the whole frame.
    gradient_span: Option<f64>,
    /// depth, softness (px), angle, offset of the edge from the code centre (code sides).
    shadow: Option<(f64, f64, f64, f64)>,
    /// radius (code sides), aspect, core, offset x, offset y (code sides).
    glare: Option<(f64, f64, f64, f64, f64)>,
    jpeg: Option<u8>,
    /// screen pixels per module, frame pixels per screen pixel.
    moire: Option<(usize, f64)>,
    format: Format,
    stride_align: usize,
    stride_pad: usize,
}

fn base_recipe(rng: &mut Rng, w: usize, h: usize) -> Recipe {
    let s = (h as f64 / 720.0).powf(0.7);
    Recipe {
        palette: *rng.pick(palette::MONO),
        inverted: false,
        quiet: 4,
        ppm: rng.range(3.5, 8.0) * s,
        rotation: rng.range(-10.0, 10.0) * DEG,
        tilt_x: rng.range(-12.0, 12.0) * DEG,
        tilt_y: rng.range(-12.0, 12.0) * DEG,
        focal: rng.range(0.7, 1.4) * w as f64,
        base_blur: rng.range(0.45, 0.9) * s,
        blur: 0.0,
        motion: None,
        read_noise: rng.range(1.5, 4.0),
        shot_noise: rng.range(0.02, 0.08),
        gain: rng.range(0.85, 1.08),
        vignette: rng.range(0.05, 0.3),
        gradient: (
            rng.range(0.8, 1.0),
            rng.range(1.0, 1.08),
            rng.range(0.0, 360.0) * DEG,
        ),
        gradient_span: None,
        shadow: None,
        glare: None,
        jpeg: None,
        moire: None,
        format: Format::Png,
        stride_align: 0,
        stride_pad: 0,
    }
}

fn strong_tilt(rng: &mut Rng, r: &mut Recipe, lo: f64, hi: f64) {
    let t = rng.range(lo, hi) * DEG;
    let dir = rng.range(0.0, 360.0) * DEG;
    r.tilt_x = t * dir.cos();
    r.tilt_y = t * dir.sin();
}

fn uneven(rng: &mut Rng, r: &mut Recipe, lo: (f64, f64)) {
    // A lamp to one side: the light falls off across the code itself.
    r.gradient_span = Some(rng.range(1.0, 3.0));
    r.gradient = (
        rng.range(lo.0, lo.1),
        rng.range(1.0, 1.3),
        rng.range(0.0, 360.0) * DEG,
    );
    if rng.chance(0.8) {
        r.shadow = Some((
            rng.range(0.15, 0.5),
            rng.range(2.0, 40.0),
            rng.range(0.0, 360.0) * DEG,
            rng.range(-0.3, 0.3),
        ));
    }
}

fn any_colour(rng: &mut Rng) -> Palette {
    match rng.below(3) {
        0 => *rng.pick(palette::HIGH),
        1 => *rng.pick(palette::MOSAIC),
        _ => *rng.pick(palette::MONO),
    }
}

fn recipe(rng: &mut Rng, category: &str, w: usize, h: usize, index: u32) -> Result<Recipe, String> {
    let mut r = base_recipe(rng, w, h);
    let s = (h as f64 / 720.0).powf(0.7);
    match category {
        "clean" => {}
        "color-high" => r.palette = *rng.pick(palette::HIGH),
        "color-low" => r.palette = *rng.pick(palette::LOW),
        "mosaic" => r.palette = *rng.pick(palette::MOSAIC),
        "inverted" => {
            r.inverted = true;
            r.palette = if rng.chance(0.6) {
                *rng.pick(palette::MONO)
            } else {
                *rng.pick(palette::HIGH)
            };
        }
        "no-quiet-zone" => {
            r.quiet = 0;
            r.palette = if rng.chance(0.6) {
                *rng.pick(palette::MONO)
            } else {
                *rng.pick(palette::HIGH)
            };
        }
        "small" => {
            r.ppm = rng.range(1.6, 2.8);
        }
        "rotated" => {
            // Off-axis angles matter most where modules are a few pixels.
            r.rotation = rng.range(0.0, 360.0) * DEG;
            r.ppm = rng.range(2.2, 5.0) * s;
            r.tilt_x = rng.range(-20.0, 20.0) * DEG;
            r.tilt_y = rng.range(-20.0, 20.0) * DEG;
        }
        "perspective" => {
            strong_tilt(rng, &mut r, 35.0, 65.0);
            r.focal = rng.range(0.55, 1.0) * w as f64;
            r.rotation = rng.range(-25.0, 25.0) * DEG;
        }
        "blur-gaussian" => r.blur = rng.range(0.25, 0.75),
        "too-blurred" => r.blur = rng.range(1.2, 2.5),
        "blur-motion" => r.motion = Some((rng.range(0.6, 2.2), rng.range(0.0, 180.0) * DEG)),
        "noise" => {
            r.read_noise = rng.range(20.0, 55.0);
            r.shot_noise = rng.range(0.2, 1.0);
            r.gain = rng.range(0.45, 1.0);
        }
        "uneven-light" => uneven(rng, &mut r, (0.06, 0.3)),
        "glare" => {
            r.glare = Some((
                rng.range(0.12, 0.32),
                rng.range(0.4, 1.0),
                rng.range(0.2, 0.6),
                rng.range(-0.3, 0.3),
                rng.range(-0.3, 0.3),
            ))
        }
        "jpeg" => {
            r.jpeg = Some(rng.int(40, 75) as u8);
            r.ppm = rng.range(2.0, 4.0) * s;
            // A camera JPEG compresses a noisy picture.
            r.read_noise = rng.range(4.0, 10.0);
            if rng.chance(0.4) {
                r.palette = any_colour(rng);
            }
        }
        "moire" => {
            // A monitor's pixel pitch close to the sensor's: frame pixels per
            // screen pixel near or below 1 is where moiré appears.
            let scale = rng.range(0.55, 1.4);
            let mut k = rng.int(3, 6);
            while (k as f64) * scale < 3.0 {
                k += 1;
            }
            r.moire = Some((k, scale));
            r.ppm = k as f64 * scale;
            r.rotation = rng.range(-8.0, 8.0) * DEG;
            r.tilt_x = rng.range(-10.0, 10.0) * DEG;
            r.tilt_y = rng.range(-10.0, 10.0) * DEG;
            r.gradient = (1.0, 1.0, 0.0);
            r.palette = match rng.below(5) {
                0 | 1 => *rng.pick(palette::MOSAIC),
                2 => *rng.pick(palette::HIGH),
                _ => *rng.pick(palette::MONO),
            };
        }
        "yuv" => {
            r.format = [Format::Nv21, Format::Nv12, Format::I420, Format::Gray][index as usize % 4];
            r.stride_align = *rng.pick(&[64, 128]);
            r.stride_pad = *rng.pick(&[0, 0, 1, 2]);
            r.palette = match rng.below(4) {
                0 => *rng.pick(palette::HIGH),
                1 => *rng.pick(palette::MOSAIC),
                _ => *rng.pick(palette::MONO),
            };
            r.blur = rng.range(0.0, 0.25);
            r.read_noise = rng.range(3.0, 8.0);
        }
        "hard" => {
            let mut pool = vec![
                "rotation",
                "perspective",
                "blur",
                "motion",
                "noise",
                "light",
                "glare",
                "jpeg",
                "small",
                "colour",
                "inverted",
            ];
            let n = rng.int(3, 5);
            let mut chosen = Vec::new();
            for _ in 0..n {
                chosen.push(pool.remove(rng.below(pool.len())));
            }
            // Blur and motion blur together are too much; keep the first.
            if chosen.contains(&"blur") && chosen.contains(&"motion") {
                chosen.retain(|c| *c != "motion");
            }
            for c in &chosen {
                match *c {
                    "rotation" => r.rotation = rng.range(0.0, 360.0) * DEG,
                    "perspective" => strong_tilt(rng, &mut r, 15.0, 40.0),
                    "blur" => r.blur = rng.range(0.25, 0.5),
                    "motion" => r.motion = Some((rng.range(0.5, 1.5), rng.range(0.0, 180.0) * DEG)),
                    "noise" => {
                        r.read_noise = rng.range(12.0, 30.0);
                        r.shot_noise = rng.range(0.1, 0.5);
                    }
                    "light" => uneven(rng, &mut r, (0.15, 0.45)),
                    "glare" => {
                        r.glare = Some((
                            rng.range(0.1, 0.25),
                            rng.range(0.5, 1.0),
                            rng.range(0.2, 0.5),
                            rng.range(-0.3, 0.3),
                            rng.range(-0.3, 0.3),
                        ))
                    }
                    "jpeg" => r.jpeg = Some(rng.int(40, 70) as u8),
                    "small" => r.ppm = rng.range(2.2, 3.2),
                    "colour" => {
                        r.palette = if rng.chance(0.25) {
                            *rng.pick(palette::LOW)
                        } else {
                            any_colour(rng)
                        };
                    }
                    _ => r.inverted = true,
                }
            }
        }
        other => return Err(format!("unknown category {other:?}")),
    }
    Ok(r)
}

/// Colour of every module of the card (symbol plus quiet zone), row-major.
fn module_colours(
    rng: &mut Rng,
    sym: &Symbol,
    pal: &Palette,
    inverted: bool,
    quiet: usize,
) -> Vec<[u8; 3]> {
    let n = sym.size + 2 * quiet;
    let mut out = Vec::with_capacity(n * n);
    for y in 0..n {
        for x in 0..n {
            let dark = sym.dark(x as isize - quiet as isize, y as isize - quiet as isize);
            // Inverted: set modules light, everything else dark.
            let set = if dark != inverted {
                pal.dark
            } else {
                pal.light
            };
            out.push(*rng.pick(set));
        }
    }
    out
}

/// The clean reference: each module's rendered colour classified by the
/// nearest palette colour, back to standard polarity.
fn clean_code(
    colour_at: impl Fn(usize, usize) -> [u8; 3],
    size: usize,
    pal: &Palette,
    inverted: bool,
) -> CleanCode {
    let n = size + 2 * CLEAN_QUIET;
    let side = n * CLEAN_PPM;
    let mut px = vec![255u8; side * side];
    let dist = |a: [u8; 3], b: [u8; 3]| {
        (0..3)
            .map(|k| (i32::from(a[k]) - i32::from(b[k])).pow(2))
            .sum::<i32>()
    };
    for my in 0..size {
        for mx in 0..size {
            let c = colour_at(mx, my);
            let dd = pal
                .dark
                .iter()
                .map(|d| dist(c, *d))
                .min()
                .unwrap_or(i32::MAX);
            let dl = pal
                .light
                .iter()
                .map(|l| dist(c, *l))
                .min()
                .unwrap_or(i32::MAX);
            let set = (dd < dl) != inverted;
            if set {
                for y in 0..CLEAN_PPM {
                    for x in 0..CLEAN_PPM {
                        px[((my + CLEAN_QUIET) * CLEAN_PPM + y) * side
                            + (mx + CLEAN_QUIET) * CLEAN_PPM
                            + x] = 0;
                    }
                }
            }
        }
    }
    CleanCode { side, px }
}

/// A printed card: `ppm_src` raster pixels per module.
fn print_surface(colours: &[[u8; 3]], n: usize, ppm_src: usize) -> Surface {
    let side = n * ppm_src;
    let mut img = Rgb::new(side, side, [0.0; 3]);
    for y in 0..side {
        for x in 0..side {
            img.px[y * side + x] = f(colours[(y / ppm_src) * n + x / ppm_src]);
        }
    }
    Surface {
        img,
        units: n as f64,
    }
}

/// A monitor showing the card with `k` screen pixels per module, `margin`
/// modules of screen background around it and a bezel: one surface unit per
/// screen pixel, drawn as vertical R, G, B stripes with a dark gap between
/// pixel rows (3 × 3 raster pixels per screen pixel). Returns the surface and
/// the offset (in screen pixels) of the card's top-left corner.
fn screen_surface(
    colours: &[[u8; 3]],
    n: usize,
    k: usize,
    margin: usize,
    bezel: usize,
    bright: f32,
    bg: [u8; 3],
) -> (Surface, usize) {
    let off = bezel + margin * k;
    let units = n * k + 2 * off;
    let side = units * 3;
    let mut img = Rgb::new(side, side, [12.0, 12.0, 14.0]);
    // Average of the stripe pattern is (1 + 1 + 0.3) / 9 of a channel.
    let gain = bright * 9.0 / 2.3;
    for sy in bezel..units - bezel {
        for sx in bezel..units - bezel {
            let inside = sx >= off && sy >= off && sx < off + n * k && sy < off + n * k;
            let c = if inside {
                colours[((sy - off) / k) * n + (sx - off) / k]
            } else {
                bg
            };
            for ry in 0..3 {
                let row = if ry == 2 { 0.3 } else { 1.0 };
                for (ch, rx) in (0..3).enumerate() {
                    let mut p = [0.0f32; 3];
                    p[ch] = f32::from(c[ch]) * gain * row;
                    img.px[(sy * 3 + ry) * side + sx * 3 + rx] = p;
                }
            }
        }
    }
    (
        Surface {
            img,
            units: units as f64,
        },
        off,
    )
}

/// Finds the frame position of the surface: fits the projected quad inside
/// the frame (shrinking the scale if needed) at a random place. Returns the
/// homography from surface units to frame pixels and the scale used.
fn place(
    rng: &mut Rng,
    pose: &mut Pose,
    units: f64,
    w: usize,
    h: usize,
) -> Result<Homography, String> {
    let src = [[0.0, 0.0], [units, 0.0], [units, units], [0.0, units]];
    let margin = 6.0;
    let mut quad = pose.project(units, &src);
    for _ in 0..20 {
        let (minx, maxx) = quad
            .iter()
            .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p[0]), a.1.max(p[0])));
        let (miny, maxy) = quad
            .iter()
            .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p[1]), a.1.max(p[1])));
        let room_x = w as f64 - 2.0 * margin - (maxx - minx);
        let room_y = h as f64 - 2.0 * margin - (maxy - miny);
        if room_x >= 0.0 && room_y >= 0.0 {
            let cx = margin - minx + rng.range(0.0, room_x);
            let cy = margin - miny + rng.range(0.0, room_y);
            let dst = quad.map(|[x, y]| [x + cx, y + cy]);
            return Homography::from_quads(&src, &dst)
                .ok_or_else(|| "degenerate placement".to_owned());
        }
        let k = ((w as f64 - 2.0 * margin) / (maxx - minx))
            .min((h as f64 - 2.0 * margin) / (maxy - miny))
            .min(1.0);
        pose.scale *= k * 0.97;
        quad = pose.project(units, &src);
    }
    Err("the code does not fit in the frame".to_owned())
}

/// Generates frame `index` of `category` at `w` × `h` for `seed`.
pub fn generate(
    seed: u64,
    category: &str,
    w: usize,
    h: usize,
    index: u32,
) -> Result<Frame, String> {
    let mut rng = Rng::derive(
        seed,
        &[hash_str(category), w as u64, h as u64, u64::from(index)],
    );
    let mut rng_payload = rng.fork();
    let mut rng_recipe = rng.fork();
    let mut rng_scene = rng.fork();
    let mut rng_code = rng.fork();
    let mut rng_place = rng.fork();
    let mut rng_sensor = rng.fork();
    if category.starts_with("no-code-") {
        return no_code(category, w, h, index, seed, &mut rng_scene, &mut rng_sensor);
    }

    let payload = qr::random_payload(&mut rng_payload);
    let sym = qr::encode(payload.as_bytes())?;
    let r = recipe(&mut rng_recipe, category, w, h, index)?;
    let mut params = Map::new();
    params.insert("version".into(), json!(sym.version));
    params.insert("modules".into(), json!(sym.size));
    params.insert("payload_len".into(), json!(payload.len()));
    params.insert("quiet_zone".into(), json!(r.quiet));
    params.insert("inverted".into(), json!(r.inverted));

    let mut frame = scene::background(&mut rng_scene, w, h);
    let n = sym.size + 2 * r.quiet;
    let colours = module_colours(&mut rng_code, &sym, &r.palette, r.inverted, r.quiet);
    let clean = clean_code(
        |x, y| colours[(y + r.quiet) * n + x + r.quiet],
        sym.size,
        &r.palette,
        r.inverted,
    );

    let mut pose = Pose {
        scale: r.ppm,
        rotation: r.rotation,
        tilt_x: r.tilt_x,
        tilt_y: r.tilt_y,
        focal: r.focal,
    };
    // Surface units per module and offset of the card in surface units.
    let (surface, unit_per_module, card_off, samples) = if let Some((k, scale)) = r.moire {
        let margin = rng_code.int(1, 8);
        let bezel = rng_code.int(8, 30);
        let bright = rng_code.range(0.8, 1.05) as f32;
        let bg = *rng_code.pick(r.palette.light);
        let (surf, off) = screen_surface(
            &colours,
            n,
            k,
            margin,
            bezel,
            bright,
            if r.inverted { r.palette.dark[0] } else { bg },
        );
        pose.scale = scale;
        params.insert("screen_px_per_module".into(), json!(k));
        params.insert("screen_brightness".into(), r4(f64::from(bright)));
        // The room around the monitor is dimmer than the screen.
        degrade::exposure(&mut frame, rng_code.range(0.35, 0.8));
        (surf, k as f64, off as f64, 2)
    } else {
        let ppm_src = ((r.ppm * 1.5).ceil() as usize).clamp(4, 16);
        (print_surface(&colours, n, ppm_src), 1.0, 0.0, 2)
    };
    let to_frame = place(&mut rng_place, &mut pose, surface.units, w, h)?;
    warp::composite(&mut frame, &surface, &to_frame, samples)?;
    let module_px = pose.scale * unit_per_module;
    let q0 = card_off + r.quiet as f64 * unit_per_module;
    let q1 = q0 + sym.size as f64 * unit_per_module;
    let corners = [[q0, q0], [q1, q0], [q1, q1], [q0, q1]].map(|[x, y]| {
        let (fx, fy) = to_frame.apply(x, y);
        [(fx * 100.0).round() / 100.0, (fy * 100.0).round() / 100.0]
    });
    params.insert("module_px".into(), r4(module_px));
    params.insert(
        "rotation_deg".into(),
        r4((r.rotation / DEG).rem_euclid(360.0)),
    );
    params.insert("tilt_x_deg".into(), r4(r.tilt_x / DEG));
    params.insert("tilt_y_deg".into(), r4(r.tilt_y / DEG));
    params.insert("focal_px".into(), r4(r.focal));

    // Light on the scene (a monitor emits its own: no gradient or shadow).
    let centre = to_frame.apply(
        card_off + n as f64 * unit_per_module / 2.0,
        card_off + n as f64 * unit_per_module / 2.0,
    );
    let code_side = sym.size as f64 * module_px;
    let (lo, hi, ga) = r.gradient;
    if r.moire.is_none() {
        let (at, span) = match r.gradient_span {
            Some(k) => (centre, k * code_side),
            None => ((w as f64 / 2.0, h as f64 / 2.0), (w as f64).hypot(h as f64)),
        };
        degrade::light_gradient(&mut frame, at, span, (lo, hi), ga);
        params.insert(
            "light_gradient".into(),
            json!([r4(lo), r4(hi), r4(ga / DEG)]),
        );
        if let Some(k) = r.gradient_span {
            params.insert("light_span_code".into(), r4(k));
        }
    }
    if let Some((depth, soft, angle, off)) = r.shadow {
        let (cx, cy) = (
            centre.0 + off * code_side * angle.cos(),
            centre.1 + off * code_side * angle.sin(),
        );
        degrade::shadow(&mut frame, cx, cy, angle, depth, soft);
        params.insert(
            "shadow".into(),
            json!({"depth": r4(depth), "soft_px": r4(soft), "angle_deg": r4(angle / DEG)}),
        );
    }
    if let Some((radius, aspect, core, ox, oy)) = r.glare {
        let g = Glare {
            cx: centre.0 + ox * code_side,
            cy: centre.1 + oy * code_side,
            rx: radius * code_side,
            ry: radius * code_side * aspect,
            angle: rng_code.range(0.0, std::f64::consts::PI),
            core,
            tint: [
                255.0,
                rng_code.range(245.0, 255.0) as f32,
                rng_code.range(230.0, 255.0) as f32,
            ],
        };
        degrade::glare(&mut frame, &g);
        params.insert(
            "glare".into(),
            json!({"radius_code": r4(radius), "aspect": r4(aspect), "core": r4(core)}),
        );
    }

    // Optics: lens blur (base plus extra, in module units for the extra).
    let extra = r.blur * module_px;
    let sigma = (r.base_blur * r.base_blur + extra * extra).sqrt();
    degrade::gaussian_blur(&mut frame, sigma);
    params.insert("blur_sigma_px".into(), r4(sigma));
    if r.blur > 0.0 {
        params.insert("blur_sigma_modules".into(), r4(sigma / module_px));
    }
    if let Some((len, angle)) = r.motion {
        degrade::motion_blur(&mut frame, len * module_px, angle);
        params.insert("motion_px".into(), r4(len * module_px));
        params.insert("motion_modules".into(), r4(len));
        params.insert("motion_angle_deg".into(), r4(angle / DEG));
    }

    // Sensor.
    degrade::vignette(&mut frame, r.vignette);
    degrade::exposure(&mut frame, r.gain);
    degrade::sensor_noise(&mut frame, &mut rng_sensor, r.read_noise, r.shot_noise);
    params.insert("vignette".into(), r4(r.vignette));
    params.insert("gain".into(), r4(r.gain));
    params.insert("read_noise".into(), r4(r.read_noise));
    params.insert("shot_noise".into(), r4(r.shot_noise));

    let rgb = frame.to_rgb8();
    let (format, bytes, row_stride, planes) = match (r.jpeg, r.format) {
        (Some(q), _) => {
            params.insert("jpeg_quality".into(), json!(q));
            (Format::Jpeg, encode_jpeg(&rgb, w, h, q)?, None, Vec::new())
        }
        (None, Format::Png) | (None, Format::Jpeg) => {
            (Format::Png, encode_png(&rgb, w, h)?, None, Vec::new())
        }
        (None, raw) => {
            let stride =
                w.div_ceil(r.stride_align) * r.stride_align + r.stride_pad * r.stride_align;
            let (bytes, planes) = yuv::encode(&rgb, w, h, raw, stride, &mut rng_sensor);
            params.insert("stride_align".into(), json!(r.stride_align));
            (raw, bytes, Some(stride as u32), planes)
        }
    };
    let palette = if r.inverted {
        format!("inv:{}", r.palette.name)
    } else {
        r.palette.name.to_owned()
    };
    params.insert(
        "palette_luma".into(),
        json!([
            r4(luma(r.palette.dark[0]) / 255.0),
            r4(luma(r.palette.light[0]) / 255.0)
        ]),
    );
    let entry = Entry {
        file: format!("{category}/{w}x{h}-{index:03}.{}", format.ext()),
        category: category.to_owned(),
        width: w as u32,
        height: h as u32,
        format,
        row_stride,
        planes,
        payload,
        accept: Vec::new(),
        palette,
        corners,
        seed,
        index,
        params,
    };
    Ok(Frame {
        entry,
        bytes,
        clean,
    })
}

/// A frame of a `no-code-*` category (see [`TIMING_CATEGORIES`]).
fn no_code(
    category: &str,
    w: usize,
    h: usize,
    index: u32,
    seed: u64,
    rng: &mut Rng,
    rng_sensor: &mut Rng,
) -> Result<Frame, String> {
    let mut params = Map::new();
    let mut frame = match category {
        "no-code-desk" => {
            let mut img = scene::background(rng, w, h);
            let sigma = rng.range(0.45, 0.9) * (h as f64 / 720.0).powf(0.7);
            degrade::gaussian_blur(&mut img, sigma);
            let (read, shot) = (rng.range(1.5, 4.0), rng.range(0.02, 0.08));
            degrade::sensor_noise(&mut img, rng_sensor, read, shot);
            params.insert("read_noise".into(), r4(read));
            img
        }
        "no-code-gradient" => {
            let mut img = Rgb::new(w, h, [128.0; 3]);
            let (lo, hi) = (rng.range(0.2, 0.6), rng.range(1.0, 1.8));
            let angle = rng.range(0.0, 360.0) * DEG;
            degrade::light_gradient(
                &mut img,
                (w as f64 / 2.0, h as f64 / 2.0),
                (w as f64).hypot(h as f64),
                (lo, hi),
                angle,
            );
            degrade::sensor_noise(&mut img, rng_sensor, rng.range(1.0, 3.0), 0.02);
            params.insert("light_gradient".into(), json!([r4(lo), r4(hi)]));
            img
        }
        "no-code-sensor" => {
            let level = rng.range(40.0, 200.0) as f32;
            let mut img = Rgb::new(w, h, [level; 3]);
            let (read, shot) = (rng.range(20.0, 55.0), rng.range(0.2, 1.0));
            degrade::sensor_noise(&mut img, rng_sensor, read, shot);
            params.insert("read_noise".into(), r4(read));
            img
        }
        "no-code-uniform" => {
            let mut img = Rgb::new(w, h, [0.0; 3]);
            for p in &mut img.px {
                *p = [0, 1, 2].map(|_| rng_sensor.range(0.0, 256.0) as f32);
            }
            params.insert("uniform_noise".into(), json!([0, 255]));
            img
        }
        other => return Err(format!("unknown category {other:?}")),
    };
    degrade::exposure(&mut frame, 1.0);
    let rgb = frame.to_rgb8();
    let entry = Entry {
        file: format!("{category}/{w}x{h}-{index:03}.png"),
        category: category.to_owned(),
        width: w as u32,
        height: h as u32,
        format: Format::Png,
        row_stride: None,
        planes: Vec::new(),
        payload: String::new(),
        accept: Vec::new(),
        palette: String::new(),
        corners: [[0.0; 2]; 4],
        seed,
        index,
        params,
    };
    Ok(Frame {
        entry,
        bytes: encode_png(&rgb, w, h)?,
        clean: CleanCode {
            side: 0,
            px: Vec::new(),
        },
    })
}

fn encode_png(rgb: &[u8], w: usize, h: usize) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(rgb, w as u32, h as u32, image::ExtendedColorType::Rgb8)
        .map_err(|e| format!("png encoding failed: {e}"))?;
    Ok(out)
}

fn encode_jpeg(rgb: &[u8], w: usize, h: usize, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(rgb, w as u32, h as u32, image::ExtendedColorType::Rgb8)
        .map_err(|e| format!("jpeg encoding failed: {e}"))?;
    Ok(out)
}

/// Encodes a clean reference as a grey PNG.
pub fn clean_png(c: &CleanCode) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            &c.px,
            c.side as u32,
            c.side as u32,
            image::ExtendedColorType::L8,
        )
        .map_err(|e| format!("png encoding failed: {e}"))?;
    Ok(out)
}

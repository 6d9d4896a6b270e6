//! Camera-like backgrounds: a smoothly varying surface (desk, wall, fabric)
//! with objects on it: plain and textured boards, round things, printed pages
//! with lines of "text", tiled surfaces whose corners look a bit like finder
//! patterns. Never a flat white page.

use crate::raster::Rgb;
use crate::rng::Rng;

/// Smooth random field in [0, 1]: a lattice of random values, interpolated.
struct ValueNoise {
    cell: f32,
    gw: usize,
    grid: Vec<f32>,
}

impl ValueNoise {
    fn new(rng: &mut Rng, w: usize, h: usize, cell: f32) -> Self {
        let gw = (w as f32 / cell) as usize + 3;
        let gh = (h as f32 / cell) as usize + 3;
        let grid = (0..gw * gh).map(|_| rng.unit() as f32).collect();
        Self { cell, gw, grid }
    }

    fn at(&self, x: f32, y: f32) -> f32 {
        let gx = x / self.cell;
        let gy = y / self.cell;
        let (x0, y0) = (gx.floor(), gy.floor());
        let s = |t: f32| t * t * (3.0 - 2.0 * t);
        let (fx, fy) = (s(gx - x0), s(gy - y0));
        let (i, j) = (x0.max(0.0) as usize, y0.max(0.0) as usize);
        let g = |a: usize, b: usize| self.grid.get(b * self.gw + a).copied().unwrap_or(0.5);
        let top = g(i, j) + (g(i + 1, j) - g(i, j)) * fx;
        let bot = g(i, j + 1) + (g(i + 1, j + 1) - g(i, j + 1)) * fx;
        top + (bot - top) * fy
    }
}

fn random_colour(rng: &mut Rng, lo: f64, hi: f64) -> [f32; 3] {
    // A base brightness with a random tint, like real surfaces (mostly muted).
    let v = rng.range(lo, hi);
    let sat = if rng.chance(0.3) {
        rng.range(0.3, 0.8)
    } else {
        rng.range(0.0, 0.3)
    };
    let mut c = [0.0f32; 3];
    for ch in &mut c {
        *ch = (v * (1.0 + sat * rng.range(-1.0, 1.0))).clamp(0.0, 255.0) as f32;
    }
    c
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn scale(a: [f32; 3], k: f32) -> [f32; 3] {
    [a[0] * k, a[1] * k, a[2] * k]
}

#[derive(Debug, Clone, Copy)]
enum Fill {
    Plain,
    Stripes { period: f32, angle: f32 },
    Grain { cell: f32 },
    Tiles { period: f32 },
    Page,
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Rect,
    Ellipse,
}

/// Draws one object: a rotated rectangle or ellipse with a fill.
fn draw_object(img: &mut Rgb, rng: &mut Rng) {
    let (w, h) = (img.w as f64, img.h as f64);
    let cx = rng.range(-0.1, 1.1) * w;
    let cy = rng.range(-0.1, 1.1) * h;
    let rx = rng.range(0.04, 0.35) * w;
    let ry = rng.range(0.04, 0.35) * h;
    let angle = if rng.chance(0.5) {
        rng.range(-0.3, 0.3)
    } else {
        rng.range(0.0, std::f64::consts::PI)
    };
    let shape = if rng.chance(0.7) {
        Shape::Rect
    } else {
        Shape::Ellipse
    };
    let fill = match rng.below(6) {
        0 => Fill::Stripes {
            period: rng.range(3.0, 40.0) as f32,
            angle: rng.range(0.0, 3.2) as f32,
        },
        1 => Fill::Grain {
            cell: rng.range(2.0, 12.0) as f32,
        },
        2 => Fill::Tiles {
            period: rng.range(8.0, 60.0) as f32,
        },
        3 => Fill::Page,
        _ => Fill::Plain,
    };
    let (c0, c1) = match fill {
        Fill::Page => (
            random_colour(rng, 200.0, 245.0),
            random_colour(rng, 20.0, 70.0),
        ),
        _ => (
            random_colour(rng, 30.0, 230.0),
            random_colour(rng, 30.0, 230.0),
        ),
    };
    let grain_cell = if let Fill::Grain { cell } = fill {
        cell
    } else {
        40.0
    };
    let grain = ValueNoise::new(rng, img.w, img.h, grain_cell);
    // Lines of "text" on a page: bars in the object's own coordinates.
    let mut bars = Vec::new();
    if let Fill::Page = fill {
        let line = rng.range(7.0, 18.0);
        let mut y = -ry + line * 1.5;
        while y < ry - line {
            let mut x = -rx + line;
            while x < rx - line {
                let len = rng.range(line * 0.8, line * 5.0);
                if rng.chance(0.85) {
                    bars.push((x, y, (x + len).min(rx - line), y + line * 0.55));
                }
                x += len + line * 0.45;
            }
            y += line * rng.range(1.4, 1.9);
        }
    }
    let (sa, ca) = angle.sin_cos();
    let reach = rx.max(ry) * 1.0;
    let x0 = (cx - reach).max(0.0) as usize;
    let x1 = ((cx + reach).min(w - 1.0)).max(0.0) as usize;
    let y0 = (cy - reach).max(0.0) as usize;
    let y1 = ((cy + reach).min(h - 1.0)).max(0.0) as usize;
    let shade = rng.range(0.85, 1.1) as f32;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let dx = x as f64 + 0.5 - cx;
            let dy = y as f64 + 0.5 - cy;
            let u = dx * ca + dy * sa;
            let v = -dx * sa + dy * ca;
            let inside = match shape {
                Shape::Rect => u.abs() <= rx && v.abs() <= ry,
                Shape::Ellipse => (u / rx).powi(2) + (v / ry).powi(2) <= 1.0,
            };
            if !inside {
                continue;
            }
            let (uf, vf) = (u as f32, v as f32);
            let c = match fill {
                Fill::Plain => scale(c0, 0.92 + 0.16 * grain.at(x as f32, y as f32)),
                Fill::Stripes { period, angle } => {
                    let t = (uf * angle.cos() + vf * angle.sin()) / period;
                    mix(c0, c1, 0.5 + 0.5 * (t * std::f32::consts::TAU).sin())
                }
                Fill::Grain { .. } => mix(c0, c1, grain.at(x as f32, y as f32)),
                Fill::Tiles { period } => {
                    let a =
                        ((uf / period).floor() as i64 + (vf / period).floor() as i64).rem_euclid(2);
                    if a == 0 { c0 } else { c1 }
                }
                Fill::Page => {
                    if bars
                        .iter()
                        .any(|&(bx0, by0, bx1, by1)| u >= bx0 && u < bx1 && v >= by0 && v < by1)
                    {
                        c1
                    } else {
                        c0
                    }
                }
            };
            img.px[y * img.w + x] = scale(c, shade);
        }
    }
}

/// A random background scene of `w` × `h` pixels.
pub fn background(rng: &mut Rng, w: usize, h: usize) -> Rgb {
    let c0 = random_colour(rng, 40.0, 200.0);
    let c1 = random_colour(rng, 40.0, 200.0);
    let cells = [
        rng.range(150.0, 500.0) as f32,
        rng.range(30.0, 90.0) as f32,
        rng.range(2.0, 6.0) as f32,
    ];
    let coarse = ValueNoise::new(rng, w, h, cells[0]);
    let mid = ValueNoise::new(rng, w, h, cells[1]);
    let fine = ValueNoise::new(rng, w, h, cells[2]);
    let fine_amp = rng.range(0.03, 0.15) as f32;
    let mut img = Rgb::new(w, h, [0.0; 3]);
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f32, y as f32);
            let t = 0.7 * coarse.at(xf, yf) + 0.3 * mid.at(xf, yf);
            let k = 1.0 + fine_amp * (fine.at(xf, yf) - 0.5) * 2.0;
            img.px[y * w + x] = scale(mix(c0, c1, t), k);
        }
    }
    for _ in 0..rng.int(3, 10) {
        draw_object(&mut img, rng);
    }
    img
}

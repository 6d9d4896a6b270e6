//! Colours of the rendered code: monochrome prints, high-contrast brand
//! colours, low-luminance-contrast pairs (BT.601 luma within 15 % of each
//! other) and coloured mosaics where every module picks its own colour.

/// Which family a palette belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Near-black on near-white.
    Mono,
    /// Brand colours with a large luma difference.
    High,
    /// Pairs whose BT.601 luma differs by less than 15 % of full scale.
    Low,
    /// Several dark and several light colours, one picked per module.
    Mosaic,
}

/// Colours of dark modules (bit set) and of light modules and quiet zone.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Name written to the manifest.
    pub name: &'static str,
    /// Family.
    pub kind: Kind,
    /// Colours of dark (set) modules; one is picked per module.
    pub dark: &'static [[u8; 3]],
    /// Colours of light modules and of the quiet zone.
    pub light: &'static [[u8; 3]],
}

const fn pair(
    name: &'static str,
    kind: Kind,
    dark: &'static [[u8; 3]],
    light: &'static [[u8; 3]],
) -> Palette {
    Palette {
        name,
        kind,
        dark,
        light,
    }
}

/// Monochrome prints and screens.
pub const MONO: &[Palette] = &[
    pair(
        "black-white",
        Kind::Mono,
        &[[17, 17, 17]],
        &[[250, 250, 250]],
    ),
    pair("ink-paper", Kind::Mono, &[[35, 31, 32]], &[[238, 232, 218]]),
    pair(
        "gray-print",
        Kind::Mono,
        &[[70, 70, 72]],
        &[[214, 214, 210]],
    ),
];

/// High-contrast brand colours.
pub const HIGH: &[Palette] = &[
    pair(
        "navy-white",
        Kind::High,
        &[[26, 35, 126]],
        &[[255, 255, 255]],
    ),
    pair(
        "forest-white",
        Kind::High,
        &[[27, 94, 32]],
        &[[250, 250, 250]],
    ),
    pair(
        "crimson-white",
        Kind::High,
        &[[183, 28, 28]],
        &[[255, 255, 255]],
    ),
    pair(
        "purple-cream",
        Kind::High,
        &[[74, 20, 140]],
        &[[255, 248, 225]],
    ),
    pair(
        "black-yellow",
        Kind::High,
        &[[20, 20, 20]],
        &[[255, 214, 0]],
    ),
    pair("teal-mint", Kind::High, &[[0, 77, 64]], &[[224, 242, 241]]),
    pair(
        "brown-sand",
        Kind::High,
        &[[78, 52, 46]],
        &[[255, 236, 179]],
    ),
    pair(
        "orange-white",
        Kind::High,
        &[[230, 81, 0]],
        &[[255, 255, 255]],
    ),
    pair(
        "indigo-lavender",
        Kind::High,
        &[[48, 63, 159]],
        &[[232, 234, 246]],
    ),
];

/// Low luminance contrast: readable by colour, nearly invisible in luma.
pub const LOW: &[Palette] = &[
    pair(
        "red-on-green",
        Kind::Low,
        &[[205, 45, 45]],
        &[[40, 140, 40]],
    ),
    pair(
        "blue-on-purple",
        Kind::Low,
        &[[40, 70, 230]],
        &[[150, 60, 170]],
    ),
    pair(
        "pastel-blue-on-white",
        Kind::Low,
        &[[190, 228, 250]],
        &[[255, 255, 255]],
    ),
    pair(
        "pastel-pink-on-white",
        Kind::Low,
        &[[252, 205, 220]],
        &[[255, 255, 255]],
    ),
    pair(
        "orange-on-teal",
        Kind::Low,
        &[[245, 130, 20]],
        &[[30, 170, 160]],
    ),
    pair(
        "yellow-on-white",
        Kind::Low,
        &[[255, 224, 130]],
        &[[255, 255, 255]],
    ),
    pair(
        "red-on-gray",
        Kind::Low,
        &[[200, 40, 40]],
        &[[110, 110, 110]],
    ),
];

/// Coloured mosaics: each module picks one colour of its set.
pub const MOSAIC: &[Palette] = &[
    pair(
        "mosaic-jewel",
        Kind::Mosaic,
        &[
            [26, 35, 126],
            [136, 14, 79],
            [0, 77, 64],
            [74, 20, 140],
            [191, 54, 12],
        ],
        &[
            [255, 249, 196],
            [225, 245, 254],
            [252, 228, 236],
            [241, 248, 233],
            [255, 255, 255],
        ],
    ),
    pair(
        "mosaic-earth",
        Kind::Mosaic,
        &[
            [62, 39, 35],
            [51, 105, 30],
            [27, 94, 32],
            [38, 50, 56],
            [109, 76, 65],
        ],
        &[
            [255, 224, 178],
            [220, 237, 200],
            [245, 245, 245],
            [255, 236, 179],
            [215, 204, 200],
        ],
    ),
    pair(
        "mosaic-neon",
        Kind::Mosaic,
        &[[98, 0, 234], [197, 17, 98], [41, 98, 255], [0, 131, 143]],
        &[
            [185, 246, 202],
            [255, 255, 141],
            [255, 209, 128],
            [132, 255, 255],
        ],
    ),
    pair(
        "mosaic-warm-cool",
        Kind::Mosaic,
        &[[200, 40, 60], [220, 90, 30], [170, 40, 120], [190, 60, 40]],
        &[
            [120, 200, 190],
            [140, 190, 230],
            [150, 215, 160],
            [110, 190, 220],
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::luma;

    fn luma_gap(p: &Palette) -> f64 {
        // Smallest distance between any dark and any light colour's luma.
        let mut gap = f64::MAX;
        for d in p.dark {
            for l in p.light {
                gap = gap.min((luma(*d) - luma(*l)).abs());
            }
        }
        gap
    }

    #[test]
    fn low_contrast_pairs_differ_by_less_than_15_percent_luma() {
        for p in LOW {
            let d = (luma(p.dark[0]) - luma(p.light[0])).abs() / 255.0;
            assert!(d < 0.15, "{}: {d}", p.name);
        }
    }

    #[test]
    fn high_contrast_and_mosaics_separate_in_luma() {
        for p in MONO.iter().chain(HIGH) {
            assert!(luma_gap(p) / 255.0 > 0.35, "{}", p.name);
        }
        for p in MOSAIC {
            assert!(luma_gap(p) / 255.0 > 0.15, "{}", p.name);
        }
    }
}

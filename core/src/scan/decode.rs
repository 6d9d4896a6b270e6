//! A sampled grid handed to rqrr (the one-function fork in
//! `third_party/rqrr`): cheap plausibility checks first, then error
//! correction with or without erasures, behind `catch_unwind`.

/// A sampled module grid, for rqrr's decoder.
pub(super) struct Sampled {
    pub(super) dim: usize,
    pub(super) cells: Vec<bool>,
    /// Modules that could not be read (empty: none known).
    pub(super) erased: Vec<bool>,
}

/// A sampled grid as rqrr reads it: with or without its erasures.
struct ForDecoder<'a> {
    grid: &'a Sampled,
    erasures: bool,
}

impl rqrr::BitGrid for ForDecoder<'_> {
    fn size(&self) -> usize {
        self.grid.dim
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.grid
            .cells
            .get(y * self.grid.dim + x)
            .copied()
            .unwrap_or(false)
    }

    fn erased(&self, y: usize, x: usize) -> bool {
        self.erasures
            && self
                .grid
                .erased
                .get(y * self.grid.dim + x)
                .copied()
                .unwrap_or(false)
    }
}

/// Erased modules worth a second decode (a patch of three by three).
pub(super) const MIN_ERASED: usize = 9;

/// The 32 valid format-information words (BCH(15,5), generator 0x537),
/// before the 0x5412 mask.
fn format_codewords() -> [u16; 32] {
    let mut words = [0u16; 32];
    for (data, word) in words.iter_mut().enumerate() {
        let mut rem = (data as u32) << 10;
        for bit in (10..15).rev() {
            if rem & (1 << bit) != 0 {
                rem ^= 0x537 << (bit - 10);
            }
        }
        *word = (((data as u32) << 10) | rem) as u16;
    }
    words
}

impl Sampled {
    /// The grid as rows of 0/1 (for traces).
    pub(super) fn dump(&self) -> String {
        let mut out = String::from("    grid ");
        for row in self.cells.chunks(self.dim.max(1)) {
            out.extend(row.iter().map(|&c| if c { '1' } else { '0' }));
            out.push('/');
        }
        out
    }

    fn at(&self, x: usize, y: usize, mirrored: bool) -> bool {
        let (x, y) = if mirrored { (y, x) } else { (x, y) };
        self.cells.get(y * self.dim + x).copied().unwrap_or(false)
    }

    /// Whether the grid looks like a QR code before the costly decode: the
    /// timing patterns mostly alternate, and one copy of the format
    /// information is within the 3 errors BCH(15,5) corrects (in either
    /// orientation, as rqrr also tries the mirror image).
    pub(super) fn plausible(&self) -> bool {
        let n = self.dim;
        if n < 21 {
            return false;
        }
        let span = n - 16;
        let matches = (8..n - 8)
            .map(|i| {
                usize::from(self.at(i, 6, false) == (i % 2 == 0))
                    + usize::from(self.at(6, i, false) == (i % 2 == 0))
            })
            .sum::<usize>();
        // Random cells match half the time; a real grid far more often.
        if matches * 4 < span * 2 * 3 {
            return false;
        }
        let codewords = format_codewords();
        let near = |word: u16| codewords.iter().any(|c| (c ^ word).count_ones() <= 3);
        const XS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
        const YS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
        [false, true].into_iter().any(|mirrored| {
            let mut first = 0u16;
            for (i, (&x, &y)) in XS.iter().zip(YS.iter()).enumerate() {
                first |= u16::from(self.at(x, y, mirrored)) << i;
            }
            let mut second = 0u16;
            for i in 0..7 {
                second = (second << 1) | u16::from(self.at(8, n - 1 - i, mirrored));
            }
            for i in 0..8 {
                second = (second << 1) | u16::from(self.at(n - 8 + i, 8, mirrored));
            }
            near(first ^ 0x5412) || near(second ^ 0x5412)
        })
    }

    /// How many modules are erased.
    pub(super) fn erasures(&self) -> usize {
        self.erased.iter().filter(|&&e| e).count()
    }

    /// Corrects and decodes the grid, with its erased modules as erasures
    /// or not; `None` if it is not a readable code.
    pub(super) fn decode(&self, erasures: bool) -> Option<Vec<u8>> {
        let grid = rqrr::Grid::new(ForDecoder {
            grid: self,
            erasures,
        });
        let mut payload = Vec::new();
        // rqrr is not ours: a panic inside it must not take the app down.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            grid.decode_to(&mut payload)
        }));
        // A grid that decodes to no data at all is noise that happened to
        // pass error correction (found by fuzzing): no code carries nothing.
        (matches!(result, Ok(Ok(_))) && !payload.is_empty()).then_some(payload)
    }
}

//! rqrr's decoder as Tessera ships it (`third_party/rqrr`, ADR 0008: fast
//! syndromes, erasures): a module grid of any version, with or without
//! erased modules, through the format information, Reed-Solomon correction
//! of errors and erasures, and the data segments. The scanner hands rqrr
//! exactly such grids; here they come straight from the input, so the
//! decoder meets grids no camera frame would produce.
//!
//! Input: version (1 + byte % 40), erasure mode (byte % 3: none, a
//! rectangle given by the next four bytes as x, y, width, height in
//! modules, or a bit plane after the grid's), the four rectangle bytes,
//! then the grid's modules row by row, one bit each (set = dark), the
//! bytes repeated when the input is short.
#![no_main]

use libfuzzer_sys::fuzz_target;

struct Grid<'a> {
    dim: usize,
    bits: &'a [u8],
    mode: u8,
    rect: [usize; 4],
}

impl Grid<'_> {
    fn plane_bit(&self, plane: usize, i: usize) -> bool {
        let byte = self.bits[(plane * self.dim * self.dim / 8 + i / 8) % self.bits.len()];
        byte & (0x80 >> (i % 8)) != 0
    }
}

impl rqrr::BitGrid for Grid<'_> {
    fn size(&self) -> usize {
        self.dim
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.plane_bit(0, y * self.dim + x)
    }

    fn erased(&self, y: usize, x: usize) -> bool {
        let [x0, y0, w, h] = self.rect;
        match self.mode {
            1 => (x0..x0 + w).contains(&x) && (y0..y0 + h).contains(&y),
            2 => self.plane_bit(1, y * self.dim + x),
            _ => false,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [version, mode, x, y, w, h, bits @ ..] = data else {
        return;
    };
    if bits.is_empty() {
        return;
    }
    let dim = 17 + 4 * (1 + usize::from(*version) % 40);
    let grid = Grid {
        dim,
        bits,
        mode: mode % 3,
        rect: [x, y, w, h].map(|v| usize::from(*v) % dim),
    };
    let mut payload = Vec::new();
    let _ = rqrr::Grid::new(grid).decode_to(&mut payload);
});

//! Writes the scanner's binary luma view of an image as PNG (development aid).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let img = image::open(&args[1]).unwrap().into_rgba8();
    let (w, h) = img.dimensions();
    let data = img.into_raw();
    let frame = tessera_core::scan::Frame::rgba(w, h, &data, w as usize * 4).unwrap();
    let (bw, bh, bits) = tessera_core::scan::debug_bits(&frame, 1);
    let out = image::GrayImage::from_fn(bw as u32, bh as u32, |x, y| {
        image::Luma([if bits[y as usize * bw + x as usize] != 0 {
            0
        } else {
            255
        }])
    });
    out.save(&args[2]).unwrap();
}

//! Image files standing in for the camera (`tessera scan`, `activate`,
//! `approve`, `token import`, `demo`): a PNG or JPEG file → a frame of the
//! core's scanner, with bounded memory and time whatever the file declares.
//!
//! A small file can declare a huge image (a 568 KB PNG or a 3 MB
//! progressive JPEG of 23000² pixels), so nothing is decoded before the
//! file's size and the declared dimensions are checked, and the decoder
//! runs under an allocation limit. Images up to [`COLOUR_MAX_PIXELS`] keep
//! their colour (RGBA: the scanner's colour projections read low-contrast
//! coloured mosaics); larger ones, and grey ones, become luma frames (a
//! quarter of the memory; the scanner shrinks frames above two megapixels
//! anyway).

use std::fmt;
use std::io::{Cursor, Read};
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use tessera_core::scan::{Detection, Frame, MAX_DIMENSION, ScanError, Scanner};

/// Largest file read: a 50-megapixel phone photo as JPEG is about 25 MB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most pixels of an image: a 48-megapixel phone photo or an 8K screenshot.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Most pixels of an image kept in colour (4096 × 4096, 64 MiB as RGBA).
pub const COLOUR_MAX_PIXELS: u64 = 4096 * 4096;
/// Most memory the decoder may allocate (the decoded image included).
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// Why an image file gives no frame. The messages name no path (the caller
/// does) and say what to do.
#[derive(Debug)]
pub enum ImageInputError {
    /// The file cannot be read.
    Io(std::io::Error),
    /// The file is larger than [`MAX_FILE_BYTES`].
    FileTooLarge,
    /// Neither PNG nor JPEG.
    NotAnImage,
    /// The declared dimensions are refused before decoding.
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// The decoder failed (damaged file, or over the allocation limit).
    Decode(image::ImageError),
}

impl fmt::Display for ImageInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read the file: {e}"),
            Self::FileTooLarge => write!(
                f,
                "the file is larger than {} MiB; use a screenshot or a smaller photo of the mosaic",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            Self::NotAnImage => write!(f, "not a PNG or JPEG image"),
            Self::TooLarge { width, height } => write!(
                f,
                "the image is {width}×{height} pixels, more than this tool reads (at most \
                 {MAX_DIMENSION} pixels each way and {} megapixels); use a screenshot or a \
                 smaller photo of the mosaic",
                MAX_PIXELS / 1_000_000
            ),
            Self::Decode(image::ImageError::Limits(_)) => write!(
                f,
                "decoding the image would need more than {} MiB; use a screenshot or a smaller \
                 photo of the mosaic",
                MAX_DECODE_ALLOC / (1024 * 1024)
            ),
            Self::Decode(e) => write!(f, "cannot decode the image: {e}"),
        }
    }
}

/// A decoded image: RGBA or luma pixels, tightly packed.
#[derive(Debug)]
pub struct ImageFrame {
    width: u32,
    height: u32,
    colour: bool,
    pixels: Vec<u8>,
}

impl ImageFrame {
    /// The frame the scanner reads.
    pub fn frame(&self) -> Result<Frame<'_>, ScanError> {
        let w = self.width as usize;
        if self.colour {
            Frame::rgba(self.width, self.height, &self.pixels, w.saturating_mul(4))
        } else {
            Frame::luma(self.width, self.height, &self.pixels, w)
        }
    }

    /// Whether the colour was kept (RGBA rather than luma).
    #[cfg(test)]
    fn is_colour(&self) -> bool {
        self.colour
    }
}

/// Reads at most [`MAX_FILE_BYTES`] of `path`.
fn read_bounded(path: &Path) -> Result<Vec<u8>, ImageInputError> {
    let file = std::fs::File::open(path).map_err(ImageInputError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ImageInputError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImageInputError::FileTooLarge);
    }
    Ok(bytes)
}

/// A reader of PNG or JPEG `bytes` under the allocation limit, and the
/// dimension limits when `strict` (the first, unstrict, reader only reads
/// the dimensions, so that the message can say what they are).
fn reader(bytes: &[u8], strict: bool) -> Result<ImageReader<Cursor<&[u8]>>, ImageInputError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(ImageInputError::Io)?;
    if !matches!(reader.format(), Some(ImageFormat::Png | ImageFormat::Jpeg)) {
        return Err(ImageInputError::NotAnImage);
    }
    let mut limits = Limits::default();
    if strict {
        limits.max_image_width = Some(MAX_DIMENSION);
        limits.max_image_height = Some(MAX_DIMENSION);
    }
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    Ok(reader)
}

/// Refuses dimensions the scanner does not take or that would cost too much
/// to decode.
fn check_dimensions(width: u32, height: u32) -> Result<(), ImageInputError> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0
        || height == 0
        || width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || pixels > MAX_PIXELS
    {
        return Err(ImageInputError::TooLarge { width, height });
    }
    Ok(())
}

/// Decodes PNG or JPEG `bytes` (the format is read from the content, not
/// the name) after checking the dimensions they declare.
pub fn decode(bytes: &[u8]) -> Result<ImageFrame, ImageInputError> {
    // Only the header is read here.
    let (width, height) = reader(bytes, false)?
        .into_dimensions()
        .map_err(ImageInputError::Decode)?;
    check_dimensions(width, height)?;
    let image = reader(bytes, true)?
        .decode()
        .map_err(ImageInputError::Decode)?;
    // The decoder must agree with the header it was checked against.
    check_dimensions(image.width(), image.height())?;
    Ok(to_frame(image))
}

fn to_frame(image: DynamicImage) -> ImageFrame {
    let (width, height) = (image.width(), image.height());
    let pixels = u64::from(width) * u64::from(height);
    if image.color().has_color() && pixels <= COLOUR_MAX_PIXELS {
        ImageFrame {
            width,
            height,
            colour: true,
            pixels: image.into_rgba8().into_raw(),
        }
    } else {
        ImageFrame {
            width,
            height,
            colour: false,
            pixels: image.into_luma8().into_raw(),
        }
    }
}

/// Reads and decodes the image file at `path`.
pub fn load(path: &Path) -> Result<ImageFrame, ImageInputError> {
    decode(&read_bounded(path)?)
}

/// Every code the scanner finds in the image file at `path`.
pub fn scan_file(path: &Path, scanner: &Scanner) -> Result<Vec<Detection>, ImageInputError> {
    let image = load(path)?;
    // The dimensions were checked, so the frame is valid.
    Ok(image
        .frame()
        .map(|frame| scanner.scan(&frame))
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header declares `width × height` (and an empty image
    /// stream): what a decompression bomb looks like before it is decoded.
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let crc = crc32fast::hash(&out[start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn huge_declared_dimensions_are_refused_before_decoding() {
        for (w, h) in [
            (23_000, 23_000),
            (16_000, 16_000),
            (16_384, 4_000),
            (1, 20_000),
        ] {
            match decode(&png_header(w, h)) {
                Err(ImageInputError::TooLarge { width, height }) => {
                    assert_eq!((width, height), (w, h));
                }
                other => panic!("{w}×{h}: {other:?}"),
            }
        }
    }

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn colour_is_kept_below_the_limit_and_grey_becomes_luma() {
        let rgb = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            30,
            20,
            image::Rgb([200, 60, 60]),
        ));
        for format in [ImageFormat::Png, ImageFormat::Jpeg] {
            let frame = decode(&encode(&rgb, format)).unwrap();
            assert!(frame.is_colour());
            let f = frame.frame().unwrap();
            assert_eq!((f.width(), f.height()), (30, 20));
        }
        let grey = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(30, 20, image::Luma([7])));
        let frame = decode(&encode(&grey, ImageFormat::Png)).unwrap();
        assert!(!frame.is_colour());
        assert_eq!(frame.pixels.len(), 600);
    }

    #[test]
    fn large_colour_images_become_luma() {
        let rgb = DynamicImage::ImageRgb8(image::RgbImage::new(4097, 4096));
        let frame = to_frame(rgb);
        assert!(!frame.is_colour());
        assert_eq!(frame.pixels.len(), 4097 * 4096);
    }

    #[test]
    fn other_formats_and_garbage_are_refused() {
        assert!(matches!(
            decode(b"not an image"),
            Err(ImageInputError::NotAnImage)
        ));
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert!(matches!(decode(gif), Err(ImageInputError::NotAnImage)));
        let mut truncated = png_header(10, 10);
        truncated.truncate(20);
        assert!(matches!(
            decode(&truncated),
            Err(ImageInputError::Decode(_))
        ));
    }
}

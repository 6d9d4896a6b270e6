//! Turns a generated frame (manifest entry and file bytes) into what the
//! scanner takes: RGBA pixels for PNG/JPEG, the raw planes with their
//! strides for camera formats. Decoding happens here, before any timing.

use tessera_core::scan::{Frame, PixelFormat, Plane};

use crate::manifest::{Entry, Format};

/// A frame's pixels, decoded and ready for [`Pixels::frame`].
#[derive(Debug)]
pub enum Pixels {
    /// PNG or JPEG, decoded to RGBA.
    Rgba {
        /// Width.
        w: u32,
        /// Height.
        h: u32,
        /// Rows of 4 bytes per pixel.
        data: Vec<u8>,
    },
    /// A raw camera buffer, laid out as the entry's planes say.
    Raw(Vec<u8>),
}

impl Pixels {
    /// Decodes `bytes` (the file of `entry`).
    pub fn decode(entry: &Entry, bytes: Vec<u8>) -> Result<Self, String> {
        if entry.format.is_raw() {
            return Ok(Self::Raw(bytes));
        }
        let img = image::load_from_memory(&bytes)
            .map_err(|e| format!("{}: {e}", entry.file))?
            .into_rgba8();
        let (w, h) = img.dimensions();
        Ok(Self::Rgba {
            w,
            h,
            data: img.into_raw(),
        })
    }

    /// The scanner's view of these pixels.
    pub fn frame<'a>(&'a self, entry: &Entry) -> Result<Frame<'a>, String> {
        let err = |e: tessera_core::scan::ScanError| format!("{}: {e}", entry.file);
        match self {
            Self::Rgba { w, h, data } => Frame::rgba(*w, *h, data, *w as usize * 4).map_err(err),
            Self::Raw(data) => {
                let plane = |name: &str| -> Result<Plane<'a>, String> {
                    let p = entry
                        .planes
                        .iter()
                        .find(|p| p.name == name)
                        .ok_or_else(|| format!("{}: no {name} plane", entry.file))?;
                    let bytes = data
                        .get(p.offset as usize..)
                        .ok_or_else(|| format!("{}: short file", entry.file))?;
                    Ok(Plane::new(
                        bytes,
                        p.row_stride as usize,
                        p.pixel_stride as usize,
                    ))
                };
                if entry.format == Format::Gray {
                    Frame::new(entry.width, entry.height, PixelFormat::Luma, &[plane("y")?])
                        .map_err(err)
                } else {
                    let planes = [plane("y")?, plane("u")?, plane("v")?];
                    Frame::new(entry.width, entry.height, PixelFormat::Yuv420, &planes).map_err(err)
                }
            }
        }
    }
}

//! Camera frames as phones deliver them, validated before any pixel is read,
//! and their projection to one 8-bit channel.

use super::ScanError;

/// Largest width or height accepted, in pixels.
pub const MAX_DIMENSION: u32 = 16_384;

/// How the pixels of a [`Frame`] are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// One 8-bit luma (or grey) plane.
    Luma,
    /// YUV 4:2:0: a full-size Y plane and quarter-size U and V planes, each
    /// with its own row stride and pixel stride (1 for planar I420, 2 for
    /// the interleaved NV12/NV21 layouts). This is what Android's
    /// `ImageProxy` (`YUV_420_888`) hands out.
    Yuv420,
    /// 8-bit R, G, B, A per pixel (Android bitmaps, most desktop images).
    Rgba,
    /// 8-bit B, G, R, A per pixel (iOS `kCVPixelFormatType_32BGRA`).
    Bgra,
}

/// One plane of pixel data: `data` holds `rows` rows of `row_stride` bytes
/// (the last row may be shorter, as camera buffers often are), and a pixel
/// every `pixel_stride` bytes within a row.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The bytes, borrowed from the caller's buffer (no copy).
    pub data: &'a [u8],
    /// Bytes from the start of one row to the start of the next.
    pub row_stride: usize,
    /// Bytes from one pixel to the next within a row.
    pub pixel_stride: usize,
}

impl<'a> Plane<'a> {
    /// A plane with the given row stride and pixel stride.
    pub fn new(data: &'a [u8], row_stride: usize, pixel_stride: usize) -> Self {
        Self {
            data,
            row_stride,
            pixel_stride,
        }
    }

    /// Checks that `width × height` samples of `bytes_per_sample` bytes fit.
    fn check(
        &self,
        name: &'static str,
        width: usize,
        height: usize,
        bytes_per_sample: usize,
    ) -> Result<(), ScanError> {
        let bad = |reason: String| ScanError::InvalidFrame(format!("{name} plane: {reason}"));
        if self.pixel_stride < bytes_per_sample {
            return Err(bad(format!(
                "pixel stride {} is smaller than {bytes_per_sample}",
                self.pixel_stride
            )));
        }
        let row_bytes = width
            .checked_sub(1)
            .and_then(|w| w.checked_mul(self.pixel_stride))
            .and_then(|b| b.checked_add(bytes_per_sample))
            .ok_or_else(|| bad("row size overflows".into()))?;
        if self.row_stride < row_bytes {
            return Err(bad(format!(
                "row stride {} is smaller than a row ({row_bytes} bytes)",
                self.row_stride
            )));
        }
        let needed = height
            .checked_sub(1)
            .and_then(|h| h.checked_mul(self.row_stride))
            .and_then(|b| b.checked_add(row_bytes))
            .ok_or_else(|| bad("plane size overflows".into()))?;
        if self.data.len() < needed {
            return Err(bad(format!(
                "{} bytes, but {needed} are needed",
                self.data.len()
            )));
        }
        Ok(())
    }

    /// The sample at (x, y); callers stay within the validated size.
    #[inline]
    fn at(&self, x: usize, y: usize) -> u8 {
        self.data
            .get(y * self.row_stride + x * self.pixel_stride)
            .copied()
            .unwrap_or(0)
    }
}

/// A camera frame: dimensions, layout and borrowed planes, checked at
/// construction so that reading it can never go out of bounds.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    width: usize,
    height: usize,
    format: PixelFormat,
    planes: [Plane<'a>; 3],
}

impl<'a> Frame<'a> {
    /// Builds a frame from `planes` (one for `Luma`, `Rgba` and `Bgra`; Y, U
    /// and V for `Yuv420`), checking every size and stride.
    pub fn new(
        width: u32,
        height: u32,
        format: PixelFormat,
        planes: &[Plane<'a>],
    ) -> Result<Self, ScanError> {
        if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
            return Err(ScanError::InvalidFrame(format!(
                "{width}×{height} is not a frame size (1 to {MAX_DIMENSION} pixels each way)"
            )));
        }
        let (w, h) = (width as usize, height as usize);
        let expected = if format == PixelFormat::Yuv420 { 3 } else { 1 };
        if planes.len() != expected {
            return Err(ScanError::InvalidFrame(format!(
                "{format:?} needs {expected} plane(s), got {}",
                planes.len()
            )));
        }
        let empty = Plane::new(&[], 0, 1);
        let plane = |i: usize| planes.get(i).copied().unwrap_or(empty);
        match format {
            PixelFormat::Luma => plane(0).check("luma", w, h, 1)?,
            PixelFormat::Rgba | PixelFormat::Bgra => plane(0).check("pixel", w, h, 4)?,
            PixelFormat::Yuv420 => {
                plane(0).check("Y", w, h, 1)?;
                let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
                plane(1).check("U", cw, ch, 1)?;
                plane(2).check("V", cw, ch, 1)?;
            }
        }
        Ok(Self {
            width: w,
            height: h,
            format,
            planes: [plane(0), plane(1), plane(2)],
        })
    }

    /// An 8-bit grey or luma frame (Android's Y plane alone).
    pub fn luma(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
    ) -> Result<Self, ScanError> {
        Self::new(
            width,
            height,
            PixelFormat::Luma,
            &[Plane::new(data, row_stride, 1)],
        )
    }

    /// An RGBA frame with `row_stride` bytes per row.
    pub fn rgba(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
    ) -> Result<Self, ScanError> {
        Self::new(
            width,
            height,
            PixelFormat::Rgba,
            &[Plane::new(data, row_stride, 4)],
        )
    }

    /// A BGRA frame with `row_stride` bytes per row (iOS `bytesPerRow`).
    pub fn bgra(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
    ) -> Result<Self, ScanError> {
        Self::new(
            width,
            height,
            PixelFormat::Bgra,
            &[Plane::new(data, row_stride, 4)],
        )
    }

    /// A contiguous NV21 buffer (Android camera1): the Y plane, then
    /// interleaved V/U rows, both with `row_stride` bytes per row.
    pub fn nv21(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
    ) -> Result<Self, ScanError> {
        Self::semi_planar(width, height, data, row_stride, true)
    }

    /// A contiguous NV12 buffer (iOS 420 bi-planar when its planes are
    /// adjacent): the Y plane, then interleaved U/V rows.
    pub fn nv12(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
    ) -> Result<Self, ScanError> {
        Self::semi_planar(width, height, data, row_stride, false)
    }

    /// A contiguous I420 buffer: the Y plane with `row_stride`, then the U
    /// and V planes with `row_stride / 2` (rounded up) each.
    pub fn i420(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
    ) -> Result<Self, ScanError> {
        let y_len = checked_area(row_stride, height as usize)?;
        let c_stride = row_stride.div_ceil(2);
        let c_len = checked_area(c_stride, (height as usize).div_ceil(2))?;
        let u = data.get(y_len..).unwrap_or_default();
        let v = data.get(y_len.saturating_add(c_len)..).unwrap_or_default();
        Self::new(
            width,
            height,
            PixelFormat::Yuv420,
            &[
                Plane::new(data, row_stride, 1),
                Plane::new(u, c_stride, 1),
                Plane::new(v, c_stride, 1),
            ],
        )
    }

    fn semi_planar(
        width: u32,
        height: u32,
        data: &'a [u8],
        row_stride: usize,
        v_first: bool,
    ) -> Result<Self, ScanError> {
        let y_len = checked_area(row_stride, height as usize)?;
        let chroma = data.get(y_len..).unwrap_or_default();
        let first = Plane::new(chroma, row_stride, 2);
        let second = Plane::new(chroma.get(1..).unwrap_or_default(), row_stride, 2);
        let (u, v) = if v_first {
            (second, first)
        } else {
            (first, second)
        };
        Self::new(
            width,
            height,
            PixelFormat::Yuv420,
            &[Plane::new(data, row_stride, 1), u, v],
        )
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Whether the frame carries colour (so colour projections are worth trying).
    pub fn has_colour(&self) -> bool {
        self.format != PixelFormat::Luma
    }

    /// Luma and two colour-difference components of pixel (x, y), each 0..=255
    /// (BT.601; the colour differences are centred on 128).
    #[inline]
    pub(crate) fn yuv(&self, x: usize, y: usize) -> (u8, u8, u8) {
        let [p0, p1, p2] = &self.planes;
        match self.format {
            PixelFormat::Luma => (p0.at(x, y), 128, 128),
            PixelFormat::Yuv420 => (p0.at(x, y), p1.at(x / 2, y / 2), p2.at(x / 2, y / 2)),
            PixelFormat::Rgba | PixelFormat::Bgra => {
                let (r, g, b) = self.rgb(x, y);
                rgb_to_yuv(r, g, b)
            }
        }
    }

    /// Red, green and blue of pixel (x, y).
    #[inline]
    pub(crate) fn rgb(&self, x: usize, y: usize) -> (u8, u8, u8) {
        let p = &self.planes[0];
        let at = |i: usize| {
            p.data
                .get(y * p.row_stride + x * 4 + i)
                .copied()
                .unwrap_or(0)
        };
        match self.format {
            PixelFormat::Rgba => (at(0), at(1), at(2)),
            PixelFormat::Bgra => (at(2), at(1), at(0)),
            PixelFormat::Luma => {
                let l = p.at(x, y);
                (l, l, l)
            }
            PixelFormat::Yuv420 => {
                let (l, u, v) = self.yuv(x, y);
                yuv_to_rgb(l, u, v)
            }
        }
    }

    /// The pixel plane of an RGBA or BGRA frame, and the byte offsets of
    /// red and blue within a pixel.
    pub(crate) fn rgb_plane(&self) -> Option<(&Plane<'a>, usize, usize)> {
        match self.format {
            PixelFormat::Rgba => Some((&self.planes[0], 0, 2)),
            PixelFormat::Bgra => Some((&self.planes[0], 2, 0)),
            _ => None,
        }
    }

    /// The U and V planes of a YUV frame.
    pub(crate) fn chroma_planes(&self) -> Option<(&Plane<'a>, &Plane<'a>)> {
        (self.format == PixelFormat::Yuv420).then_some((&self.planes[1], &self.planes[2]))
    }

    /// The luma plane when the frame stores one directly (no conversion needed).
    pub(crate) fn luma_plane(&self) -> Option<&Plane<'a>> {
        matches!(self.format, PixelFormat::Luma | PixelFormat::Yuv420).then_some(&self.planes[0])
    }
}

fn checked_area(stride: usize, rows: usize) -> Result<usize, ScanError> {
    stride
        .checked_mul(rows)
        .ok_or_else(|| ScanError::InvalidFrame("plane size overflows".into()))
}

/// BT.601 full-range RGB → YCbCr, integer arithmetic.
#[inline]
pub(crate) fn rgb_to_yuv(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let y = (77 * r + 150 * g + 29 * b + 128) >> 8;
    let u = ((-43 * r - 85 * g + 128 * b + 128) >> 8) + 128;
    let v = ((128 * r - 107 * g - 21 * b + 128) >> 8) + 128;
    (clamp(y), clamp(u), clamp(v))
}

/// BT.601 full-range YCbCr → RGB.
#[inline]
pub(crate) fn yuv_to_rgb(y: u8, u: u8, v: u8) -> (u8, u8, u8) {
    let (y, u, v) = (i32::from(y), i32::from(u) - 128, i32::from(v) - 128);
    let r = y + ((359 * v) >> 8);
    let g = y - ((88 * u + 183 * v) >> 8);
    let b = y + ((454 * u) >> 8);
    (clamp(r), clamp(g), clamp(b))
}

#[inline]
fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

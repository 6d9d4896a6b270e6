//! Camera frames as the platforms deliver them: dimensions, a format and
//! the planes with their strides, so an Android `ImageProxy` (YUV_420_888)
//! or an iOS `CVPixelBuffer` passes without re-laying out its pixels. The
//! core checks every size and stride before reading a byte.

use tessera_core::scan::{Frame, PixelFormat as CoreFormat, Plane};

use crate::error::TesseraError;

/// How a frame's pixels are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PixelFormat {
    /// One 8-bit grey plane (or just the Y plane of a YUV frame: enough for
    /// black-and-white codes, and the cheapest to pass).
    Luma,
    /// Y, U and V planes, 4:2:0, each with its own strides: Android
    /// `YUV_420_888` (`ImageProxy.planes`, pixel stride 1 or 2), NV12/NV21, I420.
    Yuv420,
    /// 8-bit R, G, B, A (Android `Bitmap`).
    Rgba,
    /// 8-bit B, G, R, A (iOS `kCVPixelFormatType_32BGRA`).
    Bgra,
}

/// One plane: `rows` rows of `row_stride` bytes (the last may be shorter),
/// a sample every `pixel_stride` bytes within a row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FramePlane {
    /// The plane's bytes (`ImageProxy.PlaneProxy.buffer`, `CVPixelBufferGetBaseAddressOfPlane`).
    pub data: Vec<u8>,
    /// Bytes from one row to the next (`rowStride`, `bytesPerRow`).
    pub row_stride: u32,
    /// Bytes from one sample to the next (`pixelStride`; 4 for BGRA).
    pub pixel_stride: u32,
}

/// A camera frame. `planes` has one plane for `Luma`, `Rgba` and `Bgra`, and
/// Y, U, V for `Yuv420`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CameraFrame {
    /// Width in pixels (1 to 16384).
    pub width: u32,
    /// Height in pixels (1 to 16384).
    pub height: u32,
    /// The layout.
    pub format: PixelFormat,
    /// The planes.
    pub planes: Vec<FramePlane>,
}

fn stride(value: u32) -> Result<usize, TesseraError> {
    usize::try_from(value).map_err(|_| TesseraError::bad_input("invalid frame: stride too large"))
}

impl CameraFrame {
    /// Borrows the planes as a checked core frame.
    pub(crate) fn with_core<T>(&self, f: impl FnOnce(&Frame<'_>) -> T) -> Result<T, TesseraError> {
        let planes = self
            .planes
            .iter()
            .map(|p| {
                Ok(Plane::new(
                    &p.data,
                    stride(p.row_stride)?,
                    stride(p.pixel_stride)?,
                ))
            })
            .collect::<Result<Vec<_>, TesseraError>>()?;
        let format = match self.format {
            PixelFormat::Luma => CoreFormat::Luma,
            PixelFormat::Yuv420 => CoreFormat::Yuv420,
            PixelFormat::Rgba => CoreFormat::Rgba,
            PixelFormat::Bgra => CoreFormat::Bgra,
        };
        let frame = Frame::new(self.width, self.height, format, &planes)
            .map_err(|e| TesseraError::bad_input(e.to_string()))?;
        Ok(f(&frame))
    }
}

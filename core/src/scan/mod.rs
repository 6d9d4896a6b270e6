//! Reading the mosaic: camera frames in, QR payload bytes out.
//!
//! A [`Frame`] borrows the camera's planes as they are (Android `ImageProxy`
//! planes with their strides, iOS `CVPixelBuffer` rows), validated so that no
//! read can leave them. [`Scanner::scan`] tries cheap views of the frame in
//! order of likelihood — luma, then colour projections for mosaics whose
//! colours have little luminance contrast, then a shrunk luma for noise and
//! moiré — and stops at the first view that yields a code. Both polarities
//! (dark-on-light and "dark mode" codes) are read in the same pass.
//!
//! Work is bounded: frames above a pixel cap are shrunk, the number of finder
//! candidates and decode attempts is capped, and an optional [`Deadline`]
//! from the caller is checked between steps, so no input can stall it.
//!
//! Codes read by a platform scanner enter through [`Detection::from_platform`]
//! and meet the camera path's results in the same type.

mod alignment;
mod binarize;
mod decode;
mod finder;
mod frame;
mod geometry;
mod gray;
mod perspective;
mod refine;
mod sample;
mod triples;

use thiserror::Error;

pub use frame::{Frame, MAX_DIMENSION, PixelFormat, Plane};
use gray::Projection;

/// The largest payload accepted from a platform scanner (a QR code holds at
/// most 2953 bytes).
pub const MAX_PAYLOAD_LEN: usize = 2953;

/// Why a frame or payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScanError {
    /// The frame's size, strides or planes do not add up.
    #[error("invalid frame: {0}")]
    InvalidFrame(String),
    /// A payload from a platform scanner is empty.
    #[error("the scanned payload is empty")]
    EmptyPayload,
    /// A payload from a platform scanner is larger than any QR code holds.
    #[error("the scanned payload has {len} bytes; a QR code holds at most {max}")]
    PayloadTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// A point in frame pixel coordinates (x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
}

/// A code read from a frame or handed over by a platform scanner.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The payload bytes, exactly as encoded.
    pub payload: Vec<u8>,
    /// Where the code is in the frame: top-left, top-right, bottom-right and
    /// bottom-left corners of its outer edge, in the code's own orientation.
    /// `None` for payloads from a platform scanner.
    pub corners: Option<[Point; 4]>,
}

impl Detection {
    /// Accepts payload bytes that the platform's own scanner decoded, so they
    /// reach the same parser as the camera path.
    pub fn from_platform(payload: Vec<u8>) -> Result<Self, ScanError> {
        if payload.is_empty() {
            return Err(ScanError::EmptyPayload);
        }
        if payload.len() > MAX_PAYLOAD_LEN {
            return Err(ScanError::PayloadTooLarge {
                len: payload.len(),
                max: MAX_PAYLOAD_LEN,
            });
        }
        Ok(Self {
            payload,
            corners: None,
        })
    }
}

/// A time limit supplied by the caller (the core has no clock): checked
/// between the steps of a scan, which returns what it found so far once it
/// says the time is up.
pub trait Deadline {
    /// Whether the time for this frame is up.
    fn expired(&self) -> bool;
}

/// No time limit: only the work caps apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDeadline;

impl Deadline for NoDeadline {
    fn expired(&self) -> bool {
        false
    }
}

/// Limits and choices of a [`Scanner`].
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Frames with more pixels are shrunk to fit (by an integer factor).
    pub max_pixels: usize,
    /// Most finder pattern candidates tracked per view (the best few are
    /// combined into triples).
    pub max_finders: usize,
    /// Most module grids sampled per view (each costs about a microsecond
    /// per module).
    pub max_samples: usize,
    /// Most grids handed to the error-correcting decoder per view (those
    /// that pass the cheap timing and format checks; each costs tens of
    /// microseconds).
    pub max_decodes: usize,
    /// Whether to try colour projections when luma finds nothing.
    pub colour: bool,
    /// Whether to try a half-size luma view (noise, moiré, large modules).
    pub shrunk: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            max_pixels: 2_100_000,
            max_finders: 4096,
            max_samples: 120,
            max_decodes: 16,
            colour: true,
            shrunk: true,
        }
    }
}

/// Reads QR codes from frames. Cheap to create, immutable, and safe to share
/// between threads; call it from a background thread, never the UI thread.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    config: ScanConfig,
}

/// The work left for one frame.
pub(crate) struct Budget<'a> {
    samples_left: usize,
    decodes_left: usize,
    deadline: &'a dyn Deadline,
    trace: Option<Vec<String>>,
    /// Every code wanted, not only the first.
    every: bool,
}

/// Grid samples and decodes granted again for each code read when every
/// code is wanted.
const READ_REFUND_SAMPLES: usize = 8;
const READ_REFUND_DECODES: usize = 3;

impl<'a> Budget<'a> {
    fn new(config: &ScanConfig, deadline: &'a dyn Deadline, every: bool, trace: bool) -> Self {
        Self {
            samples_left: config.max_samples,
            decodes_left: config.max_decodes,
            deadline,
            trace: trace.then(Vec::new),
            every,
        }
    }

    /// Whether every code is wanted (not only the first).
    pub(crate) fn every(&self) -> bool {
        self.every
    }

    /// After a read when every code is wanted: the next code gets an
    /// allowance of its own (a sheet of labels holds tens; the work stays
    /// bounded by the finders, three to a code).
    pub(crate) fn refund_read(&mut self) {
        if self.every {
            self.samples_left = self.samples_left.saturating_add(READ_REFUND_SAMPLES);
            self.decodes_left = self.decodes_left.saturating_add(READ_REFUND_DECODES);
        }
    }

    /// Records a step of the scan when tracing (development only).
    pub(crate) fn note(&mut self, line: impl FnOnce() -> String) {
        if let Some(t) = self.trace.as_mut() {
            t.push(line());
        }
    }

    pub(crate) fn exhausted(&self) -> bool {
        self.samples_left == 0 || self.decodes_left == 0 || self.deadline.expired()
    }

    pub(crate) fn spend_sample(&mut self) {
        self.samples_left = self.samples_left.saturating_sub(1);
    }

    pub(crate) fn spend_decode(&mut self) {
        self.decodes_left = self.decodes_left.saturating_sub(1);
    }
}

impl Scanner {
    /// A scanner with the given limits.
    pub fn new(config: ScanConfig) -> Self {
        Self { config }
    }

    /// Every code found in `frame` (usually none or one; tens on a sheet of
    /// labels), without a time limit.
    pub fn scan(&self, frame: &Frame<'_>) -> Vec<Detection> {
        self.scan_until(frame, &NoDeadline)
    }

    /// Every code found in `frame`, stopping early when `deadline` expires.
    pub fn scan_until(&self, frame: &Frame<'_>, deadline: &dyn Deadline) -> Vec<Detection> {
        self.run(frame, &mut Budget::new(&self.config, deadline, true, false))
    }

    /// The first code found in `frame` and any others met on the way (the
    /// search stops a few triples after a read): for a caller that wants one
    /// code from a camera stream, faster on frames that hold many.
    pub fn scan_first_until(&self, frame: &Frame<'_>, deadline: &dyn Deadline) -> Vec<Detection> {
        self.run(
            frame,
            &mut Budget::new(&self.config, deadline, false, false),
        )
    }

    /// The scan with a step-by-step account of views, finder patterns and
    /// decode attempts, for tuning the scanner on benchmark frames.
    #[doc(hidden)]
    pub fn trace(&self, frame: &Frame<'_>) -> (Vec<Detection>, Vec<String>) {
        let mut budget = Budget::new(&self.config, &NoDeadline, true, true);
        let found = self.run(frame, &mut budget);
        (found, budget.trace.unwrap_or_default())
    }

    fn run(&self, frame: &Frame<'_>, budget: &mut Budget<'_>) -> Vec<Detection> {
        let pixels = frame.width().saturating_mul(frame.height());
        let mut base = 1usize;
        while pixels / (base * base) > self.config.max_pixels.max(1) {
            base += 1;
        }
        let mut views = vec![(Projection::Luma, base)];
        // Half size averages away sensor noise and screen moiré.
        if self.config.shrunk
            && frame.width() / (base * 2) >= 21
            && frame.height() / (base * 2) >= 21
        {
            views.push((Projection::Luma, base * 2));
        }
        if self.config.colour && frame.has_colour() && gray::colourful(frame) {
            views.extend(Projection::COLOUR.iter().map(|&p| (p, base)));
        }
        // Two passes over the views: first the best triples of each (a
        // readable code is nearly always among them), then the rest of the
        // views that had more. A low-contrast colour mosaic is then read in
        // its colour view without first exhausting the luma view's noise.
        // Each view gets its own work allowance: a third of it for the first
        // pass, what is left of it for the second.
        let (samples, decodes) = (self.config.max_samples, self.config.max_decodes);
        let mut left: Vec<(Option<usize>, usize, usize)> =
            vec![(Some(0), samples, decodes); views.len()];
        // A view the second pass goes back to is kept from the first (its
        // projection, binarisation and finder search are most of its cost).
        let mut kept: Vec<Option<(binarize::Bits, Vec<finder::Finder>)>> =
            std::iter::repeat_with(|| None).take(views.len()).collect();
        for first_pass in [true, false] {
            for (((projection, scale), (resume, samples, decodes)), kept) in
                views.iter().zip(left.iter_mut()).zip(kept.iter_mut())
            {
                let Some(skip) = *resume else { continue };
                if budget.deadline.expired() {
                    return Vec::new();
                }
                let (first_samples, first_decodes) = (*samples / 3, *decodes / 3);
                (budget.samples_left, budget.decodes_left) = if first_pass {
                    (first_samples, first_decodes)
                } else {
                    (*samples, *decodes)
                };
                let (bits, finders) = match kept.take() {
                    Some(view) => view,
                    None => {
                        let gray = gray::project(frame, *projection, *scale);
                        let bits = binarize::binarize(gray);
                        let finders =
                            finder::find(&bits, self.config.max_finders, triples::MAX_KEPT);
                        (bits, finders)
                    }
                };
                budget.note(|| {
                    format!(
                        "view {projection:?}/{scale} from triple {skip}: {} finders",
                        finders.len()
                    )
                });
                if first_pass {
                    for f in finders.iter().take(12) {
                        budget.note(|| {
                            format!(
                                "  finder ({:.1},{:.1}) m={:.2} n={} dark={}",
                                f.x, f.y, f.module, f.count, f.dark
                            )
                        });
                    }
                }
                if finders.len() < 2 {
                    *resume = None;
                    continue;
                }
                let take = if first_pass {
                    FIRST_PASS_TRIPLES
                } else {
                    usize::MAX
                };
                let decoded = triples::decode_all(&bits, &finders, budget, skip, take);
                *resume = decoded.resume_at;
                if first_pass {
                    *samples -= first_samples.saturating_sub(budget.samples_left);
                    *decodes -= first_decodes.saturating_sub(budget.decodes_left);
                    if resume.is_some() && decoded.found.is_empty() {
                        *kept = Some((bits, finders));
                        continue;
                    }
                }
                if !decoded.found.is_empty() {
                    let s = *scale as f32;
                    return decoded
                        .found
                        .into_iter()
                        .map(|l| Detection {
                            payload: l.payload,
                            corners: Some(l.corners.map(|p| Point {
                                x: p.x * s,
                                y: p.y * s,
                            })),
                        })
                        .collect();
                }
            }
        }
        Vec::new()
    }
}

/// Triples of finder patterns tried per view in the first pass over the
/// views (of 333 frames of the benchmark's development set read, 322 were
/// read within the first 36 triples of the view that read them).
const FIRST_PASS_TRIPLES: usize = 32;

/// The binary image the detector works on for the luma view (development aid).
#[doc(hidden)]
pub fn debug_bits(frame: &Frame<'_>, scale: usize) -> (usize, usize, Vec<u8>) {
    let gray = gray::project(frame, Projection::Luma, scale);
    let bits = binarize::binarize(gray);
    (bits.w, bits.h, bits.data)
}

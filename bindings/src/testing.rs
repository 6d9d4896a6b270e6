//! TEST ONLY — compiled with the `testing` feature, never in an app build.
//!
//! The reference portal (`tessera_portal::Portal` over an in-memory SQLite
//! store) exported next to the authenticator, so the Kotlin and Python tests
//! run activation, login and transaction flows against a real relying party
//! in one process, and [`test_mosaic_frame`] to turn a mosaic into a camera
//! frame. The activation code it returns is a secret in a real deployment;
//! here it stands for the letter the user would receive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tessera_core::mosaic::{ActivationCode, MosaicKind, Transaction};
use tessera_portal::{Portal, PortalConfig, PortalError, SqliteStore, render};

use crate::error::TesseraError;
use crate::frame::{CameraFrame, FramePlane, PixelFormat};
use tessera_core::sync::lock;

fn refused(e: PortalError) -> TesseraError {
    TesseraError::bad_input(format!("the portal refused: {e}"))
}

/// A challenge the test portal issued.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TestChallenge {
    /// The portal's id of the challenge, to verify the OTP against.
    pub id: String,
    /// The mosaic's payload (sealed: no secret in clear).
    pub mosaic: Vec<u8>,
}

/// TEST ONLY: the reference portal, in memory. Times are parameters, so a
/// test drives the portal's clock and the fake `Clock` together.
#[derive(uniffi::Object)]
pub struct TestPortal {
    origin: String,
    portal: Mutex<Portal<SqliteStore>>,
    codes: Mutex<HashMap<String, ActivationCode>>,
}

impl std::fmt::Debug for TestPortal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPortal")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl TestPortal {
    /// A portal at `origin` (e.g. `https://portal.example.lu`) with an empty store.
    #[uniffi::constructor]
    pub fn new(origin: String) -> Result<Arc<Self>, TesseraError> {
        let store = SqliteStore::in_memory().map_err(refused)?;
        Ok(Arc::new(Self {
            origin,
            portal: Mutex::new(Portal::new(store, PortalConfig::default())),
            codes: Mutex::new(HashMap::new()),
        }))
    }

    /// "Add a mobile" for `user_id`: the activation mosaic's payload. The
    /// activation code goes "by letter": [`activation_code`](Self::activation_code).
    pub fn enroll(&self, user_id: String, now: u64) -> Result<Vec<u8>, TesseraError> {
        let enrollment = lock(&self.portal)
            .enroll(&user_id, &self.origin, now)
            .map_err(refused)?;
        lock(&self.codes).insert(user_id, enrollment.code);
        Ok(enrollment.mosaic)
    }

    /// The activation code of `user_id`'s last enrolment, as printed in the letter.
    pub fn activation_code(&self, user_id: String) -> Result<String, TesseraError> {
        lock(&self.codes)
            .get(&user_id)
            .map(|c| c.display().to_string())
            .ok_or_else(|| TesseraError::bad_input("no enrolment for this user"))
    }

    /// Confirms the activation with the OTP the phone showed.
    pub fn confirm(&self, user_id: String, otp: String, now: u64) -> Result<(), TesseraError> {
        lock(&self.portal)
            .confirm(&user_id, &otp, now)
            .map(|_| ())
            .map_err(refused)
    }

    /// A login challenge for `user_id`'s mobile.
    pub fn login(&self, user_id: String, now: u64) -> Result<TestChallenge, TesseraError> {
        let issued = lock(&self.portal).login(&user_id, now).map_err(refused)?;
        Ok(TestChallenge {
            id: issued.id,
            mosaic: issued.mosaic,
        })
    }

    /// A transaction for `user_id`'s mobile to sign.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &self,
        user_id: String,
        amount: String,
        currency: String,
        payee: String,
        iban: String,
        reference: Option<String>,
        now: u64,
    ) -> Result<TestChallenge, TesseraError> {
        let transaction = Transaction {
            amount,
            currency,
            payee,
            iban,
            reference,
            text: None,
        };
        let issued = lock(&self.portal)
            .sign(&user_id, transaction, now)
            .map_err(refused)?;
        Ok(TestChallenge {
            id: issued.id,
            mosaic: issued.mosaic,
        })
    }

    /// Accepts `otp` for challenge `challenge_id` (login or transaction of
    /// `user_id`), or throws `BadInput` with the portal's reason.
    pub fn verify(
        &self,
        challenge_id: String,
        user_id: String,
        transaction: bool,
        otp: String,
        now: u64,
    ) -> Result<(), TesseraError> {
        let kind = if transaction {
            MosaicKind::Transaction
        } else {
            MosaicKind::Login
        };
        lock(&self.portal)
            .verify(&challenge_id, &otp, Some((&user_id, kind)), now)
            .map(|_| ())
            .map_err(refused)
    }
}

/// TEST ONLY: `payload` drawn as the portal draws mosaics (coloured, 4 px
/// per module) and laid out as a camera would deliver it in `format`, with
/// padded rows, and for `Yuv420` interleaved chroma (NV12, pixel stride 2).
#[uniffi::export]
pub fn test_mosaic_frame(
    payload: Vec<u8>,
    format: PixelFormat,
) -> Result<CameraFrame, TesseraError> {
    if payload.is_empty() {
        return Err(TesseraError::bad_input("nothing to draw"));
    }
    let img = render::image(&payload, 4).map_err(refused)?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let rgb: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    let luma = |[r, g, b]: [u8; 3]| {
        ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000) as u8
    };
    let stride32 =
        |n: usize| u32::try_from(n).map_err(|_| TesseraError::bad_input("frame too large"));
    let planes = match format {
        PixelFormat::Rgba | PixelFormat::Bgra => {
            let row = w * 4 + 16;
            let mut data = vec![0u8; row * h];
            for (i, [r, g, b]) in rgb.iter().copied().enumerate() {
                let at = (i / w) * row + (i % w) * 4;
                let px = if format == PixelFormat::Rgba {
                    [r, g, b, 255]
                } else {
                    [b, g, r, 255]
                };
                if let Some(dst) = data.get_mut(at..at + 4) {
                    dst.copy_from_slice(&px);
                }
            }
            vec![FramePlane {
                data,
                row_stride: stride32(row)?,
                pixel_stride: 4,
            }]
        }
        PixelFormat::Luma => {
            let row = w + 8;
            let mut data = vec![0u8; row * h];
            for (i, px) in rgb.iter().copied().enumerate() {
                if let Some(d) = data.get_mut((i / w) * row + i % w) {
                    *d = luma(px);
                }
            }
            vec![FramePlane {
                data,
                row_stride: stride32(row)?,
                pixel_stride: 1,
            }]
        }
        PixelFormat::Yuv420 => {
            let row = w + 8;
            let mut y = vec![0u8; row * h];
            for (i, px) in rgb.iter().copied().enumerate() {
                if let Some(d) = y.get_mut((i / w) * row + i % w) {
                    *d = luma(px);
                }
            }
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let crow = cw * 2;
            let mut uv = vec![128u8; crow * ch];
            for cy in 0..ch {
                for cx in 0..cw {
                    let Some(&[r, g, b]) = rgb.get((cy * 2) * w + cx * 2) else {
                        continue;
                    };
                    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
                    let u = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b;
                    let v = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b;
                    let at = cy * crow + cx * 2;
                    if let Some(dst) = uv.get_mut(at..at + 2) {
                        dst.copy_from_slice(&[
                            u.clamp(0.0, 255.0) as u8,
                            v.clamp(0.0, 255.0) as u8,
                        ]);
                    }
                }
            }
            // As Android's ImageProxy hands out NV12: U and V planes that
            // overlap, one byte apart, pixel stride 2.
            let v_plane = uv.get(1..).map(<[u8]>::to_vec).unwrap_or_default();
            vec![
                FramePlane {
                    data: y,
                    row_stride: stride32(row)?,
                    pixel_stride: 1,
                },
                FramePlane {
                    data: uv,
                    row_stride: stride32(crow)?,
                    pixel_stride: 2,
                },
                FramePlane {
                    data: v_plane,
                    row_stride: stride32(crow)?,
                    pixel_stride: 2,
                },
            ]
        }
    };
    Ok(CameraFrame {
        width: stride32(w)?,
        height: stride32(h)?,
        format,
        planes,
    })
}

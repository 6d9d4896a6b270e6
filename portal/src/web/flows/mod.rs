//! The flows, one file each: [`signin`] (password, mobile, mosaic, OTP;
//! sign-out), [`account`] ("Mon compte": add, activate, remove a mobile),
//! [`transfer`] ("Virement": form, mosaic, OTP, done). Each page handler
//! takes a `Ctx`, checks the CSRF token first on every POST, does its
//! SQLite and Argon2 work on the blocking pool, and answers with a page or
//! a redirect (POST → 303 → GET). What they share is here: the forms that
//! name a mobile or carry an OTP, how a refused OTP is shown, the mosaics
//! on screen.

pub mod account;
pub mod signin;
pub mod transfer;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::i18n::Lang;
use super::pages::MosaicView;
use super::session::Pending;
use super::{WebPortal, blocking};
use crate::store::TokenRecord;
use crate::{IssuedChallenge, PortalError, render};

type App = State<Arc<WebPortal>>;

/// The active mobiles of `user`, off the async threads.
async fn active_tokens(app: &Arc<WebPortal>, user: &str) -> Option<Vec<TokenRecord>> {
    let (app, user) = (app.clone(), user.to_owned());
    blocking(move || app.portal().active_tokens(&user))
        .await?
        .ok()
}

/// A form that names a mobile.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

/// A form with an OTP.
#[derive(Deserialize)]
pub struct OtpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    otp: String,
}

/// A form with an activation's confirmation code.
#[derive(Deserialize)]
pub struct ConfirmationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirmation: String,
}

/// The confirmation code as typed (the portal forgives separators and
/// look-alikes), cut at 64 characters: longer is malformed anyway.
fn typed_confirmation(code: &str) -> Zeroizing<String> {
    Zeroizing::new(code.trim().chars().take(64).collect())
}

/// The OTP as typed, without spaces.
fn typed_otp(otp: &str) -> Zeroizing<String> {
    Zeroizing::new(
        otp.chars()
            .filter(|c| !c.is_whitespace())
            .take(32)
            .collect(),
    )
}

/// How a refused OTP is shown: status and message, and whether it counts
/// as a failure of the client's address.
fn refusal(lang: Lang, e: &PortalError) -> Option<(StatusCode, String, bool)> {
    let t = lang.texts();
    Some(match e {
        PortalError::WrongOtp { attempts_left } => (
            StatusCode::UNAUTHORIZED,
            lang.wrong_otp(*attempts_left),
            true,
        ),
        PortalError::MalformedOtp { digits } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.malformed_otp(*digits),
            false,
        ),
        PortalError::MalformedConfirmation => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.malformed_confirmation.to_owned(),
            false,
        ),
        PortalError::TokenLocked => (StatusCode::LOCKED, t.token_locked.to_owned(), true),
        PortalError::Expired => (StatusCode::OK, t.expired.to_owned(), false),
        PortalError::AlreadyAnswered => (StatusCode::OK, t.already_used.to_owned(), false),
        PortalError::ActivationExpired | PortalError::NoPendingActivation(_) => {
            (StatusCode::OK, t.activation_expired.to_owned(), false)
        }
        _ => return None,
    })
}

fn pending_of(issued: IssuedChallenge) -> Pending {
    Pending {
        id: issued.id,
        token: issued.token_id,
        mosaic: issued.mosaic,
        expires_at: issued.expires_at,
    }
}

fn mosaic_view<'a>(
    app: &WebPortal,
    src: &'a str,
    payload: &[u8],
    expires_at: u64,
    now: u64,
) -> MosaicView<'a> {
    MosaicView {
        src,
        side: render::image_side(payload, app.config.module_px).unwrap_or(0),
        seconds_left: expires_at.checked_sub(now).filter(|s| *s > 0),
    }
}

/// The image URL of a mosaic: a new URL for each challenge, so no cache
/// shows an old one.
fn mosaic_src(file: &str, id: &str) -> String {
    format!("/mosaic/{file}?c={}", id.get(..12).unwrap_or(id))
}

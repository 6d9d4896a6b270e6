//! What handlers answer with: pages, redirects, the error pages, and the
//! error log line (never a secret: errors carry none).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::ctx::Ctx;
use super::pages;
use super::{WebError, WebPortal};

/// The one-time "signed out" notice's cookie: the anonymous page after
/// sign-out has no session to carry it.
pub(super) const NOTICE_COOKIE: &str = "tessera_notice";

/// `res` with a `Set-Cookie` of `name=value`, for `max_age` seconds (0:
/// deletes it).
pub(super) fn cookie_header(
    mut res: Response,
    name: &str,
    value: &str,
    max_age: u32,
    secure: bool,
) -> Response {
    let cookie = format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub(super) fn html(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

pub(super) fn see_other(path: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response()
}

pub(super) fn internal() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "internal error",
    )
        .into_response()
}

pub(super) fn log_error(app: &WebPortal, what: &str, e: &dyn std::fmt::Display) {
    if app.config.log_requests {
        eprintln!("error: {what}: {e}");
    }
}

/// An error page with `status`.
pub(super) fn error_page(ctx: Ctx, app: &WebPortal, status: StatusCode, text: &str) -> Response {
    let t = ctx.t();
    let page = pages::message(
        &ctx.frame(),
        t.error,
        text,
        Some(("/", t.back_to_login)),
        "error",
    );
    ctx.finish(app, html(status, page))
}

/// 503: no session could be stored (the portal is at its session limit),
/// or `internal` for any other failure.
pub(super) fn session_failed(ctx: Ctx, app: &WebPortal, e: &WebError) -> Response {
    match e {
        WebError::Busy => {
            let text = ctx.t().busy;
            error_page(ctx, app, StatusCode::SERVICE_UNAVAILABLE, text)
        }
        _ => {
            log_error(app, "session", e);
            ctx.finish(app, internal())
        }
    }
}

/// A page without a session (before the request reached a handler): in
/// the browser's language, with no form.
pub(super) fn bare_page(
    headers: &axum::http::HeaderMap,
    status: StatusCode,
    text: impl FnOnce(&super::i18n::Texts) -> &'static str,
    id: &str,
) -> Response {
    let lang = super::i18n::Lang::negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    let t = lang.texts();
    let frame = pages::Frame {
        lang,
        csrf: "",
        user: None,
        full: false,
        path: "/",
        refresh: None,
    };
    html(status, pages::message(&frame, t.error, text(t), None, id))
}

//! What handlers answer with: pages, redirects, the error pages, and the
//! error log line (never a secret: errors carry none).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::WebPortal;
use super::ctx::Ctx;
use super::pages;

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

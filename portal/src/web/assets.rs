//! What is not a page of a flow: the mosaic images of the flows in
//! progress, the stylesheet, and the 404 page.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{self, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ctx::Ctx;
use super::pages;
use super::reply::{html, internal};
use super::session::Auth;
use super::{WebPortal, blocking};
use crate::render;

type App = State<Arc<WebPortal>>;

/// GET /mosaic/{login,activation,transfer}.png: this session's current
/// mosaic, drawn on the blocking pool; never cached.
pub async fn mosaic(State(app): App, ctx: Ctx, Path(file): Path<String>) -> Response {
    let s = &ctx.session;
    let payload = match file.as_str() {
        "login.png" => ctx.login_flow().and_then(|f| f.pending).map(|p| p.mosaic),
        "activation.png" => s
            .activation
            .as_ref()
            .filter(|_| s.auth.user().is_some())
            .map(|a| a.mosaic.clone()),
        "transfer.png" => s
            .transfer
            .as_ref()
            .filter(|_| matches!(s.auth, Auth::Full { .. }))
            .map(|f| f.pending.mosaic.clone()),
        _ => None,
    };
    let Some(payload) = payload else {
        return ctx.finish(
            &app,
            (StatusCode::NOT_FOUND, "no such mosaic").into_response(),
        );
    };
    let px = app.config.module_px;
    let res = match blocking(move || render::png(&payload, px)).await {
        Some(Ok(png)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            png,
        )
            .into_response(),
        _ => internal(),
    };
    ctx.finish(&app, res)
}

/// GET /static/style.css.
pub async fn style() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        pages::STYLE,
    )
        .into_response()
}

/// Anything else: 404.
pub async fn not_found(State(app): App, ctx: Ctx, method: http::Method) -> Response {
    let t = ctx.t();
    let status = if method == http::Method::GET || method == http::Method::HEAD {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::METHOD_NOT_ALLOWED
    };
    let page = pages::message(
        &ctx.frame(),
        t.not_found,
        t.not_found,
        Some(("/", t.back_to_login)),
        "not-found",
    );
    ctx.finish(&app, html(status, page))
}

//! "Mon compte": the user's mobiles; adding one (activation mosaic, code,
//! confirmation OTP) and removing one.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::Markup;
use tessera_core::mosaic::TokenId;

use super::super::WebPortal;
use super::super::ctx::Ctx;
use super::super::pages;
use super::super::reply::{error_page, html, internal, log_error, see_other};
use super::super::session::{ActivationFlow, Notice};
use super::{
    App, ConfirmationForm, TokenForm, active_tokens, blocking, mosaic_src, mosaic_view, refusal,
    typed_confirmation,
};
use crate::PortalError;

/// GET /account: "Mon compte".
pub async fn account(State(app): App, mut ctx: Ctx) -> Response {
    let Some(user) = ctx.user() else {
        return ctx.finish(&app, see_other("/"));
    };
    let Some(tokens) = active_tokens(&app, &user).await else {
        return ctx.finish(&app, internal());
    };
    let t = ctx.t();
    let full = ctx.full_user().is_some();
    let notice = match ctx.session.notice.take() {
        Some(Notice::MobileActivated) => Some(t.mobile_activated),
        Some(Notice::MobileRemoved) => Some(t.mobile_removed),
        _ => None,
    };
    let hint = match (full, tokens.is_empty()) {
        (false, true) => Some(t.no_mobile_hint),
        (false, false) => Some(t.relogin_hint),
        _ => None,
    };
    let page = pages::account(
        &ctx.frame(),
        &ctx.mobile_views(&tokens),
        notice,
        hint,
        full || tokens.is_empty(),
        full,
    );
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// POST /account/add: a new activation offer.
pub async fn add_mobile(State(app): App, mut ctx: Ctx, Form(form): Form<TokenForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let Some(user) = ctx.user() else {
        return ctx.finish(&app, see_other("/"));
    };
    if ctx.full_user().is_none() {
        // Password only: allowed while the user has no mobile at all.
        match active_tokens(&app, &user).await {
            Some(tokens) if tokens.is_empty() => {}
            Some(_) => return ctx.finish(&app, see_other("/account")),
            None => return ctx.finish(&app, internal()),
        }
    }
    let enrolled = {
        let (app, user, now) = (app.clone(), user.clone(), ctx.now);
        blocking(move || {
            let origin = app.config.origin.clone();
            app.portal().enroll(&user, &origin, now)
        })
        .await
    };
    match enrolled {
        Some(Ok(e)) => {
            ctx.session.activation = Some(ActivationFlow {
                token: e.token_id,
                code: e.code.display(),
                mosaic: e.mosaic,
                expires_at: e.expires_at,
            });
            ctx.finish(&app, see_other("/account/activate"))
        }
        Some(Err(e)) => {
            log_error(&app, "enroll", &e);
            ctx.finish(&app, internal())
        }
        None => ctx.finish(&app, internal()),
    }
}

fn activation_page(app: &WebPortal, ctx: &Ctx, a: &ActivationFlow, error: Option<&str>) -> Markup {
    let src = mosaic_src("activation.png", &a.token.to_string());
    let view = mosaic_view(app, &src, &a.mosaic, a.expires_at, ctx.now);
    let refresh = view.seconds_left.map(|s| s + 1);
    pages::activation(&ctx.frame_refreshing(refresh), &view, &a.code, error)
}

/// GET /account/activate: the activation mosaic, the code, the confirmation field.
pub async fn activate_get(State(app): App, ctx: Ctx) -> Response {
    let (Some(_), Some(a)) = (ctx.user(), ctx.session.activation.clone()) else {
        return ctx.finish(&app, see_other("/account"));
    };
    let page = activation_page(&app, &ctx, &a, None);
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// POST /account/activate: the confirmation code.
pub async fn activate_post(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<ConfirmationForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let (Some(user), Some(mut a)) = (ctx.user(), ctx.session.activation.clone()) else {
        return ctx.finish(&app, see_other("/account"));
    };
    if let Some(secs) = ctx.address_blocked(&app) {
        let msg = ctx.lang.throttled(secs);
        let page = activation_page(&app, &ctx, &a, Some(&msg));
        return ctx.finish(&app, html(StatusCode::TOO_MANY_REQUESTS, page));
    }
    let code = typed_confirmation(&form.confirmation);
    let verdict = {
        let (app, now) = (app.clone(), ctx.now);
        let token = a.token;
        blocking(move || app.portal().confirm_offer(&user, &token, &code, now)).await
    };
    match verdict {
        Some(Ok(_)) => {
            ctx.session.activation = None;
            ctx.session.notice = Some(Notice::MobileActivated);
            ctx.finish(&app, see_other("/account"))
        }
        Some(Err(e)) => match refusal(ctx.lang, &e) {
            Some((status, msg, counts)) => {
                if counts {
                    ctx.address_failed(&app);
                }
                if e == PortalError::TokenLocked {
                    ctx.session.activation = None;
                    return error_page(ctx, &app, status, &msg);
                }
                if matches!(
                    e,
                    PortalError::ActivationExpired | PortalError::NoPendingActivation(_)
                ) {
                    a.expires_at = 0;
                    ctx.session.activation = Some(a.clone());
                }
                let page = activation_page(&app, &ctx, &a, Some(&msg));
                ctx.finish(&app, html(status, page))
            }
            None => {
                log_error(&app, "confirm", &e);
                ctx.finish(&app, internal())
            }
        },
        None => ctx.finish(&app, internal()),
    }
}

/// POST /account/remove: removes a mobile (signed in with a mobile only).
pub async fn remove_mobile(State(app): App, mut ctx: Ctx, Form(form): Form<TokenForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let Some(user) = ctx.full_user() else {
        return ctx.finish(&app, see_other("/account"));
    };
    let Ok(token) = form.token.trim().parse::<TokenId>() else {
        return ctx.finish(&app, see_other("/account"));
    };
    let removed = {
        let app = app.clone();
        blocking(move || app.portal().remove(&user, &token)).await
    };
    match removed {
        Some(Ok(())) => {
            ctx.session.notice = Some(Notice::MobileRemoved);
            ctx.finish(&app, see_other("/account"))
        }
        Some(Err(PortalError::NoActiveToken(_))) => ctx.finish(&app, see_other("/account")),
        Some(Err(e)) => {
            log_error(&app, "remove", &e);
            ctx.finish(&app, internal())
        }
        None => ctx.finish(&app, internal()),
    }
}

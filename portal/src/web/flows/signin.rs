//! Sign-in: the password (throttled, Argon2id off the async threads), the
//! choice of mobile, the login mosaic and its OTP; the signed-in page and
//! sign-out.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::Markup;
use serde::Deserialize;
use tessera_core::mosaic::{MosaicKind, TokenId};
use zeroize::Zeroizing;

use super::super::ctx::Ctx;
use super::super::pages;
use super::super::reply::{
    NOTICE_COOKIE, cookie_header, error_page, html, internal, log_error, see_other, session_failed,
};
use super::super::session::{Auth, LoginFlow, Pending};
use super::super::throttle::{
    DEVICE_COOKIE, DEVICE_COOKIE_SECS, address_key, device_cookie, known_browser, user_key,
};
use super::super::users::{MAX_PASSWORD_LEN, PasswordRejected, User, verify_password};
use super::super::{WebError, WebPortal};
use super::{
    App, OtpForm, TokenForm, active_tokens, blocking, mosaic_src, mosaic_view, pending_of, refusal,
    typed_otp,
};
use crate::PortalError;

/// GET /: the sign-in page, or where a signed-in user belongs.
pub async fn home(State(app): App, ctx: Ctx) -> Response {
    let res = match ctx.session.auth {
        Auth::Full { .. } => see_other("/welcome"),
        Auth::PasswordOnly { .. } => see_other("/account"),
        Auth::Anonymous if ctx.signed_out => {
            let notice = Some(ctx.t().logged_out);
            let page = html(StatusCode::OK, pages::login(&ctx.frame(), "", notice, None));
            cookie_header(page, NOTICE_COOKIE, "", 0, app.config.secure())
        }
        Auth::Anonymous => html(StatusCode::OK, pages::login(&ctx.frame(), "", None, None)),
    };
    ctx.finish(&app, res)
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    password: String,
}

/// POST /login: throttles, checks the password (Argon2id, off the async
/// threads), then asks for the mobile, or, for a user without one, opens
/// "Mon compte" to add the first.
pub async fn login_post(State(app): App, mut ctx: Ctx, Form(form): Form<LoginForm>) -> Response {
    let password = Zeroizing::new(form.password);
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let user_id = form.user_id.trim().to_owned();
    let ukey = user_key(&user_id);
    let akey = address_key(ctx.ip);
    let known = ctx
        .device
        .as_deref()
        .is_some_and(|c| known_browser(&app.device_key, c, &ukey, ctx.now));
    if let Err(secs) = count_attempt(&app, &ukey, (!known).then_some(&*akey), ctx.now) {
        let msg = ctx.lang.throttled(secs);
        let page = pages::login(&ctx.frame(), &user_id, None, Some(&msg));
        return ctx.finish(&app, html(StatusCode::TOO_MANY_REQUESTS, page));
    }
    let user = match hashed_check(&app, &user_id, password).await {
        Some(Ok(Some(user))) => user,
        Some(Ok(None)) => {
            let t = ctx.t();
            let page = pages::login(&ctx.frame(), &user_id, None, Some(t.bad_credentials));
            return ctx.finish(&app, html(StatusCode::UNAUTHORIZED, page));
        }
        Some(Err(e)) => {
            log_error(&app, "login", &e);
            return ctx.finish(&app, internal());
        }
        None => return ctx.finish(&app, internal()),
    };
    {
        let mut th = app.throttle();
        th.users.succeed(&ukey);
        if !known {
            th.addresses.forgive(&akey);
        }
    }
    let Some(tokens) = active_tokens(&app, &user.user_id).await else {
        return ctx.finish(&app, internal());
    };
    let res = password_accepted(&mut ctx, user, tokens.is_empty());
    // Stored from now on, under a new identifier (counted for its user).
    if let Err(e) = ctx.rotate(&app) {
        return session_failed(ctx, &app, &e);
    }
    // This browser is known for this user from now on.
    let res = cookie_header(
        res,
        DEVICE_COOKIE,
        &device_cookie(&app.device_key, &ukey, ctx.now),
        u32::try_from(DEVICE_COOKIE_SECS).unwrap_or(u32::MAX),
        app.config.secure(),
    );
    ctx.finish(&app, res)
}

/// Counts this attempt against the user ID and the address (`None`: a
/// browser known for this user, which the address limit spares) before
/// the password is hashed (a success is forgiven afterwards), so parallel
/// guesses see each other; `Err(seconds to wait)` if either is blocked.
fn count_attempt(app: &WebPortal, ukey: &str, akey: Option<&str>, now: u64) -> Result<(), u64> {
    let mut th = app.throttle();
    let u = th.users.check(ukey, now).err();
    let a = akey.and_then(|a| th.addresses.check(a, now).err());
    if let Some(secs) = u.max(a) {
        return Err(secs);
    }
    th.users.fail(ukey, now);
    if let Some(a) = akey {
        th.addresses.fail(a, now);
    }
    Ok(())
}

/// [`check_password`] on the blocking pool, a few at a time (each hash
/// takes 19 MiB).
async fn hashed_check(
    app: &Arc<WebPortal>,
    user_id: &str,
    password: Zeroizing<String>,
) -> Option<Result<Option<User>, WebError>> {
    let _permit = app.hashing.acquire().await.ok()?;
    let (app, user_id) = (app.clone(), user_id.to_owned());
    blocking(move || check_password(&app, &user_id, password.as_bytes())).await
}

/// The session once the password is accepted (its identifier is rotated
/// next): on to the choice of mobile, or, without one, to "Mon compte".
fn password_accepted(ctx: &mut Ctx, user: User, no_mobile: bool) -> Response {
    let s = &mut ctx.session;
    s.display_name = Some(user.display_name);
    s.activation = None;
    s.transfer = None;
    s.signed = None;
    s.notice = None;
    if no_mobile {
        s.auth = Auth::PasswordOnly { user: user.user_id };
        s.login = None;
        see_other("/account")
    } else {
        s.auth = Auth::Anonymous;
        s.login = Some(LoginFlow {
            user: user.user_id,
            verified_at: ctx.now,
            pending: None,
        });
        see_other("/login/mobile")
    }
}

/// The user if `password` is theirs. An unknown user ID costs the same
/// Argon2id work as a wrong password.
fn check_password(
    app: &WebPortal,
    user_id: &str,
    password: &[u8],
) -> Result<Option<User>, WebError> {
    let found = if user_id.is_empty()
        || user_id.chars().count() > tessera_core::mosaic::MAX_USER_LEN
        || password.len() > MAX_PASSWORD_LEN
    {
        None
    } else {
        app.users().get(user_id)?
    };
    match found {
        Some((user, phc)) => match verify_password(password, &phc) {
            Ok(()) => Ok(Some(user)),
            Err(PasswordRejected::Wrong) => Ok(None),
            Err(PasswordRejected::BadHash) => Err(WebError::Hash),
        },
        None => {
            let _ = verify_password(password, &app.dummy_hash);
            Ok(None)
        }
    }
}

/// GET /login/mobile: the user's mobiles.
pub async fn choose_get(State(app): App, ctx: Ctx) -> Response {
    let Some(flow) = ctx.login_flow() else {
        return ctx.finish(&app, see_other("/"));
    };
    let Some(tokens) = active_tokens(&app, &flow.user).await else {
        return ctx.finish(&app, internal());
    };
    let page = pages::choose_mobile(&ctx.frame(), &ctx.mobile_views(&tokens), None);
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// POST /login/mobile: issues the login challenge for the chosen mobile
/// (also "show a new mosaic" once one expired).
pub async fn choose_post(State(app): App, mut ctx: Ctx, Form(form): Form<TokenForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let Some(mut flow) = ctx.login_flow() else {
        return ctx.finish(&app, see_other("/"));
    };
    let Ok(token) = form.token.trim().parse::<TokenId>() else {
        return ctx.finish(&app, see_other("/login/mobile"));
    };
    let issued = {
        let (app, user, now) = (app.clone(), flow.user.clone(), ctx.now);
        blocking(move || app.portal().login_with(&user, token, now)).await
    };
    match issued {
        Some(Ok(issued)) => {
            flow.pending = Some(pending_of(issued));
            ctx.session.login = Some(flow);
            ctx.finish(&app, see_other("/login/otp"))
        }
        Some(Err(PortalError::TokenLocked)) => {
            let text = ctx.t().token_locked;
            error_page(ctx, &app, StatusCode::LOCKED, text)
        }
        Some(Err(PortalError::NoActiveToken(_))) => ctx.finish(&app, see_other("/login/mobile")),
        Some(Err(e)) => {
            log_error(&app, "login challenge", &e);
            ctx.finish(&app, internal())
        }
        None => ctx.finish(&app, internal()),
    }
}

/// GET /login/otp: the mosaic, its expiry and the OTP field.
pub async fn otp_get(State(app): App, ctx: Ctx) -> Response {
    let Some(flow) = ctx.login_flow() else {
        return ctx.finish(&app, see_other("/"));
    };
    let Some(p) = flow.pending else {
        return ctx.finish(&app, see_other("/login/mobile"));
    };
    let page = login_challenge_page(&app, &ctx, &p, None);
    ctx.finish(&app, html(StatusCode::OK, page))
}

fn login_challenge_page(app: &WebPortal, ctx: &Ctx, p: &Pending, error: Option<&str>) -> Markup {
    let src = mosaic_src("login.png", &p.id);
    let view = mosaic_view(app, &src, &p.mosaic, p.expires_at, ctx.now);
    let refresh = view.seconds_left.map(|s| s + 1);
    pages::login_challenge(
        &ctx.frame_refreshing(refresh),
        &view,
        &p.token.to_string(),
        error,
    )
}

/// POST /login/otp: the portal decides; on success the session is signed in.
pub async fn otp_post(State(app): App, mut ctx: Ctx, Form(form): Form<OtpForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let Some(mut flow) = ctx.login_flow() else {
        return ctx.finish(&app, see_other("/"));
    };
    let Some(p) = flow.pending.clone() else {
        return ctx.finish(&app, see_other("/login/mobile"));
    };
    if let Some(secs) = ctx.address_blocked(&app) {
        let msg = ctx.lang.throttled(secs);
        let page = login_challenge_page(&app, &ctx, &p, Some(&msg));
        return ctx.finish(&app, html(StatusCode::TOO_MANY_REQUESTS, page));
    }
    let otp = typed_otp(&form.otp);
    let verdict = {
        let (app, id, user, now) = (app.clone(), p.id.clone(), flow.user.clone(), ctx.now);
        blocking(move || {
            app.portal()
                .verify(&id, &otp, Some((&user, MosaicKind::Login)), now)
        })
        .await
    };
    match verdict {
        Some(Ok(accepted)) => {
            if let Err(e) = ctx.rotate(&app) {
                return session_failed(ctx, &app, &e);
            }
            ctx.session.auth = Auth::Full {
                user: accepted.user_id,
                token: accepted.token_id,
            };
            ctx.session.login = None;
            ctx.finish(&app, see_other("/welcome"))
        }
        Some(Err(e)) => match refusal(ctx.lang, &e) {
            Some((status, msg, counts)) => {
                if counts {
                    ctx.address_failed(&app);
                }
                if matches!(e, PortalError::Expired | PortalError::AlreadyAnswered) {
                    // Shown as expired: the page offers a new mosaic.
                    if let Some(p) = flow.pending.as_mut() {
                        p.expires_at = 0;
                    }
                    ctx.session.login = Some(flow.clone());
                }
                if e == PortalError::TokenLocked {
                    return error_page(ctx, &app, status, &msg);
                }
                let p = flow.pending.unwrap_or(p);
                let page = login_challenge_page(&app, &ctx, &p, Some(&msg));
                ctx.finish(&app, html(status, page))
            }
            None => {
                log_error(&app, "login verify", &e);
                ctx.finish(&app, internal())
            }
        },
        None => ctx.finish(&app, internal()),
    }
}

/// GET /welcome: "Vous êtes connecté".
pub async fn welcome(State(app): App, ctx: Ctx) -> Response {
    if ctx.full_user().is_none() {
        return ctx.finish(&app, see_other("/"));
    }
    let name = ctx.session.display_name.clone().unwrap_or_default();
    let page = pages::welcome(&ctx.frame(), &name);
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// POST /logout: ends the session.
pub async fn logout(State(app): App, mut ctx: Ctx, Form(form): Form<TokenForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    if ctx.restart(&app).is_err() {
        return ctx.finish(&app, internal());
    }
    let res = cookie_header(
        see_other("/"),
        NOTICE_COOKIE,
        "signed-out",
        60,
        app.config.secure(),
    );
    ctx.finish(&app, res)
}

//! One function per route. Each page handler gets a [`Ctx`] (the session,
//! the language, the client's address, the time), checks the CSRF token
//! first on every POST, does its SQLite and Argon2 work on the blocking
//! pool, and answers with a page or a redirect (POST → 303 → GET).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, http};
use maud::Markup;
use serde::Deserialize;
use tessera_core::mosaic::{MosaicError, MosaicKind, TokenId, Transaction};
use zeroize::Zeroizing;

use super::i18n::{Lang, Texts};
use super::pages::{self, Frame, MobileView, MosaicView, TransferValues};
use super::session::{
    ActivationFlow, Auth, LOGIN_STEP_SECS, LoginFlow, Notice, Pending, Session, TransferFlow,
    cookie, cookie_name, set_cookie,
};
use super::throttle::{address_key, user_key};
use super::users::{MAX_PASSWORD_LEN, PasswordRejected, User, verify_password};
use super::{WebError, WebPortal};
use crate::store::TokenRecord;
use crate::{IssuedChallenge, PortalError, render};

type App = State<Arc<WebPortal>>;

/// The language cookie.
const LANG_COOKIE: &str = "tessera_lang";

/// The request's session (created when there is none), language, client
/// address and time. [`Ctx::finish`] stores the session back and sets the
/// cookie when the session is new or its identifier changed.
pub struct Ctx {
    sid: String,
    session: Session,
    new_cookie: bool,
    lang: Lang,
    ip: IpAddr,
    now: u64,
    path: String,
}

impl FromRequestParts<Arc<WebPortal>> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<WebPortal>,
    ) -> Result<Self, Self::Rejection> {
        let now = app.now();
        let cookies = || {
            parts
                .headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
        };
        let presented = cookie(cookies(), cookie_name(app.config.secure()));
        let lang = cookie(cookies(), LANG_COOKIE)
            .and_then(Lang::from_code)
            .unwrap_or_else(|| {
                Lang::negotiate(
                    parts
                        .headers
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or(""),
                )
            });
        let found = {
            let mut sessions = app.sessions();
            match presented.and_then(|id| sessions.get(id, now).map(|s| (id.to_owned(), s))) {
                Some((id, s)) => Ok((id, s, false)),
                None => sessions.create(&app.rng, now).map(|(id, s)| (id, s, true)),
            }
        };
        let (sid, session, new_cookie) = found.map_err(|_| internal())?;
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self {
            sid,
            session,
            new_cookie,
            lang,
            ip,
            now,
            path: parts.uri.path().to_owned(),
        })
    }
}

impl Ctx {
    fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    fn frame(&self) -> Frame<'_> {
        Frame {
            lang: self.lang,
            csrf: &self.session.csrf,
            user: self
                .session
                .auth
                .user()
                .and(self.session.display_name.as_deref()),
            full: matches!(self.session.auth, Auth::Full { .. }),
            path: &self.path,
            refresh: None,
        }
    }

    fn frame_refreshing(&self, refresh: Option<u64>) -> Frame<'_> {
        Frame {
            refresh,
            ..self.frame()
        }
    }

    /// Stores the session and sets the cookie if needed.
    fn finish(self, app: &WebPortal, mut res: Response) -> Response {
        app.sessions().put(&self.sid, self.session);
        if self.new_cookie
            && let Ok(v) = HeaderValue::from_str(&set_cookie(&self.sid, app.config.secure()))
        {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        res
    }

    /// A new identifier and CSRF token for this session (privilege change).
    fn rotate(&mut self, app: &WebPortal) -> Result<(), WebError> {
        let (sid, session) = app
            .sessions()
            .rotate(&self.sid, self.session.clone(), &app.rng)?;
        self.sid = sid;
        self.session = session;
        self.new_cookie = true;
        Ok(())
    }

    /// Ends this session and starts an anonymous one.
    fn restart(&mut self, app: &WebPortal) -> Result<(), WebError> {
        let mut sessions = app.sessions();
        sessions.remove(&self.sid);
        let (sid, session) = sessions.create(&app.rng, self.now)?;
        self.sid = sid;
        self.session = session;
        self.new_cookie = true;
        Ok(())
    }

    fn csrf_ok(&self, token: &str) -> bool {
        self.session.csrf_ok(token)
    }

    /// 403: the form's CSRF token is missing or not this session's.
    fn forbidden(self, app: &WebPortal) -> Response {
        let t = self.t();
        let page = pages::message(
            &self.frame(),
            t.error,
            t.csrf,
            Some(("/", t.back_to_login)),
            "csrf-error",
        );
        self.finish(app, html(StatusCode::FORBIDDEN, page))
    }

    fn user(&self) -> Option<String> {
        self.session.auth.user().map(str::to_owned)
    }

    fn full_user(&self) -> Option<String> {
        match &self.session.auth {
            Auth::Full { user, .. } => Some(user.clone()),
            _ => None,
        }
    }

    /// The login in progress, if its password step is recent enough.
    fn login_flow(&self) -> Option<LoginFlow> {
        self.session
            .login
            .clone()
            .filter(|f| self.now.saturating_sub(f.verified_at) < LOGIN_STEP_SECS)
    }

    /// The address's throttle, if it is blocked: seconds to wait.
    fn address_blocked(&self, app: &WebPortal) -> Option<u64> {
        app.throttle()
            .addresses
            .check(&address_key(self.ip), self.now)
            .err()
    }

    fn address_failed(&self, app: &WebPortal) {
        app.throttle()
            .addresses
            .fail(&address_key(self.ip), self.now);
    }

    fn mobile_views(&self, tokens: &[TokenRecord]) -> Vec<MobileView> {
        tokens
            .iter()
            .map(|t| {
                let id = t.id.to_string();
                let short = id.get(id.len().saturating_sub(4)..).unwrap_or("");
                MobileView {
                    label: self.lang.mobile_label(short, &pages::date(t.created_at)),
                    id,
                }
            })
            .collect()
    }
}

fn html(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

fn see_other(path: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response()
}

fn internal() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "internal error",
    )
        .into_response()
}

/// Runs `f` on the blocking pool (SQLite, Argon2, PNG encoding).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// The active mobiles of `user`, off the async threads.
async fn active_tokens(app: &Arc<WebPortal>, user: &str) -> Option<Vec<TokenRecord>> {
    let (app, user) = (app.clone(), user.to_owned());
    blocking(move || app.portal().active_tokens(&user))
        .await?
        .ok()
}

fn log_error(app: &WebPortal, what: &str, e: &dyn std::fmt::Display) {
    if app.config.log_requests {
        eprintln!("error: {what}: {e}");
    }
}

/// An error page with `status`.
fn error_page(ctx: Ctx, app: &WebPortal, status: StatusCode, text: &str) -> Response {
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

// ---------------------------------------------------------------- sign-in

/// GET /: the sign-in page, or where a signed-in user belongs.
pub async fn home(State(app): App, mut ctx: Ctx) -> Response {
    let res = match ctx.session.auth {
        Auth::Full { .. } => see_other("/welcome"),
        Auth::PasswordOnly { .. } => see_other("/account"),
        Auth::Anonymous => {
            let notice = (ctx.session.notice.take() == Some(Notice::LoggedOut))
                .then_some(ctx.t().logged_out);
            html(StatusCode::OK, pages::login(&ctx.frame(), "", notice, None))
        }
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
    let wait = {
        let mut th = app.throttle();
        let u = th.users.check(&ukey, ctx.now).err();
        let a = th.addresses.check(&akey, ctx.now).err();
        u.max(a)
    };
    if let Some(secs) = wait {
        let msg = ctx.lang.throttled(secs);
        let page = pages::login(&ctx.frame(), &user_id, None, Some(&msg));
        return ctx.finish(&app, html(StatusCode::TOO_MANY_REQUESTS, page));
    }
    let Ok(_permit) = app.hashing.acquire().await else {
        return ctx.finish(&app, internal());
    };
    let checked = {
        let (app, user_id) = (app.clone(), user_id.clone());
        blocking(move || check_password(&app, &user_id, password.as_bytes())).await
    };
    drop(_permit);
    let user = match checked {
        Some(Ok(Some(user))) => user,
        Some(Ok(None)) => {
            {
                let mut th = app.throttle();
                th.users.fail(&ukey, ctx.now);
                th.addresses.fail(&akey, ctx.now);
            }
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
    app.throttle().users.succeed(&ukey);
    let Some(tokens) = active_tokens(&app, &user.user_id).await else {
        return ctx.finish(&app, internal());
    };
    if ctx.rotate(&app).is_err() {
        return ctx.finish(&app, internal());
    }
    let s = &mut ctx.session;
    s.display_name = Some(user.display_name);
    s.activation = None;
    s.transfer = None;
    s.signed = None;
    s.notice = None;
    let res = if tokens.is_empty() {
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
    };
    ctx.finish(&app, res)
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

/// A form that names a mobile.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
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

/// A form with an OTP.
#[derive(Deserialize)]
pub struct OtpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    otp: String,
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
        PortalError::TokenLocked => (StatusCode::LOCKED, t.token_locked.to_owned(), true),
        PortalError::Expired => (StatusCode::OK, t.expired.to_owned(), false),
        PortalError::AlreadyAnswered => (StatusCode::OK, t.already_used.to_owned(), false),
        PortalError::ActivationExpired | PortalError::NoPendingActivation(_) => {
            (StatusCode::OK, t.activation_expired.to_owned(), false)
        }
        _ => return None,
    })
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
            if ctx.rotate(&app).is_err() {
                return ctx.finish(&app, internal());
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
    ctx.session.notice = Some(Notice::LoggedOut);
    ctx.finish(&app, see_other("/"))
}

// ---------------------------------------------------------------- account

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

/// POST /account/activate: the confirmation OTP.
pub async fn activate_post(State(app): App, mut ctx: Ctx, Form(form): Form<OtpForm>) -> Response {
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
    let otp = typed_otp(&form.otp);
    let verdict = {
        let (app, now) = (app.clone(), ctx.now);
        blocking(move || app.portal().confirm(&user, &otp, now)).await
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

// ---------------------------------------------------------------- transfer

/// GET /transfer: "Virement".
pub async fn transfer_get(State(app): App, ctx: Ctx) -> Response {
    let Some(user) = ctx.full_user() else {
        return ctx.finish(&app, see_other("/account"));
    };
    let Some(tokens) = active_tokens(&app, &user).await else {
        return ctx.finish(&app, internal());
    };
    let page = pages::transfer_form(
        &ctx.frame(),
        &TransferValues::default(),
        &ctx.mobile_views(&tokens),
        None,
    );
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// The transfer form.
#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    payee: String,
    #[serde(default)]
    iban: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    token: String,
}

/// The transaction of the form, in the protocol's forms: amount with a
/// point ("120,50" is accepted), IBAN without spaces in capitals.
fn transaction_of(form: &TransferForm) -> Transaction {
    let amount: String = form
        .amount
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let reference = form.reference.trim();
    Transaction {
        amount,
        currency: "EUR".to_owned(),
        payee: form.payee.trim().to_owned(),
        iban: form
            .iban
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase(),
        reference: (!reference.is_empty()).then(|| reference.to_owned()),
        text: None,
    }
}

/// The message of a field the protocol refused.
fn field_error(t: &Texts, e: &MosaicError) -> &'static str {
    match e {
        MosaicError::InvalidField {
            field: "amount", ..
        } => t.invalid_amount,
        MosaicError::InvalidField { field: "payee", .. } => t.invalid_payee,
        MosaicError::InvalidField { field: "IBAN", .. } => t.invalid_iban,
        MosaicError::InvalidField {
            field: "reference", ..
        } => t.invalid_reference,
        _ => t.error,
    }
}

/// POST /transfer: issues the transaction challenge.
pub async fn transfer_post(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<TransferForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let Some(user) = ctx.full_user() else {
        return ctx.finish(&app, see_other("/account"));
    };
    let transaction = transaction_of(&form);
    let token = form.token.trim().parse::<TokenId>().ok();
    let issued = {
        let (app, user, tx, now) = (app.clone(), user.clone(), transaction.clone(), ctx.now);
        blocking(move || {
            let mut portal = app.portal();
            match token {
                Some(token) => portal.sign_with(&user, token, tx, now),
                None => portal.sign(&user, tx, now),
            }
        })
        .await
    };
    match issued {
        Some(Ok(issued)) => {
            ctx.session.transfer = Some(TransferFlow {
                transaction,
                pending: pending_of(issued),
            });
            ctx.finish(&app, see_other("/transfer/sign"))
        }
        Some(Err(PortalError::Mosaic(e))) => {
            let Some(tokens) = active_tokens(&app, &user).await else {
                return ctx.finish(&app, internal());
            };
            let values = TransferValues {
                amount: &form.amount,
                payee: &form.payee,
                iban: &form.iban,
                reference: &form.reference,
            };
            let msg = field_error(ctx.t(), &e);
            let page =
                pages::transfer_form(&ctx.frame(), &values, &ctx.mobile_views(&tokens), Some(msg));
            ctx.finish(&app, html(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Some(Err(PortalError::TokenLocked)) => {
            let text = ctx.t().token_locked;
            error_page(ctx, &app, StatusCode::LOCKED, text)
        }
        Some(Err(PortalError::NoActiveToken(_))) => ctx.finish(&app, see_other("/account")),
        Some(Err(e)) => {
            log_error(&app, "sign", &e);
            ctx.finish(&app, internal())
        }
        None => ctx.finish(&app, internal()),
    }
}

fn transfer_page(app: &WebPortal, ctx: &Ctx, f: &TransferFlow, error: Option<&str>) -> Markup {
    let p = &f.pending;
    let src = mosaic_src("transfer.png", &p.id);
    let view = mosaic_view(app, &src, &p.mosaic, p.expires_at, ctx.now);
    let refresh = view.seconds_left.map(|s| s + 1);
    pages::transfer_sign(
        &ctx.frame_refreshing(refresh),
        &f.transaction,
        &view,
        &p.token.to_string(),
        error,
    )
}

/// GET /transfer/sign: the transaction, its mosaic and the OTP field.
pub async fn transfer_sign_get(State(app): App, ctx: Ctx) -> Response {
    let (Some(_), Some(f)) = (ctx.full_user(), ctx.session.transfer.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    let page = transfer_page(&app, &ctx, &f, None);
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// POST /transfer/sign: the portal decides on the transaction's OTP.
pub async fn transfer_sign_post(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<OtpForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let (Some(user), Some(mut f)) = (ctx.full_user(), ctx.session.transfer.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    if let Some(secs) = ctx.address_blocked(&app) {
        let msg = ctx.lang.throttled(secs);
        let page = transfer_page(&app, &ctx, &f, Some(&msg));
        return ctx.finish(&app, html(StatusCode::TOO_MANY_REQUESTS, page));
    }
    let otp = typed_otp(&form.otp);
    let verdict = {
        let (app, id, now) = (app.clone(), f.pending.id.clone(), ctx.now);
        blocking(move || {
            app.portal()
                .verify(&id, &otp, Some((&user, MosaicKind::Transaction)), now)
        })
        .await
    };
    match verdict {
        Some(Ok(accepted)) => {
            ctx.session.signed = accepted.transaction;
            ctx.session.transfer = None;
            ctx.finish(&app, see_other("/transfer/done"))
        }
        Some(Err(e)) => match refusal(ctx.lang, &e) {
            Some((status, msg, counts)) => {
                if counts {
                    ctx.address_failed(&app);
                }
                if e == PortalError::TokenLocked {
                    ctx.session.transfer = None;
                    return error_page(ctx, &app, status, &msg);
                }
                if matches!(e, PortalError::Expired | PortalError::AlreadyAnswered) {
                    f.pending.expires_at = 0;
                    ctx.session.transfer = Some(f.clone());
                }
                let page = transfer_page(&app, &ctx, &f, Some(&msg));
                ctx.finish(&app, html(status, page))
            }
            None => {
                log_error(&app, "transfer verify", &e);
                ctx.finish(&app, internal())
            }
        },
        None => ctx.finish(&app, internal()),
    }
}

/// POST /transfer/reissue: a new mosaic for the same transfer once the
/// first expired.
pub async fn transfer_reissue(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let (Some(user), Some(f)) = (ctx.full_user(), ctx.session.transfer.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    let issued = {
        let (app, tx, token, now) = (app.clone(), f.transaction.clone(), f.pending.token, ctx.now);
        blocking(move || app.portal().sign_with(&user, token, tx, now)).await
    };
    match issued {
        Some(Ok(issued)) => {
            ctx.session.transfer = Some(TransferFlow {
                transaction: f.transaction,
                pending: pending_of(issued),
            });
            ctx.finish(&app, see_other("/transfer/sign"))
        }
        Some(Err(PortalError::TokenLocked)) => {
            let text = ctx.t().token_locked;
            error_page(ctx, &app, StatusCode::LOCKED, text)
        }
        Some(Err(e)) => {
            log_error(&app, "reissue", &e);
            ctx.finish(&app, see_other("/transfer"))
        }
        None => ctx.finish(&app, internal()),
    }
}

/// GET /transfer/done: the signed transfer.
pub async fn transfer_done(State(app): App, ctx: Ctx) -> Response {
    let (Some(_), Some(tx)) = (ctx.full_user(), ctx.session.signed.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    let page = pages::transfer_done(&ctx.frame(), &tx);
    ctx.finish(&app, html(StatusCode::OK, page))
}

// ---------------------------------------------------------------- the rest

/// The language switch's query.
#[derive(Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    next: String,
}

/// Where the language switch may send back to: a path of this portal
/// (no scheme, no host, no `//`), else `/`.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 64
        && next
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'-' || b == b'_');
    if ok { next } else { "/" }
}

/// GET /lang/{code}?next=PATH: remembers the language in a cookie.
pub async fn language(
    State(app): App,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unknown language").into_response();
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict{}",
        lang.code(),
        if app.config.secure() { "; Secure" } else { "" }
    );
    let mut res = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, safe_next(&q.next).to_owned())],
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_switch_only_returns_to_this_portal() {
        for (next, want) in [
            ("/account", "/account"),
            ("/login/otp", "/login/otp"),
            ("", "/"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/\\evil.example", "/"),
            ("/a?b=c", "/"),
        ] {
            assert_eq!(safe_next(next), want, "{next}");
        }
    }

    #[test]
    fn transfer_fields_are_normalised() {
        let form = TransferForm {
            csrf: String::new(),
            amount: " 1 120,50 ".into(),
            payee: "  Boulangerie Schmit ".into(),
            iban: "lu28 0019 4006 4475 0000".into(),
            reference: "  ".into(),
            token: String::new(),
        };
        let tx = transaction_of(&form);
        assert_eq!(tx.amount, "1120.50");
        assert_eq!(tx.payee, "Boulangerie Schmit");
        assert_eq!(tx.iban, "LU280019400644750000");
        assert_eq!(tx.reference, None);
    }
}

//! The request's context: the [`Ctx`] extractor every page handler takes
//! (the stored session from its cookie, or an anonymous one that lives only
//! in this request; the language; the client's address; the time), and
//! what handlers ask of it (the page frame, CSRF, the signed-in user, the
//! address's throttle). [`Ctx::finish`] stores a stored session back and
//! sets the cookie.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::i18n::{Lang, Texts};
use super::language::LANG_COOKIE;
use super::pages::{self, Frame, MobileView};
use super::reply::{NOTICE_COOKIE, html, internal};
use super::session::{
    Auth, LOGIN_STEP_SECS, LoginFlow, Session, anonymous_csrf, cookie, cookie_name, random_token,
    set_cookie, well_formed,
};
use super::throttle::{DEVICE_COOKIE, address_key};
use super::{WebError, WebPortal};
use crate::store::TokenRecord;

/// The request's session, language, client address and time.
/// [`Ctx::finish`] stores the session back (if it is stored) and sets the
/// cookie when it is new or its identifier changed.
pub struct Ctx {
    /// The stored session's identifier; `None` for an anonymous visitor,
    /// whose session is not stored.
    sid: Option<String>,
    /// An anonymous visitor's cookie value: a random nonce, the input of
    /// its CSRF token.
    nonce: String,
    pub(super) session: Session,
    new_cookie: bool,
    pub(super) lang: Lang,
    pub(super) ip: IpAddr,
    pub(super) now: u64,
    path: String,
    /// The browser was just signed out (the notice's cookie).
    pub(super) signed_out: bool,
    /// The known-browser cookie, if any (checked against a user ID by
    /// `throttle::known_browser`).
    pub(super) device: Option<String>,
}

impl FromRequestParts<Arc<WebPortal>> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<WebPortal>,
    ) -> Result<Self, Self::Rejection> {
        let now = app.now();
        let presented = cookie(cookies(parts), cookie_name(app.config.secure()));
        let (sid, nonce, session, new_cookie) =
            session_of(app, presented, now).map_err(|_| internal())?;
        Ok(Self {
            sid,
            nonce,
            session,
            new_cookie,
            lang: language_of(parts),
            ip: client_ip(parts, &app.config.trusted_proxies),
            now,
            path: parts.uri.path().to_owned(),
            signed_out: cookie(cookies(parts), NOTICE_COOKIE) == Some("signed-out"),
            device: cookie(cookies(parts), DEVICE_COOKIE).map(str::to_owned),
        })
    }
}

/// The request's `Cookie` header values.
fn cookies(parts: &Parts) -> impl Iterator<Item = &str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

/// The language: the switch's cookie, else the browser's `Accept-Language`.
fn language_of(parts: &Parts) -> Lang {
    cookie(cookies(parts), LANG_COOKIE)
        .and_then(Lang::from_code)
        .unwrap_or_else(|| {
            Lang::negotiate(
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

/// The client's address: the peer's (unspecified when the router runs
/// without one), or, when the peer is a trusted proxy, the rightmost
/// address of X-Forwarded-For that is not a trusted proxy (what a proxy
/// appends cannot be forged by the client; what the client sent is to
/// its left).
fn client_ip(parts: &Parts, trusted: &[IpAddr]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if !trusted.contains(&canonical(peer)) {
        return peer;
    }
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&canonical(ip)) => continue,
            Ok(ip) => return canonical(ip),
            // Something unreadable where an address should be: the
            // proxy's own word ends here.
            Err(_) => break,
        }
    }
    peer
}

/// An IPv4-mapped IPv6 address as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The live stored session of the presented identifier; else an
/// anonymous session for the presented nonce (or a new one: then `true`,
/// its cookie must be set), which is not stored.
fn session_of(
    app: &WebPortal,
    presented: Option<&str>,
    now: u64,
) -> Result<(Option<String>, String, Session, bool), WebError> {
    let stored = presented.and_then(|id| app.sessions().get(id, now).map(|s| (id.to_owned(), s)));
    if let Some((id, s)) = stored {
        return Ok((Some(id), String::new(), s, false));
    }
    let (nonce, new_cookie) = match presented.filter(|v| well_formed(v)) {
        Some(v) => (v.to_owned(), false),
        None => (random_token(&app.rng)?, true),
    };
    let session = Session::new(anonymous_csrf(&app.csrf_key, &nonce), now);
    Ok((None, nonce, session, new_cookie))
}

impl Ctx {
    pub(super) fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    pub(super) fn frame(&self) -> Frame<'_> {
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

    pub(super) fn frame_refreshing(&self, refresh: Option<u64>) -> Frame<'_> {
        Frame {
            refresh,
            ..self.frame()
        }
    }

    /// Stores the session (if stored) and sets the cookie if needed.
    pub(super) fn finish(self, app: &WebPortal, mut res: Response) -> Response {
        let value = match self.sid {
            Some(sid) => {
                app.sessions().put(&sid, self.session);
                sid
            }
            None => self.nonce,
        };
        if self.new_cookie
            && let Ok(v) = HeaderValue::from_str(&set_cookie(&value, app.config.secure()))
        {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        res
    }

    /// A new identifier and CSRF token for this session, which is stored
    /// from now on (privilege change: the password or the OTP accepted).
    pub(super) fn rotate(&mut self, app: &WebPortal) -> Result<(), WebError> {
        let (sid, session) = app.sessions().rotate(
            self.sid.as_deref(),
            self.session.clone(),
            &app.rng,
            self.now,
        )?;
        self.sid = Some(sid);
        self.session = session;
        self.new_cookie = true;
        Ok(())
    }

    /// Ends this session: the browser is an anonymous visitor again, with
    /// a new nonce.
    pub(super) fn restart(&mut self, app: &WebPortal) -> Result<(), WebError> {
        if let Some(sid) = self.sid.take() {
            app.sessions().remove(&sid);
        }
        self.nonce = random_token(&app.rng)?;
        self.session = Session::new(anonymous_csrf(&app.csrf_key, &self.nonce), self.now);
        self.new_cookie = true;
        Ok(())
    }

    pub(super) fn csrf_ok(&self, token: &str) -> bool {
        self.session.csrf_ok(token)
    }

    /// 403: the form's CSRF token is missing or not this session's.
    pub(super) fn forbidden(self, app: &WebPortal) -> Response {
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

    pub(super) fn user(&self) -> Option<String> {
        self.session.auth.user().map(str::to_owned)
    }

    pub(super) fn full_user(&self) -> Option<String> {
        match &self.session.auth {
            Auth::Full { user, .. } => Some(user.clone()),
            _ => None,
        }
    }

    /// The login in progress, if its password step is recent enough.
    pub(super) fn login_flow(&self) -> Option<LoginFlow> {
        self.session
            .login
            .clone()
            .filter(|f| self.now.saturating_sub(f.verified_at) < LOGIN_STEP_SECS)
    }

    /// The address's OTP throttle, if it is blocked: seconds to wait.
    pub(super) fn address_blocked(&self, app: &WebPortal) -> Option<u64> {
        app.throttle()
            .otp_addresses
            .check(&address_key(self.ip), self.now)
            .err()
    }

    /// Counts a wrong OTP against the address.
    pub(super) fn address_failed(&self, app: &WebPortal) {
        app.throttle()
            .otp_addresses
            .fail(&address_key(self.ip), self.now);
    }

    pub(super) fn mobile_views(&self, tokens: &[TokenRecord]) -> Vec<MobileView> {
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

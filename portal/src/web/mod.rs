//! The reference portal in a browser (`tessera portal`; feature `web`).
//!
//! An axum server over the same [`Portal`] and SQLite store as
//! `tessera issuer`, with the users of the portal, sessions and pages on
//! top. The flows are the ones of docs/ARCHITECTURE.md ("Flows"): sign in with user ID and
//! password, choose the mobile, scan the mosaic, type the OTP; "Mon
//! compte" to add (activation mosaic, code, confirmation OTP) and remove
//! mobiles; "Virement" to have a transfer signed.
//!
//! | File | Concern |
//! |---|---|
//! | `mod.rs` | the state ([`WebPortal`]), the router, security headers, the server |
//! | `ctx.rs` | the request's context (`Ctx`): session, language, client address, time |
//! | `flows/` | one file per flow (`signin.rs`, `account.rs`, `transfer.rs`), what they share in `mod.rs`; SQLite and Argon2 work runs in `spawn_blocking` |
//! | `language.rs` | the language switch and its cookie |
//! | `assets.rs` | mosaic images, the stylesheet, the 404 page |
//! | `reply.rs` | pages, redirects, error pages |
//! | `server.rs` | the connection loop: timeouts, connection cap, open-file limit, shutdown |
//! | `session.rs` | server-side sessions, cookies, CSRF tokens |
//! | `throttle.rs` | wrong passwords per user and per address, wrong OTPs per address |
//! | `users.rs` | users and Argon2id password hashes (`web_users` table), demo users |
//! | `pages.rs` | the HTML (maud: escaped by construction), `style.css` |
//! | `i18n.rs` | French, English, German |
//!
//! Web security: see `docs/threat-model.md`, "Web portal".

mod assets;
mod ctx;
mod flows;
pub mod i18n;
mod language;
pub mod pages;
mod reply;
mod server;
pub mod session;
pub mod throttle;
pub mod users;

pub use server::{max_connections, raise_open_file_limit, serve};

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use ring::rand::SystemRandom;
use thiserror::Error;

use crate::{Portal, PortalConfig, PortalError, SqliteStore};
use session::Sessions;
use throttle::Throttle;
use users::{DemoUser, UserStore};

/// Why the web portal could not start or answer.
#[derive(Debug, Error)]
pub enum WebError {
    /// The database failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// Password hashing failed, or a stored hash is unreadable.
    #[error("password hashing failed")]
    Hash,
    /// The system's random source failed.
    #[error("the random number generator failed")]
    Random,
    /// From the relying party.
    #[error(transparent)]
    Portal(#[from] PortalError),
    /// Too many sessions: a new sign-in must wait.
    #[error("too many sessions")]
    Busy,
    /// The server's socket or runtime.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// The wall clock (Unix seconds), injectable for tests.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// How the web portal behaves.
#[derive(Clone)]
pub struct WebConfig {
    /// The portal's public origin, e.g. `http://127.0.0.1:8080`: shown on
    /// the phone, bound into every OTP, and deciding the cookies' `Secure`
    /// flag (set for an `https://` origin, i.e. behind a TLS proxy).
    pub origin: String,
    /// The relying party's settings (challenge and activation lifetimes,
    /// lock after wrong OTPs).
    pub portal: PortalConfig,
    /// Pixels per mosaic module in the pages' images.
    pub module_px: u32,
    /// Print one line per request (method, path, status, time) on stderr;
    /// never a query string, a form field or a cookie.
    pub log_requests: bool,
    /// The clock.
    pub clock: Clock,
    /// The `Host` headers answered (lowercase `host[:port]`); any other is
    /// refused (421), so a DNS-rebinding page cannot read the portal from
    /// its own origin. [`WebConfig::new`] puts the origin's; the server
    /// adds `127.0.0.1:PORT` and `localhost:PORT` ([`WebConfig::allow_host`]).
    pub allowed_hosts: Vec<String>,
    /// The reverse proxies in front (`tessera portal --trusted-proxy`):
    /// from these peers only, the client's address is read from
    /// X-Forwarded-For (its rightmost address that is not one of them);
    /// from any other peer the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("origin", &self.origin)
            .field("portal", &self.portal)
            .field("module_px", &self.module_px)
            .field("log_requests", &self.log_requests)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

impl WebConfig {
    /// The defaults for `origin`: 3-minute challenges, 10-minute
    /// activation offers, 6-pixel modules, the system clock.
    pub fn new(origin: impl Into<String>) -> Self {
        let origin = origin.into();
        let mut config = Self {
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            origin: origin.clone(),
            portal: PortalConfig {
                activation_lifetime: 10 * 60,
                ..PortalConfig::default()
            },
            module_px: 6,
            log_requests: false,
            clock: system_clock(),
        };
        let (scheme, rest) = origin.split_once("://").unwrap_or(("http", &origin));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        config.allow_host(authority);
        // The same host with its scheme's default port written out.
        let default_port = if scheme.eq_ignore_ascii_case("https") {
            "443"
        } else {
            "80"
        };
        if !authority.contains(':') || authority.ends_with(']') {
            config.allow_host(&format!("{authority}:{default_port}"));
        } else if let Some(host) = authority.strip_suffix(&format!(":{default_port}")) {
            config.allow_host(host);
        }
        config
    }

    /// Answers requests whose `Host` is `host` (`name[:port]`) too.
    pub fn allow_host(&mut self, host: &str) {
        let host = host.trim().to_ascii_lowercase();
        if !host.is_empty() && !self.allowed_hosts.contains(&host) {
            self.allowed_hosts.push(host);
        }
    }

    /// Whether cookies get `Secure` (and the `__Host-` prefix) and
    /// responses HSTS: when the origin is https.
    pub fn secure(&self) -> bool {
        self.origin.starts_with("https://")
    }
}

/// The web portal's state, shared by every request.
pub struct WebPortal {
    portal: Mutex<Portal<SqliteStore>>,
    users: Mutex<UserStore>,
    sessions: Mutex<Sessions>,
    throttle: Mutex<Throttle>,
    /// Password hashes at once (19 MiB each): a burst of logins queues
    /// instead of exhausting memory.
    hashing: tokio::sync::Semaphore,
    config: WebConfig,
    rng: SystemRandom,
    /// This process's key of the anonymous visitors' CSRF tokens.
    csrf_key: ring::hmac::Key,
    /// The database's key of the known-browser cookies (`web_keys`).
    device_key: ring::hmac::Key,
    /// Verified against when the user does not exist, so that an unknown
    /// user ID takes as long as a wrong password.
    dummy_hash: String,
}

impl std::fmt::Debug for WebPortal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPortal")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

use tessera_core::sync::lock;

impl WebPortal {
    /// Opens the portal over the SQLite database at `db` (created if
    /// missing), creating the demo users on the first start: they are
    /// returned with their passwords, to be shown once.
    pub fn open(db: &Path, config: WebConfig) -> Result<(Self, Vec<DemoUser>), WebError> {
        Self::new(SqliteStore::open(db)?, UserStore::open(db)?, config)
    }

    /// A portal in memory (tests).
    pub fn in_memory(config: WebConfig) -> Result<(Self, Vec<DemoUser>), WebError> {
        Self::new(SqliteStore::in_memory()?, UserStore::in_memory()?, config)
    }

    fn new(
        store: SqliteStore,
        users: UserStore,
        config: WebConfig,
    ) -> Result<(Self, Vec<DemoUser>), WebError> {
        let rng = SystemRandom::new();
        let demo = users.create_demo_users((config.clock)())?;
        let dummy_hash = users::hash_password(b"not a password", &rng)?;
        let portal = Portal::new(store, config.portal.clone());
        let csrf_key = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng)
            .map_err(|_| WebError::Random)?;
        let device_key = ring::hmac::Key::new(
            ring::hmac::HMAC_SHA256,
            users.key("device-cookie", &rng)?.as_ref(),
        );
        Ok((
            Self {
                portal: Mutex::new(portal),
                users: Mutex::new(users),
                sessions: Mutex::new(Sessions::default()),
                throttle: Mutex::new(Throttle::default()),
                hashing: tokio::sync::Semaphore::new(2),
                config,
                rng,
                csrf_key,
                device_key,
                dummy_hash,
            },
            demo,
        ))
    }

    /// The configuration.
    pub fn config(&self) -> &WebConfig {
        &self.config
    }

    /// How many sessions are stored (signed in, or between password and
    /// OTP); anonymous visitors have none.
    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }

    fn portal(&self) -> MutexGuard<'_, Portal<SqliteStore>> {
        lock(&self.portal)
    }

    fn users(&self) -> MutexGuard<'_, UserStore> {
        lock(&self.users)
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        lock(&self.sessions)
    }

    fn throttle(&self) -> MutexGuard<'_, Throttle> {
        lock(&self.throttle)
    }

    fn now(&self) -> u64 {
        (self.config.clock)()
    }
}

/// Runs `f` on the blocking pool (SQLite, Argon2, PNG encoding).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// Every page's routes, with the security headers, the Host check, and a
/// 16 KiB body read within 10 s.
pub fn router(app: Arc<WebPortal>) -> Router {
    use flows::{account, signin, transfer};
    Router::new()
        .route("/", get(signin::home))
        .route("/login", post(signin::login_post))
        .route(
            "/login/mobile",
            get(signin::choose_get).post(signin::choose_post),
        )
        .route("/login/otp", get(signin::otp_get).post(signin::otp_post))
        .route("/welcome", get(signin::welcome))
        .route("/logout", post(signin::logout))
        .route("/account", get(account::account))
        .route("/account/add", post(account::add_mobile))
        .route(
            "/account/activate",
            get(account::activate_get).post(account::activate_post),
        )
        .route("/account/remove", post(account::remove_mobile))
        .route(
            "/transfer",
            get(transfer::transfer_get).post(transfer::transfer_post),
        )
        .route(
            "/transfer/sign",
            get(transfer::transfer_sign_get).post(transfer::transfer_sign_post),
        )
        .route("/transfer/reissue", post(transfer::transfer_reissue))
        .route("/transfer/done", get(transfer::transfer_done))
        .route("/lang/{code}", get(language::language))
        .route("/mosaic/{file}", get(assets::mosaic))
        .route("/static/style.css", get(assets::style))
        .fallback(assets::not_found)
        .layer(DefaultBodyLimit::max(server::MAX_BODY))
        .layer(middleware::from_fn(server::limit_request))
        .layer(middleware::from_fn_with_state(app.clone(), check_host))
        .layer(middleware::from_fn_with_state(app.clone(), log_request))
        .layer(middleware::map_response_with_state(
            app.clone(),
            security_headers,
        ))
        .with_state(app)
}

/// The Content-Security-Policy of every response: nothing but this
/// origin's images, stylesheet and forms; no script at all; no framing.
pub const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(State(app): State<Arc<WebPortal>>, mut res: Response) -> Response {
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if app.config.secure() {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

/// Refuses (421, a page in the browser's language) a request whose `Host`
/// is not one of [`WebConfig::allowed_hosts`]: a page of another site whose
/// name was rebound to this address (DNS rebinding) sends its own name.
async fn check_host(State(app): State<Arc<WebPortal>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    if host.is_some_and(|h| app.config.allowed_hosts.contains(&h)) {
        return next.run(req).await;
    }
    reply::bare_page(
        req.headers(),
        axum::http::StatusCode::MISDIRECTED_REQUEST,
        |t| t.unknown_host,
        "unknown-host",
    )
}

/// One line per request on stderr: method, path (no query), status, time.
async fn log_request(State(app): State<Arc<WebPortal>>, req: Request, next: Next) -> Response {
    if !app.config.log_requests {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    eprintln!(
        "{method} {path} {} {} ms",
        res.status().as_u16(),
        start.elapsed().as_millis()
    );
    res
}

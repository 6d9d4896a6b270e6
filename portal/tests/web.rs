//! The web portal's security properties over HTTP: the router is called
//! in-process (`tower::ServiceExt::oneshot`, no socket), with a cookie jar,
//! a client address and a clock the test controls. The phone is the core's
//! mosaic API, reading each mosaic from the PNG the portal serves.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, DeviceActivation, DeviceSecret, Envelope, respond,
};
use tessera_core::scan::{Frame, Scanner};
use tessera_portal::web::{WebConfig, WebPortal, router};
use tower::ServiceExt;

const START: u64 = 1_764_400_000;

/// A browser: cookie jar, address, and the portal's clock.
struct Client {
    app: Router,
    jar: BTreeMap<String, String>,
    addr: SocketAddr,
    clock: Arc<AtomicU64>,
    passwords: BTreeMap<String, String>,
    /// The `Host` header the browser sends: the origin's.
    host: String,
    /// The X-Forwarded-For a proxy in front adds, if any.
    forwarded: Option<String>,
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The value of the first `name="…" value="…"` hidden field.
fn field(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + key.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

fn text_of(html: &str, id: &str) -> String {
    let key = format!("id=\"{id}\">");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        + key.len();
    let end = start + html[start..].find('<').unwrap();
    html[start..end].to_owned()
}

fn portal_with(origin: &str) -> Client {
    portal_configured(origin, |_| {})
}

fn portal_configured(origin: &str, configure: impl FnOnce(&mut WebConfig)) -> Client {
    let clock = Arc::new(AtomicU64::new(START));
    let mut config = WebConfig::new(origin);
    configure(&mut config);
    let c = clock.clone();
    config.clock = Arc::new(move || c.load(Ordering::SeqCst));
    let (app, demo) = WebPortal::in_memory(config).unwrap();
    let passwords = demo
        .iter()
        .map(|u| (u.user.user_id.clone(), u.password.to_string()))
        .collect();
    Client {
        app: router(Arc::new(app)),
        jar: BTreeMap::new(),
        addr: "192.0.2.10:50000".parse().unwrap(),
        clock,
        passwords,
        host: origin.split_once("://").unwrap().1.to_owned(),
        forwarded: None,
    }
}

fn portal() -> Client {
    portal_with("http://127.0.0.1:8080")
}

impl Client {
    /// Another browser on the same portal.
    fn other_browser(&self, addr: &str) -> Client {
        Client {
            app: self.app.clone(),
            jar: BTreeMap::new(),
            addr: addr.parse().unwrap(),
            clock: self.clock.clone(),
            passwords: self.passwords.clone(),
            host: self.host.clone(),
            forwarded: None,
        }
    }

    fn advance(&self, secs: u64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        let cookie = self
            .jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        if let Some(f) = &self.forwarded
            && !req.headers().contains_key("x-forwarded-for")
        {
            req.headers_mut()
                .insert("x-forwarded-for", f.parse().unwrap());
        }
        if !req.headers().contains_key(header::HOST) {
            req.headers_mut()
                .insert(header::HOST, self.host.parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(self.addr));
        let res = self.app.clone().oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        let body = axum::body::to_bytes(body, 10 << 20).await.unwrap().to_vec();
        let resp = Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        };
        for c in resp.cookies() {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        resp
    }

    async fn get(&mut self, path: &str) -> Resp {
        self.get_with(path, &[]).await
    }

    async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// POSTs `fields` to `path` with extra headers.
    async fn send_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(form_body(fields))).unwrap())
            .await
    }

    /// GETs `page` (following redirects) and posts its form with `fields` and the page's CSRF token.
    async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Resp {
        let mut res = self.get(page).await;
        for _ in 0..3 {
            if res.status != StatusCode::SEE_OTHER {
                break;
            }
            let next = res.location().to_owned();
            res = self.get(&next).await;
        }
        let csrf = field(&res.text(), "csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    async fn sign_in(&mut self, user: &str) -> Resp {
        let password = self.passwords[user].clone();
        self.submit("/", "/login", &[("user_id", user), ("password", &password)])
            .await
    }

    /// The mosaic the portal serves, read from its PNG by the scanner.
    async fn scan(&mut self, file: &str) -> Vec<u8> {
        let res = self.get(&format!("/mosaic/{file}")).await;
        assert_eq!(res.status, StatusCode::OK, "{file}");
        assert_eq!(res.headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(res.headers[header::CACHE_CONTROL], "no-store");
        let img = image::load_from_memory(&res.body).unwrap().into_rgba8();
        let (w, h) = img.dimensions();
        let frame = Frame::rgba(w, h, img.as_raw(), w as usize * 4).unwrap();
        Scanner::default().scan(&frame).remove(0).payload
    }
}

/// The phone, played by the core's mosaic API.
struct Device {
    offer: ActivationOffer,
    own: DeviceActivation,
}

/// What a phone does with an opened offer: its own keys and confirmation code.
fn own(offer: &ActivationOffer) -> DeviceActivation {
    let rng = ring::rand::SystemRandom::new();
    tessera_core::mosaic::activate(offer, &DeviceSecret::generate(&rng).unwrap()).unwrap()
}

impl Device {
    fn answer(&self, mosaic: &[u8]) -> String {
        let envelope = Envelope::parse(mosaic).unwrap();
        let c = Challenge::open(&envelope, self.own.keys.challenge.expose()).unwrap();
        self.answer_challenge(&c)
    }

    fn answer_challenge(&self, c: &Challenge) -> String {
        respond(c, self.own.keys.ocra.expose(), self.offer.params)
            .unwrap()
            .as_str()
            .to_owned()
    }

    fn read(&self, mosaic: &[u8]) -> Challenge {
        Challenge::open(
            &Envelope::parse(mosaic).unwrap(),
            self.own.keys.challenge.expose(),
        )
        .unwrap()
    }
}

/// Signs `user` in with the password (no mobile yet) and activates a mobile.
async fn activate(c: &mut Client, user: &str) -> Device {
    let res = c.sign_in(user).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/account");
    let res = c.submit("/account", "/account/add", &[]).await;
    assert_eq!(res.location(), "/account/activate");
    let page = c.get("/account/activate").await.text();
    let code = text_of(&page, "activation-code");
    let mosaic = c.scan("activation.png").await;
    let offer = ActivationOffer::open(
        &Envelope::parse(&mosaic).unwrap(),
        &ActivationCode::parse(&code).unwrap(),
    )
    .unwrap();
    let own = own(&offer);
    let res = c
        .submit(
            "/account/activate",
            "/account/activate",
            &[("confirmation", own.confirmation.as_str())],
        )
        .await;
    assert_eq!(res.location(), "/account");
    assert!(
        c.get("/account")
            .await
            .text()
            .contains("Votre mobile est activé.")
    );
    Device { offer, own }
}

/// Signs out and in again with the password; shows the login mosaic.
async fn to_login_mosaic(c: &mut Client, user: &str) -> String {
    c.submit("/account", "/logout", &[]).await;
    let res = c.sign_in(user).await;
    assert_eq!(res.location(), "/login/mobile");
    let page = c.get("/login/mobile").await.text();
    let token = field(&page, "token");
    let res = c
        .submit("/login/mobile", "/login/mobile", &[("token", &token)])
        .await;
    assert_eq!(res.location(), "/login/otp");
    token
}

async fn signed_in_with_mobile(c: &mut Client, user: &str) -> Device {
    let device = activate(c, user).await;
    to_login_mosaic(c, user).await;
    let otp = device.answer(&c.scan("login.png").await);
    let res = c.submit("/login/otp", "/login/otp", &[("otp", &otp)]).await;
    assert_eq!(res.location(), "/welcome");
    device
}

#[tokio::test]
async fn activation_login_and_transfer_over_http() {
    let mut c = portal();
    let device = signed_in_with_mobile(&mut c, "alice").await;
    let page = c.get("/welcome").await.text();
    assert!(page.contains("Vous êtes connecté"), "{page}");
    assert!(page.contains("Bienvenue, Alice Muller."));

    let res = c
        .submit(
            "/transfer",
            "/transfer",
            &[
                ("amount", "120,50"),
                ("payee", "Boulangerie Schmit"),
                ("iban", "LU28 0019 4006 4475 0000"),
                ("reference", "Facture 1187"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/transfer/sign");
    let mosaic = c.scan("transfer.png").await;
    let challenge = device.read(&mosaic);
    let tx = challenge.transaction.clone().unwrap();
    assert_eq!(
        (tx.amount.as_str(), tx.payee.as_str(), tx.iban.as_str()),
        ("120.50", "Boulangerie Schmit", "LU280019400644750000")
    );

    // An OTP over another amount is refused, and counts.
    let mut changed = challenge.clone();
    changed.transaction.as_mut().unwrap().amount = "1120.50".into();
    let wrong = device.answer_challenge(&changed);
    let res = c
        .submit("/transfer/sign", "/transfer/sign", &[("otp", &wrong)])
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.text().contains("Encore 4 essai(s)"), "{}", res.text());

    let otp = device.answer_challenge(&challenge);
    let res = c
        .submit("/transfer/sign", "/transfer/sign", &[("otp", &otp)])
        .await;
    assert_eq!(res.location(), "/transfer/done");
    let page = c.get("/transfer/done").await.text();
    assert!(page.contains("Virement confirmé"));
    assert_eq!(text_of(&page, "tx-iban"), "LU28 0019 4006 4475 0000");
}

#[tokio::test]
async fn every_form_needs_this_sessions_csrf_token() {
    let mut c = portal();
    signed_in_with_mobile(&mut c, "alice").await;
    let mut other = c.other_browser("192.0.2.99:1");
    let foreign = field(&other.get("/").await.text(), "csrf");
    for path in [
        "/login",
        "/login/mobile",
        "/login/otp",
        "/logout",
        "/account/add",
        "/account/activate",
        "/account/remove",
        "/transfer",
        "/transfer/sign",
        "/transfer/reissue",
    ] {
        for token in [None, Some(""), Some("x"), Some(foreign.as_str())] {
            let fields: Vec<(&str, &str)> = token.map(|t| ("csrf", t)).into_iter().collect();
            let res = c.post(path, &fields).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} with {token:?}");
            assert!(res.text().contains("id=\"csrf-error\""), "{path}");
        }
    }
    // Still signed in: nothing was done.
    assert_eq!(c.get("/welcome").await.status, StatusCode::OK);
}

#[tokio::test]
async fn session_cookie_is_httponly_strict_and_rotates_at_sign_in() {
    let mut c = portal();
    let res = c.get("/").await;
    let cookie = res
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("tessera_session="))
        .unwrap();
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http on 127.0.0.1: {cookie}"
    );
    let before = c.jar["tessera_session"].clone();

    c.sign_in("alice").await;
    let after = c.jar["tessera_session"].clone();
    assert_ne!(
        before, after,
        "a new identifier once the password is accepted"
    );
    // The old identifier is worth nothing.
    let mut fixated = c.other_browser("192.0.2.10:50001");
    fixated.jar.insert("tessera_session".into(), before);
    assert_eq!(fixated.get("/account").await.location(), "/");
    assert_eq!(c.get("/account").await.status, StatusCode::OK);

    // Sign-out ends the session on the server.
    let res = c.submit("/account", "/logout", &[]).await;
    assert_eq!(res.location(), "/");
    fixated.jar.insert("tessera_session".into(), after);
    assert_eq!(fixated.get("/account").await.location(), "/");

    // Idle sessions end.
    c.sign_in("alice").await;
    c.advance(16 * 60);
    assert_eq!(c.get("/account").await.location(), "/");
}

#[tokio::test]
async fn https_origin_gets_secure_host_cookies_and_hsts() {
    let mut c = portal_with("https://portal.example.lu");
    let res = c.get("/").await;
    let cookie = res.cookies().join("\n");
    assert!(
        cookie.starts_with("__Host-tessera_session=")
            && cookie.contains("; Secure")
            && cookie.contains("; HttpOnly")
            && cookie.contains("; SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        res.headers[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    assert_eq!(c.sign_in("alice").await.location(), "/account");
}

#[tokio::test]
async fn security_headers_on_every_response_and_no_script() {
    let mut c = portal();
    c.sign_in("alice").await;
    c.submit("/account", "/account/add", &[]).await;
    for path in [
        "/",
        "/account",
        "/account/activate",
        "/mosaic/activation.png",
        "/static/style.css",
        "/no/such/page",
        "/lang/en?next=/account",
    ] {
        let res = c.get(path).await;
        let h = &res.headers;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        if path != "/static/style.css" {
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
        }
        let body = res.text();
        assert!(!body.contains("<script"), "{path}");
        assert!(!body.contains(" style="), "{path}");
        assert!(!body.contains("<style"), "{path}");
    }
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_user() {
    let mut c = portal();
    for i in 0..5 {
        let res = c
            .submit(
                "/",
                "/login",
                &[("user_id", "alice"), ("password", "guess")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(
            res.text()
                .contains("Identifiant ou mot de passe incorrect.")
        );
    }
    // Blocked, even with the right password, from any address.
    let mut elsewhere = c.other_browser("198.51.100.7:1");
    let res = elsewhere.sign_in("alice").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        res.text()
            .contains("Trop de tentatives. Réessayez dans 30 s.")
    );
    let password = c.passwords["alice"].clone();
    let res = c
        .submit(
            "/",
            "/login",
            &[("user_id", "ALICE "), ("password", &password)],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::TOO_MANY_REQUESTS,
        "user IDs are case-folded"
    );
    // Other users are not affected.
    assert_eq!(c.sign_in("bob").await.status, StatusCode::SEE_OTHER);
    c.advance(30);
    assert_eq!(elsewhere.sign_in("alice").await.location(), "/account");
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_address() {
    let mut c = portal();
    for i in 0..20 {
        let user = format!("nobody{i}");
        let res = c
            .submit("/", "/login", &[("user_id", &user), ("password", "guess")])
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(
        c.sign_in("alice").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut elsewhere = c.other_browser("198.51.100.7:1");
    assert_eq!(elsewhere.sign_in("alice").await.location(), "/account");
}

#[tokio::test]
async fn wrong_otps_lock_the_mobile() {
    let mut c = portal();
    let device = activate(&mut c, "alice").await;
    to_login_mosaic(&mut c, "alice").await;
    let right = device.answer(&c.scan("login.png").await);
    for left in (1..5).rev() {
        let res = c
            .submit("/login/otp", "/login/otp", &[("otp", "00000000")])
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        let text = res.text();
        assert!(text.contains(&format!("Encore {left} essai(s)")), "{text}");
        assert!(!text.contains("00000000"), "the typed OTP is not echoed");
    }
    let res = c
        .submit("/login/otp", "/login/otp", &[("otp", "00000000")])
        .await;
    assert_eq!(res.status, StatusCode::LOCKED);
    assert!(res.text().contains("Ce mobile est bloqué"));
    // The right OTP no longer helps, nor does a new mosaic.
    let token = field(&c.get("/login/mobile").await.text(), "token");
    let res = c
        .submit("/login/mobile", "/login/mobile", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::LOCKED);
    let res = c.submit("/", "/login/otp", &[("otp", &right)]).await;
    assert_ne!(res.location(), "/welcome");
}

#[tokio::test]
async fn expired_mosaic_is_refused_and_a_new_one_can_be_shown() {
    let mut c = portal();
    let device = activate(&mut c, "alice").await;
    let token = to_login_mosaic(&mut c, "alice").await;
    let page = c.get("/login/otp").await.text();
    assert!(
        page.contains("Cette mosaïque expire dans 3 min 00 s."),
        "{page}"
    );
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"181\">"));
    let otp = device.answer(&c.scan("login.png").await);

    c.advance(181);
    let page = c.get("/login/otp").await.text();
    assert!(page.contains("Cette mosaïque a expiré."), "{page}");
    assert!(!page.contains("http-equiv=\"refresh\""));
    assert!(page.contains("id=\"reissue\""));
    let res = c
        .post(
            "/login/otp",
            &[("csrf", &field(&page, "csrf")), ("otp", &otp)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("Cette mosaïque a expiré."));

    // A new mosaic, without JavaScript: the form on the expired page.
    let res = c
        .submit("/login/otp", "/login/mobile", &[("token", &token)])
        .await;
    assert_eq!(res.location(), "/login/otp");
    let otp = device.answer(&c.scan("login.png").await);
    let res = c.submit("/login/otp", "/login/otp", &[("otp", &otp)]).await;
    assert_eq!(res.location(), "/welcome");
}

#[tokio::test]
async fn user_controlled_strings_are_escaped() {
    let mut c = portal();
    signed_in_with_mobile(&mut c, "alice").await;
    let payee = "<script>alert(\"x\")</script> & 'Co'";
    let res = c
        .submit(
            "/transfer",
            "/transfer",
            &[
                ("amount", "10"),
                ("payee", payee),
                ("iban", "LU280019400644750000"),
                ("reference", "<b>ref</b>"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/transfer/sign");
    let page = c.get("/transfer/sign").await.text();
    assert!(!page.contains("<script>"), "{page}");
    assert!(!page.contains("<b>ref"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'Co'"),
        "{page}"
    );

    // A refused form shows what was typed, escaped, in the value attributes.
    let res = c
        .submit(
            "/transfer",
            "/transfer",
            &[
                ("amount", "\"><img src=x>"),
                ("payee", "Bob"),
                ("iban", "LU280019400644750000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text();
    assert!(page.contains("Montant invalide"), "{page}");
    assert!(!page.contains("<img src=x>"), "{page}");
    assert!(
        page.contains("value=\"&quot;&gt;&lt;img src=x&gt;\""),
        "{page}"
    );

    let mut anonymous = c.other_browser("192.0.2.50:1");
    let res = anonymous
        .submit(
            "/",
            "/login",
            &[("user_id", "\"><svg onload=alert(1)>"), ("password", "x")],
        )
        .await;
    assert!(!res.text().contains("<svg"), "{}", res.text());
}

#[tokio::test]
async fn no_password_or_code_in_pages() {
    let mut c = portal();
    let password = c.passwords["alice"].clone();
    let res = c
        .submit(
            "/",
            "/login",
            &[("user_id", "alice"), ("password", "wrong-but-secret")],
        )
        .await;
    assert!(!res.text().contains("wrong-but-secret"));
    let res = c.sign_in("alice").await;
    assert!(!res.text().contains(&password));
    for path in ["/", "/account"] {
        assert!(!c.get(path).await.text().contains(&password), "{path}");
    }
}

#[tokio::test]
async fn mosaics_are_served_only_to_their_session() {
    let mut c = portal();
    activate(&mut c, "alice").await;
    to_login_mosaic(&mut c, "alice").await;
    c.scan("login.png").await;
    let mut other = c.other_browser("192.0.2.10:50002");
    for file in [
        "login.png",
        "activation.png",
        "transfer.png",
        "../etc/passwd",
    ] {
        let res = other.get(&format!("/mosaic/{file}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{file}");
    }
}

#[tokio::test]
async fn password_only_session_can_add_the_first_mobile_and_nothing_else() {
    let mut c = portal();
    let res = c.sign_in("bob").await;
    assert_eq!(res.location(), "/account");
    let page = c.get("/account").await.text();
    assert!(page.contains("id=\"add-mobile\""));
    assert_eq!(c.get("/transfer").await.location(), "/account");
    assert_eq!(c.get("/welcome").await.location(), "/");
    let res = c
        .submit(
            "/account",
            "/transfer",
            &[
                ("amount", "1"),
                ("payee", "x"),
                ("iban", "LU280019400644750000"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/account");
    activate(&mut c, "bob").await;
    // Once a mobile is active, adding or removing needs a sign-in with it.
    let page = c.get("/account").await.text();
    assert!(!page.contains("id=\"add-mobile\""), "{page}");
    assert!(page.contains("reconnectez-vous avec votre mobile"));
    let res = c.submit("/account", "/account/add", &[]).await;
    assert_eq!(res.location(), "/account");
}

#[tokio::test]
async fn language_from_the_browser_or_the_switch() {
    let mut c = portal();
    let page = c
        .get_with("/", &[("accept-language", "de-DE,de;q=0.9,en;q=0.8")])
        .await
        .text();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(page.contains("Authentifizierungsportal"));
    let page = c
        .get_with("/", &[("accept-language", "en-GB")])
        .await
        .text();
    assert!(page.contains("Authentication portal"));
    let res = c.get("/lang/en?next=/account").await;
    assert_eq!(res.location(), "/account");
    let page = c.get_with("/", &[("accept-language", "de")]).await.text();
    assert!(page.contains("Authentication portal"), "the switch wins");
    assert_eq!(c.get("/lang/fr?next=//evil.example").await.location(), "/");
    assert!(
        c.get("/")
            .await
            .text()
            .contains("Portail d'authentification")
    );
    assert_eq!(c.get("/lang/xx").await.status, StatusCode::NOT_FOUND);
}

/// Finding: "abc" typed as the OTP cost one of the five attempts. Input
/// that cannot be an OTP (not 8 digits) is refused without counting,
/// on the login, activation and transfer pages.
#[tokio::test]
async fn malformed_otps_cost_no_attempt() {
    let mut c = portal();
    let device = signed_in_with_mobile(&mut c, "alice").await;
    to_login_mosaic(&mut c, "alice").await;
    for typed in [
        "abc",
        "1234",
        "123456789",
        "1234567a",
        "١٢٣٤٥٦٧٨",
        "-1234567",
    ] {
        let res = c
            .submit("/login/otp", "/login/otp", &[("otp", typed)])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        let text = res.text();
        assert!(text.contains("Le code a 8 chiffres."), "{text}");
        assert!(!text.contains("essai(s)"), "{typed}: not counted");
    }
    let res = c
        .submit("/login/otp", "/login/otp", &[("otp", "00000000")])
        .await;
    assert!(res.text().contains("Encore 4 essai(s)"), "{}", res.text());
    let otp = device.answer(&c.scan("login.png").await);
    let res = c.submit("/login/otp", "/login/otp", &[("otp", &otp)]).await;
    assert_eq!(res.location(), "/welcome");

    let res = c
        .submit(
            "/transfer",
            "/transfer",
            &[
                ("amount", "10"),
                ("payee", "Bob"),
                ("iban", "LU280019400644750000"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/transfer/sign");
    for _ in 0..6 {
        let res = c
            .submit("/transfer/sign", "/transfer/sign", &[("otp", "abc")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let otp = device.answer_challenge(&device.read(&c.scan("transfer.png").await));
    let res = c
        .submit("/transfer/sign", "/transfer/sign", &[("otp", &otp)])
        .await;
    assert_eq!(res.location(), "/transfer/done");

    let mut b = c.other_browser("192.0.2.11:1");
    b.sign_in("bob").await;
    b.submit("/account", "/account/add", &[]).await;
    for _ in 0..6 {
        let res = b
            .submit(
                "/account/activate",
                "/account/activate",
                &[("confirmation", "abc")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.text()
                .contains("Le code de confirmation a 24 lettres et chiffres")
        );
    }
}

/// Finding: the database (every mobile's OCRA and challenge keys, in
/// clear) was created 0644. It is created 0600, its -wal and -shm files
/// too, and a database that group or others can read is refused with the
/// chmod to run.
#[cfg(unix)]
#[test]
fn database_is_created_private_and_a_readable_one_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("tessera-web-db-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("portal.db");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    {
        let (_app, demo) = WebPortal::open(&db, WebConfig::new("http://127.0.0.1:8080")).unwrap();
        assert_eq!(demo.len(), 3);
        for suffix in ["", "-wal", "-shm"] {
            let f = dir.join(format!("portal.db{suffix}"));
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = WebPortal::open(&db, WebConfig::new("http://127.0.0.1:8080"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("chmod 600 {}", db.display())),
        "{err}"
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    let wal = dir.join("portal.db-wal");
    if wal.exists() {
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(WebPortal::open(&db, WebConfig::new("http://127.0.0.1:8080")).is_err());
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (_app, demo) = WebPortal::open(&db, WebConfig::new("http://127.0.0.1:8080")).unwrap();
    assert!(demo.is_empty(), "the same database");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads the activation offer on `c`'s activation page: its mosaic and code.
async fn read_offer(c: &mut Client) -> ActivationOffer {
    let page = c.get("/account/activate").await.text();
    let code = text_of(&page, "activation-code");
    let mosaic = c.scan("activation.png").await;
    ActivationOffer::open(
        &Envelope::parse(&mosaic).unwrap(),
        &ActivationCode::parse(&code).unwrap(),
    )
    .unwrap()
}

/// Finding L5: the confirmation OTP was checked against the user's newest
/// pending offer, not the one this page showed. Two offers at once (two
/// tabs, two browsers): each page confirms its own.
#[tokio::test]
async fn activation_confirms_the_offer_that_was_shown() {
    let mut first = portal();
    let mut second = first.other_browser("192.0.2.10:50003");
    first.sign_in("bob").await;
    second.sign_in("bob").await;
    first.submit("/account", "/account/add", &[]).await;
    let shown_first = read_offer(&mut first).await;
    second.submit("/account", "/account/add", &[]).await;
    let shown_second = read_offer(&mut second).await;
    assert_ne!(shown_first.token_id, shown_second.token_id);

    // The second offer's confirmation on the first page is not the first offer's.
    let code_second = own(&shown_second);
    let res = first
        .submit(
            "/account/activate",
            "/account/activate",
            &[("confirmation", code_second.confirmation.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let code_first = own(&shown_first);
    let res = first
        .submit(
            "/account/activate",
            "/account/activate",
            &[("confirmation", code_first.confirmation.as_str())],
        )
        .await;
    assert_eq!(res.location(), "/account", "{}", res.text());
    let page = first.get("/account").await.text();
    assert!(page.contains("Votre mobile est activé."), "{page}");
    let short = shown_first.token_id.to_string();
    assert!(page.contains(&short[short.len() - 4..]), "{page}");
}

/// The form body of `fields`.
fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Finding M1: the throttle was checked before the Argon2 work and the
/// failure recorded after it, so 40 guesses sent at once were all checked
/// (39 wrong, the 40th right and accepted). Each attempt is now counted
/// before its hash: of 40 parallel guesses for one user, from 40
/// addresses, at most the 5 free ones reach the password check.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_password_guesses_are_throttled() {
    let mut c = portal();
    let page = c.get("/").await;
    let csrf = field(&page.text(), "csrf");
    let cookie = c
        .jar
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let right = c.passwords["alice"].clone();
    let mut tasks = Vec::new();
    for i in 0..40u16 {
        let password = if i == 39 {
            right.clone()
        } else {
            format!("guess{i}")
        };
        let body = form_body(&[
            ("csrf", &csrf),
            ("user_id", "alice"),
            ("password", &password),
        ]);
        let mut req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, cookie.clone())
            .body(Body::from(body))
            .unwrap();
        let addr: SocketAddr = format!("198.51.100.{}:1", i + 1).parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
        let app = c.app.clone();
        tasks.push(tokio::spawn(async move {
            app.oneshot(req).await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED || **s == StatusCode::SEE_OTHER)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert_eq!(checked + throttled, 40, "{statuses:?}");
}

/// Finding: every cookie-less request (a 404 too) created a session, and at
/// the 50,000 cap eviction kept the newest: a flood of anonymous requests
/// signed every user out. Anonymous requests now store nothing (the
/// sign-in form's CSRF token is an HMAC of the cookie's nonce), so a flood
/// past the cap leaves signed-in users signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_flood_signs_nobody_out() {
    let mut c = portal();
    signed_in_with_mobile(&mut c, "alice").await;
    let mut flood = Vec::new();
    for w in 0..4u32 {
        let app = c.app.clone();
        flood.push(tokio::spawn(async move {
            for i in 0..12_600u32 {
                let mut req = Request::get(if i % 2 == 0 { "/" } else { "/nope" })
                    .header(header::HOST, "127.0.0.1:8080")
                    .body(Body::empty())
                    .unwrap();
                let addr: SocketAddr = format!("203.0.113.{}:{}", w + 1, i % 60_000 + 1)
                    .parse()
                    .unwrap();
                req.extensions_mut().insert(ConnectInfo(addr));
                let res = app.clone().oneshot(req).await.unwrap();
                assert!(res.status() == StatusCode::OK || res.status() == StatusCode::NOT_FOUND);
            }
        }));
    }
    for f in flood {
        f.await.unwrap();
    }
    assert_eq!(
        c.get("/welcome").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

/// Finding: no check of the `Host` header, so a page whose name was
/// rebound to 127.0.0.1 (DNS rebinding) could use the portal as its own
/// origin. Only the origin's host (and, from the server, 127.0.0.1 and
/// localhost on its port) is answered; the refusal is in the browser's
/// language.
#[tokio::test]
async fn foreign_host_headers_are_refused() {
    let mut c = portal();
    for host in ["127.0.0.1:8080", "127.0.0.1:8080".to_uppercase().as_str()] {
        assert_eq!(
            c.get_with("/", &[("host", host)]).await.status,
            StatusCode::OK
        );
    }
    for (host, lang, text) in [
        ("evil.example", "fr", "ne répond pas sous cette adresse"),
        ("evil.example:8080", "en", "does not answer at this address"),
        (
            "127.0.0.1:9999",
            "de",
            "antwortet nicht unter dieser Adresse",
        ),
        ("localhost", "fr", "ne répond pas"),
    ] {
        let res = c
            .get_with("/", &[("host", host), ("accept-language", lang)])
            .await;
        assert_eq!(res.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(res.text().contains(text), "{host}: {}", res.text());
        assert!(res.cookies().is_empty(), "{host}: no session, no cookie");
        let res = c.post("/login", &[]).await;
        assert_ne!(res.status, StatusCode::MISDIRECTED_REQUEST);
    }
    let mut https = portal_with("https://portal.example.lu");
    for host in ["portal.example.lu", "PORTAL.example.lu:443"] {
        let res = https.get_with("/", &[("host", host)]).await;
        assert_eq!(res.status, StatusCode::OK, "{host}");
    }
    let res = https.get_with("/", &[("host", "127.0.0.1:8080")]).await;
    assert_eq!(res.status, StatusCode::MISDIRECTED_REQUEST);
}

/// Finding M2: behind a TLS proxy every client has the proxy's address,
/// so 20 wrong passwords for made-up user IDs blocked every sign-in and
/// every OTP entry. With `trusted_proxies`, the client's address comes
/// from X-Forwarded-For (only from those proxies); the address limit
/// spares a browser that has signed its user in before, and OTP entry is
/// limited by wrong OTPs only.
#[tokio::test]
async fn behind_a_proxy_one_client_cannot_block_the_others() {
    let proxy = "127.0.0.1:40000";
    let attacker_ip = "203.0.113.66";
    let first = portal_configured("https://portal.example.lu", |c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    });
    let behind_proxy = |c: &Client, client_ip: &str| {
        let mut b = c.other_browser(proxy);
        b.forwarded = Some(client_ip.to_owned());
        b
    };
    // Bob has signed in from his browser before, at the attacker's address
    // (the same network, or a proxy that was not configured).
    let mut bob = behind_proxy(&first, attacker_ip);
    assert_eq!(bob.sign_in("bob").await.location(), "/account");
    assert_eq!(bob.submit("/account", "/logout", &[]).await.location(), "/");
    // Alice, from there too, is at her login mosaic.
    let mut alice = behind_proxy(&first, attacker_ip);
    let device = activate(&mut alice, "alice").await;
    to_login_mosaic(&mut alice, "alice").await;

    let mut attacker = behind_proxy(&first, attacker_ip);
    for i in 0..25 {
        let user = format!("nobody{i}");
        // Half of them with a forged X-Forwarded-For, which the proxy
        // appends the real address to.
        if i % 2 == 1 {
            attacker.forwarded = Some(format!("198.51.100.{i}, {attacker_ip}"));
        }
        let res = attacker
            .submit("/", "/login", &[("user_id", &user), ("password", "guess")])
            .await;
        let want = if i < 20 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(res.status, want, "attempt {i}");
    }
    // Another client of the proxy signs in.
    let mut other = behind_proxy(&first, "198.51.100.20");
    assert_eq!(other.sign_in("chloe").await.location(), "/account");
    // Bob, at the attacker's address, from the browser he used before.
    assert_eq!(bob.sign_in("bob").await.location(), "/account");
    // Alice, at the attacker's address, types her OTP.
    let otp = device.answer(&alice.scan("login.png").await);
    let res = alice
        .submit("/login/otp", "/login/otp", &[("otp", &otp)])
        .await;
    assert_eq!(res.location(), "/welcome", "{}", res.text());
    // A new browser at the attacker's address waits.
    let mut fresh = behind_proxy(&first, attacker_ip);
    assert_eq!(
        fresh.sign_in("chloe").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// X-Forwarded-For is ignored from a peer that is not a trusted proxy:
/// a client cannot pick its own address.
#[tokio::test]
async fn forwarded_for_is_ignored_from_untrusted_peers() {
    let mut c = portal();
    for i in 0..20 {
        let user = format!("nobody{i}");
        let page = c.get("/").await.text();
        let forged = format!("198.51.100.{i}");
        let res = c
            .send_with(
                "/login",
                &[
                    ("csrf", &field(&page, "csrf")),
                    ("user_id", &user),
                    ("password", "guess"),
                ],
                &[("x-forwarded-for", &forged)],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let page = c.get("/").await.text();
    let res = c
        .send_with(
            "/login",
            &[
                ("csrf", &field(&page, "csrf")),
                ("user_id", "x"),
                ("password", "guess"),
            ],
            &[("x-forwarded-for", "198.51.100.99")],
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

/// A body over 16 KiB is refused before any handler, with a page in the
/// browser's language (the body and header timeouts are exercised on a
/// real socket by the CLI's portal_limits test).
#[tokio::test]
async fn oversized_bodies_are_refused() {
    let mut c = portal();
    let big = "x".repeat(20 * 1024);
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "de")
        .body(Body::from(format!("user_id={big}")))
        .unwrap();
    let res = c.send(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res.text().contains("id=\"request-refused\""),
        "{}",
        res.text()
    );
    assert!(res.text().contains("<html lang=\"de\">"));
}

//! The portal in a real browser, as a person uses it: the real `tessera
//! portal` binary on a free port, Debian's headless Chromium driven through
//! chromedriver (WebDriver), and a phone played by the core's
//! `Authenticator` over the platform doubles. The phone never sees the
//! page's HTML: it reads each mosaic from a SCREENSHOT of the page, through
//! `Authenticator::scan` on the screenshot's pixels, as a camera would.
//!
//! Sign in (a demo user without a mobile) → "Mon compte" → "Ajouter un
//! mobile" → screenshot → scan → activate with the code on screen → type the
//! confirmation code → sign out → sign in choosing the mobile → screenshot →
//! scan → approve → type the OTP → "Vous êtes connecté" → "Virement" →
//! screenshot → scan → the phone shows exactly the typed fields → approve →
//! type the OTP → "Virement confirmé".
//!
//! Needs `chromium` and `chromium-driver` (scripts/setup installs them);
//! without them the test fails, saying so. `TESSERA_CHROMIUM` and
//! `TESSERA_CHROMEDRIVER` override their paths.
//!
//! WebDriver is JSON over HTTP; the handful of endpoints used here are
//! spoken over a `TcpStream` below rather than through a WebDriver crate
//! (fantoccini or thirtyfour would bring a hyper client, `url`, `cookie`
//! and `webdriver` with ICU segmentation, for six requests).

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tessera_core::authenticator::{Authenticator, AuthenticatorConfig, Request};
use tessera_core::mosaic::MosaicKind;
use tessera_core::scan::Frame;
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{Passcode, VaultConfig};

const PASS: &str = "k7#pQ2!vBrowser";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn tool(env: &str, default: &str, package: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: the browser test needs Debian's {package}. Install it with \
         `scripts/setup` (or `apt-get install chromium chromium-driver`), or point {env} at it.",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A child process killed when the test ends, however it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The running portal: its address and the demo users' passwords.
struct Portal {
    _child: Reaped,
    url: String,
    alice_password: String,
}

fn start_portal(dir: &Path) -> Portal {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["portal", "--port", "0", "--quiet", "--db"])
        .arg(dir.join("portal.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Reaped(child);
    let (mut url, mut alice_password) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("Tessera portal: ") {
            url = Some(u.trim_end_matches('/').to_owned());
        }
        if line.trim_start().starts_with("alice ") {
            alice_password = line.split("password: ").nth(1).map(str::to_owned);
        }
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    Portal {
        _child: child,
        url: url.expect("the portal printed its address"),
        alice_password: alice_password.expect("the portal printed alice's password"),
    }
}

/// One HTTP/1.1 request to chromedriver; the `value` of its JSON answer.
fn webdriver(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    try_webdriver(port, method, path, body)
        .unwrap_or_else(|(error, message)| panic!("{method} {path}: {error}: {message}"))
}

/// Like [`webdriver`], with WebDriver's error and message as an `Err`.
fn try_webdriver(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, (String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let mut length = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap_or((line, ""));
        if k.eq_ignore_ascii_case("content-length") {
            length = v.trim().parse::<usize>().ok();
        }
        if k.eq_ignore_ascii_case("transfer-encoding") && v.to_lowercase().contains("chunked") {
            chunked = true;
        }
    }
    let mut bytes = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            bytes.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = length {
        bytes.resize(n, 0);
        reader.read_exact(&mut bytes).unwrap();
    } else {
        reader.read_to_end(&mut bytes).unwrap();
    }
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{method} {path}: {status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let value = answer["value"].clone();
    match value.get("error") {
        Some(error) => Err((
            error.as_str().unwrap_or("").to_owned(),
            value["message"].as_str().unwrap_or("").to_owned(),
        )),
        None => Ok(value),
    }
}

/// A Chromium session through chromedriver.
struct Browser {
    port: u16,
    session: String,
    _driver: Reaped,
}

impl Browser {
    fn start(profile: &Path) -> Self {
        let chromium = tool("TESSERA_CHROMIUM", "/usr/bin/chromium", "chromium");
        let driver = tool(
            "TESSERA_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            "chromium-driver",
        );
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Reaped(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--window-size=1000,1500", "--force-device-scale-factor=1",
                        "--lang=fr-FR",
                        format!("--user-data-dir={}", profile.display()),
                    ],
                    "prefs": { "intl.accept_languages": "fr-FR,fr" },
                },
            }},
        });
        let started = webdriver(port, "POST", "/session", Some(&caps));
        let session = started["sessionId"].as_str().unwrap().to_owned();
        Self {
            port,
            session,
            _driver: driver,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        webdriver(self.port, method, &path, body.as_ref())
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let path = format!("/session/{}{path}", self.session);
        try_webdriver(self.port, method, &path, body.as_ref()).map_err(|(e, m)| format!("{e}: {m}"))
    }

    fn try_find(&self, css: &str) -> Result<String, String> {
        let found = self.try_call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        found[ELEMENT]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element {css}: {found}"))
    }

    /// Retries `f` for a few seconds while the page is changing.
    fn retry<T>(&self, what: &str, mut f: impl FnMut() -> Result<T, String>) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match f() {
                Ok(v) => return v,
                Err(e) if Instant::now() > deadline => panic!("{what}: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    fn find(&self, css: &str) -> String {
        self.retry(css, || self.try_find(css))
    }

    fn text(&self, css: &str) -> String {
        self.retry(css, || {
            let id = self.try_find(css)?;
            let text = self.try_call("GET", &format!("/element/{id}/text"), None)?;
            Ok(text.as_str().unwrap_or("").to_owned())
        })
    }

    fn page_text(&self) -> String {
        self.text("body")
    }

    /// Clicks a link or a submit button and waits for the next page.
    fn click(&self, css: &str) {
        let before = self.find("html");
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
        self.retry("the next page", || match self.try_find("html") {
            Ok(now) if now != before => Ok(()),
            Ok(_) => Err("still on the same page".to_owned()),
            Err(e) => Err(e),
        });
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// The viewport as the camera sees it: RGBA pixels.
    fn screenshot(&self, save_as: &Path) -> image::RgbaImage {
        let b64 = self.call("GET", "/screenshot", None);
        let png = data_encoding::BASE64
            .decode(b64.as_str().unwrap().as_bytes())
            .unwrap();
        std::fs::write(save_as, &png).unwrap();
        image::load_from_memory(&png).unwrap().into_rgba8()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = std::panic::catch_unwind(|| webdriver(self.port, "DELETE", &path, None));
    }
}

/// The phone: the core's authenticator over the platform doubles, its
/// clock set to the real time (the portal runs on the real clock).
struct Phone {
    fake: FakePlatform,
    auth: Authenticator,
}

impl Phone {
    fn new() -> Self {
        let fake = FakePlatform::new();
        let config = AuthenticatorConfig {
            vault: VaultConfig::floor(),
            ..AuthenticatorConfig::default()
        };
        let auth = Authenticator::new(fake.platform(), config).unwrap();
        Self { fake, auth }
    }

    fn sync_clock(&self) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        self.fake.clock.set(now);
    }

    /// Points the camera at the screen: the payload of the mosaic in the
    /// screenshot, read by the phone's scanner.
    fn scan(&self, shot: &image::RgbaImage) -> Request {
        self.sync_clock();
        let (w, h) = shot.dimensions();
        let frame = Frame::rgba(w, h, shot.as_raw(), w as usize * 4).unwrap();
        let found = self.auth.scan(&frame);
        assert_eq!(found.len(), 1, "one mosaic in the screenshot");
        self.auth.read(&found[0].payload).unwrap()
    }
}

fn passcode() -> Passcode {
    Passcode::new(PASS.as_bytes().to_vec())
}

#[test]
fn activation_login_and_transfer_in_headless_chromium() {
    let started = Instant::now();
    let dir = scratch("browser");
    let portal = start_portal(&dir);
    let browser = Browser::start(&dir.join("chromium-profile"));
    let phone = Phone::new();

    // The sign-in page, in French by default; the language switch works.
    browser.go(&format!("{}/", portal.url));
    assert_eq!(browser.text("h1"), "Portail d'authentification");
    browser.click("#lang-en");
    assert_eq!(browser.text("h1"), "Authentication portal");
    browser.click("#lang-de");
    assert_eq!(browser.text("h1"), "Authentifizierungsportal");
    browser.click("#lang-fr");
    assert_eq!(browser.text("h1"), "Portail d'authentification");

    // alice has no mobile yet: her password opens "Mon compte" only.
    browser.type_into("#user_id", "alice");
    browser.type_into("#password", &portal.alice_password);
    browser.click("#login-submit");
    assert_eq!(browser.text("h1"), "Mon compte");
    assert!(browser.page_text().contains("Aucun mobile activé"));

    // "Ajouter un mobile": the phone scans the screen and types the code.
    browser.click("#add-mobile");
    assert_eq!(browser.text("h1"), "Ajouter un mobile");
    let code = browser.text("#activation-code");
    let shot = browser.screenshot(&dir.join("activation-screen.png"));
    let Request::Activation(request) = phone.scan(&shot) else {
        panic!("expected the activation mosaic");
    };
    let preview = phone.auth.unseal_activation(&request, &code).unwrap();
    assert_eq!(preview.user_id(), "alice");
    assert_eq!(preview.origin(), portal.url);
    let activated = phone
        .auth
        .complete_activation(&preview, &passcode())
        .unwrap();
    browser.type_into("#confirmation", activated.confirmation.as_str());
    browser.click("#confirm-submit");
    assert_eq!(browser.text("#notice"), "Votre mobile est activé.");
    assert!(!browser.find("#mobiles li").is_empty());

    // Sign out, sign in again with the mobile.
    browser.click("#logout");
    assert!(browser.page_text().contains("Vous êtes déconnecté."));
    browser.type_into("#user_id", "alice");
    browser.type_into("#password", &portal.alice_password);
    browser.click("#login-submit");
    assert_eq!(browser.text("h1"), "Choisissez votre mobile");
    browser.click("#choose-submit");
    assert!(
        browser
            .text("#expiry")
            .starts_with("Cette mosaïque expire dans")
    );
    let shot = browser.screenshot(&dir.join("login-screen.png"));
    let Request::Challenge(request) = phone.scan(&shot) else {
        panic!("expected a login mosaic");
    };
    assert_eq!(request.kind(), MosaicKind::Login);
    assert_eq!(request.challenge().user_id, "alice");
    assert_eq!(request.challenge().origin, portal.url);
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode())
        .unwrap();
    browser.type_into("#otp", otp.as_str());
    browser.click("#otp-submit");
    assert_eq!(browser.text("h1"), "Vous êtes connecté");
    assert!(browser.page_text().contains("Bienvenue, Alice Muller."));

    // "Virement": the phone must show exactly what was typed.
    browser.click("#nav-transfer");
    browser.type_into("#amount", "120,50");
    browser.type_into("#payee", "Boulangerie <Schmit> & Fils");
    browser.type_into("#iban", "LU28 0019 4006 4475 0000");
    browser.type_into("#reference", "Facture 1187");
    browser.click("#transfer-submit");
    assert_eq!(browser.text("#tx-payee"), "Boulangerie <Schmit> & Fils");
    assert_eq!(browser.text("#tx-amount"), "120.50 EUR");
    let shot = browser.screenshot(&dir.join("transfer-screen.png"));
    let Request::Challenge(request) = phone.scan(&shot) else {
        panic!("expected a transfer mosaic");
    };
    assert_eq!(request.kind(), MosaicKind::Transaction);
    let tx = request.challenge().transaction.clone().unwrap();
    assert_eq!(
        (tx.amount.as_str(), tx.currency.as_str()),
        ("120.50", "EUR")
    );
    assert_eq!(tx.payee, "Boulangerie <Schmit> & Fils");
    assert_eq!(tx.iban, "LU280019400644750000");
    assert_eq!(tx.reference.as_deref(), Some("Facture 1187"));
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode())
        .unwrap();
    browser.type_into("#otp", otp.as_str());
    browser.click("#sign-submit");
    assert_eq!(browser.text("h1"), "Virement confirmé");
    assert_eq!(browser.text("#tx-payee"), "Boulangerie <Schmit> & Fils");

    drop(browser);
    let elapsed = started.elapsed();
    eprintln!("browser test: {:.1} s", elapsed.as_secs_f64());
    // TESSERA_KEEP_SCREENSHOTS=1 keeps the screenshots to look at.
    if std::env::var_os("TESSERA_KEEP_SCREENSHOTS").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("screenshots in {}", dir.display());
    }
}

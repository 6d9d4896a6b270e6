//! The language switch: `GET /lang/{code}?next=PATH` remembers the
//! language in a cookie and goes back to a page of this portal.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::WebPortal;
use super::i18n::Lang;

/// The language cookie.
pub(super) const LANG_COOKIE: &str = "tessera_lang";

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
    State(app): State<Arc<WebPortal>>,
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
}

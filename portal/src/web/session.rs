//! Server-side sessions: a random 256-bit identifier in a cookie
//! (`HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` with the
//! `__Host-` prefix when the portal's origin is https), and everything
//! else in memory on the server: who is signed in and how far, the flow in
//! progress, and the session's CSRF token.
//!
//! Sessions end after 15 idle minutes or 8 hours, at sign-out, and when
//! the portal restarts. The identifier changes whenever the session gains
//! a privilege (password accepted, OTP accepted), so an identifier planted
//! before sign-in is worth nothing after it (session fixation).

use std::collections::HashMap;

use data_encoding::BASE64URL_NOPAD;
use ring::rand::SecureRandom;
use subtle::ConstantTimeEq;
use tessera_core::mosaic::{TokenId, Transaction};
use zeroize::Zeroizing;

use super::WebError;

/// Seconds of inactivity after which a session ends.
pub const IDLE_SECS: u64 = 15 * 60;
/// Seconds after which a session ends whatever happens.
pub const ABSOLUTE_SECS: u64 = 8 * 3600;
/// Seconds after the password during which the mobile must confirm.
pub const LOGIN_STEP_SECS: u64 = 10 * 60;
/// Most sessions kept at once; the least recently used go first.
const MAX_SESSIONS: usize = 50_000;

/// How far the session's user has signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Nobody.
    Anonymous,
    /// Password only: granted to a user with no activated mobile, for
    /// adding the first one (the activation code is the second factor).
    PasswordOnly {
        /// The user.
        user: String,
    },
    /// Password and mobile.
    Full {
        /// The user.
        user: String,
        /// The mobile that confirmed.
        token: TokenId,
    },
}

impl Auth {
    /// The signed-in user, at either level.
    pub fn user(&self) -> Option<&str> {
        match self {
            Auth::Anonymous => None,
            Auth::PasswordOnly { user } | Auth::Full { user, .. } => Some(user),
        }
    }
}

/// A challenge on screen.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The portal's identifier of the challenge.
    pub id: String,
    /// The mobile it is addressed to.
    pub token: TokenId,
    /// The mosaic's payload.
    pub mosaic: Vec<u8>,
    /// When it expires.
    pub expires_at: u64,
}

/// A login between the password and the OTP.
#[derive(Debug, Clone)]
pub struct LoginFlow {
    /// The user whose password was accepted.
    pub user: String,
    /// When it was accepted.
    pub verified_at: u64,
    /// The challenge shown, once a mobile was chosen.
    pub pending: Option<Pending>,
}

/// "Add a mobile" between the offer and the confirmation OTP.
#[derive(Debug, Clone)]
pub struct ActivationFlow {
    /// The new token.
    pub token: TokenId,
    /// The activation code, shown on screen in this demo portal.
    pub code: Zeroizing<String>,
    /// The activation mosaic's payload.
    pub mosaic: Vec<u8>,
    /// When the offer expires.
    pub expires_at: u64,
}

/// A transfer waiting for its OTP.
#[derive(Debug, Clone)]
pub struct TransferFlow {
    /// What is signed.
    pub transaction: Transaction,
    /// The challenge shown.
    pub pending: Pending,
}

/// A one-time message for the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Signed out.
    LoggedOut,
    /// A mobile was activated.
    MobileActivated,
    /// A mobile was removed.
    MobileRemoved,
}

/// One session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The CSRF token of every form of this session.
    pub csrf: String,
    /// When it started.
    pub created_at: u64,
    /// Last request.
    pub last_seen: u64,
    /// Who is signed in.
    pub auth: Auth,
    /// The signed-in (or signing-in) user's name, for the pages.
    pub display_name: Option<String>,
    /// A login in progress.
    pub login: Option<LoginFlow>,
    /// An activation in progress.
    pub activation: Option<ActivationFlow>,
    /// A transfer in progress.
    pub transfer: Option<TransferFlow>,
    /// The last transfer signed, for its confirmation page.
    pub signed: Option<Transaction>,
    /// A message for the next page.
    pub notice: Option<Notice>,
}

impl Session {
    fn new(csrf: String, now: u64) -> Self {
        Self {
            csrf,
            created_at: now,
            last_seen: now,
            auth: Auth::Anonymous,
            display_name: None,
            login: None,
            activation: None,
            transfer: None,
            signed: None,
            notice: None,
        }
    }

    /// Whether `token` is this session's CSRF token (constant time).
    pub fn csrf_ok(&self, token: &str) -> bool {
        !token.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(token.as_bytes()))
    }
}

/// 32 random bytes, base64url: a session identifier or a CSRF token.
pub fn random_token(rng: &dyn SecureRandom) -> Result<String, WebError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rng.fill(bytes.as_mut()).map_err(|_| WebError::Random)?;
    Ok(BASE64URL_NOPAD.encode(bytes.as_ref()))
}

/// Whether `s` has the shape of an identifier this portal issues.
fn well_formed(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// All sessions.
#[derive(Debug, Default)]
pub struct Sessions {
    map: HashMap<String, Session>,
}

impl Sessions {
    /// The live session `id`, touched; an expired one is dropped.
    pub fn get(&mut self, id: &str, now: u64) -> Option<Session> {
        if !well_formed(id) {
            return None;
        }
        let live = self.map.get(id).is_some_and(|s| {
            now.saturating_sub(s.last_seen) < IDLE_SECS
                && now.saturating_sub(s.created_at) < ABSOLUTE_SECS
        });
        if !live {
            self.map.remove(id);
            return None;
        }
        let s = self.map.get_mut(id)?;
        s.last_seen = now;
        Some(s.clone())
    }

    /// A new anonymous session: its identifier and contents.
    pub fn create(
        &mut self,
        rng: &dyn SecureRandom,
        now: u64,
    ) -> Result<(String, Session), WebError> {
        if self.map.len() >= MAX_SESSIONS {
            self.prune(now);
        }
        let id = random_token(rng)?;
        let session = Session::new(random_token(rng)?, now);
        self.map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// Stores `session` under `id` (if `id` was not ended meanwhile).
    pub fn put(&mut self, id: &str, session: Session) {
        if let Some(s) = self.map.get_mut(id) {
            *s = session;
        }
    }

    /// Ends session `id`.
    pub fn remove(&mut self, id: &str) {
        self.map.remove(id);
    }

    /// Moves `session` to a new identifier with a new CSRF token, ending `old`.
    pub fn rotate(
        &mut self,
        old: &str,
        mut session: Session,
        rng: &dyn SecureRandom,
    ) -> Result<(String, Session), WebError> {
        self.map.remove(old);
        let id = random_token(rng)?;
        session.csrf = random_token(rng)?;
        self.map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    fn prune(&mut self, now: u64) {
        self.map.retain(|_, s| {
            now.saturating_sub(s.last_seen) < IDLE_SECS
                && now.saturating_sub(s.created_at) < ABSOLUTE_SECS
        });
        if self.map.len() >= MAX_SESSIONS {
            let mut seen: Vec<u64> = self.map.values().map(|s| s.last_seen).collect();
            seen.sort_unstable();
            let cut = seen.get(seen.len() / 2).copied().unwrap_or(u64::MAX);
            self.map.retain(|_, s| s.last_seen > cut);
        }
    }
}

/// The session cookie's name: `__Host-` prefixed when `Secure`, which
/// makes browsers refuse it from plain http or with a `Domain`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tessera_session"
    } else {
        "tessera_session"
    }
}

/// The `Set-Cookie` value for session `id`.
pub fn set_cookie(id: &str, secure: bool) -> String {
    format!(
        "{}={id}; Path=/; HttpOnly; SameSite=Strict{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that deletes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The value of cookie `name` in `Cookie` header values.
pub fn cookie<'a>(headers: impl Iterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let rng = SystemRandom::new();
        let mut sessions = Sessions::default();
        let (id, _) = sessions.create(&rng, 1000).unwrap();
        assert!(sessions.get(&id, 1000 + IDLE_SECS - 1).is_some());
        let mut t = 1000 + IDLE_SECS - 1;
        while t < 1000 + ABSOLUTE_SECS - 60 {
            t += 60;
            assert!(sessions.get(&id, t).is_some());
        }
        assert!(sessions.get(&id, 1000 + ABSOLUTE_SECS).is_none());
        let (id, _) = sessions.create(&rng, 5000).unwrap();
        assert!(sessions.get(&id, 5000 + IDLE_SECS).is_none());
        assert!(sessions.get("not-a-session", 5000).is_none());
    }

    #[test]
    fn rotation_changes_the_id_and_csrf_token() {
        let rng = SystemRandom::new();
        let mut sessions = Sessions::default();
        let (old, s) = sessions.create(&rng, 1).unwrap();
        let (new, rotated) = sessions.rotate(&old, s.clone(), &rng).unwrap();
        assert_ne!(old, new);
        assert_ne!(s.csrf, rotated.csrf);
        assert!(sessions.get(&old, 2).is_none());
        assert!(sessions.get(&new, 2).is_some());
    }

    #[test]
    fn cookies() {
        assert_eq!(
            cookie(
                ["a=1; tessera_session=xyz ", "b=2"].into_iter(),
                "tessera_session"
            ),
            Some("xyz")
        );
        assert_eq!(
            cookie(["tessera_sessionx=1"].into_iter(), "tessera_session"),
            None
        );
        assert_eq!(
            set_cookie("abc", true),
            "__Host-tessera_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
    }
}

//! Server-side sessions: a random 256-bit identifier in a cookie
//! (`HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` with the
//! `__Host-` prefix when the portal's origin is https), and everything
//! else in memory on the server: who is signed in and how far, the flow in
//! progress, and the session's CSRF token.
//!
//! Only a browser whose password was accepted has a stored session. An
//! anonymous visitor's cookie holds a random nonce that the server does
//! not store; the sign-in form's CSRF token is an HMAC of it under a key
//! of this process ([`anonymous_csrf`]), so a flood of anonymous requests
//! costs no memory and evicts nobody.
//!
//! Sessions end after 15 idle minutes or 8 hours, at sign-out, and when
//! the portal restarts. The identifier changes whenever the session gains
//! a privilege (password accepted, OTP accepted), so an identifier planted
//! before sign-in is worth nothing after it (session fixation). A user
//! has at most [`MAX_PER_USER`] sessions (signing in again ends the least
//! recently used one); at [`MAX_SESSIONS`] a new sign-in is refused rather
//! than another user signed out.

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
/// Most sessions kept at once.
pub const MAX_SESSIONS: usize = 50_000;
/// Most sessions of one user (browsers, tabs signed in separately).
pub const MAX_PER_USER: usize = 16;

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
    /// A session of nobody, with CSRF token `csrf`.
    pub fn new(csrf: String, now: u64) -> Self {
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

    /// The user it belongs to: signed in, or between password and OTP.
    pub fn owner(&self) -> Option<&str> {
        self.auth
            .user()
            .or(self.login.as_ref().map(|f| f.user.as_str()))
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

/// The CSRF token of an anonymous visitor whose cookie holds `nonce`:
/// HMAC-SHA256 under this process's `key`, base64url. Nothing is stored;
/// a form posted with another browser's token, or without the cookie,
/// fails.
pub fn anonymous_csrf(key: &ring::hmac::Key, nonce: &str) -> String {
    let tag = ring::hmac::sign(key, format!("tessera-portal csrf v1\0{nonce}").as_bytes());
    BASE64URL_NOPAD.encode(tag.as_ref())
}

/// Whether `s` has the shape of an identifier this portal issues.
pub fn well_formed(s: &str) -> bool {
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

    /// Moves `session` to a new identifier with a new CSRF token, ending
    /// `old` (if it was stored). Ends the owner's least recently used
    /// session beyond [`MAX_PER_USER`]; at [`MAX_SESSIONS`], after dropping
    /// expired ones, refuses with [`WebError::Busy`] rather than end
    /// another user's.
    pub fn rotate(
        &mut self,
        old: Option<&str>,
        mut session: Session,
        rng: &dyn SecureRandom,
        now: u64,
    ) -> Result<(String, Session), WebError> {
        if let Some(old) = old {
            self.map.remove(old);
        }
        if let Some(owner) = session.owner() {
            let mut theirs: Vec<(u64, &String)> = self
                .map
                .iter()
                .filter(|(_, s)| s.owner() == Some(owner))
                .map(|(id, s)| (s.last_seen, id))
                .collect();
            if theirs.len() >= MAX_PER_USER {
                theirs.sort_unstable();
                let drop: Vec<String> = theirs
                    .iter()
                    .take(theirs.len() + 1 - MAX_PER_USER)
                    .map(|(_, id)| (*id).clone())
                    .collect();
                for id in drop {
                    self.map.remove(&id);
                }
            }
        }
        if self.map.len() >= MAX_SESSIONS {
            self.prune(now);
            if self.map.len() >= MAX_SESSIONS {
                return Err(WebError::Busy);
            }
        }
        let id = random_token(rng)?;
        session.csrf = random_token(rng)?;
        session.last_seen = now;
        self.map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// How many sessions are stored.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn prune(&mut self, now: u64) {
        self.map.retain(|_, s| {
            now.saturating_sub(s.last_seen) < IDLE_SECS
                && now.saturating_sub(s.created_at) < ABSOLUTE_SECS
        });
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
        let (id, _) = sessions
            .rotate(None, Session::new(String::new(), 1000), &rng, 1000)
            .unwrap();
        assert!(sessions.get(&id, 1000 + IDLE_SECS - 1).is_some());
        let mut t = 1000 + IDLE_SECS - 1;
        while t < 1000 + ABSOLUTE_SECS - 60 {
            t += 60;
            assert!(sessions.get(&id, t).is_some());
        }
        assert!(sessions.get(&id, 1000 + ABSOLUTE_SECS).is_none());
        let (id, _) = sessions
            .rotate(None, Session::new(String::new(), 5000), &rng, 5000)
            .unwrap();
        assert!(sessions.get(&id, 5000 + IDLE_SECS).is_none());
        assert!(sessions.get("not-a-session", 5000).is_none());
    }

    #[test]
    fn rotation_changes_the_id_and_csrf_token() {
        let rng = SystemRandom::new();
        let mut sessions = Sessions::default();
        let (old, s) = sessions
            .rotate(None, Session::new(String::new(), 1), &rng, 1)
            .unwrap();
        let (new, rotated) = sessions.rotate(Some(&old), s.clone(), &rng, 1).unwrap();
        assert_ne!(old, new);
        assert_ne!(s.csrf, rotated.csrf);
        assert!(sessions.get(&old, 2).is_none());
        assert!(sessions.get(&new, 2).is_some());
    }

    #[test]
    fn a_user_has_a_bounded_number_of_sessions() {
        let rng = SystemRandom::new();
        let mut sessions = Sessions::default();
        let mut alice = Session::new(String::new(), 1);
        alice.auth = Auth::PasswordOnly {
            user: "alice".into(),
        };
        let mut bob = alice.clone();
        bob.auth = Auth::PasswordOnly { user: "bob".into() };
        let (bobs, _) = sessions.rotate(None, bob, &rng, 1).unwrap();
        let mut ids = Vec::new();
        for t in 0..MAX_PER_USER as u64 + 3 {
            ids.push(sessions.rotate(None, alice.clone(), &rng, 2 + t).unwrap().0);
        }
        assert_eq!(sessions.len(), MAX_PER_USER + 1);
        assert!(sessions.get(&ids[0], 100).is_none(), "the oldest went");
        assert!(sessions.get(ids.last().unwrap(), 100).is_some());
        assert!(sessions.get(&bobs, 100).is_some(), "nobody else's");
    }

    #[test]
    fn anonymous_csrf_tokens_are_bound_to_the_nonce_and_key() {
        let rng = SystemRandom::new();
        let key = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng).unwrap();
        let other = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng).unwrap();
        let nonce = random_token(&rng).unwrap();
        let t = anonymous_csrf(&key, &nonce);
        assert_eq!(t.len(), 43);
        assert_eq!(t, anonymous_csrf(&key, &nonce));
        assert_ne!(t, anonymous_csrf(&other, &nonce));
        assert_ne!(t, anonymous_csrf(&key, &random_token(&rng).unwrap()));
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

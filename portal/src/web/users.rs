//! The portal's users: user ID, display name and an Argon2id password hash
//! in the `web_users` table of the portal's SQLite database. The demo users
//! are created with random passwords on the first start; the passwords are
//! returned once, to be printed, and only their hashes are kept.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`,
//! OWASP's minimum for Argon2id) with a 16-byte random salt. Verification
//! reads the parameters from the string, within bounds, so stronger
//! parameters can be introduced without breaking stored hashes.

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use data_encoding::BASE64_NOPAD;
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OptionalExtension, params};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::WebError;

/// Memory of new password hashes, KiB (19 MiB).
const MEMORY_KIB: u32 = 19 * 1024;
/// Passes of new password hashes.
const PASSES: u32 = 2;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;
/// Largest memory accepted from a stored hash (256 MiB): a damaged or
/// hostile row cannot make a login allocate without bound.
const MAX_MEMORY_KIB: u32 = 256 * 1024;
/// Longest password accepted, in bytes.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A user of the portal.
#[derive(Debug, Clone)]
pub struct User {
    /// The user ID typed at login.
    pub user_id: String,
    /// The name shown once signed in.
    pub display_name: String,
}

/// A demo user created on the first start, with the password to print once.
pub struct DemoUser {
    /// The user.
    pub user: User,
    /// The generated password.
    pub password: Zeroizing<String>,
}

impl std::fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoUser")
            .field("user", &self.user)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// The demo users: user ID and display name.
pub const DEMO_USERS: [(&str, &str); 3] = [
    ("alice", "Alice Muller"),
    ("bob", "Bob Schmit"),
    ("chloe", "Chloé Weber"),
];

/// The users table.
#[derive(Debug)]
pub struct UserStore {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS web_users (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS web_keys (
    name TEXT PRIMARY KEY,
    key BLOB NOT NULL
);
";

fn storage(e: rusqlite::Error) -> WebError {
    WebError::Storage(e.to_string())
}

impl UserStore {
    /// Opens (creating it if needed) the users table in the database at `path`.
    pub fn open(path: &Path) -> Result<Self, WebError> {
        crate::store::private_database(path)?;
        Self::init(Connection::open(path).map_err(storage)?)
    }

    /// A users table in memory (tests).
    pub fn in_memory() -> Result<Self, WebError> {
        Self::init(Connection::open_in_memory().map_err(storage)?)
    }

    fn init(conn: Connection) -> Result<Self, WebError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(storage)?;
        conn.execute_batch(SCHEMA).map_err(storage)?;
        Ok(Self { conn })
    }

    /// How many users there are.
    pub fn count(&self) -> Result<u64, WebError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM web_users", [], |r| r.get(0))
            .map_err(storage)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Adds a user with `password` (hashed here).
    pub fn add(
        &self,
        user: &User,
        password: &[u8],
        rng: &dyn SecureRandom,
        now: u64,
    ) -> Result<(), WebError> {
        let hash = hash_password(password, rng)?;
        self.conn
            .execute(
                "INSERT INTO web_users (user_id, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![user.user_id, user.display_name, hash, i64::try_from(now).unwrap_or(i64::MAX)],
            )
            .map_err(storage)?;
        Ok(())
    }

    /// A user and their password hash.
    pub fn get(&self, user_id: &str) -> Result<Option<(User, String)>, WebError> {
        self.conn
            .query_row(
                "SELECT user_id, display_name, password_hash FROM web_users WHERE user_id = ?1",
                [user_id],
                |r| {
                    Ok((
                        User {
                            user_id: r.get(0)?,
                            display_name: r.get(1)?,
                        },
                        r.get(2)?,
                    ))
                },
            )
            .optional()
            .map_err(storage)
    }

    /// The 32-byte key `name` of this database (e.g. the known-browser
    /// cookies' MAC key), created at random the first time.
    pub fn key(&self, name: &str, rng: &dyn SecureRandom) -> Result<Zeroizing<Vec<u8>>, WebError> {
        let mut fresh = Zeroizing::new(vec![0u8; 32]);
        rng.fill(&mut fresh).map_err(|_| WebError::Random)?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO web_keys (name, key) VALUES (?1, ?2)",
                params![name, fresh.as_slice()],
            )
            .map_err(storage)?;
        let key: Vec<u8> = self
            .conn
            .query_row("SELECT key FROM web_keys WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(storage)?;
        Ok(Zeroizing::new(key))
    }

    /// A user's display name.
    pub fn display_name(&self, user_id: &str) -> Result<Option<String>, WebError> {
        Ok(self.get(user_id)?.map(|(u, _)| u.display_name))
    }

    /// Creates the demo users with random passwords when there is no user
    /// at all; returns them (with the passwords, to be shown once), or
    /// nothing when users already exist.
    pub fn create_demo_users(&self, now: u64) -> Result<Vec<DemoUser>, WebError> {
        if self.count()? > 0 {
            return Ok(Vec::new());
        }
        let rng = SystemRandom::new();
        let mut created = Vec::new();
        for (id, name) in DEMO_USERS {
            let password = generate_password(&rng)?;
            let user = User {
                user_id: id.to_owned(),
                display_name: name.to_owned(),
            };
            self.add(&user, password.as_bytes(), &rng, now)?;
            created.push(DemoUser { user, password });
        }
        Ok(created)
    }
}

/// A random password of three groups of four characters from an alphabet
/// without look-alikes (about 59 bits), e.g. `k7mp-q2xv-9tfa`.
pub fn generate_password(rng: &dyn SecureRandom) -> Result<Zeroizing<String>, WebError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = Zeroizing::new(String::with_capacity(14));
    let mut bytes = Zeroizing::new([0u8; 12]);
    // 31 symbols: reject bytes >= 248 (8 * 31) so each symbol is uniform.
    let mut i = 0;
    while i < 12 {
        let mut b = [0u8; 1];
        rng.fill(&mut b).map_err(|_| WebError::Random)?;
        if b[0] < 248 {
            bytes[i] = b[0];
            i += 1;
        }
    }
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let symbol = ALPHABET
            .get(usize::from(*b) % ALPHABET.len())
            .copied()
            .unwrap_or(b'a');
        out.push(char::from(symbol));
    }
    Ok(out)
}

/// Hashes a password into a PHC string.
pub fn hash_password(password: &[u8], rng: &dyn SecureRandom) -> Result<String, WebError> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill(&mut salt).map_err(|_| WebError::Random)?;
    let params = Params::new(MEMORY_KIB, PASSES, 1, Some(HASH_LEN)).map_err(|_| WebError::Hash)?;
    let hash = derive(password, &salt, params)?;
    Ok(format!(
        "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p=1${}${}",
        BASE64_NOPAD.encode(&salt),
        BASE64_NOPAD.encode(hash.as_ref())
    ))
}

fn derive(password: &[u8], salt: &[u8], params: Params) -> Result<Zeroizing<Vec<u8>>, WebError> {
    let mut out = Zeroizing::new(vec![0u8; HASH_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password, salt, &mut out)
        .map_err(|_| WebError::Hash)?;
    Ok(out)
}

/// Why a password was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRejected {
    /// It is not the user's password.
    Wrong,
    /// The stored hash cannot be read.
    BadHash,
}

/// Checks `password` against a PHC string in constant time.
pub fn verify_password(password: &[u8], phc: &str) -> Result<(), PasswordRejected> {
    if password.len() > MAX_PASSWORD_LEN {
        return Err(PasswordRejected::Wrong);
    }
    let bad = PasswordRejected::BadHash;
    let mut parts = phc.split('$');
    let (Some(""), Some("argon2id"), Some("v=19"), Some(p), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad);
    };
    let (mut m, mut t, mut lanes) = (None, None, None);
    for kv in p.split(',') {
        let (k, v) = kv.split_once('=').ok_or(bad)?;
        let v: u32 = v.parse().map_err(|_| bad)?;
        match k {
            "m" => m = Some(v),
            "t" => t = Some(v),
            "p" => lanes = Some(v),
            _ => return Err(bad),
        }
    }
    let (Some(m), Some(t), Some(1)) = (m, t, lanes) else {
        return Err(bad);
    };
    if !(8..=MAX_MEMORY_KIB).contains(&m) || !(1..=10).contains(&t) {
        return Err(bad);
    }
    let salt = BASE64_NOPAD.decode(salt.as_bytes()).map_err(|_| bad)?;
    let expected = Zeroizing::new(BASE64_NOPAD.decode(hash.as_bytes()).map_err(|_| bad)?);
    if !(8..=64).contains(&salt.len()) || expected.len() != HASH_LEN {
        return Err(bad);
    }
    let params = Params::new(m, t, 1, Some(HASH_LEN)).map_err(|_| bad)?;
    let actual = derive(password, &salt, params).map_err(|_| bad)?;
    if bool::from(actual.as_slice().ct_eq(expected.as_slice())) {
        Ok(())
    } else {
        Err(PasswordRejected::Wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let rng = SystemRandom::new();
        let phc = hash_password(b"correct horse", &rng).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(verify_password(b"correct horse", &phc), Ok(()));
        assert_eq!(
            verify_password(b"correct horsE", &phc),
            Err(PasswordRejected::Wrong)
        );
        assert_ne!(
            phc,
            hash_password(b"correct horse", &rng).unwrap(),
            "salted"
        );
    }

    #[test]
    fn hostile_hashes_are_refused_before_hashing() {
        for phc in [
            "",
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
            "$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=4$c2FsdHNhbHRzYWx0$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA",
        ] {
            assert_eq!(
                verify_password(b"x", phc),
                Err(PasswordRejected::BadHash),
                "{phc}"
            );
        }
    }

    #[test]
    fn demo_users_once_with_distinct_passwords() {
        let store = UserStore::in_memory().unwrap();
        let users = store.create_demo_users(1).unwrap();
        assert_eq!(users.len(), 3);
        assert_ne!(*users[0].password, *users[1].password);
        assert_eq!(users[0].password.len(), 14);
        assert!(store.create_demo_users(2).unwrap().is_empty());
        let (user, phc) = store.get("alice").unwrap().unwrap();
        assert_eq!(user.display_name, "Alice Muller");
        assert_eq!(verify_password(users[0].password.as_bytes(), &phc), Ok(()));
        assert!(!phc.contains(users[0].password.as_str()));
    }
}

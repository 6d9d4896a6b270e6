//! The portal's state: tokens and challenges, in SQLite (bundled, so it
//! builds anywhere). Each operation runs in one transaction, so a crash or
//! a restart loses nothing and never leaves half an update.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use tessera_core::mosaic::{MosaicKind, OtpParams, TokenId, TokenKeys, Transaction};
use tessera_core::otp::Algorithm;
use zeroize::Zeroizing;

use crate::PortalError;

/// A token as the portal knows it.
#[derive(Debug)]
pub struct TokenRecord {
    /// Its identifier.
    pub id: TokenId,
    /// Its user.
    pub user_id: String,
    /// The origin it was issued for.
    pub origin: String,
    /// Its OTP parameters.
    pub params: OtpParams,
    /// The OCRA key.
    pub ocra_key: Zeroizing<Vec<u8>>,
    /// The challenge key.
    pub challenge_key: Zeroizing<Vec<u8>>,
    /// Waiting for its confirmation code, active, or removed.
    pub state: TokenState,
    /// The activation nonce (what the confirmation code's check is over).
    pub activation_nonce: [u8; 12],
    /// When the activation offer expires.
    pub activation_expires_at: u64,
    /// Consecutive wrong OTPs.
    pub failures: u32,
    /// When it was created (Unix seconds).
    pub created_at: u64,
}

/// Life cycle of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// Issued, waiting for the confirmation code.
    Pending,
    /// Confirmed; answers challenges.
    Active,
    /// Removed by the user or an operator.
    Removed,
    /// Its activation offer expired unconfirmed; its keys are erased.
    Expired,
}

impl TokenState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Removed => "removed",
            Self::Expired => "expired",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "pending" => Self::Pending,
            "expired" => Self::Expired,
            _ => Self::Removed,
        }
    }
}

/// A challenge as the portal stored it when issuing.
#[derive(Debug, Clone)]
pub struct ChallengeRecord {
    /// The nonce (its identifier).
    pub nonce: [u8; 12],
    /// The token it is addressed to.
    pub token_id: TokenId,
    /// The user.
    pub user_id: String,
    /// Login or transaction.
    pub kind: MosaicKind,
    /// The origin.
    pub origin: String,
    /// Issue time.
    pub issued_at: u64,
    /// Expiry.
    pub expires_at: u64,
    /// The transaction, for a transaction challenge.
    pub transaction: Option<Transaction>,
    /// Whether it was answered correctly.
    pub answered: bool,
}

/// The portal's storage.
pub trait PortalStore {
    /// Runs `f` as one atomic transaction: all of its changes or none.
    fn atomically<T, F>(&mut self, f: F) -> Result<T, PortalError>
    where
        Self: Sized,
        F: FnOnce(&mut Self) -> Result<T, PortalError>;
    /// Adds a pending token.
    fn insert_token(&mut self, token: &TokenRecord) -> Result<(), PortalError>;
    /// A token by identifier.
    fn token(&self, id: &TokenId) -> Result<Option<TokenRecord>, PortalError>;
    /// The user's tokens, newest first.
    fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenRecord>, PortalError>;
    /// Sets a token's state.
    fn set_token_state(&mut self, id: &TokenId, state: TokenState) -> Result<(), PortalError>;
    /// Marks every pending token whose offer expired before `now` as
    /// [`TokenState::Expired`] and erases its keys; returns how many.
    fn expire_offers(&mut self, now: u64) -> Result<usize, PortalError>;
    /// Erases a token's keys (a removed token answers nothing).
    fn erase_keys(&mut self, id: &TokenId) -> Result<(), PortalError>;
    /// Replaces a token's keys (at confirmation, the offer's keys by the
    /// device's final keys: the offer's are then gone).
    fn set_keys(&mut self, id: &TokenId, keys: &TokenKeys) -> Result<(), PortalError>;
    /// Sets a token's consecutive failure count.
    fn set_failures(&mut self, id: &TokenId, failures: u32) -> Result<(), PortalError>;
    /// Adds a challenge; fails if its nonce was ever used.
    fn insert_challenge(&mut self, challenge: &ChallengeRecord) -> Result<(), PortalError>;
    /// A challenge by nonce.
    fn challenge(&self, nonce: &[u8; 12]) -> Result<Option<ChallengeRecord>, PortalError>;
    /// Marks a challenge answered.
    fn set_answered(&mut self, nonce: &[u8; 12]) -> Result<(), PortalError>;
}

/// SQLite storage.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (
    id BLOB PRIMARY KEY,
    user_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    digits INTEGER NOT NULL,
    hash TEXT NOT NULL,
    ocra_key BLOB NOT NULL,
    challenge_key BLOB NOT NULL,
    state TEXT NOT NULL,
    activation_nonce BLOB NOT NULL,
    activation_expires_at INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id);
CREATE TABLE IF NOT EXISTS challenges (
    nonce BLOB PRIMARY KEY,
    token_id BLOB NOT NULL REFERENCES tokens(id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    amount TEXT, currency TEXT, payee TEXT, iban TEXT, reference TEXT, text TEXT,
    answered INTEGER NOT NULL DEFAULT 0
);
";

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`: created 0600
    /// (SQLite gives its -wal and -shm files the same mode); one that group
    /// or others can read is refused (see [`private_database`]).
    pub fn open(path: &Path) -> Result<Self, PortalError> {
        private_database(path)?;
        Self::init(Connection::open(path)?)
    }

    /// A database in memory (tests, the demo).
    pub fn in_memory() -> Result<Self, PortalError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, PortalError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Erased keys (expired offers, removed mobiles) are overwritten
        // with zeros in the file, not only unlinked from the b-tree.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }
}

/// Makes sure the database at `path` is readable by its owner only: a
/// missing file is created empty with mode 0600 (SQLite creates the -wal
/// and -shm files with the database's mode); an existing database, -wal or
/// -shm file with any group or other permission is refused with
/// [`PortalError::InsecureDatabase`]. Elsewhere than on Unix, the
/// directory's ACLs decide and nothing is checked.
pub fn private_database(path: &Path) -> Result<(), PortalError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(PortalError::Storage(format!("{}: {e}", path.display()))),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut companion = path.as_os_str().to_owned();
            companion.push(suffix);
            let file = Path::new(&companion);
            match std::fs::metadata(file) {
                Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                    return Err(PortalError::InsecureDatabase(file.display().to_string()));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(PortalError::Storage(format!("{}: {e}", file.display()))),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn hash_name(a: Algorithm) -> &'static str {
    a.name()
}

/// Unix times as SQLite integers (which are signed).
fn to_sql_time(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

fn time_at(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
}

fn token_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    let id: Vec<u8> = row.get(0)?;
    let hash: String = row.get(4)?;
    let nonce: Vec<u8> = row.get(8)?;
    let bad = |what: &str| rusqlite::Error::InvalidColumnName(format!("corrupt {what}"));
    Ok(TokenRecord {
        id: TokenId::from_slice(&id).ok_or_else(|| bad("token id"))?,
        user_id: row.get(1)?,
        origin: row.get(2)?,
        params: OtpParams {
            digits: row.get(3)?,
            hash: hash.parse().map_err(|_| bad("hash"))?,
        },
        ocra_key: Zeroizing::new(row.get(5)?),
        challenge_key: Zeroizing::new(row.get(6)?),
        state: TokenState::parse(&row.get::<_, String>(7)?),
        activation_nonce: nonce.as_slice().try_into().map_err(|_| bad("nonce"))?,
        activation_expires_at: time_at(row, 9)?,
        failures: row.get(10)?,
        created_at: time_at(row, 11)?,
    })
}

const TOKEN_COLUMNS: &str = "id, user_id, origin, digits, hash, ocra_key, challenge_key, state, activation_nonce, activation_expires_at, failures, created_at";

impl PortalStore for SqliteStore {
    fn atomically<T, F>(&mut self, f: F) -> Result<T, PortalError>
    where
        F: FnOnce(&mut Self) -> Result<T, PortalError>,
    {
        // IMMEDIATE: take the write lock first, so two verifiers cannot both
        // read "unanswered" and both accept.
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn insert_token(&mut self, t: &TokenRecord) -> Result<(), PortalError> {
        self.conn.execute(
            &format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            params![
                t.id.as_bytes().as_slice(),
                t.user_id,
                t.origin,
                t.params.digits,
                hash_name(t.params.hash),
                t.ocra_key.as_slice(),
                t.challenge_key.as_slice(),
                t.state.as_str(),
                t.activation_nonce.as_slice(),
                to_sql_time(t.activation_expires_at),
                t.failures,
                to_sql_time(t.created_at),
            ],
        )?;
        Ok(())
    }

    fn token(&self, id: &TokenId) -> Result<Option<TokenRecord>, PortalError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1"),
                [id.as_bytes().as_slice()],
                token_from_row,
            )
            .optional()?)
    }

    fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenRecord>, PortalError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = ?1 ORDER BY created_at DESC, rowid DESC"))?;
        let rows = stmt.query_map([user_id], token_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_token_state(&mut self, id: &TokenId, state: TokenState) -> Result<(), PortalError> {
        self.conn.execute(
            "UPDATE tokens SET state = ?1 WHERE id = ?2",
            params![state.as_str(), id.as_bytes().as_slice()],
        )?;
        Ok(())
    }

    fn expire_offers(&mut self, now: u64) -> Result<usize, PortalError> {
        Ok(self.conn.execute(
            "UPDATE tokens SET state = 'expired', ocra_key = x'', challenge_key = x''
             WHERE state = 'pending' AND activation_expires_at < ?1",
            [to_sql_time(now)],
        )?)
    }

    fn erase_keys(&mut self, id: &TokenId) -> Result<(), PortalError> {
        self.conn.execute(
            "UPDATE tokens SET ocra_key = x'', challenge_key = x'' WHERE id = ?1",
            [id.as_bytes().as_slice()],
        )?;
        Ok(())
    }

    fn set_keys(&mut self, id: &TokenId, keys: &TokenKeys) -> Result<(), PortalError> {
        self.conn.execute(
            "UPDATE tokens SET ocra_key = ?1, challenge_key = ?2 WHERE id = ?3",
            params![
                keys.ocra.expose(),
                keys.challenge.expose(),
                id.as_bytes().as_slice()
            ],
        )?;
        Ok(())
    }

    fn set_failures(&mut self, id: &TokenId, failures: u32) -> Result<(), PortalError> {
        self.conn.execute(
            "UPDATE tokens SET failures = ?1 WHERE id = ?2",
            params![failures, id.as_bytes().as_slice()],
        )?;
        Ok(())
    }

    fn insert_challenge(&mut self, c: &ChallengeRecord) -> Result<(), PortalError> {
        let t = c.transaction.as_ref();
        self.conn.execute(
            "INSERT INTO challenges (nonce, token_id, user_id, kind, origin, issued_at, expires_at,
                amount, currency, payee, iban, reference, text, answered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0)",
            params![
                c.nonce.as_slice(),
                c.token_id.as_bytes().as_slice(),
                c.user_id,
                c.kind.name(),
                c.origin,
                to_sql_time(c.issued_at),
                to_sql_time(c.expires_at),
                t.map(|t| t.amount.as_str()),
                t.map(|t| t.currency.as_str()),
                t.map(|t| t.payee.as_str()),
                t.map(|t| t.iban.as_str()),
                t.and_then(|t| t.reference.as_deref()),
                t.and_then(|t| t.text.as_deref()),
            ],
        )?;
        Ok(())
    }

    fn challenge(&self, nonce: &[u8; 12]) -> Result<Option<ChallengeRecord>, PortalError> {
        Ok(self
            .conn
            .query_row(
                "SELECT nonce, token_id, user_id, kind, origin, issued_at, expires_at,
                        amount, currency, payee, iban, reference, text, answered
                 FROM challenges WHERE nonce = ?1",
                [nonce.as_slice()],
                |row| {
                    let bad =
                        |what: &str| rusqlite::Error::InvalidColumnName(format!("corrupt {what}"));
                    let nonce: Vec<u8> = row.get(0)?;
                    let token: Vec<u8> = row.get(1)?;
                    let kind: String = row.get(3)?;
                    let kind = match kind.as_str() {
                        "login" => MosaicKind::Login,
                        "transaction" => MosaicKind::Transaction,
                        _ => return Err(bad("kind")),
                    };
                    let amount: Option<String> = row.get(7)?;
                    let transaction = match amount {
                        Some(amount) => Some(Transaction {
                            amount,
                            currency: row.get(8)?,
                            payee: row.get(9)?,
                            iban: row.get(10)?,
                            reference: row.get(11)?,
                            text: row.get(12)?,
                        }),
                        None => None,
                    };
                    Ok(ChallengeRecord {
                        nonce: nonce.as_slice().try_into().map_err(|_| bad("nonce"))?,
                        token_id: TokenId::from_slice(&token).ok_or_else(|| bad("token id"))?,
                        user_id: row.get(2)?,
                        kind,
                        origin: row.get(4)?,
                        issued_at: time_at(row, 5)?,
                        expires_at: time_at(row, 6)?,
                        transaction,
                        answered: row.get::<_, i64>(13)? != 0,
                    })
                },
            )
            .optional()?)
    }

    fn set_answered(&mut self, nonce: &[u8; 12]) -> Result<(), PortalError> {
        self.conn.execute(
            "UPDATE challenges SET answered = 1 WHERE nonce = ?1",
            [nonce.as_slice()],
        )?;
        Ok(())
    }
}

//! The desktop's implementations of the vault's platform traits: files for
//! storage, the OS keyring (or a file) for the device key, the system clock.

pub mod file_storage;
pub mod keystore;

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tessera_core::platform::{Clock, Platform};
use tessera_core::vault::BLOB_NAME;

use crate::error::CliError;
use file_storage::FileStorage;
use keystore::{DesktopKeystore, choose_backend};

/// The system clock.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock whose monotonic reading starts now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    /// In debug builds `TESSERA_NOW` (Unix seconds) overrides the wall clock
    /// so that the CLI tests can pass the attempt delays; release builds
    /// ignore it.
    fn now_unix(&self) -> u64 {
        if cfg!(debug_assertions)
            && let Some(now) = std::env::var("TESSERA_NOW")
                .ok()
                .and_then(|v| v.parse().ok())
        {
            return now;
        }
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn monotonic_nanos(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// The vault directory: `--home`, else `TESSERA_HOME`, else the OS's
/// per-user data directory + `tessera`.
pub fn home_dir(arg: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(dir) = arg {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("TESSERA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    default_data_dir()
        .map(|d| d.join("tessera"))
        .ok_or_else(|| CliError::arg("--home", "cannot find a data directory: give --home DIR"))
}

fn env_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The OS's per-user data directory (`$XDG_DATA_HOME` or
/// `~/.local/share` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        env_dir("APPDATA")
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        env_dir("XDG_DATA_HOME").or_else(|| env_dir("HOME").map(|h| h.join(".local").join("share")))
    }
}

/// An open vault directory: the platform for the vault and an exclusive
/// lock that keeps two `tessera` processes from interleaving writes (two
/// HOTP codes from one counter value).
#[derive(Debug)]
pub struct Home {
    /// The directory.
    pub dir: PathBuf,
    _lock: File,
}

impl Home {
    /// Opens (creating it, 0700, when `create`) and locks the directory.
    pub fn open(dir: PathBuf, create: bool) -> Result<Self, CliError> {
        if !dir.is_dir() {
            if !create {
                return Err(CliError::with_status(
                    crate::error::EXIT_BAD_INPUT,
                    format!(
                        "there is no vault in {}: create one with `tessera passcode set`",
                        dir.display()
                    ),
                ));
            }
            create_private_dir(&dir)?;
        }
        let lock_path = dir.join(".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| CliError::vault(format!("cannot open {}: {e}", lock_path.display())))?;
        lock.lock()
            .map_err(|e| CliError::vault(format!("cannot lock {}: {e}", lock_path.display())))?;
        Ok(Self { dir, _lock: lock })
    }

    /// Whether a vault blob exists.
    pub fn vault_exists(&self) -> bool {
        self.dir.join(BLOB_NAME).exists()
    }

    /// The platform for the vault in this directory. The device key is in
    /// the OS keyring unless `TESSERA_KEYSTORE=file` or no keyring runs.
    pub fn platform(&self) -> Platform {
        let force_file = std::env::var("TESSERA_KEYSTORE").is_ok_and(|v| v == "file");
        self.platform_with(force_file)
    }

    /// The platform with the device key in a 0600 file in the directory
    /// when `force_file` (a throwaway vault, as `tessera demo`'s), else as
    /// [`Home::platform`] chooses.
    pub fn platform_with(&self, force_file: bool) -> Platform {
        let (backend, warning) = choose_backend(&self.dir, force_file, self.vault_exists());
        if let Some(warning) = warning {
            eprintln!("warning: {warning}");
        }
        Platform {
            storage: std::sync::Arc::new(FileStorage::new(&self.dir)),
            keystore: std::sync::Arc::new(DesktopKeystore::new(backend)),
            clock: std::sync::Arc::new(SystemClock::new()),
            random: tessera_core::crypto::system_random(),
        }
    }
}

/// Creates `dir` and its parents, readable by the owner only (0700).
pub fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| CliError::vault(format!("cannot create {}: {e}", dir.display())))
}

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

/// The lock file in the vault's folder.
pub const LOCK_FILE: &str = ".lock";

/// An open vault directory: the platform for the vault and an exclusive
/// lock that keeps two `tessera` processes from interleaving writes (two
/// HOTP codes from one counter value).
///
/// The folder is trusted only when it is this user's and closed to
/// everyone else (0700): whoever can write in it can replace the vault or
/// plant a device key. Files in it are opened without following symbolic
/// links.
#[derive(Debug)]
pub struct Home {
    /// The directory.
    pub dir: PathBuf,
    /// Whether this command created the folder (it is removed again when
    /// no vault was stored in it: a failed first command leaves nothing).
    created: bool,
    _lock: File,
}

impl Home {
    /// Opens (creating it, 0700, when `create`) and locks the directory.
    pub fn open(dir: PathBuf, create: bool) -> Result<Self, CliError> {
        let mut created = false;
        match fs::metadata(&dir) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
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
                created = true;
            }
            Err(e) => return Err(folder_error(&dir, &e)),
        }
        check_private_dir(&dir)?;
        let lock = open_lock(&dir)?;
        Ok(Self {
            dir,
            created,
            _lock: lock,
        })
    }

    /// Whether a vault blob exists.
    pub fn vault_exists(&self) -> bool {
        self.dir.join(BLOB_NAME).exists()
    }

    /// The platform for the vault in this directory. The device key is in
    /// the OS keyring unless `TESSERA_KEYSTORE=file`, no keyring runs, or
    /// the vault was created with its key in a file.
    pub fn platform(&self) -> Result<Platform, CliError> {
        let force_file = std::env::var("TESSERA_KEYSTORE").is_ok_and(|v| v == "file");
        let backend = choose_backend(&self.dir, force_file, self.vault_exists())?;
        Ok(self.platform_over(DesktopKeystore::new(&self.dir, backend)))
    }

    /// The platform of a throwaway vault (`tessera demo`'s): the device key
    /// in a file in the folder, without warnings.
    pub fn throwaway_platform(&self) -> Platform {
        self.platform_over(DesktopKeystore::throwaway(&self.dir))
    }

    fn platform_over(&self, keystore: DesktopKeystore) -> Platform {
        Platform {
            storage: std::sync::Arc::new(FileStorage::new(&self.dir)),
            keystore: std::sync::Arc::new(keystore),
            clock: std::sync::Arc::new(SystemClock::new()),
            random: tessera_core::crypto::system_random(),
        }
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        // A folder this command created and stored no vault in goes again
        // (only if it holds nothing else: remove_dir refuses otherwise).
        if self.created && !self.vault_exists() {
            let _ = fs::remove_file(self.dir.join(LOCK_FILE));
            let _ = fs::remove_file(self.dir.join(keystore::MARKER_FILE));
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

/// `path` quoted for a shell command line when it needs to be.
pub fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'+' | b'~' | b',')
        });
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// What an error opening or creating the folder means, and what to do.
fn folder_error(dir: &Path, e: &std::io::Error) -> CliError {
    use std::io::ErrorKind;
    let shown = dir.display();
    match e.kind() {
        ErrorKind::AlreadyExists | ErrorKind::NotADirectory => CliError::arg(
            "--home",
            format!(
                "{shown} (or a folder above it) is a file, not a folder; give --home a folder \
                 (it is created if missing)"
            ),
        ),
        ErrorKind::PermissionDenied => CliError::vault(format!(
            "cannot use {shown}: permission denied; give --home a folder of yours (it is \
             created if missing)"
        )),
        ErrorKind::ReadOnlyFilesystem => CliError::vault(format!(
            "cannot write in {shown}: the file system is read-only; give --home a folder on a \
             writable disk"
        )),
        _ => CliError::vault(format!("cannot use {shown}: {e}")),
    }
}

/// Refuses a folder that is not this user's or that others may enter.
fn check_private_dir(dir: &Path) -> Result<(), CliError> {
    let meta = fs::metadata(dir).map_err(|e| folder_error(dir, &e))?;
    if !meta.is_dir() {
        return Err(folder_error(
            dir,
            &std::io::Error::from(std::io::ErrorKind::NotADirectory),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let quoted = shell_quote(dir);
        let me = rustix::process::getuid().as_raw();
        if meta.uid() != me {
            return Err(CliError::vault(format!(
                "{} belongs to another user (uid {}), who could replace the vault or its key; \
                 use a folder of your own (--home), or if it is yours run `sudo chown -R {me} \
                 {quoted}`",
                dir.display(),
                meta.uid()
            )));
        }
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CliError::vault(format!(
                "{} is open to other users (mode {mode:04o}); the vault's folder must be yours \
                 alone: run `chmod 700 {quoted}`",
                dir.display()
            )));
        }
        if mode & 0o700 != 0o700 {
            return Err(CliError::vault(format!(
                "{} is not writable for you (mode {mode:04o}): run `chmod 700 {quoted}`",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Opens a file in the vault's folder without following a symbolic link at
/// its name, and without blocking on a FIFO or device.
pub fn open_in_folder(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK;
        options.custom_flags(i32::try_from(flags.bits()).unwrap_or(0));
    }
    match options.open(path) {
        Ok(file) => Ok(file),
        Err(e) => {
            if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                Err(std::io::Error::other(
                    "it is a symbolic link, which tessera does not follow in the vault's folder; \
                     remove it",
                ))
            } else {
                Err(e)
            }
        }
    }
}

/// Opens and locks `dir/.lock` (0600, a regular file), saying so when
/// another tessera holds it.
fn open_lock(dir: &Path) -> Result<File, CliError> {
    let path = dir.join(LOCK_FILE);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let lock = open_in_folder(&mut options, &path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            folder_error(dir, &e)
        }
        _ => CliError::vault(format!("cannot open {}: {e}", path.display())),
    })?;
    let meta = lock
        .metadata()
        .map_err(|e| CliError::vault(format!("cannot open {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(CliError::vault(format!(
            "{} is not a regular file (tessera's lock file is); remove it",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        // Earlier versions created it 0644; it is empty, but keep the folder private.
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            let _ = lock.set_permissions(fs::Permissions::from_mode(0o600));
        }
    }
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another tessera using {} to finish…",
                dir.display()
            );
            lock.lock()
                .map_err(|e| CliError::vault(format!("cannot lock {}: {e}", path.display())))?;
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(CliError::vault(format!(
                "cannot lock {}: {e}",
                path.display()
            )));
        }
    }
    Ok(lock)
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
    builder.create(dir).map_err(|e| folder_error(dir, &e))
}

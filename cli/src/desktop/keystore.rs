//! [`DeviceKeystore`] on the desktop: a random AES-256 key and the
//! generation counter, kept together (40 bytes) in the OS keyring through
//! the `keyring` crate, or, where no keyring runs, in a 0600 file next to
//! the vault. In a file, the key no longer binds the vault to this
//! machine: a copy of the folder carries the key, so whoever has the copy
//! can try passcodes offline, without the attempt limit (and the rollback
//! check, whose generation is in the same file, no longer holds). Every
//! use of such a vault says so.
//!
//! Which of the two holds the key is recorded in `keystore` when the key
//! is created, so that a missing key file is told apart from a keyring
//! that does not answer, and a `device-key` file appearing next to a
//! keyring vault is refused instead of silently replacing its key.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tessera_core::crypto;
use tessera_core::platform::{DeviceKeystore, KeystoreError};
use zeroize::Zeroizing;

use super::file_storage::{atomic_write, read_in_folder};
use super::shell_quote;
use crate::error::CliError;

/// The file that holds the key where no keyring runs.
pub const KEY_FILE: &str = "device-key";
/// The file that says where the key is: `keyring` or `file` (not secret).
pub const MARKER_FILE: &str = "keystore";
const RECORD_LEN: usize = crypto::KEY_LEN + 8;
const AAD: &[u8] = b"tessera/desktop/device-key/v1";

/// Where the key lives.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The OS keyring: service and user of the entry.
    #[cfg(feature = "os-keyring")]
    Keyring {
        /// Entry service.
        service: String,
        /// Entry user (the vault directory, so each has its own key).
        user: String,
    },
    /// A file readable by the owner only; `why` says why it is not the
    /// keyring (shown once, when the key is created).
    File {
        /// The key file.
        path: PathBuf,
        /// Why the key goes to a file (`None`: a throwaway vault, say nothing).
        why: Option<String>,
    },
    /// The keyring holds the key but cannot be reached now.
    Unavailable(String),
}

/// The desktop device keystore.
#[derive(Debug, Clone)]
pub struct DesktopKeystore {
    home: PathBuf,
    backend: Backend,
}

/// The key and the generation.
struct Record {
    key: Zeroizing<[u8; crypto::KEY_LEN]>,
    generation: u64,
}

impl Record {
    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(RECORD_LEN));
        out.extend_from_slice(self.key.as_ref());
        out.extend_from_slice(&self.generation.to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Self, KeystoreError> {
        let bad = || KeystoreError::Unavailable("the stored device key is malformed".into());
        let (key, rest) = bytes
            .split_first_chunk::<{ crypto::KEY_LEN }>()
            .ok_or_else(bad)?;
        let generation: [u8; 8] = rest.try_into().map_err(|_| bad())?;
        Ok(Self {
            key: Zeroizing::new(*key),
            generation: u64::from_be_bytes(generation),
        })
    }
}

fn unavailable(e: impl std::fmt::Display) -> KeystoreError {
    KeystoreError::Unavailable(e.to_string())
}

/// Reads the key file: a regular file of this user's that no one else may
/// read, not a symbolic link.
fn read_key_file(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, KeystoreError> {
    let shown = path.display();
    let bytes = read_in_folder(path, RECORD_LEN as u64)
        .map_err(|e| unavailable(format!("cannot read {shown}: {e}")))?;
    #[cfg(unix)]
    if bytes.is_some() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = fs::symlink_metadata(path)
            .map_err(|e| unavailable(format!("cannot read {shown}: {e}")))?;
        let mode = meta.permissions().mode() & 0o777;
        if meta.uid() != rustix::process::getuid().as_raw() || mode & 0o077 != 0 {
            return Err(unavailable(format!(
                "{shown} is not private to you (mode {mode:04o}, uid {}), so it may not be the \
                 key tessera wrote: if it is, run `chmod 600 {}`",
                meta.uid(),
                shell_quote(path)
            )));
        }
    }
    Ok(bytes.map(Zeroizing::new))
}

impl DesktopKeystore {
    /// A keystore over `backend` for the vault in `home`.
    pub fn new(home: &Path, backend: Backend) -> Self {
        Self {
            home: home.to_path_buf(),
            backend,
        }
    }

    /// The key in a file in `home`, without warnings (`tessera demo`).
    pub fn throwaway(home: &Path) -> Self {
        Self::new(
            home,
            Backend::File {
                path: home.join(KEY_FILE),
                why: None,
            },
        )
    }

    fn load(&self) -> Result<Option<Record>, KeystoreError> {
        let bytes: Zeroizing<Vec<u8>> = match &self.backend {
            #[cfg(feature = "os-keyring")]
            Backend::Keyring { service, user } => {
                let entry = keyring::Entry::new(service, user).map_err(unavailable)?;
                match entry.get_secret() {
                    Ok(secret) => Zeroizing::new(secret),
                    Err(keyring::Error::NoEntry) => return Ok(None),
                    Err(e) => return Err(unavailable(e)),
                }
            }
            Backend::File { path, .. } => match read_key_file(path)? {
                Some(bytes) => bytes,
                None => return Ok(None),
            },
            Backend::Unavailable(reason) => return Err(unavailable(reason)),
        };
        Record::decode(&bytes).map(Some)
    }

    fn store(&self, record: &Record) -> Result<(), KeystoreError> {
        let bytes = record.encode();
        match &self.backend {
            #[cfg(feature = "os-keyring")]
            Backend::Keyring { service, user } => keyring::Entry::new(service, user)
                .and_then(|entry| entry.set_secret(&bytes))
                .map_err(unavailable),
            Backend::File { path, .. } => atomic_write(path, &bytes).map_err(unavailable),
            Backend::Unavailable(reason) => Err(unavailable(reason)),
        }
    }

    fn key(&self) -> Result<Record, KeystoreError> {
        self.load()?.ok_or(KeystoreError::KeyMissing)
    }

    /// Records where the new key is, and says once what a key file means.
    fn record_backend(&self) -> Result<(), KeystoreError> {
        let marker: &[u8] = match &self.backend {
            #[cfg(feature = "os-keyring")]
            Backend::Keyring { .. } => b"keyring\n",
            Backend::File { .. } => b"file\n",
            Backend::Unavailable(_) => return Ok(()),
        };
        atomic_write(&self.home.join(MARKER_FILE), marker).map_err(unavailable)?;
        if let Backend::File {
            path,
            why: Some(why),
        } = &self.backend
        {
            eprintln!(
                "warning: {why}, so this vault's device key is kept in {} (readable by you \
                 only). Anyone who gets a copy of {} can then try passcodes offline, without \
                 the limit of {} attempts. {}",
                path.display(),
                self.home.display(),
                tessera_core::vault::attempts::MAX_FAILURES,
                HOW_TO_GET_A_KEYRING
            );
        }
        Ok(())
    }
}

/// How to get a keyring, for the warnings.
const HOW_TO_GET_A_KEYRING: &str = "To keep the key in a keyring instead, run tessera in a \
desktop session with one unlocked (GNOME Keyring, KWallet, or KeePassXC with Secret Service \
integration on Linux; macOS and Windows always have one) before creating the vault.";

impl DeviceKeystore for DesktopKeystore {
    fn create_key(&self) -> Result<(), KeystoreError> {
        if self.load()?.is_some() {
            return Ok(());
        }
        let key = crypto::generate_key(&crypto::SystemRandom::new()).map_err(unavailable)?;
        let mut record = Record {
            key: Zeroizing::new([0; crypto::KEY_LEN]),
            generation: 0,
        };
        record.key.copy_from_slice(key.expose());
        self.store(&record)?;
        self.record_backend()
    }

    fn wrap(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let record = self.key()?;
        crypto::seal(
            record.key.as_ref(),
            AAD,
            plaintext,
            &crypto::SystemRandom::new(),
        )
        .map_err(unavailable)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let record = self.key()?;
        crypto::open(record.key.as_ref(), AAD, wrapped)
            .map(|plain| plain.to_vec())
            .map_err(|_| KeystoreError::Rejected)
    }

    fn generation(&self) -> Result<u64, KeystoreError> {
        Ok(self.load()?.map_or(0, |r| r.generation))
    }

    /// HMAC-SHA256 under a key derived from the stored key. A stand-in for
    /// the phones' hardware keys: the OS keyring (or the key file) holds
    /// it, so on the desktop a copy of the keyring entry allows offline
    /// guessing, which the README and the threat model say.
    fn hardware_mac(&self, input: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let record = self.key()?;
        let mac_key = crypto::hmac_sha256(record.key.as_ref(), &[b"tessera/desktop/passcode-mac"])
            .map_err(unavailable)?;
        let mac = crypto::hmac_sha256(mac_key.as_ref(), &[input]).map_err(unavailable)?;
        Ok(mac.to_vec())
    }

    fn set_generation(&self, generation: u64) -> Result<(), KeystoreError> {
        let mut record = self.key()?;
        record.generation = generation;
        self.store(&record)
    }

    fn delete_key(&self) -> Result<(), KeystoreError> {
        match &self.backend {
            #[cfg(feature = "os-keyring")]
            Backend::Keyring { service, user } => {
                match keyring::Entry::new(service, user).and_then(|e| e.delete_credential()) {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(unavailable(e)),
                }
            }
            Backend::File { path, .. } => {
                overwrite_in_place(path).map_err(unavailable)?;
                match fs::remove_file(path) {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(unavailable(e)),
                }
            }
            Backend::Unavailable(reason) => Err(unavailable(reason)),
        }
    }
}

/// Writes zeros over the key file's bytes, in the file itself (not a new
/// file renamed over it), and syncs them, so that the unlinked file's
/// blocks do not keep the key on a file system that overwrites in place
/// (ext4, XFS). Copy-on-write file systems (btrfs, ZFS, APFS) and SSDs may
/// still keep the old blocks: the key's secrecy rests on the folder being
/// private, not on this.
fn overwrite_in_place(path: &Path) -> io::Result<()> {
    let mut file = match super::open_in_folder(OpenOptions::new().write(true), path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(());
    }
    let len = usize::try_from(meta.len())
        .unwrap_or(RECORD_LEN)
        .min(RECORD_LEN);
    file.write_all(&vec![0u8; len])?;
    file.sync_all()
}

/// Where the key is, by the marker (`None`: a vault of an earlier version,
/// or no vault yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Keyring,
    File,
}

fn read_marker(home: &Path) -> Result<Option<Marker>, CliError> {
    let path = home.join(MARKER_FILE);
    let bytes = read_in_folder(&path, 64)
        .map_err(|e| CliError::vault(format!("cannot read {}: {e}", path.display())))?;
    match bytes.as_deref().map(<[u8]>::trim_ascii) {
        None => Ok(None),
        Some(b"keyring") => Ok(Some(Marker::Keyring)),
        Some(b"file") => Ok(Some(Marker::File)),
        Some(_) => Err(CliError::vault(format!(
            "{} does not say keyring or file; tessera did not write it",
            path.display()
        ))),
    }
}

/// Chooses where the device key of the vault in `home` lives, from the
/// marker written when the key was created; for a new vault, the keyring
/// when it answers (or a file when `force_file`). An existing vault with
/// its key in a file gets a warning on every use.
pub fn choose_backend(
    home: &Path,
    force_file: bool,
    vault_exists: bool,
) -> Result<Backend, CliError> {
    let file = home.join(KEY_FILE);
    let file_exists = fs::symlink_metadata(&file).is_ok();
    let in_file = |why: Option<String>| {
        if vault_exists {
            eprintln!(
                "warning: this vault's device key is in {}, not in an OS keyring: anyone with a \
                 copy of {} can try passcodes offline",
                file.display(),
                home.display()
            );
        }
        Backend::File {
            path: file.clone(),
            why,
        }
    };
    let marker = read_marker(home)?;
    if marker == Some(Marker::File) {
        return Ok(in_file(None));
    }
    if marker == Some(Marker::Keyring) {
        if file_exists {
            return Err(CliError::vault(format!(
                "{} exists, but this vault's device key is in the OS keyring: tessera did not \
                 write that file, and using it would replace the keyring's key; remove it",
                file.display()
            )));
        }
        return Ok(match keyring_backend(home) {
            Ok(backend) => backend,
            Err(reason) => Backend::Unavailable(format!(
                "this vault's device key is in the OS keyring, which cannot be reached now \
                 ({reason}); unlock or start the keyring (log in to the desktop session) and try \
                 again"
            )),
        });
    }
    // No marker: a new vault, or one of an earlier version (which used the
    // file when it existed, else the keyring).
    if force_file {
        return Ok(in_file(Some("TESSERA_KEYSTORE=file is set".into())));
    }
    if file_exists {
        return Ok(in_file(None));
    }
    let reason = match keyring_backend(home) {
        Ok(backend) => return Ok(backend),
        Err(reason) => reason,
    };
    if vault_exists {
        let dir = shell_quote(home);
        return Ok(Backend::Unavailable(format!(
            "this vault's device key is neither in {} nor in an OS keyring ({reason}). If a \
             keyring holds it, unlock or start it and try again; if the key file was deleted, \
             the vault cannot be opened: move {dir}/vault away and create a new vault with \
             `tessera passcode set --home {dir}`, then import or activate your tokens again",
            file.display()
        )));
    }
    Ok(in_file(Some(reason)))
}

/// The keyring entry of the vault in `home`, or why there is none (in
/// Tessera's words: the keyring library's own text says "No default store
/// has been set" when no Secret Service answers).
#[cfg(feature = "os-keyring")]
fn keyring_backend(home: &Path) -> Result<Backend, String> {
    let no_keyring = |e: &keyring::Error| match e {
        keyring::Error::NoDefaultStore => {
            if cfg!(any(target_os = "macos", target_os = "windows")) {
                format!("the system keychain did not answer: {e}")
            } else {
                "no OS keyring is running (no Secret Service answers on the session bus)".into()
            }
        }
        other => format!("the OS keyring did not answer: {other}"),
    };
    let service = "tessera-device-key".to_owned();
    let user = fs::canonicalize(home)
        .unwrap_or_else(|_| home.to_path_buf())
        .display()
        .to_string();
    let entry = keyring::Entry::new(&service, &user).map_err(|e| no_keyring(&e))?;
    match entry.get_secret() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(Backend::Keyring { service, user }),
        Err(e) => Err(no_keyring(&e)),
    }
}

#[cfg(not(feature = "os-keyring"))]
fn keyring_backend(_home: &Path) -> Result<Backend, String> {
    Err("this tessera was built without the os-keyring feature".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_backend_wraps_keeps_generation_and_deletes() {
        let dir = std::env::temp_dir().join(format!("tessera-ks-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let ks = DesktopKeystore::throwaway(&dir);
        assert_eq!(ks.wrap(b"x").err(), Some(KeystoreError::KeyMissing));
        assert_eq!(ks.generation().unwrap(), 0);
        ks.create_key().unwrap();
        let wrapped = ks.wrap(b"plain").unwrap();
        ks.create_key().unwrap();
        assert_eq!(ks.unwrap(&wrapped).unwrap(), b"plain");
        ks.set_generation(7).unwrap();
        assert_eq!(ks.generation().unwrap(), 7);
        assert_eq!(ks.unwrap(&wrapped).unwrap(), b"plain");
        let mut bad = wrapped.clone();
        bad[20] ^= 1;
        assert_eq!(ks.unwrap(&bad).err(), Some(KeystoreError::Rejected));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        ks.delete_key().unwrap();
        assert!(!dir.join(KEY_FILE).exists());
        assert_eq!(ks.unwrap(&wrapped).err(), Some(KeystoreError::KeyMissing));
        ks.delete_key().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Deleting the key overwrites the file itself before unlinking it (a
    /// second link to the same file sees zeros), rather than renaming a new
    /// file over it, which would leave the old blocks holding the key.
    #[cfg(unix)]
    #[test]
    fn delete_overwrites_the_key_file_in_place() {
        let dir = std::env::temp_dir().join(format!("tessera-ks-wipe-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let ks = DesktopKeystore::throwaway(&dir);
        ks.create_key().unwrap();
        let link = dir.join("second-link");
        fs::hard_link(dir.join(KEY_FILE), &link).unwrap();
        assert_ne!(fs::read(&link).unwrap(), vec![0u8; RECORD_LEN]);
        ks.delete_key().unwrap();
        assert!(!dir.join(KEY_FILE).exists());
        assert_eq!(fs::read(&link).unwrap(), vec![0u8; RECORD_LEN]);
        fs::remove_dir_all(&dir).unwrap();
    }
}

//! [`DeviceKeystore`] on the desktop: a random AES-256 key and the
//! generation counter, kept together (40 bytes) in the OS keyring through
//! the `keyring` crate, or, where no keyring runs, in a 0600 file next to
//! the vault (with a warning: a copy of the whole directory then carries
//! the key, so the device binding is gone).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use tessera_core::crypto;
use tessera_core::platform::{DeviceKeystore, KeystoreError};
use zeroize::Zeroizing;

use super::file_storage::atomic_write;

/// The file that holds the key where no keyring runs.
pub const KEY_FILE: &str = "device-key";
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
    /// A file readable by the owner only.
    File(PathBuf),
    /// The keyring holds the key but cannot be reached now.
    Unavailable(String),
}

/// The desktop device keystore.
#[derive(Debug, Clone)]
pub struct DesktopKeystore {
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

impl DesktopKeystore {
    /// A keystore over `backend`.
    pub fn new(backend: Backend) -> Self {
        Self { backend }
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
            Backend::File(path) => match fs::read(path) {
                Ok(bytes) => Zeroizing::new(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(unavailable(e)),
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
            Backend::File(path) => atomic_write(path, &bytes).map_err(unavailable),
            Backend::Unavailable(reason) => Err(unavailable(reason)),
        }
    }

    fn key(&self) -> Result<Record, KeystoreError> {
        self.load()?.ok_or(KeystoreError::KeyMissing)
    }
}

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
        self.store(&record)
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
            Backend::File(path) => {
                // Overwrite before unlinking: the filesystem may keep the
                // old blocks, but not through this file.
                if path.exists() {
                    atomic_write(path, &[0u8; RECORD_LEN]).map_err(unavailable)?;
                }
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

/// Chooses where the device key of the vault in `home` lives: the file when
/// `force_file` is set or the file already exists (the vault started with
/// it), otherwise the OS keyring when it answers, otherwise the file (and
/// `warning` says why), unless the vault exists, in which case its key is
/// in the unreachable keyring.
pub fn choose_backend(
    home: &Path,
    force_file: bool,
    vault_exists: bool,
) -> (Backend, Option<String>) {
    let file = home.join(KEY_FILE);
    if force_file || file.exists() {
        return (Backend::File(file), None);
    }
    let reason = match keyring_backend(home) {
        Ok(backend) => return (backend, None),
        Err(reason) => reason,
    };
    if vault_exists {
        return (
            Backend::Unavailable(format!(
                "the OS keyring holds this vault's key but {reason}"
            )),
            None,
        );
    }
    let warning = format!(
        "no OS keyring is available ({reason}); the device key is kept in {} (mode 0600), \
         so a copy of that directory is not bound to this machine",
        file.display()
    );
    (Backend::File(file), Some(warning))
}

#[cfg(feature = "os-keyring")]
fn keyring_backend(home: &Path) -> Result<Backend, String> {
    let service = "tessera-device-key".to_owned();
    let user = fs::canonicalize(home)
        .unwrap_or_else(|_| home.to_path_buf())
        .display()
        .to_string();
    let entry = keyring::Entry::new(&service, &user).map_err(|e| e.to_string())?;
    match entry.get_secret() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(Backend::Keyring { service, user }),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(not(feature = "os-keyring"))]
fn keyring_backend(_home: &Path) -> Result<Backend, String> {
    Err("built without the os-keyring feature".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_backend_wraps_keeps_generation_and_deletes() {
        let dir = std::env::temp_dir().join(format!("tessera-ks-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let ks = DesktopKeystore::new(Backend::File(dir.join(KEY_FILE)));
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
}

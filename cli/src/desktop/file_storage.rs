//! [`SecureStorage`] on the desktop: one file per blob in the vault's
//! directory, replaced atomically (temporary file, fsync, rename, fsync of
//! the directory), readable by the owner only.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tessera_core::platform::{SecureStorage, StorageError};

/// Blobs as files in `dir`.
#[derive(Debug, Clone)]
pub struct FileStorage {
    dir: PathBuf,
}

impl FileStorage {
    /// Storage in `dir`, which must exist.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, name: &str, operation: &'static str) -> Result<PathBuf, StorageError> {
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !valid {
            return Err(StorageError::io(operation, "invalid blob name"));
        }
        Ok(self.dir.join(name))
    }
}

/// Largest blob read: far above any vault, far below what would hurt.
const MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// Reads at most `max` bytes of the regular file `path` in the vault's
/// folder, without following a symbolic link at its name; `None` when
/// there is no such file.
pub fn read_in_folder(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    let file = match super::open_in_folder(OpenOptions::new().read(true), path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("it is not a regular file; remove it"));
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::other(format!("it is larger than {max} bytes")));
    }
    Ok(Some(bytes))
}

fn io_error(operation: &'static str, e: &io::Error) -> StorageError {
    StorageError::io(operation, e.to_string())
}

/// Opens a new file readable and writable by the owner only.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Syncs a directory so that a rename or removal in it is durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Replaces `path` with `bytes` so that a crash leaves the old or the new
/// content: write a temporary file next to it, sync it, rename it over the
/// old one, sync the directory.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    // A temporary file left by a crash is stale: the rename never happened.
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = create_private(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, path)?;
    sync_dir(dir)
}

impl SecureStorage for FileStorage {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        read_in_folder(&self.path(name, "read")?, MAX_BLOB_BYTES).map_err(|e| io_error("read", &e))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StorageError> {
        atomic_write(&self.path(name, "write")?, bytes).map_err(|e| io_error("write", &e))
    }

    fn delete(&self, name: &str) -> Result<(), StorageError> {
        match fs::remove_file(self.path(name, "delete")?) {
            Ok(()) => sync_dir(&self.dir).map_err(|e| io_error("delete", &e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("delete", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tessera-fs-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn write_read_replace_delete() {
        let dir = temp_dir("rw");
        let s = FileStorage::new(&dir);
        assert_eq!(s.read("vault").unwrap(), None);
        s.write("vault", b"one").unwrap();
        s.write("vault", b"two").unwrap();
        assert_eq!(s.read("vault").unwrap().as_deref(), Some(&b"two"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join("vault"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A stale temporary file from a crash does not get in the way.
        fs::write(dir.join(".vault.tmp"), b"half").unwrap();
        s.write("vault", b"three").unwrap();
        assert_eq!(s.read("vault").unwrap().as_deref(), Some(&b"three"[..]));
        assert!(!dir.join(".vault.tmp").exists());
        s.delete("vault").unwrap();
        s.delete("vault").unwrap();
        assert_eq!(s.read("vault").unwrap(), None);
        for bad in ["", ".hidden", "../x", "a/b"] {
            assert!(s.write(bad, b"x").is_err(), "{bad}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}

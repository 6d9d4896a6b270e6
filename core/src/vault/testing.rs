//! Test doubles of the platform traits, for this crate's tests and, with the
//! `test-util` feature, for other crates' tests (`tessera-tests`, the FFI
//! crate). Not compiled into release builds.
//!
//! Each double is a cheap handle (`Clone` shares the state), so a test keeps
//! one clone to inject faults and inspect state while the vault owns another;
//! "reopening" the vault means calling `Vault::open` with new clones.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::crypto;
use crate::platform::{
    BiometricError, BiometricGate, Clock, DeviceKeystore, KeystoreError, Platform, SecureStorage,
    StorageError,
};
use crate::secret::SecretBytes;
use crate::sync::lock as guard;

/// How an injected write fault behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFault {
    /// The write returns an error and changes nothing.
    Error,
    /// The process dies after writing the temporary file, before the rename:
    /// the old bytes stay, and every later call fails until [`MemoryStorage::revive`].
    CrashBeforeRename,
    /// The process dies right after the rename: the new bytes are stored,
    /// the call still fails, and every later call fails until revived.
    CrashAfterRename,
}

#[derive(Debug, Default)]
struct StorageState {
    blobs: BTreeMap<String, Vec<u8>>,
    history: BTreeMap<String, Vec<Vec<u8>>>,
    writes: u64,
    fault: Option<(u64, WriteFault)>,
    dead: bool,
    stale: Option<(String, usize)>,
}

/// In-memory [`SecureStorage`] with fault injection.
#[derive(Debug, Clone, Default)]
pub struct MemoryStorage {
    state: Arc<Mutex<StorageState>>,
}

impl MemoryStorage {
    /// Empty storage.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the `n`-th write from now (1 = the next one) fail with `fault`.
    pub fn fail_write(&self, n: u64, fault: WriteFault) {
        let mut s = guard(&self.state);
        s.fault = Some((s.writes.saturating_add(n), fault));
    }

    /// Whether an injected fault is still pending (it was not reached).
    pub fn fault_pending(&self) -> bool {
        guard(&self.state).fault.is_some()
    }

    /// Clears faults and brings a "dead" process back (as a restart does).
    pub fn revive(&self) {
        let mut s = guard(&self.state);
        s.fault = None;
        s.dead = false;
        s.stale = None;
    }

    /// Successful writes so far.
    pub fn writes(&self) -> u64 {
        guard(&self.state).writes
    }

    /// The stored bytes of `name`.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        guard(&self.state).blobs.get(name).cloned()
    }

    /// Every version ever stored under `name`, oldest first.
    pub fn history(&self, name: &str) -> Vec<Vec<u8>> {
        guard(&self.state)
            .history
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces the stored bytes of `name` directly (a restored backup).
    pub fn put(&self, name: &str, bytes: Vec<u8>) {
        guard(&self.state).blobs.insert(name.to_owned(), bytes);
    }

    /// Flips the bits of byte `index` of `name` (if it exists).
    pub fn corrupt(&self, name: &str, index: usize) {
        if let Some(b) = guard(&self.state)
            .blobs
            .get_mut(name)
            .and_then(|v| v.get_mut(index))
        {
            *b ^= 0xff;
        }
    }

    /// Makes reads of `name` return the version `back` writes older than the
    /// current one (a storage layer that serves an old copy).
    pub fn serve_old_copy(&self, name: &str, back: usize) {
        guard(&self.state).stale = Some((name.to_owned(), back));
    }
}

impl SecureStorage for MemoryStorage {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let s = guard(&self.state);
        if s.dead {
            return Err(StorageError::io("read", "the process was killed"));
        }
        if let Some((stale, back)) = &s.stale
            && stale == name
        {
            let history = s.history.get(name).map(Vec::as_slice).unwrap_or_default();
            let index = history.len().checked_sub(back.saturating_add(1));
            return Ok(index.and_then(|i| history.get(i)).cloned());
        }
        Ok(s.blobs.get(name).cloned())
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let mut s = guard(&self.state);
        if s.dead {
            return Err(StorageError::io("write", "the process was killed"));
        }
        let this = s.writes.saturating_add(1);
        let fault = match s.fault {
            Some((at, fault)) if at == this => {
                s.fault = None;
                Some(fault)
            }
            _ => None,
        };
        match fault {
            Some(WriteFault::Error) => Err(StorageError::io("write", "injected fault")),
            Some(WriteFault::CrashBeforeRename) => {
                s.dead = true;
                Err(StorageError::io("write", "killed before the rename"))
            }
            Some(WriteFault::CrashAfterRename) | None => {
                s.writes = this;
                s.blobs.insert(name.to_owned(), bytes.to_vec());
                s.history
                    .entry(name.to_owned())
                    .or_default()
                    .push(bytes.to_vec());
                if fault.is_some() {
                    s.dead = true;
                    return Err(StorageError::io("write", "killed after the rename"));
                }
                Ok(())
            }
        }
    }

    fn delete(&self, name: &str) -> Result<(), StorageError> {
        let mut s = guard(&self.state);
        if s.dead {
            return Err(StorageError::io("delete", "the process was killed"));
        }
        s.blobs.remove(name);
        Ok(())
    }
}

#[derive(Debug, Default)]
struct KeystoreState {
    key: Option<SecretBytes>,
    generation: u64,
    unavailable: bool,
    deletions: u32,
    set_generation_calls: u64,
    fail_set_generation: Option<u64>,
    record: bool,
    plaintexts: Vec<Vec<u8>>,
    hardware_macs: u64,
    fail_hardware_mac: bool,
    /// Android's way to freshness: a new wrapping key per wrap, the older
    /// ones destroyed by `set_generation` (`None`: one key, as on iOS).
    rotation: Option<BTreeMap<u32, SecretBytes>>,
}

/// A fake [`DeviceKeystore`]: AES-256-GCM under a key held in memory, a
/// generation counter, an "unavailable" switch and a record of deletions.
#[derive(Debug, Clone, Default)]
pub struct FakeKeystore {
    state: Arc<Mutex<KeystoreState>>,
}

const FAKE_KEYSTORE_AAD: &[u8] = b"tessera/testing/fake-keystore";

impl FakeKeystore {
    /// No key yet, generation 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// A keystore that keeps its generation where a backup restore can
    /// reach it, as Android does (a file): it binds freshness to the key
    /// instead, with a new wrapping key per `wrap` and the older ones
    /// destroyed by `set_generation`.
    pub fn rotating() -> Self {
        let keystore = Self::default();
        guard(&keystore.state).rotation = Some(BTreeMap::new());
        keystore
    }

    /// Puts the generation back to `generation`, as restoring a backup of
    /// a generation file does (only meaningful for [`rotating`](Self::rotating)).
    pub fn restore_generation(&self, generation: u64) {
        guard(&self.state).generation = generation;
    }

    /// Makes every call fail with [`KeystoreError::Unavailable`] (or work again).
    pub fn set_unavailable(&self, unavailable: bool) {
        guard(&self.state).unavailable = unavailable;
    }

    /// Makes the `n`-th `set_generation` call from now fail (1 = the next).
    pub fn fail_set_generation(&self, n: u64) {
        let mut s = guard(&self.state);
        s.fail_set_generation = Some(s.set_generation_calls.saturating_add(n));
    }

    /// Whether an injected `set_generation` fault is still pending.
    pub fn fault_pending(&self) -> bool {
        guard(&self.state).fail_set_generation.is_some()
    }

    /// Clears injected faults.
    pub fn clear_faults(&self) {
        guard(&self.state).fail_set_generation = None;
    }

    /// Whether a device key exists.
    pub fn has_key(&self) -> bool {
        guard(&self.state).key.is_some()
    }

    /// How many times a key was deleted.
    pub fn deletions(&self) -> u32 {
        guard(&self.state).deletions
    }

    /// The stored generation.
    pub fn current_generation(&self) -> u64 {
        guard(&self.state).generation
    }

    /// How many hardware MACs were computed: one per passcode guess tested.
    pub fn hardware_macs(&self) -> u64 {
        guard(&self.state).hardware_macs
    }

    /// Makes every `hardware_mac` fail with `Unavailable` (or work again).
    pub fn fail_hardware_mac(&self, fail: bool) {
        guard(&self.state).fail_hardware_mac = fail;
    }

    /// Keeps a copy of every plaintext handed to `wrap` (for tests that check
    /// what the inner layer contains).
    pub fn record_plaintexts(&self, record: bool) {
        guard(&self.state).record = record;
    }

    /// The recorded plaintexts.
    pub fn plaintexts(&self) -> Vec<Vec<u8>> {
        guard(&self.state).plaintexts.clone()
    }

    fn available(s: &KeystoreState) -> Result<(), KeystoreError> {
        if s.unavailable {
            return Err(KeystoreError::Unavailable(
                "switched off by the test".into(),
            ));
        }
        Ok(())
    }
}

impl DeviceKeystore for FakeKeystore {
    fn create_key(&self) -> Result<(), KeystoreError> {
        let mut s = guard(&self.state);
        Self::available(&s)?;
        if s.key.is_none() {
            s.key = Some(
                crypto::generate_key(&ring::rand::SystemRandom::new())
                    .map_err(|_| KeystoreError::Unavailable("no random".into()))?,
            );
        }
        Ok(())
    }

    fn wrap(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let mut s = guard(&self.state);
        Self::available(&s)?;
        if s.record {
            s.plaintexts.push(plaintext.to_vec());
        }
        if s.key.is_none() {
            return Err(KeystoreError::KeyMissing);
        }
        let rng = ring::rand::SystemRandom::new();
        let (prefix, key) = match s.rotation.as_mut() {
            Some(keys) => {
                let id = keys
                    .keys()
                    .next_back()
                    .map_or(1, |last| last.saturating_add(1));
                let key = crypto::generate_key(&rng)
                    .map_err(|_| KeystoreError::Unavailable("no random".into()))?;
                let copy = SecretBytes::from_slice(key.expose());
                keys.insert(id, key);
                (id.to_be_bytes().to_vec(), copy)
            }
            None => {
                let key = s.key.as_ref().ok_or(KeystoreError::KeyMissing)?;
                (Vec::new(), SecretBytes::from_slice(key.expose()))
            }
        };
        let sealed = crypto::seal(key.expose(), FAKE_KEYSTORE_AAD, plaintext, &rng)
            .map_err(|_| KeystoreError::Unavailable("seal failed".into()))?;
        Ok([prefix, sealed].concat())
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let s = guard(&self.state);
        Self::available(&s)?;
        let key = s.key.as_ref().ok_or(KeystoreError::KeyMissing)?;
        let (key, wrapped) = match &s.rotation {
            Some(keys) => {
                let (id, rest) = wrapped
                    .split_first_chunk::<4>()
                    .ok_or(KeystoreError::Rejected)?;
                // A destroyed key: whatever it wrapped is gone.
                let key = keys
                    .get(&u32::from_be_bytes(*id))
                    .ok_or(KeystoreError::Rejected)?;
                (key, rest)
            }
            None => (key, wrapped),
        };
        let plain = crypto::open(key.expose(), FAKE_KEYSTORE_AAD, wrapped)
            .map_err(|_| KeystoreError::Rejected)?;
        Ok(plain.to_vec())
    }

    fn generation(&self) -> Result<u64, KeystoreError> {
        let s = guard(&self.state);
        Self::available(&s)?;
        Ok(s.generation)
    }

    fn set_generation(&self, generation: u64) -> Result<(), KeystoreError> {
        let mut s = guard(&self.state);
        Self::available(&s)?;
        s.set_generation_calls = s.set_generation_calls.saturating_add(1);
        if s.fail_set_generation == Some(s.set_generation_calls) {
            s.fail_set_generation = None;
            return Err(KeystoreError::Unavailable("injected fault".into()));
        }
        s.generation = generation;
        if let Some(keys) = s.rotation.as_mut()
            && let Some(&newest) = keys.keys().next_back()
        {
            keys.retain(|&id, _| id == newest);
        }
        Ok(())
    }

    fn hardware_mac(&self, input: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let mut s = guard(&self.state);
        Self::available(&s)?;
        s.hardware_macs = s.hardware_macs.saturating_add(1);
        if s.fail_hardware_mac {
            return Err(KeystoreError::Unavailable("injected MAC fault".into()));
        }
        let key = s.key.as_ref().ok_or(KeystoreError::KeyMissing)?;
        // A key of its own, derived from the device key: the MAC key is
        // created and deleted with it, as on the platforms.
        let mac = |key: &[u8], input: &[u8]| {
            crypto::hmac_sha256(key, &[input])
                .map_err(|_| KeystoreError::Unavailable("HMAC failed".into()))
        };
        let mac_key = mac(key.expose(), b"fake hardware MAC key")?;
        Ok(mac(mac_key.as_ref(), input)?.to_vec())
    }

    fn delete_key(&self) -> Result<(), KeystoreError> {
        let mut s = guard(&self.state);
        Self::available(&s)?;
        if s.key.take().is_some() {
            s.deletions = s.deletions.saturating_add(1);
        }
        if let Some(keys) = s.rotation.as_mut() {
            keys.clear();
        }
        s.generation = 0;
        Ok(())
    }
}

#[derive(Debug, Default)]
struct BiometricState {
    slot_key: Option<Vec<u8>>,
    fail_with: Option<BiometricError>,
    wrong_bytes: bool,
    enrolments: u32,
    prompts: u32,
}

/// A fake [`BiometricGate`]: remembers the enrolled slot key and returns it,
/// or a configured error, or wrong bytes.
#[derive(Debug, Clone, Default)]
pub struct FakeBiometrics {
    state: Arc<Mutex<BiometricState>>,
}

impl FakeBiometrics {
    /// Nothing enrolled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every prompt fail with `error` (`None`: succeed again).
    pub fn fail_with(&self, error: Option<BiometricError>) {
        guard(&self.state).fail_with = error;
    }

    /// Makes prompts "succeed" with bytes that are not the slot key.
    pub fn return_wrong_bytes(&self, wrong: bool) {
        guard(&self.state).wrong_bytes = wrong;
    }

    /// How many times `enroll` was called.
    pub fn enrolments(&self) -> u32 {
        guard(&self.state).enrolments
    }

    /// How many times the user was prompted.
    pub fn prompts(&self) -> u32 {
        guard(&self.state).prompts
    }
}

impl BiometricGate for FakeBiometrics {
    fn enroll(&self, slot_key: &[u8]) -> Result<Vec<u8>, BiometricError> {
        let mut s = guard(&self.state);
        s.enrolments = s.enrolments.saturating_add(1);
        s.slot_key = Some(slot_key.to_vec());
        s.fail_with = None;
        Ok(b"fake-platform-blob".to_vec())
    }

    fn unlock(&self, _blob: &[u8]) -> Result<Vec<u8>, BiometricError> {
        let mut s = guard(&self.state);
        s.prompts = s.prompts.saturating_add(1);
        if let Some(e) = &s.fail_with {
            return Err(e.clone());
        }
        if s.wrong_bytes {
            return Ok(vec![0x5a; 32]);
        }
        s.slot_key
            .clone()
            .ok_or(BiometricError::Platform("nothing enrolled".into()))
    }
}

/// A settable [`Clock`].
#[derive(Debug, Clone, Default)]
pub struct FakeClock {
    now: Arc<AtomicU64>,
    mono: Arc<AtomicU64>,
}

impl FakeClock {
    /// A clock at `unix` seconds.
    pub fn at(unix: u64) -> Self {
        let c = Self::default();
        c.set(unix);
        c
    }

    /// Sets the wall clock.
    pub fn set(&self, unix: u64) {
        self.now.store(unix, Ordering::SeqCst);
    }

    /// Moves both clocks forward by `secs`.
    pub fn advance(&self, secs: u64) {
        self.now.fetch_add(secs, Ordering::SeqCst);
        self.mono
            .fetch_add(secs.saturating_mul(1_000_000_000), Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now_unix(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }

    fn monotonic_nanos(&self) -> u64 {
        self.mono.load(Ordering::SeqCst)
    }
}

/// One set of doubles, with handles kept for the test.
#[derive(Debug, Clone, Default)]
pub struct FakePlatform {
    /// The storage.
    pub storage: MemoryStorage,
    /// The device keystore.
    pub keystore: FakeKeystore,
    /// The clock (starts at 1 700 000 000).
    pub clock: FakeClock,
}

impl FakePlatform {
    /// Fresh doubles.
    pub fn new() -> Self {
        Self {
            clock: FakeClock::at(1_700_000_000),
            ..Self::default()
        }
    }

    /// A [`Platform`] sharing these doubles (call again to "reopen").
    pub fn platform(&self) -> Platform {
        Platform {
            storage: std::sync::Arc::new(self.storage.clone()),
            keystore: std::sync::Arc::new(self.keystore.clone()),
            clock: std::sync::Arc::new(self.clock.clone()),
            random: crypto::system_random(),
        }
    }
}

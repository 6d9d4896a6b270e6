//! Rust implementations of the foreign platform traits, as a Kotlin or Swift
//! shell would provide them, over the core's fault-injecting doubles.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tessera_core::platform::{
    BiometricError, BiometricGate as _, DeviceKeystore as _, SecureStorage as _,
};
use tessera_core::vault::testing::{FakeBiometrics, FakeClock, FakeKeystore, MemoryStorage};
use tessera_ffi::{
    Authenticator, AuthenticatorOptions, BiometricGate, Clock, DeviceKeystore, LogLevel, Logger,
    PlatformError, SecureStorage,
};

pub const NOW: u64 = 1_764_400_000;
pub const ORIGIN: &str = "https://portal.example.lu";
pub const PASSCODE: &[u8] = b"k7#pQ2!v";

fn unavailable(e: impl std::fmt::Display) -> PlatformError {
    PlatformError::Unavailable {
        reason: e.to_string(),
    }
}

/// Storage over `MemoryStorage`, plus a switch that makes every call throw.
#[derive(Default)]
pub struct Storage {
    pub mem: MemoryStorage,
    pub broken: AtomicBool,
}

impl SecureStorage for Storage {
    fn read(&self, name: String) -> Result<Option<Vec<u8>>, PlatformError> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(unavailable("disk gone"));
        }
        self.mem.read(&name).map_err(unavailable)
    }
    fn write(&self, name: String, bytes: Vec<u8>) -> Result<(), PlatformError> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(unavailable("disk gone"));
        }
        self.mem.write(&name, &bytes).map_err(unavailable)
    }
    fn delete(&self, name: String) -> Result<(), PlatformError> {
        self.mem.delete(&name).map_err(unavailable)
    }
}

/// Keystore over `FakeKeystore`; `throw_on_set_generation` makes the next
/// `set_generation` throw an undeclared exception (as a buggy shell would).
#[derive(Default)]
pub struct Keystore {
    pub fake: FakeKeystore,
    pub throw_on_set_generation: AtomicBool,
}

impl DeviceKeystore for Keystore {
    fn create_key(&self) -> Result<(), PlatformError> {
        self.fake.create_key().map_err(unavailable)
    }
    fn wrap(&self, plaintext: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        self.fake.wrap(&plaintext).map_err(unavailable)
    }
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        self.fake.unwrap(&wrapped).map_err(|e| match e {
            tessera_core::platform::KeystoreError::KeyMissing => PlatformError::KeyMissing,
            tessera_core::platform::KeystoreError::Rejected => PlatformError::Rejected,
            other => unavailable(other),
        })
    }
    fn generation(&self) -> Result<u64, PlatformError> {
        self.fake.generation().map_err(unavailable)
    }
    fn set_generation(&self, generation: u64) -> Result<(), PlatformError> {
        if self.throw_on_set_generation.swap(false, Ordering::SeqCst) {
            return Err(PlatformError::Unexpected {
                reason: "java.lang.IllegalStateException".into(),
            });
        }
        self.fake.set_generation(generation).map_err(unavailable)
    }
    fn hardware_mac(&self, input: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        self.fake.hardware_mac(&input).map_err(|e| match e {
            tessera_core::platform::KeystoreError::KeyMissing => PlatformError::KeyMissing,
            other => unavailable(other),
        })
    }
    fn delete_key(&self) -> Result<(), PlatformError> {
        self.fake.delete_key().map_err(unavailable)
    }
}

/// A biometric gate over `FakeBiometrics`, or one that throws `error`.
#[derive(Default)]
pub struct Gate {
    pub fake: FakeBiometrics,
    pub error: Mutex<Option<PlatformError>>,
}

impl Gate {
    pub fn throwing(error: PlatformError) -> Arc<Self> {
        let gate = Self::default();
        *gate.error.lock().unwrap() = Some(error);
        Arc::new(gate)
    }
    pub fn throw(&self, error: Option<PlatformError>) {
        *self.error.lock().unwrap() = error;
    }
}

impl BiometricGate for Gate {
    fn enroll(&self, slot_key: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        if let Some(e) = self.error.lock().unwrap().clone() {
            return Err(e);
        }
        self.fake.enroll(&slot_key).map_err(unavailable)
    }
    fn unlock(&self, blob: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        if let Some(e) = self.error.lock().unwrap().clone() {
            return Err(e);
        }
        self.fake.unlock(&blob).map_err(|e| match e {
            BiometricError::Cancelled => PlatformError::Cancelled,
            BiometricError::KeyInvalidated => PlatformError::KeyInvalidated,
            other => unavailable(other),
        })
    }
}

/// A settable clock that can be made to throw.
#[derive(Default)]
pub struct TestClock {
    pub fake: FakeClock,
    pub broken: AtomicBool,
}

impl Clock for TestClock {
    fn now_unix(&self) -> Result<u64, PlatformError> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(unavailable("no time"));
        }
        Ok(tessera_core::platform::Clock::now_unix(&self.fake))
    }
    fn monotonic_nanos(&self) -> Result<u64, PlatformError> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(unavailable("no time"));
        }
        Ok(tessera_core::platform::Clock::monotonic_nanos(&self.fake))
    }
}

/// Keeps every log line.
#[derive(Default)]
pub struct Lines(pub Mutex<Vec<String>>);

impl Logger for Lines {
    fn log(&self, level: LogLevel, event: String) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(format!("{level:?} {event}"));
        Ok(())
    }
}

/// One phone: the platform objects, kept for fault injection, and an
/// authenticator over them.
pub struct Phone {
    pub storage: Arc<Storage>,
    pub keystore: Arc<Keystore>,
    pub clock: Arc<TestClock>,
    pub logs: Arc<Lines>,
    pub auth: Arc<Authenticator>,
}

pub fn fast() -> Option<AuthenticatorOptions> {
    Some(AuthenticatorOptions {
        kdf_budget_ms: 0,
        ..AuthenticatorOptions::default()
    })
}

impl Phone {
    pub fn new() -> Self {
        let clock = Arc::new(TestClock::default());
        clock.fake.set(NOW);
        let storage = Arc::new(Storage::default());
        let keystore = Arc::new(Keystore::default());
        let logs = Arc::new(Lines::default());
        let auth = Authenticator::new(
            storage.clone(),
            keystore.clone(),
            clock.clone(),
            Some(logs.clone()),
            fast(),
        )
        .unwrap();
        Self {
            storage,
            keystore,
            clock,
            logs,
            auth,
        }
    }

    /// A new authenticator over the same platform (an app restart).
    pub fn restart(&mut self) {
        self.auth = Authenticator::new(
            self.storage.clone(),
            self.keystore.clone(),
            self.clock.clone(),
            Some(self.logs.clone()),
            fast(),
        )
        .unwrap();
    }

    pub fn logs(&self) -> String {
        self.logs.0.lock().unwrap().join("\n")
    }
}

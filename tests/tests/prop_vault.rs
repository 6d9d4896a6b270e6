//! The vault's attempt counter as a state machine (checks C2–C6): random
//! sequences of operations — unlocks with the right and a wrong passcode,
//! codes, adding and removing tokens, passcode changes, restarts, time
//! passing — with storage and keystore faults injected into random writes
//! (`vault::testing`). A model keeps the failure counter the storage must
//! hold; after every step a fresh `Vault::open` (a restart) must show
//! exactly that, and no passcode is ever checked (an unlock that succeeds
//! or says "wrong passcode") unless its attempt was durably counted first.

#![allow(clippy::unwrap_used, clippy::panic)]

use proptest::prelude::*;
use tessera_core::otp::{Algorithm, OtpKey};
use tessera_core::platform::Clock;
use tessera_core::vault::testing::{FakePlatform, WriteFault};
use tessera_core::vault::{
    NewToken, Passcode, TokenKind, UnlockedVault, Vault, VaultConfig, VaultError, VaultStatus,
};

const PASSCODES: [&[u8]; 2] = [b"k7#pQ2!vCANARYPW", b"Zt9-lamp-Orbit"];
const WRONG: &[u8] = b"wrong-passcode";
/// The rules under test, restated independently of the vault's code.
const MAX_FAILURES: u32 = 10;

fn delay(failures: u32) -> u64 {
    if failures < 3 {
        0
    } else {
        30u64 << (failures - 3).min(32)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// The `n`-th storage write of the operation fails this way.
    Storage(u64, WriteFault),
    /// The `n`-th keystore generation update of the operation fails (after
    /// the storage write it follows, or before the wipe marker).
    Keystore(u64),
}

#[derive(Debug, Clone)]
enum Op {
    Unlock { right: bool, fault: Fault },
    Code { fault: Fault },
    AddToken { fault: Fault },
    RemoveToken { fault: Fault },
    ChangePasscode { fault: Fault },
    Restart,
    Wait(u64),
}

fn fault() -> impl Strategy<Value = Fault> {
    let how = prop_oneof![
        Just(WriteFault::Error),
        Just(WriteFault::CrashBeforeRename),
        Just(WriteFault::CrashAfterRename),
    ];
    prop_oneof![
        3 => Just(Fault::None),
        2 => (1u64..=2, how).prop_map(|(n, h)| Fault::Storage(n, h)),
        1 => (1u64..=2).prop_map(Fault::Keystore),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => fault().prop_map(|fault| Op::Unlock { right: false, fault }),
        3 => fault().prop_map(|fault| Op::Unlock { right: true, fault }),
        2 => fault().prop_map(|fault| Op::Code { fault }),
        2 => fault().prop_map(|fault| Op::AddToken { fault }),
        1 => fault().prop_map(|fault| Op::RemoveToken { fault }),
        1 => fault().prop_map(|fault| Op::ChangePasscode { fault }),
        1 => Just(Op::Restart),
        2 => prop_oneof![Just(1u64), Just(31), Just(600), Just(4000)].prop_map(Op::Wait),
    ]
}

/// What the storage must hold.
#[derive(Debug, Clone, Copy)]
struct Model {
    failures: u32,
    last_failure: u64,
    passcode: usize,
}

impl Model {
    fn wiped(&self) -> bool {
        self.failures >= MAX_FAILURES
    }

    fn retry_after(&self, now: u64) -> u64 {
        let d = delay(self.failures);
        if d == 0 {
            0
        } else {
            (self.last_failure + d).saturating_sub(now)
        }
    }
}

struct World {
    fp: FakePlatform,
    vault: Vault,
    unlocked: Option<UnlockedVault>,
    model: Model,
}

impl World {
    fn inject(&self, fault: Fault) {
        match fault {
            Fault::None => {}
            Fault::Storage(n, how) => self.fp.storage.fail_write(n, how),
            Fault::Keystore(n) => self.fp.keystore.fail_set_generation(n),
        }
    }

    /// A restart: faults cleared, the process revived, the vault read
    /// again from storage, nothing unlocked.
    fn restart(&mut self) {
        self.unlocked = None;
        self.fp.storage.revive();
        self.fp.keystore.clear_faults();
        self.vault = Vault::open(self.fp.platform(), VaultConfig::floor()).unwrap();
    }

    /// After an operation: a crash kills the process (restart); faults
    /// that were not reached are cleared.
    fn settle(&mut self, fault: Fault) {
        let crashed = matches!(
            fault,
            Fault::Storage(
                _,
                WriteFault::CrashBeforeRename | WriteFault::CrashAfterRename
            )
        ) && !self.fp.storage.fault_pending();
        self.fp.storage.revive();
        self.fp.keystore.clear_faults();
        if crashed {
            self.restart();
        }
    }

    /// What a restarted app would see must be what the model says.
    fn check(&self, step: usize, op: &Op) -> Result<(), TestCaseError> {
        let fresh = Vault::open(self.fp.platform(), VaultConfig::floor())
            .map_err(|e| TestCaseError::fail(format!("step {step} {op:?}: reopen: {e}")))?;
        let now = self.fp.clock.now_unix();
        match (fresh.status(), self.model.wiped()) {
            (VaultStatus::Wiped { .. }, true) => {
                prop_assert!(!self.fp.keystore.has_key(), "step {step}: wiped, key kept");
            }
            (
                VaultStatus::Ready {
                    failures,
                    retry_after_secs,
                    ..
                },
                false,
            ) => {
                prop_assert_eq!(failures, self.model.failures, "step {} {:?}", step, op);
                prop_assert_eq!(
                    retry_after_secs,
                    self.model.retry_after(now),
                    "step {} {:?}",
                    step,
                    op
                );
            }
            (status, _) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {op:?}: {status:?}, model {:?}",
                    self.model
                )));
            }
        }
        Ok(())
    }

    fn unlock(&mut self, right: bool, fault: Fault) -> Result<(), TestCaseError> {
        let m = self.model;
        let now = self.fp.clock.now_unix();
        let passcode = Passcode::new(if right { PASSCODES[m.passcode] } else { WRONG }.to_vec());
        self.inject(fault);
        let result = self.vault.unlock_with_passcode(&passcode);
        if m.wiped() {
            prop_assert!(
                matches!(result, Err(VaultError::Wiped)) || fault != Fault::None,
                "{result:?}"
            );
            return Ok(());
        }
        let retry = m.retry_after(now);
        if retry > 0 {
            prop_assert_eq!(
                result.err(),
                Some(VaultError::Locked {
                    retry_after_secs: retry
                })
            );
            return Ok(());
        }
        // The attempt's counting write (storage write 1, then keystore
        // update 1): when it did not happen, the passcode must not have
        // been checked.
        let counted = match fault {
            Fault::Storage(1, WriteFault::Error | WriteFault::CrashBeforeRename) => None,
            Fault::Storage(1, WriteFault::CrashAfterRename) | Fault::Keystore(1) => Some(false),
            _ => Some(true),
        };
        let Some(went_on) = counted else {
            prop_assert!(
                matches!(result, Err(VaultError::Storage(_))),
                "the passcode was checked without its attempt counted: {result:?}"
            );
            return Ok(());
        };
        let counted_model = Model {
            failures: m.failures + 1,
            last_failure: now,
            ..m
        };
        if !went_on {
            // Counted durably, then the process died or the call failed:
            // no verdict on the passcode.
            prop_assert!(
                !matches!(result, Ok(_) | Err(VaultError::WrongPasscode { .. })),
                "{result:?}"
            );
            self.model = counted_model;
            return Ok(());
        }
        if right {
            // The success write (storage write 2, keystore update 2).
            match fault {
                Fault::Storage(2, WriteFault::Error | WriteFault::CrashBeforeRename) => {
                    prop_assert!(result.is_err());
                    self.model = counted_model;
                }
                Fault::Storage(2, WriteFault::CrashAfterRename) | Fault::Keystore(2) => {
                    prop_assert!(result.is_err());
                    self.model = Model {
                        failures: 0,
                        last_failure: 0,
                        ..m
                    };
                }
                _ => {
                    self.unlocked = Some(result.map_err(|e| TestCaseError::fail(format!("{e}")))?);
                    self.model = Model {
                        failures: 0,
                        last_failure: 0,
                        ..m
                    };
                }
            }
        } else {
            self.model = counted_model;
            if counted_model.wiped() {
                let verdict = matches!(result, Ok(_) | Err(VaultError::WrongPasscode { .. }));
                prop_assert!(!verdict, "the tenth failure must wipe: {:?}", result);
            } else if fault == Fault::None
                || matches!(fault, Fault::Storage(2, _) | Fault::Keystore(2))
            {
                let left = MAX_FAILURES - counted_model.failures;
                prop_assert_eq!(
                    result.err(),
                    Some(VaultError::WrongPasscode {
                        attempts_left: left
                    })
                );
            }
        }
        Ok(())
    }

    fn change_passcode(&mut self, fault: Fault) {
        let Some(u) = &self.unlocked else { return };
        let next = 1 - self.model.passcode;
        self.inject(fault);
        let result = u.change_passcode(&Passcode::new(PASSCODES[next].to_vec()));
        let durable = match fault {
            Fault::Storage(1, WriteFault::Error | WriteFault::CrashBeforeRename) => false,
            Fault::Storage(1, WriteFault::CrashAfterRename) | Fault::Keystore(1) => true,
            _ => result.is_ok(),
        };
        if durable {
            self.model.passcode = next;
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let fault = match op {
            Op::Unlock { right, fault } => {
                self.unlock(*right, *fault)?;
                *fault
            }
            Op::Code { fault } => {
                if let (Some(u), Ok(tokens)) = (&self.unlocked, self.vault.tokens())
                    && let Some(t) = tokens.first()
                {
                    self.inject(*fault);
                    let _ = u.code(t.id, self.fp.clock.now_unix());
                }
                *fault
            }
            Op::AddToken { fault } => {
                if let Some(u) = &self.unlocked {
                    self.inject(*fault);
                    let _ = u.add_token(NewToken {
                        issuer: Some("Example".into()),
                        account: "alice".into(),
                        kind: TokenKind::Totp {
                            algorithm: Algorithm::Sha1,
                            digits: 6,
                            period: 30,
                        },
                        key: OtpKey::new(b"12345678901234567890".to_vec()).unwrap(),
                        challenge_key: None,
                    });
                }
                *fault
            }
            Op::RemoveToken { fault } => {
                if let (Some(u), Ok(tokens)) = (&self.unlocked, self.vault.tokens())
                    && let Some(t) = tokens.last()
                {
                    self.inject(*fault);
                    let _ = u.remove_token(t.id);
                }
                *fault
            }
            Op::ChangePasscode { fault } => {
                self.change_passcode(*fault);
                *fault
            }
            Op::Restart => {
                self.restart();
                Fault::None
            }
            Op::Wait(secs) => {
                self.fp.clock.advance(*secs);
                Fault::None
            }
        };
        self.settle(fault);
        Ok(())
    }
}

proptest! {
    // Each unlock runs Argon2id at the floor (19 MiB, t = 2): few, short
    // sequences keep this test to seconds.
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_attempt_is_ever_made_without_first_being_counted(
        ops in proptest::collection::vec(op(), 1..=24),
    ) {
        let fp = FakePlatform::new();
        let vault = Vault::create(
            fp.platform(),
            VaultConfig::floor(),
            &Passcode::new(PASSCODES[0].to_vec()),
        )
        .unwrap();
        let mut world = World {
            fp,
            vault,
            unlocked: None,
            model: Model { failures: 0, last_failure: 0, passcode: 0 },
        };
        for (step, op) in ops.iter().enumerate() {
            world.apply(op)?;
            world.check(step, op)?;
        }
    }
}

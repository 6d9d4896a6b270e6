//! The passcode KDF: Argon2id (RustCrypto `argon2`), with a floor below which
//! stored parameters are refused (OWASP: m = 19 MiB, t = 2, p = 1), and a
//! calibration that raises the iterations to a time budget.

use serde::{Deserialize, Serialize};

use super::error::VaultError;
use crate::crypto::{self, KdfError};
use crate::platform::Clock;
use crate::secret::SecretBytes;

/// Argon2id cost parameters, as stored in the passcode slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    #[serde(rename = "m")]
    pub memory_kib: u32,
    /// Passes over the memory.
    #[serde(rename = "t")]
    pub iterations: u32,
    /// Lanes.
    #[serde(rename = "p")]
    pub parallelism: u32,
}

impl KdfParams {
    /// The floor: 19 MiB, 2 passes, 1 lane. Nothing weaker is created or accepted.
    pub const FLOOR: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Most iterations calibration chooses.
    pub const MAX_ITERATIONS: u32 = 64;
    /// Most memory accepted in a stored slot (256 MiB, what a phone can
    /// give one unlock), so a crafted slot cannot exhaust memory.
    pub const MAX_MEMORY_KIB: u32 = 256 * 1024;
    /// Most lanes accepted.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Refuses parameters below the floor (a downgrade) or absurdly high ones.
    pub fn check(&self) -> Result<(), VaultError> {
        let f = Self::FLOOR;
        if self.memory_kib < f.memory_kib
            || self.iterations < f.iterations
            || self.parallelism < f.parallelism
            || self.memory_kib > Self::MAX_MEMORY_KIB
            || self.parallelism > Self::MAX_PARALLELISM
            || self.iterations > Self::MAX_ITERATIONS
        {
            return Err(VaultError::WeakKdfParameters {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
            });
        }
        Ok(())
    }

    /// The larger of each parameter: an upgrade never lowers any of them.
    pub fn stronger_of(&self, other: &Self) -> Self {
        Self {
            memory_kib: self.memory_kib.max(other.memory_kib),
            iterations: self.iterations.max(other.iterations),
            parallelism: self.parallelism.max(other.parallelism),
        }
    }

    /// Whether `self` costs less than `other` in memory or iterations.
    pub fn weaker_than(&self, other: &Self) -> bool {
        self.memory_kib < other.memory_kib || self.iterations < other.iterations
    }
}

/// How the parameters of a new passcode slot are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfSetting {
    /// Exactly these parameters (never below the floor).
    Fixed(KdfParams),
    /// Measure one derivation at the floor with `memory_kib` and raise the
    /// iterations until a derivation takes about `budget_ms`.
    Calibrate {
        /// Target time of one derivation, in milliseconds.
        budget_ms: u64,
        /// Memory to use, in KiB (raised to the floor if lower).
        memory_kib: u32,
    },
}

/// The 32-byte key a passcode derives, zeroized on drop.
pub(crate) fn derive(
    passcode: &[u8],
    salt: &[u8],
    params: &KdfParams,
) -> Result<SecretBytes, VaultError> {
    params.check()?;
    #[cfg(test)]
    tests::count_derivation();
    crypto::argon2id(
        passcode,
        salt,
        params.memory_kib,
        params.iterations,
        params.parallelism,
    )
    .map_err(|e| match e {
        KdfError::Parameters => VaultError::Crypto("invalid Argon2 parameters"),
        KdfError::Memory => VaultError::Crypto("Argon2 memory does not fit"),
        KdfError::Failed => VaultError::Crypto("Argon2 failed"),
    })
}

/// The parameters for a new slot under `setting`.
pub(crate) fn choose(setting: &KdfSetting, clock: &dyn Clock) -> Result<KdfParams, VaultError> {
    match *setting {
        KdfSetting::Fixed(params) => {
            params.check()?;
            Ok(params)
        }
        KdfSetting::Calibrate {
            budget_ms,
            memory_kib,
        } => {
            let base = KdfParams {
                memory_kib: memory_kib.max(KdfParams::FLOOR.memory_kib),
                ..KdfParams::FLOOR
            };
            let salt = [0u8; 16];
            let start = clock.monotonic_nanos();
            derive(b"calibration", &salt, &base)?;
            let took_ns = clock.monotonic_nanos().saturating_sub(start);
            Ok(calibrated(base, took_ns, budget_ms))
        }
    }
}

/// Scales the iterations of `base` (which took `took_ns`) to `budget_ms`.
fn calibrated(base: KdfParams, took_ns: u64, budget_ms: u64) -> KdfParams {
    let per_pass_ns = took_ns / u64::from(base.iterations.max(1));
    let budget_ns = budget_ms.saturating_mul(1_000_000);
    // A clock that did not move measured nothing: stay at the floor.
    let iterations = budget_ns
        .checked_div(per_pass_ns)
        .map_or(base.iterations, |passes| {
            u32::try_from(passes)
                .unwrap_or(u32::MAX)
                .clamp(base.iterations, KdfParams::MAX_ITERATIONS)
        });
    KdfParams { iterations, ..base }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use super::*;

    thread_local! {
        static DERIVATIONS: Cell<u64> = const { Cell::new(0) };
    }

    pub(crate) fn count_derivation() {
        DERIVATIONS.with(|d| d.set(d.get() + 1));
    }

    /// How many KDF runs this thread has made.
    pub(crate) fn derivations() -> u64 {
        DERIVATIONS.with(Cell::get)
    }

    #[test]
    fn below_floor_is_refused() {
        for weak in [
            KdfParams {
                memory_kib: 19 * 1024 - 1,
                ..KdfParams::FLOOR
            },
            KdfParams {
                iterations: 1,
                ..KdfParams::FLOOR
            },
            KdfParams {
                parallelism: 0,
                ..KdfParams::FLOOR
            },
        ] {
            assert!(matches!(
                derive(b"pass", &[0; 16], &weak),
                Err(VaultError::WeakKdfParameters { .. })
            ));
        }
        assert!(KdfParams::FLOOR.check().is_ok());
    }

    #[test]
    fn derivation_depends_on_every_input() {
        let p = KdfParams::FLOOR;
        let a = derive(b"passcode", &[1; 16], &p).unwrap();
        assert_eq!(a, derive(b"passcode", &[1; 16], &p).unwrap());
        assert_ne!(a, derive(b"passcodf", &[1; 16], &p).unwrap());
        assert_ne!(a, derive(b"passcode", &[2; 16], &p).unwrap());
    }

    #[test]
    fn calibration_scales_iterations() {
        let base = KdfParams::FLOOR;
        // 2 passes took 100 ms: 50 ms per pass, 500 ms budget -> 10 passes.
        assert_eq!(calibrated(base, 100_000_000, 500).iterations, 10);
        // Slower than the budget: the floor.
        assert_eq!(calibrated(base, 2_000_000_000, 500).iterations, 2);
        // Very fast: capped.
        assert_eq!(
            calibrated(base, 2, 500).iterations,
            KdfParams::MAX_ITERATIONS
        );
        // No measurement.
        assert_eq!(calibrated(base, 0, 500).iterations, 2);
    }
}

//! The failed-attempt rules, as pure functions (no crypto, no I/O, so they
//! run under Miri): the first failures are free, then each attempt waits
//! 30 s, doubling; the tenth consecutive failure erases the keys.

use super::format::Attempts;

/// Consecutive failures that erase the keys.
pub const MAX_FAILURES: u32 = 10;
/// Failures allowed without a delay.
pub const FREE_FAILURES: u32 = 3;
/// The first delay, in seconds; it doubles with every further failure.
pub const BASE_DELAY_SECS: u64 = 30;

/// Seconds that must pass after the last failure before the next attempt,
/// once `failures` consecutive failures happened.
pub fn delay_after(failures: u32) -> u64 {
    match failures.checked_sub(FREE_FAILURES) {
        None => 0,
        Some(extra) => BASE_DELAY_SECS.saturating_mul(1u64 << extra.min(32)),
    }
}

/// Seconds to wait before an attempt is allowed at `now` (0: allowed).
/// A clock that went back before the last failure does not shorten the wait:
/// the whole delay counts from `now`.
pub(crate) fn retry_after(attempts: &Attempts, now: u64) -> u64 {
    let delay = delay_after(attempts.failures);
    if delay == 0 {
        return 0;
    }
    if now < attempts.last_failure {
        return delay;
    }
    attempts
        .last_failure
        .saturating_add(delay)
        .saturating_sub(now)
}

/// Failures still allowed before the wipe.
pub(crate) fn attempts_left(attempts: &Attempts) -> u32 {
    MAX_FAILURES.saturating_sub(attempts.failures)
}

/// The state written (and synced) before a passcode or biometric key is
/// checked: the attempt is counted as failed until it succeeds.
pub(crate) fn start_attempt(attempts: &Attempts, now: u64) -> Attempts {
    Attempts {
        failures: attempts.failures.saturating_add(1),
        last_failure: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_three_failures() {
        let delays: Vec<u64> = (0..=10).map(delay_after).collect();
        assert_eq!(delays, [0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3840]);
        assert!(delay_after(u32::MAX) > 0);
    }

    #[test]
    fn retry_after_counts_from_the_last_failure() {
        let a = Attempts {
            failures: 3,
            last_failure: 1000,
        };
        assert_eq!(retry_after(&a, 1000), 30);
        assert_eq!(retry_after(&a, 1029), 1);
        assert_eq!(retry_after(&a, 1030), 0);
        // The clock went back: the whole delay again.
        assert_eq!(retry_after(&a, 10), 30);
        let free = Attempts {
            failures: 2,
            last_failure: 1000,
        };
        assert_eq!(retry_after(&free, 1000), 0);
    }

    #[test]
    fn attempts_count_down() {
        let mut a = Attempts::default();
        for i in 1..=MAX_FAILURES {
            a = start_attempt(&a, 5);
            assert_eq!(attempts_left(&a), MAX_FAILURES - i);
        }
    }
}

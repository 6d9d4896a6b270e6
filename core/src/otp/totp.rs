//! TOTP, RFC 6238: HOTP over the number of periods since `T0`.

use super::{Algorithm, Hotp, OtpError, OtpKey, check_window};
use crate::secret::OtpCode;

/// A TOTP generator. Times are Unix seconds given by the caller.
#[derive(Debug)]
pub struct Totp {
    hotp: Hotp,
    period: u64,
    t0: u64,
}

impl Totp {
    /// The period most tokens use.
    pub const DEFAULT_PERIOD: u64 = 30;

    /// A generator; `period` must be at least one second.
    pub fn new(
        key: OtpKey,
        algorithm: Algorithm,
        digits: u32,
        period: u64,
        t0: u64,
    ) -> Result<Self, OtpError> {
        if period == 0 {
            return Err(OtpError::ZeroPeriod);
        }
        Ok(Self {
            hotp: Hotp::new(key, algorithm, digits)?,
            period,
            t0,
        })
    }

    /// The time step in seconds.
    pub fn period(&self) -> u64 {
        self.period
    }

    /// The epoch `T0` in Unix seconds.
    pub fn t0(&self) -> u64 {
        self.t0
    }

    /// The hash function.
    pub fn algorithm(&self) -> Algorithm {
        self.hotp.algorithm()
    }

    /// The number of digits of each code.
    pub fn digits(&self) -> u8 {
        self.hotp.digits()
    }

    /// The 64-bit step counter `T = (time - T0) / period` for `time`.
    pub fn step(&self, time: u64) -> Result<u64, OtpError> {
        let elapsed = time
            .checked_sub(self.t0)
            .ok_or(OtpError::TimeBeforeEpoch { time, t0: self.t0 })?;
        Ok(elapsed / self.period)
    }

    /// Seconds until the code for `time` expires.
    pub fn remaining(&self, time: u64) -> Result<u64, OtpError> {
        let elapsed = time
            .checked_sub(self.t0)
            .ok_or(OtpError::TimeBeforeEpoch { time, t0: self.t0 })?;
        Ok(self.period - elapsed % self.period)
    }

    /// The code valid at `time`.
    pub fn generate(&self, time: u64) -> Result<OtpCode, OtpError> {
        Ok(self.hotp.generate(self.step(time)?))
    }

    /// The code for an explicit step counter.
    pub fn generate_step(&self, step: u64) -> OtpCode {
        self.hotp.generate(step)
    }

    /// Checks `code` against the steps `T - window ..= T + window` around
    /// `time` in constant time and returns the offset that matched (negative:
    /// the code was from an earlier step). Steps below 0 or beyond 64 bits are
    /// left out of the window.
    pub fn verify(&self, code: &str, time: u64, window: u32) -> Result<i64, OtpError> {
        check_window(window)?;
        let step = self.step(time)?;
        let w = i64::from(window);
        let candidates = (-w..=w).filter_map(|offset| {
            let s = step.checked_add_signed(offset)?;
            Some(Ok((offset, self.hotp.generate(s))))
        });
        super::find_in_window(code, candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totp(period: u64, t0: u64) -> Totp {
        let key = OtpKey::new(b"12345678901234567890".to_vec()).unwrap();
        Totp::new(key, Algorithm::Sha1, 8, period, t0).unwrap()
    }

    #[test]
    fn zero_period_rejected() {
        let key = OtpKey::new(vec![7; 20]).unwrap();
        assert_eq!(
            Totp::new(key, Algorithm::Sha1, 6, 0, 0).err(),
            Some(OtpError::ZeroPeriod)
        );
    }

    #[test]
    fn steps_and_epoch() {
        let t = totp(30, 0);
        assert_eq!(t.step(59).unwrap(), 1);
        assert_eq!(t.step(20_000_000_000).unwrap(), 666_666_666);
        assert_eq!(t.remaining(59).unwrap(), 1);
        assert_eq!(t.remaining(60).unwrap(), 30);
        let late = totp(30, 100);
        assert_eq!(
            late.step(99),
            Err(OtpError::TimeBeforeEpoch { time: 99, t0: 100 })
        );
        assert_eq!(late.step(130).unwrap(), 1);
    }

    #[test]
    fn verify_looks_around() {
        let t = totp(30, 0);
        // RFC 6238 Appendix B: SHA1 at 59 s gives 94287082 (step 1).
        assert_eq!(t.verify("94287082", 59, 0), Ok(0));
        assert_eq!(t.verify("94287082", 89, 1), Ok(-1));
        assert_eq!(t.verify("94287082", 29, 1), Ok(1));
        assert_eq!(t.verify("94287082", 119, 1), Err(OtpError::NoMatch));
        // Step 0 with a window: negative steps are skipped, not wrapped.
        assert!(t.verify("00000000", 0, 5).is_err());
        assert_eq!(t.verify("94287082", u64::MAX, 1), Err(OtpError::NoMatch));
    }
}

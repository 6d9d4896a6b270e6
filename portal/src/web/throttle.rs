//! Throttling of guesses: wrong passwords per user ID and per client
//! address, wrong OTPs per client address (the portal itself locks a
//! mobile after 5 wrong OTPs). Password and OTP failures are counted
//! apart: wrong passwords from an address do not stop a user of that
//! address, already past the password, from typing the OTP.
//!
//! The address limit does not apply to a browser that has signed its
//! user in before (a known-browser cookie, [`device_cookie`]): an address
//! that many people share (a network's NAT, a proxy not configured as
//! trusted) is slowed down for newcomers without locking its known users
//! out. The per-user limit applies to everyone.
//!
//! A key gets `free` failures; each further failure blocks it for `base`
//! seconds, doubling up to `max`. A success clears a user's count (not an
//! address's: an attacker could otherwise clear it with an account of
//! their own). Entries are forgotten after `forget` idle seconds, and the
//! table is bounded, so a flood of made-up user IDs cannot exhaust memory.

use std::collections::HashMap;
use std::net::IpAddr;

/// The rules of one limiter.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Failures allowed before the first block.
    pub free: u32,
    /// The first block, in seconds.
    pub base_secs: u64,
    /// The longest block, in seconds.
    pub max_secs: u64,
    /// Seconds without a failure after which a key starts afresh.
    pub forget_secs: u64,
}

impl Rule {
    /// The block after `failures` failures (at least `free`).
    fn block_secs(&self, failures: u32) -> u64 {
        let doublings = failures.saturating_sub(self.free).min(20);
        self.base_secs
            .saturating_mul(1u64 << doublings)
            .min(self.max_secs)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: u64,
    blocked_until: u64,
}

/// Most keys kept at once; the oldest are dropped first.
const MAX_ENTRIES: usize = 100_000;

/// Failures per key.
#[derive(Debug)]
pub struct Limiter {
    rule: Rule,
    entries: HashMap<String, Entry>,
}

impl Limiter {
    /// An empty limiter.
    pub fn new(rule: Rule) -> Self {
        Self {
            rule,
            entries: HashMap::new(),
        }
    }

    /// `Err(seconds to wait)` while `key` is blocked.
    pub fn check(&mut self, key: &str, now: u64) -> Result<(), u64> {
        match self.entries.get(key) {
            Some(e) if now.saturating_sub(e.last_failure) >= self.rule.forget_secs => {
                self.entries.remove(key);
                Ok(())
            }
            Some(e) if e.blocked_until > now => Err(e.blocked_until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `key`.
    pub fn fail(&mut self, key: &str, now: u64) {
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(key) {
            self.prune(now);
        }
        let rule = self.rule;
        let e = self.entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            last_failure: now,
            blocked_until: 0,
        });
        if now.saturating_sub(e.last_failure) >= rule.forget_secs {
            e.failures = 0;
        }
        e.failures = e.failures.saturating_add(1);
        e.last_failure = now;
        if e.failures >= rule.free {
            e.blocked_until = now.saturating_add(rule.block_secs(e.failures));
        }
    }

    /// Takes back one failure of `key` (an attempt counted before its
    /// check, which then succeeded), and the block it caused.
    pub fn forgive(&mut self, key: &str) {
        let rule = self.rule;
        if let Some(e) = self.entries.get_mut(key) {
            e.failures = e.failures.saturating_sub(1);
            e.blocked_until = if e.failures >= rule.free {
                e.last_failure.saturating_add(rule.block_secs(e.failures))
            } else {
                0
            };
        }
    }

    /// Clears `key` after a success.
    pub fn succeed(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Drops forgotten entries, and the oldest half if that is not enough.
    fn prune(&mut self, now: u64) {
        let forget = self.rule.forget_secs;
        self.entries
            .retain(|_, e| now.saturating_sub(e.last_failure) < forget);
        if self.entries.len() >= MAX_ENTRIES {
            let mut ages: Vec<u64> = self.entries.values().map(|e| e.last_failure).collect();
            ages.sort_unstable();
            let cut = ages.get(ages.len() / 2).copied().unwrap_or(u64::MAX);
            self.entries.retain(|_, e| e.last_failure > cut);
        }
    }
}

/// The portal's limiters.
#[derive(Debug)]
pub struct Throttle {
    /// Wrong passwords per user ID (case-folded).
    pub users: Limiter,
    /// Wrong passwords per client address (IPv6 per /64).
    pub addresses: Limiter,
    /// Wrong OTPs per client address (IPv6 per /64).
    pub otp_addresses: Limiter,
}

impl Default for Throttle {
    /// Per user: 5 free, then 30 s doubling to 15 min. Per address (wrong
    /// passwords, wrong OTPs apart): 20 free, then 60 s doubling to 1 h.
    /// All forget after an hour.
    fn default() -> Self {
        Self {
            users: Limiter::new(Rule {
                free: 5,
                base_secs: 30,
                max_secs: 15 * 60,
                forget_secs: 3600,
            }),
            addresses: Limiter::new(Rule {
                free: 20,
                base_secs: 60,
                max_secs: 3600,
                forget_secs: 3600,
            }),
            otp_addresses: Limiter::new(Rule {
                free: 20,
                base_secs: 60,
                max_secs: 3600,
                forget_secs: 3600,
            }),
        }
    }
}

/// How long a known-browser cookie is good for: 30 days.
pub const DEVICE_COOKIE_SECS: u64 = 30 * 86_400;

/// The known-browser cookie's name.
pub const DEVICE_COOKIE: &str = "tessera_device";

fn device_message(ukey: &str, expires: u64) -> String {
    format!("tessera-portal device v1\0{expires}\0{ukey}")
}

/// The known-browser cookie's value for user key `ukey` ([`user_key`]):
/// `EXPIRY.MAC`, an HMAC-SHA256 under the database's key. It names no
/// user; it only vouches for the one it was made for.
pub fn device_cookie(key: &ring::hmac::Key, ukey: &str, now: u64) -> String {
    let expires = now.saturating_add(DEVICE_COOKIE_SECS);
    let tag = ring::hmac::sign(key, device_message(ukey, expires).as_bytes());
    format!(
        "{expires}.{}",
        data_encoding::BASE64URL_NOPAD.encode(tag.as_ref())
    )
}

/// Whether `value` is a live known-browser cookie for `ukey` (constant
/// time).
pub fn known_browser(key: &ring::hmac::Key, value: &str, ukey: &str, now: u64) -> bool {
    let Some((expires, mac)) = value.split_once('.') else {
        return false;
    };
    let (Ok(expires), Ok(mac)) = (
        expires.parse::<u64>(),
        data_encoding::BASE64URL_NOPAD.decode(mac.as_bytes()),
    ) else {
        return false;
    };
    expires > now && ring::hmac::verify(key, device_message(ukey, expires).as_bytes(), &mac).is_ok()
}

/// The throttling key of a user ID.
pub fn user_key(user_id: &str) -> String {
    user_id.trim().to_lowercase()
}

/// The throttling key of a client address: IPv4 as is, IPv6 by its /64
/// (one host usually has a whole /64).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        Rule {
            free: 3,
            base_secs: 10,
            max_secs: 35,
            forget_secs: 100,
        }
    }

    #[test]
    fn blocks_after_the_free_failures_and_doubles() {
        let mut l = Limiter::new(rule());
        for _ in 0..2 {
            l.fail("a", 0);
            assert_eq!(l.check("a", 0), Ok(()));
        }
        l.fail("a", 0);
        assert_eq!(l.check("a", 0), Err(10));
        assert_eq!(l.check("a", 10), Ok(()));
        l.fail("a", 10);
        assert_eq!(l.check("a", 10), Err(20));
        l.fail("a", 30);
        assert_eq!(l.check("a", 30), Err(35), "capped at max");
        assert_eq!(l.check("b", 30), Ok(()), "other keys are free");
    }

    #[test]
    fn success_clears_and_idle_keys_are_forgotten() {
        let mut l = Limiter::new(rule());
        for _ in 0..3 {
            l.fail("a", 0);
        }
        l.succeed("a");
        assert_eq!(l.check("a", 0), Ok(()));
        for _ in 0..3 {
            l.fail("a", 0);
        }
        assert_eq!(l.check("a", 100), Ok(()));
        l.fail("a", 100);
        assert_eq!(l.check("a", 100), Ok(()), "counting started afresh");
    }

    #[test]
    fn a_forgiven_attempt_takes_its_block_back() {
        let mut l = Limiter::new(rule());
        for _ in 0..3 {
            l.fail("a", 0);
        }
        assert_eq!(l.check("a", 0), Err(10));
        l.forgive("a");
        assert_eq!(l.check("a", 0), Ok(()), "back under the free ones");
        l.fail("a", 0);
        l.fail("a", 0);
        l.forgive("a");
        assert_eq!(l.check("a", 0), Err(10), "still one over");
    }

    #[test]
    fn known_browser_cookies_vouch_for_their_user_until_they_expire() {
        let rng = ring::rand::SystemRandom::new();
        let key = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng).unwrap();
        let other = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng).unwrap();
        let c = device_cookie(&key, "bob", 100);
        assert!(known_browser(&key, &c, "bob", 100));
        assert!(!known_browser(&key, &c, "alice", 100));
        assert!(!known_browser(&other, &c, "bob", 100));
        assert!(!known_browser(&key, &c, "bob", 100 + DEVICE_COOKIE_SECS));
        let (_, mac) = c.split_once('.').unwrap();
        let extended = format!("{}.{mac}", 200 + DEVICE_COOKIE_SECS);
        assert!(!known_browser(&key, &extended, "bob", 100));
        for junk in ["", ".", "1.", "x.y", "99999999999999999999.AAAA"] {
            assert!(!known_browser(&key, junk, "bob", 100), "{junk}");
        }
    }

    #[test]
    fn address_keys() {
        assert_eq!(address_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
        let v6: IpAddr = "2001:db8:1:2:3:4:5:6".parse().unwrap();
        assert_eq!(address_key(v6), "2001:db8:1:2::/64");
    }
}

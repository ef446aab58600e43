//! Sign-in throttling.
//!
//! Three counters of failed sign-ins, each over a 15-minute window:
//! - **account from one address**: 5 failures, then blocks doubling from 30 s up to 15 min;
//! - **address**: 30 failures (many accounts from one place), then 15 min;
//! - **account from anywhere**: 20 failures, then 60 s at most per block, so a distributed
//!   attack is slowed while the real owner is never locked out for long.
//!
//! Attempts refused while blocked are not counted, and a success clears the account's
//! counter for that address. Counts live in this process's memory.

use app::error::AppError;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Rule {
    allowed_failures: u32,
    first_block: Duration,
    longest_block: Duration,
}

const ACCOUNT_FROM_ADDRESS: Rule =
    Rule { allowed_failures: 5, first_block: Duration::from_secs(30), longest_block: WINDOW };
const ADDRESS: Rule = Rule { allowed_failures: 30, first_block: WINDOW, longest_block: WINDOW };
const ACCOUNT: Rule = Rule {
    allowed_failures: 20,
    first_block: Duration::from_secs(60),
    longest_block: Duration::from_secs(60),
};

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    window_start: Instant,
    blocked_until: Option<Instant>,
}

/// Counts failed sign-ins and refuses callers that made too many.
#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Throttle {
    fn keys(email: &str, ip: Option<IpAddr>) -> [(String, Rule); 3] {
        let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
        [
            (format!("account-ip:{email}|{ip}"), ACCOUNT_FROM_ADDRESS),
            (format!("ip:{ip}"), ADDRESS),
            (format!("account:{email}"), ACCOUNT),
        ]
    }

    /// Refuses with [`AppError::TooManyRequests`] while any counter is blocked.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let wait = Self::keys(email, ip)
            .iter()
            .filter_map(|(key, _)| entries.get(key)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(wait) => Err(AppError::TooManyRequests { retry_after_secs: wait.as_secs() + 1 }),
            None => Ok(()),
        }
    }

    /// Records a failed sign-in.
    pub fn failed(&self, email: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.blocked_until.is_some_and(|u| u > now) || now - e.window_start < WINDOW);
        }
        for (key, rule) in Self::keys(email, ip) {
            let entry =
                entries.entry(key).or_insert(Entry { failures: 0, window_start: now, blocked_until: None });
            if now - entry.window_start >= WINDOW && entry.blocked_until.is_none_or(|u| u <= now) {
                *entry = Entry { failures: 0, window_start: now, blocked_until: None };
            }
            entry.failures += 1;
            if let Some(over) = entry.failures.checked_sub(rule.allowed_failures).filter(|over| *over > 0) {
                let doubled = rule.first_block.saturating_mul(1 << (over - 1).min(16));
                entry.blocked_until = Some(now + doubled.min(rule.longest_block));
            }
        }
    }

    /// Clears the account's counter for this address after a successful sign-in.
    pub fn succeeded(&self, email: &str, ip: Option<IpAddr>) {
        let [(key, _), ..] = Self::keys(email, ip);
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn blocks_an_account_on_an_address_after_five_failures() {
        let throttle = Throttle::default();
        for _ in 0..5 {
            assert!(throttle.check("a@x.io", ip(1)).is_ok());
            throttle.failed("a@x.io", ip(1));
        }
        assert!(throttle.check("a@x.io", ip(1)).is_ok(), "five failures are allowed");
        throttle.failed("a@x.io", ip(1));
        let Err(AppError::TooManyRequests { retry_after_secs }) = throttle.check("a@x.io", ip(1)) else {
            panic!("the sixth failure blocks");
        };
        assert!((1..=31).contains(&retry_after_secs), "{retry_after_secs}");
        assert!(throttle.check("a@x.io", ip(2)).is_ok(), "the owner elsewhere is not locked out");
        assert!(throttle.check("b@x.io", ip(1)).is_ok(), "other accounts on the address are not");
    }

    #[test]
    fn blocks_an_address_that_tries_many_accounts() {
        let throttle = Throttle::default();
        for n in 0..31 {
            throttle.failed(&format!("user{n}@x.io"), ip(3));
        }
        assert!(throttle.check("fresh@x.io", ip(3)).is_err());
        assert!(throttle.check("fresh@x.io", ip(4)).is_ok());
    }

    #[test]
    fn a_distributed_attack_blocks_the_account_for_a_minute_at_most() {
        let throttle = Throttle::default();
        for n in 0..40 {
            throttle.failed("victim@x.io", ip(n));
        }
        let Err(AppError::TooManyRequests { retry_after_secs }) = throttle.check("victim@x.io", ip(200))
        else {
            panic!("blocked");
        };
        assert!(retry_after_secs <= 61, "{retry_after_secs}");
    }

    #[test]
    fn success_clears_the_account_counter() {
        let throttle = Throttle::default();
        for _ in 0..5 {
            throttle.failed("a@x.io", ip(1));
        }
        throttle.succeeded("a@x.io", ip(1));
        throttle.failed("a@x.io", ip(1));
        assert!(throttle.check("a@x.io", ip(1)).is_ok());
    }
}

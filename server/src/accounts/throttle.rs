//! Throttling of sign-ins and of the requests that create accounts or send account mail.
//!
//! Failed sign-ins are counted by three counters, each over a 15-minute window:
//! - **account from one address**: 5 failures, then blocks doubling from 30 s up to 15 min;
//! - **address**: 30 failures (many accounts from one place), then 15 min;
//! - **account from anywhere**: 20 failures, then 60 s at most per block, so a distributed
//!   attack is slowed while the real owner is never locked out for long.
//!
//! An attempt is counted as a failure *before* its password is checked (the reservation)
//! and settled after: a success takes it back (and clears the account's counter for that
//! address), an answer that is neither success nor wrong password releases it. So N guesses
//! sent at once are counted as N, not as none. Attempts refused while blocked are not counted.
//!
//! Sign-ups, and the mails an account can ask for (password reset, a new confirmation code),
//! are plain rates: per address and per e-mail.
//!
//! Addresses are keyed as the client's IPv4 address or its IPv6 /64 (one subscriber's
//! network), so changing the low 64 bits does not escape a rule. Counts live in this
//! process's memory, or in Redis when `REDIS_URL` is set (shared by every web instance).

mod counters;

pub use counters::{Counters, Memory, Redis, Rule};

use app::error::AppError;
use std::{net::IpAddr, time::Duration};

const WINDOW: Duration = Duration::from_secs(15 * 60);

const ACCOUNT_FROM_ADDRESS: Rule =
    Rule { allowed: 5, first_block: Duration::from_secs(30), longest_block: WINDOW, window: WINDOW };
const ACCOUNT: Rule = Rule {
    allowed: 20,
    first_block: Duration::from_secs(60),
    longest_block: Duration::from_secs(60),
    window: WINDOW,
};
/// A plain rate: `allowed` per window, then blocked for the rest of one.
const fn per_window(allowed: u32) -> Rule {
    Rule { allowed, first_block: WINDOW, longest_block: WINDOW, window: WINDOW }
}

const ADDRESS: Rule = per_window(30);
/// Account mails (reset, new code) asked for from one address.
const MAILS_FROM_ADDRESS: Rule = per_window(20);
/// Account mails of one kind asked for one e-mail address.
const MAILS_TO_EMAIL: Rule = per_window(5);
/// The default of how many sign-ups one address may make in a window.
pub const SIGN_UPS_PER_ADDRESS: u32 = 10;

/// A mail an account can ask for, each kind with its own rate per e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountMail {
    PasswordReset,
    NewCode,
}

/// A sign-in attempt that was let through; it counts as a failure until settled.
#[derive(Debug)]
#[must_use = "settle the attempt with Throttle::succeeded or Throttle::released"]
pub struct Attempt {
    keys: [String; 3],
}

/// Counts requests and refuses callers that made too many.
pub struct Throttle {
    counters: Counters,
    /// Sign-ups from one address.
    sign_ups: Rule,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(Counters::Memory(Memory::default()), SIGN_UPS_PER_ADDRESS)
    }
}

/// The part of a client's address its counters are keyed by: an IPv4 address, or the /64
/// of an IPv6 one.
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        None => String::new(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

impl Throttle {
    /// Counts in `counters`; allows `sign_ups_per_address` sign-ups from one address per
    /// window.
    pub fn new(counters: Counters, sign_ups_per_address: u32) -> Self {
        Throttle { counters, sign_ups: per_window(sign_ups_per_address) }
    }

    fn sign_in_keys(email: &str, ip: Option<IpAddr>) -> [(String, Rule); 3] {
        let ip = address_key(ip);
        [
            (format!("account-ip:{email}|{ip}"), ACCOUNT_FROM_ADDRESS),
            (format!("ip:{ip}"), ADDRESS),
            (format!("account:{email}"), ACCOUNT),
        ]
    }

    /// Counts one request against every rule, all or none; refused with
    /// [`AppError::TooManyRequests`] while any counter is blocked or full.
    async fn take(&self, keys: &[(String, Rule)]) -> Result<(), AppError> {
        match self.counters.take(keys).await {
            None => Ok(()),
            Some(wait) => Err(AppError::too_many_attempts(wait.as_secs() + 1)),
        }
    }

    /// Lets a sign-in attempt through, counted as a failure, or refuses it while the caller
    /// is blocked.
    pub async fn sign_in(&self, email: &str, ip: Option<IpAddr>) -> Result<Attempt, AppError> {
        let keys = Self::sign_in_keys(email, ip);
        self.take(&keys).await?;
        Ok(Attempt { keys: keys.map(|(key, _)| key) })
    }

    /// The attempt signed in: its failure is taken back and the account's counter for this
    /// address cleared.
    pub async fn succeeded(&self, attempt: Attempt) {
        let [account_ip, rest @ ..] = attempt.keys;
        self.counters.clear(&account_ip).await;
        self.counters.give_back(&rest).await;
    }

    /// The attempt neither signed in nor had a wrong password (the provider was down, say):
    /// it is not counted.
    pub async fn released(&self, attempt: Attempt) {
        self.counters.give_back(&attempt.keys).await;
    }

    /// Counts a sign-up from `ip`.
    pub async fn sign_up(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        self.take(&[(format!("sign-up-ip:{}", address_key(ip)), self.sign_ups)]).await
    }

    /// Counts a request for an account mail to `email` from `ip`.
    pub async fn account_mail(
        &self,
        kind: AccountMail,
        email: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), AppError> {
        self.take(&[
            (format!("mail-ip:{}", address_key(ip)), MAILS_FROM_ADDRESS),
            (format!("mail-to:{kind:?}:{email}"), MAILS_TO_EMAIL),
        ])
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Each test runs on the memory counters, and on Redis when `LTD_TEST_REDIS_URL` is set.
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    /// The throttles to test: memory, and Redis (its own prefix) when there is one.
    async fn throttles() -> Vec<Throttle> {
        let mut all = vec![Throttle::default()];
        if let Ok(url) = std::env::var("LTD_TEST_REDIS_URL") {
            let prefix = format!("ltd-test-{}", uuid::Uuid::new_v4().simple());
            let redis = Redis::connect(&url, &prefix).await.expect("the test Redis answers");
            all.push(Throttle::new(Counters::Redis(redis), SIGN_UPS_PER_ADDRESS));
        }
        all
    }

    async fn refused_for(throttle: &Throttle, email: &str, ip: Option<IpAddr>) -> u64 {
        match throttle.sign_in(email, ip).await {
            Err(AppError::TooManyRequests { retry_after_secs, .. }) => retry_after_secs,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    async fn fail(throttle: &Throttle, email: &str, ip: Option<IpAddr>) {
        let _failed = throttle.sign_in(email, ip).await.expect("allowed");
    }

    #[tokio::test]
    async fn five_attempts_of_an_account_on_an_address_pass_and_the_sixth_is_refused() {
        for throttle in throttles().await {
            for _ in 0..5 {
                fail(&throttle, "a@x.io", ip(1)).await;
            }
            let wait = refused_for(&throttle, "a@x.io", ip(1)).await;
            assert!((1..=31).contains(&wait), "{wait}");
            assert!(throttle.sign_in("a@x.io", ip(2)).await.is_ok(), "the owner elsewhere is not locked out");
            assert!(throttle.sign_in("b@x.io", ip(1)).await.is_ok(), "other accounts on the address are not");
        }
    }

    #[tokio::test]
    async fn attempts_in_flight_count_before_they_are_settled() {
        for throttle in throttles().await {
            let mut in_flight = Vec::new();
            for _ in 0..5 {
                in_flight.push(throttle.sign_in("a@x.io", ip(1)).await.expect("allowed"));
            }
            assert!(throttle.sign_in("a@x.io", ip(1)).await.is_err(), "the sixth waits for no answer");
            drop(in_flight);
        }
    }

    #[tokio::test]
    async fn blocks_double_while_the_guessing_goes_on() {
        let throttle = Throttle::default();
        for _ in 0..5 {
            fail(&throttle, "a@x.io", ip(1)).await;
        }
        let first = refused_for(&throttle, "a@x.io", ip(1)).await;
        let Counters::Memory(memory) = &throttle.counters else {
            unreachable!("the default counts in memory")
        };
        memory.unblock("account-ip:a@x.io|10.0.0.1");
        for _ in 0..5 {
            fail(&throttle, "a@x.io", ip(1)).await;
        }
        let second = refused_for(&throttle, "a@x.io", ip(1)).await;
        assert!(second > first + 20, "{first} then {second}");
    }

    #[tokio::test]
    async fn blocks_an_address_that_tries_many_accounts() {
        for throttle in throttles().await {
            for n in 0..30 {
                fail(&throttle, &format!("user{n}@x.io"), ip(3)).await;
            }
            assert!(throttle.sign_in("fresh@x.io", ip(3)).await.is_err());
            assert!(throttle.sign_in("fresh@x.io", ip(4)).await.is_ok());
        }
    }

    #[tokio::test]
    async fn a_distributed_attack_blocks_the_account_for_a_minute_at_most() {
        for throttle in throttles().await {
            for n in 0..20 {
                fail(&throttle, "victim@x.io", ip(n)).await;
            }
            let wait = refused_for(&throttle, "victim@x.io", ip(200)).await;
            assert!(wait <= 61, "{wait}");
        }
    }

    #[tokio::test]
    async fn success_takes_the_attempt_back_and_clears_the_account_counter() {
        for throttle in throttles().await {
            for _ in 0..4 {
                fail(&throttle, "a@x.io", ip(1)).await;
            }
            throttle.succeeded(throttle.sign_in("a@x.io", ip(1)).await.expect("allowed")).await;
            for _ in 0..5 {
                fail(&throttle, "a@x.io", ip(1)).await;
            }
            // 35 sign-ins that succeed never block the address.
            for n in 0..35 {
                let attempt = throttle.sign_in(&format!("u{n}@x.io"), ip(9)).await.expect("allowed");
                throttle.succeeded(attempt).await;
            }
        }
    }

    #[tokio::test]
    async fn a_released_attempt_is_not_counted() {
        for throttle in throttles().await {
            for _ in 0..10 {
                throttle.released(throttle.sign_in("a@x.io", ip(1)).await.expect("allowed")).await;
            }
        }
    }

    #[tokio::test]
    async fn an_ipv6_network_is_one_address() {
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let other_host: IpAddr = "2001:db8:1:2:ffff:ee:dd:cc".parse().expect("ip");
        let other_net: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(Some(one)), address_key(Some(other_host)));
        assert_ne!(address_key(Some(one)), address_key(Some(other_net)));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
        assert_eq!(address_key(Some(mapped)), "10.0.0.1");

        for throttle in throttles().await {
            for n in 0..5u16 {
                let host = IpAddr::from([0x2001, 0xdb8, 1, 2, 0, 0, 0, n + 1]);
                fail(&throttle, "a@x.io", Some(host)).await;
            }
            assert!(throttle.sign_in("a@x.io", Some(other_host)).await.is_err());
        }
    }

    #[tokio::test]
    async fn account_mails_are_limited_per_e_mail_and_per_address() {
        for throttle in throttles().await {
            for _ in 0..5 {
                throttle.account_mail(AccountMail::PasswordReset, "a@x.io", ip(1)).await.expect("allowed");
            }
            assert!(throttle.account_mail(AccountMail::PasswordReset, "a@x.io", ip(2)).await.is_err());
            assert!(
                throttle.account_mail(AccountMail::NewCode, "a@x.io", ip(2)).await.is_ok(),
                "another kind"
            );
            for n in 0..15 {
                let email = format!("u{n}@x.io");
                throttle.account_mail(AccountMail::PasswordReset, &email, ip(1)).await.expect("allowed");
            }
            assert!(
                throttle.account_mail(AccountMail::PasswordReset, "fresh@x.io", ip(1)).await.is_err(),
                "20 from one address"
            );
            for _ in 0..10 {
                throttle.sign_up(ip(5)).await.expect("allowed");
            }
            assert!(throttle.sign_up(ip(5)).await.is_err());
        }
    }

    #[tokio::test]
    async fn two_instances_on_one_redis_share_their_counts() {
        let Ok(url) = std::env::var("LTD_TEST_REDIS_URL") else { return };
        let prefix = format!("ltd-test-{}", uuid::Uuid::new_v4().simple());
        let instance = || async {
            let redis = Redis::connect(&url, &prefix).await.expect("the test Redis answers");
            Throttle::new(Counters::Redis(redis), SIGN_UPS_PER_ADDRESS)
        };
        let (a, b) = (instance().await, instance().await);
        for n in 0..5 {
            let web = if n % 2 == 0 { &a } else { &b };
            fail(web, "a@x.io", ip(1)).await;
        }
        assert!(a.sign_in("a@x.io", ip(1)).await.is_err());
        assert!(b.sign_in("a@x.io", ip(1)).await.is_err());
    }
}

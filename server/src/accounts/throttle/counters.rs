//! Where the throttle's counts live: this process's memory (the embedded default), or Redis
//! when `REDIS_URL` is set, so every web instance counts the same requests. Both count the
//! same way (one request against several counters, all or none); the Redis one is a Lua
//! script, and falls back to this process's counts while Redis does not answer.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Past this many counters, the memory store drops those whose window is over.
const MAX_ENTRIES: usize = 100_000;

/// How many requests a counter allows per window, and how long it blocks once full: the
/// first block `first_block`, each next one twice as long, up to `longest_block`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub allowed: u32,
    pub first_block: Duration,
    pub longest_block: Duration,
    pub window: Duration,
}

/// The throttle's counts.
pub enum Counters {
    Memory(Memory),
    Redis(Redis),
}

impl Counters {
    /// Counts one request against every counter of `keys`, or none of them: `Some(wait)`
    /// while any is blocked or full (a full one starts a block).
    pub async fn take(&self, keys: &[(String, Rule)]) -> Option<Duration> {
        match self {
            Counters::Memory(memory) => memory.take(keys),
            Counters::Redis(redis) => redis.take(keys).await,
        }
    }

    /// Takes back one counted request from each of `keys`.
    pub async fn give_back(&self, keys: &[String]) {
        match self {
            Counters::Memory(memory) => memory.give_back(keys),
            Counters::Redis(redis) => redis.give_back(keys).await,
        }
    }

    /// Forgets the counter `key`.
    pub async fn clear(&self, key: &str) {
        match self {
            Counters::Memory(memory) => memory.clear(key),
            Counters::Redis(redis) => redis.clear(key).await,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    count: u32,
    window_start: Instant,
    blocked_until: Option<Instant>,
    blocks: u32,
}

impl Entry {
    fn new(now: Instant) -> Self {
        Entry { count: 0, window_start: now, blocked_until: None, blocks: 0 }
    }

    fn blocked(&self, now: Instant) -> Option<Duration> {
        self.blocked_until.filter(|until| *until > now).map(|until| until - now)
    }
}

/// Counts in this process's memory.
#[derive(Default)]
pub struct Memory {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Memory {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take(&self, keys: &[(String, Rule)]) -> Option<Duration> {
        let now = Instant::now();
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            let longest = keys.iter().map(|(_, rule)| rule.window).max().unwrap_or_default();
            entries.retain(|_, e| e.blocked(now).is_some() || now - e.window_start < longest);
        }
        let mut wait = Duration::ZERO;
        for (key, rule) in keys {
            let entry = entries.entry(key.clone()).or_insert_with(|| Entry::new(now));
            if now - entry.window_start >= rule.window && entry.blocked(now).is_none() {
                *entry = Entry::new(now);
            }
            if let Some(blocked) = entry.blocked(now) {
                wait = wait.max(blocked);
            } else if entry.count >= rule.allowed {
                let block =
                    rule.first_block.saturating_mul(1 << entry.blocks.min(16)).min(rule.longest_block);
                *entry = Entry {
                    count: 0,
                    window_start: now,
                    blocked_until: Some(now + block),
                    blocks: entry.blocks + 1,
                };
                wait = wait.max(block);
            }
        }
        if !wait.is_zero() {
            return Some(wait);
        }
        for (key, _) in keys {
            if let Some(entry) = entries.get_mut(key) {
                entry.count += 1;
            }
        }
        None
    }

    fn give_back(&self, keys: &[String]) {
        let mut entries = self.lock();
        for key in keys {
            if let Some(entry) = entries.get_mut(key) {
                entry.count = entry.count.saturating_sub(1);
            }
        }
    }

    fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    /// Tests: ends the block of `key` now.
    #[cfg(test)]
    pub fn unblock(&self, key: &str) {
        if let Some(entry) = self.lock().get_mut(key) {
            entry.blocked_until = Some(Instant::now());
        }
    }
}

/// Counts in Redis under `<prefix>:throttle:`, shared by every instance.
pub struct Redis {
    connection: redis::aio::ConnectionManager,
    prefix: String,
    /// Used while Redis does not answer, so an outage neither blocks every sign-in nor
    /// lifts the limits.
    fallback: Memory,
}

impl Redis {
    /// Connects to the Redis at `url`; counters are keyed under `<prefix>:throttle:`.
    /// A sign-in waits at most 500 ms for Redis before the fallback counts it.
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let connection = crate::platform::pubsub::quick_connection(url).await?;
        Ok(Self { connection, prefix: format!("{prefix}:throttle:"), fallback: Memory::default() })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn take(&self, keys: &[(String, Rule)]) -> Option<Duration> {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(include_str!("take.lua")));
        let mut invocation = SCRIPT.prepare_invoke();
        for (key, rule) in keys {
            invocation
                .key(self.key(key))
                .arg(rule.allowed)
                .arg(millis(rule.first_block))
                .arg(millis(rule.longest_block))
                .arg(millis(rule.window));
        }
        let mut connection = self.connection.clone();
        match invocation.invoke_async::<u64>(&mut connection).await {
            Ok(0) => None,
            Ok(wait) => Some(Duration::from_millis(wait)),
            Err(error) => {
                tracing::warn!(%error, "Redis did not answer the throttle; counting in this process");
                self.fallback.take(keys)
            }
        }
    }

    async fn give_back(&self, keys: &[String]) {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(include_str!("give_back.lua")));
        let mut invocation = SCRIPT.prepare_invoke();
        for key in keys {
            invocation.key(self.key(key));
        }
        let mut connection = self.connection.clone();
        if let Err(error) = invocation.invoke_async::<()>(&mut connection).await {
            tracing::warn!(%error, "Redis did not take back a throttle count");
        }
        self.fallback.give_back(keys);
    }

    async fn clear(&self, key: &str) {
        let mut connection = self.connection.clone();
        if let Err(error) = redis::cmd("DEL").arg(self.key(key)).query_async::<()>(&mut connection).await {
            tracing::warn!(%error, "Redis did not clear a throttle counter");
        }
        self.fallback.clear(key);
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

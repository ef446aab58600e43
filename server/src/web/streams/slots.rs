//! How many live streams each user holds: counted in this process (the embedded default),
//! or as leases in Redis so that the cap holds across every web instance. A lease lapses
//! when its instance stops renewing it (it stopped or died), so a crash frees its slots.

use std::{collections::HashMap, sync::Mutex, time::Duration};

/// The counts of open streams per user.
pub enum Slots {
    /// This process's streams only.
    Memory(Mutex<HashMap<String, u32>>),
    /// Leases under `<prefix>:streams:<user id>`, shared by every instance.
    Redis { connection: redis::aio::ConnectionManager, prefix: String },
}

/// One taken slot, given back with [`Slots::give_back`].
#[derive(Debug)]
pub struct Slot {
    user_id: String,
    /// The Redis lease; `None` in memory, or when Redis did not answer (not counted).
    lease: Option<String>,
}

impl Slots {
    pub fn memory() -> Self {
        Slots::Memory(Mutex::default())
    }

    /// Connects to the Redis at `url`; leases are keyed under `<prefix>:streams:`.
    /// Opening a stream waits at most 500 ms for Redis.
    pub async fn redis(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let connection = crate::platform::pubsub::quick_connection(url).await?;
        Ok(Slots::Redis { connection, prefix: format!("{prefix}:streams:") })
    }

    fn counts(counts: &Mutex<HashMap<String, u32>>) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a slot for `user_id` unless they hold `max` already; a Redis lease lasts
    /// `lease` unless renewed. While Redis does not answer, the stream is let through
    /// uncounted (an outage does not close the live updates).
    pub async fn take(&self, user_id: &str, max: u32, lease: Duration) -> Option<Slot> {
        match self {
            Slots::Memory(counts) => {
                let mut counts = Self::counts(counts);
                let count = counts.entry(user_id.to_owned()).or_insert(0);
                if *count >= max {
                    return None;
                }
                *count += 1;
                Some(Slot { user_id: user_id.to_owned(), lease: None })
            }
            Slots::Redis { connection, prefix } => {
                static TAKE: std::sync::LazyLock<redis::Script> =
                    std::sync::LazyLock::new(|| redis::Script::new(include_str!("take.lua")));
                let id = uuid::Uuid::now_v7().simple().to_string();
                let taken = TAKE
                    .key(format!("{prefix}{user_id}"))
                    .arg(max)
                    .arg(&id)
                    .arg(millis(lease))
                    .invoke_async::<u8>(&mut connection.clone())
                    .await;
                match taken {
                    Ok(0) => None,
                    Ok(_) => Some(Slot { user_id: user_id.to_owned(), lease: Some(id) }),
                    Err(error) => {
                        tracing::warn!(%error, "Redis did not count a live stream; it opens uncounted");
                        Some(Slot { user_id: user_id.to_owned(), lease: None })
                    }
                }
            }
        }
    }

    /// Keeps a Redis lease for another `lease`.
    pub async fn renew(&self, slot: &Slot, lease: Duration) {
        let (Slots::Redis { connection, prefix }, Some(id)) = (self, &slot.lease) else { return };
        static RENEW: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(include_str!("renew.lua")));
        let renewed = RENEW
            .key(format!("{prefix}{}", slot.user_id))
            .arg(id)
            .arg(millis(lease))
            .invoke_async::<u8>(&mut connection.clone())
            .await;
        if let Err(error) = renewed {
            tracing::warn!(%error, "could not renew a live stream's lease; the next check retries");
        }
    }

    /// Gives the slot back (in Redis, from a task of its own: this runs in `Drop`).
    pub fn give_back(&self, slot: &Slot) {
        match self {
            Slots::Memory(counts) => {
                let mut counts = Self::counts(counts);
                if let Some(count) = counts.get_mut(&slot.user_id) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        counts.remove(&slot.user_id);
                    }
                }
            }
            Slots::Redis { connection, prefix } => {
                let (Some(id), Ok(runtime)) = (&slot.lease, tokio::runtime::Handle::try_current()) else {
                    return;
                };
                let (mut connection, key, id) =
                    (connection.clone(), format!("{prefix}{}", slot.user_id), id.clone());
                runtime.spawn(async move {
                    let removed: redis::RedisResult<u8> =
                        redis::AsyncCommands::zrem(&mut connection, &key, &id).await;
                    if let Err(error) = removed {
                        tracing::warn!(%error, "could not give a live stream's lease back; it lapses");
                    }
                });
            }
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn holds_at_most_max(first: &Slots, second: &Slots) {
        let lease = Duration::from_secs(30);
        let one = first.take("ann", 2, lease).await.expect("a first slot");
        let two = second.take("ann", 2, lease).await.expect("a second slot");
        assert!(first.take("ann", 2, lease).await.is_none(), "a third is refused");
        assert!(second.take("bob", 2, lease).await.is_some(), "another user is not affected");
        second.renew(&two, lease).await;
        first.give_back(&one);
        let mut again = None;
        for _ in 0..50 {
            again = second.take("ann", 2, lease).await;
            if again.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(again.is_some(), "a slot given back is free again");
    }

    #[tokio::test]
    async fn in_memory_a_user_holds_at_most_max() {
        let slots = Slots::memory();
        holds_at_most_max(&slots, &slots).await;
    }

    #[tokio::test]
    async fn in_redis_the_cap_holds_across_instances_and_a_lapsed_lease_frees_its_slot() {
        let Ok(url) = std::env::var("LTD_TEST_REDIS_URL") else { return };
        let prefix = format!("ltd-test-slots-{}", uuid::Uuid::now_v7().simple());
        let (first, second) = (
            Slots::redis(&url, &prefix).await.expect("redis"),
            Slots::redis(&url, &prefix).await.expect("redis"),
        );
        holds_at_most_max(&first, &second).await;

        // An instance that died renews nothing: its lease lapses and the slot is free.
        let short = Duration::from_millis(300);
        let _dead = first.take("cid", 1, short).await.expect("a slot");
        assert!(second.take("cid", 1, short).await.is_none());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(second.take("cid", 1, short).await.is_some(), "the lapsed lease no longer counts");
    }
}

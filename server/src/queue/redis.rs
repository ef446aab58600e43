//! apalis on Redis: the scale-out queue, under `<prefix>:draw` and `<prefix>:mail`.

use super::{Bells, DRAW_QUEUE, DrawJob, HEARTBEAT, MAIL_QUEUE, MISSED_HEARTBEATS};
use crate::{mail::MailJob, platform::metrics::Depth};
use anyhow::Context as _;
use std::time::Duration;

/// apalis on Redis, under `<prefix>:draw` and `<prefix>:mail`.
#[derive(Clone)]
pub struct RedisQueue {
    pub(crate) draws: apalis_redis::RedisStorage<DrawJob>,
    pub(crate) mails: apalis_redis::RedisStorage<MailJob>,
    pub(crate) connection: redis::aio::ConnectionManager,
    pub(crate) prefix: String,
    pub(crate) bells: Bells,
}

impl RedisQueue {
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        // redis-rs waits 500 ms for an answer by default, and apalis-redis treats a timed-out
        // fetch as fatal to the worker (apalis-dev/apalis-redis#76): allow a busy Redis more.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_secs(10)))
            // While Redis is away, fail fast (the outbox keeps the order) rather than make
            // a client's request wait through many reconnection attempts.
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let connection = redis::Client::open(url)
            .with_context(|| format!("REDIS_URL is not a Redis URL: {url}"))?
            .get_connection_manager_with_config(config)
            .await
            .with_context(|| format!("cannot reach the Redis queue at {url}"))?;
        // A worker that dies (kill -9, lost machine) has its jobs re-queued by the others
        // after MISSED_HEARTBEATS × HEARTBEAT rather than apalis' default 5 minutes.
        let config = |queue: &str| {
            apalis_redis::Config::default()
                .queue(format!("{prefix}:{queue}"))
                .heartbeat_interval(HEARTBEAT)
                .missed_heartbeats(MISSED_HEARTBEATS)
        };
        Ok(Self {
            draws: apalis_redis::RedisStorage::new(connection.clone()).with_config(config(DRAW_QUEUE)),
            mails: apalis_redis::RedisStorage::new(connection.clone()).with_config(config(MAIL_QUEUE)),
            connection,
            prefix: prefix.to_owned(),
            bells: Bells::default(),
        })
    }

    /// apalis-redis 1.0's own statistics script calls ZCARD on its done *set* and fails
    /// with WRONGTYPE, so the depth is read from its keys here: the `active` list (waiting)
    /// and each registered worker's `inflight` set (running).
    pub(crate) async fn depth(&self, queue: &str) -> anyhow::Result<Depth> {
        let queue = format!("{}:{queue}", self.prefix);
        let mut connection = self.connection.clone();
        let pending: i64 =
            redis::cmd("LLEN").arg(format!("{queue}:active")).query_async(&mut connection).await?;
        let workers: Vec<String> = redis::cmd("ZRANGE")
            .arg(format!("{queue}:workers"))
            .arg(0)
            .arg(-1)
            .query_async(&mut connection)
            .await?;
        let mut running = 0;
        for worker in workers {
            let holding: i64 = redis::cmd("SCARD")
                .arg(format!("{queue}:inflight:{worker}"))
                .query_async(&mut connection)
                .await?;
            running += holding;
        }
        Ok(Depth { pending, running })
    }

    /// Removes one queue's jobs that finished before `cutoff` (Unix seconds), a batch of
    /// its done set at a time, so Redis is never held up by one long script.
    pub(crate) async fn prune(&self, queue: &str, cutoff: i64) -> anyhow::Result<u64> {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(include_str!("prune.lua")));
        let queue = format!("{}:{queue}", self.prefix);
        let (done, data, meta) = (format!("{queue}:done"), format!("{queue}:data"), format!("{queue}:meta"));
        let mut connection = self.connection.clone();
        let (mut cursor, mut removed) = (0u64, 0u64);
        loop {
            let (next, ids): (u64, Vec<String>) = redis::cmd("SSCAN")
                .arg(&done)
                .arg(cursor)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut connection)
                .await
                .context("cannot list the queue's finished jobs")?;
            if !ids.is_empty() {
                let batch: u64 = SCRIPT
                    .key(&done)
                    .key(&data)
                    .key(&meta)
                    .arg(cutoff)
                    .arg(ids)
                    .invoke_async(&mut connection)
                    .await
                    .context("cannot remove finished jobs from the queue")?;
                removed += batch;
            }
            if next == 0 {
                return Ok(removed);
            }
            cursor = next;
        }
    }

    /// The apalis queue (and Redis key prefix) of a deployment's drawing jobs.
    pub fn queue_name(prefix: &str) -> String {
        format!("{prefix}:{DRAW_QUEUE}")
    }
}

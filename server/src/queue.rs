//! The job queues (drawings and mails): apalis, on SQLite in the embedded default
//! ([`sqlite`]) or on Redis when `REDIS_URL` is set ([`redis`]).
//!
//! Everything that knows apalis' table or key names lives in those two files. The apalis
//! crates are pinned to `=1.0.0` in `server/Cargo.toml`: an upgrade may rename what they
//! read (the `Jobs` table and its indexes, the `<queue>:active` list and `:inflight:` sets,
//! the `done`/`data`/`meta` keys the prune script removes), and their tests here and in
//! `tests/` say when it did. A drawing job is the order id (and the id of the request that sent it): the worker
//! ([`crate::jobs`]) does not know which backend delivered it.

mod redis;
mod sqlite;
mod ticker;

pub use self::redis::RedisQueue;
pub use self::sqlite::SqliteQueue;
pub use ticker::{Bell, Ticker};

use crate::{
    mail::{MailJob, MailQueue},
    platform::{metrics::Depth, request_id},
};
use anyhow::Context as _;
use apalis::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The payload of a drawing job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawJob {
    pub order_id: String,
    /// The request that caused the job, for the worker's log lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Where drawing jobs are sent.
#[async_trait::async_trait]
pub trait DrawQueue: Send + Sync {
    async fn enqueue(&self, order_id: &str) -> anyhow::Result<()>;
}

/// The apalis queues: drawings and mails.
pub(crate) const DRAW_QUEUE: &str = "draw";
pub(crate) const MAIL_QUEUE: &str = "mail";

/// How often a worker tells its backend it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(10);

/// After this many missed heartbeats a worker counts as dead and the other workers hand its
/// jobs back to the queue: a job held by a killed worker waits at most
/// `HEARTBEAT × (MISSED_HEARTBEATS + 1)` (40 s) for another worker, besides the watchdog.
pub const MISSED_HEARTBEATS: usize = 3;

/// The queue chosen by the settings.
#[derive(Clone)]
pub enum Queue {
    Sqlite(SqliteQueue),
    Redis(RedisQueue),
}

impl Queue {
    /// Whether the queue's backend answers (for `/readyz`).
    pub async fn check(&self) -> anyhow::Result<()> {
        match self {
            Queue::Sqlite(queue) => {
                sqlx::query("SELECT 1")
                    .execute(&queue.pool)
                    .await
                    .context("the queue database does not answer")?;
            }
            Queue::Redis(queue) => {
                let mut connection = queue.connection.clone();
                let _: String = ::redis::cmd("PING")
                    .query_async(&mut connection)
                    .await
                    .context("the Redis queue does not answer")?;
            }
        }
        Ok(())
    }
}

/// apalis' own statistics as a [`Depth`].
fn depth_of(statistics: &[Statistic]) -> Depth {
    let value = |title: &str| {
        statistics
            .iter()
            .find(|s| s.title == title)
            .and_then(|s| s.value.parse::<f64>().ok())
            .map_or(0, |v| v as i64)
    };
    Depth { pending: value("PENDING_JOBS"), running: value("RUNNING_JOBS") }
}

impl Queue {
    /// How many drawing and mail jobs wait and run, as the backend counts them.
    pub async fn depth(&self) -> anyhow::Result<(Depth, Depth)> {
        let failed = |e: String| anyhow::anyhow!("the queue cannot count its jobs: {e}");
        let (draws, mails) = match self {
            Queue::Sqlite(queue) => (
                queue.draws.fetch_by_queue().await.map_err(|e| failed(e.to_string()))?,
                queue.mails.fetch_by_queue().await.map_err(|e| failed(e.to_string()))?,
            ),
            Queue::Redis(queue) => {
                let draws = queue.depth(DRAW_QUEUE).await.map_err(|e| failed(format!("{e:#}")))?;
                let mails = queue.depth(MAIL_QUEUE).await.map_err(|e| failed(format!("{e:#}")))?;
                return Ok((draws, mails));
            }
        };
        Ok((depth_of(&draws), depth_of(&mails)))
    }
}

impl Queue {
    /// Removes the drawing and mail jobs that finished more than `keep` ago, so the queue's
    /// storage stays flat however many orders go through it. Failed jobs stay (they are
    /// few, and the failures page and the dead-letter view read them). Returns how many
    /// were removed.
    pub async fn prune(&self, keep: Duration) -> anyhow::Result<u64> {
        let cutoff = crate::platform::clock::seconds_before_now(keep);
        match self {
            Queue::Sqlite(queue) => queue.prune(cutoff).await,
            Queue::Redis(queue) => {
                let mut removed = 0;
                for name in [DRAW_QUEUE, MAIL_QUEUE] {
                    removed += queue.prune(name, cutoff).await?;
                }
                Ok(removed)
            }
        }
    }
}

/// How long a caller waits for the queue to take a job.
pub const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// `push`, given at most [`ENQUEUE_TIMEOUT`]: a queue that does not answer is an error, so a
/// request never hangs on it (the caller leaves the job to its outbox, or logs it).
pub async fn within_enqueue_timeout(push: impl Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    crate::platform::clock::within(ENQUEUE_TIMEOUT, push).await.context("the queue did not take the job")
}

/// Pushes `$job` as a task of at most `$attempts` apalis attempts to the storage `$field` of
/// whichever backend `$queue` is, within [`ENQUEUE_TIMEOUT`], then rings the bell of this
/// process' worker for it.
macro_rules! push_to {
    ($queue:expr, $field:ident, $job:expr, $attempts:expr, $what:literal) => {{
        let task = apalis::prelude::TaskBuilder::new($job).max_attempts($attempts).build();
        let pushed = async {
            match $queue {
                Queue::Sqlite(queue) => {
                    queue.$field.clone().push_task(task).await.map_err(|e| anyhow::anyhow!("{e}"))
                }
                Queue::Redis(queue) => {
                    queue.$field.clone().push_task(task).await.map_err(|e| anyhow::anyhow!("{e}"))
                }
            }
        };
        within_enqueue_timeout(pushed)
            .await
            .map(|()| $queue.bells().$field.ring())
            .map_err(|error| anyhow::anyhow!(concat!("cannot queue the ", $what, ": {:#}"), error))
    }};
}

/// apalis' attempts per drawing job: a backstop only, for a drawing whose outcome could
/// not be recorded (the artist retries a drawing itself, `LTD_DRAW_MAX_ATTEMPTS`).
const DRAW_JOB_ATTEMPTS: usize = 25;

/// apalis' attempts per mail job: one, since [`crate::mail::Delivery`] retries a mail
/// itself and keeps it as a dead letter when every try failed.
const MAIL_JOB_ATTEMPTS: usize = 1;

#[async_trait::async_trait]
impl DrawQueue for Queue {
    async fn enqueue(&self, order_id: &str) -> anyhow::Result<()> {
        let job = DrawJob { order_id: order_id.to_owned(), request_id: request_id::current() };
        push_to!(self, draws, job, DRAW_JOB_ATTEMPTS, "drawing job")
    }
}

#[async_trait::async_trait]
impl MailQueue for Queue {
    async fn enqueue_mail(&self, job: MailJob) -> anyhow::Result<()> {
        push_to!(self, mails, job, MAIL_JOB_ATTEMPTS, "mail")
    }
}

/// The bells of the drawing and mail workers.
#[derive(Clone, Default)]
pub(crate) struct Bells {
    pub(crate) draws: Bell,
    pub(crate) mails: Bell,
}

impl Queue {
    /// The bells of this process' workers, whichever the backend.
    pub(crate) fn bells(&self) -> &Bells {
        match self {
            Queue::Sqlite(queue) => &queue.bells,
            Queue::Redis(queue) => &queue.bells,
        }
    }
}

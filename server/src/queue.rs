//! The job queues (drawings and mails): apalis, on SQLite in the embedded default or on Redis when
//! `REDIS_URL` is set.
//!
//! The job is the order id and nothing else; [`draw_job`] does not know which backend
//! delivered it.

use crate::{
    artist::Artist,
    metrics::Depth,
    mail::{Delivery, MailJob, MailQueue},
};
use anyhow::Context as _;
use apalis::prelude::*;
use apalis_sqlite::{Config, SqliteStorage};
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use std::{
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

/// The payload of a drawing job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawJob {
    pub order_id: String,
}

/// Where drawing jobs are sent.
#[async_trait::async_trait]
pub trait DrawQueue: Send + Sync {
    async fn enqueue(&self, order_id: &str) -> anyhow::Result<()>;
}

/// The apalis worker's handler: draws the job's order (idempotently).
///
/// The drawing runs in its own task: when apalis drops a job's future (its worker failed,
/// e.g. Redis went away), a drawing already under way still finishes as a whole, so an
/// order is never left marked done without its event having been published.
pub async fn draw_job(job: DrawJob, artist: Data<Arc<Artist>>) -> Result<(), BoxDynError> {
    let artist = Arc::clone(&artist);
    tokio::spawn(async move { artist.draw(&job.order_id).await })
        .await
        .map_err(|error| format!("the drawing task failed: {error}"))?
        .map_err(Into::into)
}

/// Sends one mail job through the mailer, with retries (see [`Delivery::deliver`]); a mail
/// that finally fails is logged and counted there, and the job ends.
pub async fn mail_job(job: MailJob, delivery: Data<Arc<Delivery>>) -> Result<(), BoxDynError> {
    delivery.deliver(&job).await;
    Ok(())
}

/// The apalis queues: drawings and mails.
const DRAW_QUEUE: &str = "draw";
const MAIL_QUEUE: &str = "mail";

/// apalis on SQLite, in its own database file beside the app's (apalis runs its own
/// migrations, which must not mix with ours).
#[derive(Clone)]
pub struct SqliteQueue {
    draws: SqliteStorage<DrawJob>,
    mails: SqliteStorage<MailJob>,
    pool: apalis_sqlite::SqlitePool,
    bells: Bells,
}

impl SqliteQueue {
    /// Opens (creating) the queue database with one connection.
    ///
    /// Every queue statement writes (push, fetch-and-lock, acknowledge, heartbeat), and
    /// SQLite has one writer: with several connections they waited on each other in
    /// SQLite's busy handler, which sleeps in steps of up to 100 ms ("INSERT INTO Jobs"
    /// took over a second at 150 orders/s). One connection makes them queue in order in
    /// the pool instead. apalis never asks the pool for a second connection while it holds
    /// a transaction, so this cannot deadlock.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        use sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        let options: apalis_sqlite::SqliteConnectOptions =
            url.parse().with_context(|| format!("the queue URL is not a SQLite URL: {url}"))?;
        // WAL with synchronous = NORMAL, as for the app's database: a commit survives the
        // process being killed; a power loss can lose the last commits but never corrupts
        // the file. (apalis' set-up asks for synchronous = OFF, on one connection only.)
        let options = options
            .create_if_missing(true)
            .busy_timeout(Duration::from_secs(5))
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = apalis_sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the queue database {url}"))?;
        SqliteStorage::setup(&pool).await.context("cannot set up the queue database")?;
        // Back to NORMAL on the connection apalis' set-up ran on, as any later one gets.
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&pool)
            .await
            .context("cannot set up the queue database")?;
        pin_statistics(&pool).await?;
        Ok(Self {
            draws: SqliteStorage::new(&pool).with_config(Config::default().queue(DRAW_QUEUE)),
            mails: SqliteStorage::new(&pool).with_config(Config::default().queue(MAIL_QUEUE)),
            pool,
            bells: Bells::default(),
        })
    }
}

impl SqliteQueue {
    /// Removes jobs that finished before `cutoff` (Unix seconds).
    async fn prune(&self, cutoff: i64) -> anyhow::Result<u64> {
        // The first two conditions are those of apalis' index of finished jobs, so SQLite
        // uses it rather than reading the whole table.
        let removed = sqlx::query(
            "DELETE FROM Jobs WHERE status IN ('Done', 'Failed', 'Killed') AND done_at IS NOT NULL \
             AND status = 'Done' AND done_at <= ?1",
        )
        .bind(cutoff)
        .execute(&self.pool)
        .await
        .context("cannot remove finished jobs from the queue")?
        .rows_affected();
        Ok(removed)
    }
}

/// The statistics SQLite plans the queue's statements with, fixed rather than measured: a
/// large table, with few distinct workers (`lock_by`) and one row per job id.
///
/// apalis acknowledges jobs with `UPDATE Jobs ... FROM json_each(?) WHERE Jobs.id =
/// j.task_id AND Jobs.lock_by = ?`. Planned on measured statistics (or none), SQLite may read
/// it through the `lock_by` index: every job the worker still has in the table, each one
/// joined with the acknowledged batch by parsing its JSON again. That made the queue's one
/// connection the bottleneck (a 200 orders/s run spent 65 % of a core on it, most of it
/// in SQLite's JSON parser). Measured statistics also depend on when they were taken (an
/// empty table at start-up gives none of use). Fixed ones make the plan the same whatever
/// the table holds: each acknowledged job is looked up by its id.
const QUEUE_STATISTICS: &[(&str, &str)] = &[
    ("sqlite_autoindex_Jobs_1", "1000000 1"),
    ("LIdx", "1000000 250000"),
    ("idx_jobs_job_type_status_run_at", "1000000 500000 100000 2"),
    ("idx_jobs_status_run_at", "1000000 200000 2"),
    ("idx_jobs_completed_done_at", "900000 300000 2 1"),
    ("idx_jobs_running", "100 1"),
    ("idx_jobs_idempotency_key", "1000000 500000 1"),
    ("idx_jobs_pending", "1000 500 500 2 1"),
    ("idx_jobs_failed", "100 50 50 2 1"),
    ("idx_jobs_claimable", "1000 300 50"),
];

/// Writes [`QUEUE_STATISTICS`] for apalis' `Jobs` table and has SQLite plan with them.
async fn pin_statistics(pool: &apalis_sqlite::SqlitePool) -> anyhow::Result<()> {
    let failed = "cannot set the queue database's statistics";
    let mut connection = pool.acquire().await.context(failed)?;
    // Creates SQLite's statistics tables if this is a new database (quick: sampled).
    sqlx::query("PRAGMA analysis_limit = 100").execute(&mut *connection).await.context(failed)?;
    sqlx::query("ANALYZE Jobs").execute(&mut *connection).await.context(failed)?;
    let mut tx = sqlx::Connection::begin(&mut *connection).await.context(failed)?;
    sqlx::query("DELETE FROM sqlite_stat1 WHERE tbl = 'Jobs'").execute(&mut *tx).await.context(failed)?;
    let stat4: Option<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_schema WHERE name = 'sqlite_stat4'")
            .fetch_optional(&mut *tx)
            .await
            .context(failed)?;
    if stat4.is_some() {
        sqlx::query("DELETE FROM sqlite_stat4 WHERE tbl = 'Jobs'").execute(&mut *tx).await.context(failed)?;
    }
    for (index, stat) in QUEUE_STATISTICS {
        sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('Jobs', ?1, ?2)")
            .bind(index)
            .bind(stat)
            .execute(&mut *tx)
            .await
            .context(failed)?;
    }
    tx.commit().await.context(failed)?;
    // Makes the planner read the statistics again.
    sqlx::query("ANALYZE sqlite_schema").execute(&mut *connection).await.context(failed)?;
    Ok(())
}

/// apalis on Redis, under `<prefix>:draw` and `<prefix>:mail`.
#[derive(Clone)]
pub struct RedisQueue {
    draws: apalis_redis::RedisStorage<DrawJob>,
    mails: apalis_redis::RedisStorage<MailJob>,
    connection: redis::aio::ConnectionManager,
    prefix: String,
    bells: Bells,
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
        // after 3 missed heartbeats: 30 s rather than apalis' default 5 minutes.
        let config = |queue: &str| {
            apalis_redis::Config::default()
                .queue(format!("{prefix}:{queue}"))
                .heartbeat_interval(Duration::from_secs(10))
                .missed_heartbeats(3)
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
    async fn depth(&self, queue: &str) -> anyhow::Result<Depth> {
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
    async fn prune(&self, queue: &str, cutoff: i64) -> anyhow::Result<u64> {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(include_str!("queue/prune.lua")));
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
                let _: String = redis::cmd("PING")
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
        let cutoff = crate::clock::seconds_before_now(keep);
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

/// What a worker process runs its jobs with.
pub struct Workers {
    pub artist: Arc<Artist>,
    pub delivery: Arc<Delivery>,
    /// How many pictures are drawn at once.
    pub concurrency: usize,
    /// How often an idle worker looks for jobs.
    pub poll_every: Duration,
}

/// How many mails are sent at once.
const MAIL_CONCURRENCY: usize = 4;

impl Queue {
    /// Runs a drawing worker and a mail worker until `shutdown` completes.
    ///
    /// The workers are supervised: if apalis stops one (a backend error such as Redis going
    /// away, or its stream ending on its own), a new worker under a new name starts after a
    /// back-off, so the process never stays up without drawing or sending.
    pub async fn run_workers(
        self,
        workers: Workers,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let shutdown = shutdown.boxed().shared();
        let Workers { artist, delivery, concurrency, poll_every } = workers;
        // The backends' storages are different types, so the one worker recipe is spelled
        // by a macro, for the storage `$jobs` of whichever backend `$queue` is.
        macro_rules! run_on {
            ($queue:expr, $jobs:ident, $name:expr, $signal:expr, $on_exit:expr, $concurrency:expr, $data:expr, $handler:expr) => {{
                let bell = $queue.bells().$jobs.clone();
                match $queue {
                    Queue::Sqlite(queue) => {
                        WorkerBuilder::new($name)
                            .backend(
                                queue.$jobs.poll_with_strategy(Ticker::new(poll_every).or_when_rung(&bell)),
                            )
                            .concurrency($concurrency)
                            .data($data)
                            .on_event($on_exit)
                            .build($handler)
                            .run_until($signal)
                            .await
                    }
                    Queue::Redis(queue) => {
                        WorkerBuilder::new($name)
                            .backend(
                                queue.$jobs.poll_with_strategy(Ticker::new(poll_every).or_when_rung(&bell)),
                            )
                            .concurrency($concurrency)
                            .data($data)
                            .on_event($on_exit)
                            .build($handler)
                            .run_until($signal)
                            .await
                    }
                }
            }};
        }
        // Each worker runs in a task of its own. apalis fetches whenever its worker is
        // polled, so a worker sharing a task with anything else (the other worker, the web
        // server) fetches each time that wakes up: two idle workers in one task woke each
        // other into ~1,300 fetches a second.
        let draws = {
            let queue = self.clone();
            AbortOnDrop(tokio::spawn(supervise(
                "drawing",
                "artist",
                shutdown.clone(),
                move |name, signal, on_exit| {
                    let (queue, artist) = (queue.clone(), artist.clone());
                    async move { run_on!(queue, draws, name, signal, on_exit, concurrency, artist, draw_job) }
                },
            )))
        };
        let mails = AbortOnDrop(tokio::spawn(supervise(
            "mail",
            "postman",
            shutdown,
            move |name, signal, on_exit| {
                let (queue, delivery) = (self.clone(), delivery.clone());
                async move { run_on!(queue, mails, name, signal, on_exit, MAIL_CONCURRENCY, delivery, mail_job) }
            },
        )));
        let (draws, mails) = futures::future::join(draws, mails).await;
        draws.context("the drawing worker's task failed")??;
        mails.context("the mail worker's task failed")??;
        Ok(())
    }
}

/// A spawned task that is aborted when its handle is dropped, so workers never outlive
/// the [`Queue::run_workers`] future that started them.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

type Signal = futures::future::BoxFuture<'static, std::io::Result<()>>;
type OnExit = Box<dyn Fn(&WorkerContext, &Event) + Send + Sync>;

/// Runs the worker that `run` starts (given its name, its stop signal and its event
/// handler) until `shutdown`, starting a new one with back-off whenever it stops.
async fn supervise<F, Fut>(
    what: &'static str,
    prefix: &'static str,
    shutdown: futures::future::Shared<futures::future::BoxFuture<'static, ()>>,
    run: F,
) -> anyhow::Result<()>
where
    F: Fn(String, Signal, OnExit) -> Fut,
    Fut: Future<Output = Result<(), WorkerError>>,
{
    let mut backoff = RESTART_AFTER;
    loop {
        // A fresh name each time: apalis refuses a worker whose name is still registered.
        let name = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
        let exited = Arc::new(tokio::sync::Notify::new());
        let signal: Signal = {
            let (shutdown, exited) = (shutdown.clone(), exited.clone());
            async move {
                tokio::select! {
                    () = shutdown => {}
                    () = exited.notified() => {}
                }
                Ok(())
            }
            .boxed()
        };
        let on_exit: OnExit = Box::new(move |_: &WorkerContext, event: &Event| {
            if matches!(event, Event::Exit) {
                exited.notify_one();
            }
        });
        let started = tokio::time::Instant::now();
        tracing::info!(worker = %name, "{what} worker started");
        let outcome = run(name.clone(), signal, on_exit).await;
        if shutdown.peek().is_some() {
            return Ok(());
        }
        match outcome {
            Ok(()) => {
                tracing::error!(worker = %name, "the {what} worker stopped on its own; starting another")
            }
            Err(error) => {
                tracing::error!(worker = %name, %error, "the {what} worker failed; starting another")
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            backoff = RESTART_AFTER;
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.clone() => return Ok(()),
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// How long a caller waits for the queue to take a job.
pub const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// `push`, given at most [`ENQUEUE_TIMEOUT`]: a queue that does not answer is an error, so a
/// request never hangs on it (the caller leaves the job to its outbox, or logs it).
pub async fn within_enqueue_timeout(push: impl Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    crate::clock::within(ENQUEUE_TIMEOUT, push).await.context("the queue did not take the job")
}

/// The first wait before a stopped worker is replaced; doubles up to 30 s.
const RESTART_AFTER: Duration = Duration::from_millis(500);

/// Pushes `$job` to the storage `$field` of whichever backend `$queue` is, then rings the
/// bell of this process' worker for it.
macro_rules! push_to {
    ($queue:expr, $field:ident, $job:expr, $what:literal) => {
        match $queue {
            Queue::Sqlite(queue) => queue.$field.clone().push($job).await.map_err(|e| e.to_string()),
            Queue::Redis(queue) => queue.$field.clone().push($job).await.map_err(|e| e.to_string()),
        }
        .map(|()| $queue.bells().$field.ring())
        .map_err(|error| anyhow::anyhow!(concat!("cannot queue the ", $what, ": {}"), error))
    };
}

#[async_trait::async_trait]
impl DrawQueue for Queue {
    async fn enqueue(&self, order_id: &str) -> anyhow::Result<()> {
        push_to!(self, draws, DrawJob { order_id: order_id.to_owned() }, "drawing job")
    }
}

#[async_trait::async_trait]
impl MailQueue for Queue {
    async fn enqueue_mail(&self, job: MailJob) -> anyhow::Result<()> {
        push_to!(self, mails, job, "mail")
    }
}

/// Wakes this process' worker of one queue when this process pushes a job to it, so the
/// job does not wait for the worker's next poll tick. Jobs pushed by other processes
/// (scale-out) are still found by the tick.
#[derive(Clone, Default)]
pub struct Bell(Arc<tokio::sync::Notify>);

impl Bell {
    /// Wakes the worker, or, if it is busy, makes its next look for jobs come at once.
    pub fn ring(&self) {
        self.0.notify_one();
    }
}

/// The bells of the drawing and mail workers.
#[derive(Clone, Default)]
struct Bells {
    draws: Bell,
    mails: Bell,
}

impl Queue {
    /// The bells of this process' workers, whichever the backend.
    fn bells(&self) -> &Bells {
        match self {
            Queue::Sqlite(queue) => &queue.bells,
            Queue::Redis(queue) => &queue.bells,
        }
    }
}

/// A fixed-interval poll strategy that never loses its wake-up, and that also wakes the
/// worker when its [`Bell`] rings.
///
/// apalis-core 1.0's `IntervalStrategy` swaps in a fresh timer when a tick fires but does
/// not poll it, so no waker is registered for the next tick. When a fetch completes in the
/// same poll (fetches slower than the interval, i.e. under load) nothing wakes the worker
/// until its 30 s heartbeat: jobs sit in the queue. This strategy re-arms and polls its
/// timer at once, so the next tick always wakes the worker.
pub struct Ticker {
    every: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    bell: Option<(Bell, Pin<Box<tokio::sync::futures::OwnedNotified>>)>,
}

impl Ticker {
    pub fn new(every: Duration) -> Self {
        Self { every, sleep: Box::pin(tokio::time::sleep(every)), bell: None }
    }

    /// Also wakes the worker whenever `bell` rings.
    pub fn or_when_rung(mut self, bell: &Bell) -> Self {
        self.bell = Some((bell.clone(), Box::pin(Arc::clone(&bell.0).notified_owned())));
        self
    }
}

impl PollStrategy for Ticker {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _snapshot: &PollSnapshot) -> Poll<Option<()>> {
        let mut due = false;
        if let Some((bell, rung)) = &mut self.bell
            && rung.as_mut().poll(cx).is_ready()
        {
            // Listens for the next ring (polling registers this task's waker).
            *rung = Box::pin(Arc::clone(&bell.0).notified_owned());
            let _ = rung.as_mut().poll(cx);
            due = true;
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.sleep.as_mut().reset(tokio::time::Instant::now() + self.every);
            // Registers this task's waker for the next tick.
            let _ = self.sleep.as_mut().poll(cx);
            due = true;
        }
        if due { Poll::Ready(Some(())) } else { Poll::Pending }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        task::Wake,
    };

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// apalis-sqlite 1.0's acknowledgement (`queries/task/ack.sql`), as its plan is checked.
    const APALIS_ACK: &str = "WITH j AS (SELECT value ->> 'task_id' AS task_id, value ->> 'attempt' AS attempt, \
         value ->> 'result' AS result, value ->> 'status' AS status FROM json_each(?1)) \
         UPDATE Jobs SET status = j.status, attempts = j.attempt, last_result = j.result, \
         done_at = strftime('%s', 'now') FROM j WHERE Jobs.id = j.task_id AND Jobs.lock_by = ?2";

    async fn ack_plan(queue: &SqliteQueue) -> Vec<String> {
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {APALIS_ACK}")))
                .bind("[]")
                .bind("artist-1")
                .fetch_all(&queue.pool)
                .await
                .expect("the acknowledgement is planned");
        rows.into_iter().map(|(_, _, _, detail)| detail).collect()
    }

    #[tokio::test]
    async fn the_queue_acknowledges_a_job_by_its_id_however_many_jobs_its_worker_holds() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}/queue.db", dir.path().display());
        let by_id = |plan: &[String]| {
            plan.iter().any(|step| step.contains("Jobs USING INDEX sqlite_autoindex_Jobs_1 (id=?)"))
                && !plan.iter().any(|step| step.contains("LIdx"))
        };

        let queue = SqliteQueue::open(&url).await.expect("the queue opens");
        let plan = ack_plan(&queue).await;
        assert!(by_id(&plan), "a new queue acknowledges by id: {plan:?}");

        // One worker holding 5,000 finished jobs, then a restart.
        sqlx::query("INSERT INTO Workers (id, worker_type, storage_name) VALUES ('artist-1', 'draw', 'SqliteStorage')")
            .execute(&queue.pool)
            .await
            .expect("a worker");
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
             INSERT INTO Jobs (job, id, job_type, status, lock_by, done_at) \
             SELECT x'7b7d', 'job-' || i, 'draw', 'Done', 'artist-1', 1 FROM n",
        )
        .execute(&queue.pool)
        .await
        .expect("jobs");
        queue.pool.close().await;
        let queue = SqliteQueue::open(&url).await.expect("the queue opens again");
        let plan = ack_plan(&queue).await;
        assert!(by_id(&plan), "a full queue acknowledges by id: {plan:?}");
        assert_eq!(queue.prune(2).await.expect("pruned"), 5000, "the finished jobs are removed");
        let plan = ack_plan(&queue).await;
        assert!(by_id(&plan), "and after pruning: {plan:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_ticker_wakes_the_worker_after_every_tick_without_being_polled_in_between() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = std::task::Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let mut ticker = Ticker::new(Duration::from_millis(50));
        let snapshot = PollSnapshot::default();

        assert!(ticker.poll_drive(&mut cx, &snapshot).is_pending());
        for tick in 1..=3 {
            tokio::time::advance(Duration::from_millis(50)).await;
            tokio::task::yield_now().await;
            // The timer woke us; polling it is the only poll of this round (a fetch that
            // completes in the same poll registers nothing else).
            assert_eq!(counter.0.load(Ordering::SeqCst), tick, "woken for tick {tick}");
            assert_eq!(ticker.poll_drive(&mut cx, &snapshot), Poll::Ready(Some(())));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn ringing_the_bell_wakes_the_worker_before_its_tick_every_time() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = std::task::Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let bell = Bell::default();
        let mut ticker = Ticker::new(Duration::from_secs(60)).or_when_rung(&bell);
        let snapshot = PollSnapshot::default();

        assert!(ticker.poll_drive(&mut cx, &snapshot).is_pending());
        for ring in 1..=3 {
            bell.ring();
            assert_eq!(counter.0.load(Ordering::SeqCst), ring, "woken by ring {ring}");
            assert_eq!(ticker.poll_drive(&mut cx, &snapshot), Poll::Ready(Some(())));
            // Nothing more is due until the next ring (or the tick, a minute away).
            assert!(ticker.poll_drive(&mut cx, &snapshot).is_pending());
        }
        // Rung twice before the worker looks again: it looks.
        bell.ring();
        bell.ring();
        assert_eq!(ticker.poll_drive(&mut cx, &snapshot), Poll::Ready(Some(())));
    }
}

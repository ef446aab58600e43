//! apalis on SQLite: the embedded default's queue, in its own database file.

use super::{Bells, DRAW_QUEUE, DrawJob, HEARTBEAT, MAIL_QUEUE, MISSED_HEARTBEATS};
use crate::mail::MailJob;
use anyhow::Context as _;
use apalis_sqlite::{Config, SqliteStorage};
use std::time::Duration;

/// apalis on SQLite, in its own database file beside the app's (apalis runs its own
/// migrations, which must not mix with ours).
#[derive(Clone)]
pub struct SqliteQueue {
    pub(crate) draws: SqliteStorage<DrawJob>,
    pub(crate) mails: SqliteStorage<MailJob>,
    pub(crate) pool: apalis_sqlite::SqlitePool,
    pub(crate) bells: Bells,
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
            draws: SqliteStorage::new(&pool).with_config(config(DRAW_QUEUE)),
            mails: SqliteStorage::new(&pool).with_config(config(MAIL_QUEUE)),
            pool,
            bells: Bells::default(),
        })
    }
}

impl SqliteQueue {
    /// Removes jobs that finished before `cutoff` (Unix seconds).
    pub(crate) async fn prune(&self, cutoff: i64) -> anyhow::Result<u64> {
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

/// A queue's apalis settings: a worker that stops sending heartbeats (killed, or its
/// machine gone) has its jobs handed back to the queue by the next worker's heartbeat after
/// [`MISSED_HEARTBEATS`] × [`HEARTBEAT`].
fn config(queue: &str) -> Config {
    Config::default().queue(queue).heartbeat_interval(HEARTBEAT).missed_heartbeats(MISSED_HEARTBEATS)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

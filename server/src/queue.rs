//! The drawing queue: apalis, on SQLite in the embedded default.
//!
//! The job is the order id and nothing else; [`draw_job`] does not know which backend
//! delivered it.

use crate::artist::Artist;
use anyhow::Context;
use apalis::prelude::*;
use apalis_sqlite::{Config, SqliteStorage};
use serde::{Deserialize, Serialize};
use std::{sync::Arc, time::Duration};

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
pub async fn draw_job(job: DrawJob, artist: Data<Arc<Artist>>) -> Result<(), BoxDynError> {
    artist.draw(&job.order_id).await.map_err(Into::into)
}

const QUEUE: &str = "draw";

/// apalis on SQLite, in its own database file beside the app's (apalis runs its own
/// migrations, which must not mix with ours).
#[derive(Clone)]
pub struct SqliteQueue {
    storage: SqliteStorage<DrawJob>,
}

impl SqliteQueue {
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let options: apalis_sqlite::SqliteConnectOptions =
            url.parse().with_context(|| format!("the queue URL is not a SQLite URL: {url}"))?;
        let pool = apalis_sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.create_if_missing(true).busy_timeout(Duration::from_secs(5)))
            .await
            .with_context(|| format!("cannot open the queue database {url}"))?;
        SqliteStorage::setup(&pool).await.context("cannot set up the queue database")?;
        let storage = SqliteStorage::new(&pool).with_config(Config::default().queue(QUEUE));
        Ok(Self { storage })
    }

    /// Runs a worker that draws `concurrency` pictures at a time until `shutdown` completes.
    pub async fn run_worker(
        self,
        name: String,
        artist: Arc<Artist>,
        concurrency: usize,
        poll_every: Duration,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let backend = self.storage.poll_with_interval(poll_every);
        WorkerBuilder::new(name)
            .backend(backend)
            .concurrency(concurrency)
            .data(artist)
            .build(draw_job)
            .run_until(async move {
                shutdown.await;
                Ok::<(), std::io::Error>(())
            })
            .await
            .context("the drawing worker stopped with an error")
    }
}

#[async_trait::async_trait]
impl DrawQueue for SqliteQueue {
    async fn enqueue(&self, order_id: &str) -> anyhow::Result<()> {
        let mut storage = self.storage.clone();
        storage
            .push(DrawJob { order_id: order_id.to_owned() })
            .await
            .map_err(|error| anyhow::anyhow!("cannot queue the drawing job: {error}"))
    }
}

//! The sweep every worker process runs: at start-up and every `LTD_SWEEP_SECS`.

use crate::{
    alerts::Alerts, loyalty::Points, mail::Postman, orders::Orders, platform::metrics::Metrics, queue::Queue,
};
use futures::future::Shared;
use std::{future::Future, sync::Arc, time::Duration};

/// What the sweep of a drawing process looks after.
pub struct Sweep {
    pub orders: Arc<Orders>,
    pub postman: Arc<Postman>,
    pub alerts: Arc<Alerts>,
    pub points: Arc<Points>,
    pub queue: Queue,
    pub metrics: Arc<Metrics>,
    /// How often it runs.
    pub every: Duration,
    /// Finished jobs older than this are removed from the queue.
    pub keep_finished: Duration,
}

/// How long an order or mail marked for the queue may still be on its way there from the
/// request that marked it: the sweep leaves it alone until then (queueing it twice would run
/// two jobs for it, and a mail could go out twice over SMTP).
const ON_ITS_WAY: Duration = Duration::from_secs(crate::queue::ENQUEUE_TIMEOUT.as_secs() + 1);

impl Sweep {
    /// One round: queues orders whose job may be missing (and, `at_start`, those left in
    /// progress by a process that died), publishes live updates left unpublished, queues again the orders the watchdog finds
    /// stuck, queues mails that never reached the queue, makes refunds not made yet, expires
    /// points held too long, sends the failure alert when due, and forgets jobs finished
    /// long ago.
    pub async fn once(&self, at_start: bool) {
        // At start-up no order of this process is on its way to the queue.
        let settled = if at_start { Duration::ZERO } else { ON_ITS_WAY };
        if let Err(error) = self.orders.requeue_pending(at_start, settled).await {
            tracing::error!(%error, "the order queue sweep failed");
        }
        if let Err(error) = self.orders.publish_pending(settled).await {
            tracing::error!(%error, "the live-update sweep failed");
        }
        match self.orders.requeue_stuck().await {
            Ok(requeued) => self.metrics.orders_requeued(requeued),
            Err(error) => tracing::error!(%error, "the watchdog failed"),
        }
        if let Err(error) = self.postman.requeue_pending(ON_ITS_WAY).await {
            tracing::error!(error = %format!("{error:#}"), "the mail sweep failed");
        }
        if let Err(error) = self.orders.refund_superseded(None).await {
            tracing::error!(%error, "the sweep of late payments on earlier checkouts failed");
        }
        if let Err(error) = self.orders.refund_pending().await {
            tracing::error!(%error, "the refund sweep failed");
        }
        if let Err(error) = self.points.expire_due().await {
            tracing::error!(%error, "the points expiry sweep failed");
        }
        self.alerts.check().await;
        match self.queue.prune(self.keep_finished).await {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "removed finished jobs from the queue"),
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "could not remove finished jobs"),
        }
    }

    /// Runs a round every [`Sweep::every`] until `stopped`.
    pub async fn run_until<F>(self, stopped: Shared<F>) -> anyhow::Result<()>
    where
        F: Future<Output = ()> + Send,
    {
        let mut every = tokio::time::interval(self.every);
        every.tick().await;
        loop {
            tokio::select! {
                _ = every.tick() => self.once(false).await,
                () = stopped.clone() => return Ok(()),
            }
        }
    }
}

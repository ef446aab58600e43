//! Getting every accepted order drawn: the `enqueue_pending` mark and its sweep, and the
//! watchdog that does not trust the queue.
//!
//! An order is stored marked `enqueue_pending`, cleared once its job is queued; the sweep queues
//! the orders whose flag is still set. Once queued, an order is watched: every status change
//! and every drawing attempt sets its `watch_at` ahead by the watchdog's period, and finishing
//! clears it. An order still queued or in progress when it is due had its job lost (a worker
//! killed, or stopped, while it held it), and the watchdog queues it again. A second delivery
//! is harmless: the artist draws each order once (one picture key, forward-only statuses).

use super::{Orders, status::UNFINISHED};
use crate::{platform::clock::now_millis, platform::error::internal};
use app::{domain::OrderStatus, error::AppError};
use std::time::Duration;

/// The most a stuck order is queued again in one sweep round.
const WATCH_BATCH: i64 = 500;

/// The longest wait between two re-queues of the same order: the watchdog's period doubles
/// with every re-queue (a long backlog is not flooded with copies of its jobs), up to this.
const LONGEST_WATCH: Duration = Duration::from_secs(3600);

impl Orders {
    /// Hands an order to the queue and clears its `enqueue_pending` mark. On failure the mark stays
    /// set and [`Orders::requeue_pending`] tries again.
    pub(super) async fn dispatch(&self, id: &str) {
        match self.queue.enqueue(id).await {
            Ok(()) => {
                let cleared = sqlx::query("UPDATE orders SET enqueue_pending = 0 WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await;
                if let Err(error) = cleared {
                    // Harmless: the sweep enqueues it again and the artist draws it once.
                    tracing::warn!(order.id = %id, %error, "could not clear the enqueue mark");
                }
            }
            Err(error) => {
                tracing::warn!(order.id = %id, error = %format!("{error:#}"), "queueing failed; the sweep will retry")
            }
        }
    }

    /// The order queue sweep: queues every order whose job may not have reached the queue (and
    /// was marked so at least `older_than` ago: a younger one may still be on its way there
    /// from the request that marked it, and queueing it twice would run two jobs for it), and,
    /// with `orphans`, every order left in progress (its worker died with it).
    /// Returns how many it queued.
    pub async fn requeue_pending(&self, orphans: bool, older_than: Duration) -> Result<usize, AppError> {
        let sql = if orphans {
            "SELECT id FROM orders WHERE (enqueue_pending = 1 AND updated_at <= $1) OR status = $2"
        } else {
            "SELECT id FROM orders WHERE enqueue_pending = 1 AND updated_at <= $1"
        };
        let older_than = i64::try_from(older_than.as_millis()).unwrap_or(i64::MAX);
        let mut query = sqlx::query_as(sql).bind(now_millis().saturating_sub(older_than));
        if orphans {
            query = query.bind(OrderStatus::InProgress);
        }
        let ids: Vec<(String,)> =
            query.fetch_all(&self.pool).await.map_err(internal("could not read the orders to queue"))?;
        for (id,) in &ids {
            self.dispatch(id).await;
        }
        if !ids.is_empty() {
            tracing::info!(count = ids.len(), "re-queued orders");
        }
        Ok(ids.len())
    }

    /// The watchdog: queues again every order still queued or in progress past its due
    /// time, and moves its due time on (doubling the period with each re-queue). Each
    /// order is claimed by one sweep (several workers may sweep at once). Returns how many
    /// it queued again.
    pub async fn requeue_stuck(&self) -> Result<usize, AppError> {
        let now = now_millis();
        let due: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT id, watch_at, requeues FROM orders WHERE watch_at <= $1 \
             AND status IN ($3, $4) ORDER BY watch_at LIMIT $2",
        )
        .bind(now)
        .bind(WATCH_BATCH)
        .bind(UNFINISHED[0])
        .bind(UNFINISHED[1])
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the orders to watch"))?;
        let mut requeued = 0;
        for (id, watch_at, requeues) in due {
            let period = self.watch.saturating_mul(1 << requeues.clamp(0, 16)).min(LONGEST_WATCH);
            let claimed = sqlx::query(
                "UPDATE orders SET watch_at = $1, requeues = requeues + 1 \
                 WHERE id = $2 AND watch_at = $3 AND status IN ($4, $5)",
            )
            .bind(now.saturating_add(crate::platform::clock::millis(period)))
            .bind(&id)
            .bind(watch_at)
            .bind(UNFINISHED[0])
            .bind(UNFINISHED[1])
            .execute(&self.pool)
            .await
            .map_err(internal("could not claim the order"))?;
            if claimed.rows_affected() == 0 {
                continue;
            }
            tracing::warn!(order.id = %id, requeues = requeues + 1, "order had no progress in time; queued again");
            self.dispatch(&id).await;
            requeued += 1;
        }
        Ok(requeued)
    }

    /// Orders this process accepted but did not finish before it stopped: each is queued
    /// again now and made due for the watchdog at once, so if the queue does not take it,
    /// the next sweep (this process' after a restart, or another worker's) does.
    pub async fn give_back(&self, ids: &[String]) -> Result<(), AppError> {
        for id in ids {
            sqlx::query("UPDATE orders SET watch_at = $1 WHERE id = $2 AND status IN ($3, $4)")
                .bind(now_millis())
                .bind(id)
                .bind(UNFINISHED[0])
                .bind(UNFINISHED[1])
                .execute(&self.pool)
                .await
                .map_err(internal("could not give the order back"))?;
            tracing::warn!(order.id = %id, "order not finished before the stop; handed back to the watchdog");
            self.dispatch(id).await;
        }
        Ok(())
    }
}

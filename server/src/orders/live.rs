//! Live updates of order changes: published after the change committed, and by the sweep
//! for changes whose process died before (see [`crate::events`]).

use super::{OrderRow, Orders};
use crate::{
    events::OrderEvent,
    platform::{
        clock::{millis, now_millis},
        db,
        error::internal,
    },
};
use app::{domain::Order, error::AppError};
use std::time::Duration;
use tokio::sync::oneshot;

impl Orders {
    /// Publishes an order's change to everyone watching, after the change committed, without
    /// waiting for the fan-out. Once the fan-out took it, the order's `publish_pending` mark
    /// is cleared (unless a newer change set it again); otherwise the mark stays and the
    /// sweep publishes the order's state as it is then.
    pub(super) async fn publish(&self, row: &OrderRow) -> Result<Order, AppError> {
        let order = row.to_order()?;
        let mut taken =
            self.events.publish(OrderEvent { user_id: row.user_id.clone(), order: order.clone() });
        match taken.try_recv() {
            Ok(true) => clear_publish_mark(&self.pool, &row.id, row.updated_at).await,
            Ok(false) | Err(oneshot::error::TryRecvError::Closed) => {}
            Err(oneshot::error::TryRecvError::Empty) => {
                let (pool, id, updated_at) = (self.pool.clone(), row.id.clone(), row.updated_at);
                // Only the clearing waits here; the mark is already stored.
                tokio::spawn(async move {
                    if let Ok(Ok(true)) = tokio::time::timeout(PUBLISH_WAIT, taken).await {
                        clear_publish_mark(&pool, &id, updated_at).await;
                    }
                });
            }
        }
        Ok(order)
    }

    /// The live-update sweep: publishes every order whose change was committed at least
    /// `older_than` ago and not published (its process died between the two, or the
    /// fan-out was away). Returns how many it published.
    pub async fn publish_pending(&self, older_than: Duration) -> Result<usize, AppError> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE publish_pending = 1 AND updated_at <= $1 ORDER BY updated_at LIMIT 500"
        ))
        .bind(now_millis().saturating_sub(millis(older_than)))
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the unpublished changes"))?;
        for row in &rows {
            self.publish(row).await?;
        }
        if !rows.is_empty() {
            tracing::info!(count = rows.len(), "published live updates left over");
        }
        Ok(rows.len())
    }
}

/// How long a published change waits for the fan-out (Redis) to take it before the sweep's
/// turn.
const PUBLISH_WAIT: Duration = Duration::from_secs(30);

/// Clears an order's `publish_pending` mark, unless a change newer than `updated_at` set it.
async fn clear_publish_mark(pool: &db::Pool, id: &str, updated_at: i64) {
    let cleared = sqlx::query(
        "UPDATE orders SET publish_pending = 0 WHERE id = $1 AND updated_at = $2 AND publish_pending = 1",
    )
    .bind(id)
    .bind(updated_at)
    .execute(pool)
    .await;
    if let Err(error) = cleared {
        // Harmless: the sweep publishes the current state once more.
        tracing::warn!(order.id = %id, %error, "could not clear the publish mark");
    }
}

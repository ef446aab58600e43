//! Drawings that fail for good: the order fails (listed as a dead letter, its owner told
//! or its payment refunded), and an admin's Retry queues an unpaid one again.

use super::{
    OrderRow, Orders,
    status::{FAIL_DRAWING, RETRY},
};
use crate::{
    mail::{MailJob, OrderNews, keep_pending},
    platform::{clock::now_millis, error::internal},
};
use app::{
    domain::{Order, OrderStatus},
    error::AppError,
};

impl Orders {
    /// Marks an unfinished order failed after `attempts` tries, with a plain `reason` for its
    /// owner (the order, the API, the mail), and lists it with the failures (the dead
    /// letters) with the operators' `detail`, in the same transaction. A paid order is
    /// refunded; an order paid with points gets them back in the same transaction; an
    /// unpaid one's owner is told by mail.
    pub async fn fail(
        &self,
        id: &str,
        reason: &str,
        detail: &str,
        attempts: u32,
    ) -> Result<Option<OrderRow>, AppError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $4, failure_reason = $1, \
             refund_pending = CASE WHEN paid_at IS NOT NULL THEN 1 ELSE 0 END, watch_at = NULL, publish_pending = 1, updated_at = $2 \
             WHERE id = $3 AND status IN ($5, $6) RETURNING ",
            crate::order_columns!()
        ))
        .bind(reason)
        .bind(now)
        .bind(id)
        .bind(FAIL_DRAWING.to)
        .bind(FAIL_DRAWING.from[0])
        .bind(FAIL_DRAWING.from[1])
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not update the order"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        if let Some(points) = row.points_paid {
            crate::loyalty::give_back(&mut tx, &row.user_id, id, points).await?;
        }
        sqlx::query(
            "INSERT INTO failures (id, order_id, error, attempts, failed_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(id)
        .bind(detail)
        .bind(i64::from(attempts))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal("could not record the failure"))?;
        // An unpaid order's owner hears of it now; a paid one's with the refund.
        let news = (row.refund_pending == 0).then(|| {
            let reason = match row.points_paid {
                Some(points) => format!("{reason}. The {points} points it took are back in your balance"),
                None => reason.to_owned(),
            };
            MailJob::order_news(id, OrderNews::DrawFailed { reason })
        });
        if let Some(job) = &news {
            keep_pending(&mut tx, job).await.map_err(internal("could not store the mail"))?;
        }
        tx.commit().await.map_err(internal("could not commit the failure"))?;
        tracing::warn!(order.id = %id, detail, attempts, "order failed");
        self.publish(&row).await?;
        if let Some(job) = news {
            self.postman.dispatch(job).await;
        } else if let Err(error) = self.refund(&row).await {
            // Refunded by the sweep instead; the owner's mail tells of the refund.
            tracing::warn!(order.id = %id, %error, "refund not made yet; the sweep will retry");
        }
        if let Some(alerts) = &self.alerts {
            let alerts = alerts.clone();
            tokio::spawn(async move { alerts.check().await });
        }
        Ok(Some(row))
    }

    /// An admin's **Retry** of a failed drawing: the order is queued again (it can still
    /// reach done) and leaves the failures list. Only failed, unpaid orders: a paid one is
    /// refunded instead, and one paid with points had them back.
    pub(super) async fn retry_failed(&self, id: &str) -> Result<Order, AppError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $4, failure_reason = NULL, failed_attempts = 0, \
             enqueue_pending = 1, watch_at = $1, publish_pending = 1, updated_at = $2 \
             WHERE id = $3 AND status = $5 AND paid_at IS NULL AND points_paid IS NULL AND refund_pending = 0 RETURNING ",
            crate::order_columns!()
        ))
        .bind(self.watch_from_now())
        .bind(now)
        .bind(id)
        .bind(RETRY.to)
        .bind(RETRY.from[0])
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not queue the order again"))?;
        let Some(row) = row else {
            let status: Option<(OrderStatus,)> = sqlx::query_as("SELECT status FROM orders WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal("could not read the order"))?;
            return Err(match status {
                None => AppError::NotFound,
                Some((status,)) => AppError::Conflict {
                    field: "order_id".into(),
                    message: format!(
                        "only a failed, unpaid order can be retried; this one is {}",
                        status.label()
                    ),
                },
            });
        };
        sqlx::query("UPDATE failures SET retried_at = $1 WHERE order_id = $2 AND retried_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(internal("could not close the failure"))?;
        tx.commit().await.map_err(internal("could not commit the retry"))?;
        tracing::info!(order.id = %id, "order queued again by an admin");
        self.dispatch(id).await;
        self.publish(&row).await
    }
}

//! Refunds: a paid order that could not be drawn gets its money back, and so does one an
//! admin refunds after it was drawn; the points a refunded order earned are taken back.

use super::{OrderRow, Orders, status::REFUND};
use crate::{
    loyalty,
    mail::{MailJob, OrderNews, keep_pending},
    payments::RefundRequest,
    platform::clock::now_millis,
    platform::error::internal,
};
use app::{
    domain::{Order, OrderStatus},
    error::AppError,
};

impl Orders {
    /// Gives a failed paid order's payment back through the provider (idempotently: the
    /// provider is asked with a key derived from the order), then marks it refunded and
    /// mails its owner. `Ok(None)` when there is nothing (left) to refund.
    pub async fn refund(&self, row: &OrderRow) -> Result<Option<OrderRow>, AppError> {
        let Some(payment_intent) = row.payment_intent.clone() else {
            tracing::error!(order.id = %row.id, "a paid order without a payment to refund; refund it by hand");
            return Err(AppError::Unavailable { message: "the payment to refund is unknown".into() });
        };
        let request = RefundRequest {
            order_id: row.id.clone(),
            payment_intent,
            amount_cents: row.amount_paid_cents.unwrap_or(row.price_cents),
            currency: row.currency.clone(),
            idempotency_key: format!("ltd-refund-{}", row.id),
        };
        let refund_id = self.payments.refund(&request).await.map_err(|error| {
            tracing::warn!(order.id = %row.id, error = %format!("{error:#}"), "the refund was refused");
            AppError::Unavailable { message: "the payment provider did not make the refund".into() }
        })?;
        let now = now_millis();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let refunded: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $5, refund_id = $1, refunded_at = $2, refund_pending = 0, \
             publish_pending = 1, updated_at = $3 WHERE id = $4 AND status IN ($6, $7, $8) AND refund_pending = 1 RETURNING ",
            crate::order_columns!()
        ))
        .bind(&refund_id)
        .bind(now)
        .bind(now)
        .bind(&row.id)
        .bind(REFUND.to)
        .bind(REFUND.from[0])
        .bind(REFUND.from[1])
        .bind(REFUND.from[2])
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not record the refund"))?;
        let Some(refunded) = refunded else {
            return Ok(None);
        };
        let (points_taken, points_owed) = loyalty::take_back_earned(&mut tx, &row.user_id, &row.id).await?;
        let news = if row.status == OrderStatus::Done {
            OrderNews::RefundedByShop { amount_cents: request.amount_cents, points_taken, points_owed }
        } else {
            let reason = refunded.failure_reason.clone().unwrap_or_default();
            OrderNews::Refunded { reason, amount_cents: request.amount_cents }
        };
        let news = MailJob::order_news(&row.id, news);
        keep_pending(&mut tx, &news).await.map_err(internal("could not store the mail"))?;
        tx.commit().await.map_err(internal("could not commit the refund"))?;
        tracing::info!(order.id = %row.id, refund.id = %refund_id, "order refunded");
        self.publish(&refunded).await?;
        self.postman.dispatch(news).await;
        Ok(Some(refunded))
    }

    /// An admin's refund of a paid order that was drawn: its payment goes back through the
    /// provider and the points it earned are taken back. Made now, or by the sweep when the
    /// provider does not answer (then [`AppError::Unavailable`]). Only done, paid orders.
    pub(super) async fn refund_done(&self, id: &str) -> Result<Order, AppError> {
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET refund_pending = 1, updated_at = $1 \
             WHERE id = $2 AND status = $3 AND paid_at IS NOT NULL AND refund_pending = 0 RETURNING ",
            crate::order_columns!()
        ))
        .bind(now_millis())
        .bind(id)
        .bind(OrderStatus::Done)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not mark the refund"))?;
        let Some(row) = row else {
            let status: Option<(OrderStatus, Option<i64>)> =
                sqlx::query_as("SELECT status, paid_at FROM orders WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(internal("could not read the order"))?;
            return Err(match status {
                None => AppError::NotFound,
                Some((status, paid_at)) => AppError::Conflict {
                    field: "order_id".into(),
                    message: if paid_at.is_none() {
                        "only a paid order can be refunded; this one was not paid with money".into()
                    } else {
                        format!("only a done order is refunded this way; this one is {}", status.label())
                    },
                },
            });
        };
        tracing::info!(order.id = %id, "an admin refunds a done order");
        match self.refund(&row).await? {
            Some(refunded) => refunded.to_order(),
            None => self.order_by_id(id).await,
        }
    }

    /// The refund sweep: refunds every failed paid order whose refund was not made yet.
    pub async fn refund_pending(&self) -> Result<usize, AppError> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE refund_pending = 1 AND status IN ($1, $2, $3)"
        ))
        .bind(REFUND.from[0])
        .bind(REFUND.from[1])
        .bind(REFUND.from[2])
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the refunds to make"))?;
        let mut made = 0;
        for row in &rows {
            if let Ok(Some(_)) = self.refund(row).await {
                made += 1;
            }
        }
        Ok(made)
    }
}

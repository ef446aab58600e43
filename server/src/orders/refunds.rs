//! Refunds: a paid order that could not be drawn gets its money back.

use super::{OrderRow, Orders, status::REFUND};
use crate::{
    mail::{MailJob, OrderNews, keep_pending},
    payments::RefundRequest,
    platform::clock::now_millis,
    platform::error::internal,
};
use app::error::AppError;

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
             publish_pending = 1, updated_at = $3 WHERE id = $4 AND status IN ($6, $7) AND refund_pending = 1 RETURNING ",
            crate::order_columns!()
        ))
        .bind(&refund_id)
        .bind(now)
        .bind(now)
        .bind(&row.id)
        .bind(REFUND.to)
        .bind(REFUND.from[0])
        .bind(REFUND.from[1])
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not record the refund"))?;
        let Some(refunded) = refunded else {
            return Ok(None);
        };
        let reason = refunded.failure_reason.clone().unwrap_or_default();
        let news =
            MailJob::order_news(&row.id, OrderNews::Refunded { reason, amount_cents: request.amount_cents });
        keep_pending(&mut tx, &news).await.map_err(internal("could not store the mail"))?;
        tx.commit().await.map_err(internal("could not commit the refund"))?;
        tracing::info!(order.id = %row.id, refund.id = %refund_id, "order refunded");
        self.publish(&refunded).await?;
        self.postman.dispatch(news).await;
        Ok(Some(refunded))
    }

    /// The refund sweep: refunds every failed paid order whose refund was not made yet.
    pub async fn refund_pending(&self) -> Result<usize, AppError> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE refund_pending = 1 AND status IN ($1, $2)"
        ))
        .bind(REFUND.from[0])
        .bind(REFUND.from[1])
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

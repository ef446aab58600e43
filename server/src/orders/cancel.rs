//! Cancelling an order that waits for payment, and ordering the same again.

use super::{OrderRow, Orders, status::CANCEL};
use crate::platform::{clock::now_millis, error::internal};
use app::{
    domain::{Order, User, loyalty::PayWith},
    error::AppError,
    services::OrderService,
};

impl Orders {
    /// Cancels the caller's order while it waits for payment, then closes its checkout at
    /// the provider (a payment that still arrives is given back by the webhook).
    pub async fn cancel_order(&self, user: &User, id: &str) -> Result<OrderRow, AppError> {
        let cancelled: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $1, failure_reason = 'cancelled', watch_at = NULL, \
             publish_pending = 1, updated_at = $2 WHERE id = $3 AND user_id = $4 AND status = $5 \
             AND paid_at IS NULL RETURNING ",
            crate::order_columns!()
        ))
        .bind(CANCEL.to)
        .bind(now_millis())
        .bind(id)
        .bind(&user.id)
        .bind(CANCEL.from[0])
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not cancel the order"))?;
        let Some(row) = cancelled else {
            let current = self.row_of(user, id).await?;
            return Err(AppError::Conflict {
                field: "status".into(),
                message: format!(
                    "only an order waiting for payment can be cancelled; this one is {}",
                    current.status.label()
                ),
            });
        };
        tracing::info!(order.id = %id, "order cancelled");
        self.publish(&row).await?;
        if let Some(session) = &row.checkout_session_id
            && let Err(error) = self.payments.expire_checkout(session).await
        {
            // The session expires by itself within half an hour; a payment made before then
            // is refunded.
            tracing::warn!(order.id = %id, error = %format!("{error:#}"), "could not close the checkout session");
        }
        Ok(row)
    }

    /// A new order of the same shape as the caller's order `id`: same colour and seed
    /// unless given.
    pub async fn order_again(
        &self,
        user: &User,
        id: &str,
        colour: Option<&str>,
        seed: Option<u32>,
    ) -> Result<Order, AppError> {
        let earlier = self.row_of(user, id).await?;
        let colour = colour.unwrap_or(&earlier.color);
        self.create(user, &earlier.shape, colour, Some(seed.unwrap_or(earlier.seed())), PayWith::Card).await
    }
}

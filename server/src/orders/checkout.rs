//! Checkout sessions of priced orders: the first one, one opened again after the one before
//! expired or its payment failed, and payments that arrive on a session the order no longer
//! uses (refunded).

use super::{CHECKOUT_OPEN_SECS, OrderRow, Orders, status::FAIL_PAYMENT, status::PAY_AGAIN};
use crate::{
    payments::{CheckoutRequest, LineItem, Payer, RefundRequest},
    platform::{clock::now_millis, error::internal},
};
use app::{
    domain::{Order, OrderStatus, User, order::PAYABLE_AGAIN},
    error::AppError,
};

impl Orders {
    /// Opens checkout session number `attempt` for a priced order waiting for payment and
    /// stores where to pay; when the provider does not answer, the order fails (nothing was
    /// charged) and the caller is told to try again.
    pub(super) async fn open_checkout(
        &self,
        user: &User,
        row: &OrderRow,
        stripe_price_id: Option<String>,
        attempt: u32,
    ) -> Result<Order, AppError> {
        let id = &row.id;
        let request = CheckoutRequest {
            payer: Payer::Order(id.clone()),
            lines: vec![LineItem {
                description: row.description()?,
                price_cents: row.price_cents,
                stripe_price_id,
            }],
            currency: row.currency.clone(),
            success_url: format!("{}/orders/{id}", self.public_url),
            // Back from the checkout without paying: the order's page offers to pay or cancel.
            cancel_url: format!("{}/orders/{id}", self.public_url),
            expires_at: crate::platform::clock::now_secs() + CHECKOUT_OPEN_SECS,
            customer_email: Some(user.email.clone()).filter(|email| email.contains('@')),
            attempt,
        };
        match self.payments.create_checkout(&request).await {
            Ok(checkout) => {
                let row: OrderRow = sqlx::query_as(concat!(
                    "UPDATE orders SET checkout_session_id = $1, checkout_url = $2, publish_pending = 1, updated_at = $3 \
                     WHERE id = $4 RETURNING ",
                    crate::order_columns!()
                ))
                .bind(&checkout.session_id)
                .bind(&checkout.url)
                .bind(now_millis())
                .bind(id)
                .fetch_one(&self.pool)
                .await
                .map_err(internal("could not store the checkout session"))?;
                self.publish(&row).await
            }
            Err(error) => {
                tracing::error!(order.id = %id, error = %format!("{error:#}"), "could not open a checkout session");
                sqlx::query(
                    "UPDATE orders SET status = $1, failure_reason = $2, updated_at = $3 WHERE id = $4 AND status = $5",
                )
                .bind(FAIL_PAYMENT.to)
                .bind("checkout could not be opened")
                .bind(now_millis())
                .bind(id)
                .bind(FAIL_PAYMENT.from[0])
                .execute(&self.pool)
                .await
                .map_err(internal("could not update the order"))?;
                Err(AppError::Unavailable {
                    message: "the payment provider did not answer; nothing was charged, please try again"
                        .into(),
                })
            }
        }
    }

    /// A new checkout for the caller's order whose checkout expired, failed or could not be
    /// opened, at the price it was ordered at; its earlier session can no longer pay it (a
    /// payment that still arrives there is refunded).
    pub async fn pay_again(&self, user: &User, id: &str) -> Result<Order, AppError> {
        let current = self.row_of(user, id).await?;
        if !payable_again(&current) {
            return Err(AppError::Conflict {
                field: "status".into(),
                message: format!(
                    "only an unpaid order whose checkout expired or failed can be paid again; this one is {}",
                    current.status.label()
                ),
            });
        }
        let old_session = current.checkout_session_id;
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        if let Some(session) = &old_session {
            sqlx::query(
                "INSERT INTO superseded_checkouts (session_id, order_id, superseded_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(session)
            .bind(id)
            .bind(now_millis())
            .execute(&mut *tx)
            .await
            .map_err(internal("could not keep the earlier checkout"))?;
        }
        let (attempts,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM superseded_checkouts WHERE order_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal("could not count the earlier checkouts"))?;
        // Still as it was read: a payment or another "Pay now" in between wins.
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $1, failure_reason = NULL, checkout_session_id = NULL, checkout_url = NULL, \
             publish_pending = 1, updated_at = $2 WHERE id = $3 AND status = $4 AND paid_at IS NULL RETURNING ",
            crate::order_columns!()
        ))
        .bind(PAY_AGAIN.to)
        .bind(now_millis())
        .bind(id)
        .bind(PAY_AGAIN.from[0])
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not reopen the order"))?;
        let Some(row) = row else {
            return Err(AppError::Conflict {
                field: "status".into(),
                message: "the order changed meanwhile; reload it".into(),
            });
        };
        tx.commit().await.map_err(internal("could not reopen the order"))?;
        tracing::info!(order.id = %id, attempt = attempts, "checkout opened again");
        // The price the order was placed at, not the catalogue's price object of today.
        self.open_checkout(user, &row, None, u32::try_from(attempts).unwrap_or(u32::MAX)).await
    }

    /// Records, in the webhook event's transaction, a payment on a checkout session that
    /// an order no longer uses; `true` when `session_id` is such a session. The refund is
    /// made after the commit ([`Orders::refund_superseded`]).
    pub(super) async fn record_superseded_payment(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        session_id: &str,
        payment_intent: Option<&str>,
        amount_cents: Option<i64>,
        currency: Option<&str>,
    ) -> Result<bool, AppError> {
        let recorded = sqlx::query(
            "UPDATE superseded_checkouts SET payment_intent = COALESCE(payment_intent, $1), \
             amount_paid_cents = COALESCE(amount_paid_cents, $2), paid_currency = COALESCE(paid_currency, $3) \
             WHERE session_id = $4",
        )
        .bind(payment_intent)
        .bind(amount_cents)
        .bind(currency)
        .bind(session_id)
        .execute(&mut **tx)
        .await
        .map_err(internal("could not record the late payment"))?;
        Ok(recorded.rows_affected() == 1)
    }

    /// Refunds the payments recorded on superseded checkout sessions (all of them, or the
    /// one of `session_id`) that are not refunded yet; returns how many were.
    pub async fn refund_superseded(&self, session_id: Option<&str>) -> Result<usize, AppError> {
        let due: Vec<LatePayment> = sqlx::query_as(
            "SELECT s.session_id, s.order_id, s.payment_intent, s.amount_paid_cents, s.paid_currency, \
             orders.price_cents, orders.currency FROM superseded_checkouts s JOIN orders ON orders.id = s.order_id \
             WHERE s.payment_intent IS NOT NULL AND s.refund_id IS NULL AND ($1 IS NULL OR s.session_id = $1)",
        )
        .bind(session_id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the late payments"))?;
        let mut made = 0;
        for late in due {
            let (session, order_id) = (late.session_id, late.order_id);
            let request = RefundRequest {
                order_id: order_id.clone(),
                payment_intent: late.payment_intent,
                amount_cents: late.amount_paid_cents.unwrap_or(late.price_cents),
                currency: late.paid_currency.unwrap_or(late.currency),
                idempotency_key: format!("ltd-refund-session-{session}"),
            };
            let refund_id = match self.payments.refund(&request).await {
                Ok(refund_id) => refund_id,
                Err(error) => {
                    tracing::warn!(order.id = %order_id, error = %format!("{error:#}"), "the refund of a late payment is left to the sweep");
                    continue;
                }
            };
            sqlx::query("UPDATE superseded_checkouts SET refund_id = $1 WHERE session_id = $2")
                .bind(&refund_id)
                .bind(&session)
                .execute(&self.pool)
                .await
                .map_err(internal("could not record the refund"))?;
            tracing::warn!(order.id = %order_id, refund.id = %refund_id, "a payment on an earlier checkout was refunded");
            made += 1;
        }
        Ok(made)
    }
}

/// A payment on a superseded checkout session, with its order's price.
#[derive(sqlx::FromRow)]
struct LatePayment {
    session_id: String,
    order_id: String,
    payment_intent: String,
    amount_paid_cents: Option<i64>,
    paid_currency: Option<String>,
    price_cents: i64,
    currency: String,
}

/// Whether an order may get a new checkout: see [`Orders::pay_again`]. A bill's orders are
/// paid with their bill or not at all.
pub fn payable_again(row: &OrderRow) -> bool {
    row.status == OrderStatus::Failed
        && row.bill_id.is_none()
        && row.paid_at.is_none()
        && row.refund_pending == 0
        && row.failure_reason.as_deref().is_some_and(|reason| PAYABLE_AGAIN.contains(&reason))
}

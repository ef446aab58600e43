//! The payment provider's webhook: a signed event moves its order on.

use super::{
    OrderRow, Orders,
    bills::simulated_bill_checkout,
    status::{FAIL_PAYMENT, PAY},
};
use crate::{
    mail::{MailJob, OrderNews, keep_pending},
    payments::{
        Payer, SimulatedSession,
        event::PaymentChange,
        event::{CheckoutSession, Event, change_for},
        signature,
    },
    platform::metrics::Metrics,
    platform::{clock::now_millis, error::internal},
};
use app::{
    domain::{CheckoutChoice, CheckoutLine, OrderStatus, SimulatedCheckout, User},
    error::AppError,
    services::CheckoutService,
};
use std::sync::Arc;

/// Whether a payment (amount `$3`, currency `$8`) differs from its order's price; false
/// where the event leaves either out.
macro_rules! payment_mismatch {
    () => {
        "(COALESCE($3 <> price_cents, 0 = 1) OR COALESCE(LOWER($8) <> LOWER(currency), 0 = 1))"
    };
}

/// What a webhook delivery did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The order changed.
    Applied,
    /// Recorded, but the order was already past this point (or the event changes nothing).
    Unchanged,
    /// This event id was applied before.
    Replayed,
    /// Not an event this service acts on, or not one of its orders.
    Ignored,
}

impl WebhookOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Applied => "applied",
            WebhookOutcome::Unchanged => "unchanged",
            WebhookOutcome::Replayed => "replayed",
            WebhookOutcome::Ignored => "ignored",
        }
    }
}

/// `POST /api/v1/stripe/webhook`: checks the signature over the raw body, then applies the
/// event to its order in one transaction with the event id.
pub struct Webhook {
    secrets: Vec<String>,
    orders: Arc<Orders>,
    metrics: Arc<Metrics>,
}

impl Webhook {
    pub fn new(secrets: Vec<String>, orders: Arc<Orders>, metrics: Arc<Metrics>) -> Self {
        Self { secrets, orders, metrics }
    }

    /// Handles one delivery (and counts it by type and outcome). Bad signatures and bodies
    /// are [`AppError::BadRequest`] with nothing changed; internal failures are errors Stripe
    /// retries, never half-applied.
    pub async fn handle(&self, payload: &[u8], signature: Option<&str>) -> Result<WebhookOutcome, AppError> {
        let mut kind = None;
        let outcome = self.apply(payload, signature, &mut kind).await;
        let label = match &outcome {
            Ok(outcome) => outcome.as_str(),
            Err(AppError::BadRequest { .. }) => "refused",
            Err(_) => "error",
        };
        self.metrics.webhook_event(kind.as_deref().unwrap_or("unknown"), label);
        outcome
    }

    /// Applies one delivery; sets `kind` to the event's type once it is read.
    async fn apply(
        &self,
        payload: &[u8],
        signature: Option<&str>,
        kind: &mut Option<String>,
    ) -> Result<WebhookOutcome, AppError> {
        let bad = |message: String| {
            tracing::warn!(%message, "webhook delivery refused");
            AppError::BadRequest { message }
        };
        signature::verify(payload, signature, &self.secrets, crate::platform::clock::now_secs())
            .map_err(|e| bad(e.to_string()))?;
        let event: Event = serde_json::from_slice(payload)
            .map_err(|e| bad(format!("the body is not a Stripe event: {e}")))?;
        if event.object != "event" {
            return Err(bad(format!("expected an event object, got {:?}", event.object)));
        }
        *kind = Some(event.kind.clone());
        if !event.kind.starts_with("checkout.session.") {
            tracing::debug!(event.id = %event.id, event.kind = %event.kind, "webhook event ignored");
            return Ok(WebhookOutcome::Ignored);
        }
        let session: CheckoutSession = serde_json::from_value(event.data.object)
            .map_err(|e| bad(format!("the event's data.object is not a checkout session: {e}")))?;
        if session.object != "checkout.session" {
            return Err(bad(format!("expected a checkout.session, got {:?}", session.object)));
        }
        let Some(change) = change_for(&event.kind, &session) else {
            return Ok(WebhookOutcome::Ignored);
        };
        let outcome = self
            .orders
            .apply_payment(&event.id, &event.kind, &session.id, session.order_id(), session.bill_id(), change)
            .await?;
        tracing::info!(event.id = %event.id, event.kind = %event.kind, outcome = outcome.as_str(), "webhook event");
        Ok(outcome)
    }
}

/// The simulated checkout pays or expires its session through the real webhook path:
/// signature, parsing, the transaction and the queue.
#[async_trait::async_trait]
impl CheckoutService for Webhook {
    async fn simulated_checkout(&self, user: &User, session_id: &str) -> Result<SimulatedCheckout, AppError> {
        if self.orders.payments().simulated().is_none() {
            return Err(AppError::NotFound);
        }
        if let Some((bill, orders)) = self.orders.bill_by_checkout_session(user, session_id).await? {
            return simulated_bill_checkout(&bill, &orders);
        }
        let row = self.orders.by_checkout_session(user, session_id).await?;
        Ok(SimulatedCheckout {
            lines: vec![CheckoutLine { description: row.description()?, price_cents: row.price_cents }],
            total_cents: row.price_cents,
            currency: row.currency,
        })
    }

    async fn finish_simulated_checkout(
        &self,
        user: &User,
        session_id: &str,
        choice: CheckoutChoice,
    ) -> Result<String, AppError> {
        let simulated = self.orders.payments().simulated().ok_or(AppError::NotFound)?;
        let (payer, amount_cents, currency, next) =
            match self.orders.bill_by_checkout_session(user, session_id).await? {
                Some((bill, _)) => {
                    let next = format!("/bills/{}", bill.id);
                    (Payer::Bill(bill.id), bill.total_cents, bill.currency, next)
                }
                None => {
                    let row = self.orders.by_checkout_session(user, session_id).await?;
                    let next = format!("/orders/{}", row.id);
                    (Payer::Order(row.id), row.price_cents, row.currency, next)
                }
            };
        let session = SimulatedSession { session_id, payer, amount_cents, currency: &currency };
        let (body, signature) = match choice {
            CheckoutChoice::Cancel => return Ok(next),
            CheckoutChoice::Pay => simulated.paid_event(&session),
            CheckoutChoice::Expire => simulated.expired_event(&session),
        };
        self.handle(&body, Some(&signature)).await?;
        Ok(next)
    }
}

impl Orders {
    /// Applies one payment event to the order, or the bill, of checkout session
    /// `session_id`. The event id is recorded in the same transaction, so a replay changes
    /// nothing; the status only moves forward. A paid order is queued (marked
    /// `enqueue_pending`) after the commit.
    pub async fn apply_payment(
        &self,
        event_id: &str,
        event_type: &str,
        session_id: &str,
        order_id: Option<&str>,
        bill_id: Option<&str>,
        change: PaymentChange,
    ) -> Result<WebhookOutcome, AppError> {
        let failed = internal("could not apply the payment event");
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let claimed = sqlx::query(
            "INSERT INTO payment_events (id, type, order_id, received_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(event_id)
        .bind(event_type)
        .bind(order_id)
        .bind(crate::platform::clock::now_secs())
        .execute(&mut *tx)
        .await
        .map_err(internal("could not record the payment event"))?;
        if claimed.rows_affected() == 0 {
            return Ok(WebhookOutcome::Replayed);
        }
        if let Some(bill) = Self::bill_of_session(&mut tx, session_id).await? {
            if bill_id.is_some_and(|id| id != bill.id) {
                // The session belongs to another bill than the event claims: refuse it whole.
                tracing::warn!(event.id = %event_id, "payment event names another bill than its session");
                return Ok(WebhookOutcome::Ignored);
            }
            let changed = self.apply_bill_change(tx, bill, change).await?;
            return Ok(if changed { WebhookOutcome::Applied } else { WebhookOutcome::Unchanged });
        }
        let now = now_millis();
        let query = match &change {
            PaymentChange::Paid { payment_intent, amount_cents, currency } => sqlx::query_as(concat!(
                // Every right-hand side reads the row as it was. A payment is always
                // recorded; an order still waiting for it moves on to the queue when the
                // amount and currency are the order's, else it fails to be refunded; an order
                // that failed before it was paid (its checkout expired) is refunded too.
                "UPDATE orders SET paid_at = COALESCE(paid_at, $1), \
                 payment_intent = COALESCE(payment_intent, $2), \
                 amount_paid_cents = COALESCE(amount_paid_cents, $3), \
                 failure_reason = CASE WHEN status = $6 AND ",
                payment_mismatch!(),
                " THEN 'payment did not match' ELSE failure_reason END, \
                 refund_pending = CASE WHEN status IN ($9, $10) OR (status = $6 AND ",
                payment_mismatch!(),
                ") THEN 1 ELSE refund_pending END, \
                 enqueue_pending = CASE WHEN status = $6 AND NOT ",
                payment_mismatch!(),
                " THEN 1 ELSE enqueue_pending END, \
                 watch_at = CASE WHEN status = $6 AND NOT ",
                payment_mismatch!(),
                " THEN $5 ELSE watch_at END, \
                 status = CASE WHEN status = $6 AND ",
                payment_mismatch!(),
                " THEN $9 WHEN status = $6 THEN $7 ELSE status END, \
                 publish_pending = 1, updated_at = $4 \
                 WHERE checkout_session_id = $11 AND paid_at IS NULL RETURNING ",
                crate::order_columns!()
            ))
            .bind(now)
            .bind(payment_intent.clone())
            .bind(*amount_cents)
            .bind(now)
            .bind(self.watch_from_now())
            .bind(PAY.from[0])
            .bind(PAY.to)
            .bind(currency.clone())
            .bind(FAIL_PAYMENT.to)
            .bind(OrderStatus::Cancelled),
            PaymentChange::StillUnpaid => {
                tx.commit().await.map_err(internal("could not commit the payment event"))?;
                return Ok(WebhookOutcome::Unchanged);
            }
            PaymentChange::PaymentFailed => sqlx::query_as(concat!(
                "UPDATE orders SET status = $1, failure_reason = 'payment failed', publish_pending = 1, updated_at = $2 \
                 WHERE checkout_session_id = $4 AND status = $3 RETURNING ",
                crate::order_columns!()
            ))
            .bind(FAIL_PAYMENT.to)
            .bind(now)
            .bind(FAIL_PAYMENT.from[0]),
            PaymentChange::Expired => sqlx::query_as(concat!(
                "UPDATE orders SET status = $1, failure_reason = 'checkout expired', publish_pending = 1, updated_at = $2 \
                 WHERE checkout_session_id = $4 AND status = $3 AND paid_at IS NULL RETURNING ",
                crate::order_columns!()
            ))
            .bind(FAIL_PAYMENT.to)
            .bind(now)
            .bind(FAIL_PAYMENT.from[0]),
        };
        let row: Option<OrderRow> = query.bind(session_id).fetch_optional(&mut *tx).await.map_err(failed)?;
        // Paid on a session the order no longer uses (it was paid again with a new one):
        // recorded with the event, refunded after the commit.
        let late = match (&row, &change) {
            (None, PaymentChange::Paid { payment_intent, amount_cents, currency }) => {
                Self::record_superseded_payment(
                    &mut tx,
                    session_id,
                    payment_intent.as_deref(),
                    *amount_cents,
                    currency.as_deref(),
                )
                .await?
            }
            _ => false,
        };
        if let Some(row) = &row
            && order_id.is_some_and(|id| id != row.id)
        {
            // The session belongs to another order than the event claims: refuse it whole.
            tracing::warn!(event.id = %event_id, "payment event names another order than its session");
            return Ok(WebhookOutcome::Ignored);
        }
        // The owner's mail is stored with the change it tells of.
        let news = match (&row, &change) {
            (Some(row), PaymentChange::PaymentFailed) => {
                Some(MailJob::order_news(&row.id, OrderNews::PaymentFailed))
            }
            (Some(row), PaymentChange::Expired) => {
                Some(MailJob::order_news(&row.id, OrderNews::CheckoutExpired))
            }
            _ => None,
        };
        if let Some(job) = &news {
            keep_pending(&mut tx, job).await.map_err(internal("could not store the mail"))?;
        }
        tx.commit().await.map_err(internal("could not commit the payment event"))?;
        if late {
            // Recorded with the event: what fails here the sweep does.
            if let Err(error) = self.refund_superseded(Some(session_id)).await {
                tracing::warn!(%error, "the refund of a late payment is left to the sweep");
            }
            return Ok(WebhookOutcome::Applied);
        }
        let Some(row) = row else {
            return Ok(WebhookOutcome::Unchanged);
        };
        if row.status == OrderStatus::Queued {
            self.dispatch(&row.id).await;
        }
        self.publish(&row).await?;
        if matches!(row.status, OrderStatus::Failed | OrderStatus::Cancelled) && row.refund_pending == 1 {
            tracing::warn!(
                order.id = %row.id, reason = row.failure_reason.as_deref().unwrap_or_default(),
                "a payment for an order that cannot be drawn; refunding it"
            );
            if let Err(error) = self.refund(&row).await {
                // The refund sweep tries again.
                tracing::warn!(order.id = %row.id, %error, "the refund of a late payment is left to the sweep");
            }
        }
        if let Some(job) = news {
            self.postman.dispatch(job).await;
        }
        Ok(WebhookOutcome::Applied)
    }
}

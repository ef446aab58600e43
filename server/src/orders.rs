//! Orders: created by clients, drawn by the artist, watched live.

mod row;
mod webhook;

pub use row::{OrderRow, parse_status};
pub use webhook::{Webhook, WebhookOutcome};

use crate::{
    alerts::Alerts,
    clock::now_millis,
    catalogue::Catalogue,
    db,
    error::internal,
    events::{OrderEvent, OrderEvents},
    mail::{OrderNews, Postman},
    payments::{CheckoutRequest, PaymentProvider, RefundRequest, event::PaymentChange},
    queue::{DrawQueue, within_enqueue_timeout},
};
use app::{
    domain::{Order, OrderStatus, User, parse_request},
    error::AppError,
};
use std::{sync::Arc, time::Duration};

/// The order service shared by the API, the server functions and the artist.
pub struct Orders {
    pool: db::Pool,
    catalogue: Arc<Catalogue>,
    events: Arc<dyn OrderEvents>,
    queue: Arc<dyn DrawQueue>,
    payments: Arc<dyn PaymentProvider>,
    /// Tells owners by mail when their order is done or failed.
    postman: Arc<Postman>,
    /// The site's public URL, for the checkout's return addresses.
    public_url: String,
    /// Mails the operators when drawings fail.
    alerts: Option<Arc<Alerts>>,
}

/// How long a checkout session stays open. Stripe counts from when it receives the request,
/// so a little slack keeps the 30 minutes from falling under its minimum.
const CHECKOUT_OPEN_SECS: i64 = 30 * 60 + 30;

impl Orders {
    pub fn new(
        pool: db::Pool,
        catalogue: Arc<Catalogue>,
        events: Arc<dyn OrderEvents>,
        queue: Arc<dyn DrawQueue>,
        payments: Arc<dyn PaymentProvider>,
        postman: Arc<Postman>,
        public_url: &str,
    ) -> Self {
        let public_url = public_url.trim_end_matches('/').to_owned();
        Self { pool, catalogue, events, queue, payments, postman, public_url, alerts: None }
    }

    /// Failures are reported to the operators through `alerts`.
    pub fn with_alerts(mut self, alerts: Arc<Alerts>) -> Self {
        self.alerts = Some(alerts);
        self
    }

    pub fn payments(&self) -> &Arc<dyn PaymentProvider> {
        &self.payments
    }

    pub fn events(&self) -> &Arc<dyn OrderEvents> {
        &self.events
    }

    /// Stores a new order. A free one is queued for drawing at once; a priced one waits
    /// for payment. Invalid input stores nothing.
    #[tracing::instrument(skip_all, fields(user.id = %user.id))]
    pub async fn create(&self, user: &User, shape: &str, color: &str) -> Result<Order, AppError> {
        let (shape, colour) = parse_request(shape, color)?;
        let Some(info) = self.catalogue.find(shape).await? else {
            return Err(AppError::validation("shape", format!("{} is not on sale", shape.display_name())));
        };
        let free = info.price_cents == 0;
        let status = if free { OrderStatus::Queued } else { OrderStatus::AwaitingPayment };
        let id = uuid::Uuid::now_v7().to_string();
        let now = now_millis();
        let row: OrderRow = sqlx::query_as(concat!(
            "INSERT INTO orders (id, user_id, shape, color, seed, status, price_cents, currency, \
             enqueue_pending, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ",
            crate::order_columns!()
        ))
        .bind(&id)
        .bind(&user.id)
        .bind(shape.name())
        .bind(colour.as_css())
        .bind(i64::from(rand::random::<u32>()))
        .bind(status.as_str())
        .bind(info.price_cents)
        .bind(&info.currency)
        .bind(i64::from(status == OrderStatus::Queued))
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(internal("could not store the order"))?;
        tracing::info!(order.id = %id, order.status = %status, "order created");
        if free {
            self.dispatch(&id).await;
            return self.publish(&row);
        }
        let request = CheckoutRequest {
            order_id: id.clone(),
            description: format!("{} in {}", info.display_name, colour),
            price_cents: info.price_cents,
            currency: info.currency.clone(),
            stripe_price_id: info.stripe_price_id.clone(),
            success_url: format!("{}/orders/{id}", self.public_url),
            cancel_url: format!("{}/orders/new?shape={}", self.public_url, shape.name()),
            expires_at: crate::clock::now_secs() + CHECKOUT_OPEN_SECS,
        };
        match self.payments.create_checkout(&request).await {
            Ok(checkout) => {
                let row: OrderRow = sqlx::query_as(concat!(
                    "UPDATE orders SET checkout_session_id = $1, checkout_url = $2, updated_at = $3 WHERE id = $4 RETURNING ",
                    crate::order_columns!()
                ))
                .bind(&checkout.session_id)
                .bind(&checkout.url)
                .bind(now_millis())
                .bind(&id)
                .fetch_one(&self.pool)
                .await
                .map_err(internal("could not store the checkout session"))?;
                self.publish(&row)
            }
            Err(error) => {
                tracing::error!(order.id = %id, error = %format!("{error:#}"), "could not open a checkout session");
                self.transition(
                    &id,
                    "status = 'failed', failure_reason = $1",
                    &["awaiting_payment"],
                    Some("checkout could not be opened"),
                )
                .await?;
                Err(AppError::Unavailable {
                    message: "the payment provider did not answer; nothing was charged, please try again"
                        .into(),
                })
            }
        }
    }

    /// The caller's order paid through checkout session `session_id`.
    pub async fn by_checkout_session(&self, user: &User, session_id: &str) -> Result<OrderRow, AppError> {
        sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE checkout_session_id = $1 AND user_id = $2"
        ))
        .bind(session_id)
        .bind(&user.id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not read the order"))?
        .ok_or(AppError::NotFound)
    }

    /// Applies one payment event to the order of checkout session `session_id`. The event
    /// id is recorded in the same transaction, so a replay changes nothing; the status only
    /// moves forward. A paid order is queued (through the outbox) after the commit.
    pub async fn apply_payment(
        &self,
        event_id: &str,
        event_type: &str,
        session_id: &str,
        order_id: Option<&str>,
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
        .bind(crate::clock::now_secs())
        .execute(&mut *tx)
        .await
        .map_err(internal("could not record the payment event"))?;
        if claimed.rows_affected() == 0 {
            return Ok(WebhookOutcome::Replayed);
        }
        let now = now_millis();
        let query = match &change {
            PaymentChange::Paid { payment_intent, amount_cents } => sqlx::query_as(concat!(
                // Every right-hand side reads the row as it was: a payment is always
                // recorded, but only an order still waiting for it moves on to the queue.
                "UPDATE orders SET paid_at = COALESCE(paid_at, $1), \
                 payment_intent = COALESCE(payment_intent, $2), \
                 amount_paid_cents = COALESCE(amount_paid_cents, $3), \
                 enqueue_pending = CASE WHEN status = 'awaiting_payment' THEN 1 ELSE enqueue_pending END, \
                 status = CASE WHEN status = 'awaiting_payment' THEN 'queued' ELSE status END, \
                 updated_at = $4 \
                 WHERE checkout_session_id = $5 AND paid_at IS NULL RETURNING ",
                crate::order_columns!()
            ))
            .bind(now)
            .bind(payment_intent.clone())
            .bind(*amount_cents)
            .bind(now),
            PaymentChange::StillUnpaid => {
                tx.commit().await.map_err(internal("could not commit the payment event"))?;
                return Ok(WebhookOutcome::Unchanged);
            }
            PaymentChange::PaymentFailed => sqlx::query_as(concat!(
                "UPDATE orders SET status = 'failed', failure_reason = 'payment failed', updated_at = $1 \
                 WHERE checkout_session_id = $2 AND status = 'awaiting_payment' RETURNING ",
                crate::order_columns!()
            ))
            .bind(now),
            PaymentChange::Expired => sqlx::query_as(concat!(
                "UPDATE orders SET status = 'failed', failure_reason = 'checkout expired', updated_at = $1 \
                 WHERE checkout_session_id = $2 AND status = 'awaiting_payment' AND paid_at IS NULL RETURNING ",
                crate::order_columns!()
            ))
            .bind(now),
        };
        let row: Option<OrderRow> = query.bind(session_id).fetch_optional(&mut *tx).await.map_err(failed)?;
        if let Some(row) = &row
            && order_id.is_some_and(|id| id != row.id)
        {
            // The session belongs to another order than the event claims: refuse it whole.
            tracing::warn!(event.id = %event_id, "payment event names another order than its session");
            return Ok(WebhookOutcome::Ignored);
        }
        tx.commit().await.map_err(internal("could not commit the payment event"))?;
        let Some(row) = row else {
            return Ok(WebhookOutcome::Unchanged);
        };
        if let PaymentChange::Paid { amount_cents: Some(paid), .. } = change
            && paid != row.price_cents
        {
            tracing::warn!(order.id = %row.id, paid, price = row.price_cents, "paid amount differs from the price");
        }
        if row.status == OrderStatus::Queued.as_str() {
            self.dispatch(&row.id).await;
        }
        match change {
            PaymentChange::PaymentFailed => self.postman.order_news(&row, OrderNews::PaymentFailed),
            PaymentChange::Expired => self.postman.order_news(&row, OrderNews::CheckoutExpired),
            PaymentChange::Paid { .. } | PaymentChange::StillUnpaid => {}
        }
        self.publish(&row)?;
        Ok(WebhookOutcome::Applied)
    }

    /// The caller's order; someone else's is [`AppError::NotFound`], like a missing one.
    pub async fn get(&self, user: &User, id: &str) -> Result<Order, AppError> {
        self.row_of(user, id).await?.to_order()
    }

    /// The stored row of the caller's order.
    pub async fn row_of(&self, user: &User, id: &str) -> Result<OrderRow, AppError> {
        sqlx::query_as(concat!("SELECT ", crate::order_columns!(), " FROM orders WHERE id = $1 AND user_id = $2"))
            .bind(id)
            .bind(&user.id)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not read the order"))?
            .ok_or(AppError::NotFound)
    }

    /// The caller's orders, newest first.
    pub async fn list(&self, user: &User) -> Result<Vec<Order>, AppError> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500"
        ))
        .bind(&user.id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not list the orders"))?;
        rows.iter().map(OrderRow::to_order).collect()
    }

    /// Moves a queued order to `in_progress` (again, if a job is redelivered). `None` when
    /// the order is gone or already finished: then there is nothing to draw.
    pub async fn start(&self, id: &str) -> Result<Option<OrderRow>, AppError> {
        let row = self.transition(id, "status = 'in_progress'", &["queued", "in_progress"], None).await?;
        if let Some(row) = &row {
            self.publish(row)?;
        }
        Ok(row)
    }

    /// Marks an order done once its picture is stored, with how long it took to render.
    pub async fn finish(&self, id: &str, render_ms: i64) -> Result<Option<OrderRow>, AppError> {
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = 'done', picture_key = $1, render_ms = $2, updated_at = $3 \
             WHERE id = $4 AND status IN ('queued', 'in_progress') RETURNING ",
            crate::order_columns!()
        ))
        .bind(OrderRow::picture_key(id))
        .bind(render_ms)
        .bind(now_millis())
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not update the order"))?;
        if let Some(row) = &row {
            tracing::info!(order.id = %id, "order done");
            self.publish(row)?;
            self.postman.order_news(row, OrderNews::Ready);
        }
        Ok(row)
    }

    /// Records a failed drawing attempt of an order in progress: its page shows "retrying".
    pub async fn retrying(&self, id: &str, failed_attempts: u32) -> Result<(), AppError> {
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET failed_attempts = $1, updated_at = $2 WHERE id = $3 AND status = 'in_progress' RETURNING ",
            crate::order_columns!()
        ))
        .bind(i64::from(failed_attempts))
        .bind(now_millis())
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not update the order"))?;
        if let Some(row) = &row {
            self.publish(row)?;
        }
        Ok(())
    }

    /// Marks an unfinished order failed after `attempts` tries, with a reason for its owner,
    /// and lists it with the failures (the dead letters) in the same transaction. A paid
    /// order is refunded; an unpaid one's owner is told by mail.
    pub async fn fail(&self, id: &str, reason: &str, attempts: u32) -> Result<Option<OrderRow>, AppError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = 'failed', failure_reason = $1, \
             refund_pending = CASE WHEN paid_at IS NOT NULL THEN 1 ELSE 0 END, updated_at = $2 \
             WHERE id = $3 AND status IN ('queued', 'in_progress') RETURNING ",
            crate::order_columns!()
        ))
        .bind(reason)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not update the order"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO failures (id, order_id, error, attempts, failed_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(id)
        .bind(reason)
        .bind(i64::from(attempts))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal("could not record the failure"))?;
        tx.commit().await.map_err(internal("could not commit the failure"))?;
        tracing::warn!(order.id = %id, reason, attempts, "order failed");
        self.publish(&row)?;
        if row.refund_pending == 1 {
            // Refunded now if the provider answers, else by the sweep; the owner's mail
            // tells of the refund.
            if let Err(error) = self.refund(&row).await {
                tracing::warn!(order.id = %id, %error, "refund not made yet; the sweep will retry");
            }
        } else {
            self.postman.order_news(&row, OrderNews::DrawFailed { reason: reason.to_owned() });
        }
        if let Some(alerts) = &self.alerts {
            let alerts = alerts.clone();
            tokio::spawn(async move { alerts.check().await });
        }
        Ok(Some(row))
    }

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
        };
        let refund_id = self.payments.refund(&request).await.map_err(|error| {
            tracing::warn!(order.id = %row.id, error = %format!("{error:#}"), "the refund was refused");
            AppError::Unavailable { message: "the payment provider did not make the refund".into() }
        })?;
        let now = now_millis();
        let refunded: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = 'refunded', refund_id = $1, refunded_at = $2, refund_pending = 0, \
             updated_at = $3 WHERE id = $4 AND status = 'failed' AND refund_pending = 1 RETURNING ",
            crate::order_columns!()
        ))
        .bind(&refund_id)
        .bind(now)
        .bind(now)
        .bind(&row.id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not record the refund"))?;
        if let Some(refunded) = &refunded {
            tracing::info!(order.id = %row.id, refund.id = %refund_id, "order refunded");
            self.publish(refunded)?;
            let reason = refunded.failure_reason.clone().unwrap_or_default();
            self.postman
                .order_news(refunded, OrderNews::Refunded { reason, amount_cents: request.amount_cents });
        }
        Ok(refunded)
    }

    /// The refund sweep: refunds every failed paid order whose refund was not made yet.
    pub async fn refund_pending(&self) -> Result<usize, AppError> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE refund_pending = 1 AND status = 'failed'"
        ))
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

    /// An admin's **Retry** of a failed drawing: the order is queued again (it can still
    /// reach done) and leaves the failures list. Only failed, unpaid orders: a paid one is
    /// refunded instead.
    pub async fn retry(&self, id: &str) -> Result<Order, AppError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = 'queued', failure_reason = NULL, failed_attempts = 0, \
             enqueue_pending = 1, updated_at = $1 \
             WHERE id = $2 AND status = 'failed' AND paid_at IS NULL AND refund_pending = 0 RETURNING ",
            crate::order_columns!()
        ))
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not queue the order again"))?;
        let Some(row) = row else {
            let status: Option<(String,)> = sqlx::query_as("SELECT status FROM orders WHERE id = $1")
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
                        status.replace('_', " ")
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
        self.publish(&row)
    }

    /// One forward-only status change: applies only while the status is one of `from`.
    async fn transition(
        &self,
        id: &str,
        set: &str,
        from: &[&str],
        value: Option<&str>,
    ) -> Result<Option<OrderRow>, AppError> {
        // `set` uses `$1` for `value` when it takes one; the other parameters follow.
        let first = if value.is_some() { 2 } else { 1 };
        let placeholders: Vec<String> = (0..from.len()).map(|i| format!("${}", first + 2 + i)).collect();
        // Every piece is a literal of this module: `set` and the placeholders, never input.
        let sql = format!(
            "UPDATE orders SET {set}, updated_at = ${first} WHERE id = ${} AND status IN ({}) RETURNING {}",
            first + 1,
            placeholders.join(", "),
            crate::order_columns!()
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        if let Some(value) = value {
            query = query.bind(value);
        }
        query = query.bind(now_millis()).bind(id);
        for status in from {
            query = query.bind(*status);
        }
        query.fetch_optional(&self.pool).await.map_err(internal("could not update the order"))
    }

    /// Hands an order to the queue and clears its outbox flag. On failure the flag stays
    /// set and [`Orders::requeue_pending`] tries again.
    async fn dispatch(&self, id: &str) {
        match within_enqueue_timeout(self.queue.enqueue(id)).await {
            Ok(()) => {
                let cleared = sqlx::query("UPDATE orders SET enqueue_pending = 0 WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await;
                if let Err(error) = cleared {
                    // Harmless: the sweep enqueues it again and the artist draws it once.
                    tracing::warn!(order.id = %id, %error, "could not clear the outbox flag");
                }
            }
            Err(error) => {
                tracing::warn!(order.id = %id, error = %format!("{error:#}"), "queueing failed; the sweep will retry")
            }
        }
    }

    /// The outbox sweep: queues every order whose job may not have reached the queue (and
    /// was marked so at least `older_than` ago: a younger one may still be on its way there
    /// from the request that marked it, and queueing it twice would run two jobs for it), and,
    /// with `orphans`, every order left in progress (its worker died with it).
    /// Returns how many it queued.
    pub async fn requeue_pending(&self, orphans: bool, older_than: Duration) -> Result<usize, AppError> {
        let sql = if orphans {
            "SELECT id FROM orders WHERE (enqueue_pending = 1 AND updated_at <= $1) OR status = 'in_progress'"
        } else {
            "SELECT id FROM orders WHERE enqueue_pending = 1 AND updated_at <= $1"
        };
        let older_than = i64::try_from(older_than.as_millis()).unwrap_or(i64::MAX);
        let ids: Vec<(String,)> = sqlx::query_as(sql)
            .bind(now_millis().saturating_sub(older_than))
            .fetch_all(&self.pool)
            .await
            .map_err(internal("could not read the outbox"))?;
        for (id,) in &ids {
            self.dispatch(id).await;
        }
        if !ids.is_empty() {
            tracing::info!(count = ids.len(), "re-queued orders");
        }
        Ok(ids.len())
    }

    fn publish(&self, row: &OrderRow) -> Result<Order, AppError> {
        let order = row.to_order()?;
        self.events.publish(OrderEvent { user_id: row.user_id.clone(), order: order.clone() });
        Ok(order)
    }
}

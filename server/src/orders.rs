//! Orders: created by clients, drawn by the artist, watched live.

mod bills;
mod cancel;
mod checkout;
mod failures;
pub mod history;
mod letters;
mod limits;
mod live;
mod refunds;
mod row;
mod sharing;
mod status;
mod watchdog;
mod webhook;

pub use bills::PlacedBill;
pub use letters::OrderLetters;
pub use limits::OrderLimits;
pub use row::OrderRow;
pub use webhook::{Webhook, WebhookOutcome};

use crate::{
    alerts::Alerts,
    catalogue::Catalogue,
    events::OrderEvents,
    loyalty::{self, PointRules},
    mail::{MailJob, OrderNews, Postman, keep_pending},
    payments::PaymentProvider,
    platform::clock::millis,
    platform::clock::now_millis,
    platform::db,
    platform::error::internal,
    queue::DrawQueue,
};
use app::{
    domain::{
        Order, OrderFilter, OrderPage, OrderStatus, User,
        loyalty::{PayWith, points_for},
        parse_request,
    },
    error::AppError,
    services::OrderService,
};
use status::{FINISH, START};
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
    /// How long an unfinished order may go without progress before the watchdog queues
    /// it again.
    watch: Duration,
    /// Tests only: a wait after an order is marked done, before anything else happens.
    pause_after_done: Duration,
    /// How many orders one user may place.
    limits: OrderLimits,
    /// What a picture costs in points.
    points: PointRules,
}

/// The default of `LTD_REQUEUE_AFTER_SECS`.
pub const REQUEUE_AFTER: Duration = Duration::from_secs(60);

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
        Self {
            pool,
            catalogue,
            events,
            queue,
            payments,
            postman,
            public_url,
            alerts: None,
            watch: REQUEUE_AFTER,
            pause_after_done: Duration::ZERO,
            limits: OrderLimits::default(),
            points: PointRules::default(),
        }
    }

    /// How pictures are paid with points (`LTD_POINTS_PER_CENT`).
    pub fn with_points(mut self, points: PointRules) -> Self {
        self.points = points;
        self
    }

    /// Per-user order limits (`LTD_ORDER_RATE`, `LTD_MAX_AWAITING_PAYMENT`).
    pub fn with_limits(mut self, limits: OrderLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Failures are reported to the operators through `alerts`.
    pub fn with_alerts(mut self, alerts: Arc<Alerts>) -> Self {
        self.alerts = Some(alerts);
        self
    }

    /// An unfinished order that goes `after` without progress is queued again.
    pub fn with_watchdog(mut self, after: Duration) -> Self {
        self.watch = after;
        self
    }

    /// Tests only: waits `pause` after marking an order done (committed) and before
    /// telling anyone, so a test can kill the process exactly there.
    pub fn with_test_pause_after_done(mut self, pause: Duration) -> Self {
        self.pause_after_done = pause;
        self
    }

    /// When an order that is queued or being drawn now is next due for the watchdog.
    fn watch_from_now(&self) -> i64 {
        now_millis().saturating_add(millis(self.watch))
    }

    pub fn payments(&self) -> &Arc<dyn PaymentProvider> {
        &self.payments
    }

    pub fn events(&self) -> &Arc<dyn OrderEvents> {
        &self.events
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

    /// Anyone's order, as its owner sees it (for admins' actions).
    async fn order_by_id(&self, id: &str) -> Result<Order, AppError> {
        let row: OrderRow =
            sqlx::query_as(concat!("SELECT ", crate::order_columns!(), " FROM orders WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal("could not read the order"))?
                .ok_or(AppError::NotFound)?;
        row.to_order()
    }

    /// The stored row of the caller's order.
    pub async fn row_of(&self, user: &User, id: &str) -> Result<OrderRow, AppError> {
        sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(&user.id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not read the order"))?
        .ok_or(AppError::NotFound)
    }

    /// Moves a queued order to `in_progress` (again, if a job is redelivered). `None` when
    /// the order is gone or already finished: then there is nothing to draw.
    pub async fn start(&self, id: &str) -> Result<Option<OrderRow>, AppError> {
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $1, watch_at = $2, publish_pending = 1, updated_at = $3 \
             WHERE id = $4 AND status IN ($5, $6) RETURNING ",
            crate::order_columns!()
        ))
        .bind(START.to)
        .bind(self.watch_from_now())
        .bind(now_millis())
        .bind(id)
        .bind(START.from[0])
        .bind(START.from[1])
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not update the order"))?;
        if let Some(row) = &row {
            self.publish(row).await?;
        }
        Ok(row)
    }

    /// Marks an order done once its picture is stored, with how long it took to render,
    /// and stores its owner's "picture ready" mail and the points a paid order earns in the
    /// same transaction.
    pub async fn finish(&self, id: &str, render_ms: i64) -> Result<Option<OrderRow>, AppError> {
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET status = $1, picture_key = $2, render_ms = $3, watch_at = NULL, publish_pending = 1, updated_at = $4 \
             WHERE id = $5 AND status IN ($6, $7) RETURNING ",
            crate::order_columns!()
        ))
        .bind(FINISH.to)
        .bind(OrderRow::picture_key(id))
        .bind(render_ms)
        .bind(now_millis())
        .bind(id)
        .bind(FINISH.from[0])
        .bind(FINISH.from[1])
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not update the order"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        if let Some(paid_at) = row.paid_at {
            let earning = loyalty::Earning {
                user_id: &row.user_id,
                order_id: id,
                shape: &row.shape,
                paid_at,
                paid_cents: row.amount_paid_cents.unwrap_or(row.price_cents),
            };
            loyalty::earn(&mut tx, &earning).await?;
        }
        let ready = MailJob::order_news(id, OrderNews::Ready);
        keep_pending(&mut tx, &ready).await.map_err(internal("could not store the mail"))?;
        tx.commit().await.map_err(internal("could not commit the order"))?;
        tracing::info!(order.id = %id, "order done");
        if !self.pause_after_done.is_zero() {
            tracing::info!(order.id = %id, "test pause: the order is done, nothing else has happened");
            tokio::time::sleep(self.pause_after_done).await;
        }
        self.publish(&row).await?;
        self.postman.dispatch(ready).await;
        Ok(Some(row))
    }

    /// Records a failed drawing attempt of an order in progress: its page shows "retrying".
    pub async fn retrying(&self, id: &str, failed_attempts: u32) -> Result<(), AppError> {
        let row: Option<OrderRow> = sqlx::query_as(concat!(
            "UPDATE orders SET failed_attempts = $1, watch_at = $2, publish_pending = 1, updated_at = $3 \
             WHERE id = $4 AND status = $5 RETURNING ",
            crate::order_columns!()
        ))
        .bind(i64::from(failed_attempts))
        .bind(self.watch_from_now())
        .bind(now_millis())
        .bind(id)
        .bind(OrderStatus::InProgress)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not update the order"))?;
        if let Some(row) = &row {
            self.publish(row).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl OrderService for Orders {
    /// Stores a new order. A free one is queued for drawing at once; a priced one waits
    /// for payment, or, paid with points, is queued at once with its redemption written in
    /// the same transaction. Invalid input, an order over the user's limits, and one the
    /// balance does not cover store nothing.
    #[tracing::instrument(skip_all, fields(user.id = %user.id))]
    async fn create(
        &self,
        user: &User,
        shape: &str,
        colour: &str,
        seed: Option<u32>,
        pay_with: PayWith,
    ) -> Result<Order, AppError> {
        let (shape, colour) = parse_request(shape, colour)?;
        let Some(info) = self.catalogue.find(shape).await? else {
            return Err(AppError::validation("shape", format!("{} is not on sale", shape.display_name())));
        };
        let free = info.price_cents == 0;
        let points = (!free && pay_with == PayWith::Points)
            .then(|| points_for(info.price_cents, self.points.points_per_cent));
        let queued = free || points.is_some();
        let status = if queued { OrderStatus::Queued } else { OrderStatus::AwaitingPayment };
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        self.limits.check(&mut tx, &user.id, 1, !queued, CHECKOUT_OPEN_SECS * 1000).await?;
        if let Some(cost) = points {
            let balance = loyalty::sum_in(&mut tx, &user.id).await?.max(0);
            if balance < cost {
                return Err(AppError::validation(
                    "pay_with",
                    format!("this picture costs {cost} points and your balance is {balance} points"),
                ));
            }
        }
        let now = now_millis();
        let row: OrderRow = sqlx::query_as(concat!(
            "INSERT INTO orders (id, user_id, shape, color, seed, status, price_cents, currency, \
             enqueue_pending, created_at, updated_at, watch_at, publish_pending, color_rgba, points_paid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING ",
            crate::order_columns!()
        ))
        .bind(&id)
        .bind(&user.id)
        .bind(shape.name())
        .bind(colour.as_css())
        .bind(i64::from(seed.unwrap_or_else(rand::random)))
        .bind(status)
        .bind(info.price_cents)
        .bind(&info.currency)
        .bind(i64::from(queued))
        .bind(now)
        .bind(now)
        .bind(queued.then(|| self.watch_from_now()))
        .bind(colour.hex_rgba())
        .bind(points)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal("could not store the order"))?;
        if let Some(cost) = points {
            loyalty::redeem(&mut tx, &user.id, &id, cost).await?;
        }
        tx.commit().await.map_err(internal("could not store the order"))?;
        tracing::info!(order.id = %id, order.status = %status, paid_points = ?points, "order created");
        if queued {
            self.dispatch(&id).await;
            return self.publish(&row).await;
        }
        self.open_checkout(user, &row, info.stripe_price_id.clone(), 0).await
    }

    /// The caller's order; someone else's is [`AppError::NotFound`], like a missing one.
    async fn get(&self, user: &User, id: &str) -> Result<Order, AppError> {
        self.row_of(user, id).await?.to_order()
    }

    /// A page of the caller's orders, newest first.
    async fn list(&self, user: &User, filter: &OrderFilter) -> Result<OrderPage, AppError> {
        self.page(user, filter).await
    }

    async fn again(
        &self,
        user: &User,
        id: &str,
        colour: Option<&str>,
        seed: Option<u32>,
    ) -> Result<Order, AppError> {
        self.order_again(user, id, colour, seed).await
    }

    async fn pay_again(&self, user: &User, id: &str) -> Result<Order, AppError> {
        Orders::pay_again(self, user, id).await
    }

    async fn cancel(&self, user: &User, id: &str) -> Result<Order, AppError> {
        self.cancel_order(user, id).await?.to_order()
    }

    async fn set_note(&self, user: &User, id: &str, note: Option<&str>) -> Result<Order, AppError> {
        self.write_note(user, id, note).await?.to_order()
    }

    /// Queues a failed, unpaid order again: see [`failures`].
    async fn retry(&self, id: &str) -> Result<Order, AppError> {
        self.retry_failed(id).await
    }

    /// Refunds a done, paid order: see [`refunds`].
    async fn refund_paid(&self, id: &str) -> Result<Order, AppError> {
        self.refund_done(id).await
    }

    async fn bill(&self, user: &User, id: &str) -> Result<app::domain::Bill, AppError> {
        self.bill_of(user, id).await
    }

    async fn cancel_bill(&self, user: &User, id: &str) -> Result<app::domain::Bill, AppError> {
        Orders::cancel_bill(self, user, id).await
    }
}

//! Bills: a cart's pictures placed together as orders, paid in one checkout. The webhook
//! pays, expires or fails every order of a bill at once; a line that cannot be drawn is
//! refunded alone (part of the bill's payment).

use super::{
    CHECKOUT_OPEN_SECS, OrderRow, Orders,
    status::{CANCEL, FAIL_PAYMENT, Move, PAY},
};
use crate::{
    payments::{CheckoutRequest, LineItem, Payer, event::PaymentChange},
    platform::{
        clock::{now_millis, now_secs, rfc3339},
        error::internal,
    },
};
use app::{
    domain::{
        Bill, BillLine, BillStatus, CheckoutLine, NewBill, OrderStatus, SimulatedCheckout, User,
        cart::CartItem,
    },
    error::AppError,
};
use sqlx::{Any, Transaction};

/// A bill as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BillRow {
    pub id: String,
    pub user_id: String,
    pub status: String,
    pub total_cents: i64,
    pub currency: String,
    pub checkout_session_id: Option<String>,
    pub checkout_url: Option<String>,
    pub amount_paid_cents: Option<i64>,
    pub paid_at: Option<i64>,
    pub failure_reason: Option<String>,
    pub created_at: i64,
}

/// The columns of [`BillRow`].
macro_rules! bill_columns {
    () => {
        "id, user_id, status, total_cents, currency, checkout_session_id, checkout_url, \
         amount_paid_cents, paid_at, failure_reason, created_at"
    };
}

impl BillRow {
    fn status(&self) -> Result<BillStatus, AppError> {
        BillStatus::parse(&self.status).ok_or_else(|| {
            tracing::error!(bill.id = %self.id, status = %self.status, "a stored bill has an unknown status");
            AppError::Internal
        })
    }
}

/// A bill stored with its orders, its checkout not opened yet.
pub struct PlacedBill {
    pub bill: BillRow,
    pub orders: Vec<OrderRow>,
}

impl Orders {
    /// Stores, in `tx` (which the caller's cart checkout holds), one bill for `items` (priced
    /// now, their priced ones in `currency`) and an order per item. Only free pictures: the
    /// bill is settled and its orders are queued; else they all wait for the bill's payment.
    /// The user's order limits count every order, and the bill as one open checkout.
    pub async fn place_bill(
        &self,
        tx: &mut Transaction<'static, Any>,
        user: &User,
        items: &[CartItem],
        currency: &str,
    ) -> Result<PlacedBill, AppError> {
        let total_cents: i64 = items.iter().map(|item| item.price_cents).sum();
        let free = total_cents == 0;
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        self.limits.check(tx, &user.id, count, !free, CHECKOUT_OPEN_SECS * 1000).await?;
        let now = now_millis();
        let (bill_status, order_status) = if free {
            (BillStatus::Free, OrderStatus::Queued)
        } else {
            (BillStatus::AwaitingPayment, OrderStatus::AwaitingPayment)
        };
        let bill: BillRow = sqlx::query_as(concat!(
            "INSERT INTO bills (id, user_id, status, total_cents, currency, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            bill_columns!()
        ))
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&user.id)
        .bind(bill_status.as_str())
        .bind(total_cents)
        .bind(currency)
        .bind(now)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal("could not store the bill"))?;
        let mut orders = Vec::with_capacity(items.len());
        for item in items {
            let row: OrderRow = sqlx::query_as(concat!(
                "INSERT INTO orders (id, user_id, shape, color, seed, status, price_cents, currency, \
                 enqueue_pending, created_at, updated_at, watch_at, publish_pending, color_rgba, bill_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING ",
                crate::order_columns!()
            ))
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&user.id)
            .bind(item.shape.name())
            .bind(item.color.as_css())
            .bind(i64::from(item.seed))
            .bind(order_status)
            .bind(item.price_cents)
            .bind(currency)
            .bind(i64::from(free))
            .bind(now)
            .bind(now)
            .bind(free.then(|| self.watch_from_now()))
            .bind(item.color.hex_rgba())
            .bind(&bill.id)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal("could not store the bill's order"))?;
            orders.push(row);
        }
        tracing::info!(bill.id = %bill.id, orders = orders.len(), total_cents, "bill created");
        Ok(PlacedBill { bill, orders })
    }

    /// After the bill's transaction committed: queues a free bill's orders, or opens the
    /// checkout that pays a priced one (a line per priced picture). When the provider does
    /// not answer, the bill and its orders fail (nothing was charged) and the caller is told
    /// to try again.
    pub async fn open_bill(&self, user: &User, placed: PlacedBill) -> Result<NewBill, AppError> {
        let PlacedBill { bill, orders } = placed;
        if bill.total_cents == 0 {
            for row in &orders {
                self.dispatch(&row.id).await;
                self.publish(row).await?;
            }
            return Ok(NewBill { bill_id: bill.id, checkout_url: None });
        }
        let lines = orders
            .iter()
            .filter(|row| row.price_cents > 0)
            .map(|row| {
                Ok(LineItem {
                    description: row.description()?,
                    price_cents: row.price_cents,
                    stripe_price_id: None,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let page = format!("{}/bills/{}", self.public_url, bill.id);
        let request = CheckoutRequest {
            payer: Payer::Bill(bill.id.clone()),
            lines,
            currency: bill.currency.clone(),
            success_url: page.clone(),
            cancel_url: page,
            expires_at: now_secs() + CHECKOUT_OPEN_SECS,
            customer_email: Some(user.email.clone()).filter(|email| email.contains('@')),
            attempt: 0,
        };
        match self.payments.create_checkout(&request).await {
            Ok(checkout) => {
                let now = now_millis();
                let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
                sqlx::query("UPDATE bills SET checkout_session_id = $1, checkout_url = $2, updated_at = $3 WHERE id = $4")
                    .bind(&checkout.session_id)
                    .bind(&checkout.url)
                    .bind(now)
                    .bind(&bill.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(internal("could not store the checkout session"))?;
                let rows: Vec<OrderRow> = sqlx::query_as(concat!(
                    "UPDATE orders SET checkout_url = $1, publish_pending = 1, updated_at = $2 WHERE bill_id = $3 RETURNING ",
                    crate::order_columns!()
                ))
                .bind(&checkout.url)
                .bind(now)
                .bind(&bill.id)
                .fetch_all(&mut *tx)
                .await
                .map_err(internal("could not store the checkout session"))?;
                tx.commit().await.map_err(internal("could not store the checkout session"))?;
                for row in &rows {
                    self.publish(row).await?;
                }
                Ok(NewBill { bill_id: bill.id, checkout_url: Some(checkout.url) })
            }
            Err(error) => {
                tracing::error!(bill.id = %bill.id, error = %format!("{error:#}"), "could not open a checkout session");
                self.fail_bill(&bill.id, "checkout could not be opened").await?;
                Err(AppError::Unavailable {
                    message: "the payment provider did not answer; nothing was charged, please try again"
                        .into(),
                })
            }
        }
    }

    /// Fails a bill waiting for payment, and its orders that wait with it.
    async fn fail_bill(&self, id: &str, reason: &str) -> Result<(), AppError> {
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let rows = Self::end_bill_in(&mut tx, id, reason, FAIL_PAYMENT).await?.unwrap_or_default();
        tx.commit().await.map_err(internal("could not fail the bill"))?;
        for row in &rows {
            self.publish(row).await?;
        }
        Ok(())
    }

    /// Ends bill `id` while it waits for payment (`reason`), and moves its orders that wait
    /// with it as `change` says (failed, or cancelled); `None` when the bill was not waiting.
    async fn end_bill_in(
        tx: &mut Transaction<'static, Any>,
        id: &str,
        reason: &str,
        change: Move,
    ) -> Result<Option<Vec<OrderRow>>, AppError> {
        let now = now_millis();
        let ended = sqlx::query(
            "UPDATE bills SET status = $1, failure_reason = $2, updated_at = $3 \
             WHERE id = $4 AND status = $5 AND paid_at IS NULL",
        )
        .bind(BillStatus::Failed.as_str())
        .bind(reason)
        .bind(now)
        .bind(id)
        .bind(BillStatus::AwaitingPayment.as_str())
        .execute(&mut **tx)
        .await
        .map_err(internal("could not end the bill"))?;
        if ended.rows_affected() == 0 {
            return Ok(None);
        }
        let rows = sqlx::query_as(concat!(
            "UPDATE orders SET status = $1, failure_reason = $2, publish_pending = 1, updated_at = $3 \
             WHERE bill_id = $4 AND status = $5 AND paid_at IS NULL RETURNING ",
            crate::order_columns!()
        ))
        .bind(change.to)
        .bind(reason)
        .bind(now)
        .bind(id)
        .bind(change.from[0])
        .fetch_all(&mut **tx)
        .await
        .map_err(internal("could not end the bill's orders"))?;
        Ok(Some(rows))
    }

    /// The bill paid through checkout session `session_id`, read in the webhook's
    /// transaction.
    pub(super) async fn bill_of_session(
        tx: &mut Transaction<'static, Any>,
        session_id: &str,
    ) -> Result<Option<BillRow>, AppError> {
        sqlx::query_as(concat!("SELECT ", bill_columns!(), " FROM bills WHERE checkout_session_id = $1"))
            .bind(session_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal("could not read the bill"))
    }

    /// Applies a payment event to a bill and all its orders, in the event's transaction
    /// `tx`: paid, every order waiting with it is queued (each priced one recording its
    /// line of the payment), or, when the payment does not match the bill, fails to be
    /// refunded; a line cancelled or failed meanwhile is refunded alone. Expired or failed,
    /// they all fail. Returns whether any order changed.
    pub(super) async fn apply_bill_change(
        &self,
        mut tx: Transaction<'static, Any>,
        bill: BillRow,
        change: PaymentChange,
    ) -> Result<bool, AppError> {
        let now = now_millis();
        let rows: Vec<OrderRow> = match &change {
            PaymentChange::StillUnpaid => Vec::new(),
            PaymentChange::Expired | PaymentChange::PaymentFailed => {
                let reason = match change {
                    PaymentChange::Expired => "checkout expired",
                    _ => "payment failed",
                };
                Self::end_bill_in(&mut tx, &bill.id, reason, FAIL_PAYMENT).await?.unwrap_or_default()
            }
            PaymentChange::Paid { payment_intent, amount_cents, currency } => {
                let mismatch = amount_cents.is_some_and(|amount| amount != bill.total_cents)
                    || currency.as_deref().is_some_and(|c| !c.eq_ignore_ascii_case(&bill.currency));
                let recorded = sqlx::query(
                    "UPDATE bills SET paid_at = $1, payment_intent = $2, amount_paid_cents = $3, \
                     failure_reason = CASE WHEN status = $4 AND $5 = 1 THEN 'payment did not match' ELSE failure_reason END, \
                     status = CASE WHEN status = $4 AND $5 = 1 THEN $6 WHEN status = $4 THEN $7 ELSE status END, \
                     updated_at = $1 WHERE id = $8 AND paid_at IS NULL",
                )
                .bind(now)
                .bind(payment_intent.clone())
                .bind(*amount_cents)
                .bind(BillStatus::AwaitingPayment.as_str())
                .bind(i64::from(mismatch))
                .bind(BillStatus::Failed.as_str())
                .bind(BillStatus::Paid.as_str())
                .bind(&bill.id)
                .execute(&mut *tx)
                .await
                .map_err(internal("could not record the bill's payment"))?;
                if recorded.rows_affected() == 0 {
                    Vec::new()
                } else {
                    // Every right-hand side reads the order as it was. A priced line records
                    // its part of the payment; free lines have nothing to give back.
                    sqlx::query_as(concat!(
                        "UPDATE orders SET \
                         paid_at = CASE WHEN price_cents > 0 THEN $1 ELSE paid_at END, \
                         payment_intent = CASE WHEN price_cents > 0 THEN $2 ELSE payment_intent END, \
                         amount_paid_cents = CASE WHEN price_cents > 0 THEN price_cents ELSE amount_paid_cents END, \
                         failure_reason = CASE WHEN status = $3 AND $4 = 1 THEN 'payment did not match' ELSE failure_reason END, \
                         refund_pending = CASE WHEN price_cents > 0 AND (status IN ($5, $6) OR (status = $3 AND $4 = 1)) \
                         THEN 1 ELSE refund_pending END, \
                         enqueue_pending = CASE WHEN status = $3 AND $4 = 0 THEN 1 ELSE enqueue_pending END, \
                         watch_at = CASE WHEN status = $3 AND $4 = 0 THEN $7 ELSE watch_at END, \
                         status = CASE WHEN status = $3 AND $4 = 1 THEN $5 WHEN status = $3 THEN $8 ELSE status END, \
                         publish_pending = 1, updated_at = $1 \
                         WHERE bill_id = $9 AND paid_at IS NULL RETURNING ",
                        crate::order_columns!()
                    ))
                    .bind(now)
                    .bind(payment_intent.clone())
                    .bind(PAY.from[0])
                    .bind(i64::from(mismatch))
                    .bind(FAIL_PAYMENT.to)
                    .bind(OrderStatus::Cancelled)
                    .bind(self.watch_from_now())
                    .bind(PAY.to)
                    .bind(&bill.id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(internal("could not apply the bill's payment"))?
                }
            }
        };
        tx.commit().await.map_err(internal("could not commit the payment event"))?;
        if rows.is_empty() {
            return Ok(false);
        }
        tracing::info!(bill.id = %bill.id, orders = rows.len(), "bill changed");
        for row in &rows {
            if row.status == OrderStatus::Queued {
                self.dispatch(&row.id).await;
            }
            self.publish(row).await?;
        }
        for row in rows.iter().filter(|row| row.refund_pending == 1) {
            tracing::warn!(order.id = %row.id, bill.id = %bill.id, "a paid line that cannot be drawn; refunding it");
            if let Err(error) = self.refund(row).await {
                tracing::warn!(order.id = %row.id, %error, "the refund is left to the sweep");
            }
        }
        Ok(true)
    }

    /// Cancels `user`'s bill `id` while it waits for payment: every order waiting with it is
    /// cancelled, then its checkout closes at the provider (a payment that still arrives is
    /// given back line by line).
    pub async fn cancel_bill(&self, user: &User, id: &str) -> Result<Bill, AppError> {
        // Someone else's bill is not found, like a missing one.
        let current = self.bill_row(user, id).await?;
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let Some(rows) = Self::end_bill_in(&mut tx, id, "cancelled", CANCEL).await? else {
            return Err(AppError::Conflict {
                field: "status".into(),
                message: format!(
                    "only a bill waiting for payment can be cancelled; this one is {}",
                    current.status()?.label()
                ),
            });
        };
        tx.commit().await.map_err(internal("could not cancel the bill"))?;
        tracing::info!(bill.id = %id, orders = rows.len(), "bill cancelled");
        for row in &rows {
            self.publish(row).await?;
        }
        if let Some(session) = &current.checkout_session_id
            && let Err(error) = self.payments.expire_checkout(session).await
        {
            // The session expires by itself within half an hour; a payment made before then
            // is refunded.
            tracing::warn!(bill.id = %id, error = %format!("{error:#}"), "could not close the checkout session");
        }
        self.bill_of(user, id).await
    }

    /// `user`'s bill `id` with its orders; anyone else's is not found.
    pub async fn bill_of(&self, user: &User, id: &str) -> Result<Bill, AppError> {
        let bill = self.bill_row(user, id).await?;
        let orders = self.orders_of_bill(&bill.id).await?;
        to_bill(&bill, &orders)
    }

    /// The stored row of `user`'s bill `id`.
    async fn bill_row(&self, user: &User, id: &str) -> Result<BillRow, AppError> {
        sqlx::query_as(concat!("SELECT ", bill_columns!(), " FROM bills WHERE id = $1 AND user_id = $2"))
            .bind(id)
            .bind(&user.id)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not read the bill"))?
            .ok_or(AppError::NotFound)
    }

    async fn orders_of_bill(&self, id: &str) -> Result<Vec<OrderRow>, AppError> {
        sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE bill_id = $1 ORDER BY created_at, id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the bill's orders"))
    }

    /// The caller's bill paid through checkout session `session_id`, if it is a bill's.
    pub async fn bill_by_checkout_session(
        &self,
        user: &User,
        session_id: &str,
    ) -> Result<Option<(BillRow, Vec<OrderRow>)>, AppError> {
        let bill: Option<BillRow> = sqlx::query_as(concat!(
            "SELECT ",
            bill_columns!(),
            " FROM bills WHERE checkout_session_id = $1 AND user_id = $2"
        ))
        .bind(session_id)
        .bind(&user.id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not read the bill"))?;
        let Some(bill) = bill else { return Ok(None) };
        let orders = self.orders_of_bill(&bill.id).await?;
        Ok(Some((bill, orders)))
    }
}

/// What the simulated checkout shows for a bill: its priced lines.
pub fn simulated_bill_checkout(bill: &BillRow, orders: &[OrderRow]) -> Result<SimulatedCheckout, AppError> {
    let lines = orders
        .iter()
        .filter(|row| row.price_cents > 0)
        .map(|row| Ok(CheckoutLine { description: row.description()?, price_cents: row.price_cents }))
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(SimulatedCheckout { lines, total_cents: bill.total_cents, currency: bill.currency.clone() })
}

/// The bill as its owner sees it.
fn to_bill(bill: &BillRow, orders: &[OrderRow]) -> Result<Bill, AppError> {
    let status = bill.status()?;
    let items = orders
        .iter()
        .map(|row| {
            let order = row.to_order()?;
            Ok(BillLine {
                order_id: order.id,
                shape: order.shape,
                color: order.color,
                seed: order.seed,
                price_cents: order.price_cents,
                status: order.status,
                refunded_at: order.refunded_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let refunded_cents = orders
        .iter()
        .filter(|row| row.refunded_at.is_some())
        .map(|row| row.amount_paid_cents.unwrap_or(row.price_cents))
        .sum();
    Ok(Bill {
        id: bill.id.clone(),
        status,
        items,
        total_cents: bill.total_cents,
        currency: bill.currency.clone(),
        created_at: rfc3339(bill.created_at),
        paid_at: bill.paid_at.map(rfc3339),
        paid_cents: bill.amount_paid_cents.filter(|_| bill.paid_at.is_some()),
        refunded_cents,
        checkout_url: bill.checkout_url.clone().filter(|_| status == BillStatus::AwaitingPayment),
        failure_reason: bill.failure_reason.clone(),
    })
}

//! How many orders one user may place: a rate (orders a minute) and a cap on orders
//! waiting for payment (open checkouts). Counted in the database, so the limits hold
//! across web instances; checked and the order stored in one transaction that holds the
//! user's row, so orders sent at once cannot slip past them together.

use crate::platform::{clock::now_millis, db, error::internal};
use app::{domain::OrderStatus, error::AppError};
use sqlx::{Any, Transaction};

/// The window of the order rate.
const MINUTE_MS: i64 = 60_000;

/// Per-user order limits (`LTD_ORDER_RATE`, `LTD_MAX_AWAITING_PAYMENT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderLimits {
    pub per_minute: u32,
    pub awaiting_payment: u32,
}

impl Default for OrderLimits {
    fn default() -> Self {
        OrderLimits { per_minute: 30, awaiting_payment: 5 }
    }
}

impl OrderLimits {
    /// Takes the user's row lock (PostgreSQL locks the row; SQLite has one writer) for the
    /// rest of `tx`, then refuses `orders` new orders (a bill's, or one) with
    /// [`AppError::TooManyRequests`] if they would go over a limit; a bill's orders wait
    /// for one checkout. `checkout_open_ms`: how long a checkout stays payable; older ones
    /// are no longer open.
    pub async fn check(
        &self,
        tx: &mut Transaction<'static, Any>,
        user_id: &str,
        orders: u32,
        priced: bool,
        checkout_open_ms: i64,
    ) -> Result<(), AppError> {
        db::hold_user(tx, user_id).await.map_err(internal("could not lock the user's orders"))?;
        let now = now_millis();
        let (recent, oldest_recent, open, oldest_open): (i64, Option<i64>, i64, Option<i64>) =
            sqlx::query_as(
                "SELECT \
               (SELECT COUNT(*) FROM orders WHERE user_id = $1 AND created_at > $2), \
               (SELECT MIN(created_at) FROM orders WHERE user_id = $1 AND created_at > $2), \
               (SELECT COUNT(DISTINCT COALESCE(bill_id, id)) FROM orders WHERE user_id = $1 AND status = $3 AND created_at > $4), \
               (SELECT MIN(created_at) FROM orders WHERE user_id = $1 AND status = $3 AND created_at > $4)",
            )
            .bind(user_id)
            .bind(now - MINUTE_MS)
            .bind(OrderStatus::AwaitingPayment)
            .bind(now - checkout_open_ms)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal("could not count the user's orders"))?;
        if recent + i64::from(orders) > i64::from(self.per_minute) {
            let free_at = oldest_recent.unwrap_or(now) + MINUTE_MS;
            return Err(AppError::TooManyRequests {
                message: if orders == 1 {
                    format!(
                        "you placed {recent} orders in the last minute, the most we take: try again in {} s",
                        wait_secs(now, free_at)
                    )
                } else {
                    format!(
                        "{orders} orders and the {recent} you placed in the last minute are more than the {} a \
                         minute we take: try again in {} s",
                        self.per_minute,
                        wait_secs(now, free_at)
                    )
                },
                retry_after_secs: wait_secs(now, free_at),
            });
        }
        if priced && open >= i64::from(self.awaiting_payment) {
            let free_at = oldest_open.unwrap_or(now) + checkout_open_ms;
            return Err(AppError::TooManyRequests {
                message: format!(
                    "you have {open} orders waiting for payment: pay for one or let its checkout \
                     expire before ordering another priced picture"
                ),
                retry_after_secs: wait_secs(now, free_at),
            });
        }
        Ok(())
    }
}

/// Whole seconds from `now` until `at` (milliseconds), at least one.
fn wait_secs(now: i64, at: i64) -> u64 {
    u64::try_from((at - now + 999) / 1000).unwrap_or(0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_whole_seconds_rounded_up_and_never_zero() {
        assert_eq!(wait_secs(0, 1), 1);
        assert_eq!(wait_secs(0, 1000), 1);
        assert_eq!(wait_secs(0, 1001), 2);
        assert_eq!(wait_secs(5000, 1000), 1);
    }
}

//! The admin console's figures, the failures list (the dead letters) and the live feed.

use crate::{
    events::OrderEvent,
    mail::MailJob,
    platform::clock::{now_millis, rfc3339},
    platform::db,
    platform::error::internal,
    queue::Queue,
};
use app::{
    domain::{Failure, FailureKind, HourCount, LiveItem, OrderStatus, Overview, Revenue, Shape},
    error::AppError,
    services::ConsoleService,
};

const HOUR_MS: i64 = 3_600_000;

/// How long the console waits for the queue to count its jobs.
const QUEUE_COUNT_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

pub struct Console {
    pool: db::Pool,
    queue: Queue,
}

#[derive(sqlx::FromRow)]
struct FailureRow {
    id: String,
    order_id: String,
    error: String,
    attempts: i64,
    failed_at: i64,
    shape: String,
    color: String,
    status: OrderStatus,
    paid_at: Option<i64>,
    refund_pending: i64,
    email: String,
}

impl Console {
    pub fn new(pool: db::Pool, queue: Queue) -> Self {
        Self { pool, queue }
    }
}

#[async_trait::async_trait]
impl ConsoleService for Console {
    /// The console's figures, read now.
    async fn overview(&self) -> Result<Overview, AppError> {
        let now = now_millis();
        let day_ago = now - 24 * HOUR_MS;
        let count = |sql: &'static str| async move {
            sqlx::query_as::<_, (i64,)>(sql)
                .fetch_one(&self.pool)
                .await
                .map(|(n,)| n)
                .map_err(internal("could not count for the console"))
        };
        let orders_unfinished =
            // The statuses are spelled here, not bound, so that the planner can read this
            // count from the partial index `orders_unfinished`, whose condition names them.
            count("SELECT COUNT(*) FROM orders WHERE status IN ('queued', 'in_progress')").await?;
        let open_failures = count("SELECT COUNT(*) FROM failures WHERE retried_at IS NULL").await?
            + count("SELECT COUNT(*) FROM mail_failures WHERE retried_at IS NULL").await?;
        let queue_depth = match crate::platform::clock::within(QUEUE_COUNT_LIMIT, self.queue.depth()).await {
            Ok((draws, _)) => Some(draws.pending),
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "the console cannot count the queue");
                None
            }
        };

        let first_hour = now / HOUR_MS - 23;
        let hours: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT created_at / 3600000 AS hour, COUNT(*) FROM orders WHERE created_at >= $1 \
             GROUP BY created_at / 3600000",
        )
        .bind(first_hour * HOUR_MS)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not count the orders per hour"))?;
        let orders_per_hour = (first_hour..=first_hour + 23)
            .map(|hour| HourCount {
                hour: rfc3339(hour * HOUR_MS),
                orders: hours.iter().find(|(h, _)| *h == hour).map_or(0, |(_, n)| *n),
            })
            .collect();

        let renders: Vec<(i64,)> = sqlx::query_as(
            "SELECT render_ms FROM orders WHERE status = $2 AND render_ms IS NOT NULL \
             AND updated_at >= $1 ORDER BY render_ms LIMIT 100000",
        )
        .bind(day_ago)
        .bind(OrderStatus::Done)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the render times"))?;
        let renders: Vec<i64> = renders.into_iter().map(|(ms,)| ms).collect();

        let midnight = now - now.rem_euclid(24 * HOUR_MS);
        let revenue: Vec<(String, i64)> = sqlx::query_as(
            "SELECT currency, CAST(SUM(COALESCE(amount_paid_cents, price_cents)) AS BIGINT) FROM orders \
             WHERE paid_at >= $1 AND status <> $2 AND refund_pending = 0 \
             GROUP BY currency ORDER BY currency",
        )
        .bind(midnight)
        .bind(OrderStatus::Refunded)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not add up today's revenue"))?;

        let (issued, redeemed): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT CAST(SUM(CASE WHEN kind = 'earned' THEN points ELSE 0 END) AS BIGINT), \
                    CAST(SUM(CASE WHEN kind = 'redeemed' THEN -points \
                                  WHEN kind = 'reversed' AND points > 0 THEN -points ELSE 0 END) AS BIGINT) \
             FROM point_entries WHERE created_at >= $1",
        )
        .bind(midnight)
        .fetch_one(&self.pool)
        .await
        .map_err(internal("could not add up today's points"))?;

        Ok(Overview {
            points_issued_today: issued.unwrap_or(0),
            points_redeemed_today: redeemed.unwrap_or(0),
            queue_depth,
            orders_unfinished,
            open_failures,
            orders_per_hour,
            median_render_ms: median(&renders),
            revenue_today: revenue.into_iter().map(|(currency, cents)| Revenue { currency, cents }).collect(),
        })
    }

    /// Failed drawings and mails not retried yet, newest first.
    async fn failures(&self) -> Result<Vec<Failure>, AppError> {
        let rows: Vec<FailureRow> = sqlx::query_as(
            "SELECT f.id, f.order_id, f.error, f.attempts, f.failed_at, o.shape, o.color, o.status, \
             o.paid_at, o.refund_pending, u.email \
             FROM failures f JOIN orders o ON o.id = f.order_id JOIN users u ON u.id = o.user_id \
             WHERE f.retried_at IS NULL ORDER BY f.failed_at DESC, f.id DESC LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not list the failures"))?;
        let mut failures = rows
            .into_iter()
            .map(|row| {
                let order_status = row.status;
                Ok(Failure {
                    retryable: order_status == OrderStatus::Failed
                        && row.paid_at.is_none()
                        && row.refund_pending == 0,
                    id: row.id,
                    kind: FailureKind::Drawing,
                    order_id: Some(row.order_id),
                    shape: Some(
                        Shape::parse(&row.shape).map_err(internal("stored order has an unknown shape"))?,
                    ),
                    color: Some(row.color),
                    email: row.email,
                    subject: None,
                    error: row.error,
                    attempts: u32::try_from(row.attempts).unwrap_or_default(),
                    failed_at: rfc3339(row.failed_at),
                    order_status: Some(order_status),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let mails: Vec<MailFailureRow> = sqlx::query_as(
            "SELECT id, job, recipient, subject, error, attempts, failed_at FROM mail_failures \
             WHERE retried_at IS NULL ORDER BY failed_at DESC, id DESC LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not list the mail failures"))?;
        failures.extend(mails.into_iter().map(|row| {
            Failure {
                order_id: serde_json::from_str::<MailJob>(&row.job)
                    .ok()
                    .and_then(|job| job.order_news.map(|letter| letter.order_id)),
                id: row.id,
                kind: FailureKind::Mail,
                shape: None,
                color: None,
                email: row.recipient,
                subject: Some(row.subject),
                error: row.error,
                attempts: u32::try_from(row.attempts).unwrap_or_default(),
                failed_at: rfc3339(row.failed_at),
                order_status: None,
                retryable: true,
            }
        }));
        // RFC 3339 in UTC sorts as the time it names.
        failures.sort_by(|a, b| b.failed_at.cmp(&a.failed_at));
        Ok(failures)
    }
}

#[derive(sqlx::FromRow)]
struct MailFailureRow {
    id: String,
    job: String,
    recipient: String,
    subject: String,
    error: String,
    attempts: i64,
    failed_at: i64,
}

/// What the admin live feed shows of an order change: payments and failures.
pub fn live_item(event: &OrderEvent) -> Option<LiveItem> {
    let order = &event.order;
    let kind = match order.status {
        // A paid order is queued once, by the webhook (a retried order is never a paid one).
        OrderStatus::Queued if order.paid_at.is_some() => "paid",
        OrderStatus::Failed => "failed",
        OrderStatus::Refunded => "refunded",
        _ => return None,
    };
    Some(LiveItem { kind: kind.to_owned(), order: order.clone() })
}

/// The median of sorted values.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let middle = sorted[n / 2] as f64;
    Some(if n % 2 == 1 { middle } else { (sorted[n / 2 - 1] as f64 + middle) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_sorted_values() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7.0));
        assert_eq!(median(&[1, 2, 10]), Some(2.0));
        assert_eq!(median(&[1, 2, 4, 10]), Some(3.0));
    }
}

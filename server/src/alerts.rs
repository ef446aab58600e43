//! The operators' alert, like the original's dead-letter alarm: a mail to
//! `LTD_ALERT_EMAIL` listing the drawings and mails that failed for good, at most one per window
//! (a burst of failures is one mail; what fails within the window comes in the next one).

use crate::{mail::Postman, mail::templates::AlertLine, platform::db, platform::error::internal};
use app::error::AppError;
use std::{sync::Arc, time::Duration};

pub struct Alerts {
    pool: db::Pool,
    postman: Arc<Postman>,
    /// Where alerts go; none: failures are only listed at `/admin/failures`.
    to: Option<String>,
    window: Duration,
}

#[derive(sqlx::FromRow)]
struct Unalerted {
    id: String,
    order_id: String,
    error: String,
    failed_at: i64,
    shape: String,
    color: String,
    price_cents: i64,
    currency: String,
}

impl Alerts {
    pub fn new(pool: db::Pool, postman: Arc<Postman>, to: Option<String>, window: Duration) -> Self {
        Self { pool, postman, to, window }
    }

    /// Sends the alert when failures are waiting for one and the last alert is older than
    /// the window; every worker process may call this at any time (the window is claimed
    /// in the database, so only one of them sends). Errors are logged.
    pub async fn check(&self) {
        if let Err(error) = self.try_send().await {
            tracing::error!(%error, "could not send the failure alert");
        }
    }

    async fn try_send(&self) -> Result<bool, AppError> {
        let Some(to) = &self.to else {
            return Ok(false);
        };
        let waiting: Vec<Unalerted> = sqlx::query_as(
            "SELECT f.id, f.order_id, f.error, f.failed_at, o.shape, o.color, o.price_cents, o.currency \
             FROM failures f JOIN orders o ON o.id = f.order_id \
             WHERE f.alerted_at IS NULL ORDER BY f.failed_at LIMIT 100",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the failures"))?;
        let mails: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, recipient, subject, error, failed_at FROM mail_failures \
             WHERE alerted_at IS NULL AND retried_at IS NULL ORDER BY failed_at LIMIT 100",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the mail failures"))?;
        if waiting.is_empty() && mails.is_empty() {
            return Ok(false);
        }
        let now = crate::platform::clock::now_millis();
        let window = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        let claimed =
            sqlx::query("UPDATE alerts SET last_sent_at = $1 WHERE name = 'failures' AND last_sent_at <= $2")
                .bind(now)
                .bind(now.saturating_sub(window))
                .execute(&self.pool)
                .await
                .map_err(internal("could not claim the alert"))?;
        if claimed.rows_affected() == 0 {
            return Ok(false);
        }
        let mut lines = Vec::with_capacity(waiting.len());
        for failure in &waiting {
            sqlx::query("UPDATE failures SET alerted_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&failure.id)
                .execute(&self.pool)
                .await
                .map_err(internal("could not mark the failure alerted"))?;
            let price = if failure.price_cents == 0 {
                "free".to_owned()
            } else {
                format!(
                    "paid {}",
                    app::domain::catalogue::format_price(failure.price_cents, &failure.currency)
                )
            };
            lines.push(AlertLine {
                order_id: failure.order_id.clone(),
                mail: false,
                what: format!("{} in {}, {price}", failure.shape.replace('_', " "), failure.color),
                error: failure.error.clone(),
                failed_at: crate::platform::clock::rfc3339(failure.failed_at),
            });
        }
        for (id, recipient, subject, error, failed_at) in mails {
            sqlx::query("UPDATE mail_failures SET alerted_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&id)
                .execute(&self.pool)
                .await
                .map_err(internal("could not mark the mail failure alerted"))?;
            lines.push(AlertLine {
                order_id: id,
                mail: true,
                what: format!("mail to {recipient}: {subject}"),
                error,
                failed_at: crate::platform::clock::rfc3339(failed_at),
            });
        }
        let mail = self.postman.templates().failure_alert(to, &lines, &describe(self.window));
        tracing::warn!(count = lines.len(), "failure alert sent");
        self.postman.send(format!("alert-{now}"), mail).await;
        Ok(true)
    }
}

/// "15 minutes", "30 seconds".
fn describe(window: Duration) -> String {
    let secs = window.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        let minutes = secs / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    } else {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_read_as_words() {
        use std::time::Duration;
        assert_eq!(super::describe(Duration::from_secs(900)), "15 minutes");
        assert_eq!(super::describe(Duration::from_secs(60)), "1 minute");
        assert_eq!(super::describe(Duration::from_secs(2)), "2 seconds");
    }
}

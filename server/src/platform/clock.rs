//! Time as the application stores and shows it, and deadlines for work that may hang.
//!
//! Stored times are Unix **milliseconds** (`orders`, `failures`, `alerts`) or Unix
//! **seconds** (sessions, tokens, payment events, pending mails) as each table's migration
//! says; both come from here.

use std::{future::Future, time::Duration};

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// [`now_secs`] less `ago`: a cut-off in the same seconds.
pub fn seconds_before_now(ago: Duration) -> i64 {
    now_secs().saturating_sub(i64::try_from(ago.as_secs()).unwrap_or(i64::MAX))
}

/// [`now_millis`] less `ago`: a cut-off in the same milliseconds.
pub fn millis_before_now(ago: Duration) -> i64 {
    now_millis().saturating_sub(millis(ago))
}

/// A duration in whole milliseconds, as stored.
pub fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A stored time in milliseconds as RFC 3339 (UTC), as the API shows times.
pub fn rfc3339(millis: i64) -> String {
    let nanos = i128::from(millis) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// `work`, given at most `limit`: work that does not answer in time is an error.
pub async fn within<T>(limit: Duration, work: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within {limit:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_milliseconds_read_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn cut_offs_are_in_the_unit_of_their_clock() {
        let secs = seconds_before_now(Duration::from_secs(60));
        assert!((now_secs() - 61..=now_secs() - 59).contains(&secs));
        let ms = millis_before_now(Duration::from_secs(60));
        assert!((now_millis() - 61_000..=now_millis() - 59_000).contains(&ms));
    }

    #[tokio::test]
    async fn work_over_its_limit_is_an_error() {
        let slow = within(Duration::from_millis(10), async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        });
        assert!(slow.await.is_err());
        assert_eq!(within(Duration::from_secs(1), async { Ok(7) }).await.ok(), Some(7));
    }
}

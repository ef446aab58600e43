//! Points expire a while after they were earned (`LTD_POINTS_EXPIRE_DAYS`), oldest first:
//! whatever was spent, expired or taken back is counted against the oldest points held.

use super::{Entry, Points, append};
use crate::platform::{
    clock::{millis, now_millis, rfc3339},
    db,
    error::internal,
};
use app::{
    domain::loyalty::{NextExpiry, PointKind},
    error::AppError,
};
use std::time::Duration;

/// The points of `lots` (positive entries as `(created_at, points)`, oldest first) still
/// held once `spent` (every negative entry, as a positive sum) is taken from the oldest:
/// the oldest lot with some left, and when it expires.
pub(super) fn next_expiry(lots: &[(i64, i64)], spent: i64, expire_after_ms: i64) -> Option<NextExpiry> {
    let mut spent = spent.max(0);
    for &(created_at, points) in lots {
        if spent >= points {
            spent -= points;
            continue;
        }
        return Some(NextExpiry {
            points: points - spent,
            at: rfc3339(created_at.saturating_add(expire_after_ms)),
        });
    }
    None
}

/// Points that lapse now when `old` (points earned before the cut-off) exceed `spent`.
fn lapsing(old: i64, spent: i64) -> i64 {
    (old - spent.max(0)).max(0)
}

impl Points {
    /// The sweep's round of expiry: see [`expire_due`].
    pub async fn expire_due(&self) -> Result<i64, AppError> {
        expire_due(&self.pool, self.rules.expire_after).await
    }
}

/// Writes an `expired` entry for each account holding points earned longer than
/// `expire_after` ago, for as many of them as are still held. Each account in its own
/// transaction holding its row, so sweeps running at once on several workers expire the
/// points once. Returns the points expired.
async fn expire_due(pool: &db::Pool, expire_after: Duration) -> Result<i64, AppError> {
    let cutoff = now_millis().saturating_sub(millis(expire_after));
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT user_id FROM point_entries GROUP BY user_id \
         HAVING SUM(CASE WHEN points > 0 AND created_at <= $1 THEN points ELSE 0 END) \
              > SUM(CASE WHEN points < 0 THEN -points ELSE 0 END)",
    )
    .bind(cutoff)
    .fetch_all(pool)
    .await
    .map_err(internal("could not find the points to expire"))?;
    let mut expired = 0;
    for (user_id,) in due {
        let mut tx = pool.begin().await.map_err(internal("could not start a transaction"))?;
        db::hold_user(&mut tx, &user_id).await.map_err(internal("could not lock the user's points"))?;
        let (old, spent): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT CAST(SUM(CASE WHEN points > 0 AND created_at <= $2 THEN points ELSE 0 END) AS BIGINT), \
                    CAST(SUM(CASE WHEN points < 0 THEN -points ELSE 0 END) AS BIGINT) \
             FROM point_entries WHERE user_id = $1",
        )
        .bind(&user_id)
        .bind(cutoff)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal("could not read the points to expire"))?;
        let points = lapsing(old.unwrap_or(0), spent.unwrap_or(0));
        if points > 0 {
            let reason = "points earned over the time they last expired, oldest first";
            let entry = Entry {
                kind: PointKind::Expired,
                points: -points,
                reason,
                order_id: None,
                campaign_id: None,
            };
            append(&mut tx, &user_id, entry).await?;
        }
        tx.commit().await.map_err(internal("could not commit the expiry"))?;
        if points > 0 {
            tracing::info!(user.id = %user_id, points, "points expired");
            expired += points;
        }
    }
    Ok(expired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_spent_comes_off_the_oldest_points_first() {
        let day = 86_400_000;
        let lots = [(0, 50), (10 * day, 30), (20 * day, 20)];
        let next = next_expiry(&lots, 0, 365 * day).expect("held");
        assert_eq!((next.points, next.at.as_str()), (50, "1971-01-01T00:00:00Z"));
        let next = next_expiry(&lots, 60, 365 * day).expect("held");
        assert_eq!((next.points, next.at.as_str()), (20, "1971-01-11T00:00:00Z"));
        assert_eq!(next_expiry(&lots, 100, 365 * day), None);
        assert_eq!(next_expiry(&[], 0, 365 * day), None);
    }

    #[test]
    fn only_old_points_not_yet_spent_lapse() {
        assert_eq!(lapsing(80, 30), 50);
        assert_eq!(lapsing(80, 80), 0);
        assert_eq!(lapsing(80, 120), 0);
        assert_eq!(lapsing(0, 0), 0);
    }
}

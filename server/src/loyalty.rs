//! Loyalty points: an append-only ledger (the database refuses changes and deletions of its
//! entries); the balance is derived from it. Paid orders earn points once, when done, times
//! the best campaign running when they were paid; points pay for pictures, come back when
//! such a picture cannot be drawn, are taken back when a paid order is refunded, and expire
//! oldest first.

mod campaigns;
mod expiry;

use crate::platform::{
    clock::{millis, now_millis, rfc3339},
    db,
    error::internal,
};
use app::{
    domain::{
        User,
        history::Cursor,
        loyalty::{Campaign, CampaignRequest, Loyalty, PointEntry, PointKind, PointsPage, earned_for},
    },
    error::AppError,
    services::LoyaltyService,
};
use sqlx::{Any, Transaction};
use std::time::Duration;

/// The ledger and the campaigns.
pub struct Points {
    pool: db::Pool,
    rules: PointRules,
}

/// How points are spent and how long they last (`LTD_POINTS_PER_CENT`,
/// `LTD_POINTS_EXPIRE_DAYS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointRules {
    /// What one cent of a price costs in points.
    pub points_per_cent: i64,
    /// How long after they were earned points expire.
    pub expire_after: Duration,
}

impl Default for PointRules {
    fn default() -> Self {
        PointRules { points_per_cent: 1, expire_after: Duration::from_secs(365 * 24 * 3600) }
    }
}

impl Points {
    pub fn new(pool: db::Pool, rules: PointRules) -> Self {
        Self { pool, rules }
    }

    /// Every entry of `user`'s ledger, oldest first (the account export).
    pub async fn ledger_of(&self, user: &User) -> Result<Vec<PointEntry>, AppError> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT id, kind, points, reason, order_id, created_at FROM point_entries \
             WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(&user.id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the points"))?;
        rows.iter().map(EntryRow::to_entry).collect()
    }
}

/// One entry to write.
struct Entry<'a> {
    kind: PointKind,
    points: i64,
    reason: &'a str,
    order_id: Option<&'a str>,
    campaign_id: Option<&'a str>,
}

/// Writes `entry` for `user_id` in `tx`; an entry of a kind written once per order
/// (earned, redeemed, reversed) is not written twice. Whether it was written.
async fn append(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    entry: Entry<'_>,
) -> Result<bool, AppError> {
    const INSERT: &str = "INSERT INTO point_entries (id, user_id, kind, points, reason, order_id, campaign_id, created_at) \
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    macro_rules! once {
        ($kind:literal) => {
            concat!(
                "INSERT INTO point_entries (id, user_id, kind, points, reason, order_id, campaign_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) WHERE kind = '",
                $kind,
                "' DO NOTHING"
            )
        };
    }
    let sql = match entry.kind {
        PointKind::Earned => once!("earned"),
        PointKind::Redeemed => once!("redeemed"),
        PointKind::Reversed => once!("reversed"),
        PointKind::Expired | PointKind::Adjusted => INSERT,
    };
    let written = sqlx::query(sql)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user_id)
        .bind(entry.kind.as_str())
        .bind(entry.points)
        .bind(entry.reason)
        .bind(entry.order_id)
        .bind(entry.campaign_id)
        .bind(now_millis())
        .execute(&mut **tx)
        .await
        .map_err(internal("could not write to the points ledger"))?;
    Ok(written.rows_affected() == 1)
}

/// The sum of `user_id`'s entries, read in `tx` (which holds the user's row when it is
/// about to spend them). Below zero while a debt is owed.
pub async fn sum_in(tx: &mut Transaction<'static, Any>, user_id: &str) -> Result<i64, AppError> {
    let (sum,): (Option<i64>,) =
        sqlx::query_as("SELECT CAST(SUM(points) AS BIGINT) FROM point_entries WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal("could not read the balance"))?;
    Ok(sum.unwrap_or(0))
}

/// A paid order that is done, as earning sees it.
pub struct Earning<'a> {
    pub user_id: &'a str,
    pub order_id: &'a str,
    /// The shape's stored name, for campaigns restricted to shapes.
    pub shape: &'a str,
    /// When it was paid (Unix ms): the campaigns running then count.
    pub paid_at: i64,
    pub paid_cents: i64,
}

/// Writes, in `tx` (the transaction that marks the order done), the points a paid order
/// earns: once per order, whatever redelivers its job. Returns the points written (0 when
/// none are due or they were earned before).
pub async fn earn(tx: &mut Transaction<'static, Any>, earning: &Earning<'_>) -> Result<i64, AppError> {
    let base = earned_for(earning.paid_cents);
    if base == 0 {
        return Ok(0);
    }
    let campaign = campaigns::best_for(tx, earning.shape, earning.paid_at).await?;
    let (points, reason, campaign_id) = match &campaign {
        Some(best) => (
            base.saturating_mul(best.multiplier),
            format!("a paid picture was delivered, ×{} in the campaign {:?}", best.multiplier, best.name),
            Some(best.id.as_str()),
        ),
        None => (base, "a paid picture was delivered".to_owned(), None),
    };
    let entry = Entry {
        kind: PointKind::Earned,
        points,
        reason: &reason,
        order_id: Some(earning.order_id),
        campaign_id,
    };
    Ok(if append(tx, earning.user_id, entry).await? { points } else { 0 })
}

/// Spends `points` on order `order_id`, in the transaction that stores the order (and
/// holds its owner's row). The caller has checked the balance covers them.
pub async fn redeem(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    order_id: &str,
    points: i64,
) -> Result<(), AppError> {
    let reason = "paid a picture with points";
    let entry = Entry {
        kind: PointKind::Redeemed,
        points: -points,
        reason,
        order_id: Some(order_id),
        campaign_id: None,
    };
    append(tx, user_id, entry).await?;
    Ok(())
}

/// Gives back the `points` an order paid with points took, when it cannot be drawn: once,
/// in the transaction that marks it failed.
pub async fn give_back(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    order_id: &str,
    points: i64,
) -> Result<(), AppError> {
    let reason = "the picture paid with points could not be drawn: the points are back";
    let entry =
        Entry { kind: PointKind::Reversed, points, reason, order_id: Some(order_id), campaign_id: None };
    append(tx, user_id, entry).await?;
    Ok(())
}

/// Takes back, in the transaction that records an order's refund, the points the order
/// earned: as many as are left (a `reversed` entry), and the rest as a debt (an `adjusted`
/// entry) that later earnings settle before the balance grows again. Once per order.
/// Returns (points taken back, points owed).
pub async fn take_back_earned(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    order_id: &str,
) -> Result<(i64, i64), AppError> {
    db::hold_user(tx, user_id).await.map_err(internal("could not lock the user's points"))?;
    let (earned,): (Option<i64>,) = sqlx::query_as(
        "SELECT CAST(SUM(points) AS BIGINT) FROM point_entries WHERE order_id = $1 AND kind = 'earned'",
    )
    .bind(order_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal("could not read the points earned"))?;
    let earned = earned.unwrap_or(0);
    if earned <= 0 {
        return Ok((0, 0));
    }
    let left = sum_in(tx, user_id).await?.max(0);
    let taken = earned.min(left);
    let owed = earned - taken;
    let reason = "the order was refunded: the points it earned are taken back";
    let entry = Entry {
        kind: PointKind::Reversed,
        points: -taken,
        reason,
        order_id: Some(order_id),
        campaign_id: None,
    };
    if !append(tx, user_id, entry).await? {
        return Ok((0, 0));
    }
    if owed > 0 {
        let reason = "owed after a refund, as the points were spent: later earnings settle it first";
        let entry = Entry {
            kind: PointKind::Adjusted,
            points: -owed,
            reason,
            order_id: Some(order_id),
            campaign_id: None,
        };
        append(tx, user_id, entry).await?;
    }
    Ok((taken, owed))
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    kind: String,
    points: i64,
    reason: String,
    order_id: Option<String>,
    created_at: i64,
}

impl EntryRow {
    fn to_entry(&self) -> Result<PointEntry, AppError> {
        let kind = PointKind::parse(&self.kind).ok_or_else(|| {
            tracing::error!(entry.id = %self.id, kind = %self.kind, "a point entry of an unknown kind");
            AppError::Internal
        })?;
        Ok(PointEntry {
            id: self.id.clone(),
            kind,
            points: self.points,
            reason: self.reason.clone(),
            order_id: self.order_id.clone(),
            created_at: rfc3339(self.created_at),
        })
    }
}

#[async_trait::async_trait]
impl LoyaltyService for Points {
    async fn loyalty(&self, user: &User, page: &PointsPage) -> Result<Loyalty, AppError> {
        let (sum, spent): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT CAST(SUM(points) AS BIGINT), CAST(SUM(CASE WHEN points < 0 THEN -points ELSE 0 END) AS BIGINT) \
             FROM point_entries WHERE user_id = $1",
        )
        .bind(&user.id)
        .fetch_one(&self.pool)
        .await
        .map_err(internal("could not read the balance"))?;
        let lots: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT created_at, points FROM point_entries WHERE user_id = $1 AND points > 0 ORDER BY created_at, id",
        )
        .bind(&user.id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the points"))?;
        let next_expiry = expiry::next_expiry(&lots, spent.unwrap_or(0), millis(self.rules.expire_after));
        let after = page.after.clone().unwrap_or(Cursor { created_at: i64::MAX, id: String::new() });
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT id, kind, points, reason, order_id, created_at FROM point_entries \
             WHERE user_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(&user.id)
        .bind(after.created_at)
        .bind(&after.id)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the points"))?;
        let more = rows.len() > page.limit as usize;
        let rows = &rows[..rows.len().min(page.limit as usize)];
        let next_cursor = more
            .then(|| rows.last())
            .flatten()
            .map(|last| Cursor { created_at: last.created_at, id: last.id.clone() }.encode());
        let entries = rows.iter().map(EntryRow::to_entry).collect::<Result<Vec<_>, AppError>>()?;
        let sum = sum.unwrap_or(0);
        Ok(Loyalty {
            balance: sum.max(0),
            debt: (-sum).max(0),
            points_per_cent: self.rules.points_per_cent,
            next_expiry,
            entries,
            next_cursor,
        })
    }

    async fn balance(&self, user: &User) -> Result<(i64, i64), AppError> {
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let sum = sum_in(&mut tx, &user.id).await?;
        Ok((sum.max(0), self.rules.points_per_cent))
    }

    async fn campaigns(&self) -> Result<Vec<Campaign>, AppError> {
        campaigns::list(&self.pool).await
    }

    async fn create_campaign(&self, request: &CampaignRequest) -> Result<Campaign, AppError> {
        campaigns::create(&self.pool, request).await
    }

    async fn update_campaign(&self, id: &str, request: &CampaignRequest) -> Result<Campaign, AppError> {
        campaigns::update(&self.pool, id, request).await
    }
}

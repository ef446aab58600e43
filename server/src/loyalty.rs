//! Loyalty points: an append-only ledger (the database refuses changes and deletions of its
//! entries); the balance is derived from it. Paid orders earn points once, when done.

use crate::platform::{
    clock::{now_millis, rfc3339},
    db,
    error::internal,
};
use app::{
    domain::{
        User,
        loyalty::{Loyalty, PointEntry, PointKind, earned_for},
    },
    error::AppError,
    services::LoyaltyService,
};
use sqlx::{Any, Transaction};

/// The ledger.
pub struct Points {
    pool: db::Pool,
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

impl Points {
    pub fn new(pool: db::Pool) -> Self {
        Self { pool }
    }
}

/// Writes, in `tx` (the transaction that marks order `order_id` done), the points the
/// order earns for `paid_cents`: once per order, whatever redelivers its job. Returns the
/// points written (0 when none are due or they were earned before).
pub async fn earn(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    order_id: &str,
    paid_cents: i64,
) -> Result<i64, AppError> {
    let points = earned_for(paid_cents);
    if points == 0 {
        return Ok(0);
    }
    let written = sqlx::query(
        "INSERT INTO point_entries (id, user_id, kind, points, reason, order_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) WHERE kind = 'earned' DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(user_id)
    .bind(PointKind::Earned.as_str())
    .bind(points)
    .bind("a paid picture was delivered")
    .bind(order_id)
    .bind(now_millis())
    .execute(&mut **tx)
    .await
    .map_err(internal("could not write the points earned"))?;
    Ok(if written.rows_affected() == 1 { points } else { 0 })
}

#[async_trait::async_trait]
impl LoyaltyService for Points {
    async fn loyalty(&self, user: &User) -> Result<Loyalty, AppError> {
        let (balance,): (Option<i64>,) =
            sqlx::query_as("SELECT CAST(SUM(points) AS BIGINT) FROM point_entries WHERE user_id = $1")
                .bind(&user.id)
                .fetch_one(&self.pool)
                .await
                .map_err(internal("could not read the balance"))?;
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT id, kind, points, reason, order_id, created_at FROM point_entries \
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(&user.id)
        .bind(i64::try_from(Loyalty::ENTRIES).unwrap_or(100))
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the points"))?;
        let entries = rows
            .into_iter()
            .map(|row| {
                let kind = PointKind::parse(&row.kind).ok_or_else(|| {
                    tracing::error!(entry.id = %row.id, kind = %row.kind, "a point entry of an unknown kind");
                    AppError::Internal
                })?;
                Ok(PointEntry {
                    id: row.id,
                    kind,
                    points: row.points,
                    reason: row.reason,
                    order_id: row.order_id,
                    created_at: rfc3339(row.created_at),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Loyalty { balance: balance.unwrap_or(0), entries })
    }
}

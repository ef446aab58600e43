//! The shape catalogue, stored in the `shapes` table.

use crate::{db, error::internal};
use app::{
    domain::{Shape, ShapeInfo},
    error::AppError,
};

pub struct Catalogue {
    pool: db::Pool,
}

impl Catalogue {
    pub fn new(pool: db::Pool) -> Self {
        Self { pool }
    }

    /// Active shapes in catalogue order.
    pub async fn active(&self) -> Result<Vec<ShapeInfo>, AppError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT name, display_name, price_cents, currency FROM shapes \
             WHERE active = 1 ORDER BY sort_order, name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the catalogue"))?;
        Ok(rows.into_iter().filter_map(to_info).collect())
    }

    /// One active shape, or `None` when it is not on sale.
    pub async fn find(&self, shape: Shape) -> Result<Option<ShapeInfo>, AppError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT name, display_name, price_cents, currency FROM shapes WHERE name = ? AND active = 1",
        )
        .bind(shape.name())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not read the catalogue"))?;
        Ok(row.and_then(to_info))
    }
}

type Row = (String, String, i64, String);

fn to_info((name, display_name, price_cents, currency): Row) -> Option<ShapeInfo> {
    let Ok(shape) = Shape::parse(&name) else {
        tracing::warn!(shape.name = %name, "the catalogue lists a shape the artist cannot draw");
        return None;
    };
    Some(ShapeInfo { name: shape, display_name, free: price_cents == 0, price_cents, currency })
}

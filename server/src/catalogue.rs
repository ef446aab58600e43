//! The shape catalogue, stored in the `shapes` table.

use crate::{
    payments::{NewPrice, PaymentProvider},
    platform::db,
    platform::error::internal,
};
use app::{
    domain::{Shape, ShapeInfo, ShapeSettings, ShapeUpdate},
    error::AppError,
    services::CatalogueService,
};
use std::sync::Arc;

pub struct Catalogue {
    pool: db::Pool,
    /// Gets a provider price (Stripe) for every new price.
    payments: Arc<dyn PaymentProvider>,
}

/// The columns of [`Row`].
macro_rules! columns {
    () => {
        "name, display_name, price_cents, currency, active, sort_order, stripe_price_id"
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    display_name: String,
    price_cents: i64,
    currency: String,
    active: i64,
    sort_order: i64,
    stripe_price_id: Option<String>,
}

impl Catalogue {
    pub fn new(pool: db::Pool, payments: Arc<dyn PaymentProvider>) -> Self {
        Self { pool, payments }
    }

    /// One shape's settings, active or not.
    pub async fn settings(&self, shape: Shape) -> Result<Option<ShapeSettings>, AppError> {
        let row: Option<Row> = sqlx::query_as(concat!("SELECT ", columns!(), " FROM shapes WHERE name = $1"))
            .bind(shape.name())
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not read the catalogue"))?;
        Ok(row.and_then(to_settings))
    }

    /// One shape on sale, or `None` when it is not.
    pub async fn find(&self, shape: Shape) -> Result<Option<ShapeSettings>, AppError> {
        Ok(self.settings(shape).await?.filter(|s| s.active))
    }
}

#[async_trait::async_trait]
impl CatalogueService for Catalogue {
    /// Active shapes in catalogue order, as clients see them.
    async fn active(&self) -> Result<Vec<ShapeInfo>, AppError> {
        Ok(self.all().await?.into_iter().filter(|s| s.active).map(to_info).collect())
    }

    /// Every shape with its settings, in catalogue order.
    async fn all(&self) -> Result<Vec<ShapeSettings>, AppError> {
        let rows: Vec<Row> =
            sqlx::query_as(concat!("SELECT ", columns!(), " FROM shapes ORDER BY sort_order, name"))
                .fetch_all(&self.pool)
                .await
                .map_err(internal("could not read the catalogue"))?;
        Ok(rows.into_iter().filter_map(to_settings).collect())
    }

    /// Changes a shape. A new price or currency gets a new provider price (Stripe), whose
    /// id is stored; nothing is stored when the provider refuses.
    async fn update(&self, name: &str, update: ShapeUpdate) -> Result<ShapeSettings, AppError> {
        let shape = Shape::parse(name).map_err(|_| AppError::NotFound)?;
        let update = update.validated()?;
        let current = self.settings(shape).await?.ok_or(AppError::NotFound)?;
        let price_cents = update.price_cents.unwrap_or(current.price_cents);
        let currency = update.currency.unwrap_or_else(|| current.currency.clone());
        let active = update.active.unwrap_or(current.active);
        let repriced = price_cents != current.price_cents || currency != current.currency;
        let stripe_price_id = if !repriced {
            current.stripe_price_id.clone()
        } else if price_cents == 0 {
            None
        } else {
            let price = NewPrice {
                shape: shape.name(),
                display_name: &current.display_name,
                price_cents,
                currency: &currency,
            };
            self.payments.create_price(&price).await.map_err(|error| {
                tracing::error!(error = %format!("{error:#}"), "could not create the provider price");
                AppError::Unavailable {
                    message: "the payment provider did not take the new price; nothing changed".into(),
                }
            })?
        };
        let row: Row = sqlx::query_as(concat!(
            "UPDATE shapes SET price_cents = $1, currency = $2, active = $3, stripe_price_id = $4 WHERE name = $5 RETURNING ",
            columns!()
        ))
        .bind(price_cents)
        .bind(&currency)
        .bind(i64::from(active))
        .bind(&stripe_price_id)
        .bind(shape.name())
        .fetch_one(&self.pool)
        .await
        .map_err(internal("could not update the shape"))?;
        tracing::info!(shape = shape.name(), price_cents, %currency, active, "shape updated");
        to_settings(row).ok_or(AppError::Internal)
    }
}

fn to_settings(row: Row) -> Option<ShapeSettings> {
    let Ok(shape) = Shape::parse(&row.name) else {
        tracing::warn!(shape.name = %row.name, "the catalogue lists a shape the artist cannot draw");
        return None;
    };
    Some(ShapeSettings {
        name: shape,
        display_name: row.display_name,
        price_cents: row.price_cents,
        currency: row.currency,
        active: row.active != 0,
        sort_order: row.sort_order,
        stripe_price_id: row.stripe_price_id,
    })
}

fn to_info(settings: ShapeSettings) -> ShapeInfo {
    ShapeInfo {
        name: settings.name,
        display_name: settings.display_name,
        free: settings.price_cents == 0,
        price_cents: settings.price_cents,
        currency: settings.currency,
    }
}

//! The cart service: one cart per user, in the database (it survives signing out and is
//! the same on every web instance), priced by the catalogue whenever it is read, and
//! checked out as one bill.

use crate::{
    catalogue::Catalogue,
    orders::Orders,
    platform::{clock::now_millis, db, error::internal},
};
use app::{
    domain::{
        NewBill, ShapeSettings, User,
        cart::{self, Cart, CartItem},
        parse_request,
    },
    error::AppError,
    services::{CartService, CatalogueService as _},
};
use std::sync::Arc;

pub struct Carts {
    pool: db::Pool,
    catalogue: Arc<Catalogue>,
    /// Places a checked-out cart's orders.
    orders: Arc<Orders>,
    /// The side of the pictures the artist draws, in pixels.
    picture_size: u32,
}

#[derive(Clone, sqlx::FromRow)]
struct Row {
    id: String,
    shape: String,
    color: String,
    seed: i64,
    created_at: i64,
}

impl Carts {
    pub fn new(pool: db::Pool, catalogue: Arc<Catalogue>, orders: Arc<Orders>, picture_size: u32) -> Self {
        Self { pool, catalogue, orders, picture_size }
    }

    fn item(&self, row: Row, prices: &[ShapeSettings]) -> Result<CartItem, AppError> {
        let (shape, colour) = parse_request(&row.shape, &row.color).map_err(|error| {
            tracing::error!(item.id = %row.id, %error, "a stored cart item does not read back");
            AppError::Internal
        })?;
        let price = prices.iter().find(|settings| settings.name == shape);
        Ok(CartItem {
            id: row.id,
            shape,
            color: colour,
            seed: u32::try_from(row.seed).unwrap_or_default(),
            size: self.picture_size,
            price_cents: price.map_or(0, |settings| settings.price_cents),
            currency: price.map_or_else(|| "usd".to_owned(), |settings| settings.currency.clone()),
        })
    }

    async fn rows(
        &self,
        executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
        user: &User,
    ) -> Result<Vec<Row>, AppError> {
        sqlx::query_as(
            "SELECT id, shape, color, seed, created_at FROM cart_items WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(&user.id)
        .fetch_all(executor)
        .await
        .map_err(internal("could not read the cart"))
    }
}

/// Stores `row` in `user`'s cart.
async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: &User,
    row: &Row,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO cart_items (id, user_id, shape, color, seed, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&row.id)
        .bind(&user.id)
        .bind(&row.shape)
        .bind(&row.color)
        .bind(row.seed)
        .bind(row.created_at)
        .execute(&mut **tx)
        .await
        .map_err(internal("could not add to the cart"))?;
    Ok(())
}

/// The currency of an empty or free cart: the first shape's.
fn default_currency(prices: &[ShapeSettings]) -> &str {
    prices.first().map_or("usd", |settings| settings.currency.as_str())
}

#[async_trait::async_trait]
impl CartService for Carts {
    async fn cart(&self, user: &User) -> Result<Cart, AppError> {
        let prices = self.catalogue.all().await?;
        let rows = self.rows(&self.pool, user).await?;
        let items = rows.into_iter().map(|row| self.item(row, &prices)).collect::<Result<Vec<_>, _>>()?;
        Ok(Cart::of(items, default_currency(&prices)))
    }

    async fn add_to_cart(
        &self,
        user: &User,
        shape: &str,
        colour: &str,
        seed: Option<u32>,
    ) -> Result<CartItem, AppError> {
        let (shape, colour) = parse_request(shape, colour)?;
        let prices = self.catalogue.all().await?;
        let on_sale = prices.iter().find(|settings| settings.name == shape && settings.active);
        let Some(settings) = on_sale else {
            return Err(AppError::validation("shape", format!("{} is not on sale", shape.display_name())));
        };
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        // Two additions at once cannot both take the last place.
        db::hold_user(&mut tx, &user.id).await.map_err(internal("could not lock the cart"))?;
        let rows = self.rows(&mut *tx, user).await?;
        if rows.len() >= cart::MAX_ITEMS {
            return Err(AppError::Conflict {
                field: "items".into(),
                message: format!(
                    "the cart holds {} pictures, the most it can: check out or remove one first",
                    cart::MAX_ITEMS
                ),
            });
        }
        let held = rows.into_iter().map(|row| self.item(row, &prices)).collect::<Result<Vec<_>, _>>()?;
        let priced: Vec<String> = cart::currencies(&held);
        if settings.price_cents > 0 && priced.iter().any(|currency| *currency != settings.currency) {
            return Err(AppError::Conflict {
                field: "shape".into(),
                message: format!(
                    "{} is priced in {}, the cart's pictures in {}: one checkout takes one currency",
                    shape.display_name(),
                    settings.currency,
                    priced.join(" and ")
                ),
            });
        }
        let row = Row {
            id: uuid::Uuid::now_v7().to_string(),
            shape: shape.name().to_owned(),
            color: colour.as_css().to_owned(),
            seed: i64::from(seed.unwrap_or_else(rand::random)),
            created_at: now_millis(),
        };
        insert(&mut tx, user, &row).await?;
        tx.commit().await.map_err(internal("could not add to the cart"))?;
        self.item(row, &prices)
    }

    async fn remove_from_cart(&self, user: &User, id: &str) -> Result<(), AppError> {
        let removed = sqlx::query("DELETE FROM cart_items WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(&user.id)
            .execute(&self.pool)
            .await
            .map_err(internal("could not remove from the cart"))?;
        if removed.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    async fn checkout(&self, user: &User) -> Result<NewBill, AppError> {
        let prices = self.catalogue.all().await?;
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        // Two checkouts at once: the second finds the cart the first emptied.
        db::hold_user(&mut tx, &user.id).await.map_err(internal("could not lock the cart"))?;
        let rows = self.rows(&mut *tx, user).await?;
        if rows.is_empty() {
            return Err(AppError::Conflict {
                field: "items".into(),
                message: "the cart is empty: add a picture before checking out".into(),
            });
        }
        let items = rows.iter().cloned().map(|row| self.item(row, &prices)).collect::<Result<Vec<_>, _>>()?;
        let withdrawn = items
            .iter()
            .find(|item| !prices.iter().any(|settings| settings.name == item.shape && settings.active));
        if let Some(item) = withdrawn {
            return Err(AppError::Conflict {
                field: "items".into(),
                message: format!(
                    "{} is no longer on sale: take it out of the cart to check out",
                    item.shape.display_name()
                ),
            });
        }
        let cart = Cart::of(items, default_currency(&prices));
        if let Some(problem) = cart.problem {
            return Err(AppError::Conflict { field: "items".into(), message: problem });
        }
        let placed = self.orders.place_bill(&mut tx, user, &cart.items, &cart.currency).await?;
        sqlx::query("DELETE FROM cart_items WHERE user_id = $1")
            .bind(&user.id)
            .execute(&mut *tx)
            .await
            .map_err(internal("could not empty the cart"))?;
        tx.commit().await.map_err(internal("could not check out the cart"))?;
        match self.orders.open_bill(user, placed).await {
            Err(error @ AppError::Unavailable { .. }) => {
                // Nothing was charged: the pictures go back into the cart for another try.
                let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
                for row in &rows {
                    insert(&mut tx, user, row).await?;
                }
                tx.commit().await.map_err(internal("could not refill the cart"))?;
                Err(error)
            }
            placed => placed,
        }
    }
}

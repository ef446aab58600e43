//! The share token of an order: set while its picture is shared.

use super::{OrderRow, Orders};
use crate::platform::error::internal;
use app::{domain::User, error::AppError};

impl Orders {
    /// Shares the caller's order with `token`, unless it is shared already; returns the
    /// token in force.
    pub async fn share(&self, user: &User, id: &str, token: &str) -> Result<String, AppError> {
        let shared: Option<(Option<String>,)> = sqlx::query_as(
            "UPDATE orders SET share_token = COALESCE(share_token, $1) WHERE id = $2 AND user_id = $3 \
             RETURNING share_token",
        )
        .bind(token)
        .bind(id)
        .bind(&user.id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not share the picture"))?;
        shared.and_then(|(token,)| token).ok_or(AppError::NotFound)
    }

    /// Ends the sharing of the caller's order; its link is not found afterwards.
    pub async fn unshare(&self, user: &User, id: &str) -> Result<(), AppError> {
        let done = sqlx::query("UPDATE orders SET share_token = NULL WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(&user.id)
            .execute(&self.pool)
            .await
            .map_err(internal("could not end the sharing"))?;
        if done.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// The order shared with `token`, whoever owns it.
    pub async fn shared_row(&self, token: &str) -> Result<Option<OrderRow>, AppError> {
        sqlx::query_as(concat!("SELECT ", crate::order_columns!(), " FROM orders WHERE share_token = $1"))
            .bind(token)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not read the shared picture"))
    }
}

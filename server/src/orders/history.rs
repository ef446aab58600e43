//! One's order history: pages found by cursor (newest first), searched and filtered, the
//! owner's note on an order, all of it for an export, and forgetting its owner.

use super::{OrderRow, Orders};
use crate::platform::{db, error::internal};
use app::{
    domain::{Colour, OrderFilter, OrderPage, Shape, User, history::Cursor},
    error::AppError,
};

/// `LIKE` text that matches `text` anywhere, its wildcards taken literally (escape `\`).
fn contains(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// A value bound into the page query.
enum Value {
    Text(String),
    Int(i64),
}

/// The page query for `filter`: its SQL and values, in placeholder order. Each filter uses
/// an index that starts with `user_id` and ends with `created_at DESC, id DESC`, so a page
/// reads only the rows it shows plus those a search skips.
fn page_query(user_id: &str, filter: &OrderFilter) -> (String, Vec<Value>) {
    let mut values = vec![Value::Text(user_id.to_owned())];
    let mut conditions = vec!["user_id = $1".to_owned()];
    let mut bind = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    if let Some(status) = filter.status {
        conditions.push(format!("status = {}", bind(Value::Text(status.as_str().to_owned()))));
    }
    if let Some(shape) = filter.shape {
        conditions.push(format!("shape = {}", bind(Value::Text(shape.name().to_owned()))));
    }
    if let Some(text) = &filter.text {
        let pattern = bind(Value::Text(contains(text)));
        let mut matches = vec![
            format!("LOWER(color) LIKE {pattern} ESCAPE '\\'"),
            format!("LOWER(COALESCE(note, '')) LIKE {pattern} ESCAPE '\\'"),
        ];
        // The colour the text names, however it was typed: "tomato" finds "#ff6347".
        if let Ok(colour) = Colour::parse(text) {
            matches.push(format!("color_rgba = {}", bind(Value::Text(colour.hex_rgba()))));
        }
        for shape in Shape::ALL {
            if shape.name().contains(text.as_str())
                || shape.display_name().to_lowercase().contains(text.as_str())
            {
                matches.push(format!("shape = {}", bind(Value::Text(shape.name().to_owned()))));
            }
        }
        conditions.push(format!("({})", matches.join(" OR ")));
    }
    if let Some(Cursor { created_at, id }) = &filter.after {
        let at = bind(Value::Int(*created_at));
        let id = bind(Value::Text(id.clone()));
        conditions.push(format!("(created_at < {at} OR (created_at = {at} AND id < {id}))"));
    }
    // One more than the page, to know whether another page follows.
    let limit = bind(Value::Int(i64::from(filter.limit) + 1));
    let sql = format!(
        "SELECT {} FROM orders WHERE {} ORDER BY created_at DESC, id DESC LIMIT {limit}",
        crate::order_columns!(),
        conditions.join(" AND ")
    );
    (sql, values)
}

/// A page of the orders of user `user_id` as `filter` picks them, newest first.
pub async fn find(pool: &db::Pool, user_id: &str, filter: &OrderFilter) -> Result<OrderPage, AppError> {
    let (sql, values) = page_query(user_id, filter);
    // Audited: the text holds fixed fragments and numbered placeholders only; every value
    // the caller gave is bound.
    let mut query = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(sql));
    for value in values {
        query = match value {
            Value::Text(text) => query.bind(text),
            Value::Int(number) => query.bind(number),
        };
    }
    let mut rows = query.fetch_all(pool).await.map_err(internal("could not list the orders"))?;
    let more = rows.len() > filter.limit as usize;
    rows.truncate(filter.limit as usize);
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|row| Cursor { created_at: row.created_at, id: row.id.clone() }.encode());
    let orders = rows.iter().map(OrderRow::to_order).collect::<Result<_, _>>()?;
    Ok(OrderPage { orders, next_cursor })
}

impl Orders {
    /// A page of `user`'s orders as `filter` picks them, newest first.
    pub async fn page(&self, user: &User, filter: &OrderFilter) -> Result<OrderPage, AppError> {
        find(&self.pool, &user.id, filter).await
    }

    /// `user`'s most recent orders (at most 500), for the live stream of all of them.
    pub async fn recent(&self, user: &User) -> Result<Vec<app::domain::Order>, AppError> {
        let filter = OrderFilter { limit: 500, ..OrderFilter::default() };
        Ok(self.page(user, &filter).await?.orders)
    }

    /// Every order of `user`, oldest first (for the export of their data).
    pub async fn all_of(&self, user: &User) -> Result<Vec<app::domain::Order>, AppError> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::order_columns!(),
            " FROM orders WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(&user.id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not read the orders"))?;
        rows.iter().map(OrderRow::to_order).collect()
    }

    /// Forgets what a deleted account's orders say about their owner: notes and share links
    /// go, and the pictures are no longer served. Returns the picture keys to delete; the
    /// orders stay for the books.
    pub async fn forget_owner(&self, user: &User) -> Result<Vec<String>, AppError> {
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let keys: Vec<(String,)> =
            sqlx::query_as("SELECT picture_key FROM orders WHERE user_id = $1 AND picture_key IS NOT NULL")
                .bind(&user.id)
                .fetch_all(&mut *tx)
                .await
                .map_err(internal("could not forget the orders' owner"))?;
        sqlx::query(
            "UPDATE orders SET note = NULL, share_token = NULL, picture_key = NULL WHERE user_id = $1",
        )
        .bind(&user.id)
        .execute(&mut *tx)
        .await
        .map_err(internal("could not forget the orders' owner"))?;
        tx.commit().await.map_err(internal("could not forget the orders' owner"))?;
        Ok(keys.into_iter().map(|(key,)| key).collect())
    }

    /// Sets or removes the owner's note on an order.
    pub async fn write_note(&self, user: &User, id: &str, note: Option<&str>) -> Result<OrderRow, AppError> {
        let note = app::domain::history::parse_note(note)?;
        sqlx::query_as(concat!(
            "UPDATE orders SET note = $1 WHERE id = $2 AND user_id = $3 RETURNING ",
            crate::order_columns!()
        ))
        .bind(note)
        .bind(id)
        .bind(&user.id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not store the note"))?
        .ok_or(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(contains("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn a_search_for_a_colour_name_also_matches_its_other_spellings() {
        let filter = OrderFilter { text: Some("tomato".into()), ..OrderFilter::default() };
        let (sql, values) = page_query("u1", &filter);
        assert!(sql.contains("color_rgba = $3"), "{sql}");
        assert!(matches!(&values[2], Value::Text(rgba) if rgba == "#ff6347ff"));
        let filter = OrderFilter { text: Some("squares".into()), ..OrderFilter::default() };
        let (sql, _) = page_query("u1", &filter);
        assert!(sql.contains("shape = $3") && !sql.contains("color_rgba"), "{sql}");
    }
}

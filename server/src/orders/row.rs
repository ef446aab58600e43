//! An order as stored, and as its owner sees it.

use crate::{platform::clock::rfc3339, platform::error::internal};
use app::{
    domain::{Colour, Order, OrderStatus, Shape},
    error::AppError,
};

/// An order as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderRow {
    pub id: String,
    pub user_id: String,
    pub shape: String,
    pub color: String,
    pub seed: i64,
    pub status: OrderStatus,
    pub failure_reason: Option<String>,
    pub price_cents: i64,
    pub currency: String,
    pub picture_key: Option<String>,
    pub checkout_session_id: Option<String>,
    pub checkout_url: Option<String>,
    pub payment_intent: Option<String>,
    pub amount_paid_cents: Option<i64>,
    pub paid_at: Option<i64>,
    pub failed_attempts: i64,
    pub render_ms: Option<i64>,
    pub refund_pending: i64,
    pub refund_id: Option<String>,
    pub refunded_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub note: Option<String>,
    pub share_token: Option<String>,
    /// The bill the order is a line of, when it was checked out from a cart.
    pub bill_id: Option<String>,
    /// Set when the order was paid with loyalty points: how many it took.
    pub points_paid: Option<i64>,
}

/// The columns of [`OrderRow`], as a literal so queries stay `&'static str`.
#[macro_export]
#[doc(hidden)]
macro_rules! order_columns {
    () => {
        "id, user_id, shape, color, seed, status, failure_reason, price_cents, currency, picture_key, \
         checkout_session_id, checkout_url, payment_intent, amount_paid_cents, paid_at, failed_attempts, \
         render_ms, refund_pending, refund_id, refunded_at, created_at, updated_at, note, share_token, bill_id, points_paid"
    };
}

impl OrderRow {
    pub fn shape(&self) -> Result<Shape, AppError> {
        Shape::parse(&self.shape).map_err(|e| AppError::validation("shape", e.to_string()))
    }

    pub fn colour(&self) -> Result<Colour, AppError> {
        Colour::parse(&self.color).map_err(|e| AppError::validation("color", e.to_string()))
    }

    /// What a checkout or a receipt calls it, e.g. "Voronoi in indigo".
    pub fn description(&self) -> Result<String, AppError> {
        Ok(format!("{} in {}", self.shape()?.display_name(), self.color))
    }

    /// The seed as drawn: stored as an integer column, always a `u32`.
    pub fn seed(&self) -> u32 {
        u32::try_from(self.seed).unwrap_or_default()
    }

    /// Where the picture of order `id` is stored: one fixed key per order.
    pub fn picture_key(id: &str) -> String {
        format!("orders/{id}.png")
    }

    /// The order as its owner sees it.
    pub fn to_order(&self) -> Result<Order, AppError> {
        let status = self.status;
        Ok(Order {
            id: self.id.clone(),
            shape: self.shape().map_err(internal("stored order has an unknown shape"))?,
            color: self.colour().map_err(internal("stored order has an invalid colour"))?,
            seed: self.seed(),
            status,
            price_cents: self.price_cents,
            currency: self.currency.clone(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            picture_url: (status == OrderStatus::Done).then(|| format!("/api/v1/orders/{}/picture", self.id)),
            failure_reason: self.failure_reason.clone(),
            checkout_url: self.checkout_url.clone().filter(|_| status == OrderStatus::AwaitingPayment),
            paid_at: self.paid_at.map(rfc3339),
            failed_attempts: u32::try_from(self.failed_attempts).unwrap_or_default(),
            refunded_at: self.refunded_at.map(rfc3339),
            paid_cents: self.amount_paid_cents.filter(|_| self.paid_at.is_some()),
            note: self.note.clone(),
            share_url: self.share_token.as_ref().map(|token| format!("/p/{token}")),
            payable_again: super::checkout::payable_again(self),
            bill_id: self.bill_id.clone(),
            paid_points: self.points_paid,
        })
    }
}

//! Orders and their life cycle.

use super::{Colour, Shape};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an order is in its life: it only ever moves forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingPayment,
    Queued,
    InProgress,
    Done,
    Failed,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Queued => "queued",
            OrderStatus::InProgress => "in_progress",
            OrderStatus::Done => "done",
            OrderStatus::Failed => "failed",
        }
    }

    /// Words for the status badge.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "waiting for payment",
            OrderStatus::Queued => "queued",
            OrderStatus::InProgress => "in progress",
            OrderStatus::Done => "done",
            OrderStatus::Failed => "failed",
        }
    }

    /// Done and failed orders change no more.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Done | OrderStatus::Failed)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order as its owner sees it (`GET /api/v1/orders/{id}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub shape: Shape,
    pub color: Colour,
    pub status: OrderStatus,
    pub price_cents: i64,
    pub currency: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture_url: Option<String>,
}

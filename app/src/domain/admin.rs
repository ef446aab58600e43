//! What admins see: failed drawings, the console's figures and the live feed.

use super::{Order, Shape};
use serde::{Deserialize, Serialize};

/// A drawing that failed for good (`GET /api/v1/admin/failures`): the dead letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub id: String,
    pub order_id: String,
    pub shape: Shape,
    pub color: String,
    /// The owner's e-mail address.
    pub email: String,
    /// The last attempt's error.
    pub error: String,
    pub attempts: u32,
    /// RFC 3339, UTC.
    pub failed_at: String,
    /// The order's status now (`failed`, or `refunded` once its payment was given back).
    pub order_status: super::OrderStatus,
    /// Whether **Retry** is offered: the order is failed and was not paid (a paid order is
    /// refunded instead).
    pub retryable: bool,
}

/// Orders created in one hour (UTC), for the console's chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourCount {
    /// RFC 3339, UTC, the start of the hour.
    pub hour: String,
    pub orders: i64,
}

/// Money taken in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revenue {
    pub currency: String,
    pub cents: i64,
}

/// The admin console's figures (`GET /api/v1/admin/overview`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Drawing jobs waiting in the queue (none when the queue did not answer).
    pub queue_depth: Option<i64>,
    /// Orders waiting to be drawn or being drawn.
    pub orders_unfinished: i64,
    /// Failed drawings not retried yet.
    pub open_failures: i64,
    /// The last 24 hours, oldest first, one entry per hour (24 entries).
    pub orders_per_hour: Vec<HourCount>,
    /// Median render time of the pictures drawn in the last 24 hours, in milliseconds.
    pub median_render_ms: Option<f64>,
    /// Payments recorded since midnight UTC, less refunds, per currency.
    pub revenue_today: Vec<Revenue>,
}

/// One line of the admin live feed (`GET /api/v1/admin/live`, `event: paid` or `event: failed`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveItem {
    /// `paid`, `failed` or `refunded`.
    pub kind: String,
    pub order: Order,
}

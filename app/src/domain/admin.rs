//! What admins see: failed drawings, the console's figures and the live feed.

use super::{Order, Shape};
use serde::{Deserialize, Serialize};

/// What failed for good: a drawing or a mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Drawing,
    Mail,
}

/// Something that failed for good (`GET /api/v1/admin/failures`): a dead letter, a drawing
/// or a mail, listed until an admin retries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The failure's id (a mail's: the mail's id, which **Retry** takes).
    pub id: String,
    pub kind: FailureKind,
    /// The order that could not be drawn, or whose news the mail carries.
    pub order_id: Option<String>,
    /// The order's shape (drawings).
    pub shape: Option<Shape>,
    /// The order's colour as typed (drawings).
    pub color: Option<String>,
    /// The order owner's address (drawings) or the mail's recipient.
    pub email: String,
    /// The mail's subject (mails).
    pub subject: Option<String>,
    /// The last attempt's error.
    pub error: String,
    pub attempts: u32,
    /// RFC 3339, UTC.
    pub failed_at: String,
    /// The order's status now (drawings: `failed`, or `refunded` once its payment was given
    /// back).
    pub order_status: Option<super::OrderStatus>,
    /// Whether **Retry** is offered: a mail, or a drawing whose order is failed and was not
    /// paid (a paid order is refunded instead).
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
    /// Loyalty points earned since midnight UTC.
    #[serde(default)]
    pub points_issued_today: i64,
    /// Loyalty points spent on pictures since midnight UTC, less those given back.
    #[serde(default)]
    pub points_redeemed_today: i64,
}

/// One line of the admin live feed (`GET /api/v1/admin/live`, `event: paid` or `event: failed`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveItem {
    /// `paid`, `failed` or `refunded`.
    pub kind: String,
    pub order: Order,
}

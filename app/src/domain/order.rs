//! Orders and their life cycle.

use super::{Colour, Shape};
use crate::error::AppError;
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
    /// A paid order that failed, or that an admin refunded once drawn: its payment given
    /// back.
    Refunded,
    /// Its owner cancelled it while it waited for payment.
    Cancelled,
}

impl OrderStatus {
    /// What an order may become next: statuses only move forward, except that an admin may
    /// queue a failed, unpaid order again, and a drawing job delivered again finds its order
    /// in progress already. A done order is final unless an admin refunds it.
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            AwaitingPayment => &[Queued, Failed, Cancelled],
            Queued => &[InProgress, Done, Failed],
            InProgress => &[InProgress, Done, Failed],
            // Paid again with a new checkout, when the one before expired or failed.
            Failed => &[Queued, Refunded, AwaitingPayment],
            // A payment that arrives after the cancel is given back.
            Cancelled => &[Refunded],
            // An admin refunds a paid picture after it was drawn.
            Done => &[Refunded],
            Refunded => &[],
        }
    }

    /// Whether an order in this status may become `to`.
    pub fn may_become(self, to: OrderStatus) -> bool {
        self.next().contains(&to)
    }

    /// Every status, in the order of an order's life.
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::Queued,
        OrderStatus::InProgress,
        OrderStatus::Done,
        OrderStatus::Failed,
        OrderStatus::Refunded,
        OrderStatus::Cancelled,
    ];

    /// The stored name, e.g. `awaiting_payment`.
    pub fn parse(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|status| status.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Queued => "queued",
            OrderStatus::InProgress => "in_progress",
            OrderStatus::Done => "done",
            OrderStatus::Failed => "failed",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Cancelled => "cancelled",
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
            OrderStatus::Refunded => "refunded",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Done, failed, refunded and cancelled orders change no more (an admin may queue a
    /// failed, unpaid order again; a late payment of a cancelled one is given back).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Done | OrderStatus::Failed | OrderStatus::Refunded | OrderStatus::Cancelled
        )
    }
}

/// The status as stored: its name, as text, through sqlx's `Any` driver (SQLite and
/// PostgreSQL alike).
#[cfg(feature = "ssr")]
mod stored {
    use super::OrderStatus;
    use sqlx::{Any, Database, Decode, Encode, Type, any::AnyTypeInfo, encode::IsNull, error::BoxDynError};

    impl Type<Any> for OrderStatus {
        fn type_info() -> AnyTypeInfo {
            <str as Type<Any>>::type_info()
        }
    }

    impl Encode<'_, Any> for OrderStatus {
        fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
            <&str as Encode<Any>>::encode(self.as_str(), buf)
        }
    }

    impl<'r> Decode<'r, Any> for OrderStatus {
        fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
            let text = <&str as Decode<Any>>::decode(value)?;
            OrderStatus::parse(text).ok_or_else(|| format!("not an order status: {text:?}").into())
        }
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
    /// Drives the pattern shapes: the same seed always draws the same picture.
    pub seed: u32,
    pub status: OrderStatus,
    pub price_cents: i64,
    pub currency: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    /// Set when the order is done: where its owner downloads the picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture_url: Option<String>,
    /// Set when the order failed: why, in words for its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// Set while a priced order waits for payment: where its owner pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
    /// Set once the payment is recorded (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// What was paid, in the currency's minor units, once the payment is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_cents: Option<i64>,
    /// Drawing attempts that failed so far; above 0 while in progress, the artist is retrying.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_attempts: u32,
    /// Set once a failed paid order's payment is given back (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_at: Option<String>,
    /// The owner's note, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set while the picture is shared: the public page that shows it (`/p/<token>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_url: Option<String>,
    /// The checkout expired or failed and nothing was paid: a new one may be opened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payable_again: bool,
    /// Set when the order was placed with others in one checkout: the bill it is a line of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_id: Option<String>,
    /// Set when the order was paid with loyalty points: how many it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_points: Option<i64>,
}

/// Why an unpaid order failed, when a new checkout may pay it (`POST
/// /api/v1/orders/{id}/checkout`).
pub const PAYABLE_AGAIN: [&str; 3] = ["checkout expired", "payment failed", "checkout could not be opened"];

/// A shared picture as anyone with its link sees it: no owner, no order id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedPicture {
    pub shape: Shape,
    pub color: Colour,
    pub seed: u32,
    /// The PNG, on this site.
    pub image_url: String,
    /// The page's own address, absolute (for Open Graph).
    pub page_url: String,
    /// The image's address, absolute (for Open Graph).
    pub image_absolute_url: String,
}

/// `2026-11-22T00:23:03.123Z` → `2026-11-22 00:23 UTC`: a time as pages and mails show it.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

fn is_zero(count: &u32) -> bool {
    *count == 0
}

impl Order {
    /// Whether nothing more will happen to the order: done, refunded, or failed without a
    /// payment (a failed paid order is refunded next).
    pub fn is_settled(&self) -> bool {
        let refund_due =
            matches!(self.status, OrderStatus::Failed | OrderStatus::Cancelled) && self.paid_at.is_some();
        self.status.is_final() && !refund_due
    }

    /// Whether the artist is trying again after failed attempts.
    pub fn is_retrying(&self) -> bool {
        self.status == OrderStatus::InProgress && self.failed_attempts > 0
    }

    /// Words for the status badge: "retrying" while the artist tries again.
    pub fn status_label(&self) -> &'static str {
        if self.is_retrying() { "retrying" } else { self.status.label() }
    }
}

/// Checks an order request; errors name the field (`shape` or `color`).
pub fn parse_request(shape: &str, color: &str) -> Result<(Shape, Colour), AppError> {
    let shape = Shape::parse(shape).map_err(|e| AppError::validation("shape", e.to_string()))?;
    let colour = Colour::parse(color).map_err(|e| AppError::validation("color", e.to_string()))?;
    Ok((shape, colour))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_the_field_it_refuses() {
        assert!(parse_request("circle", "rebeccapurple").is_ok());
        let field = |shape: &str, color: &str| {
            parse_request(shape, color).err().and_then(|e| e.field().map(str::to_owned))
        };
        assert_eq!(field("triangle", "red").as_deref(), Some("shape"));
        assert_eq!(field("circle", "blurple").as_deref(), Some("color"));
        assert_eq!(field("", "").as_deref(), Some("shape"), "the first bad field is named");
    }

    #[test]
    fn order_json_has_the_documented_shape() {
        let order = Order {
            id: "0192".into(),
            shape: Shape::TiledLines,
            color: Colour::parse("indigo").expect("colour"),
            seed: 42,
            status: OrderStatus::InProgress,
            price_cents: 300,
            currency: "usd".into(),
            created_at: "2026-11-21T10:00:00Z".into(),
            updated_at: "2026-11-21T10:00:01Z".into(),
            picture_url: None,
            failure_reason: None,
            checkout_url: None,
            paid_at: None,
            failed_attempts: 0,
            refunded_at: None,
            paid_cents: None,
            note: None,
            share_url: None,
            payable_again: false,
            bill_id: None,
            paid_points: None,
        };
        let json = serde_json::to_value(&order).expect("serialises");
        assert_eq!(json["shape"], "tiled_lines");
        assert_eq!(json["color"], "indigo");
        assert_eq!(json["status"], "in_progress");
        assert!(json.get("picture_url").is_none());
        let back: Order = serde_json::from_value(json).expect("parses");
        assert_eq!(back, order);
    }
}

#[cfg(test)]
mod status_tests {
    use super::OrderStatus::{self, *};

    #[test]
    fn statuses_move_forward_only() {
        assert!(AwaitingPayment.may_become(Queued) && AwaitingPayment.may_become(Failed));
        assert!(!AwaitingPayment.may_become(Done), "nothing is drawn before it is paid");
        assert!(Queued.may_become(InProgress) && InProgress.may_become(Done));
        assert!(!Done.may_become(Queued) && Done.next() == [Refunded] && Refunded.next().is_empty());
        assert!(Failed.may_become(Refunded) && Failed.may_become(Queued));
        assert!(!Refunded.may_become(Queued), "a refunded order is never drawn");
    }

    #[test]
    fn every_status_reads_back_from_its_stored_name() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }
}

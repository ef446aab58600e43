//! Bills: a cart checked out at once, one order per picture, paid in one checkout.

use super::{Colour, OrderStatus, Shape};
use serde::{Deserialize, Serialize};

/// Where a bill is: free ones are settled when made; priced ones wait for their one
/// payment, which queues every order at once, or fail all together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillStatus {
    /// Only free pictures: nothing to pay, every order queued when the bill was made.
    Free,
    AwaitingPayment,
    Paid,
    /// Its checkout expired, its payment failed or did not match, or could not be opened.
    Failed,
}

impl BillStatus {
    pub const ALL: [BillStatus; 4] =
        [BillStatus::Free, BillStatus::AwaitingPayment, BillStatus::Paid, BillStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            BillStatus::Free => "free",
            BillStatus::AwaitingPayment => "awaiting_payment",
            BillStatus::Paid => "paid",
            BillStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<BillStatus> {
        BillStatus::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Words for the status badge.
    pub fn label(self) -> &'static str {
        match self {
            BillStatus::Free => "free",
            BillStatus::AwaitingPayment => "waiting for payment",
            BillStatus::Paid => "paid",
            BillStatus::Failed => "failed",
        }
    }
}

/// One picture of a bill: its order, as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillLine {
    pub order_id: String,
    pub shape: Shape,
    pub color: Colour,
    pub seed: u32,
    /// The catalogue's price when the cart was checked out.
    pub price_cents: i64,
    pub status: OrderStatus,
    /// Set once this line's payment was given back (the picture could not be drawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_at: Option<String>,
}

/// `GET /api/v1/bills/{id}`: the receipt of one checkout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bill {
    pub id: String,
    pub status: BillStatus,
    /// Oldest first, as they were in the cart.
    pub items: Vec<BillLine>,
    /// The sum of the lines' prices.
    pub total_cents: i64,
    pub currency: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Set once the payment is recorded (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// What the payment provider took, once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_cents: Option<i64>,
    /// What was given back of it (lines that could not be drawn).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refunded_cents: i64,
    /// Set while the bill waits for payment: where its owner pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
    /// Set when the bill failed: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// `POST /api/v1/cart/checkout`: the bill made of the cart, and where to pay it (none when
/// every picture is free: they are queued already).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewBill {
    pub bill_id: String,
    pub checkout_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_from_their_names() {
        for status in BillStatus::ALL {
            assert_eq!(BillStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).expect("json");
            assert_eq!(json, status.as_str());
        }
        assert_eq!(BillStatus::parse("settled"), None);
    }
}

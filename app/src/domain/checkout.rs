//! The simulated checkout: what it shows and its three buttons.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// What a client does on the simulated checkout page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutChoice {
    /// Pays: a signed `checkout.session.completed` reaches the webhook.
    Pay,
    /// Goes back to the request page; the order stays unpaid.
    Cancel,
    /// Lets the session lapse: a signed `checkout.session.expired` reaches the webhook.
    Expire,
}

impl CheckoutChoice {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text {
            "pay" => Ok(Self::Pay),
            "cancel" => Ok(Self::Cancel),
            "expire" => Ok(Self::Expire),
            _ => Err(AppError::validation("choice", "choose pay, cancel or expire")),
        }
    }
}

/// What the simulated checkout page shows: a line per priced picture, and the total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimulatedCheckout {
    pub lines: Vec<CheckoutLine>,
    pub total_cents: i64,
    pub currency: String,
}

/// One line of a checkout, e.g. "Voronoi in indigo" at 500.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutLine {
    pub description: String,
    pub price_cents: i64,
}

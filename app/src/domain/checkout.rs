//! The simulated checkout's three buttons.

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

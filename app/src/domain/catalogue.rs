//! The shape catalogue as clients see it.

use super::Shape;
use serde::{Deserialize, Serialize};

/// One entry of the catalogue (`GET /api/v1/shapes`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeInfo {
    pub name: Shape,
    pub display_name: String,
    pub price_cents: i64,
    /// ISO 4217 code, lower case as Stripe writes it (`usd`).
    pub currency: String,
    pub free: bool,
}

impl ShapeInfo {
    /// "Free", or the price with its currency, e.g. `$3.00` or `3.00 CHF`.
    pub fn price_label(&self) -> String {
        if self.free {
            return "Free".to_owned();
        }
        format_price(self.price_cents, &self.currency)
    }
}

/// Formats an amount in minor units, e.g. `(250, "usd")` → `$2.50`.
pub fn format_price(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let amount = format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    match currency.to_ascii_lowercase().as_str() {
        "usd" => format!("${amount}"),
        "eur" => format!("€{amount}"),
        "gbp" => format!("£{amount}"),
        other => format!("{amount} {}", other.to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_as_money() {
        assert_eq!(format_price(200, "usd"), "$2.00");
        assert_eq!(format_price(5, "eur"), "€0.05");
        assert_eq!(format_price(1234, "chf"), "12.34 CHF");
        let free = ShapeInfo {
            name: Shape::Circle,
            display_name: "Circle".into(),
            price_cents: 0,
            currency: "usd".into(),
            free: true,
        };
        assert_eq!(free.price_label(), "Free");
    }
}

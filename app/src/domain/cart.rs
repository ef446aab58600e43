//! The cart: pictures gathered before one checkout. Its prices are the catalogue's when
//! it is read, never stored with the items.

use crate::domain::{Colour, Shape};
use serde::{Deserialize, Serialize};

/// The most pictures one cart holds.
pub const MAX_ITEMS: usize = 20;

/// One picture in the cart, priced as the catalogue prices its shape now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartItem {
    pub id: String,
    pub shape: Shape,
    pub color: Colour,
    /// Which picture of the shape is drawn (the one the form previewed).
    pub seed: u32,
    /// The picture's side in pixels.
    pub size: u32,
    pub price_cents: i64,
    pub currency: String,
}

/// `GET /api/v1/cart`: the caller's items, oldest first, and what they cost together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cart {
    pub items: Vec<CartItem>,
    /// The sum of the items' prices (in [`Cart::currency`]).
    pub subtotal_cents: i64,
    /// The currency of the priced items (`default_currency` for a free or empty cart).
    pub currency: String,
    /// Why the cart cannot be paid as it is: its priced items are in several currencies
    /// (the catalogue changed a shape's since they were added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Cart {
    /// The cart of `items`, summed.
    pub fn of(items: Vec<CartItem>, default_currency: &str) -> Cart {
        let currencies = currencies(&items);
        let currency = currencies.first().cloned().unwrap_or_else(|| default_currency.to_owned());
        let subtotal_cents = items
            .iter()
            .filter(|item| item.price_cents == 0 || item.currency == currency)
            .map(|item| item.price_cents)
            .sum();
        let problem = (currencies.len() > 1).then(|| {
            format!(
                "the pictures are priced in {}: one checkout takes one currency, remove the others",
                currencies.join(" and ")
            )
        });
        Cart { items, subtotal_cents, currency, problem }
    }
}

/// The currencies of the priced items, sorted, each once.
pub fn currencies(items: &[CartItem]) -> Vec<String> {
    let mut currencies: Vec<String> =
        items.iter().filter(|item| item.price_cents > 0).map(|item| item.currency.clone()).collect();
    currencies.sort();
    currencies.dedup();
    currencies
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(price_cents: i64, currency: &str) -> CartItem {
        CartItem {
            id: "0190".into(),
            shape: Shape::Circle,
            color: Colour::parse("teal").expect("colour"),
            seed: 7,
            size: 512,
            price_cents,
            currency: currency.into(),
        }
    }

    #[test]
    fn the_subtotal_is_the_sum_in_the_priced_items_currency() {
        let cart = Cart::of(vec![item(0, "usd"), item(500, "chf"), item(300, "chf")], "usd");
        assert_eq!((cart.subtotal_cents, cart.currency.as_str(), cart.problem), (800, "chf", None));
        let empty = Cart::of(vec![], "usd");
        assert_eq!((empty.subtotal_cents, empty.currency.as_str()), (0, "usd"));
        let mixed = Cart::of(vec![item(500, "usd"), item(300, "eur")], "usd");
        assert_eq!((mixed.subtotal_cents, mixed.currency.as_str()), (300, "eur"));
        assert!(mixed.problem.is_some_and(|problem| problem.contains("eur and usd")));
    }

    #[test]
    fn cart_json_has_the_documented_shape() {
        let cart = Cart::of(vec![item(500, "usd")], "usd");
        let json = serde_json::to_value(&cart).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "items": [{"id": "0190", "shape": "circle", "color": "teal", "seed": 7, "size": 512,
                           "price_cents": 500, "currency": "usd"}],
                "subtotal_cents": 500,
                "currency": "usd"
            })
        );
    }
}

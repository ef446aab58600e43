//! Domain types shared by the browser and the server.

pub mod admin;
pub mod bill;
pub mod cart;
pub mod catalogue;
pub mod checkout;
pub mod colour;
mod colour_names;
pub mod history;
pub mod loyalty;
pub mod order;
pub mod scene;
pub mod shape;
pub mod tokens;

pub use admin::{Failure, FailureKind, HourCount, LiveItem, Overview, Revenue};
pub use bill::{Bill, BillLine, BillStatus, NewBill};
pub use catalogue::{ShapeInfo, ShapeSettings, ShapeUpdate};
pub use checkout::{CheckoutChoice, CheckoutLine, SimulatedCheckout};
pub use colour::{Colour, ColourError};
pub use history::{OrderFilter, OrderPage, OrderQuery};
pub use order::{Order, OrderStatus, SharedPicture, parse_request};
pub use shape::{Shape, UnknownShape};

use serde::{Deserialize, Serialize};

/// `GET /api/v1/account/export`: everything the shop keeps about the caller.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountExport {
    pub account: User,
    /// Every order, oldest first, with its notes and payments.
    pub orders: Vec<Order>,
    /// Every entry of the points ledger, oldest first.
    #[serde(default)]
    pub points: Vec<loyalty::PointEntry>,
}

/// A signed-in person as the pages and the API show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    /// Admins manage the shapes and prices.
    #[serde(default)]
    pub is_admin: bool,
}

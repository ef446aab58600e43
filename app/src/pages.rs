//! One module per page.

mod accounts;
mod home;
mod not_found;
mod orders;

pub use accounts::{SignInPage, SignUpPage};
pub use home::Home;
pub use not_found::NotFound;
pub use orders::{MyOrdersPage, NewOrderPage, OrderPage};

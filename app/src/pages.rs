//! One module per page.

mod account;
mod accounts;
mod admin;
mod cart;
mod checkout;
mod home;
mod not_found;
mod orders;
mod shared;
mod tokens;

pub use account::AccountPage;
pub use accounts::{ConfirmAccountPage, ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage};
pub use admin::{
    AdminCampaignsPage, AdminConsolePage, AdminFailuresPage, AdminLivePage, AdminPartnersPage,
    AdminShapesPage,
};
pub use cart::{BillPage, CartPage};
pub use checkout::SimulatedCheckoutPage;
pub use home::Home;
pub use not_found::NotFound;
pub use orders::{MyOrdersPage, NewOrderPage, OrderPage};
pub use shared::SharedPicturePage;
pub use tokens::AccountTokensPage;

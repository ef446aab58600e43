//! The cart's server functions: the header badge, the cart page and its checkout, and the
//! bill's receipt ("Add to cart" is the order form's other button: `create_order`).

use crate::{
    domain::{Bill, cart::Cart},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};

/// The caller's cart, priced now.
#[server(prefix = "/api/fn", endpoint = "cart", input = GetUrl)]
pub async fn my_cart() -> Result<Cart, AppError> {
    let (services, caller) = crate::services::context()?;
    services.cart.cart(&caller.user()?).await
}

/// **Remove** on the cart page.
#[server(prefix = "/api/fn", endpoint = "remove_from_cart")]
pub async fn remove_from_cart(id: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    services.cart.remove_from_cart(&caller.user()?, &id).await?;
    leptos_axum::redirect("/cart");
    Ok(())
}

/// **Check out**: to the checkout that pays the bill, or to the bill when it is free.
#[server(prefix = "/api/fn", endpoint = "checkout_cart")]
pub async fn checkout_cart() -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    let bill = services.cart.checkout(&caller.user()?).await?;
    match &bill.checkout_url {
        Some(url) => leptos_axum::redirect(url),
        None => leptos_axum::redirect(&format!("/bills/{}", bill.bill_id)),
    }
    Ok(())
}

/// One of the caller's bills.
#[server(prefix = "/api/fn", endpoint = "bill", input = GetUrl)]
pub async fn my_bill(id: String) -> Result<Bill, AppError> {
    let (services, caller) = crate::services::context()?;
    services.orders.bill(&caller.user()?, &id).await
}

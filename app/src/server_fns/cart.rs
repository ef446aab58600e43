//! The cart's server functions: the header badge, the cart page and its checkout, and the
//! bill's receipt ("Add to cart" is the order form's other button: `create_order`).

use crate::{
    domain::{Bill, cart::Cart},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

/// What the header shows beside the account links.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderFigures {
    /// Pictures in the cart.
    pub cart_items: usize,
    /// The loyalty points balance.
    pub points: i64,
    /// What one cent of a price costs in points.
    pub points_per_cent: i64,
}

/// The header's figures: the cart's count and the points balance, in one request.
#[server(prefix = "/api/fn", endpoint = "badges", input = GetUrl)]
pub async fn badges() -> Result<HeaderFigures, AppError> {
    let (services, caller) = crate::services::context()?;
    let user = caller.user()?;
    let cart = services.cart.cart(&user).await?;
    let (points, points_per_cent) = services.loyalty.balance(&user).await?;
    Ok(HeaderFigures { cart_items: cart.items.len(), points, points_per_cent })
}

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

/// **Cancel** on a bill waiting for payment.
#[server(prefix = "/api/fn", endpoint = "cancel_bill")]
pub async fn cancel_bill(id: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    let bill = services.orders.cancel_bill(&caller.user()?, &id).await?;
    leptos_axum::redirect(&format!("/bills/{}", bill.id));
    Ok(())
}

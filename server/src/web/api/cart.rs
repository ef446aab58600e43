//! `/api/v1/cart` and `/api/v1/bills`: the caller's cart and what it was checked out as,
//! over the [`CartService`].

use super::{ApiJson, auth::SignedIn};
use crate::web::{error::ApiError, state::AppState};
use app::{
    domain::{
        Bill, NewBill,
        cart::{Cart, CartItem},
    },
    request::OrderRequest,
    services::{CartService, OrderService},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};

/// `GET /api/v1/cart` → the items, priced now, and their subtotal.
pub async fn get(State(state): State<AppState>, SignedIn(user): SignedIn) -> Result<Json<Cart>, ApiError> {
    Ok(Json(state.cart.cart(&user).await?))
}

/// `POST /api/v1/cart/items` `{shape, color, seed?}` → 201 with the item.
pub async fn add(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ApiJson(body): ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<CartItem>), ApiError> {
    let item = state.cart.add_to_cart(&user, &body.shape, &body.color, body.seed).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// `DELETE /api/v1/cart/items/{id}` → 204, or 404 for an item not in the caller's cart.
pub async fn remove(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.cart.remove_from_cart(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/cart/checkout` → 201 `{bill_id, checkout_url}`: the cart becomes one bill
/// with an order per picture, and is emptied; 409 when it is empty or cannot be paid as it is.
pub async fn checkout(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> Result<(StatusCode, Json<NewBill>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.cart.checkout(&user).await?)))
}

/// `GET /api/v1/bills/{id}` → the bill with its orders as they are now.
pub async fn bill(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Bill>, ApiError> {
    Ok(Json(state.orders.bill(&user, &id).await?))
}

/// `POST /api/v1/bills/{id}/cancel` → the bill, its orders cancelled; 409 unless it waits
/// for payment.
pub async fn cancel_bill(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Bill>, ApiError> {
    Ok(Json(state.orders.cancel_bill(&user, &id).await?))
}

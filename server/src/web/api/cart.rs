//! `/api/v1/cart`: the caller's cart, over the [`CartService`].

use super::{ApiJson, auth::SignedIn};
use crate::web::{error::ApiError, state::AppState};
use app::{
    domain::cart::{Cart, CartItem},
    request::OrderRequest,
    services::CartService,
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

//! `/api/v1/admin/shapes`: shape prices and availability, for admins only.

use super::ApiJson;
use crate::{error::ApiError, state::AppState};
use app::{
    domain::{Shape, ShapeSettings, ShapeUpdate},
    error::AppError,
};
use axum::{
    Json,
    extract::{Path, State},
    http::request::Parts,
};
use serde::Deserialize;

/// Extracts the signed-in admin: 401 signed out, 403 for other users.
pub struct Admin;

impl axum::extract::FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.accounts.require_admin(parts).await?;
        Ok(Admin)
    }
}

/// `GET /api/v1/admin/shapes`.
pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<ShapeSettings>>, ApiError> {
    Ok(Json(state.catalogue.all().await?))
}

/// `GET /api/v1/admin/shapes/{name}`.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
) -> Result<Json<ShapeSettings>, ApiError> {
    let shape = Shape::parse(&name).map_err(|_| AppError::NotFound)?;
    Ok(Json(state.catalogue.settings(shape).await?.ok_or(AppError::NotFound)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    price_cents: Option<i64>,
    currency: Option<String>,
    active: Option<bool>,
}

/// `PUT /api/v1/admin/shapes/{name}` with any of `price_cents`, `currency`, `active`.
pub async fn update(
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Update>,
) -> Result<Json<ShapeSettings>, ApiError> {
    let update = ShapeUpdate { price_cents: body.price_cents, currency: body.currency, active: body.active };
    Ok(Json(state.catalogue.update(&name, update, state.orders.payments().as_ref()).await?))
}

//! `/api/v1/loyalty`: the caller's points, over the [`LoyaltyService`].

use super::auth::SignedIn;
use crate::web::{error::ApiError, state::AppState};
use app::{domain::loyalty::Loyalty, services::LoyaltyService};
use axum::{Json, extract::State};

/// `GET /api/v1/loyalty` → the caller's points balance and newest ledger entries.
pub async fn get(State(state): State<AppState>, SignedIn(user): SignedIn) -> Result<Json<Loyalty>, ApiError> {
    Ok(Json(state.loyalty.loyalty(&user).await?))
}

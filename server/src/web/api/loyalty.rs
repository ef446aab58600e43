//! `/api/v1/loyalty` (the caller's points) and `/api/v1/admin/campaigns` (admins), over
//! the [`LoyaltyService`].

use super::{
    ApiJson, ApiQuery,
    auth::{Admin, SignedIn},
};
use crate::web::{error::ApiError, state::AppState};
use app::{
    domain::loyalty::{Campaign, CampaignRequest, Loyalty, PointsQuery},
    services::LoyaltyService,
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};

/// `GET /api/v1/loyalty?limit=&cursor=` → the caller's balance, debt, next expiry and a
/// page of their ledger, newest first.
pub async fn get(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ApiQuery(query): ApiQuery<PointsQuery>,
) -> Result<Json<Loyalty>, ApiError> {
    Ok(Json(state.loyalty.loyalty(&user, &query.parse()?).await?))
}

/// `GET /api/v1/admin/campaigns`.
pub async fn campaigns(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<Campaign>>, ApiError> {
    Ok(Json(state.loyalty.campaigns().await?))
}

/// `POST /api/v1/admin/campaigns` → 201 with the campaign.
pub async fn create_campaign(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<CampaignRequest>,
) -> Result<(StatusCode, Json<Campaign>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.loyalty.create_campaign(&body).await?)))
}

/// `PATCH /api/v1/admin/campaigns/{id}` with any of the fields.
pub async fn update_campaign(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CampaignRequest>,
) -> Result<Json<Campaign>, ApiError> {
    Ok(Json(state.loyalty.update_campaign(&id, &body).await?))
}

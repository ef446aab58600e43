//! `/api/v1/tokens` (the caller's own, from a session) and `/api/v1/admin/tokens` (every
//! partner's, for admins), over the account service's [`TokenService`].

use super::{ApiJson, auth::Anyone};
use crate::web::{error::ApiError, state::AppState};
use app::{
    domain::tokens::{ApiToken, NewToken, PartnerToken, TokenRequest},
    services::TokenService,
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};

/// `POST /api/v1/tokens` `{name, scopes, expires_in_days?}` → 201 with the token, shown once.
pub async fn create(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let made = state.accounts.create_token(&caller, &body).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `GET /api/v1/tokens` → the caller's tokens (never the secrets).
pub async fn list(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(state.accounts.tokens(&caller).await?))
}

/// `DELETE /api/v1/tokens/{id}` → 204; the token stops working at once.
pub async fn revoke(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.accounts.revoke_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/admin/tokens` → every token, by owner, with today's requests.
pub async fn partners(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<Json<Vec<PartnerToken>>, ApiError> {
    Ok(Json(state.accounts.partner_tokens(&caller).await?))
}

/// `DELETE /api/v1/admin/tokens/{id}` → 204.
pub async fn revoke_partner(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.accounts.revoke_partner_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

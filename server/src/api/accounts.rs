//! `/api/v1/accounts` and `/api/v1/sessions`.

use super::ApiJson;
use crate::{error::ApiError, state::AppState};
use app::domain::User;
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

/// `POST /api/v1/accounts` → 201 `{id, email}`.
pub async fn create_account(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state.accounts.register(&body.email, &body.password).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `POST /api/v1/sessions` → 204 with the session cookie.
pub async fn create_session(
    State(state): State<AppState>,
    request: Parts,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let caller = state.accounts.caller(&request);
    let signed_in = state.accounts.sign_in(&caller, &body.email, &body.password).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, signed_in.cookie)]).into_response())
}

/// `DELETE /api/v1/sessions` → 204; the cookie no longer works afterwards.
pub async fn delete_session(State(state): State<AppState>, request: Parts) -> Result<Response, ApiError> {
    let clearing = state.accounts.sign_out(&state.accounts.caller(&request)).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clearing)]).into_response())
}

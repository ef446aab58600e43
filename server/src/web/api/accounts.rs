//! `/api/v1/accounts` and `/api/v1/sessions`.

use super::{ApiJson, auth::Anyone};
use crate::{web::error::ApiError, web::state::AppState};
use app::services::AccountService;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

#[derive(Debug, Deserialize)]
pub struct EmailOnly {
    email: String,
}

#[derive(Debug, Deserialize)]
pub struct Confirmation {
    email: String,
    code: String,
}

#[derive(Debug, Deserialize)]
pub struct NewPassword {
    email: String,
    code: String,
    password: String,
}

/// `POST /api/v1/accounts` → 202 whether the address is new or taken: a new one is mailed
/// a confirmation link (the account signs in once confirmed), a taken one a notice.
pub async fn create_account(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<StatusCode, ApiError> {
    state.accounts.sign_up(&caller, &body.email, &body.password).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/accounts/confirm` `{email, code}` → 204.
pub async fn confirm(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Confirmation>,
) -> Result<StatusCode, ApiError> {
    state.accounts.confirm(&body.email, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/accounts/confirm/resend` `{email}` → 202 (whether the account exists or not).
pub async fn resend_confirmation(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<EmailOnly>,
) -> Result<StatusCode, ApiError> {
    state.accounts.resend_confirmation(&caller, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/accounts/password-reset` `{email}` → 202 (whether the account exists or not).
pub async fn forgot_password(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<EmailOnly>,
) -> Result<StatusCode, ApiError> {
    state.accounts.forgot_password(&caller, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/accounts/password-reset/confirm` `{email, code, password}` → 204.
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, ApiError> {
    state.accounts.reset_password(&body.email, &body.code, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/sessions` → 204 with the session cookie.
pub async fn create_session(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let signed_in = state.accounts.sign_in(&caller, &body.email, &body.password).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, signed_in.cookie)]).into_response())
}

/// `DELETE /api/v1/sessions` → 204; the cookie no longer works afterwards.
pub async fn delete_session(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<Response, ApiError> {
    let clearing = state.accounts.sign_out(&caller).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clearing)]).into_response())
}

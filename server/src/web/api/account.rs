//! `/api/v1/account`: the account page's routes, over the same service as its forms.

use super::{ApiJson, auth::Anyone};
use crate::web::{error::ApiError, state::AppState};
use app::{
    domain::{AccountExport, User},
    request::{AccountDeletion, EmailChange, EmailCode, PasswordChange},
    services::ProfileService,
};
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};

/// `POST /api/v1/account/password` → 204; the account's other sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    caller.user()?;
    state.profile.change_password(&caller, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/account/email` → 202: a code goes to the new address.
pub async fn change_email(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<EmailChange>,
) -> Result<StatusCode, ApiError> {
    caller.user()?;
    state.profile.change_email(&caller, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/account/email/confirm` → the user at the new address.
pub async fn confirm_email(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<EmailCode>,
) -> Result<Json<User>, ApiError> {
    caller.user()?;
    Ok(Json(state.profile.confirm_email(&caller, &body.code).await?))
}

/// `GET /api/v1/account/export` → everything the shop keeps about the caller, as a file.
pub async fn export(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<impl IntoResponse, ApiError> {
    let export: AccountExport = state.profile.export(&caller).await?;
    Ok(([(header::CONTENT_DISPOSITION, "attachment; filename=\"let-them-draw-account.json\"")], Json(export)))
}

/// `DELETE /api/v1/account` with the password → 204 and the session cookie cleared.
pub async fn delete(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    ApiJson(body): ApiJson<AccountDeletion>,
) -> Result<impl IntoResponse, ApiError> {
    caller.user()?;
    let cookie = state.profile.delete_account(&caller, &body.password).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]))
}

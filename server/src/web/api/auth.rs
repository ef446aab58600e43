//! The signed-in user of an API request.

use crate::{web::error::ApiError, web::state::AppState};
use app::domain::User;
use axum::{extract::FromRequestParts, http::request::Parts};

/// Extracts the session's user; answers 401 without a live session.
pub struct SignedIn(pub User);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(SignedIn(state.accounts.require_user(parts).await?))
    }
}

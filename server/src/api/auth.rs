//! The signed-in user of an API request.

use crate::{error::ApiError, state::AppState};
use app::{domain::User, error::AppError};
use axum::{extract::FromRequestParts, http::request::Parts};

/// Extracts the session's user; answers 401 without a live session.
pub struct SignedIn(pub User);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = state.accounts.caller(parts);
        match state.accounts.current_user(&caller).await? {
            Some(user) => Ok(SignedIn(user)),
            None => Err(AppError::Unauthenticated.into()),
        }
    }
}

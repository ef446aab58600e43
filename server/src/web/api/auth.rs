//! The signed-in user, or admin, of an API request: the request's [`Caller`], which the
//! sign-in layer put there.

use crate::web::error::ApiError;
use app::{domain::User, services::Caller};
use axum::{extract::FromRequestParts, http::request::Parts};

/// Extracts the session's user; answers 401 without a live session.
pub struct SignedIn(pub User);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(SignedIn(Caller::of(parts).user()?))
    }
}

/// Requires the signed-in admin: 401 signed out, 403 for other users.
pub struct Admin;

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Caller::of(parts).admin()?;
        Ok(Admin)
    }
}

/// The request's caller, signed in or not (for signing in and out).
pub struct Anyone(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Anyone {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Anyone(Caller::of(parts)))
    }
}

//! Who is calling, worked out once per request: the session cookie's user (if the session
//! is live) or the API token's, and the address. Pages, server functions and the REST API
//! all read it from the request as an [`app::services::Caller`], so "signed in" means one
//! thing everywhere. A token goes no further than [`token_access`] lets it.

use crate::web::{access::ServedUser, caching, error::ApiError, state::AppState, token_access};
use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Resolves the caller and keeps it in the request for everything after.
pub async fn identify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Site files need no caller: their requests carry the cookie too, and reading the
    // session for each would cost a database query per asset.
    if caching::is_site_file(request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    match state.accounts.identify(&parts).await {
        Ok(caller) => {
            if let Some(grant) = &caller.api_token
                && let Err(error) = token_access::check(&parts.method, parts.uri.path(), &grant.scopes)
            {
                return ApiError(error).into_response();
            }
            let user = caller.user.as_ref().map(|user| ServedUser(user.id.clone()));
            parts.extensions.insert(caller);
            let mut response = next.run(Request::from_parts(parts, body)).await;
            // For the access log, which runs outside this layer.
            if let Some(user) = user {
                response.extensions_mut().insert(user);
            }
            response
        }
        Err(error) => ApiError(error).into_response(),
    }
}

/// Lets only admins through; everyone else gets 404, as if nothing were there.
pub async fn admins_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match state.accounts.identify(&parts).await {
        Ok(caller) if caller.admin().is_ok() => next.run(Request::from_parts(parts, body)).await,
        Ok(_) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

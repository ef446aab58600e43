//! Gives server-function errors their real HTTP status.
//!
//! server_fn answers every error with 500 and the encoded error in the body, including
//! errors raised before the function runs (a missing or malformed argument). This layer
//! decodes the [`AppError`] and answers with its own status instead, so bad input is a 4xx.

use app::error::AppError;
use axum::{
    body::{Body, to_bytes},
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// Server-function error bodies are small JSON documents.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn fix_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::TooManyRequests { retry_after_secs, .. } = error {
            parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

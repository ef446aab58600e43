//! `POST /api/v1/stripe/webhook`: Stripe's (or the simulated checkout's) signed events.

use crate::{web::error::ApiError, web::state::AppState};
use axum::{Json, body::Bytes, extract::State, http::HeaderMap};
use serde_json::{Value, json};

/// Largest event body read; checkout session events are a few KiB.
pub const BODY_LIMIT: usize = 256 * 1024;

/// 200 `{"received": true, "outcome": ...}` once applied, replayed or ignored; 400 for a bad
/// signature or body (nothing changed); 5xx when Stripe should retry.
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let outcome = state.webhook.handle(&body, signature).await?;
    Ok(Json(json!({ "received": true, "outcome": outcome.as_str() })))
}

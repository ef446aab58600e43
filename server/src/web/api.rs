//! REST API v1: JSON over the same services as the server functions.

mod account;
mod accounts;
mod admin;
mod auth;
mod cart;
mod json;
mod loyalty;
mod openapi;
mod orders;
mod tokens;
mod webhook;

pub use json::{ApiJson, ApiQuery, OptionalJson};
pub use openapi::spec as openapi_spec;

use crate::{web::error::ApiError, web::state::AppState};
use app::{domain::ShapeInfo, error::AppError, services::CatalogueService};
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    routing::{get, patch, post},
};

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", post(accounts::create_account))
        .route("/accounts/confirm", post(accounts::confirm))
        .route("/accounts/confirm/resend", post(accounts::resend_confirmation))
        .route("/accounts/password-reset", post(accounts::forgot_password))
        .route("/accounts/password-reset/confirm", post(accounts::reset_password))
        .route("/sessions", post(accounts::create_session).delete(accounts::delete_session))
        .route("/account", axum::routing::delete(account::delete))
        .route("/account/password", post(account::change_password))
        .route("/account/email", post(account::change_email))
        .route("/account/email/confirm", post(account::confirm_email))
        .route("/account/export", get(account::export))
        .route("/shapes", get(list_shapes))
        .route("/openapi.json", get(openapi::document))
        .route("/orders", post(orders::create).get(orders::list))
        .route("/orders/events", get(orders::events_all))
        .route("/orders/{id}", get(orders::get).patch(orders::set_note))
        .route("/orders/{id}/picture", get(orders::picture))
        .route("/orders/{id}/again", post(orders::again))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .route("/orders/{id}/checkout", post(orders::pay_again))
        .route("/orders/{id}/share", post(orders::share).delete(orders::unshare))
        .route("/shared/{token}/picture", get(orders::shared_picture))
        .route("/cart", get(cart::get))
        .route("/cart/items", post(cart::add))
        .route("/cart/items/{id}", axum::routing::delete(cart::remove))
        .route("/cart/checkout", post(cart::checkout))
        .route("/bills/{id}", get(cart::bill))
        .route("/bills/{id}/cancel", post(cart::cancel_bill))
        .route("/loyalty", get(loyalty::get))
        .route("/admin/campaigns", get(loyalty::campaigns).post(loyalty::create_campaign))
        .route("/admin/campaigns/{id}", patch(loyalty::update_campaign))
        .route("/orders/{id}/events", get(orders::events))
        .route("/admin/shapes", get(admin::list))
        .route("/admin/shapes/{name}", get(admin::get).put(admin::update))
        .route("/admin/overview", get(admin::overview))
        .route("/admin/failures", get(admin::failures))
        .route("/admin/failures/{order_id}/retry", post(admin::retry))
        .route("/admin/orders/{order_id}/refund", post(admin::refund))
        .route("/admin/mail-failures/{id}/retry", post(admin::retry_mail))
        .route("/admin/live", get(admin::live))
        .route("/tokens", post(tokens::create).get(tokens::list))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/admin/tokens", get(tokens::partners))
        .route("/admin/tokens/{id}", axum::routing::delete(tokens::revoke_partner))
        .fallback(|| async { ApiError(AppError::NoSuchRoute) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Stripe's events are larger than any request of ours, and are read raw.
        .merge(
            Router::new()
                .route("/stripe/webhook", post(webhook::receive))
                .layer(DefaultBodyLimit::max(webhook::BODY_LIMIT)),
        )
}

async fn list_shapes(State(state): State<AppState>) -> Result<Json<Vec<ShapeInfo>>, ApiError> {
    Ok(Json(state.catalogue.active().await?))
}

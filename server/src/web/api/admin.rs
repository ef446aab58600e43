//! `/api/v1/admin/...`, for admins only: shape prices and availability, the console's
//! figures, the failures (dead letters) with retry, and the live feed.

use super::{
    ApiJson,
    auth::{Admin, Anyone},
};
use crate::web::{error::ApiError, state::AppState, streams::Audience};
use app::{
    domain::{Failure, Order, Overview, Shape, ShapeSettings, ShapeUpdate},
    error::AppError,
    services::{CatalogueService, ConsoleService, MailService, OrderService},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::sse::{Event, Sse},
};
use futures::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

/// `GET /api/v1/admin/shapes`.
pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<ShapeSettings>>, ApiError> {
    Ok(Json(state.catalogue.all().await?))
}

/// `GET /api/v1/admin/shapes/{name}`.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
) -> Result<Json<ShapeSettings>, ApiError> {
    let shape = Shape::parse(&name).map_err(|_| AppError::NotFound)?;
    Ok(Json(state.catalogue.settings(shape).await?.ok_or(AppError::NotFound)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    price_cents: Option<i64>,
    currency: Option<String>,
    active: Option<bool>,
}

/// `PUT /api/v1/admin/shapes/{name}` with any of `price_cents`, `currency`, `active`.
pub async fn update(
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Update>,
) -> Result<Json<ShapeSettings>, ApiError> {
    let update = ShapeUpdate { price_cents: body.price_cents, currency: body.currency, active: body.active };
    Ok(Json(state.catalogue.update(&name, update).await?))
}

/// `GET /api/v1/admin/overview`: the console's figures.
pub async fn overview(State(state): State<AppState>, _: Admin) -> Result<Json<Overview>, ApiError> {
    Ok(Json(state.console.overview().await?))
}

/// `GET /api/v1/admin/failures`: failed drawings and mails not retried yet, newest first.
pub async fn failures(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<Failure>>, ApiError> {
    Ok(Json(state.console.failures().await?))
}

/// `POST /api/v1/admin/failures/{order_id}/retry`: queues a failed, unpaid order again →
/// 200 with the order (`queued`); 409 for a refunded or unfailed order, 404 for none.
pub async fn retry(
    State(state): State<AppState>,
    _: Admin,
    Path(order_id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.orders.retry(&order_id).await?))
}

/// `POST /api/v1/admin/orders/{id}/refund`: refunds a done order paid with money and takes
/// back the points it earned → the order; 409 for any other order.
pub async fn refund(
    State(state): State<AppState>,
    _: Admin,
    Path(order_id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.orders.refund_paid(&order_id).await?))
}

/// `POST /api/v1/admin/mail-failures/{id}/retry`: sends a mail dead letter again → 204;
/// 404 when there is no such open dead letter.
pub async fn retry_mail(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.postman.retry_dead(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/admin/live`: `event: live` with `{kind, order}` for every payment, failure
/// and refund from now on. Ends when the server shuts down, the session ends or the caller
/// is no longer an admin.
pub async fn live(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (_, pass) = state.streams.open(&state.accounts, &caller, Audience::Admin).await?;
    let mut receiver = state.orders.events().subscribe();
    let stream = async_stream::stream! {
        loop {
            match receiver.recv().await {
                Ok(event) => {
                    if let Some(item) = crate::console::live_item(&event) {
                        let data = serde_json::to_string(&item).unwrap_or_default();
                        yield Ok(Event::default().event("live").data(data));
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the admin live feed fell behind");
                }
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(pass.serve(stream, state.closing.clone().wait()))
}

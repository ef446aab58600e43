//! `/api/v1/orders`: create, list, read, the picture, and live status events.

use super::{
    ApiJson, ApiQuery, OptionalJson,
    auth::{Anyone, SignedIn},
};
use crate::{
    events::OrderEvent,
    gallery::{Download, Format},
    web::{error::ApiError, state::AppState, streams::Audience},
};
use app::{
    domain::{Order, OrderPage, OrderQuery, OrderStatus, User, history::NoteRequest, loyalty::PayWith},
    request::{AgainRequest, OrderRequest},
    services::{OrderService, SharingService},
};
use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, Sse},
    },
};
use futures::Stream;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::{collections::HashMap, convert::Infallible};
use tokio::sync::broadcast::error::RecvError;

/// `POST /api/v1/orders` → 201 with the order.
pub async fn create(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ApiJson(body): ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let pay_with = PayWith::parse(body.pay_with.as_deref())?;
    let order = state.orders.create(&user, &body.shape, &body.color, body.seed, pay_with).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// `GET /api/v1/orders?limit=&cursor=&q=&status=&shape=` → a page of own orders, newest
/// first, with `next_cursor` while more follow.
pub async fn list(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<Json<OrderPage>, ApiError> {
    Ok(Json(state.orders.list(&user, &query.parse()?).await?))
}

/// `GET /api/v1/orders/{id}` → the order, or 404 (also for someone else's).
pub async fn get(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.orders.get(&user, &id).await?))
}

/// `PATCH /api/v1/orders/{id}` with `{"note"}` → the order with its note.
pub async fn set_note(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.orders.set_note(&user, &id, body.note.as_deref()).await?))
}

/// `POST /api/v1/orders/{id}/again` with optional `{"color", "seed"}` → 201 with the new
/// order (with its `checkout_url` when priced).
pub async fn again(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<AgainRequest>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let order = state.orders.again(&user, &id, body.color.as_deref(), body.seed).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// `POST /api/v1/orders/{id}/cancel` → the cancelled order; 409 unless it waits for payment.
pub async fn cancel(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.orders.cancel(&user, &id).await?))
}

/// `POST /api/v1/orders/{id}/checkout` → the order waiting for payment at a new
/// `checkout_url`; 409 unless its checkout expired or failed unpaid.
pub async fn pay_again(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.orders.pay_again(&user, &id).await?))
}

/// `POST /api/v1/orders/{id}/share` → `{"url": "/p/<token>"}`; 409 unless the order is done.
pub async fn share(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let url = state.gallery.share(&user, &id).await?;
    Ok(Json(serde_json::json!({ "url": url })))
}

/// `DELETE /api/v1/orders/{id}/share` → 204; the link is not found afterwards.
pub async fn unshare(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.gallery.unshare(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The picture's format and size: `?format=png|svg&size=256…4096`.
#[derive(Debug, Deserialize)]
pub struct PictureQuery {
    format: Option<String>,
    size: Option<String>,
}

/// `GET /api/v1/orders/{id}/picture[?format=png|svg][&size=N]` → the picture of a done order,
/// only to its owner: the PNG as drawn, one `size` pixels a side, or its vector scene (the
/// very SVG the order form previewed).
pub async fn picture(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PictureQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = Format::parse(query.format.as_deref(), query.size.as_deref())?;
    let download = state.gallery.picture(&user, &id, format).await?;
    let name = match format {
        Format::Png { size: Some(size) } => format!("let-them-draw-{id}-{size}"),
        _ => format!("let-them-draw-{id}"),
    };
    Ok(send(download, &name, "private, max-age=31536000, immutable", &headers))
}

/// `GET /api/v1/shared/{token}/picture` → the PNG behind a share link, to anyone; 404 once
/// the sharing ends.
pub async fn shared_picture(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let download = state.gallery.shared_picture(&token).await?;
    Ok(send(download, "let-them-draw", "public, no-cache", &headers))
}

/// A picture response with its ETag; `304` when the client has it already.
fn send(download: Download, name: &str, cache: &'static str, headers: &HeaderMap) -> Response {
    let etag = format!("\"{:x}\"", Sha256::digest(&download.bytes));
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let disposition = format!("inline; filename=\"{name}.{}\"", download.extension);
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(download.content_type)),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("inline")),
                ),
            ],
            download.bytes,
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// `GET /api/v1/orders/{id}/events` → `event: status` with the order JSON: first the current
/// state, then every change; the stream ends after `done` or `failed`, or with the session.
pub async fn events(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (user, pass) = state.streams.open(&state.accounts, &caller, Audience::User).await?;
    // Subscribe before reading the current state, so no change falls between the two.
    let receiver = state.orders.events().subscribe();
    let current = state.orders.get(&user, &id).await?;
    let closing = state.closing.clone().wait();
    Ok(pass.serve(status_stream(state, user, current, receiver), closing))
}

/// `GET /api/v1/orders/events` → `event: status` for every change to any of my orders,
/// starting with the current state of the unfinished ones. Ends only with the session.
pub async fn events_all(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (user, pass) = state.streams.open(&state.accounts, &caller, Audience::User).await?;
    let mut receiver = state.orders.events().subscribe();
    let current = state.orders.recent(&user).await?;
    let closing = state.closing.clone().wait();
    let stream = async_stream::stream! {
        // What each order was last shown as, so a late event cannot take it back.
        let mut shown: HashMap<String, OrderStatus> = current.iter().map(|o| (o.id.clone(), o.status)).collect();
        for order in current.iter().filter(|o| !o.is_settled()) {
            yield Ok(status_event(order));
        }
        loop {
            match receiver.recv().await {
                Ok(event) if event.user_id == user.id => {
                    let last = shown.get(&event.order.id).copied();
                    if last.is_none_or(|last| !is_stale(last, event.order.status)) {
                        shown.insert(event.order.id.clone(), event.order.status);
                        yield Ok(status_event(&event.order));
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    let Ok(orders) = state.orders.recent(&user).await else { break };
                    for order in &orders {
                        shown.insert(order.id.clone(), order.status);
                        yield Ok(status_event(order));
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(pass.serve(stream, closing))
}

fn status_stream(
    state: AppState,
    user: User,
    current: Order,
    mut receiver: tokio::sync::broadcast::Receiver<OrderEvent>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    async_stream::stream! {
        let id = current.id.clone();
        let mut settled = current.is_settled();
        let mut shown = current.status;
        yield Ok(status_event(&current));
        while !settled {
            let order = match receiver.recv().await {
                Ok(event) if event.order.id == id && !is_stale(shown, event.order.status) => event.order,
                Ok(_) => continue,
                // Missed some changes: the database has the truth.
                Err(RecvError::Lagged(_)) => match state.orders.get(&user, &id).await {
                    Ok(order) => order,
                    Err(_) => break,
                },
                Err(RecvError::Closed) => break,
            };
            settled = order.is_settled();
            shown = order.status;
            yield Ok(status_event(&order));
        }
    }
}

/// An event that says an order is in a status it cannot have come to from the one already
/// shown: it was published before that one and arrived late (events from different
/// processes can cross on the way).
fn is_stale(shown: OrderStatus, next: OrderStatus) -> bool {
    next != shown && !shown.may_become(next)
}

fn status_event(order: &Order) -> Event {
    Event::default().event("status").data(serde_json::to_string(order).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn a_late_event_cannot_take_an_order_back() {
        assert!(is_stale(InProgress, Queued));
        assert!(is_stale(Done, InProgress));
        assert!(is_stale(Queued, AwaitingPayment));
        assert!(!is_stale(Queued, InProgress));
        assert!(!is_stale(InProgress, InProgress), "a retry's news keeps the status");
        assert!(!is_stale(Failed, Queued), "an admin's retry queues a failed order again");
    }
}

//! For operators: `/healthz` (the process is up), `/readyz` (database, queue and picture
//! store answer; 503 naming what does not) and `/metrics` (Prometheus text format). Served
//! by every role, and counted HTTP requests by route and status.

use crate::{mail::Delivery, pictures::PictureStore, platform::db, platform::metrics::Metrics, queue::Queue};
use axum::{
    Json, Router,
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use std::{sync::Arc, time::Duration};

#[derive(Clone)]
pub struct Ops {
    pub pool: db::Pool,
    pub queue: Queue,
    pub pictures: Arc<dyn PictureStore>,
    pub metrics: Arc<Metrics>,
    pub delivery: Arc<Delivery>,
}

/// How long each readiness check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

pub fn routes(ops: Ops) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(ops)
}

async fn ready(State(ops): State<Ops>) -> Response {
    let database =
        async { sqlx::query("SELECT 1").execute(&ops.pool).await.map(|_| ()).map_err(anyhow::Error::from) };
    let (database, queue, storage) = tokio::join!(
        within_time(database),
        within_time(ops.queue.check()),
        within_time(ops.pictures.check())
    );
    let checks = [("database", database), ("queue", queue), ("storage", storage)];
    let failing: Vec<_> = checks.iter().filter(|(_, result)| result.is_err()).collect();
    for (what, result) in &failing {
        if let Err(error) = result {
            tracing::warn!(check = what, error = %format!("{error:#}"), "not ready");
        }
    }
    let body = checks
        .iter()
        .map(|(what, result)| ((*what).to_owned(), json!(if result.is_ok() { "ok" } else { "unreachable" })))
        .collect::<serde_json::Map<_, _>>();
    let status = if failing.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// `work`, given at most [`CHECK_TIMEOUT`].
async fn within_time<T>(work: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    crate::platform::clock::within(CHECK_TIMEOUT, work).await
}

async fn metrics(State(ops): State<Ops>) -> Response {
    let orders_by_status: Vec<(String, i64)> =
        match sqlx::query_as("SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status")
            .fetch_all(&ops.pool)
            .await
        {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "cannot count the orders for /metrics");
                Vec::new()
            }
        };
    let queue_depth = match within_time(ops.queue.depth()).await {
        Ok((draws, mails)) => vec![("draw", draws), ("mail", mails)],
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "cannot count the queue's jobs for /metrics");
            Vec::new()
        }
    };
    let snapshot = crate::platform::metrics::Snapshot {
        queue_depth,
        orders_by_status,
        mails_sent: ops.delivery.sent(),
        mails_failed: ops.delivery.failed(),
    };
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], ops.metrics.render(&snapshot))
        .into_response()
}

/// Counts every request by method, route (the pattern, not the path: `/orders/{id}`) and
/// status.
pub async fn count_requests(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = method_label(request.method()).to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    metrics.http_request(&method, &route, response.status().as_u16());
    response
}

/// The method as a metric label: the standard ones by name, anything made up as `OTHER`, so
/// a client cannot grow a new series per request.
fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "OTHER",
    }
}

//! For operators: `/healthz` (the process is up), `/readyz` (database, queue and picture
//! store answer; 503 naming what does not) and `/metrics` (Prometheus text format). Served
//! by every role.

use crate::{mail::Delivery, pictures::PictureStore, platform::db, platform::metrics::Metrics, queue::Queue};
use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
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

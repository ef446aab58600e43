//! For operators: `/healthz`, `/readyz` and `/metrics`.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::{Backends, TestApp};

async fn metrics(app: &TestApp) -> String {
    let response = app.get(&app.client, "/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"].to_str().expect("type").starts_with("text/plain; version=0.0.4")
    );
    response.text().await.expect("metrics")
}

/// The value of the sample `name` (with its labels, as written), or 0 when absent.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |value| value.parse().expect("a number"))
}

/// Waits until the sample `name` is `value` (counters move just after what they count).
async fn metric_reaches(app: &TestApp, name: &str, value: f64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = sample(&metrics(app).await, name);
        if now == value {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{name} is {now}, not {value}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_follow_the_orders_jobs_renders_mails_webhooks_streams_and_requests() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("metered@example.com").await;
    // The sign-up's verification mail is out of the way first.
    app.wait_for_mail("metered@example.com", "Confirm your e-mail address").await;
    metric_reaches(&app, r#"ltd_mails_total{outcome="sent"}"#, 1.0).await;
    let before = metrics(&app).await;

    let order: Value = app.order(&client, "circle", "orange").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;
    app.wait_for_mail("metered@example.com", "Your picture is ready").await;
    let priced: Value = app.order(&client, "voronoi", "plum").await.json().await.expect("order");
    let session = priced["checkout_url"].as_str().expect("checkout").rsplit('/').next().expect("session");
    let expired = support::stripe::event(
        "evt_metrics",
        "checkout.session.expired",
        support::stripe::session(session, priced["id"].as_str().expect("id"), "unpaid", "open", 500),
    );
    assert_eq!(app.deliver_signed(&expired).await.status(), StatusCode::OK);
    assert_eq!(app.deliver(b"{}", Some("t=1,v1=00")).await.status(), StatusCode::BAD_REQUEST);
    app.wait_for_mail("metered@example.com", "Your checkout expired").await;
    // The ready mail and the expired-checkout mail.
    metric_reaches(&app, r#"ltd_mails_total{outcome="sent"}"#, 3.0).await;

    let after = metrics(&app).await;
    let grew = |name: &str| sample(&after, name) - sample(&before, name);
    assert_eq!(grew(r#"ltd_orders{status="done"}"#), 1.0, "{after}");
    assert_eq!(grew(r#"ltd_orders{status="failed"}"#), 1.0);
    assert_eq!(grew(r#"ltd_draw_jobs_total{outcome="started"}"#), 1.0);
    assert_eq!(grew(r#"ltd_draw_jobs_total{outcome="succeeded"}"#), 1.0);
    assert_eq!(grew("ltd_render_seconds_count"), 1.0);
    assert!(grew("ltd_render_seconds_sum") > 0.0);
    assert_eq!(grew(r#"ltd_mails_total{outcome="sent"}"#), 2.0);
    assert_eq!(
        sample(&after, r#"ltd_webhook_events_total{type="checkout.session.expired",outcome="applied"}"#),
        1.0
    );
    assert_eq!(sample(&after, r#"ltd_webhook_events_total{type="unknown",outcome="refused"}"#), 1.0);
    // Requests are counted by route pattern, not by path.
    assert_eq!(grew(r#"ltd_http_requests_total{method="POST",route="/api/v1/orders",status="201"}"#), 2.0);
    assert!(grew(r#"ltd_http_requests_total{method="GET",route="/api/v1/orders/{id}",status="200"}"#) >= 1.0);
    assert!(!after.contains(&format!("route=\"/api/v1/orders/{id}")), "no per-order series");

    // An open event stream is counted until it closes.
    let stream = client.get(app.url("/api/v1/orders/events")).send().await.expect("stream");
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(sample(&metrics(&app).await, "ltd_sse_streams_open"), 1.0);
    drop(stream);
    metric_reaches(&app, "ltd_sse_streams_open", 0.0).await;
}

#[tokio::test]
async fn ready_when_database_queue_and_storage_answer_and_503_when_the_database_is_gone() {
    // On PostgreSQL, whose database can be taken away under the running app.
    let (app, database_url) = if Backends::from_env().is_scale_out() {
        let app = TestApp::spawn().await;
        let url = app.database_url.clone();
        (app, url)
    } else {
        let data = tempfile::tempdir().expect("dir");
        let resources = Backends::scale_out_from_env().resources(data.path()).await.expect("PostgreSQL");
        let url = resources.database_url.clone();
        (TestApp::spawn_with(data, &["--database-url", &url]).await, url)
    };
    assert_eq!(app.get(&app.client, "/healthz").await.status(), StatusCode::OK);
    let ready = app.get(&app.client, "/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.expect("json");
    assert_eq!(body, serde_json::json!({"database": "ok", "queue": "ok", "storage": "ok"}));

    drop_database(&database_url).await;
    let not_ready = app.get(&app.client, "/readyz").await;
    assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = not_ready.json().await.expect("json");
    assert_eq!(body["database"], "unreachable");
    assert_eq!(body["queue"], "ok");
    // The process itself is still up.
    assert_eq!(app.get(&app.client, "/healthz").await.status(), StatusCode::OK);
}

async fn drop_database(url: &str) {
    use sqlx::Connection;
    let parsed = url::Url::parse(url).expect("URL");
    let name = parsed.path().trim_start_matches('/').to_owned();
    let mut admin_url = parsed.clone();
    admin_url.set_path("postgres");
    let mut admin = sqlx::PgConnection::connect(admin_url.as_str()).await.expect("admin connection");
    assert!(name.starts_with("ltd_test_") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
        .execute(&mut admin)
        .await
        .expect("drop the database");
}

#[tokio::test]
async fn made_up_methods_are_counted_as_other_not_each_as_a_series_of_its_own() {
    let app = TestApp::spawn().await;
    for method in ["BREW", "WHEN", "XYZZY"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method token");
        let _ = app.client.request(method, app.url("/api/v1/shapes")).send().await.expect("answered");
    }
    let text = metrics(&app).await;
    assert!(!text.contains("BREW") && !text.contains("XYZZY"), "{text}");
    assert!(text.contains("method=\"OTHER\""), "{text}");
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_is_timed_by_route_and_status() {
    let app = TestApp::spawn().await;
    let id_of = |response: &reqwest::Response| {
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    };
    let first = id_of(&app.get(&app.client, "/api/v1/shapes").await);
    let second = id_of(&app.get(&app.client, "/api/v1/shapes").await);
    assert_eq!(first.len(), 32, "{first}");
    assert_ne!(first, second, "each request its own id");
    // A client's own id is not taken: only a trusted proxy's is.
    let forged = app.client.get(app.url("/api/v1/shapes")).header("x-request-id", "mine").send().await;
    assert_ne!(id_of(&forged.expect("request")), "mine");
    let missing = app.get(&app.client, "/no/such/page").await;
    assert_eq!(id_of(&missing).len(), 32, "pages and errors carry one too");
    let asset = app.get(&app.client, "/pkg/let-them-draw.css").await;
    let asset_status = asset.status().as_u16();

    let text = metrics(&app).await;
    let shapes = r#"route="/api/v1/shapes",status="200""#;
    assert_eq!(sample(&text, &format!("ltd_http_request_duration_seconds_count{{{shapes}}}")), 3.0, "{text}");
    assert_eq!(
        sample(&text, &format!("ltd_http_request_duration_seconds_bucket{{{shapes},le=\"+Inf\"}}")),
        3.0
    );
    assert!(sample(&text, &format!("ltd_http_request_duration_seconds_sum{{{shapes}}}")) > 0.0);
    // The site's files are one route, whatever their path; other unknown paths another.
    let asset =
        format!("ltd_http_requests_total{{method=\"GET\",route=\"static\",status=\"{asset_status}\"}}");
    assert_eq!(sample(&text, &asset), 1.0, "{text}");
    assert!(!text.contains("let-them-draw.css"), "{text}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_its_request_id_is_kept() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--trusted-proxies", "127.0.0.1/32"]).await;
    let response = app.client.get(app.url("/healthz")).header("x-request-id", "lb-4711").send().await;
    assert_eq!(response.expect("request").headers()["x-request-id"], "lb-4711");
}

//! Failures and compensation: "retrying" while the artist tries again, failed drawings
//! listed for admins with Retry, one alert mail per burst, refunds of paid orders (simulated
//! and Stripe), the console's figures and the admin live feed. Faults come from the test-only
//! switch `--test-fail-draws N` (debug builds only): the first N tries of every order fail.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::time::Duration;
use support::{
    TestApp, error_of,
    stripe::{self, StripeFake},
};

const ADMIN: &str = "ops-admin@example.com";
const ALERTS: &str = "alerts@example.com";

/// An app whose drawings fail `fail_draws` times per order, with `attempts` tries each.
async fn failing_app(fail_draws: &str, attempts: &str, extra: &[&str]) -> TestApp {
    let data = tempfile::tempdir().expect("dir");
    let mut args = vec![
        "--test-fail-draws",
        fail_draws,
        "--draw-max-attempts",
        attempts,
        "--draw-retry-ms",
        "10",
        "--admin-emails",
        ADMIN,
        "--alert-email",
        ALERTS,
    ];
    args.extend_from_slice(extra);
    TestApp::spawn_with(data, &args).await
}

async fn free_order(app: &TestApp, client: &Client, colour: &str) -> String {
    let response = app.order(client, "circle", colour).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    order["id"].as_str().expect("id").to_owned()
}

/// A voronoi order (priced at $5.00) paid through a signed `checkout.session.completed`.
async fn paid_order(app: &TestApp, client: &Client, webhook_secret: &str) -> String {
    let response = app.order(client, "voronoi", "indigo").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    let url = order["checkout_url"].as_str().expect("a checkout URL");
    let session = url.rsplit('/').next().expect("session id");
    let event = stripe::event(
        &format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "checkout.session.completed",
        stripe::session(session, &id, "paid", "complete", 500),
    );
    let body = serde_json::to_vec(&event).expect("json");
    let signature = stripe::signature(&body, webhook_secret, stripe::now());
    let delivered = app.deliver(&body, Some(&signature)).await;
    assert_eq!(delivered.status(), StatusCode::OK);
    id
}

async fn failures(app: &TestApp, admin: &Client) -> Vec<Value> {
    let response = app.get(admin, "/api/v1/admin/failures").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn alert_mails(app: &TestApp) -> Vec<Value> {
    app.outbox().await.into_iter().filter(|mail| mail["to"] == ALERTS).collect()
}

async fn wait_for_alerts(app: &TestApp, count: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let alerts = alert_mails(app).await;
        if alerts.len() >= count {
            return alerts;
        }
        assert!(std::time::Instant::now() < deadline, "{count} alert mail(s) never came: {alerts:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads `event: live` items from the admin feed until `done` says so (at most 20 s).
async fn read_live(mut response: reqwest::Response, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let mut text = String::new();
    let mut items = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(&items) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("the live feed stopped short: {items:?}"))
            .expect("chunk")
            .expect("the feed stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        items = text
            .split("\n\n")
            .filter(|block| block.lines().any(|line| line == "event: live"))
            .filter_map(|block| block.lines().find_map(|line| line.strip_prefix("data: ")))
            .map(|data| serde_json::from_str(data).expect("JSON"))
            .collect();
    }
    items
}

#[tokio::test]
async fn the_order_shows_retrying_while_the_artist_tries_again() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--test-fail-draws", "2", "--draw-retry-ms", "10"]).await;
    let client = app.signed_in_user("watcher@example.com").await;
    // Listening before the order exists: its retries are over within a few milliseconds.
    let (_, events) = app.events_around(&client, free_order(&app, &client, "tomato")).await;
    let retrying: Vec<u64> = events
        .iter()
        .filter(|e| e["status"] == "in_progress")
        .filter_map(|e| e["failed_attempts"].as_u64())
        .collect();
    assert_eq!(retrying, [1, 2], "each failed try is told live: {events:?}");
    let last = events.last().expect("events");
    assert_eq!(last["status"], "done");
    // The record of the failed tries stays; the badge reads "done", not "retrying".
    assert_eq!(last["failed_attempts"], 2, "{last}");
}

#[tokio::test]
async fn a_failed_drawing_is_listed_for_admins_and_retry_draws_it() {
    // Two tries per order, and the first two tries of every order fail: the order fails,
    // and the admin's Retry (a third try) succeeds.
    let app = failing_app("2", "2", &[]).await;
    let client = app.signed_in_user("client@example.com").await;
    let admin = app.signed_in_user(ADMIN).await;
    let id = free_order(&app, &client, "orchid").await;
    app.wait_for_status(&client, &id, "failed").await;

    let listed = failures(&app, &admin).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let failure = &listed[0];
    assert_eq!(failure["order_id"], id.as_str());
    assert_eq!(failure["email"], "client@example.com");
    assert_eq!(failure["attempts"], 2);
    assert_eq!(failure["retryable"], true);
    assert_eq!(failure["order_status"], "failed");
    assert!(failure["error"].as_str().expect("error").contains("injected failure"), "{failure}");

    // Not for clients, not for strangers.
    assert_eq!(app.get(&client, "/api/v1/admin/failures").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&TestApp::browser(), "/api/v1/admin/failures").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let retry_path = format!("/api/v1/admin/failures/{id}/retry");
    let refused = client.post(app.url(&retry_path)).send().await.expect("post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = app.get(&client, "/admin/failures").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let page = app.get(&admin, "/admin/failures").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!("Retry order {id}")), "the page offers Retry");

    // The operators heard about it.
    let alerts = wait_for_alerts(&app, 1).await;
    assert_eq!(alerts[0]["subject"], "Let Them Draw: 1 drawing(s) failed");
    assert!(alerts[0]["text"].as_str().expect("text").contains(&id));

    let retried = admin.post(app.url(&retry_path)).send().await.expect("retry");
    assert_eq!(retried.status(), StatusCode::OK);
    let queued: Value = retried.json().await.expect("json");
    assert_eq!(queued["status"], "queued");
    let done = app.wait_for_status(&client, &id, "done").await;
    assert!(done.get("failure_reason").is_none(), "{done}");
    assert!(failures(&app, &admin).await.is_empty(), "a retried failure leaves the list");
    app.wait_for_mail("client@example.com", "Your picture is ready").await;

    // Only a failed order can be retried; an unknown one is not found.
    let again = admin.post(app.url(&retry_path)).send().await.expect("retry");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(again).await["field"], "order_id");
    let unknown = admin.post(app.url("/api/v1/admin/failures/nope/retry")).send().await.expect("retry");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_client_is_told_a_plain_reason_while_admins_see_what_broke() {
    // The picture store cannot create its folder: a file is in the way.
    let data = tempfile::tempdir().expect("dir");
    let store = data.path().join("blocked-pictures");
    std::fs::create_dir_all(&store).expect("store dir");
    std::fs::write(store.join("orders"), b"in the way").expect("blocking file");
    let store_arg = format!("file://{}", store.display());
    let args = [
        "--storage",
        &store_arg,
        "--draw-max-attempts",
        "2",
        "--draw-retry-ms",
        "10",
        "--admin-emails",
        ADMIN,
    ];
    let app = TestApp::spawn_with(data, &args).await;
    let client = app.signed_in_user("plain@example.com").await;
    let admin = app.signed_in_user(ADMIN).await;
    let id = free_order(&app, &client, "teal").await;
    let failed = app.wait_for_status(&client, &id, "failed").await;

    let reason = failed["failure_reason"].as_str().expect("a reason");
    assert_eq!(reason, "the picture could not be drawn after 2 attempts");
    let path = store.display().to_string();
    assert!(!reason.contains(&path), "no storage path for the client: {reason}");
    let listed = failures(&app, &admin).await;
    let error = listed[0]["error"].as_str().expect("error");
    assert!(error.contains("could not store the picture") && error.contains(&path), "{error}");
    // The mail the client gets says no more than the page.
    let mail = app.wait_for_mail("plain@example.com", "We could not draw your picture").await;
    assert!(mail.to_string().contains(reason), "{mail}");
    assert!(!mail.to_string().contains(&path), "{mail}");
}

#[tokio::test]
async fn a_burst_of_failures_sends_one_alert_and_the_rest_come_after_the_window() {
    let app = failing_app("100", "1", &["--alert-window-secs", "5", "--sweep-secs", "1"]).await;
    let client = app.signed_in_user("burst@example.com").await;
    let first = free_order(&app, &client, "red").await;
    app.wait_for_status(&client, &first, "failed").await;
    let alerts = wait_for_alerts(&app, 1).await;
    assert!(alerts[0]["text"].as_str().expect("text").contains(&first));

    let second = free_order(&app, &client, "green").await;
    let third = free_order(&app, &client, "blue").await;
    app.wait_for_status(&client, &second, "failed").await;
    app.wait_for_status(&client, &third, "failed").await;
    // Several sweeps later, still inside the window: no second mail.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(alert_mails(&app).await.len(), 1, "one alert per window");

    // After the window, one more mail lists both later failures.
    let alerts = wait_for_alerts(&app, 2).await;
    assert_eq!(alerts.len(), 2);
    let latest = alerts.iter().find(|mail| mail["text"].as_str().is_some_and(|t| !t.contains(&first)));
    let text = latest.expect("an alert without the first failure")["text"].as_str().expect("text");
    assert!(text.contains(&second) && text.contains(&third), "{text}");
    assert!(text.starts_with("2 drawing(s) failed"), "{text}");
}

#[tokio::test]
async fn a_paid_order_that_cannot_be_drawn_is_refunded_the_client_told_and_the_admin_feed_shows_it() {
    let app = failing_app("100", "2", &[]).await;
    let client = app.signed_in_user("payer@example.com").await;
    let admin = app.signed_in_user(ADMIN).await;
    let live = app.get(&admin, "/api/v1/admin/live").await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(live.headers()["content-type"], "text/event-stream");
    // Clients do not get the feed.
    assert_eq!(app.get(&client, "/api/v1/admin/live").await.status(), StatusCode::FORBIDDEN);

    let id = paid_order(&app, &client, &app.webhook_secret()).await;
    let refunded = app.wait_for_status(&client, &id, "refunded").await;
    assert!(refunded["refunded_at"].is_string(), "{refunded}");
    assert!(refunded["failure_reason"].as_str().expect("reason").contains("after 2 attempts"));
    // The order's own stream saw failed and then refunded, and closed after that.
    let statuses: Vec<Value> =
        app.status_events(&client, &id).await.into_iter().map(|e| e["status"].clone()).collect();
    assert_eq!(statuses.last().expect("events"), "refunded");

    let mail = app
        .wait_for_mail("payer@example.com", "We could not draw your picture: your payment is refunded")
        .await;
    assert!(mail["text"].as_str().expect("text").contains("$5.00"), "{mail}");
    assert!(
        !app.outbox().await.iter().any(|m| m["subject"] == "We could not draw your picture"),
        "one mail, about the refund"
    );

    // Listed, but Retry is not offered after a refund (and refused if asked).
    let listed = failures(&app, &admin).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["order_status"], "refunded");
    assert_eq!(listed[0]["retryable"], false);
    let retry =
        admin.post(app.url(&format!("/api/v1/admin/failures/{id}/retry"))).send().await.expect("post");
    assert_eq!(retry.status(), StatusCode::CONFLICT);
    let page = app.get(&admin, "/admin/failures").await.text().await.expect("html");
    assert!(!page.contains(&format!("Retry order {id}")), "no Retry button for a refunded order");

    // Refunded money is not revenue.
    let overview: Value = app.get(&admin, "/api/v1/admin/overview").await.json().await.expect("json");
    assert_eq!(overview["revenue_today"], serde_json::json!([]), "{overview}");

    let items = read_live(live, |items| items.iter().any(|i| i["kind"] == "refunded")).await;
    let kinds: Vec<&str> = items.iter().filter_map(|i| i["kind"].as_str()).collect();
    assert_eq!(kinds, ["paid", "failed", "refunded"], "{items:?}");
    assert!(items.iter().all(|i| i["order"]["id"] == id.as_str()));
}

#[tokio::test]
async fn with_stripe_the_refund_is_made_once_per_order_even_when_stripe_was_down() {
    let fake = StripeFake::start().await;
    let base = fake.base_url();
    let extra = [
        "--stripe-secret-key",
        stripe::SECRET_KEY,
        "--stripe-api-base",
        &base,
        "--stripe-webhook-secret",
        stripe::WEBHOOK_SECRET,
        "--sweep-secs",
        "1",
    ];
    let app = failing_app("100", "1", &extra).await;
    let client = app.signed_in_user("stripe-payer@example.com").await;
    let admin = app.signed_in_user(ADMIN).await;
    // The checkout opens; then Stripe goes down before the drawing fails.
    let response = app.order(&client, "voronoi", "indigo").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    fake.fail_with(Some(StatusCode::SERVICE_UNAVAILABLE));
    let order: Value = response.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    let session =
        order["checkout_url"].as_str().expect("url").rsplit('/').next().expect("session").to_owned();
    let event = stripe::event(
        "evt_paid_1",
        "checkout.session.completed",
        stripe::session(&session, &id, "paid", "complete", 500),
    );
    let body = serde_json::to_vec(&event).expect("json");
    let signature = stripe::signature(&body, stripe::WEBHOOK_SECRET, stripe::now());
    assert_eq!(app.deliver(&body, Some(&signature)).await.status(), StatusCode::OK);

    // Failed, refund pending: not refunded yet, and not retryable either.
    let failed = app.wait_for_status(&client, &id, "failed").await;
    assert!(failed["paid_at"].is_string());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !fake.received().iter().any(|r| r.path == "/v1/refunds") {
        assert!(std::time::Instant::now() < deadline, "no refund was attempted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failures(&app, &admin).await[0]["retryable"], false);

    // Stripe is back: the sweep makes the refund.
    fake.fail_with(None);
    let refunded = app.wait_for_status(&client, &id, "refunded").await;
    assert!(refunded["refunded_at"].is_string());
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "one refund however often it was asked: {refunds:?}");
    assert_eq!(refunds[0]["payment_intent"], "pi_1PgafyB7WZ01zgkWSjxsAJo3");
    assert_eq!(refunds[0]["amount"], 500);
    assert_eq!(refunds[0]["metadata"]["order_id"], id.as_str());
    let asked: Vec<_> = fake.received().into_iter().filter(|r| r.path == "/v1/refunds").collect();
    assert!(asked.len() >= 2, "asked while down, then again");
    let key = format!("ltd-refund-{id}");
    assert!(asked.iter().all(|r| r.header("idempotency-key") == Some(key.as_str())), "one key per order");
    assert!(asked.iter().all(|r| r.field("reason") == Some("requested_by_customer")));
}

#[tokio::test]
async fn the_console_shows_queue_depth_failures_orders_per_hour_render_time_and_revenue() {
    let app = failing_app("0", "3", &[]).await;
    let client = app.signed_in_user("buyer@example.com").await;
    let admin = app.signed_in_user(ADMIN).await;
    for colour in ["red", "teal"] {
        let id = free_order(&app, &client, colour).await;
        app.wait_for_status(&client, &id, "done").await;
    }
    let paid = paid_order(&app, &client, &app.webhook_secret()).await;
    app.wait_for_status(&client, &paid, "done").await;

    let response = app.get(&admin, "/api/v1/admin/overview").await;
    assert_eq!(response.status(), StatusCode::OK);
    let overview: Value = response.json().await.expect("json");
    let hours = overview["orders_per_hour"].as_array().expect("hours");
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.last().expect("this hour")["orders"], 3, "{overview}");
    let total: i64 = hours.iter().filter_map(|h| h["orders"].as_i64()).sum();
    assert_eq!(total, 3);
    assert!(overview["median_render_ms"].as_f64().expect("a median") >= 1.0, "{overview}");
    assert_eq!(overview["revenue_today"], serde_json::json!([{ "currency": "usd", "cents": 500 }]));
    assert_eq!(overview["open_failures"], 0);
    assert_eq!(overview["queue_depth"], 0);
    assert_eq!(overview["orders_unfinished"], 0);

    // The page: figures and the chart, for admins only.
    let page = app.get(&admin, "/admin").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("Orders per hour, last 24 hours (3 in all)"), "{html}");
    assert!(html.contains(r#"data-testid="orders-chart""#));
    assert!(html.contains(r#"data-orders="3""#));
    assert!(html.contains("$5.00"));
    assert_eq!(app.get(&client, "/admin").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&client, "/api/v1/admin/overview").await.status(), StatusCode::FORBIDDEN);

    // And for Prometheus: the queue's depth by queue and state.
    let metrics = app.get(&app.client, "/metrics").await.text().await.expect("metrics");
    assert!(metrics.contains("ltd_queue_depth{queue=\"draw\",state=\"pending\"} 0"), "{metrics}");
    assert!(metrics.contains("ltd_queue_depth{queue=\"mail\",state=\"pending\"}"), "{metrics}");
}

#[tokio::test]
async fn the_admin_pages_send_strangers_to_sign_in() {
    let app = TestApp::spawn().await;
    for path in ["/admin", "/admin/failures", "/admin/live"] {
        let page = app.get(&TestApp::browser(), path).await;
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "{path}");
        let location = page.headers()["location"].to_str().expect("location").to_owned();
        assert_eq!(location, format!("/signin?next={path}"));
    }
}

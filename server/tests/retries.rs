//! Drawing retries, through the test-only fault switch (`LTD_TEST_FAIL_DRAWS`, debug builds
//! only): the first N tries of every order fail as if storage were down.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::TestApp;

async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.get(&app.client, "/metrics").await.text().await.expect("metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |value| value.parse().expect("a number"))
}

#[tokio::test]
async fn a_drawing_that_fails_twice_is_retried_and_the_order_ends_done() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--test-fail-draws", "2", "--draw-retry-ms", "10"]).await;
    let client = app.signed_in_user("patient@example.com").await;
    let order: Value = app.order(&client, "square", "tomato").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;
    assert_eq!(app.get(&client, &format!("/api/v1/orders/{id}/picture")).await.status(), StatusCode::OK);
    assert_eq!(metric(&app, r#"ltd_draw_jobs_total{outcome="retried"}"#).await, 2.0);
    assert_eq!(metric(&app, r#"ltd_draw_jobs_total{outcome="succeeded"}"#).await, 1.0);
    assert_eq!(metric(&app, r#"ltd_draw_jobs_total{outcome="failed"}"#).await, 0.0);
    app.wait_for_mail("patient@example.com", "Your picture is ready").await;
}

#[tokio::test]
async fn a_drawing_that_keeps_failing_fails_the_order_after_the_last_attempt_and_tells_the_client() {
    let data = tempfile::tempdir().expect("dir");
    let args = ["--test-fail-draws", "100", "--draw-max-attempts", "3", "--draw-retry-ms", "10"];
    let app = TestApp::spawn_with(data, &args).await;
    let client = app.signed_in_user("unlucky@example.com").await;
    let order: Value = app.order(&client, "circle", "slateblue").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    let failed = app.wait_for_status(&client, id, "failed").await;
    let reason = failed["failure_reason"].as_str().expect("a reason");
    assert!(reason.contains("after 3 attempts"), "{reason}");
    assert_eq!(
        app.get(&client, &format!("/api/v1/orders/{id}/picture")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(metric(&app, r#"ltd_draw_jobs_total{outcome="retried"}"#).await, 2.0);
    assert_eq!(metric(&app, r#"ltd_draw_jobs_total{outcome="failed"}"#).await, 1.0);
    let mail = app.wait_for_mail("unlucky@example.com", "We could not draw your picture").await;
    assert!(mail["text"].as_str().expect("text").contains("after 3 attempts"));
    assert!(mail["text"].as_str().expect("text").contains(&app.url(&format!("/orders/{id}"))));
}

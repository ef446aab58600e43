//! Several instances of one deployment: live updates cross instances over Redis pub/sub.
//! Needs Redis (`LTD_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`; the test command
//! starts one when none runs).

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::{TestApp, unique_prefix};

fn redis_url() -> String {
    std::env::var("LTD_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or("redis://127.0.0.1:6379".into())
}

#[tokio::test]
async fn an_order_made_on_one_web_instance_is_watched_live_on_another_while_a_worker_draws() {
    let redis = redis_url();
    let prefix = unique_prefix();
    let events = ["--redis-url", redis.as_str(), "--redis-prefix", prefix.as_str()];
    let web_a =
        TestApp::spawn_with(tempfile::tempdir().expect("dir"), &[&events[..], &["--role", "web"]].concat())
            .await;
    let web_b = web_a.spawn_beside(&[&events[..], &["--role", "web"]].concat()).await;
    let client = web_a.signed_in_user("roamer@example.com").await;

    let created = web_a.order(&client, "square", "navy").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let order: Value = created.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();

    // Web B watches; nobody draws yet (both are web-only), so the stream waits at queued.
    let watch = {
        let client = client.clone();
        let url = web_b.url(&format!("/api/v1/orders/{id}/events"));
        tokio::spawn(async move {
            let response = client.get(url).send().await.expect("request");
            assert_eq!(response.status(), StatusCode::OK);
            let body = tokio::time::timeout(std::time::Duration::from_secs(20), response.text())
                .await
                .expect("the stream ends after done")
                .expect("body");
            support::parse_sse(&body)
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let worker = web_a.spawn_beside(&[&events[..], &["--role", "worker"]].concat()).await;

    let seen = watch.await.expect("the watcher");
    let statuses: Vec<&str> = seen.iter().filter_map(|e| e["status"].as_str()).collect();
    assert_eq!(statuses.first(), Some(&"queued"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"done"), "web B saw the worker's change: {statuses:?}");
    drop(worker);
}

#[tokio::test]
async fn instances_under_another_prefix_do_not_see_the_events() {
    let redis = redis_url();
    let (mine, theirs) = (unique_prefix(), unique_prefix());
    let web = TestApp::spawn_with(
        tempfile::tempdir().expect("dir"),
        &["--redis-url", &redis, "--redis-prefix", &mine, "--role", "web"],
    )
    .await;
    // Another deployment's web instance, which happens to share the database.
    let other = web.spawn_beside(&["--redis-url", &redis, "--redis-prefix", &theirs, "--role", "web"]).await;
    let client = web.signed_in_user("isolated@example.com").await;
    let order: Value = web.order(&client, "circle", "red").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();

    let mut stream =
        client.get(other.url(&format!("/api/v1/orders/{id}/events"))).send().await.expect("request");
    let _worker =
        web.spawn_beside(&["--redis-url", &redis, "--redis-prefix", &mine, "--role", "worker"]).await;
    web.wait_for_status(&client, &id, "done").await;
    let mut heard = String::new();
    while let Ok(Ok(Some(chunk))) =
        tokio::time::timeout(std::time::Duration::from_millis(500), stream.chunk()).await
    {
        heard.push_str(&String::from_utf8_lossy(&chunk));
    }
    let statuses: Vec<String> =
        support::parse_sse(&heard).iter().filter_map(|e| e["status"].as_str().map(str::to_owned)).collect();
    assert_eq!(statuses, ["queued"], "only the state at subscription; no event crossed prefixes");
}

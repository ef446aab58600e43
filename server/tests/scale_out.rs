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

/// Two web instances of one deployment (one database, one Redis prefix), and the prefix.
async fn two_web_instances(extra: &[&str]) -> (TestApp, TestApp, String) {
    let redis = redis_url();
    let prefix = unique_prefix();
    let args = [&["--redis-url", redis.as_str(), "--redis-prefix", prefix.as_str()][..], extra].concat();
    let first = TestApp::spawn_with(tempfile::tempdir().expect("dir"), &args).await;
    let second = first.spawn_beside(&args).await;
    (first, second, prefix)
}

/// Reads the stream at `url` until the server ends it; `None` if it is still open after
/// `within`.
async fn ended_within(client: &reqwest::Client, url: String, within: std::time::Duration) -> Option<()> {
    let mut response = client.get(url).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let read = async { while let Ok(Some(_)) = response.chunk().await {} };
    tokio::time::timeout(within, read).await.ok()
}

#[tokio::test]
async fn signing_out_on_one_instance_ends_the_streams_another_holds_at_once() {
    // The default re-check is 30 s: the stream ends long before, on the news.
    let (first, second, _) = two_web_instances(&[]).await;
    let client = first.signed_in_user("wanderer@example.com").await;
    let stream =
        ended_within(&client, second.url("/api/v1/orders/events"), std::time::Duration::from_secs(10));
    let sign_out = async {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let signed_out = client.delete(first.url("/api/v1/sessions")).send().await.expect("sign out");
        assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    };
    let (ended, ()) = tokio::join!(stream, sign_out);
    assert!(ended.is_some(), "the stream on the other instance ended with the session");
}

#[tokio::test]
async fn the_stream_cap_counts_a_users_streams_on_every_instance() {
    let (first, second, _) = two_web_instances(&["--max-streams-per-user", "2"]).await;
    let client = first.signed_in_user("tabs@example.com").await;
    let one = first.get(&client, "/api/v1/orders/events").await;
    let two = second.get(&client, "/api/v1/orders/events").await;
    assert_eq!((one.status(), two.status()), (StatusCode::OK, StatusCode::OK));
    for instance in [&first, &second] {
        let third = instance.get(&client, "/api/v1/orders/events").await;
        assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS, "on either instance");
    }
    // A stream closed on one instance makes room on the other.
    drop(one);
    let mut again = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..50 {
        again = second.get(&client, "/api/v1/orders/events").await.status();
        if again == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(again, StatusCode::OK);
    drop(two);
}

#[tokio::test]
async fn admin_revoke_on_the_command_line_ends_the_admin_feed_on_every_instance_at_once() {
    let (first, second, prefix) = two_web_instances(&[]).await;
    let admin = first.signed_in_user("chief@example.com").await;
    let granted = server::accounts::set_admin(&first.database().await, "chief@example.com", true).await;
    assert!(granted.is_ok_and(|id| id.is_some()));

    let feed = ended_within(&admin, second.url("/api/v1/admin/live"), std::time::Duration::from_secs(10));
    let revoke = async {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let data = first.data_dir.path().display().to_string();
        let redis = redis_url();
        let database = first.database_url.clone();
        let prefix = prefix.clone();
        let revoked = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_let-them-draw"))
                .args(["--data-dir", &data, "--database-url", &database, "admin", "revoke"])
                .args(["--email", "chief@example.com", "--redis-url", &redis, "--redis-prefix", &prefix])
                .output()
        })
        .await
        .expect("joined")
        .expect("runs");
        assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    };
    let (ended, ()) = tokio::join!(feed, revoke);
    assert!(ended.is_some(), "the feed on the other instance ended with the role");
    assert_eq!(second.get(&admin, "/api/v1/admin/live").await.status(), StatusCode::FORBIDDEN);
}

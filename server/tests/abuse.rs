//! Limits an abuser runs into, as a client sees them: sign-in guesses sent at once, sign-ups
//! and account mails from one address, clients behind a trusted proxy, live streams that
//! outlive their session, and orders placed faster than a person would.

mod support;

use futures::future::join_all;
use reqwest::{Client, Response, StatusCode, header};
use serde_json::{Value, json};
use std::time::Duration;
use support::{PASSWORD, TestApp, error_of};

fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds")
}

#[tokio::test]
async fn fifty_wrong_passwords_sent_at_once_get_at_most_five_answers_and_the_rest_429() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.confirmed_account(&client, "hal@example.com").await;

    let guesses = (0..50).map(|n| {
        let client = TestApp::browser();
        let app = &app;
        async move { app.sign_in(&client, "hal@example.com", &format!("guess number {n}")).await.status() }
    });
    let statuses = join_all(guesses).await;
    let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(wrong + throttled, 50, "{statuses:?}");
    assert!(wrong <= 5, "{wrong} guesses were checked: {statuses:?}");
    assert!(wrong >= 1, "{statuses:?}");

    // The right password from the same address waits too.
    let blocked = app.sign_in(&client, "hal@example.com", PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=31).contains(&retry_after(&blocked)));
}

/// A sign-in with `password` from a request whose `X-Forwarded-For` is `forwarded_for`.
async fn sign_in_via(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> StatusCode {
    TestApp::browser()
        .post(app.url("/api/v1/sessions"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("request")
        .status()
}

/// Five wrong passwords for `email` from the client at `forwarded_for`, then one more:
/// the status of that sixth attempt.
async fn sixth_guess_from(app: &TestApp, email: &str, forwarded_for: &str) -> StatusCode {
    for _ in 0..5 {
        let status = sign_in_via(app, forwarded_for, email, "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    sign_in_via(app, forwarded_for, email, "not the password").await
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_throttled_on_its_own() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--trusted-proxies", "127.0.0.1/32"]).await;
    app.confirmed_account(&TestApp::browser(), "ivy@example.com").await;

    assert_eq!(
        sixth_guess_from(&app, "ivy@example.com", "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is not locked out by the first one's guesses.
    let second = sign_in_via(&app, "198.51.100.2", "ivy@example.com", PASSWORD).await;
    assert_eq!(second, StatusCode::NO_CONTENT);
    // A client that writes the header itself does not pick its address: the proxy's
    // right-most entry is the one believed.
    let forged = sign_in_via(&app, "198.51.100.2, 198.51.100.1", "ivy@example.com", PASSWORD).await;
    assert_eq!(forged, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn without_trusted_proxies_the_forwarded_header_is_ignored() {
    let app = TestApp::spawn().await;
    app.confirmed_account(&TestApp::browser(), "jan@example.com").await;
    assert_eq!(
        sixth_guess_from(&app, "jan@example.com", "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A "different" client is the same address: still blocked.
    let other = sign_in_via(&app, "198.51.100.2", "jan@example.com", PASSWORD).await;
    assert_eq!(other, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sign_ups_and_account_mails_from_one_address_are_limited() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--sign-ups-per-address", "3"]).await;
    let client = TestApp::browser();
    for n in 0..3 {
        let created = app.create_account(&client, &format!("k{n}@example.com"), PASSWORD).await;
        assert_eq!(created.status(), StatusCode::ACCEPTED);
    }
    let refused = app.create_account(&client, "k3@example.com", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) > 0);
    assert_eq!(error_of(refused).await["code"], "too_many_requests");
    app.wait_for_mail("k2@example.com", "Confirm your e-mail address").await;
    let mailed: Vec<_> = app.outbox().await.into_iter().filter(|m| m["to"] == "k3@example.com").collect();
    assert!(mailed.is_empty(), "the refused sign-up stored and mailed nothing: {mailed:?}");

    // Password reset mails: five for one address, then 429.
    for _ in 0..5 {
        let sent = app
            .post_json(&client, "/api/v1/accounts/password-reset", &json!({"email": "k0@example.com"}))
            .await;
        assert_eq!(sent.status(), StatusCode::ACCEPTED);
    }
    let sixth =
        app.post_json(&client, "/api/v1/accounts/password-reset", &json!({"email": "k0@example.com"})).await;
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Opens `path` as `client` and reads it until it ends; `None` when it is still open after
/// `within`.
async fn read_until_closed(app: &TestApp, client: &Client, path: &str, within: Duration) -> Option<String> {
    let mut response = app.get(client, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let mut body = String::new();
    let read = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            body.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(within, read).await.ok().map(|()| body)
}

#[tokio::test]
async fn signing_out_ends_the_users_open_streams() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--stream-recheck-secs", "1"]).await;
    let client = app.signed_in_user("lea@example.com").await;
    let created: Value = app.order(&client, "voronoi", "teal").await.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_owned();

    // A stream left open is not ended while the session lives.
    assert!(
        read_until_closed(&app, &client, "/api/v1/orders/events", Duration::from_secs(3)).await.is_none()
    );

    let one_path = format!("/api/v1/orders/{id}/events");
    let all = read_until_closed(&app, &client, "/api/v1/orders/events", Duration::from_secs(15));
    let one = read_until_closed(&app, &client, &one_path, Duration::from_secs(15));
    let sign_out = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let out = client.delete(app.url("/api/v1/sessions")).send().await.expect("request");
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
    };
    let (all, one, ()) = tokio::join!(all, one, sign_out);
    assert!(all.is_some(), "the stream of all orders ended with the session");
    let one = one.expect("the order's stream ended with the session");
    assert!(one.contains("awaiting_payment"), "it had said where the order stood: {one}");
}

#[tokio::test]
async fn signing_out_ends_the_streams_of_that_session_at_once_not_at_the_next_check() {
    // The default re-check comes every 30 s; the sign-out is heard on the instance itself.
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("uma@example.com").await;
    let stream = read_until_closed(&app, &client, "/api/v1/orders/events", Duration::from_secs(10));
    let sign_out = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let out = client.delete(app.url("/api/v1/sessions")).send().await.expect("request");
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
    };
    let (stream, ()) = tokio::join!(stream, sign_out);
    assert!(stream.is_some(), "the stream ended within 10 s of the sign-out");
}

#[tokio::test]
async fn signing_out_on_one_device_leaves_the_other_devices_streams_open() {
    let app = TestApp::spawn().await;
    let laptop = app.signed_in_user("two-devices@example.com").await;
    let phone = TestApp::browser();
    assert_eq!(
        app.sign_in(&phone, "two-devices@example.com", PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    let phone_stream = read_until_closed(&app, &phone, "/api/v1/orders/events", Duration::from_secs(4));
    let laptop_stream = read_until_closed(&app, &laptop, "/api/v1/orders/events", Duration::from_secs(10));
    let sign_out = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let out = laptop.delete(app.url("/api/v1/sessions")).send().await.expect("request");
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
    };
    let (phone_stream, laptop_stream, ()) = tokio::join!(phone_stream, laptop_stream, sign_out);
    assert!(laptop_stream.is_some(), "the signed-out session's stream ended");
    assert!(phone_stream.is_none(), "the other session's stream is still open");
}

#[tokio::test]
async fn revoking_the_admin_role_ends_the_admin_live_feed() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--stream-recheck-secs", "1"]).await;
    let client = app.signed_in_user("max@example.com").await;
    let pool = app.database().await;
    assert!(server::accounts::set_admin(&pool, "max@example.com", true).await.expect("grant").is_some());

    let feed = read_until_closed(&app, &client, "/api/v1/admin/live", Duration::from_secs(15));
    let revoke = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(
            server::accounts::set_admin(&pool, "max@example.com", false).await.expect("revoke").is_some()
        );
    };
    let (feed, ()) = tokio::join!(feed, revoke);
    assert!(feed.is_some(), "the feed ended when the role went");
    assert_eq!(app.get(&client, "/api/v1/admin/live").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_user_holds_at_most_eight_streams_and_the_ninth_gets_429() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("ned@example.com").await;
    let mut open = Vec::new();
    for _ in 0..8 {
        let response = app.get(&client, "/api/v1/orders/events").await;
        assert_eq!(response.status(), StatusCode::OK);
        open.push(response);
    }
    let ninth = app.get(&client, "/api/v1/orders/events").await;
    assert_eq!(ninth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&ninth) > 0);
    assert!(error_of(ninth).await["message"].as_str().is_some_and(|m| m.contains("8 live updates")));
    // Someone else is not affected.
    let other = app.signed_in_user("ola@example.com").await;
    assert_eq!(app.get(&other, "/api/v1/orders/events").await.status(), StatusCode::OK);

    // A closed stream makes room.
    drop(open.pop());
    let mut again = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..50 {
        again = app.get(&client, "/api/v1/orders/events").await.status();
        if again == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(again, StatusCode::OK);
}

#[tokio::test]
async fn the_thirty_first_order_in_a_minute_gets_429_and_is_not_stored() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("pia@example.com").await;
    for _ in 0..30 {
        assert_eq!(app.order(&client, "square", "navy").await.status(), StatusCode::CREATED);
    }
    let refused = app.order(&client, "square", "navy").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&refused)));
    let error = error_of(refused).await;
    assert_eq!(error["code"], "too_many_requests");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("30 orders in the last minute")), "{error}");
    let orders: Vec<Value> =
        app.get(&client, "/api/v1/orders?limit=100").await.json::<Value>().await.expect("json")["orders"]
            .as_array()
            .cloned()
            .unwrap_or_default();
    assert_eq!(orders.len(), 30);
    // Another user orders on.
    let other = app.signed_in_user("quin@example.com").await;
    assert_eq!(app.order(&other, "square", "navy").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn orders_sent_at_once_cannot_slip_past_the_rate_together() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--order-rate", "5"]).await;
    let client = app.signed_in_user("ray@example.com").await;
    let statuses = join_all((0..20).map(|_| app.order(&client, "circle", "red"))).await;
    let created = statuses.iter().filter(|r| r.status() == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((created, refused), (5, 15));
}

#[tokio::test]
async fn the_sixth_open_checkout_gets_429_while_free_pictures_are_still_taken() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("sam@example.com").await;
    for _ in 0..5 {
        let created = app.order(&client, "voronoi", "gold").await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let refused = app.order(&client, "tiled_lines", "gold").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Open until the oldest checkout expires: about half an hour.
    assert!((1700..=1900).contains(&retry_after(&refused)), "{}", retry_after(&refused));
    let error = error_of(refused).await;
    assert!(error["message"].as_str().is_some_and(|m| m.contains("5 orders waiting for payment")), "{error}");
    assert_eq!(app.order(&client, "circle", "gold").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn tokens_are_held_to_their_owners_limits_and_more_tokens_do_not_raise_them() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--order-rate", "5"]).await;
    let owner = app.signed_in_user("scripter@example.com").await;
    let mut tokens = Vec::new();
    for name in ["first", "second"] {
        let made = app
            .post_json(&owner, "/api/v1/tokens", &json!({ "name": name, "scopes": ["orders:write"] }))
            .await;
        let made: Value = made.json().await.expect("json");
        tokens.push(made["token"].as_str().expect("token").to_owned());
    }
    let order = |token: &str| {
        TestApp::browser()
            .post(app.url("/api/v1/orders"))
            .bearer_auth(token.to_owned())
            .json(&json!({ "shape": "circle", "color": "red" }))
            .send()
    };
    for token in [&tokens[0], &tokens[0], &tokens[1], &tokens[1]] {
        assert_eq!(order(token).await.expect("post").status(), StatusCode::CREATED);
    }
    assert_eq!(app.order(&owner, "circle", "red").await.status(), StatusCode::CREATED);
    // Five in the minute, by session and both tokens together: every way in is refused now.
    for token in &tokens {
        assert_eq!(order(token).await.expect("post").status(), StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(app.order(&owner, "circle", "red").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // A cart checkout counts each of its pictures.
    let added =
        app.post_json(&owner, "/api/v1/cart/items", &json!({ "shape": "square", "color": "red" })).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let checkout =
        TestApp::browser().post(app.url("/api/v1/cart/checkout")).bearer_auth(&tokens[0]).send().await;
    assert_eq!(checkout.expect("post").status(), StatusCode::TOO_MANY_REQUESTS);
}

//! API tokens: made from a session, shown once, used as `Authorization: Bearer ltd_…` on the
//! order routes within their scopes, revoked at once.

mod support;

use reqwest::{Client, Method, StatusCode, header};
use serde_json::{Value, json};
use std::time::Duration;
use support::{PASSWORD, TestApp, error_of};

/// Makes a token from `client`'s session; returns the answer's JSON.
async fn make_token(app: &TestApp, client: &Client, name: &str, scopes: &[&str]) -> Value {
    let response = app.post_json(client, "/api/v1/tokens", &json!({ "name": name, "scopes": scopes })).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{name}");
    response.json().await.expect("json")
}

/// A request from a program that has only the token: no cookies.
fn with_token(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    TestApp::browser().request(method, app.url(path)).bearer_auth(token)
}

async fn status_with(app: &TestApp, method: Method, path: &str, token: &str) -> StatusCode {
    with_token(app, method, path, token).send().await.expect("request").status()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_and_orders_within_its_scopes() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("script-owner@example.com").await;
    let response = app
        .post_json(
            &owner,
            "/api/v1/tokens",
            &json!({ "name": " nightly export ", "scopes": ["orders:write", "orders:read"], "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let made: Value = response.json().await.expect("json");
    let token = made["token"].as_str().expect("the token").to_owned();
    assert!(token.starts_with("ltd_") && token.len() == 47, "{token}");
    assert_eq!(made["name"], "nightly export");
    assert_eq!(made["scopes"], json!(["orders:read", "orders:write"]));
    let created = made["created_at"].as_i64().expect("created");
    assert_eq!(made["expires_at"].as_i64(), Some(created + 30 * 86_400));

    // The list never shows the token again, and the database keeps only its hash.
    let listed: Value = app.get(&owner, "/api/v1/tokens").await.json().await.expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["name"], "nightly export");
    assert!(listed[0].get("token").is_none(), "{listed}");
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_all(&app.database().await)
        .await
        .expect("rows");
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.contains(&token[4..]), "only a hash is kept");

    // The token orders, lists, reads and downloads, like its owner.
    let ordered = with_token(&app, Method::POST, "/api/v1/orders", &token)
        .json(&json!({ "shape": "circle", "color": "teal" }))
        .send()
        .await
        .expect("request");
    assert_eq!(ordered.status(), StatusCode::CREATED);
    let order: Value = ordered.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    app.wait_for_status(&owner, &id, "done").await;
    let list: Value = with_token(&app, Method::GET, "/api/v1/orders", &token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(list["orders"][0]["id"], id.as_str());
    let picture = with_token(&app, Method::GET, &format!("/api/v1/orders/{id}/picture"), &token)
        .send()
        .await
        .expect("request");
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(picture.headers()[header::CONTENT_TYPE], "image/png");

    let used: Value = app.get(&owner, "/api/v1/tokens").await.json().await.expect("json");
    assert!(used[0]["last_used_at"].as_i64().is_some(), "{used}");
}

#[tokio::test]
async fn a_read_only_token_cannot_order_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("reader@example.com").await;
    let token = make_token(&app, &owner, "dashboard", &["orders:read"]).await["token"]
        .as_str()
        .expect("t")
        .to_owned();
    let refused = with_token(&app, Method::POST, "/api/v1/orders", &token)
        .json(&json!({ "shape": "square", "color": "red" }))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let error = error_of(refused).await;
    assert!(error["message"].as_str().is_some_and(|m| m.contains("orders:write")), "{error}");
    assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", &token).await, StatusCode::OK);
    assert!(app.orders_of(&owner).await.is_empty(), "nothing was ordered");
}

#[tokio::test]
async fn a_revoked_expired_unknown_or_malformed_token_gets_401() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("revoker@example.com").await;
    let made = make_token(&app, &owner, "old script", &["orders:read"]).await;
    let (token, id) =
        (made["token"].as_str().expect("t").to_owned(), made["id"].as_str().expect("id").to_owned());
    assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", &token).await, StatusCode::OK);

    let revoked = owner.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.expect("request");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let refused = with_token(&app, Method::GET, "/api/v1/orders", &token).send().await.expect("request");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer error=\"invalid_token\"");
    assert_eq!(error_of(refused).await["code"], "invalid_token");
    let listed: Value = app.get(&owner, "/api/v1/tokens").await.json().await.expect("json");
    assert_eq!(listed, json!([]), "a revoked token leaves the list");

    let expiring = make_token(&app, &owner, "short-lived", &["orders:read"]).await;
    sqlx::query("UPDATE api_tokens SET expires_at = 1 WHERE id = $1")
        .bind(expiring["id"].as_str().expect("id"))
        .execute(&app.database().await)
        .await
        .expect("expire it");
    let expired = expiring["token"].as_str().expect("t");
    assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", expired).await, StatusCode::UNAUTHORIZED);

    let unknown = format!("ltd_{}", "A".repeat(43));
    assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", &unknown).await, StatusCode::UNAUTHORIZED);
    let malformed = TestApp::browser()
        .get(app.url("/api/v1/orders"))
        .header(header::AUTHORIZATION, "Bearer not-a-token")
        .send()
        .await
        .expect("request");
    assert_eq!(malformed.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_never_reaches_admin_account_token_or_page_routes_even_an_admins() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in_user("admin-with-token@example.com").await;
    let granted =
        server::accounts::set_admin(&app.database().await, "admin-with-token@example.com", true).await;
    assert!(granted.is_ok_and(|id| id.is_some()));
    let token = make_token(&app, &admin, "everything", &["orders:read", "orders:write"]).await["token"]
        .as_str()
        .expect("t")
        .to_owned();
    for (method, path) in [
        (Method::GET, "/api/v1/admin/shapes"),
        (Method::GET, "/api/v1/admin/overview"),
        (Method::GET, "/api/v1/admin/tokens"),
        (Method::GET, "/api/v1/tokens"),
        (Method::POST, "/api/v1/tokens"),
        (Method::GET, "/api/v1/account/export"),
        (Method::DELETE, "/api/v1/account"),
        (Method::DELETE, "/api/v1/sessions"),
        (Method::GET, "/orders"),
        (Method::GET, "/api/fn/me"),
    ] {
        assert_eq!(
            status_with(&app, method.clone(), path, &token).await,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
    }
    // Public routes need no token and do not mind one.
    assert_eq!(status_with(&app, Method::GET, "/api/v1/shapes", &token).await, StatusCode::OK);
    assert_eq!(
        app.get(&admin, "/api/v1/admin/shapes").await.status(),
        StatusCode::OK,
        "the session still works"
    );
}

#[tokio::test]
async fn bad_token_requests_name_the_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("careless@example.com").await;
    for (body, field) in [
        (json!({ "name": "  ", "scopes": ["orders:read"] }), "name"),
        (json!({ "name": "x".repeat(61), "scopes": ["orders:read"] }), "name"),
        (json!({ "name": "n", "scopes": [] }), "scopes"),
        (json!({ "name": "n", "scopes": ["admin"] }), "scopes"),
        (json!({ "name": "n", "scopes": ["orders:read"], "expires_in_days": 0 }), "expires_in_days"),
        (json!({ "name": "n", "scopes": ["orders:read"], "expires_in_days": 400 }), "expires_in_days"),
        (json!({ "name": "n", "scopes": "orders:read" }), "scopes"),
    ] {
        let response = app.post_json(&owner, "/api/v1/tokens", &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], field, "{body}");
    }
    let listed: Value = app.get(&owner, "/api/v1/tokens").await.json().await.expect("json");
    assert_eq!(listed, json!([]));
    // Signed out: no tokens at all.
    let stranger = TestApp::browser();
    let body = json!({ "name": "n", "scopes": ["orders:read"] });
    assert_eq!(app.post_json(&stranger, "/api/v1/tokens", &body).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_account_holds_at_most_twenty_working_tokens() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("collector@example.com").await;
    let mut first = None;
    for n in 0..20 {
        let made = make_token(&app, &owner, &format!("token {n}"), &["orders:read"]).await;
        first.get_or_insert(made["id"].as_str().expect("id").to_owned());
    }
    let body = json!({ "name": "one too many", "scopes": ["orders:read"] });
    let refused = app.post_json(&owner, "/api/v1/tokens", &body).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(refused).await["field"], "name");
    let first = first.expect("a first token");
    let revoked = owner.delete(app.url(&format!("/api/v1/tokens/{first}"))).send().await.expect("request");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.post_json(&owner, "/api/v1/tokens", &body).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn admins_see_every_partner_token_with_todays_requests_and_revoke_any() {
    let app = TestApp::spawn().await;
    let partner = app.signed_in_user("partner@example.com").await;
    let made = make_token(&app, &partner, "shop integration", &["orders:read"]).await;
    let (token, id) =
        (made["token"].as_str().expect("t").to_owned(), made["id"].as_str().expect("id").to_owned());
    for _ in 0..3 {
        assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", &token).await, StatusCode::OK);
    }
    // Another customer cannot see or revoke it.
    let other = app.signed_in_user("nosy@example.com").await;
    let theirs = other.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.expect("request");
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&other, "/api/v1/admin/tokens").await.status(), StatusCode::FORBIDDEN);

    let admin = app.signed_in_user("partners-admin@example.com").await;
    let granted =
        server::accounts::set_admin(&app.database().await, "partners-admin@example.com", true).await;
    assert!(granted.is_ok_and(|id| id.is_some()));
    let all: Value = app.get(&admin, "/api/v1/admin/tokens").await.json().await.expect("json");
    let row = all.as_array().and_then(|rows| rows.iter().find(|r| r["id"] == id.as_str())).expect("listed");
    assert_eq!(row["owner_email"], "partner@example.com");
    assert_eq!(row["name"], "shop integration");
    assert_eq!(row["requests_today"], 3);
    assert!(row["last_used_at"].as_i64().is_some());

    let revoked = admin.delete(app.url(&format!("/api/v1/admin/tokens/{id}"))).send().await.expect("request");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", &token).await, StatusCode::UNAUTHORIZED);
    let again = admin.delete(app.url(&format!("/api/v1/admin/tokens/{id}"))).send().await.expect("request");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_tokens_live_stream_ends_when_the_token_is_revoked() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("streamer@example.com").await;
    let made = make_token(&app, &owner, "watcher", &["orders:read"]).await;
    let (token, id) =
        (made["token"].as_str().expect("t").to_owned(), made["id"].as_str().expect("id").to_owned());
    let mut stream =
        with_token(&app, Method::GET, "/api/v1/orders/events", &token).send().await.expect("request");
    assert_eq!(stream.status(), StatusCode::OK);
    let ended = async { while let Ok(Some(_)) = stream.chunk().await {} };
    let revoke = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let revoked = owner.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.expect("request");
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    };
    // The default re-check comes every 30 s: the revocation's news ends it long before.
    let (ended, ()) = tokio::join!(tokio::time::timeout(Duration::from_secs(10), ended), revoke);
    assert!(ended.is_ok(), "the stream ended with its token");
}

#[tokio::test]
async fn bearer_requests_skip_the_cross_site_check_and_cookie_requests_do_not() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("partner-site@example.com").await;
    let token =
        make_token(&app, &owner, "partner", &["orders:write"]).await["token"].as_str().expect("t").to_owned();
    let from_elsewhere = |request: reqwest::RequestBuilder| {
        request
            .header(header::ORIGIN, "https://partner.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({ "shape": "square", "color": "navy" }))
    };
    let by_token = from_elsewhere(with_token(&app, Method::POST, "/api/v1/orders", &token)).send().await;
    assert_eq!(by_token.expect("request").status(), StatusCode::CREATED);
    let by_cookie = from_elsewhere(owner.post(app.url("/api/v1/orders"))).send().await;
    assert_eq!(by_cookie.expect("request").status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deleting_the_account_ends_its_tokens() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("leaving-partner@example.com").await;
    let token =
        make_token(&app, &owner, "script", &["orders:read"]).await["token"].as_str().expect("t").to_owned();
    let deleted = owner
        .delete(app.url("/api/v1/account"))
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .expect("request");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(status_with(&app, Method::GET, "/api/v1/orders", &token).await, StatusCode::UNAUTHORIZED);
}

//! Signing up, in and out, over HTTP against the real app.

mod support;

use reqwest::{StatusCode, header};
use serde_json::json;
use support::{PASSWORD, TestApp, error_of};

#[tokio::test]
async fn sign_up_then_sign_in_shows_who_is_signed_in() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();

    let created = app.create_account(&client, "Ada@Example.com", PASSWORD).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: serde_json::Value = created.json().await.expect("json");
    assert_eq!(body["email"], "ada@example.com");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(app.whoami(&client).await, None, "creating an account does not sign in through the API");

    let signed_in = app.sign_in(&client, "ada@example.com", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::NO_CONTENT);
    let cookie =
        signed_in.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cookie.starts_with("ltd_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http must not mark the cookie Secure");
    assert_eq!(app.whoami(&client).await.as_deref(), Some("ada@example.com"));
}

#[tokio::test]
async fn a_duplicate_email_is_refused_with_a_conflict_naming_the_field() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    assert_eq!(app.create_account(&client, "bob@example.com", PASSWORD).await.status(), StatusCode::CREATED);

    let again = app.create_account(&client, " BOB@example.com ", "another password").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let error = error_of(again).await;
    assert_eq!(error["code"], "conflict");
    assert_eq!(error["field"], "email");
    assert!(error["message"].as_str().unwrap_or_default().contains("already exists"));

    assert_eq!(
        app.sign_in(&client, "bob@example.com", "another password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.sign_in(&client, "bob@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn invalid_sign_up_input_names_the_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let cases = [
        (json!({ "email": "not-an-email", "password": PASSWORD }), "email"),
        (json!({ "email": "short@example.com", "password": "1234567" }), "password"),
        (json!({ "email": "long@example.com", "password": "x".repeat(129) }), "password"),
        (json!({ "password": PASSWORD }), "email"),
        (json!({ "email": "typed@example.com", "password": 12345678 }), "password"),
    ];
    for (body, field) in cases {
        let response = app.post_json(&client, "/api/v1/accounts", &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], field, "{body}");
    }
    // Nothing was stored: every one of those e-mails is still free.
    for email in ["short@example.com", "long@example.com", "typed@example.com"] {
        assert_eq!(
            app.create_account(&client, email, PASSWORD).await.status(),
            StatusCode::CREATED,
            "{email}"
        );
    }
}

#[tokio::test]
async fn malformed_requests_get_4xx_never_5xx() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let url = app.url("/api/v1/accounts");

    let not_json = client.post(&url).header("content-type", "application/json").body("{oops").send().await;
    assert_eq!(not_json.expect("request").status(), StatusCode::BAD_REQUEST);

    let form = client.post(&url).header("content-type", "text/plain").body("email=a").send().await;
    assert_eq!(form.expect("request").status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = json!({ "email": "big@example.com", "password": "x".repeat(20 * 1024) });
    let too_large = app.post_json(&client, "/api/v1/accounts", &huge).await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(too_large).await["code"], "payload_too_large");

    let unknown = client.get(app.url("/api/v1/nothing-here")).send().await.expect("request");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(unknown).await["code"], "no_such_route");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_unauthorized() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.create_account(&client, "carol@example.com", PASSWORD).await;

    for (email, password) in [("carol@example.com", "wrong password"), ("nobody@example.com", PASSWORD)] {
        let response = app.sign_in(&client, email, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let error = error_of(response).await;
        assert_eq!(error["code"], "invalid_credentials");
        assert_eq!(error["message"], "wrong e-mail or password");
    }
    assert_eq!(app.whoami(&client).await, None);
}

#[tokio::test]
async fn sign_out_invalidates_the_session_even_if_the_cookie_is_replayed() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.create_account(&client, "dan@example.com", PASSWORD).await;
    let signed_in = app.sign_in(&client, "dan@example.com", PASSWORD).await;
    let cookie = signed_in.headers()[header::SET_COOKIE].to_str().expect("ascii").to_owned();
    let session = cookie.split(';').next().expect("name=value").to_owned();
    assert_eq!(app.whoami(&client).await.as_deref(), Some("dan@example.com"));

    let signed_out = client.delete(app.url("/api/v1/sessions")).send().await.expect("request");
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.whoami(&client).await, None);

    // A copy of the old cookie, sent by hand, is dead too.
    let replay = TestApp::browser();
    let me =
        replay.get(app.url("/api/fn/me")).header(header::COOKIE, &session).send().await.expect("request");
    assert_eq!(me.json::<serde_json::Value>().await.expect("json"), serde_json::Value::Null);
}

#[tokio::test]
async fn signing_in_again_rotates_the_session() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.create_account(&client, "erin@example.com", PASSWORD).await;
    let first = app.sign_in(&client, "erin@example.com", PASSWORD).await;
    let first_cookie = first.headers()[header::SET_COOKIE].to_str().expect("ascii").to_owned();
    let second = app.sign_in(&client, "erin@example.com", PASSWORD).await;
    let second_cookie = second.headers()[header::SET_COOKIE].to_str().expect("ascii").to_owned();
    assert_ne!(first_cookie, second_cookie);

    let old = first_cookie.split(';').next().expect("name=value").to_owned();
    let replay = TestApp::browser();
    let me = replay.get(app.url("/api/fn/me")).header(header::COOKIE, &old).send().await.expect("request");
    assert_eq!(me.json::<serde_json::Value>().await.expect("json"), serde_json::Value::Null);
    assert_eq!(app.whoami(&client).await.as_deref(), Some("erin@example.com"));
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.create_account(&client, "fay@example.com", PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&client, "fay@example.com", "guess guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.sign_in(&client, "fay@example.com", "guess guess").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "five wrong passwords are all an account gets from one address"
    );

    // Now even the right password waits.
    let throttled = app.sign_in(&client, "fay@example.com", PASSWORD).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 =
        throttled.headers()[header::RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=31).contains(&retry_after), "{retry_after}");
    assert_eq!(error_of(throttled).await["code"], "too_many_requests");

    // Another account from the same address is not affected.
    app.create_account(&client, "gus@example.com", PASSWORD).await;
    assert_eq!(app.sign_in(&client, "gus@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_catalogue_lists_five_shapes_with_prices() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/shapes")).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let shapes: serde_json::Value = response.json().await.expect("json");
    let summary: Vec<(String, i64, bool)> = shapes
        .as_array()
        .expect("array")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["price_cents"].as_i64().unwrap_or(-1),
                s["free"] == true,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("square".into(), 0, true),
            ("circle".into(), 0, true),
            ("hypnotic_squares".into(), 200, false),
            ("tiled_lines".into(), 300, false),
            ("voronoi".into(), 500, false),
        ]
    );
    assert_eq!(shapes[2]["display_name"], "Hypnotic squares");
    assert_eq!(shapes[2]["currency"], "usd");
}

#[tokio::test]
async fn health_and_pages_answer() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let health = app.get(&client, "/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    let home = app.get(&client, "/").await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.expect("html");
    for name in ["Square", "Circle", "Hypnotic squares", "Tiled lines", "Voronoi", "Free", "$2.00", "$5.00"] {
        assert!(html.contains(name), "home page lacks {name}");
    }
    assert_eq!(html.matches("<svg").count(), 5, "five thumbnails");
    let missing = app.get(&client, "/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn signing_up_with_an_admin_address_gives_the_role_only_once_the_address_is_verified() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--admin-emails", "boss@example.com"]).await;
    // Anyone can type the boss's address at sign-up: that proves nothing.
    let impostor = app.signed_in_user("boss@example.com").await;
    for path in ["/api/v1/admin/overview", "/api/v1/admin/failures", "/api/v1/admin/shapes"] {
        assert_eq!(app.get(&impostor, path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let me: serde_json::Value = app.get(&impostor, "/api/fn/me").await.json().await.expect("json");
    assert_eq!(me["is_admin"], false);

    // The mailed link's code proves the address: the same session is an admin from then on.
    app.verify(&impostor, "boss@example.com").await;
    assert_eq!(app.get(&impostor, "/api/v1/admin/overview").await.status(), StatusCode::OK);
    let me: serde_json::Value = app.get(&impostor, "/api/fn/me").await.json().await.expect("json");
    assert_eq!(me["is_admin"], true);
}

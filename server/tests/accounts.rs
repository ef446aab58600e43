//! Signing up, in and out, over HTTP against the real app.

mod support;

use reqwest::{StatusCode, header};
use serde_json::json;
use support::{PASSWORD, TestApp, error_of};

#[tokio::test]
async fn sign_up_mails_a_link_and_the_account_signs_in_once_confirmed() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();

    let created = app.create_account(&client, "Ada@Example.com", PASSWORD).await;
    assert_eq!(created.status(), StatusCode::ACCEPTED);
    assert!(created.headers().get(header::SET_COOKIE).is_none(), "signing up opens no session");
    assert_eq!(app.whoami(&client).await, None);

    // Until the address is confirmed, the right password is answered like a wrong one.
    let early = app.sign_in(&client, "ada@example.com", PASSWORD).await;
    assert_eq!(early.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(early).await["code"], "invalid_credentials");

    app.verify(&client, "ada@example.com").await;
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

/// Status, headers that matter and body of a sign-up's answer.
async fn answer_of(response: reqwest::Response) -> (StatusCode, bool, String) {
    let status = response.status();
    let cookie = response.headers().contains_key(header::SET_COOKIE);
    (status, cookie, response.text().await.expect("body"))
}

#[tokio::test]
async fn a_taken_address_gets_the_same_answer_as_a_new_one_and_its_owner_a_notice() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.confirmed_account(&client, "bob@example.com").await;

    let taken = answer_of(app.create_account(&client, " BOB@example.com ", "another password").await).await;
    let new = answer_of(app.create_account(&client, "new@example.com", "another password").await).await;
    assert_eq!(taken, new, "the answer does not tell whether the address has an account");
    assert_eq!(taken.0, StatusCode::ACCEPTED);

    // The owner hears of it, with the ways in; the account is unchanged.
    let notice = app.wait_for_mail("bob@example.com", "Someone tried to sign up with your address").await;
    let text = notice["text"].as_str().unwrap_or_default();
    assert!(text.contains(&app.url("/signin?email=bob%40example.com")), "{text}");
    assert!(text.contains(&app.url("/accounts/forgot?email=bob%40example.com")), "{text}");
    app.wait_for_mail("new@example.com", "Confirm your e-mail address").await;
    assert_eq!(
        app.sign_in(&client, "bob@example.com", "another password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.sign_in(&client, "bob@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);

    // Trying again at once sends no second notice (and no code).
    assert_eq!(app.create_account(&client, "bob@example.com", PASSWORD).await.status(), StatusCode::ACCEPTED);
    let to_bob: Vec<_> = app.outbox().await.into_iter().filter(|m| m["to"] == "bob@example.com").collect();
    let subjects: Vec<_> = to_bob.iter().map(|m| m["subject"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        subjects,
        ["Someone tried to sign up with your address", "Confirm your e-mail address"],
        "one notice a minute, and the only code is the first sign-up's"
    );
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
    // Nothing was stored: every one of those e-mails is still free (signing up again mails
    // a code, not a notice).
    assert!(app.outbox().await.is_empty(), "no mail for refused input");
    for email in ["short@example.com", "long@example.com", "typed@example.com"] {
        app.confirmed_account(&client, email).await;
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
    app.confirmed_account(&client, "carol@example.com").await;
    // Signed up, not confirmed: the right password gets the same answer.
    app.create_account(&client, "cody@example.com", PASSWORD).await;

    let mut answers = Vec::new();
    for (email, password) in [
        ("carol@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("cody@example.com", PASSWORD),
    ] {
        let response = app.sign_in(&client, email, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{email}");
        answers.push(error_of(response).await);
    }
    assert!(answers.iter().all(|error| *error == answers[0]), "{answers:?}");
    assert_eq!(answers[0]["code"], "invalid_credentials");
    assert!(answers[0]["message"].as_str().unwrap_or_default().starts_with("wrong e-mail or password"));
    assert_eq!(app.whoami(&client).await, None);
}

#[tokio::test]
async fn sign_out_invalidates_the_session_even_if_the_cookie_is_replayed() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.confirmed_account(&client, "dan@example.com").await;
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
    app.confirmed_account(&client, "erin@example.com").await;
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
    app.confirmed_account(&client, "fay@example.com").await;
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
    app.confirmed_account(&client, "gus@example.com").await;
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
async fn an_admin_address_signs_in_as_admin_only_once_the_mailed_code_proves_it() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--admin-emails", "boss@example.com"]).await;
    // Anyone can type the boss's address at sign-up: that proves nothing and opens nothing.
    let impostor = TestApp::browser();
    assert_eq!(
        app.create_account(&impostor, "boss@example.com", PASSWORD).await.status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(app.sign_in(&impostor, "boss@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    for path in ["/api/v1/admin/overview", "/api/v1/admin/failures", "/api/v1/admin/shapes"] {
        assert_eq!(app.get(&impostor, path).await.status(), StatusCode::UNAUTHORIZED, "{path}");
    }

    // The mailed link's code proves the address: signed in, the account is an admin.
    app.verify(&impostor, "boss@example.com").await;
    assert_eq!(app.sign_in(&impostor, "boss@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&impostor, "/api/v1/admin/overview").await.status(), StatusCode::OK);
    let me: serde_json::Value = app.get(&impostor, "/api/fn/me").await.json().await.expect("json");
    assert_eq!(me["is_admin"], true);
}

//! The account page's API: change the password and the e-mail, export one's data, delete
//! the account.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{PASSWORD, TestApp, error_of, link_in, query_param};

async fn send(
    app: &TestApp,
    client: &Client,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client.request(method, app.url(path)).json(&body).send().await.expect("request")
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let laptop = app.signed_in_user("pw@example.com").await;
    let phone = TestApp::browser();
    assert_eq!(app.sign_in(&phone, "pw@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);

    for (body, field) in [
        (
            json!({ "current_password": "not the password", "new_password": "a new password" }),
            "current_password",
        ),
        (json!({ "current_password": PASSWORD, "new_password": "short" }), "new_password"),
        (json!({ "current_password": PASSWORD }), "new_password"),
    ] {
        let response = app.post_json(&laptop, "/api/v1/account/password", &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], field, "{body}");
    }
    assert_eq!(app.whoami(&phone).await.as_deref(), Some("pw@example.com"), "nothing changed yet");

    let body = json!({ "current_password": PASSWORD, "new_password": "a new password" });
    assert_eq!(
        app.post_json(&laptop, "/api/v1/account/password", &body).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.whoami(&laptop).await.as_deref(), Some("pw@example.com"), "this session stays");
    assert_eq!(app.whoami(&phone).await, None, "the other session ended");
    let fresh = TestApp::browser();
    assert_eq!(app.sign_in(&fresh, "pw@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.sign_in(&fresh, "pw@example.com", "a new password").await.status(),
        StatusCode::NO_CONTENT
    );

    let anonymous = TestApp::browser();
    let response = app.post_json(&anonymous, "/api/v1/account/password", &body).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_new_email_takes_effect_only_once_the_code_mailed_to_it_is_entered() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("old@example.com").await;
    app.signed_in_user("taken@example.com").await;

    let taken =
        app.post_json(&client, "/api/v1/account/email", &json!({ "email": "taken@example.com" })).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let bad = app.post_json(&client, "/api/v1/account/email", &json!({ "email": "not an address" })).await;
    assert_eq!(error_of(bad).await["field"], "email");

    let asked = app.post_json(&client, "/api/v1/account/email", &json!({ "email": "New@Example.com" })).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let mail = app.wait_for_mail("new@example.com", "Confirm your new e-mail address").await;
    let link = link_in(mail["text"].as_str().expect("text"), &app.url("/account?"));
    let code = query_param(&link, "code");
    assert_eq!(app.whoami(&client).await.as_deref(), Some("old@example.com"), "not before the code");

    let wrong = app.post_json(&client, "/api/v1/account/email/confirm", &json!({ "code": "nope" })).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(wrong).await["field"], "code");
    // Someone else cannot use the code.
    let other = app.signed_in_user("other@example.com").await;
    let stolen = app.post_json(&other, "/api/v1/account/email/confirm", &json!({ "code": code })).await;
    assert_eq!(stolen.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let confirmed = app.post_json(&client, "/api/v1/account/email/confirm", &json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert_eq!(confirmed.json::<Value>().await.expect("json")["email"], "new@example.com");
    assert_eq!(app.whoami(&client).await.as_deref(), Some("new@example.com"));
    let fresh = TestApp::browser();
    assert_eq!(app.sign_in(&fresh, "old@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&fresh, "new@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);
    let again = app.post_json(&client, "/api/v1/account/email/confirm", &json!({ "code": code })).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "a code works once");
}

#[tokio::test]
async fn the_export_holds_the_account_its_orders_notes_and_payments() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("export@example.com").await;
    let order: Value = app.order(&client, "circle", "tomato").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    let noted = send(
        &app,
        &client,
        reqwest::Method::PATCH,
        &format!("/api/v1/orders/{id}"),
        json!({ "note": "hall" }),
    )
    .await;
    assert_eq!(noted.status(), StatusCode::OK);
    app.order(&client, "voronoi", "gold").await;

    let response = app.get(&client, "/api/v1/account/export").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"].to_str().is_ok_and(|v| v.starts_with("attachment")),
        "a file to keep"
    );
    let export: Value = response.json().await.expect("json");
    assert_eq!(export["account"]["email"], "export@example.com");
    let orders = export["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 2);
    assert_eq!(
        (&orders[0]["id"], &orders[0]["note"]),
        (&json!(id), &json!("hall")),
        "oldest first, with notes"
    );
    assert_eq!(orders[1]["price_cents"], 500);
    assert_eq!(
        app.get(&TestApp::browser(), "/api/v1/account/export").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_deleted_account_cannot_sign_in_and_its_pictures_and_links_are_gone_but_its_orders_stay() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("leaving@example.com").await;
    let phone = TestApp::browser();
    assert_eq!(app.sign_in(&phone, "leaving@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);
    let order: Value = app.order(&client, "square", "plum").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    app.wait_for_status(&client, &id, "done").await;
    let shared: Value = client
        .post(app.url(&format!("/api/v1/orders/{id}/share")))
        .send()
        .await
        .expect("share")
        .json()
        .await
        .expect("json");
    let link = shared["url"].as_str().expect("url").to_owned();
    let token = link.trim_start_matches("/p/").to_owned();
    let pictures = app.stored_pictures().await;

    let wrong = send(
        &app,
        &client,
        reqwest::Method::DELETE,
        "/api/v1/account",
        json!({ "password": "wrong password" }),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(wrong).await["field"], "password");
    assert_eq!(app.whoami(&client).await.as_deref(), Some("leaving@example.com"), "nothing happened");

    let deleted =
        send(&app, &client, reqwest::Method::DELETE, "/api/v1/account", json!({ "password": PASSWORD }))
            .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let cookie = deleted.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.contains("Max-Age=0"), "the cookie is cleared: {cookie}");

    assert_eq!(app.whoami(&phone).await, None, "every session ended");
    assert_eq!(app.get(&phone, "/api/v1/orders").await.status(), StatusCode::UNAUTHORIZED);
    let fresh = TestApp::browser();
    assert_eq!(app.sign_in(&fresh, "leaving@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&fresh, &link).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&fresh, &format!("/api/v1/shared/{token}/picture")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.stored_pictures().await, pictures - 1, "the picture is deleted");

    let pool = app.database().await;
    let kept: Vec<(String, String)> = sqlx::query_as(
        "SELECT orders.status, users.email FROM orders JOIN users ON users.id = orders.user_id WHERE orders.id = $1",
    )
    .bind(&id)
    .fetch_all(&pool)
    .await
    .expect("query");
    assert_eq!(kept.len(), 1, "the order stays for the books");
    assert_eq!(kept[0].0, "done");
    assert!(!kept[0].1.contains("leaving"), "without the address: {}", kept[0].1);

    // The address can make a new account.
    app.confirmed_account(&fresh, "leaving@example.com").await;
    assert_eq!(app.sign_in(&fresh, "leaving@example.com", PASSWORD).await.status(), StatusCode::NO_CONTENT);
}

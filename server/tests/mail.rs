//! E-mail: the outbox of the embedded default, a real SMTP server (aiosmtpd), the mails an
//! order and an account produce, and a mail server that never answers.

mod support;

use mail_parser::{MessageParser, MimeHeaders};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{PASSWORD, TestApp, error_of, link_in, query_param, smtp::SmtpSink};

#[tokio::test]
async fn a_done_order_mails_its_owner_a_link_and_a_thumbnail() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("ready@example.com").await;
    let order: serde_json::Value = app.order(&client, "circle", "teal").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;

    let mail = app.wait_for_mail("ready@example.com", "Your picture is ready").await;
    let order_url = app.url(&format!("/orders/{id}"));
    assert!(mail["text"].as_str().expect("text").contains(&order_url), "{mail}");
    assert!(mail["text"].as_str().expect("text").contains("circle in teal"), "{mail}");
    let html = mail["html"].as_str().expect("html");
    assert!(
        html.contains(&format!(r#"href="{order_url}""#)) && html.contains(r#"src="cid:thumbnail""#),
        "{html}"
    );
    // The outbox page shows the mail with its thumbnail resolved, as a mail client would.
    let page = app.get(&app.client, &format!("/dev/mail/{}", mail["id"].as_str().expect("id"))).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(page.contains("data:image/png;base64,iVBORw0KGgo"), "the thumbnail is a PNG inline");
    // Exactly one ready mail, even though the order's events were published several times.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready = app.outbox().await.into_iter().filter(|m| m["subject"] == "Your picture is ready").count();
    assert_eq!(ready, 1);
}

#[tokio::test]
async fn an_expired_checkout_mails_its_owner() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("late@example.com").await;
    let order: serde_json::Value = app.order(&client, "voronoi", "navy").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    let checkout_url = order["checkout_url"].as_str().expect("a checkout URL");
    let session = checkout_url.rsplit('/').next().expect("session id");
    let expired = support::stripe::event(
        "evt_expired",
        "checkout.session.expired",
        support::stripe::session(session, id, "unpaid", "open", 500),
    );
    assert_eq!(app.deliver_signed(&expired).await.status(), StatusCode::OK);

    let mail = app.wait_for_mail("late@example.com", "Your checkout expired").await;
    assert!(mail["text"].as_str().expect("text").contains(&app.url(&format!("/orders/{id}"))));
    assert!(mail["text"].as_str().expect("text").contains("/orders/new?shape=voronoi"));
}

#[tokio::test]
async fn a_local_account_confirms_its_email_with_the_mailed_link() {
    let app = TestApp::spawn().await;
    let created = app.create_account(&app.client, "new@example.com", PASSWORD).await;
    assert_eq!(created.status(), StatusCode::ACCEPTED);

    let mail = app.wait_for_mail("new@example.com", "Confirm your e-mail address").await;
    let link = link_in(mail["text"].as_str().expect("text"), &app.url("/accounts/confirm?"));
    // The link opens the confirmation page with the address and code filled in.
    let page = app.get(&app.client, link.trim_start_matches(&app.url(""))).await;
    assert_eq!(page.status(), StatusCode::OK);
    let code = query_param(&link, "code");
    assert!(page.text().await.expect("page").contains(&code));

    let body = json!({"email": "New@Example.com", "code": code});
    let confirmed = app.post_json(&app.client, "/api/v1/accounts/confirm", &body).await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    let verified: (Option<i64>,) = sqlx::query_as("SELECT email_verified_at FROM users WHERE email = $1")
        .bind("new@example.com")
        .fetch_one(&app.database().await)
        .await
        .expect("user");
    assert!(verified.0.is_some(), "the address is marked verified");
    // A code works once.
    let again = app.post_json(&app.client, "/api/v1/accounts/confirm", &body).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(again).await["field"], "code");
}

#[tokio::test]
async fn a_password_reset_mails_a_one_time_link_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("forgetful@example.com").await;
    assert_eq!(app.get(&client, "/api/v1/orders").await.status(), StatusCode::OK);

    let asked = app
        .post_json(&app.client, "/api/v1/accounts/password-reset", &json!({"email": "forgetful@example.com"}))
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    // An unknown address gets the same answer and no mail.
    let unknown = app
        .post_json(&app.client, "/api/v1/accounts/password-reset", &json!({"email": "nobody@example.com"}))
        .await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);

    let mail = app.wait_for_mail("forgetful@example.com", "Reset your password").await;
    // Asking again at once sends nothing more: one mail a minute per address.
    let again = app
        .post_json(&app.client, "/api/v1/accounts/password-reset", &json!({"email": "forgetful@example.com"}))
        .await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    let code =
        query_param(&link_in(mail["text"].as_str().expect("text"), &app.url("/accounts/reset?")), "code");
    let wrong =
        json!({"email": "forgetful@example.com", "code": "not-the-code", "password": "a brand new secret"});
    let refused = app.post_json(&app.client, "/api/v1/accounts/password-reset/confirm", &wrong).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(refused).await["field"], "code");
    let short = json!({"email": "forgetful@example.com", "code": code, "password": "short"});
    let refused = app.post_json(&app.client, "/api/v1/accounts/password-reset/confirm", &short).await;
    assert_eq!(error_of(refused).await["field"], "password", "a bad password keeps the code usable");

    let good = json!({"email": "forgetful@example.com", "code": code, "password": "a brand new secret"});
    let reset = app.post_json(&app.client, "/api/v1/accounts/password-reset/confirm", &good).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&client, "/api/v1/orders").await.status(),
        StatusCode::UNAUTHORIZED,
        "old sessions end"
    );
    let fresh = TestApp::browser();
    assert_eq!(
        app.sign_in(&fresh, "forgetful@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in(&fresh, "forgetful@example.com", "a brand new secret").await.status(),
        StatusCode::NO_CONTENT
    );
    let replay = app.post_json(&app.client, "/api/v1/accounts/password-reset/confirm", &good).await;
    assert_eq!(replay.status(), StatusCode::UNPROCESSABLE_ENTITY, "the code works once");
    assert!(app.outbox().await.iter().all(|m| m["to"] != "nobody@example.com"));
    let resets = app.outbox().await.into_iter().filter(|m| m["subject"] == "Reset your password").count();
    assert_eq!(resets, 1, "the second request within a minute mailed nothing");
}

#[tokio::test]
async fn account_steps_name_the_bad_field() {
    let app = TestApp::spawn().await;
    for (path, body, field) in [
        ("/api/v1/accounts/confirm", json!({"email": "not an address", "code": "x"}), "email"),
        ("/api/v1/accounts/confirm", json!({"email": "a@example.com", "code": "  "}), "code"),
        ("/api/v1/accounts/password-reset", json!({"email": ""}), "email"),
        (
            "/api/v1/accounts/password-reset/confirm",
            json!({"email": "a@example.com", "code": "x", "password": "1"}),
            "password",
        ),
    ] {
        let response = app.post_json(&app.client, path, &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}");
        let error = error_of(response).await;
        assert_eq!(error["field"], field, "{path} {body}: {error}");
    }
}

#[tokio::test]
async fn over_smtp_the_ready_mail_reaches_the_server_with_recipient_subject_link_and_thumbnail() {
    let sink = SmtpSink::start();
    let data = tempfile::tempdir().expect("dir");
    let url = sink.url();
    let app =
        TestApp::spawn_with(data, &["--smtp-url", &url, "--mail-from", "Let Them Draw <pictures@draw.test>"])
            .await;
    let client = app.signed_in_user("smtp@example.com").await;
    let order: serde_json::Value = app.order(&client, "square", "#ff8800").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;

    let raw = sink.wait_for("Your picture is ready").await;
    let message = MessageParser::default().parse(&raw).expect("a MIME message");
    let to = message.to().and_then(|to| to.first()).and_then(|addr| addr.address()).expect("a recipient");
    assert_eq!(to, "smtp@example.com");
    let from =
        message.from().and_then(|from| from.first()).and_then(|addr| addr.address()).expect("a sender");
    assert_eq!(from, "pictures@draw.test");
    assert!(message.message_id().is_some_and(|mid| mid.ends_with("@draw.test")));
    let order_url = app.url(&format!("/orders/{id}"));
    assert!(message.body_text(0).expect("text part").contains(&order_url));
    let html = message.body_html(0).expect("HTML part");
    assert!(html.contains(&format!(r#"href="{order_url}""#)) && html.contains("cid:thumbnail"));
    let thumbnail =
        message.attachments().find(|part| part.content_id() == Some("thumbnail")).expect("inline thumbnail");
    assert!(thumbnail.contents().starts_with(b"\x89PNG"), "the thumbnail is a PNG");
    // The local account's verification mail went the same way.
    sink.wait_for("Confirm your e-mail address").await;
    // With SMTP there is no outbox to list.
    assert_eq!(app.get(&app.client, "/dev/mail.json").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_mail_server_that_never_answers_costs_the_order_nothing_and_the_failure_is_counted() {
    // A port nothing listens on: every attempt is refused.
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
    let url = format!("smtp://127.0.0.1:{port}");
    let data = tempfile::tempdir().expect("dir");
    let app =
        TestApp::spawn_with(data, &["--smtp-url", &url, "--mail-max-attempts", "3", "--mail-retry-ms", "20"])
            .await;
    let client = app.signed_in_user("unlucky@example.com").await;
    let order: serde_json::Value = app.order(&client, "circle", "gold").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;

    // Two mails (the verification and the ready one), each given up after three attempts.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.mail.failed() < 2 {
        assert!(Instant::now() < deadline, "the failed mails were not counted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.mail.sent(), 0);
    let order: serde_json::Value =
        app.get(&client, &format!("/api/v1/orders/{id}")).await.json().await.expect("order");
    assert_eq!(order["status"], "done", "the order stays done");
}

#[tokio::test]
async fn a_mail_that_fails_every_attempt_is_a_dead_letter_listed_for_admins_and_retry_delivers_it_once() {
    // The SMTP server refuses every connection: nothing listens on its port yet.
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
    let url = format!("smtp://127.0.0.1:{port}");
    let data = tempfile::tempdir().expect("dir");
    let app =
        TestApp::spawn_with(data, &["--smtp-url", &url, "--mail-max-attempts", "2", "--mail-retry-ms", "20"])
            .await;
    let client = app.signed_in_user("dead-letter@example.com").await;
    let order: serde_json::Value = app.order(&client, "square", "navy").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id").to_owned();
    app.wait_for_status(&client, &id, "done").await;

    // The admin's verification mail fails too: the role comes from the database instead.
    let admin = app.signed_in_user("boss@example.com").await;
    let granted = server::accounts::set_admin(&app.database().await, "boss@example.com", true).await;
    assert!(granted.is_ok_and(|id| id.is_some()));
    let ready_id = format!("order-{id}-ready");
    let deadline = Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let failures: Vec<serde_json::Value> =
            app.get(&admin, "/api/v1/admin/failures").await.json().await.expect("failures");
        if let Some(found) = failures.into_iter().find(|failure| failure["id"] == ready_id.as_str()) {
            break found;
        }
        assert!(Instant::now() < deadline, "the ready mail never became a dead letter");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(listed["kind"], "mail");
    assert_eq!(listed["email"], "dead-letter@example.com");
    assert_eq!(listed["subject"], "Your picture is ready");
    assert_eq!(listed["order_id"], id.as_str());
    assert_eq!(listed["attempts"], 2);
    assert!(listed["error"].as_str().is_some_and(|error| !error.is_empty()), "{listed}");
    assert_eq!(listed["retryable"], true);
    // Customers never reach it.
    let refused =
        app.post_json(&client, &format!("/api/v1/admin/mail-failures/{ready_id}/retry"), &json!({})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The mail server is back: Retry delivers it, once, and it leaves the list.
    let sink = SmtpSink::start_on(port);
    let retried =
        app.post_json(&admin, &format!("/api/v1/admin/mail-failures/{ready_id}/retry"), &json!({})).await;
    assert_eq!(retried.status(), StatusCode::NO_CONTENT);
    sink.wait_for("Your picture is ready").await;
    let failures: Vec<serde_json::Value> =
        app.get(&admin, "/api/v1/admin/failures").await.json().await.expect("failures");
    assert!(failures.iter().all(|failure| failure["id"] != ready_id.as_str()), "{failures:?}");
    let again =
        app.post_json(&admin, &format!("/api/v1/admin/mail-failures/{ready_id}/retry"), &json!({})).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "a dead letter is retried once");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.count("Your picture is ready"), 1, "delivered exactly once");
}

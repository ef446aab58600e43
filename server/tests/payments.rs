//! Payments: checkout for priced shapes, the signed webhook, the simulated checkout and
//! Stripe's API (through a local fake that checks what it is sent).

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{
    TestApp, error_of,
    stripe::{self, StripeFake},
};

/// A priced order on the simulated checkout: `(order, session id)`.
async fn priced_order(app: &TestApp, client: &Client) -> (Value, String) {
    let response = app.order(client, "voronoi", "indigo").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    let url = order["checkout_url"].as_str().expect("a checkout URL").to_owned();
    let session = url.rsplit('/').next().expect("session id").to_owned();
    (order, session)
}

fn completed(event_id: &str, order: &Value, session: &str, payment_status: &str) -> Value {
    let id = order["id"].as_str().expect("id");
    stripe::event(
        event_id,
        "checkout.session.completed",
        stripe::session(session, id, payment_status, "complete", 500),
    )
}

fn session_event(event_id: &str, kind: &str, order: &Value, session: &str) -> Value {
    let id = order["id"].as_str().expect("id");
    stripe::event(event_id, kind, stripe::session(session, id, "unpaid", "open", 500))
}

async fn status_of(app: &TestApp, client: &Client, order: &Value) -> Value {
    let id = order["id"].as_str().expect("id");
    app.get(client, &format!("/api/v1/orders/{id}")).await.json().await.expect("json")
}

async fn outcome(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["received"], true);
    body["outcome"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_priced_order_waits_for_payment_behind_a_checkout_url() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    assert_eq!(order["status"], "awaiting_payment");
    assert_eq!(order["price_cents"], 500);
    assert_eq!(order["checkout_url"], app.url(&format!("/checkout/simulated/{session}")));
    assert!(order.get("paid_at").is_none());
}

#[tokio::test]
async fn a_paid_checkout_queues_the_order_and_it_is_drawn() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    assert_eq!(
        outcome(app.deliver_signed(&completed("evt_1", &order, &session, "paid")).await).await,
        "applied"
    );
    let done = app.wait_for_status(&client, order["id"].as_str().expect("id"), "done").await;
    assert!(done["paid_at"].is_string(), "{done}");
    assert!(done.get("checkout_url").is_none(), "nothing left to pay: {done}");
}

#[tokio::test]
async fn bad_signatures_and_bodies_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let body = serde_json::to_vec(&completed("evt_1", &order, &session, "paid")).expect("json");
    let secret = app.webhook_secret();
    let now = stripe::now();

    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'5').expect("a digit to change");
    tampered[at] = b'6';
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        ("tampered body", tampered, Some(stripe::signature(&body, &secret, now))),
        ("wrong secret", body.clone(), Some(stripe::signature(&body, "whsec_wrong", now))),
        ("stale timestamp", body.clone(), Some(stripe::signature(&body, &secret, now - 301))),
        // A minute past the tolerance: the clock moves on while the cases run (the exact
        // boundary is the unit tests' in `payments::signature`).
        ("future timestamp", body.clone(), Some(stripe::signature(&body, &secret, now + 360))),
        ("no header", body.clone(), None),
        ("garbage header", body.clone(), Some("t=abc,v1=nothex".to_owned())),
        ("non-JSON body", b"not json".to_vec(), Some(stripe::signature(b"not json", &secret, now))),
        (
            "JSON that is no event",
            b"{\"id\":1}".to_vec(),
            Some(stripe::signature(b"{\"id\":1}", &secret, now)),
        ),
    ];
    for (case, payload, signature) in cases {
        let response = app.deliver(&payload, signature.as_deref()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(error_of(response).await["code"], "bad_request", "{case}");
    }
    assert_eq!(status_of(&app, &client, &order).await["status"], "awaiting_payment");
    // The refused event id was not recorded: the genuine delivery still applies.
    assert_eq!(
        outcome(app.deliver_signed(&completed("evt_1", &order, &session, "paid")).await).await,
        "applied"
    );
}

#[tokio::test]
async fn one_valid_v1_among_several_is_enough() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let body = serde_json::to_vec(&completed("evt_1", &order, &session, "paid")).expect("json");
    let now = stripe::now();
    let old = stripe::signature(&body, "whsec_rolled_away", now);
    let good = stripe::signature(&body, &app.webhook_secret(), now);
    let header = format!("{old},{}", good.split_once(',').expect("t,v1").1);
    assert_eq!(outcome(app.deliver(&body, Some(&header)).await).await, "applied");
}

#[tokio::test]
async fn several_configured_secrets_let_one_be_rolled() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--stripe-webhook-secret", "whsec_new,whsec_old"]).await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let body = serde_json::to_vec(&completed("evt_1", &order, &session, "paid")).expect("json");
    let signed_with_old = stripe::signature(&body, "whsec_old", stripe::now());
    assert_eq!(outcome(app.deliver(&body, Some(&signed_with_old)).await).await, "applied");
}

#[tokio::test]
async fn a_replayed_event_changes_nothing_and_still_answers_200() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let event = completed("evt_same", &order, &session, "paid");
    assert_eq!(outcome(app.deliver_signed(&event).await).await, "applied");
    let done = app.wait_for_status(&client, order["id"].as_str().expect("id"), "done").await;
    assert_eq!(outcome(app.deliver_signed(&event).await).await, "replayed");
    let after = status_of(&app, &client, &order).await;
    assert_eq!(after["updated_at"], done["updated_at"], "the replay touched nothing");
}

#[tokio::test]
async fn expired_after_completed_does_nothing() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    assert_eq!(
        outcome(app.deliver_signed(&completed("evt_1", &order, &session, "paid")).await).await,
        "applied"
    );
    let expired = session_event("evt_2", "checkout.session.expired", &order, &session);
    assert_eq!(outcome(app.deliver_signed(&expired).await).await, "unchanged");
    app.wait_for_status(&client, order["id"].as_str().expect("id"), "done").await;
}

#[tokio::test]
async fn an_expired_checkout_fails_the_order() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let expired = session_event("evt_1", "checkout.session.expired", &order, &session);
    assert_eq!(outcome(app.deliver_signed(&expired).await).await, "applied");
    let failed = status_of(&app, &client, &order).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure_reason"], "checkout expired");
    // A late payment for it ("Let it expire", then "Pay") is recorded and given back.
    assert_eq!(
        outcome(app.deliver_signed(&completed("evt_2", &order, &session, "paid")).await).await,
        "applied"
    );
    let id = order["id"].as_str().expect("id");
    let after = app.wait_for_status(&client, id, "refunded").await;
    assert!(after["paid_at"].is_string());
    assert_eq!(after["failure_reason"], "checkout expired");
    app.wait_for_mail("payer@example.com", "We could not draw your picture: your payment is refunded").await;
}

#[tokio::test]
async fn a_payment_that_differs_from_the_price_fails_the_order_and_is_refunded_once() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let id = order["id"].as_str().expect("id");
    let short = stripe::session(&session, id, "paid", "complete", 1);
    let short = stripe::event("evt_1", "checkout.session.completed", short);
    assert_eq!(outcome(app.deliver_signed(&short).await).await, "applied");
    let refunded = app.wait_for_status(&client, id, "refunded").await;
    assert_eq!(refunded["failure_reason"], "payment did not match");
    assert_eq!(outcome(app.deliver_signed(&short).await).await, "replayed");
    // Not drawn, and its owner told once.
    assert!(refunded["picture_url"].is_null(), "{refunded}");
    let subject = "We could not draw your picture: your payment is refunded";
    app.wait_for_mail("payer@example.com", subject).await;
    let told = app.outbox().await.into_iter().filter(|m| m["subject"] == subject).count();
    assert_eq!(told, 1);
}

#[tokio::test]
async fn a_failed_delayed_payment_fails_the_order() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let failed = session_event("evt_1", "checkout.session.async_payment_failed", &order, &session);
    assert_eq!(outcome(app.deliver_signed(&failed).await).await, "applied");
    let order = status_of(&app, &client, &order).await;
    assert_eq!(order["status"], "failed");
    assert_eq!(order["failure_reason"], "payment failed");
}

#[tokio::test]
async fn a_delayed_payment_waits_then_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    assert_eq!(
        outcome(app.deliver_signed(&completed("evt_1", &order, &session, "unpaid")).await).await,
        "unchanged"
    );
    assert_eq!(status_of(&app, &client, &order).await["status"], "awaiting_payment");
    let id = order["id"].as_str().expect("id");
    let succeeded = stripe::event(
        "evt_2",
        "checkout.session.async_payment_succeeded",
        stripe::session(&session, id, "paid", "complete", 500),
    );
    assert_eq!(outcome(app.deliver_signed(&succeeded).await).await, "applied");
    app.wait_for_status(&client, id, "done").await;
}

#[tokio::test]
async fn other_event_types_and_unknown_sessions_are_acknowledged_and_ignored() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let other = stripe::event("evt_1", "customer.created", json!({ "id": "cus_1", "object": "customer" }));
    assert_eq!(outcome(app.deliver_signed(&other).await).await, "ignored");
    let stranger = completed("evt_2", &order, "cs_test_someone_else", "paid");
    assert_eq!(outcome(app.deliver_signed(&stranger).await).await, "unchanged");
    assert_eq!(status_of(&app, &client, &order).await["status"], "awaiting_payment");
    let _ = session;
}

/// Calls a form server function like a browser without JavaScript.
async fn post_form(app: &TestApp, client: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let request = client.post(app.url(path)).header("referer", app.url("/")).header("accept", "text/html");
    request.form(form).send().await.expect("request")
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_simulated_checkout_pays_through_the_webhook() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let id = order["id"].as_str().expect("id");

    let page = app.get(&client, &format!("/checkout/simulated/{session}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("$5.00") && html.contains("Voronoi in indigo"), "{html}");

    let paid = post_form(
        &app,
        &client,
        "/api/fn/finish_simulated_checkout",
        &[("session_id", &session), ("choice", "pay")],
    )
    .await;
    assert!(paid.status().is_redirection(), "{}", paid.status());
    assert_eq!(location(&paid), format!("/orders/{id}"));
    app.wait_for_status(&client, id, "done").await;
}

#[tokio::test]
async fn cancel_keeps_the_order_unpaid_and_expire_fails_it() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    let cancel = post_form(
        &app,
        &client,
        "/api/fn/finish_simulated_checkout",
        &[("session_id", &session), ("choice", "cancel")],
    )
    .await;
    assert_eq!(location(&cancel), format!("/orders/{}", order["id"].as_str().expect("id")));
    assert_eq!(status_of(&app, &client, &order).await["status"], "awaiting_payment");

    let expire = post_form(
        &app,
        &client,
        "/api/fn/finish_simulated_checkout",
        &[("session_id", &session), ("choice", "expire")],
    )
    .await;
    assert!(expire.status().is_redirection(), "{}", expire.status());
    let order = status_of(&app, &client, &order).await;
    assert_eq!(order["status"], "failed");
    assert_eq!(order["failure_reason"], "checkout expired");
}

#[tokio::test]
async fn nobody_else_can_see_or_pay_a_checkout() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &owner).await;
    let stranger = app.signed_in_user("stranger@example.com").await;
    let page = app.get(&stranger, &format!("/checkout/simulated/{session}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let pay = post_form(
        &app,
        &stranger,
        "/api/fn/finish_simulated_checkout",
        &[("session_id", &session), ("choice", "pay")],
    )
    .await;
    assert!(
        !pay.status().is_success()
            || location(&pay) != format!("/orders/{}", order["id"].as_str().unwrap_or_default())
    );
    assert_eq!(status_of(&app, &owner, &order).await["status"], "awaiting_payment");
    let bad_choice = post_form(
        &app,
        &owner,
        "/api/fn/finish_simulated_checkout",
        &[("session_id", &session), ("choice", "steal")],
    )
    .await;
    assert!(!bad_choice.status().is_server_error(), "{}", bad_choice.status());
    assert_eq!(status_of(&app, &owner, &order).await["status"], "awaiting_payment");
}

/// Builds the app with `LTD_ENV=production` and these `serve` options in a fresh data dir;
/// the error that stopped it, if any.
async fn production_build(serve_args: &[&str]) -> Option<String> {
    use clap::Parser;
    let data = tempfile::tempdir().expect("dir");
    let data = data.path().display().to_string();
    let mut args = vec!["let-them-draw", "--data-dir", &data, "--env", "production", "serve"];
    args.extend(["--site-addr", "127.0.0.1:0"]);
    args.extend_from_slice(serve_args);
    let cli = server::cli::Cli::parse_from(args);
    let Some(server::cli::Command::Serve(web)) = cli.command else { unreachable!("serve") };
    server::startup::Application::build(&cli.settings, &web).await.err().map(|e| format!("{e:#}"))
}

#[tokio::test]
async fn production_refuses_the_simulated_checkout() {
    let error = production_build(&[]).await.expect("refused");
    assert!(error.contains("STRIPE_SECRET_KEY"), "{error}");
}

#[tokio::test]
async fn production_refuses_a_public_url_that_is_not_https() {
    let start = |public_url: &'static str| async move {
        let args = [
            "--public-url",
            public_url,
            "--stripe-secret-key",
            "sk_test_unused",
            "--stripe-webhook-secret",
            "whsec_unused",
            "--smtp-url",
            "smtp://127.0.0.1:1",
        ];
        production_build(&args).await
    };
    let refused = start("http://shop.example.com").await.expect("refused");
    assert!(refused.contains("https LTD_PUBLIC_URL"), "{refused}");
    // With https it gets past that check (and may stop later, e.g. at the database).
    let later = start("https://shop.example.com").await.unwrap_or_default();
    assert!(!later.contains("https LTD_PUBLIC_URL"), "{later}");
}

#[tokio::test]
async fn stripe_checkout_is_opened_with_the_order_and_its_price() {
    let fake = StripeFake::start().await;
    let app = TestApp::spawn_with_stripe(&fake, &[]).await;
    let client = app.signed_in_user("payer@example.com").await;
    let response = app.order(&client, "voronoi", "indigo").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    let url = order["checkout_url"].as_str().expect("checkout url");
    assert!(url.starts_with("https://checkout.stripe.com/c/pay/cs_test_fake_"), "{url}");

    let received = fake.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/v1/checkout/sessions");
    assert_eq!(request.header("idempotency-key"), Some(format!("ltd-checkout-{id}").as_str()));
    assert_eq!(request.header("stripe-version"), Some("2026-09-30.endive"), "one pinned API version");
    assert_eq!(request.field("mode"), Some("payment"));
    assert_eq!(request.field("client_reference_id"), Some(id));
    assert_eq!(request.field("metadata[order_id]"), Some(id));
    assert_eq!(request.field("line_items[0][quantity]"), Some("1"));
    assert_eq!(request.field("line_items[0][price_data][unit_amount]"), Some("500"));
    assert_eq!(request.field("line_items[0][price_data][currency]"), Some("usd"));
    assert_eq!(request.field("line_items[0][price_data][product_data][name]"), Some("Voronoi in indigo"));
    assert_eq!(request.field("success_url"), Some(app.url(&format!("/orders/{id}")).as_str()));
    assert_eq!(request.field("cancel_url"), Some(app.url(&format!("/orders/{id}")).as_str()));
    assert_eq!(request.field("customer_email"), Some("payer@example.com"), "Stripe mails its receipt there");
    let expires: i64 = request.field("expires_at").and_then(|t| t.parse().ok()).expect("expires_at");
    let ahead = expires - stripe::now();
    assert!((1790..=1835).contains(&ahead), "expires {ahead} s ahead");

    // The session id Stripe returned is the one the webhook must name.
    let session = url.rsplit('/').next().expect("session");
    let body = serde_json::to_vec(&completed("evt_1", &order, session, "paid")).expect("json");
    let signature = stripe::signature(&body, stripe::WEBHOOK_SECRET, stripe::now());
    assert_eq!(outcome(app.deliver(&body, Some(&signature)).await).await, "applied");
    app.wait_for_status(&client, id, "done").await;

    // With Stripe configured there is no simulated checkout.
    let page = app.get(&client, &format!("/checkout/simulated/{session}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn when_stripe_is_down_the_client_is_told_and_nothing_is_charged() {
    let fake = StripeFake::start().await;
    fake.fail_with(Some(StatusCode::SERVICE_UNAVAILABLE));
    let app = TestApp::spawn_with_stripe(&fake, &[]).await;
    let client = app.signed_in_user("payer@example.com").await;
    let response = app.order(&client, "voronoi", "indigo").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_of(response).await["code"], "unavailable");
    let orders = app.orders_of(&client).await;
    assert_eq!(orders.len(), 1, "the attempt is kept, visibly failed");
    assert_eq!(orders[0]["status"], "failed");
    assert_eq!(orders[0]["failure_reason"], "checkout could not be opened");
}

#[tokio::test]
async fn admin_routes_answer_401_signed_out_and_403_to_clients() {
    let app = TestApp::spawn().await;
    let signed_out = TestApp::browser();
    assert_eq!(app.get(&signed_out, "/api/v1/admin/shapes").await.status(), StatusCode::UNAUTHORIZED);
    let client = app.signed_in_user("client@example.com").await;
    assert_eq!(app.get(&client, "/api/v1/admin/shapes").await.status(), StatusCode::FORBIDDEN);
    let put = client
        .put(app.url("/api/v1/admin/shapes/circle"))
        .json(&json!({ "price_cents": 100 }))
        .send()
        .await
        .expect("request");
    assert_eq!(put.status(), StatusCode::FORBIDDEN);
    let shapes: Vec<Value> = app.get(&client, "/api/v1/shapes").await.json().await.expect("json");
    assert!(shapes.iter().any(|s| s["name"] == "circle" && s["price_cents"] == 0), "unchanged");
    let page = app.get(&signed_out, "/admin/shapes").await;
    assert_eq!(location(&page), "/signin?next=/admin/shapes");
}

#[tokio::test]
async fn an_admin_reprices_and_deactivates_shapes() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--admin-emails", "Boss@Example.com"]).await;
    let admin = app.signed_in_user("boss@example.com").await;
    let me: Value = app.get(&admin, "/api/fn/me").await.json().await.expect("json");
    assert_eq!(me["is_admin"], true);

    let put = |name: &str, body: Value| {
        let request = admin.put(app.url(&format!("/api/v1/admin/shapes/{name}"))).json(&body);
        async move { request.send().await.expect("request") }
    };
    let response = put("tiled_lines", json!({ "price_cents": 450, "currency": "EUR" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let shape: Value = response.json().await.expect("json");
    assert_eq!((shape["price_cents"].as_i64(), shape["currency"].as_str()), (Some(450), Some("eur")));
    assert_eq!(shape["stripe_price_id"], Value::Null, "the simulated provider keeps no prices");

    assert_eq!(put("circle", json!({ "active": false })).await.status(), StatusCode::OK);
    let shapes: Vec<Value> = app.get(&admin, "/api/v1/shapes").await.json().await.expect("json");
    assert!(shapes.iter().all(|s| s["name"] != "circle"), "inactive shapes are not offered");
    let tiled = shapes.iter().find(|s| s["name"] == "tiled_lines").expect("tiled lines");
    assert_eq!(tiled["price_cents"], 450);
    let refused = app.order(&admin, "circle", "red").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(refused).await["field"], "shape");
    let order: Value = app.order(&admin, "tiled_lines", "red").await.json().await.expect("json");
    assert_eq!((order["price_cents"].as_i64(), order["currency"].as_str()), (Some(450), Some("eur")));

    for (body, field) in [
        (json!({ "price_cents": 10 }), "price_cents"),
        (json!({ "price_cents": -1 }), "price_cents"),
        (json!({ "currency": "euro" }), "currency"),
        (json!({ "active": "yes" }), "active"),
        (json!({ "colour": "red" }), "colour"),
    ] {
        let response = put("voronoi", body.clone()).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], field, "{body}");
    }
    assert_eq!(put("triangle", json!({ "price_cents": 100 })).await.status(), StatusCode::NOT_FOUND);
    let voronoi: Value = app.get(&admin, "/api/v1/admin/shapes/voronoi").await.json().await.expect("json");
    assert_eq!(
        (voronoi["price_cents"].as_i64(), voronoi["active"].as_bool()),
        (Some(500), Some(true)),
        "unchanged"
    );
}

#[tokio::test]
async fn with_stripe_a_new_price_becomes_a_stripe_price_used_at_checkout() {
    let fake = StripeFake::start().await;
    let app = TestApp::spawn_with_stripe(&fake, &["--admin-emails", "boss@example.com"]).await;
    let admin = app.signed_in_user("boss@example.com").await;
    let response = admin
        .put(app.url("/api/v1/admin/shapes/tiled_lines"))
        .json(&json!({ "price_cents": 350 }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let shape: Value = response.json().await.expect("json");
    let price_id = shape["stripe_price_id"].as_str().expect("a Stripe price").to_owned();
    let created = &fake.received()[0];
    assert_eq!(created.path, "/v1/prices");
    assert_eq!((created.field("unit_amount"), created.field("currency")), (Some("350"), Some("usd")));
    assert_eq!(created.field("product_data[name]"), Some("Let Them Draw: Tiled lines"));
    assert_eq!(created.header("idempotency-key"), Some("ltd-price-tiled_lines-350-usd"));

    let order = app.order(&admin, "tiled_lines", "teal").await;
    assert_eq!(order.status(), StatusCode::CREATED);
    let checkout = &fake.received()[1];
    assert_eq!(checkout.field("line_items[0][price]"), Some(price_id.as_str()));
    assert_eq!(checkout.field("line_items[0][price_data][unit_amount]"), None);

    fake.fail_with(Some(StatusCode::INTERNAL_SERVER_ERROR));
    let refused = admin
        .put(app.url("/api/v1/admin/shapes/tiled_lines"))
        .json(&json!({ "price_cents": 999 }))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let shape: Value = app.get(&admin, "/api/v1/admin/shapes/tiled_lines").await.json().await.expect("json");
    assert_eq!(
        (shape["price_cents"].as_i64(), shape["stripe_price_id"].as_str()),
        (Some(350), Some(price_id.as_str()))
    );
}

#[tokio::test]
async fn admin_grant_makes_an_account_an_admin() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("later-boss@example.com").await;
    assert_eq!(app.get(&client, "/api/v1/admin/shapes").await.status(), StatusCode::FORBIDDEN);
    let data = app.data_dir.path().display().to_string();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_let-them-draw"))
            .args(["--data-dir", &data, "--database-url", &app.database_url, "admin"])
            .args(args)
            .output()
            .expect("runs")
    };
    let granted = run(&["grant", "--email", "Later-Boss@example.com"]);
    assert!(granted.status.success(), "{}", String::from_utf8_lossy(&granted.stderr));
    assert_eq!(app.get(&client, "/api/v1/admin/shapes").await.status(), StatusCode::OK);
    let nobody = run(&["grant", "--email", "nobody@example.com"]);
    assert!(!nobody.status.success());
    assert!(
        String::from_utf8_lossy(&nobody.stderr).contains("no account"),
        "{}",
        String::from_utf8_lossy(&nobody.stderr)
    );
    let revoked = run(&["revoke", "--email", "later-boss@example.com"]);
    assert!(revoked.status.success());
    assert_eq!(app.get(&client, "/api/v1/admin/shapes").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admin_confirm_lets_an_address_that_gets_no_mail_sign_in() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let created = app.create_account(&client, "no-mail@example.com", support::PASSWORD).await;
    assert_eq!(created.status(), StatusCode::ACCEPTED);
    let sign_in = || app.sign_in(&client, "no-mail@example.com", support::PASSWORD);
    assert_eq!(sign_in().await.status(), StatusCode::UNAUTHORIZED);
    let confirmed = std::process::Command::new(env!("CARGO_BIN_EXE_let-them-draw"))
        .args(["--data-dir", &app.data_dir.path().display().to_string()])
        .args(["--database-url", &app.database_url, "admin", "confirm", "--email", "No-Mail@example.com"])
        .output()
        .expect("runs");
    assert!(confirmed.status.success(), "{}", String::from_utf8_lossy(&confirmed.stderr));
    assert_eq!(sign_in().await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_internal_failure_answers_5xx_and_applies_nothing_so_stripe_can_retry() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("payer@example.com").await;
    let (order, session) = priced_order(&app, &client).await;
    // Break the order update from outside, after the event id would have been recorded.
    let db = app.database().await;
    let postgres = server::platform::db::Engine::of(&app.database_url).expect("engine")
        == server::platform::db::Engine::Postgres;
    let breaks: &[&str] = if postgres {
        &[
            "CREATE FUNCTION break_orders() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$",
            "CREATE TRIGGER break_orders BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION break_orders()",
        ]
    } else {
        &[
            "CREATE TRIGGER break_orders BEFORE UPDATE ON orders BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
        ]
    };
    for statement in breaks {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*statement)).execute(&db).await.expect("trigger");
    }
    let event = completed("evt_retry", &order, &session, "paid");
    let failed = app.deliver_signed(&event).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_of(failed).await["code"], "internal");
    assert_eq!(status_of(&app, &client, &order).await["status"], "awaiting_payment");

    // Stripe retries the same event once the fault is gone: it applies, so nothing was half-done.
    let unbreak = if postgres { "DROP TRIGGER break_orders ON orders" } else { "DROP TRIGGER break_orders" };
    sqlx::raw_sql(sqlx::AssertSqlSafe(unbreak)).execute(&db).await.expect("drop trigger");
    assert_eq!(outcome(app.deliver_signed(&event).await).await, "applied");
    app.wait_for_status(&client, order["id"].as_str().expect("id"), "done").await;
}

#[tokio::test]
async fn a_signature_header_of_thousands_of_values_is_refused_and_orders_in_flight_still_finish() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("busy@example.com").await;
    let mut orders = Vec::new();
    for _ in 0..20 {
        let response = app.order(&client, "circle", "teal").await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let order: serde_json::Value = response.json().await.expect("json");
        orders.push(order["id"].as_str().expect("id").to_owned());
    }
    // 5,000 signatures over a 256 KiB body: refused before any of it is hashed.
    let one = format!(",v1={}", "ab".repeat(32));
    let header = format!("t={}{}", stripe::now(), one.repeat(5_000));
    let body = vec![b'x'; 256 * 1024];
    let response = app.deliver(&body, Some(&header)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = error_of(response).await;
    assert!(error["message"].as_str().is_some_and(|m| m.contains("too long")), "{error}");
    for id in &orders {
        app.wait_for_status(&client, id, "done").await;
    }
}

#[tokio::test]
async fn an_order_with_a_seed_is_drawn_as_the_picture_the_form_previewed() {
    use app::domain::{Colour, Shape, scene};
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("seeded@example.com").await;
    let body = json!({ "shape": "voronoi", "color": "tomato", "seed": 4_000_000_123_u32 });
    let created = app.post_json(&client, "/api/v1/orders", &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let order: Value = created.json().await.expect("json");
    assert_eq!(order["seed"], 4_000_000_123_u32);
    let id = order["id"].as_str().expect("id").to_owned();
    let session = order["checkout_url"].as_str().and_then(|u| u.rsplit('/').next()).expect("session");
    let paid = stripe::event(
        "evt_seed",
        "checkout.session.completed",
        stripe::session(session, &id, "paid", "complete", 500),
    );
    assert_eq!(app.deliver_signed(&paid).await.status(), StatusCode::OK);
    app.wait_for_status(&client, &id, "done").await;

    let colour = Colour::parse("tomato").expect("colour");
    let png = app.get(&client, &format!("/api/v1/orders/{id}/picture")).await.bytes().await.expect("png");
    let expected =
        server::render::render_png(Shape::Voronoi, &colour, 4_000_000_123, server::render::DEFAULT_SIZE)
            .expect("render");
    assert!(png[..] == expected[..], "the PNG is the render of the seed's scene");

    let svg = app.get(&client, &format!("/api/v1/orders/{id}/picture?format=svg")).await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert_eq!(svg.text().await.expect("svg"), scene::svg(Shape::Voronoi, &colour, 4_000_000_123));
    let other_seed =
        server::render::render_png(Shape::Voronoi, &colour, 7, server::render::DEFAULT_SIZE).expect("render");
    assert!(png[..] != other_seed[..], "another seed is another picture");

    let wrong = app.get(&client, &format!("/api/v1/orders/{id}/picture?format=gif")).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(wrong).await["field"], "format");

    for seed in [json!(-1), json!(4_294_967_296_u64), json!("7"), json!(1.5)] {
        let refused = app
            .post_json(
                &client,
                "/api/v1/orders",
                &json!({ "shape": "voronoi", "color": "red", "seed": seed }),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{seed}");
        assert_eq!(error_of(refused).await["field"], "seed");
    }
    let orders = app.orders_of(&client).await;
    assert_eq!(orders.len(), 1, "refused orders are not stored");
}

#[tokio::test]
async fn with_stripe_a_cancelled_order_closes_its_checkout_and_a_late_payment_is_refunded() {
    let fake = StripeFake::start().await;
    let app = TestApp::spawn_with_stripe(&fake, &[]).await;
    let client = app.signed_in_user("payer@example.com").await;
    let order: Value = app.order(&client, "voronoi", "indigo").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    let session =
        order["checkout_url"].as_str().and_then(|u| u.rsplit('/').next()).expect("session").to_owned();

    let cancelled =
        client.post(app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.expect("cancel");
    assert_eq!(cancelled.status(), StatusCode::OK);
    let expire =
        fake.received().into_iter().find(|r| r.path.ends_with("/expire")).expect("an expire request");
    assert_eq!(expire.path, format!("/v1/checkout/sessions/{session}/expire"));

    // The customer had paid in another tab just before: the money goes back.
    let body = serde_json::to_vec(&completed("evt_late", &order, &session, "paid")).expect("json");
    let signature = stripe::signature(&body, stripe::WEBHOOK_SECRET, stripe::now());
    assert_eq!(outcome(app.deliver(&body, Some(&signature)).await).await, "applied");
    let refunded = app.wait_for_status(&client, id, "refunded").await;
    assert!(refunded["paid_at"].is_string() && refunded["refunded_at"].is_string(), "{refunded}");
    assert_eq!(fake.refunds().len(), 1);
}

#[tokio::test]
async fn an_expired_checkout_can_be_paid_again_and_a_late_payment_on_the_old_one_is_refunded() {
    let fake = StripeFake::start().await;
    let app = TestApp::spawn_with_stripe(&fake, &[]).await;
    let client = app.signed_in_user("again@example.com").await;
    let order: Value = app.order(&client, "voronoi", "indigo").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    let first =
        order["checkout_url"].as_str().and_then(|u| u.rsplit('/').next()).expect("session").to_owned();
    let deliver = |event: Value| {
        let body = serde_json::to_vec(&event).expect("json");
        let signature = stripe::signature(&body, stripe::WEBHOOK_SECRET, stripe::now());
        (body, signature)
    };
    let pay_again = format!("/api/v1/orders/{id}/checkout");

    // Not while the first checkout is open.
    let early = client.post(app.url(&pay_again)).send().await.expect("pay again");
    assert_eq!(early.status(), StatusCode::CONFLICT);

    let (body, signature) = deliver(session_event("evt_expired", "checkout.session.expired", &order, &first));
    assert_eq!(outcome(app.deliver(&body, Some(&signature)).await).await, "applied");
    let failed = app.wait_for_status(&client, &id, "failed").await;
    assert_eq!(failed["payable_again"], true, "{failed}");

    let reopened = client.post(app.url(&pay_again)).send().await.expect("pay again");
    assert_eq!(reopened.status(), StatusCode::OK);
    let reopened: Value = reopened.json().await.expect("json");
    assert_eq!(reopened["status"], "awaiting_payment");
    let second =
        reopened["checkout_url"].as_str().and_then(|u| u.rsplit('/').next()).expect("session").to_owned();
    assert_ne!(second, first, "a new session");
    let sessions: Vec<_> =
        fake.received().into_iter().filter(|r| r.path == "/v1/checkout/sessions").collect();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[1].header("idempotency-key"), Some(format!("ltd-checkout-{id}-1").as_str()));
    assert_eq!(
        sessions[1].field("line_items[0][price_data][unit_amount]"),
        Some("500"),
        "the price ordered at"
    );

    // The customer had paid the first session in a tab left open: that money goes back.
    let (body, signature) = deliver(completed("evt_late", &order, &first, "paid"));
    assert_eq!(outcome(app.deliver(&body, Some(&signature)).await).await, "applied");
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    let waiting = status_of(&app, &client, &order).await;
    assert_eq!(waiting["status"], "awaiting_payment", "the order waits for its own payment: {waiting}");
    assert_eq!(outcome(app.deliver(&body, Some(&signature)).await).await, "replayed");
    assert_eq!(fake.refunds().len(), 1, "refunded once");

    // Paying the new session draws it.
    let (body, signature) = deliver(completed("evt_paid", &order, &second, "paid"));
    assert_eq!(outcome(app.deliver(&body, Some(&signature)).await).await, "applied");
    app.wait_for_status(&client, &id, "done").await;
}

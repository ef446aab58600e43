//! Bills: a cart checked out at once becomes one bill with an order per picture, paid in
//! one checkout (the simulated one, and Stripe's API through the local fake).

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{
    TestApp, error_of,
    stripe::{self, StripeFake},
};

async fn add(app: &TestApp, client: &Client, shape: &str, color: &str) {
    let response =
        app.post_json(client, "/api/v1/cart/items", &json!({ "shape": shape, "color": color })).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{shape} in {color}");
}

async fn checkout(app: &TestApp, client: &Client) -> reqwest::Response {
    app.post_json(client, "/api/v1/cart/checkout", &json!({})).await
}

/// Checks the cart out: `(bill id, checkout URL)`.
async fn checked_out(app: &TestApp, client: &Client) -> (String, Option<String>) {
    let response = checkout(app, client).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["checkout_url"].as_str().map(str::to_owned);
    (body["bill_id"].as_str().expect("bill id").to_owned(), url)
}

async fn bill_of(app: &TestApp, client: &Client, id: &str) -> Value {
    let response = app.get(client, &format!("/api/v1/bills/{id}")).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn order_ids(bill: &Value) -> Vec<String> {
    bill["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["order_id"].as_str().expect("id").to_owned())
        .collect()
}

/// A signed checkout event for `bill`'s session, as Stripe sends it.
fn bill_event(event_id: &str, kind: &str, session: &str, bill: &str, paid: bool, amount: i64) -> Value {
    let (payment_status, status) = if paid { ("paid", "complete") } else { ("unpaid", "expired") };
    let mut object = stripe::session(session, bill, payment_status, status, amount);
    object["metadata"] = json!({ "bill_id": bill });
    if paid {
        object["payment_intent"] = json!(format!("pi_test_{event_id}"));
    }
    stripe::event(event_id, kind, object)
}

fn session_of(url: &str) -> String {
    url.rsplit('/').next().expect("session id").to_owned()
}

async fn outcome(response: reqwest::Response) -> String {
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body["outcome"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_cart_of_one_free_and_two_priced_pictures_is_paid_in_one_checkout() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("shopper@example.com").await;
    add(&app, &client, "square", "tomato").await;
    add(&app, &client, "voronoi", "indigo").await;
    add(&app, &client, "tiled_lines", "teal").await;
    let (bill_id, url) = checked_out(&app, &client).await;
    let url = url.expect("a priced bill has a checkout");
    assert_eq!(url, app.url(&format!("/checkout/simulated/{}", session_of(&url))));

    let cart: Value = app.get(&client, "/api/v1/cart").await.json().await.expect("json");
    assert_eq!(cart["items"], json!([]), "the bill took the cart");
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!(
        (&bill["status"], &bill["total_cents"], &bill["currency"]),
        (&json!("awaiting_payment"), &json!(800), &json!("usd"))
    );
    assert_eq!(bill["checkout_url"], url.as_str());
    let prices: Vec<&Value> =
        bill["items"].as_array().expect("items").iter().map(|i| &i["price_cents"]).collect();
    assert_eq!(prices, [&json!(0), &json!(500), &json!(300)], "in cart order: {bill}");
    let orders = app.orders_of(&client).await;
    assert_eq!(orders.len(), 3);
    for order in &orders {
        assert_eq!(
            (&order["status"], &order["bill_id"]),
            (&json!("awaiting_payment"), &json!(bill_id)),
            "{order}"
        );
    }

    // The simulated checkout lists the two priced pictures and the total.
    let session = session_of(&url);
    let page: Value = app
        .get(&client, &format!("/api/fn/simulated_checkout?session_id={session}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total_cents"], 800, "{page}");
    let lines: Vec<&str> =
        page["lines"].as_array().expect("lines").iter().filter_map(|l| l["description"].as_str()).collect();
    assert_eq!(lines, ["Voronoi in indigo", "Tiled lines in teal"]);

    let paid = bill_event("evt_bill_1", "checkout.session.completed", &session, &bill_id, true, 800);
    assert_eq!(outcome(app.deliver_signed(&paid).await).await, "applied");
    for id in order_ids(&bill) {
        app.wait_for_status(&client, &id, "done").await;
    }
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!((&bill["status"], &bill["paid_cents"]), (&json!("paid"), &json!(800)), "{bill}");
    assert!(bill["paid_at"].is_string() && bill.get("checkout_url").is_none(), "{bill}");
    assert_eq!(outcome(app.deliver_signed(&paid).await).await, "replayed");

    // Someone else's bill is not found.
    let stranger = app.signed_in_user("stranger@example.com").await;
    assert_eq!(app.get(&stranger, &format!("/api/v1/bills/{bill_id}")).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn free_pictures_alone_are_queued_at_once_without_a_checkout() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("thrifty@example.com").await;
    add(&app, &client, "square", "gold").await;
    add(&app, &client, "square", "navy").await;
    let (bill_id, url) = checked_out(&app, &client).await;
    assert_eq!(url, None);
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!((&bill["status"], &bill["total_cents"]), (&json!("free"), &json!(0)));
    for id in order_ids(&bill) {
        app.wait_for_status(&client, &id, "done").await;
    }
}

#[tokio::test]
async fn an_expired_checkout_fails_every_order_of_the_bill() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("late@example.com").await;
    add(&app, &client, "square", "tomato").await;
    add(&app, &client, "voronoi", "indigo").await;
    let (bill_id, url) = checked_out(&app, &client).await;
    let session = session_of(&url.expect("checkout"));
    let expired = bill_event("evt_bill_x", "checkout.session.expired", &session, &bill_id, false, 500);
    assert_eq!(outcome(app.deliver_signed(&expired).await).await, "applied");
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!(
        (&bill["status"], &bill["failure_reason"]),
        (&json!("failed"), &json!("checkout expired")),
        "{bill}"
    );
    for order in app.orders_of(&client).await {
        assert_eq!(
            (&order["status"], &order["failure_reason"]),
            (&json!("failed"), &json!("checkout expired"))
        );
        assert!(order.get("payable_again").is_none(), "a bill's order is paid with its bill: {order}");
    }
    // A payment that still arrives is given back, line by line; nothing is drawn.
    let paid = bill_event("evt_bill_late", "checkout.session.completed", &session, &bill_id, true, 500);
    assert_eq!(outcome(app.deliver_signed(&paid).await).await, "applied");
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!((&bill["status"], &bill["refunded_cents"]), (&json!("failed"), &json!(500)), "{bill}");
    let statuses: Vec<Value> =
        bill["items"].as_array().expect("items").iter().map(|i| i["status"].clone()).collect();
    assert_eq!(statuses, [json!("failed"), json!("refunded")]);
}

#[tokio::test]
async fn a_payment_that_does_not_match_the_bill_queues_nothing_and_is_given_back() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("sly@example.com").await;
    add(&app, &client, "voronoi", "indigo").await;
    add(&app, &client, "tiled_lines", "teal").await;
    let (bill_id, url) = checked_out(&app, &client).await;
    let session = session_of(&url.expect("checkout"));
    let short = bill_event("evt_bill_short", "checkout.session.completed", &session, &bill_id, true, 100);
    assert_eq!(outcome(app.deliver_signed(&short).await).await, "applied");
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!(
        (&bill["status"], &bill["failure_reason"]),
        (&json!("failed"), &json!("payment did not match"))
    );
    for item in bill["items"].as_array().expect("items") {
        assert_eq!(item["status"], "refunded", "{bill}");
    }
}

#[tokio::test]
async fn two_checkouts_at_once_make_exactly_one_bill() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("eager@example.com").await;
    add(&app, &client, "square", "tomato").await;
    add(&app, &client, "voronoi", "indigo").await;
    let (first, second) = tokio::join!(checkout(&app, &client), checkout(&app, &client));
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let orders = app.orders_of(&client).await;
    assert_eq!(orders.len(), 2, "one bill's orders: {orders:?}");
    assert_eq!(orders[0]["bill_id"], orders[1]["bill_id"]);
}

#[tokio::test]
async fn a_cart_that_cannot_be_checked_out_says_why_and_stays() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("hopeful@example.com").await;
    let empty = checkout(&app, &client).await;
    assert_eq!(empty.status(), StatusCode::CONFLICT);
    let error = error_of(empty).await;
    assert_eq!(error["field"], "items");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("empty")), "{error}");

    add(&app, &client, "voronoi", "indigo").await;
    add(&app, &client, "tiled_lines", "teal").await;
    let pool = app.database().await;
    sqlx::query("UPDATE shapes SET currency = 'chf' WHERE name = 'tiled_lines'")
        .execute(&pool)
        .await
        .expect("chf");
    let mixed = checkout(&app, &client).await;
    assert_eq!(mixed.status(), StatusCode::CONFLICT);
    assert!(error_of(mixed).await["message"].as_str().is_some_and(|m| m.contains("chf and usd")));
    sqlx::query("UPDATE shapes SET currency = 'usd', active = 0 WHERE name = 'tiled_lines'")
        .execute(&pool)
        .await
        .expect("withdraw");
    let withdrawn = checkout(&app, &client).await;
    assert_eq!(withdrawn.status(), StatusCode::CONFLICT);
    assert!(error_of(withdrawn).await["message"].as_str().is_some_and(|m| m.contains("Tiled lines")));

    let cart: Value = app.get(&client, "/api/v1/cart").await.json().await.expect("json");
    assert_eq!(cart["items"].as_array().map(Vec::len), Some(2), "nothing was taken: {cart}");
    assert!(app.orders_of(&client).await.is_empty());

    let signed_out = TestApp::browser().post(app.url("/api/v1/cart/checkout")).send().await.expect("post");
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_checks_out_with_orders_write_and_reads_bills_with_orders_read() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("partner-bills@example.com").await;
    let mut tokens = Vec::new();
    for scopes in [json!(["orders:read"]), json!(["orders:write"])] {
        let made =
            app.post_json(&owner, "/api/v1/tokens", &json!({ "name": "bills", "scopes": scopes })).await;
        let made: Value = made.json().await.expect("json");
        tokens.push(made["token"].as_str().expect("token").to_owned());
    }
    add(&app, &owner, "square", "plum").await;
    let send =
        |token: &str| TestApp::browser().post(app.url("/api/v1/cart/checkout")).bearer_auth(token.to_owned());
    assert_eq!(send(&tokens[0]).send().await.expect("post").status(), StatusCode::FORBIDDEN);
    let made = send(&tokens[1]).send().await.expect("post");
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.expect("json");
    let bill_id = made["bill_id"].as_str().expect("bill");
    let read = TestApp::browser()
        .get(app.url(&format!("/api/v1/bills/{bill_id}")))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .expect("get");
    assert_eq!(read.status(), StatusCode::OK);
}

#[tokio::test]
async fn stripe_gets_one_session_with_a_line_per_priced_picture_and_a_failed_line_is_refunded_alone() {
    let fake = StripeFake::start().await;
    // Every try of a red picture fails; the others are drawn.
    let app = TestApp::spawn_with_stripe(
        &fake,
        &[
            "--test-fail-draws",
            "9",
            "--test-fail-colour",
            "red",
            "--draw-max-attempts",
            "2",
            "--draw-retry-ms",
            "10",
        ],
    )
    .await;
    let client = app.signed_in_user("stripe-bill@example.com").await;
    add(&app, &client, "square", "tomato").await;
    add(&app, &client, "voronoi", "red").await;
    add(&app, &client, "tiled_lines", "teal").await;
    let (bill_id, url) = checked_out(&app, &client).await;
    let url = url.expect("checkout");
    assert!(url.starts_with("https://checkout.stripe.com/c/pay/cs_test_fake_"), "{url}");

    let sessions: Vec<_> =
        fake.received().into_iter().filter(|r| r.path == "/v1/checkout/sessions").collect();
    assert_eq!(sessions.len(), 1);
    let sent = &sessions[0];
    assert_eq!(sent.field("metadata[bill_id]"), Some(bill_id.as_str()));
    assert_eq!(sent.field("client_reference_id"), Some(bill_id.as_str()));
    assert_eq!(sent.field("line_items[0][price_data][unit_amount]"), Some("500"));
    assert_eq!(sent.field("line_items[0][price_data][product_data][name]"), Some("Voronoi in red"));
    assert_eq!(sent.field("line_items[1][price_data][unit_amount]"), Some("300"));
    assert_eq!(sent.field("line_items[2][quantity]"), None, "the free picture is not a line");
    assert!(sent.header("idempotency-key").is_some_and(|key| key.contains(&bill_id)));

    let paid =
        bill_event("evt_stripe_bill", "checkout.session.completed", &session_of(&url), &bill_id, true, 800);
    assert_eq!(outcome(app.deliver_from_stripe(&paid).await).await, "applied");
    let bill = bill_of(&app, &client, &bill_id).await;
    let ids = order_ids(&bill);
    app.wait_for_status(&client, &ids[0], "done").await;
    app.wait_for_status(&client, &ids[2], "done").await;
    let refunded = app.wait_for_status(&client, &ids[1], "refunded").await;
    assert!(refunded["refunded_at"].is_string(), "{refunded}");

    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "one line refunded: {refunds:?}");
    assert_eq!(
        (&refunds[0]["amount"], &refunds[0]["payment_intent"]),
        (&json!(500), &json!("pi_test_evt_stripe_bill"))
    );
    assert_eq!(refunds[0]["metadata"]["order_id"], ids[1].as_str());
    let bill = bill_of(&app, &client, &bill_id).await;
    assert_eq!(
        (&bill["status"], &bill["paid_cents"], &bill["refunded_cents"]),
        (&json!("paid"), &json!(800), &json!(500))
    );
}

#[tokio::test]
async fn when_stripe_does_not_answer_the_bill_fails_and_the_cart_is_as_it_was() {
    let fake = StripeFake::start().await;
    fake.fail_with(Some(StatusCode::SERVICE_UNAVAILABLE));
    let app = TestApp::spawn_with_stripe(&fake, &[]).await;
    let client = app.signed_in_user("unlucky@example.com").await;
    add(&app, &client, "voronoi", "indigo").await;
    add(&app, &client, "square", "gold").await;
    let response = checkout(&app, &client).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_of(response).await["code"], "unavailable");
    let cart: Value = app.get(&client, "/api/v1/cart").await.json().await.expect("json");
    let colours: Vec<&str> =
        cart["items"].as_array().expect("items").iter().filter_map(|i| i["color"].as_str()).collect();
    assert_eq!(colours, ["indigo", "gold"], "{cart}");
    for order in app.orders_of(&client).await {
        assert_eq!(
            (&order["status"], &order["failure_reason"]),
            (&json!("failed"), &json!("checkout could not be opened"))
        );
    }
    fake.fail_with(None);
    let (_, url) = checked_out(&app, &client).await;
    assert!(url.is_some(), "checking out again works");
}

#[tokio::test]
async fn a_cancelled_bill_cancels_its_orders_and_a_late_payment_is_given_back() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("changed-mind@example.com").await;
    add(&app, &client, "square", "tomato").await;
    add(&app, &client, "voronoi", "indigo").await;
    let (bill_id, url) = checked_out(&app, &client).await;
    let path = format!("/api/v1/bills/{bill_id}/cancel");
    let stranger = app.signed_in_user("meddler@example.com").await;
    assert_eq!(app.post_json(&stranger, &path, &json!({})).await.status(), StatusCode::NOT_FOUND);

    let cancelled = app.post_json(&client, &path, &json!({})).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let bill: Value = cancelled.json().await.expect("json");
    assert_eq!((&bill["status"], &bill["failure_reason"]), (&json!("failed"), &json!("cancelled")), "{bill}");
    assert!(bill.get("checkout_url").is_none(), "{bill}");
    for order in app.orders_of(&client).await {
        assert_eq!(order["status"], "cancelled", "{order}");
    }
    let again = app.post_json(&client, &path, &json!({})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(again).await["field"], "status");

    let session = session_of(&url.expect("checkout"));
    let late =
        bill_event("evt_bill_after_cancel", "checkout.session.completed", &session, &bill_id, true, 500);
    assert_eq!(outcome(app.deliver_signed(&late).await).await, "applied");
    let bill = bill_of(&app, &client, &bill_id).await;
    let statuses: Vec<Value> =
        bill["items"].as_array().expect("items").iter().map(|i| i["status"].clone()).collect();
    assert_eq!(statuses, [json!("cancelled"), json!("refunded")], "{bill}");
    assert_eq!(bill["refunded_cents"], 500);
}

//! Loyalty points: an append-only ledger; a paid order earns points once, when it is done.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, stripe};

async fn loyalty_of(app: &TestApp, client: &Client) -> Value {
    let response = app.get(client, "/api/v1/loyalty").await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Orders a priced picture and pays for it through the signed webhook: `(order id, event)`.
async fn paid_order(app: &TestApp, client: &Client, shape: &str, amount: i64) -> (String, Value) {
    let response = app.order(client, shape, "indigo").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    let session =
        order["checkout_url"].as_str().expect("checkout").rsplit('/').next().expect("session").to_owned();
    let mut object = stripe::session(&session, &id, "paid", "complete", amount);
    object["payment_intent"] = json!(format!("pi_test_{id}"));
    let event = stripe::event(&format!("evt_{id}"), "checkout.session.completed", object);
    assert_eq!(app.deliver_signed(&event).await.status(), StatusCode::OK);
    (id, event)
}

#[tokio::test]
async fn a_paid_order_earns_ten_points_a_dollar_once_when_it_is_done() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("regular@example.com").await;
    assert_eq!(loyalty_of(&app, &client).await, json!({ "balance": 0, "entries": [] }));

    let (id, event) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &id, "done").await;
    let points = loyalty_of(&app, &client).await;
    assert_eq!(points["balance"], 50, "{points}");
    let entry = &points["entries"][0];
    assert_eq!(
        (&entry["kind"], &entry["points"], &entry["order_id"]),
        (&json!("earned"), &json!(50), &json!(id))
    );

    // The same payment delivered again, and the drawing job delivered again: no more points.
    let mut again = event.clone();
    again["id"] = json!(format!("evt_again_{id}"));
    assert_eq!(app.deliver_signed(&event).await.status(), StatusCode::OK);
    assert_eq!(app.deliver_signed(&again).await.status(), StatusCode::OK);
    app.redeliver(&id).await;
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);

    // A free picture earns nothing.
    let free = app.order(&client, "square", "gold").await;
    let free: Value = free.json().await.expect("json");
    app.wait_for_status(&client, free["id"].as_str().expect("id"), "done").await;
    let points = loyalty_of(&app, &client).await;
    assert_eq!((&points["balance"], points["entries"].as_array().map(Vec::len)), (&json!(50), Some(1)));

    // Points are their owner's alone.
    let other = app.signed_in_user("newcomer@example.com").await;
    assert_eq!(loyalty_of(&app, &other).await["balance"], 0);
}

#[tokio::test]
async fn each_priced_line_of_a_paid_bill_earns_its_points() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("bulk@example.com").await;
    for (shape, color) in [("voronoi", "teal"), ("tiled_lines", "navy"), ("square", "red")] {
        let added =
            app.post_json(&client, "/api/v1/cart/items", &json!({ "shape": shape, "color": color })).await;
        assert_eq!(added.status(), StatusCode::CREATED);
    }
    let bill: Value =
        app.post_json(&client, "/api/v1/cart/checkout", &json!({})).await.json().await.expect("json");
    let bill_id = bill["bill_id"].as_str().expect("bill");
    let session =
        bill["checkout_url"].as_str().expect("checkout").rsplit('/').next().expect("session").to_owned();
    let mut object = stripe::session(&session, bill_id, "paid", "complete", 800);
    object["metadata"] = json!({ "bill_id": bill_id });
    object["payment_intent"] = json!("pi_test_bill_points");
    let paid =
        app.deliver_signed(&stripe::event("evt_bill_points", "checkout.session.completed", object)).await;
    assert_eq!(paid.status(), StatusCode::OK);
    for order in app.orders_of(&client).await {
        app.wait_for_status(&client, order["id"].as_str().expect("id"), "done").await;
    }
    let points = loyalty_of(&app, &client).await;
    assert_eq!(
        (&points["balance"], points["entries"].as_array().map(Vec::len)),
        (&json!(80), Some(2)),
        "{points}"
    );
}

#[tokio::test]
async fn the_ledger_refuses_changes_and_deletions_and_earns_once_per_order() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("audited@example.com").await;
    let (id, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &id, "done").await;
    let pool = app.database().await;

    let changed = sqlx::query("UPDATE point_entries SET points = 5000").execute(&pool).await;
    assert!(changed.is_err_and(|e| e.to_string().contains("append-only")));
    let deleted = sqlx::query("DELETE FROM point_entries").execute(&pool).await;
    assert!(deleted.is_err_and(|e| e.to_string().contains("append-only")));

    // Earning for an order that earned already writes nothing.
    let (user_id,): (String,) = sqlx::query_as("SELECT user_id FROM orders WHERE id = $1")
        .bind(&id)
        .fetch_one(&pool)
        .await
        .expect("owner");
    let mut tx = pool.begin().await.expect("tx");
    let written = server::loyalty::earn(&mut tx, &user_id, &id, 500).await.expect("earn");
    tx.commit().await.expect("commit");
    assert_eq!(written, 0);
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);
}

#[tokio::test]
async fn points_are_read_with_a_session_only() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("scripted-points@example.com").await;
    let made = app
        .post_json(
            &owner,
            "/api/v1/tokens",
            &json!({ "name": "all", "scopes": ["orders:read", "orders:write"] }),
        )
        .await;
    let made: Value = made.json().await.expect("json");
    let token = made["token"].as_str().expect("token");
    let read =
        TestApp::browser().get(app.url("/api/v1/loyalty")).bearer_auth(token).send().await.expect("get");
    assert_eq!(read.status(), StatusCode::FORBIDDEN);
    let signed_out = TestApp::browser().get(app.url("/api/v1/loyalty")).send().await.expect("get");
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
}

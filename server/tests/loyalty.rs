//! Loyalty points: an append-only ledger; a paid order earns points once, when it is done;
//! points pay for pictures, and come back when such a picture cannot be drawn.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, error_of, stripe};

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
    assert_eq!(
        loyalty_of(&app, &client).await,
        json!({ "balance": 0, "debt": 0, "points_per_cent": 1, "entries": [] })
    );

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

    // The account export carries the ledger.
    let export: Value = app.get(&client, "/api/v1/account/export").await.json().await.expect("json");
    let exported = export["points"].as_array().cloned().unwrap_or_default();
    assert_eq!(exported.len(), 1, "{export}");
    assert_eq!((&exported[0]["kind"], &exported[0]["points"]), (&json!("earned"), &json!(50)));

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
    let earning = server::loyalty::Earning {
        user_id: &user_id,
        order_id: &id,
        shape: "voronoi",
        paid_at: stripe::now() * 1000,
        paid_cents: 500,
    };
    let written = server::loyalty::earn(&mut tx, &earning).await.expect("earn");
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

/// An app whose admin (`boss@example.com`) sets prices, started with `extra` arguments.
async fn app_with_admin(extra: &[&str]) -> (TestApp, Client) {
    let args = [&["--admin-emails", "boss@example.com"][..], extra].concat();
    let app = TestApp::spawn_with(tempfile::tempdir().expect("dir"), &args).await;
    let admin = app.signed_in_user("boss@example.com").await;
    (app, admin)
}

async fn set_price(app: &TestApp, admin: &Client, shape: &str, cents: i64) {
    let response = admin
        .put(app.url(&format!("/api/v1/admin/shapes/{shape}")))
        .json(&json!({ "price_cents": cents }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

async fn order_with_points(app: &TestApp, client: &Client, shape: &str, color: &str) -> reqwest::Response {
    app.post_json(client, "/api/v1/orders", &json!({ "shape": shape, "color": color, "pay_with": "points" }))
        .await
}

#[tokio::test]
async fn points_pay_for_a_picture_at_once_when_the_balance_covers_it() {
    let (app, admin) = app_with_admin(&[]).await;
    let client = app.signed_in_user("saver@example.com").await;
    let (earning, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &earning, "done").await;
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);

    // 500 points for a voronoi: refused, naming the field and the balance; nothing stored.
    let refused = order_with_points(&app, &client, "voronoi", "teal").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(refused).await;
    assert_eq!(error["field"], "pay_with");
    assert!(
        error["message"].as_str().is_some_and(|m| m.contains("500 points") && m.contains("50 points")),
        "{error}"
    );
    assert_eq!(app.orders_of(&client).await.len(), 1);
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);

    // A way to pay that does not exist is refused the same way.
    let unknown = app
        .post_json(
            &client,
            "/api/v1/orders",
            &json!({ "shape": "voronoi", "color": "teal", "pay_with": "gold" }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(unknown).await["field"], "pay_with");

    // At 50 cents, tiled lines cost 50 points: queued at once, no checkout.
    set_price(&app, &admin, "tiled_lines", 50).await;
    let response = order_with_points(&app, &client, "tiled_lines", "navy").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    assert_eq!(order["paid_points"], 50, "{order}");
    assert_eq!(order["checkout_url"], Value::Null);
    assert!(
        ["queued", "in_progress", "done"].contains(&order["status"].as_str().unwrap_or_default()),
        "{order}"
    );
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;

    // The redemption is on the ledger; a picture paid with points earns none.
    let points = loyalty_of(&app, &client).await;
    assert_eq!(points["balance"], 0, "{points}");
    let entry = &points["entries"][0];
    assert_eq!(
        (&entry["kind"], &entry["points"], &entry["order_id"]),
        (&json!("redeemed"), &json!(-50), &json!(id))
    );
    assert_eq!(points["entries"].as_array().map(Vec::len), Some(2));
    let overview: Value = app.get(&admin, "/api/v1/admin/overview").await.json().await.expect("json");
    assert_eq!(
        (&overview["points_issued_today"], &overview["points_redeemed_today"]),
        (&json!(50), &json!(50)),
        "{overview}"
    );

    // A free shape costs nothing, whichever way it is paid.
    let free = order_with_points(&app, &client, "circle", "gold").await;
    assert_eq!(free.status(), StatusCode::CREATED);
    let free: Value = free.json().await.expect("json");
    assert_eq!(free["paid_points"], Value::Null);
}

#[tokio::test]
async fn twenty_redemptions_at_once_never_take_the_balance_below_zero() {
    let (app, admin) = app_with_admin(&[]).await;
    set_price(&app, &admin, "voronoi", 1000).await;
    let client = app.signed_in_user("racer@example.com").await;
    let (earning, _) = paid_order(&app, &client, "voronoi", 1000).await;
    app.wait_for_status(&client, &earning, "done").await;
    assert_eq!(loyalty_of(&app, &client).await["balance"], 100);
    set_price(&app, &admin, "tiled_lines", 50).await;

    let attempts = (0..20).map(|_| order_with_points(&app, &client, "tiled_lines", "navy"));
    let statuses: Vec<StatusCode> =
        futures::future::join_all(attempts).await.iter().map(reqwest::Response::status).collect();
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert_eq!((created, refused), (2, 18), "{statuses:?}");

    let points = loyalty_of(&app, &client).await;
    assert_eq!(points["balance"], 0, "{points}");
    let redeemed =
        points["entries"].as_array().into_iter().flatten().filter(|e| e["kind"] == "redeemed").count();
    assert_eq!(redeemed, 2);
    assert_eq!(app.orders_of(&client).await.len(), 3, "only the orders paid for are stored");
}

#[tokio::test]
async fn a_picture_paid_with_points_that_cannot_be_drawn_gives_them_back() {
    let (app, admin) = app_with_admin(&[
        "--test-fail-draws",
        "9",
        "--test-fail-colour",
        "red",
        "--draw-max-attempts",
        "2",
        "--draw-retry-ms",
        "10",
    ])
    .await;
    set_price(&app, &admin, "tiled_lines", 50).await;
    let client = app.signed_in_user("unlucky@example.com").await;
    let (earning, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &earning, "done").await;

    let order: Value =
        order_with_points(&app, &client, "tiled_lines", "red").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    let failed = app.wait_for_status(&client, id, "failed").await;
    assert_eq!(failed["paid_points"], 50);
    let points = loyalty_of(&app, &client).await;
    assert_eq!(points["balance"], 50, "{points}");
    let entry = &points["entries"][0];
    assert_eq!(
        (&entry["kind"], &entry["points"], &entry["order_id"]),
        (&json!("reversed"), &json!(50), &json!(id))
    );
    let mail = app.wait_for_mail("unlucky@example.com", "We could not draw your picture").await;
    assert!(mail.to_string().contains("50 points it took are back"), "{mail}");

    // Its points are back, so an admin cannot queue it again for nothing.
    let retry = app.post_json(&admin, &format!("/api/v1/admin/failures/{id}/retry"), &json!({})).await;
    assert_eq!(retry.status(), StatusCode::CONFLICT);
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);
}

/// A time `hours` from now, as the API writes times.
fn hours_from_now(hours: i64) -> String {
    server::platform::clock::rfc3339((stripe::now() + hours * 3600) * 1000)
}

#[tokio::test]
async fn campaigns_multiply_what_paid_orders_earn_and_the_highest_counts() {
    let (app, admin) = app_with_admin(&[]).await;
    let create = |body: Value| {
        let request = admin.post(app.url("/api/v1/admin/campaigns")).json(&body);
        async move { request.send().await.expect("request") }
    };
    let everything = json!({ "name": "Double days", "starts_at": hours_from_now(-1), "ends_at": hours_from_now(1), "multiplier": 2 });
    let response = create(everything).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let double: Value = response.json().await.expect("json");
    assert_eq!((&double["multiplier"], &double["shapes"]), (&json!(2), &json!([])), "{double}");
    let voronoi = json!({ "name": "Voronoi week", "starts_at": hours_from_now(-2), "ends_at": hours_from_now(2),
        "multiplier": 3, "shapes": ["Voronoi"] });
    assert_eq!(create(voronoi).await.status(), StatusCode::CREATED);
    let over = json!({ "name": "Last week", "starts_at": hours_from_now(-48), "ends_at": hours_from_now(-24), "multiplier": 10 });
    assert_eq!(create(over).await.status(), StatusCode::CREATED);

    let client = app.signed_in_user("fan@example.com").await;
    let (voronoi_order, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &voronoi_order, "done").await;
    let (tiled_order, _) = paid_order(&app, &client, "tiled_lines", 300).await;
    app.wait_for_status(&client, &tiled_order, "done").await;
    let points = loyalty_of(&app, &client).await;
    assert_eq!(points["balance"], 50 * 3 + 30 * 2, "{points}");
    let earned_by = |id: &str| {
        points["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["order_id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(earned_by(&voronoi_order)["points"], 150);
    assert!(earned_by(&voronoi_order)["reason"].as_str().is_some_and(|r| r.contains("Voronoi week")));
    assert_eq!(earned_by(&tiled_order)["points"], 60);

    let listed: Vec<Value> = app.get(&admin, "/api/v1/admin/campaigns").await.json().await.expect("json");
    let names: Vec<&str> = listed.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["Double days", "Voronoi week", "Last week"], "the latest to start first");

    // A change is checked as a whole.
    let path = format!("/api/v1/admin/campaigns/{}", double["id"].as_str().expect("id"));
    let patch = |body: Value| admin.patch(app.url(&path)).json(&body).send();
    let changed = patch(json!({ "multiplier": 4 })).await.expect("patch");
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.json::<Value>().await.expect("json")["multiplier"], 4);
    let backwards = patch(json!({ "ends_at": hours_from_now(-5) })).await.expect("patch");
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(backwards).await["field"], "ends_at");
    let missing =
        admin.patch(app.url("/api/v1/admin/campaigns/nope")).json(&json!({})).send().await.expect("patch");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Clients neither see nor make campaigns.
    assert_eq!(app.get(&client, "/api/v1/admin/campaigns").await.status(), StatusCode::FORBIDDEN);
    let made = app.post_json(&client, "/api/v1/admin/campaigns", &json!({})).await;
    assert_eq!(made.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_campaign_is_refused_by_the_field_that_is_wrong_and_nothing_is_stored() {
    let (app, admin) = app_with_admin(&[]).await;
    let good = json!({ "name": "Spring", "starts_at": "2027-03-01T00:00", "ends_at": "2027-03-31T23:59:59Z", "multiplier": 2 });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let mut missing_name = good.clone();
    missing_name.as_object_mut().map(|o| o.remove("name"));
    for (body, field) in [
        (with("ends_at", json!("2027-02-01T00:00:00Z")), "ends_at"),
        (with("ends_at", json!("2027-03-01T00:00")), "ends_at"),
        (with("multiplier", json!(0)), "multiplier"),
        (with("multiplier", json!(11)), "multiplier"),
        (with("starts_at", json!("next monday")), "starts_at"),
        (with("shapes", json!(["hexagon"])), "shapes"),
        (with("name", json!("   ")), "name"),
        (with("name", json!("a\u{0}b")), "name"),
        (missing_name, "name"),
    ] {
        let response = app.post_json(&admin, "/api/v1/admin/campaigns", &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], field, "{body}");
    }
    let listed: Vec<Value> = app.get(&admin, "/api/v1/admin/campaigns").await.json().await.expect("json");
    assert!(listed.is_empty(), "{listed:?}");
    let made = app.post_json(&admin, "/api/v1/admin/campaigns", &good).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.expect("json");
    assert_eq!(
        (&made["starts_at"], &made["ends_at"]),
        (&json!("2027-03-01T00:00:00Z"), &json!("2027-03-31T23:59:59Z"))
    );
}

#[tokio::test]
async fn a_refund_takes_back_the_points_earned_and_what_was_spent_becomes_a_debt() {
    let (app, admin) = app_with_admin(&[]).await;
    set_price(&app, &admin, "tiled_lines", 50).await;
    let client = app.signed_in_user("spender@example.com").await;
    let (first, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &first, "done").await;
    let spent = order_with_points(&app, &client, "tiled_lines", "navy").await;
    assert_eq!(spent.status(), StatusCode::CREATED);
    assert_eq!(loyalty_of(&app, &client).await["balance"], 0);

    // Clients cannot refund; an admin refunds the drawn, paid order.
    let path = format!("/api/v1/admin/orders/{first}/refund");
    assert_eq!(app.post_json(&client, &path, &json!({})).await.status(), StatusCode::FORBIDDEN);
    let refunded = app.post_json(&admin, &path, &json!({})).await;
    assert_eq!(refunded.status(), StatusCode::OK);
    let refunded: Value = refunded.json().await.expect("json");
    assert_eq!(refunded["status"], "refunded", "{refunded}");
    assert!(refunded["refunded_at"].is_string());

    // The 50 points it earned were spent: none are left to take, so 50 are owed.
    let points = loyalty_of(&app, &client).await;
    assert_eq!((&points["balance"], &points["debt"]), (&json!(0), &json!(50)), "{points}");
    let kinds: Vec<(&str, i64)> = points["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["order_id"] == first.as_str())
        .filter_map(|e| Some((e["kind"].as_str()?, e["points"].as_i64()?)))
        .collect();
    assert!(kinds.contains(&("reversed", 0)) && kinds.contains(&("adjusted", -50)), "{kinds:?}");
    let mail = app.wait_for_mail("spender@example.com", "Your payment is refunded").await;
    assert!(mail.to_string().contains("50 points of later earnings settle them"), "{mail}");

    // Once only; and only done orders paid with money.
    assert_eq!(app.post_json(&admin, &path, &json!({})).await.status(), StatusCode::CONFLICT);
    let free: Value = app.order(&client, "circle", "red").await.json().await.expect("json");
    let free_id = free["id"].as_str().expect("id");
    app.wait_for_status(&client, free_id, "done").await;
    let refused = app.post_json(&admin, &format!("/api/v1/admin/orders/{free_id}/refund"), &json!({})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(refused).await["field"], "order_id");
    let unknown = app.post_json(&admin, "/api/v1/admin/orders/nope/refund", &json!({})).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // Later earnings settle the debt before the balance grows.
    let (second, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &second, "done").await;
    let points = loyalty_of(&app, &client).await;
    assert_eq!((&points["balance"], &points["debt"]), (&json!(0), &json!(0)), "{points}");
    let (third, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &third, "done").await;
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);

    // A refund while the points are still held takes them all back, and owes nothing.
    let path = format!("/api/v1/admin/orders/{third}/refund");
    assert_eq!(app.post_json(&admin, &path, &json!({})).await.status(), StatusCode::OK);
    let points = loyalty_of(&app, &client).await;
    assert_eq!((&points["balance"], &points["debt"]), (&json!(0), &json!(0)), "{points}");
}

#[tokio::test]
async fn points_expire_oldest_first_and_the_page_shows_what_expires_next() {
    let (app, admin) = app_with_admin(&["--points-expire-days", "1", "--sweep-secs", "1"]).await;
    set_price(&app, &admin, "tiled_lines", 50).await;
    let client = app.signed_in_user("keeper@example.com").await;
    let (earning, _) = paid_order(&app, &client, "voronoi", 500).await;
    app.wait_for_status(&client, &earning, "done").await;
    assert_eq!(order_with_points(&app, &client, "tiled_lines", "navy").await.status(), StatusCode::CREATED);

    // 70 points earned two days ago: the 50 spent since come off them first, so 20 lapse.
    let pool = app.database().await;
    let (user_id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind("keeper@example.com")
        .fetch_one(&pool)
        .await
        .expect("user");
    sqlx::query(
        "INSERT INTO point_entries (id, user_id, kind, points, reason, created_at) VALUES ($1, $2, 'earned', 70, $3, $4)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&user_id)
    .bind("earned two days ago")
    .bind((stripe::now() - 2 * 86_400) * 1000)
    .execute(&pool)
    .await
    .expect("an old entry");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let points = loop {
        let points = loyalty_of(&app, &client).await;
        if points["entries"].as_array().into_iter().flatten().any(|e| e["kind"] == "expired") {
            break points;
        }
        assert!(std::time::Instant::now() < deadline, "nothing expired within 20 s: {points}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(points["balance"], 50, "{points}");
    let expired =
        points["entries"].as_array().into_iter().flatten().find(|e| e["kind"] == "expired").cloned();
    assert_eq!(expired.map(|e| e["points"].clone()), Some(json!(-20)));
    let next = &points["next_expiry"];
    assert_eq!(next["points"], 50, "{points}");
    assert!(next["at"].as_str().is_some_and(|at| at > hours_from_now(23).as_str()), "{points}");

    // The sweep runs on: nothing more lapses.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(loyalty_of(&app, &client).await["balance"], 50);

    // The ledger comes in pages, newest first.
    let first: Value = app.get(&client, "/api/v1/loyalty?limit=3").await.json().await.expect("json");
    assert_eq!(first["entries"].as_array().map(Vec::len), Some(3), "{first}");
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let rest: Value = app
        .get(&client, &format!("/api/v1/loyalty?limit=3&cursor={cursor}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(rest["entries"].as_array().map(Vec::len), Some(1), "{rest}");
    assert_eq!(rest["next_cursor"], Value::Null);
    assert_eq!(rest["entries"][0]["kind"], "earned");
    let refused = app.get(&client, "/api/v1/loyalty?limit=0").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(refused).await["field"], "limit");
}

//! The cart: one per user, in the database, priced by the catalogue when it is read.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, error_of};

async fn add(app: &TestApp, client: &reqwest::Client, body: Value) -> reqwest::Response {
    app.post_json(client, "/api/v1/cart/items", &body).await
}

async fn cart_of(app: &TestApp, client: &reqwest::Client) -> Value {
    let response = app.get(client, "/api/v1/cart").await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_cart_gathers_pictures_priced_now_and_sums_them() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("gatherer@example.com").await;
    let empty = cart_of(&app, &client).await;
    assert_eq!(empty, json!({ "items": [], "subtotal_cents": 0, "currency": "usd" }));

    let square = add(&app, &client, json!({ "shape": "square", "color": "tomato", "seed": 7 })).await;
    assert_eq!(square.status(), StatusCode::CREATED);
    let square: Value = square.json().await.expect("json");
    assert_eq!(
        (&square["shape"], &square["color"], &square["seed"], &square["size"], &square["price_cents"]),
        (&json!("square"), &json!("tomato"), &json!(7), &json!(512), &json!(0))
    );
    for (shape, color) in [("voronoi", "#336699"), ("tiled_lines", "rgb(10 20 30)")] {
        assert_eq!(
            add(&app, &client, json!({ "shape": shape, "color": color })).await.status(),
            StatusCode::CREATED
        );
    }
    let cart = cart_of(&app, &client).await;
    let shapes: Vec<&str> =
        cart["items"].as_array().expect("items").iter().filter_map(|i| i["shape"].as_str()).collect();
    assert_eq!(shapes, ["square", "voronoi", "tiled_lines"], "oldest first");
    assert_eq!((&cart["subtotal_cents"], &cart["currency"]), (&json!(800), &json!("usd")));

    // Prices are the catalogue's when the cart is read, not when the picture was added.
    sqlx::query("UPDATE shapes SET price_cents = 700 WHERE name = 'voronoi'")
        .execute(&app.database().await)
        .await
        .expect("price");
    assert_eq!(cart_of(&app, &client).await["subtotal_cents"], 1000);

    // Taking one out; once only, and only one's own.
    let first = square["id"].as_str().expect("id");
    let path = format!("/api/v1/cart/items/{first}");
    let stranger = app.signed_in_user("stranger@example.com").await;
    let theirs = stranger.delete(app.url(&path)).send().await.expect("delete");
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(client.delete(app.url(&path)).send().await.expect("delete").status(), StatusCode::NO_CONTENT);
    assert_eq!(client.delete(app.url(&path)).send().await.expect("delete").status(), StatusCode::NOT_FOUND);
    let cart = cart_of(&app, &client).await;
    assert_eq!(cart["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(cart_of(&app, &stranger).await["items"], json!([]), "a cart is its owner's alone");
}

#[tokio::test]
async fn bad_items_name_their_field_and_leave_the_cart_as_it_was() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("careful@example.com").await;
    for (body, field) in [
        (json!({ "shape": "triangle", "color": "red" }), "shape"),
        (json!({ "shape": "circle", "color": "blurple" }), "color"),
        (json!({ "shape": "circle", "color": "red", "seed": -1 }), "seed"),
        (json!({ "color": "red" }), "shape"),
    ] {
        let response = add(&app, &client, body.clone()).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], field, "{body}");
    }
    sqlx::query("UPDATE shapes SET active = 0 WHERE name = 'voronoi'")
        .execute(&app.database().await)
        .await
        .expect("withdraw");
    let withdrawn = add(&app, &client, json!({ "shape": "voronoi", "color": "red" })).await;
    assert_eq!(withdrawn.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(withdrawn).await["field"], "shape");
    assert_eq!(cart_of(&app, &client).await["items"], json!([]));

    let signed_out = TestApp::browser().get(app.url("/api/v1/cart")).send().await.expect("get");
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_cart_holds_twenty_pictures_even_when_many_are_added_at_once() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("hoarder@example.com").await;
    for _ in 0..15 {
        assert_eq!(
            add(&app, &client, json!({ "shape": "circle", "color": "gold" })).await.status(),
            StatusCode::CREATED
        );
    }
    let racing = (0..10).map(|_| add(&app, &client, json!({ "shape": "square", "color": "navy" })));
    let statuses: Vec<StatusCode> =
        futures::future::join_all(racing).await.iter().map(|r| r.status()).collect();
    let added = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((added, refused), (5, 5), "{statuses:?}");
    assert_eq!(cart_of(&app, &client).await["items"].as_array().map(Vec::len), Some(20));
    let full = add(&app, &client, json!({ "shape": "square", "color": "navy" })).await;
    assert_eq!(full.status(), StatusCode::CONFLICT);
    let error = error_of(full).await;
    assert_eq!(error["field"], "items");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("20")), "{error}");
}

#[tokio::test]
async fn one_cart_takes_one_currency() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("traveller@example.com").await;
    assert_eq!(
        add(&app, &client, json!({ "shape": "voronoi", "color": "red" })).await.status(),
        StatusCode::CREATED
    );
    let pool = app.database().await;
    sqlx::query("UPDATE shapes SET currency = 'chf' WHERE name = 'tiled_lines'")
        .execute(&pool)
        .await
        .expect("chf");
    let other = add(&app, &client, json!({ "shape": "tiled_lines", "color": "red" })).await;
    assert_eq!(other.status(), StatusCode::CONFLICT);
    let error = error_of(other).await;
    assert_eq!(error["field"], "shape");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("chf") && m.contains("usd")), "{error}");
    // A free picture fits any cart.
    assert_eq!(
        add(&app, &client, json!({ "shape": "square", "color": "red" })).await.status(),
        StatusCode::CREATED
    );

    // When the catalogue changes a currency under a cart, the cart says it cannot be paid.
    sqlx::query("UPDATE shapes SET currency = 'chf' WHERE name = 'voronoi'")
        .execute(&pool)
        .await
        .expect("chf");
    assert_eq!(
        add(&app, &client, json!({ "shape": "tiled_lines", "color": "red" })).await.status(),
        StatusCode::CREATED
    );
    sqlx::query("UPDATE shapes SET currency = 'usd' WHERE name = 'tiled_lines'")
        .execute(&pool)
        .await
        .expect("usd");
    let cart = cart_of(&app, &client).await;
    assert!(cart["problem"].as_str().is_some_and(|p| p.contains("chf and usd")), "{cart}");
}

#[tokio::test]
async fn the_cart_outlives_the_session_and_is_the_same_on_every_instance() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("keeper@example.com").await;
    assert_eq!(
        add(&app, &client, json!({ "shape": "circle", "color": "teal" })).await.status(),
        StatusCode::CREATED
    );
    let signed_out = client.delete(app.url("/api/v1/sessions")).send().await.expect("sign out");
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    let other = app.spawn_beside(&[]).await;
    let again = TestApp::browser();
    let signed_in = other.sign_in(&again, "keeper@example.com", support::PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::NO_CONTENT);
    let cart = cart_of(&other, &again).await;
    assert_eq!(cart["items"][0]["color"], "teal", "{cart}");
}

#[tokio::test]
async fn a_token_reads_the_cart_with_orders_read_and_fills_it_with_orders_write() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("scripted-cart@example.com").await;
    let token = |scopes: Value| {
        let (app, owner) = (&app, &owner);
        async move {
            let made =
                app.post_json(owner, "/api/v1/tokens", &json!({ "name": "cart", "scopes": scopes })).await;
            assert_eq!(made.status(), StatusCode::CREATED);
            let made: Value = made.json().await.expect("json");
            made["token"].as_str().expect("token").to_owned()
        }
    };
    let reader = token(json!(["orders:read"])).await;
    let writer = token(json!(["orders:write"])).await;
    let send = |method: Method, path: &str, token: &str| {
        TestApp::browser().request(method, app.url(path)).bearer_auth(token.to_owned())
    };
    let body = json!({ "shape": "square", "color": "plum" });
    let refused = send(Method::POST, "/api/v1/cart/items", &reader).json(&body).send().await.expect("post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let added = send(Method::POST, "/api/v1/cart/items", &writer).json(&body).send().await.expect("post");
    assert_eq!(added.status(), StatusCode::CREATED);
    let read = send(Method::GET, "/api/v1/cart", &reader).send().await.expect("get");
    assert_eq!(read.status(), StatusCode::OK);
    let cart: Value = read.json().await.expect("json");
    assert_eq!(cart["items"][0]["color"], "plum");
}

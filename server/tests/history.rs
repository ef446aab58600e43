//! What a customer does with orders after placing them: pages of history with search and
//! filters, notes, ordering again, cancelling, downloads in every size, sharing, receipts.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, error_of};

async fn ordered(app: &TestApp, client: &Client, shape: &str, color: &str) -> Value {
    let response = app.order(client, shape, color).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{shape} in {color}");
    response.json().await.expect("json")
}

fn id(order: &Value) -> &str {
    order["id"].as_str().expect("id")
}

async fn page(app: &TestApp, client: &Client, query: &str) -> Value {
    let response = app.get(client, &format!("/api/v1/orders?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.expect("json")
}

fn ids(page: &Value) -> Vec<String> {
    page["orders"].as_array().expect("orders").iter().map(|o| id(o).to_owned()).collect()
}

async fn send(
    app: &TestApp,
    client: &Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn history_pages_by_cursor_newest_first_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("pages@example.com").await;
    let mut placed = Vec::new();
    for colour in ["red", "orange", "yellow", "green", "blue"] {
        placed.push(id(&ordered(&app, &client, "circle", colour).await).to_owned());
    }
    placed.reverse();
    let first = page(&app, &client, "limit=2").await;
    assert_eq!(ids(&first), placed[..2]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = page(&app, &client, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), placed[2..4]);
    let cursor = second["next_cursor"].as_str().expect("a last page");
    let last = page(&app, &client, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&last), placed[4..]);
    assert!(last.get("next_cursor").is_none(), "no page after the last: {last}");
    assert_eq!(ids(&page(&app, &client, "").await), placed, "20 a page by default");
}

#[tokio::test]
async fn search_matches_colour_as_typed_or_named_shape_and_note_and_filters_combine() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("search@example.com").await;
    let tomato = ordered(&app, &client, "circle", "tomato").await;
    let hex = ordered(&app, &client, "square", "#FF6347").await;
    let navy = ordered(&app, &client, "square", "navy").await;
    let noted = send(
        &app,
        &client,
        reqwest::Method::PATCH,
        &format!("/api/v1/orders/{}", id(&navy)),
        Some(json!({ "note": "For Grandma's 90% birthday" })),
    )
    .await;
    assert_eq!(noted.status(), StatusCode::OK);
    let noted: Value = noted.json().await.expect("json");
    assert_eq!(noted["note"], "For Grandma's 90% birthday");

    let mut found = ids(&page(&app, &client, "q=Tomato").await);
    found.sort();
    let mut expected = vec![id(&tomato).to_owned(), id(&hex).to_owned()];
    expected.sort();
    assert_eq!(found, expected, "the name finds the same colour typed as hex");
    assert_eq!(ids(&page(&app, &client, "q=grandma").await), [id(&navy)]);
    assert_eq!(ids(&page(&app, &client, "q=90%25").await), [id(&navy)], "% is literal");
    assert_eq!(ids(&page(&app, &client, "q=%25").await), [id(&navy)]);
    assert_eq!(ids(&page(&app, &client, "q=circ").await), [id(&tomato)], "the shape's name");
    assert_eq!(ids(&page(&app, &client, "shape=square").await), [id(&navy), id(&hex)]);
    assert_eq!(ids(&page(&app, &client, "shape=square&q=ff63").await), [id(&hex)]);
    for order in [&tomato, &hex, &navy] {
        app.wait_for_status(&client, id(order), "done").await;
    }
    assert_eq!(ids(&page(&app, &client, "status=done").await).len(), 3);
    assert_eq!(ids(&page(&app, &client, "status=done&shape=circle").await), [id(&tomato)]);
    assert!(ids(&page(&app, &client, "status=refunded").await).is_empty());

    // Someone else's search finds none of these.
    let other = app.signed_in_user("other@example.com").await;
    assert!(ids(&page(&app, &other, "q=tomato").await).is_empty());
}

#[tokio::test]
async fn bad_history_queries_and_notes_name_the_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("bad@example.com").await;
    let order = ordered(&app, &client, "circle", "red").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("cursor=nonsense", "cursor"),
        ("status=shipped", "status"),
        ("shape=triangle", "shape"),
        ("q=a&q=b", "q"),
    ] {
        let response = app.get(&client, &format!("/api/v1/orders?{query}")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(error_of(response).await["field"], field, "{query}");
    }
    let long = "x".repeat(101);
    let response = app.get(&client, &format!("/api/v1/orders?q={long}")).await;
    assert_eq!(error_of(response).await["field"], "q");

    let path = format!("/api/v1/orders/{}", id(&order));
    for body in [json!({ "note": "n".repeat(501) }), json!({ "note": "bell\u{7}" }), json!({ "note": 5 })] {
        let response = send(&app, &client, reqwest::Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(response).await["field"], "note", "{body}");
    }
    let response = send(&app, &client, reqwest::Method::PATCH, &path, Some(json!({ "colour": "x" }))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged: Value = app.get(&client, &path).await.json().await.expect("json");
    assert!(unchanged.get("note").is_none(), "{unchanged}");

    // A note of 500 characters is kept, and an empty one removes it.
    let full = "é".repeat(500);
    let response = send(&app, &client, reqwest::Method::PATCH, &path, Some(json!({ "note": full }))).await;
    assert_eq!(response.json::<Value>().await.expect("json")["note"], full.as_str());
    let response = send(&app, &client, reqwest::Method::PATCH, &path, Some(json!({ "note": "" }))).await;
    assert!(response.json::<Value>().await.expect("json").get("note").is_none());

    // Someone else's order is not found by any of the new routes.
    let stranger = app.signed_in_user("stranger@example.com").await;
    let theirs = id(&order);
    for (method, route) in [
        (reqwest::Method::PATCH, format!("/api/v1/orders/{theirs}")),
        (reqwest::Method::POST, format!("/api/v1/orders/{theirs}/again")),
        (reqwest::Method::POST, format!("/api/v1/orders/{theirs}/cancel")),
        (reqwest::Method::POST, format!("/api/v1/orders/{theirs}/share")),
        (reqwest::Method::DELETE, format!("/api/v1/orders/{theirs}/share")),
        (reqwest::Method::GET, format!("/api/v1/orders/{theirs}/picture?size=1024")),
    ] {
        let body = (method == reqwest::Method::PATCH).then(|| json!({ "note": "mine now" }));
        let response = send(&app, &stranger, method.clone(), &route, body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {route}");
    }
}

#[tokio::test]
async fn ordering_again_keeps_shape_and_seed_and_may_change_the_colour() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("again@example.com").await;
    let first = ordered(&app, &client, "circle", "red").await;
    let path = format!("/api/v1/orders/{}/again", id(&first));
    let same = client.post(app.url(&path)).send().await.expect("request");
    assert_eq!(same.status(), StatusCode::CREATED);
    let same: Value = same.json().await.expect("json");
    assert_ne!(id(&same), id(&first));
    assert_eq!(
        (&same["shape"], &same["color"], &same["seed"]),
        (&first["shape"], &first["color"], &first["seed"])
    );

    let blue =
        send(&app, &client, reqwest::Method::POST, &path, Some(json!({ "color": "steelblue", "seed": 9 })))
            .await;
    assert_eq!(blue.status(), StatusCode::CREATED);
    let blue: Value = blue.json().await.expect("json");
    assert_eq!((&blue["color"], &blue["seed"]), (&json!("steelblue"), &json!(9)));

    for (body, field) in [(json!({ "color": "blurple" }), "color"), (json!({ "seed": -1 }), "seed")] {
        let response = send(&app, &client, reqwest::Method::POST, &path, Some(body)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(response).await["field"], field);
    }
    assert_eq!(app.orders_of(&client).await.len(), 3, "refused requests stored nothing");

    // A priced shape goes to checkout again.
    let priced = ordered(&app, &client, "voronoi", "gold").await;
    let again =
        client.post(app.url(&format!("/api/v1/orders/{}/again", id(&priced)))).send().await.expect("again");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["status"], "awaiting_payment");
    assert!(again["checkout_url"].is_string(), "{again}");
}

#[tokio::test]
async fn an_order_waiting_for_payment_can_be_cancelled_once_and_nothing_else_can() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("cancel@example.com").await;
    let priced = ordered(&app, &client, "voronoi", "gold").await;
    let cancel = |order: &Value| format!("/api/v1/orders/{}/cancel", id(order));
    let response = client.post(app.url(&cancel(&priced))).send().await.expect("cancel");
    assert_eq!(response.status(), StatusCode::OK);
    let cancelled: Value = response.json().await.expect("json");
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled.get("checkout_url").is_none(), "nothing left to pay: {cancelled}");

    let again = client.post(app.url(&cancel(&priced))).send().await.expect("cancel again");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(again).await["field"], "status");

    let free = ordered(&app, &client, "circle", "red").await;
    app.wait_for_status(&client, id(&free), "done").await;
    let response = client.post(app.url(&cancel(&free))).send().await.expect("cancel done");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    app.wait_for_status(&client, id(&free), "done").await;
    assert_eq!(ids(&page(&app, &client, "status=cancelled").await), [id(&priced)]);
}

#[tokio::test]
async fn a_done_picture_downloads_in_every_size_and_as_svg() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("sizes@example.com").await;
    let order = ordered(&app, &client, "circle", "teal").await;
    let picture = format!("/api/v1/orders/{}/picture", id(&order));
    let unpaid = ordered(&app, &client, "voronoi", "teal").await;
    let early = app.get(&client, &format!("/api/v1/orders/{}/picture?size=1024", id(&unpaid))).await;
    assert_eq!(early.status(), StatusCode::NOT_FOUND, "nothing to download before it is done");
    app.wait_for_status(&client, id(&order), "done").await;

    for size in [256_u32, 1024, 4096] {
        let response = app.get(&client, &format!("{picture}?size={size}")).await;
        assert_eq!(response.status(), StatusCode::OK, "size {size}");
        assert_eq!(response.headers()["content-type"], "image/png");
        let png = response.bytes().await.expect("png");
        let reader = png::Decoder::new(std::io::Cursor::new(png.to_vec())).read_info().expect("a PNG");
        assert_eq!((reader.info().width, reader.info().height), (size, size));
    }
    // Many at once get the same picture (rendered once: see the gallery's unit test).
    let asks =
        (0..4).map(|_| async { app.get(&client, &format!("{picture}?size=2048")).await.bytes().await });
    let answers: Vec<_> =
        futures::future::join_all(asks).await.into_iter().map(|a| a.expect("png")).collect();
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "one picture for all");

    let svg = app.get(&client, &format!("{picture}?format=svg&size=2048")).await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    for bad in ["size=255", "size=4097", "size=big", "format=gif", "size=512&size=1024"] {
        let response = app.get(&client, &format!("{picture}?{bad}")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let field = bad.split('=').next().unwrap_or_default();
        assert_eq!(error_of(response).await["field"], field, "{bad}");
    }
}

#[tokio::test]
async fn a_shared_picture_is_shown_to_anyone_until_the_owner_stops_sharing() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("sharer@example.com").await;
    let unpaid = ordered(&app, &client, "voronoi", "gold").await;
    let early =
        client.post(app.url(&format!("/api/v1/orders/{}/share", id(&unpaid)))).send().await.expect("share");
    assert_eq!(early.status(), StatusCode::CONFLICT, "only a done picture is shared");
    let order = ordered(&app, &client, "square", "gold").await;
    let share = format!("/api/v1/orders/{}/share", id(&order));
    app.wait_for_status(&client, id(&order), "done").await;

    let shared: Value = client.post(app.url(&share)).send().await.expect("share").json().await.expect("json");
    let url = shared["url"].as_str().expect("url").to_owned();
    let token = url.strip_prefix("/p/").expect("a /p/ link");
    assert_eq!(token.len(), 64, "256 random bits");
    let twice: Value = client.post(app.url(&share)).send().await.expect("share").json().await.expect("json");
    assert_eq!(twice["url"], url.as_str(), "one link while shared");
    let listed: Value =
        app.get(&client, &format!("/api/v1/orders/{}", id(&order))).await.json().await.expect("json");
    assert_eq!(listed["share_url"], url.as_str());

    let anyone = TestApp::browser();
    let page = app.get(&anyone, &url).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("property=\"og:image\""), "Open Graph tags");
    assert!(html.contains(&format!("/api/v1/shared/{token}/picture")));
    assert!(!html.contains("sharer@example.com") && !html.contains(id(&order)), "no owner, no order id");
    let png = app.get(&anyone, &format!("/api/v1/shared/{token}/picture")).await;
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");

    let stop = send(&app, &client, reqwest::Method::DELETE, &share, None).await;
    assert_eq!(stop.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&anyone, &url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&anyone, &format!("/api/v1/shared/{token}/picture")).await.status(),
        StatusCode::NOT_FOUND
    );
    let guessed = format!("/api/v1/shared/{}/picture", "0".repeat(64));
    assert_eq!(app.get(&anyone, &guessed).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&anyone, "/api/v1/shared/..%2F..%2Fetc/picture").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_paid_order_carries_its_receipt() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("receipt@example.com").await;
    let order = ordered(&app, &client, "voronoi", "indigo").await;
    assert!(order.get("paid_cents").is_none());
    let session =
        order["checkout_url"].as_str().and_then(|u| u.rsplit('/').next()).expect("session").to_owned();
    let paid = support::stripe::event(
        "evt_receipt",
        "checkout.session.completed",
        support::stripe::session(&session, id(&order), "paid", "complete", 500),
    );
    assert_eq!(app.deliver_signed(&paid).await.status(), StatusCode::OK);
    let done = app.wait_for_status(&client, id(&order), "done").await;
    assert_eq!(done["paid_cents"], 500);
    assert!(done["paid_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{done}");
    let mail = app.wait_for_mail("receipt@example.com", "Your picture is ready").await;
    assert!(mail["text"].as_str().expect("text").contains("$5.00"), "the amount paid: {mail}");
}

//! Ordering pictures through the REST API, against the real app (on each backend set).

mod support;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use support::{TestApp, error_of, smtp::SmtpSink};

#[tokio::test]
async fn a_free_order_is_drawn_and_its_picture_served_to_its_owner() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in_user("ada@example.com").await;

    let created = app.order(&ada, "circle", "RebeccaPurple").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let order: Value = created.json().await.expect("json");
    assert_eq!(order["shape"], "circle");
    assert_eq!(order["color"], "rebeccapurple");
    assert_eq!(order["price_cents"], 0);
    assert_eq!(order["currency"], "usd");
    assert!(["queued", "in_progress", "done"].contains(&order["status"].as_str().unwrap_or_default()));
    let id = order["id"].as_str().expect("id").to_owned();

    let done = app.wait_for_status(&ada, &id, "done").await;
    let picture_url = done["picture_url"].as_str().expect("picture_url when done").to_owned();
    assert_eq!(picture_url, format!("/api/v1/orders/{id}/picture"));

    let picture = app.get(&ada, &picture_url).await;
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(picture.headers()[header::CONTENT_TYPE], "image/png");
    assert!(picture.headers()[header::CACHE_CONTROL].to_str().unwrap_or_default().contains("private"));
    let etag = picture.headers()[header::ETAG].clone();
    let png = picture.bytes().await.expect("bytes");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    let again =
        ada.get(app.url(&picture_url)).header(header::IF_NONE_MATCH, etag).send().await.expect("request");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let list = app.orders_of(&ada).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
}

#[tokio::test]
async fn the_event_stream_starts_with_the_current_state_and_ends_after_done() {
    let app = TestApp::spawn_with(tempfile::tempdir().expect("dir"), &["--test-draw-delay-ms", "300"]).await;
    let bea = app.signed_in_user("bea@example.com").await;
    let order: Value = app.order(&bea, "square", "teal").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");

    let events = app.status_events(&bea, id).await;
    let statuses: Vec<&str> = events.iter().filter_map(|e| e["status"].as_str()).collect();
    // The first event is the state at subscription (queued, or in progress if the worker was
    // quicker); the drawing is slowed down so the change to in_progress is seen before done.
    assert!(["queued", "in_progress"].contains(&statuses[0]), "{statuses:?}");
    assert!(statuses.ends_with(&["in_progress", "done"]), "{statuses:?}");
    assert!(events.iter().all(|e| e["id"] == id));
    assert!(events.last().is_some_and(|e| e["picture_url"].is_string()));

    // Reconnecting to a finished order gets its state at once and the stream closes.
    let replay = app.status_events(&bea, id).await;
    assert_eq!(replay.len(), 1);
    assert_eq!(replay[0]["status"], "done");
}

#[tokio::test]
async fn orders_list_newest_first_and_only_their_own() {
    let app = TestApp::spawn().await;
    let cy = app.signed_in_user("cy@example.com").await;
    let di = app.signed_in_user("di@example.com").await;
    let mut ids = Vec::new();
    for colour in ["red", "green", "blue"] {
        let order: Value = app.order(&cy, "square", colour).await.json().await.expect("json");
        ids.push(order["id"].as_str().expect("id").to_owned());
    }
    app.order(&di, "circle", "black").await;

    let list = app.orders_of(&cy).await;
    let listed: Vec<&str> = list.iter().filter_map(|o| o["id"].as_str()).collect();
    ids.reverse();
    assert_eq!(listed, ids);
}

#[tokio::test]
async fn another_user_gets_404_for_order_picture_and_events() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("owner@example.com").await;
    let order: Value = app.order(&owner, "circle", "navy").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&owner, id, "done").await;

    let stranger = app.signed_in_user("stranger@example.com").await;
    for path in [
        format!("/api/v1/orders/{id}"),
        format!("/api/v1/orders/{id}/picture"),
        format!("/api/v1/orders/{id}/events"),
    ] {
        let response = app.get(&stranger, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_of(response).await["code"], "not_found");
        let missing = app.get(&owner, &path.replace(id, "00000000-0000-0000-0000-000000000000")).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "same answer as a missing order: {path}");
    }
}

#[tokio::test]
async fn order_routes_need_a_session() {
    let app = TestApp::spawn().await;
    let anonymous = TestApp::browser();
    let paths = ["/api/v1/orders", "/api/v1/orders/x", "/api/v1/orders/x/picture", "/api/v1/orders/x/events"];
    for path in paths {
        let response = app.get(&anonymous, path).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_of(response).await["code"], "unauthenticated");
    }
    assert_eq!(app.order(&anonymous, "circle", "red").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_order_input_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let eve = app.signed_in_user("eve@example.com").await;
    let url = app.url("/api/v1/orders");
    let cases: Vec<(Value, StatusCode, Option<&str>)> = vec![
        (json!({ "shape": "triangle", "color": "red" }), StatusCode::UNPROCESSABLE_ENTITY, Some("shape")),
        (json!({ "shape": "circle", "color": "blurple" }), StatusCode::UNPROCESSABLE_ENTITY, Some("color")),
        (json!({ "shape": "circle", "color": "" }), StatusCode::UNPROCESSABLE_ENTITY, Some("color")),
        (json!({ "color": "red" }), StatusCode::UNPROCESSABLE_ENTITY, Some("shape")),
        (json!({ "shape": "circle" }), StatusCode::UNPROCESSABLE_ENTITY, Some("color")),
        (json!({ "shape": 7, "color": "red" }), StatusCode::UNPROCESSABLE_ENTITY, Some("shape")),
        (json!({ "shape": "circle", "color": ["red"] }), StatusCode::UNPROCESSABLE_ENTITY, Some("color")),
        (json!(["circle", "red"]), StatusCode::UNPROCESSABLE_ENTITY, None),
        (json!({ "shape": "circle", "color": "x".repeat(17 * 1024) }), StatusCode::PAYLOAD_TOO_LARGE, None),
    ];
    for (body, status, field) in cases {
        let response = eve.post(&url).json(&body).send().await.expect("request");
        let shown = body.to_string().chars().take(60).collect::<String>();
        assert_eq!(response.status(), status, "{shown}");
        let error = error_of(response).await;
        if let Some(field) = field {
            assert_eq!(error["field"], field, "{shown}");
        }
    }
    let not_json = eve.post(&url).header("content-type", "application/json").body("{\"shape\":").send().await;
    assert_eq!(not_json.expect("request").status(), StatusCode::BAD_REQUEST);
    let wrong_type = eve.post(&url).header("content-type", "text/plain").body("circle red").send().await;
    assert_eq!(wrong_type.expect("request").status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert!(app.orders_of(&eve).await.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn a_priced_shape_waits_for_payment() {
    let app = TestApp::spawn().await;
    let fin = app.signed_in_user("fin@example.com").await;
    let response = app.order(&fin, "voronoi", "darkorange").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.expect("json");
    assert_eq!(order["status"], "awaiting_payment");
    assert_eq!(order["price_cents"], 500);
    let picture =
        app.get(&fin, &format!("/api/v1/orders/{}/picture", order["id"].as_str().expect("id"))).await;
    assert_eq!(picture.status(), StatusCode::NOT_FOUND, "no picture before it is drawn");
}

#[tokio::test]
async fn an_order_left_queued_when_the_app_stopped_is_drawn_after_restart() {
    // A web-only process takes the order but never draws it.
    let web_only = TestApp::spawn_with(tempfile::tempdir().expect("dir"), &["--role", "web"]).await;
    let gil = web_only.signed_in_user("gil@example.com").await;
    let order: Value = web_only.order(&gil, "square", "gold").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let still: Value = web_only.get(&gil, &format!("/api/v1/orders/{id}")).await.json().await.expect("json");
    assert_eq!(still["status"], "queued");
    let data_dir = web_only.stop().await;

    let restarted = TestApp::spawn_in(data_dir).await;
    let gil = TestApp::browser();
    restarted.sign_in(&gil, "gil@example.com", support::PASSWORD).await;
    restarted.wait_for_status(&gil, &id, "done").await;
}

#[tokio::test]
async fn an_order_cut_off_while_drawing_is_drawn_after_restart() {
    let slow =
        TestApp::spawn_with(tempfile::tempdir().expect("dir"), &["--test-draw-delay-ms", "60000"]).await;
    let hal = slow.signed_in_user("hal@example.com").await;
    let order: Value = slow.order(&hal, "circle", "crimson").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    slow.wait_for_status(&hal, &id, "in_progress").await;
    let data_dir = slow.stop().await;

    let restarted = TestApp::spawn_in(data_dir).await;
    let hal = TestApp::browser();
    restarted.sign_in(&hal, "hal@example.com", support::PASSWORD).await;
    let done = restarted.wait_for_status(&hal, &id, "done").await;
    let png =
        restarted.get(&hal, done["picture_url"].as_str().expect("url")).await.bytes().await.expect("png");
    assert_eq!(restarted.stored_pictures().await, 1, "exactly one stored picture");
    assert!(png.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn a_queued_order_wakes_the_idle_worker_instead_of_waiting_for_its_next_look() {
    // The idle worker looks for jobs once a minute (and apalis' heartbeat wakes it every
    // 30 s), longer than wait_for_status waits: each order is drawn only because queueing
    // it woke the worker.
    let app = TestApp::spawn_with(tempfile::tempdir().expect("dir"), &["--queue-poll-ms", "60000"]).await;
    let kim = app.signed_in_user("kim@example.com").await;
    for color in ["navy", "olive", "plum"] {
        let order: Value = app.order(&kim, "square", color).await.json().await.expect("json");
        let id = order["id"].as_str().expect("id");
        app.wait_for_status(&kim, id, "done").await;
    }
}

#[tokio::test]
async fn the_same_job_delivered_twice_draws_one_picture() {
    let app = TestApp::spawn().await;
    let ivy = app.signed_in_user("ivy@example.com").await;
    let order: Value = app.order(&ivy, "circle", "indigo").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    let done = app.wait_for_status(&ivy, id, "done").await;
    let first = app.get(&ivy, done["picture_url"].as_str().expect("url")).await.bytes().await.expect("png");

    app.redeliver(id).await;
    let after = app.get(&ivy, done["picture_url"].as_str().expect("url")).await.bytes().await.expect("png");
    assert_eq!(first, after);
    let again: Value = app.get(&ivy, &format!("/api/v1/orders/{id}")).await.json().await.expect("json");
    assert_eq!(again["updated_at"], done["updated_at"], "a finished order does not move");
    assert_eq!(app.stored_pictures().await, 1);
}

#[tokio::test]
async fn the_sweep_removes_finished_jobs_from_the_queue_storage() {
    let app = TestApp::spawn_with(
        tempfile::tempdir().expect("dir"),
        &["--keep-finished-secs", "3", "--sweep-secs", "1"],
    )
    .await;
    let ada = app.signed_in_user("ada@example.com").await;
    let order: Value = app.order(&ada, "square", "teal").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&ada, id, "done").await;
    assert_eq!(app.draw_job_records().await, 1, "a finished job is kept for a while");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.draw_job_records().await > 0 {
        assert!(std::time::Instant::now() < deadline, "the finished job was never removed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let order: Value = app.get(&ada, &format!("/api/v1/orders/{id}")).await.json().await.expect("json");
    assert_eq!(order["status"], "done", "removing the job leaves the order as it was");
}

#[tokio::test]
async fn the_same_job_delivered_twice_at_once_draws_one_picture_and_sends_one_ready_mail() {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    // Each delivery waits a moment after it is taken, so both are under way together.
    let app = TestApp::spawn_with(
        tempfile::tempdir().expect("dir"),
        &["--smtp-url", &smtp, "--test-pause-after-fetch-ms", "400"],
    )
    .await;
    let client = app.signed_in_user("twice@example.com").await;
    let order: Value = app.order(&client, "circle", "olive").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id").to_owned();
    app.redeliver(&id).await;
    app.wait_for_status(&client, &id, "done").await;

    assert_eq!(app.stored_pictures().await, 1, "one picture");
    sink.wait_for("Your picture is ready").await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(sink.count("Your picture is ready"), 1, "one ready mail");
}

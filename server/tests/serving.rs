//! What the browser is sent: pages and JSON compressed when it takes it (never pictures or
//! event streams), the bundle precompressed when the build made `.br`/`.gz` files, and how
//! long each may be kept.

mod support;

use reqwest::{Response, StatusCode, header};
use std::io::Read as _;
use support::TestApp;

/// A file of the bundle whose name carries its content hash.
const HASHED: &str = "pkg/let-them-draw.3OSTXgD0fmPaE-vL7_SQ0A.wasm";

/// A site directory with a hashed bundle file (and its brotli copy) and a favicon.
fn site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg");
    std::fs::write(site.path().join(HASHED), b"\0asm plain").expect("wasm");
    std::fs::write(site.path().join(format!("{HASHED}.br")), b"brotli bytes").expect("br");
    std::fs::write(site.path().join("favicon.svg"), b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        .expect("svg");
    site
}

async fn spawn(site: &tempfile::TempDir) -> TestApp {
    let data = tempfile::tempdir().expect("dir");
    let root = site.path().display().to_string();
    TestApp::spawn_with(data, &["--site-root", &root]).await
}

fn header_of(response: &Response, name: header::HeaderName) -> String {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
}

async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str, encodings: &str) -> Response {
    let response = client.get(app.url(path)).header(header::ACCEPT_ENCODING, encodings).send().await;
    response.unwrap_or_else(|error| panic!("GET {path}: {error}"))
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("gzip");
    text
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut text = String::new();
    brotli::Decompressor::new(bytes, 4096).read_to_string(&mut text).expect("brotli");
    text
}

#[tokio::test]
async fn pages_are_compressed_and_asked_for_again_each_time() {
    let site = site();
    let app = spawn(&site).await;
    let page = fetch(&app, &app.client, "/", "br, gzip").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header_of(&page, header::CONTENT_ENCODING), "br");
    assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
    let html = unbrotli(&page.bytes().await.expect("body"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Let Them Draw"), "{html}");

    let gzipped = fetch(&app, &app.client, "/", "gzip").await;
    assert_eq!(header_of(&gzipped, header::CONTENT_ENCODING), "gzip");
    assert!(gunzip(&gzipped.bytes().await.expect("body")).contains("Let Them Draw"));

    let plain = fetch(&app, &app.client, "/", "identity").await;
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    assert!(plain.text().await.expect("body").contains("Let Them Draw"));
}

#[tokio::test]
async fn json_is_compressed_and_keeps_its_own_caching() {
    let site = site();
    let app = spawn(&site).await;
    let client = app.signed_in_user("squeezed@example.com").await;
    for color in ["red", "green", "blue", "teal", "navy", "gold"] {
        assert_eq!(app.order(&client, "square", color).await.status(), StatusCode::CREATED);
    }
    let list = fetch(&app, &client, "/api/v1/orders", "gzip").await;
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(header_of(&list, header::CONTENT_ENCODING), "gzip");
    assert_eq!(header_of(&list, header::CACHE_CONTROL), "", "the API's answers say for themselves");
    let orders: serde_json::Value =
        serde_json::from_str(&gunzip(&list.bytes().await.expect("body"))).expect("json");
    assert_eq!(orders["orders"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn pictures_and_event_streams_are_sent_as_they_are() {
    let site = site();
    let app = spawn(&site).await;
    let client = app.signed_in_user("as-is@example.com").await;
    let order: serde_json::Value = app.order(&client, "circle", "teal").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    let done = app.wait_for_status(&client, id, "done").await;

    let picture = fetch(&app, &client, done["picture_url"].as_str().expect("url"), "br, gzip").await;
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(header_of(&picture, header::CONTENT_ENCODING), "");
    assert!(picture.bytes().await.expect("png").starts_with(b"\x89PNG"));

    // The stream of a done order tells "done" and ends.
    let events = fetch(&app, &client, &format!("/api/v1/orders/{id}/events"), "br, gzip").await;
    assert_eq!(header_of(&events, header::CONTENT_TYPE), "text/event-stream");
    assert_eq!(header_of(&events, header::CONTENT_ENCODING), "");
    assert!(events.text().await.expect("body").contains("done"));
}

#[tokio::test]
async fn hashed_bundle_files_are_kept_for_good_and_sent_precompressed() {
    let site = site();
    let app = spawn(&site).await;
    let path = format!("/{HASHED}");
    let compressed = fetch(&app, &app.client, &path, "br, gzip").await;
    assert_eq!(compressed.status(), StatusCode::OK);
    assert_eq!(header_of(&compressed, header::CONTENT_ENCODING), "br");
    assert_eq!(header_of(&compressed, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert_eq!(
        compressed.bytes().await.expect("body").as_ref(),
        b"brotli bytes",
        "the file made at build time"
    );

    let plain = fetch(&app, &app.client, &path, "identity").await;
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    assert_eq!(plain.bytes().await.expect("body").as_ref(), b"\0asm plain");

    // A name without a hash may change its content: asked for again each time.
    let icon = fetch(&app, &app.client, "/favicon.svg", "gzip").await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(header_of(&icon, header::CACHE_CONTROL), "no-cache");
    let missing = fetch(&app, &app.client, "/pkg/let-them-draw.AAAAAAAAAAAAAAAAAAAAAA.js", "gzip").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header_of(&missing, header::CACHE_CONTROL), "no-cache", "a 404 is not kept");
}

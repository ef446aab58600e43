//! Security checks a browser or an attacker can observe: other people's orders stay hidden,
//! cross-site writes are refused, cookies and response headers carry the right flags, and
//! oversized bodies are refused.

mod support;

use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use support::{PASSWORD, TestApp, error_of};

const MISSING: &str = "00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn every_route_about_an_order_answers_404_to_another_user_as_for_a_missing_order() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in_user("owner@example.com").await;
    let order: Value = app.order(&owner, "circle", "navy").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&owner, id, "done").await;
    let priced: Value = app.order(&owner, "voronoi", "teal").await.json().await.expect("json");
    let session = priced["checkout_url"].as_str().and_then(|url| url.rsplit('/').next()).expect("session");

    let stranger = app.signed_in_user("stranger@example.com").await;
    let api = [
        format!("/api/v1/orders/{id}"),
        format!("/api/v1/orders/{id}/picture"),
        format!("/api/v1/orders/{id}/events"),
        format!("/api/fn/order?id={id}"),
        format!("/api/fn/simulated_checkout?session_id={session}"),
    ];
    for path in &api {
        let response = app.get(&stranger, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let other = app.get(&stranger, &path.replace(id, MISSING).replace(session, "cs_sim_missing")).await;
        assert_eq!(other.status(), StatusCode::NOT_FOUND, "{path} for a missing order");
        assert_eq!(response.text().await.expect("body"), other.text().await.expect("body"), "{path}");
    }
    for path in [format!("/orders/{id}"), format!("/checkout/simulated/{session}")] {
        let response = app.get(&stranger, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = response.text().await.expect("page");
        assert!(body.contains("Not found"), "{path} shows the not-found page");
        assert!(!body.contains("navy") && !body.contains("teal"), "{path} leaks nothing of the order");
    }
    // Nor can the stranger pay, retry or see the order in their list.
    let paid = stranger
        .post(app.url("/api/fn/finish_simulated_checkout"))
        .form(&[("session_id", session), ("choice", "pay")])
        .send()
        .await
        .expect("request");
    assert_eq!(paid.status(), StatusCode::NOT_FOUND);
    let list: Value = app.get(&stranger, "/api/v1/orders").await.json().await.expect("json");
    assert_eq!(list["orders"], json!([]));
    let owners: Value = app
        .get(&owner, &format!("/api/v1/orders/{}", priced["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(owners["status"], "awaiting_payment", "the stranger paid nothing");
}

/// A browser's request from another site, as `fetch` or a form on evil.example sends it.
fn cross_site(client: &Client, url: String, modern: bool) -> reqwest::RequestBuilder {
    let request = client.post(url).header(header::ORIGIN, "https://evil.example");
    if modern { request.header("sec-fetch-site", "cross-site") } else { request }
}

#[tokio::test]
async fn cross_site_writes_to_the_api_and_server_functions_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let victim = app.signed_in_user("victim@example.com").await;
    for modern in [true, false] {
        let api = cross_site(&victim, app.url("/api/v1/orders"), modern)
            .json(&json!({ "shape": "circle", "color": "red" }))
            .send()
            .await
            .expect("request");
        assert_eq!(api.status(), StatusCode::FORBIDDEN, "API, Sec-Fetch-Site sent: {modern}");
        assert_eq!(error_of(api).await["code"], "forbidden");

        let form = cross_site(&victim, app.url("/api/fn/create_order"), modern)
            .form(&[("shape", "circle"), ("color", "red")])
            .send()
            .await
            .expect("request");
        assert_eq!(form.status(), StatusCode::FORBIDDEN, "server function, Sec-Fetch-Site sent: {modern}");

        let sign_out =
            cross_site(&victim, app.url("/api/fn/sign_out"), modern).send().await.expect("request");
        assert_eq!(sign_out.status(), StatusCode::FORBIDDEN);
    }
    let sibling = victim
        .post(app.url("/api/v1/orders"))
        .header("sec-fetch-site", "same-site")
        .json(&json!({ "shape": "circle", "color": "red" }))
        .send()
        .await
        .expect("request");
    assert_eq!(sibling.status(), StatusCode::FORBIDDEN, "a sibling subdomain is another site too");
    let list: Value = app.get(&victim, "/api/v1/orders").await.json().await.expect("json");
    assert_eq!(list["orders"], json!([]), "nothing was ordered");
    assert_eq!(app.whoami(&victim).await.as_deref(), Some("victim@example.com"), "still signed in");

    // The site's own pages, and programs that send neither header, go through.
    let own = victim
        .post(app.url("/api/v1/orders"))
        .header(header::ORIGIN, app.url(""))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "shape": "circle", "color": "red" }))
        .send()
        .await
        .expect("request");
    assert_eq!(own.status(), StatusCode::CREATED);
    let old_browser = victim
        .post(app.url("/api/v1/orders"))
        .header(header::ORIGIN, app.url(""))
        .json(&json!({ "shape": "square", "color": "red" }))
        .send()
        .await
        .expect("request");
    assert_eq!(old_browser.status(), StatusCode::CREATED, "an Origin equal to the site's");
    assert_eq!(app.order(&victim, "circle", "blue").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_stripe_webhook_is_exempt_from_the_origin_check_but_its_signature_is_checked() {
    let app = TestApp::spawn().await;
    let forged = cross_site(&TestApp::browser(), app.url("/api/v1/stripe/webhook"), true)
        .header("content-type", "application/json")
        .header("stripe-signature", "t=1,v1=00")
        .body(r#"{"id":"evt_forged","type":"checkout.session.completed"}"#)
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST, "refused for its signature, not its origin");
    assert_eq!(error_of(forged).await["code"], "bad_request");
}

/// The nonce a page's policy allows for its scripts.
fn script_nonce(policy: &str) -> String {
    policy
        .split(';')
        .find_map(|directive| directive.trim().strip_prefix("script-src "))
        .and_then(|sources| sources.split(' ').find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\'')))
        .unwrap_or_else(|| panic!("a script nonce in {policy}"))
        .to_owned()
}

/// Fetches a page; returns its status, its policy and every nonce its scripts carry (one
/// per script).
async fn page_policy_and_script_nonces(
    app: &TestApp,
    client: &Client,
    path: &str,
) -> (StatusCode, String, Vec<String>) {
    let page = app.get(client, path).await;
    let status = page.status();
    let policy = page.headers()[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii").to_owned();
    let html = page.text().await.expect("html");
    let nonces = html
        .split("<script")
        .skip(1)
        .map(|tag| {
            let attributes = tag.split('>').next().unwrap_or_default();
            attributes
                .split("nonce=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("(none)")
                .to_owned()
        })
        .collect();
    (status, policy, nonces)
}

#[tokio::test]
async fn pages_send_a_content_security_policy_whose_nonce_is_on_their_scripts() {
    let app = TestApp::spawn().await;
    let (status, policy, scripts) = page_policy_and_script_nonces(&app, &TestApp::browser(), "/").await;
    assert_eq!(status, StatusCode::OK);
    let nonce = script_nonce(&policy);
    assert!(nonce.len() >= 16, "{nonce}");
    for directive in
        ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"]
    {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(
        !policy.contains("'unsafe-eval'") && !policy.contains("script-src 'self' 'unsafe-inline'"),
        "{policy}"
    );
    assert!(!scripts.is_empty(), "the page has hydration scripts");
    assert!(
        scripts.iter().all(|script| *script == nonce),
        "every inline script carries {nonce}: {scripts:?}"
    );

    let (_, policy_again, _) = page_policy_and_script_nonces(&app, &TestApp::browser(), "/").await;
    assert_ne!(policy, policy_again, "a new nonce for every response");

    // Anything but a page allows no inline script at all.
    let shapes = app.get(&TestApp::browser(), "/api/v1/shapes").await;
    let policy = shapes.headers()[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"), "{policy}");
}

#[tokio::test]
async fn many_pages_rendered_at_once_each_allow_exactly_their_own_scripts() {
    // A browser blocks every script of a page whose policy misses its nonce, and the page
    // never comes alive: check it on pages rendered side by side, signed in and out.
    let app = TestApp::spawn().await;
    let signed_in = app.signed_in_user("nonces@example.com").await;
    let signed_out = TestApp::browser();
    let paths = ["/", "/signup", "/signin", "/orders/new", "/orders", "/no-such-page"];
    // Signed-out visitors are sent from the order pages to sign in: those only signed in.
    let loads = (0..8)
        .flat_map(|round| paths.iter().map(move |path| (round % 2 == 0, *path)))
        .filter(|(signed, path)| *signed || !path.starts_with("/orders"));
    let results = futures::future::join_all(loads.map(|(signed, path)| {
        let client = if signed { &signed_in } else { &signed_out };
        let app = &app;
        async move { (path, page_policy_and_script_nonces(app, client, path).await) }
    }))
    .await;
    let mut seen = std::collections::HashSet::new();
    for (path, (status, policy, scripts)) in results {
        let expected = if path == "/no-such-page" { StatusCode::NOT_FOUND } else { StatusCode::OK };
        assert_eq!(status, expected, "{path}");
        let nonce = script_nonce(&policy);
        assert!(!scripts.is_empty(), "{path} has scripts");
        assert!(
            scripts.iter().all(|script| *script == nonce),
            "{path}: policy {policy}, scripts {scripts:?}"
        );
        assert!(seen.insert(nonce), "{path}: a nonce used twice");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("headers@example.com").await;
    let order: Value = app.order(&client, "square", "olive").await.json().await.expect("json");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&client, id, "done").await;
    for path in [
        "/".to_owned(),
        "/orders".to_owned(),
        "/no/such/page".to_owned(),
        "/api/v1/shapes".to_owned(),
        "/api/v1/nothing".to_owned(),
        format!("/api/v1/orders/{id}/picture"),
        "/api/fn/shapes".to_owned(),
    ] {
        let response = app.get(&client, &path).await;
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "strict-origin-when-cross-origin", "{path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "{path}: no HSTS over plain http");
    }
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure_host_only_and_hsts_is_sent() {
    let data_dir = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data_dir, &["--public-url", "https://draw.example.com"]).await;
    let client = TestApp::browser();
    app.confirmed_account(&client, "tls@example.com").await;
    let signed_in = app.sign_in(&client, "tls@example.com", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::NO_CONTENT);
    assert_eq!(signed_in.headers()[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    let cookie = signed_in.headers()[header::SET_COOKIE].to_str().expect("ascii").to_owned();
    assert!(cookie.starts_with("__Host-ltd_session="), "{cookie}");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.split("; ").any(|part| part == flag), "{flag} missing from {cookie}");
    }
    assert!(!cookie.contains("Domain="), "__Host- cookies have no Domain: {cookie}");
    // The public URL is this site's origin for the cross-site check.
    let own = client
        .post(app.url("/api/v1/accounts"))
        .header(header::ORIGIN, "https://draw.example.com")
        .json(&json!({ "email": "tls2@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("request");
    assert_eq!(own.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413_everywhere() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("big@example.com").await;
    let big = "x".repeat(3 * 1024 * 1024);
    let form = client
        .post(app.url("/api/fn/create_order"))
        .form(&[("shape", "circle"), ("color", big.as_str())])
        .send()
        .await
        .expect("request");
    assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE, "server function");
    let api = client
        .post(app.url("/api/v1/orders"))
        .json(&json!({ "shape": "circle", "color": big }))
        .send()
        .await
        .expect("request");
    assert_eq!(api.status(), StatusCode::PAYLOAD_TOO_LARGE, "API");
    assert_eq!(error_of(api).await["code"], "payload_too_large");
    let webhook = app.deliver(big.as_bytes(), Some("t=1,v1=00")).await;
    assert_eq!(webhook.status(), StatusCode::PAYLOAD_TOO_LARGE, "webhook");
    let list: Value = app.get(&client, "/api/v1/orders").await.json().await.expect("json");
    assert_eq!(list["orders"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn the_mail_outbox_answers_only_admins_when_the_server_listens_beyond_this_machine() {
    let data = tempfile::tempdir().expect("dir");
    let app = TestApp::spawn_with(data, &["--site-addr", "0.0.0.0:0"]).await;
    let client = app.signed_in_user("curious@example.com").await;
    let admin = app.signed_in_user("postmaster@example.com").await;
    let granted = server::accounts::set_admin(&app.database().await, "postmaster@example.com", true).await;
    assert!(granted.is_ok_and(|id| id.is_some()));

    for path in ["/dev/mail", "/dev/mail.json"] {
        let anonymous = TestApp::browser().get(app.url(path)).send().await.expect("get");
        assert_eq!(anonymous.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(app.get(&client, path).await.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(app.get(&admin, path).await.status(), StatusCode::OK, "{path}");
    }
    let mails: Vec<Value> = app.get(&admin, "/dev/mail.json").await.json().await.expect("json");
    assert!(mails.iter().any(|mail| mail["to"] == "curious@example.com"), "{mails:?}");
}

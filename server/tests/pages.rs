//! The sign-up and sign-in forms as a browser without JavaScript posts them.

mod support;

use reqwest::{StatusCode, header};
use support::{PASSWORD, TestApp};

async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
    from: &str,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url(from))
        .form(form)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn the_plain_sign_up_form_asks_for_the_mailed_link_then_signs_in() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let response = post_form(
        &app,
        &client,
        "/api/fn/sign_up",
        &[("email", "hana@example.com"), ("password", PASSWORD)],
        "/signup",
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[header::LOCATION].to_str().expect("ascii").to_owned();
    assert_eq!(location, "/accounts/confirm?notice=signed-up&email=hana%40example.com");
    assert_eq!(app.whoami(&client).await, None, "signed in only once confirmed");
    let page = client.get(app.url(&location)).send().await.expect("request").text().await.expect("html");
    assert!(page.contains("Check your mail"), "{page}");

    let mail = app.wait_for_mail("hana@example.com", "Confirm your e-mail address").await;
    let link = support::link_in(mail["text"].as_str().expect("text"), &app.url("/accounts/confirm?"));
    let code = support::query_param(&link, "code");
    let form = [("email", "hana@example.com"), ("code", code.as_str())];
    let confirmed = post_form(&app, &client, "/api/fn/confirm_account", &form, "/accounts/confirm").await;
    assert_eq!(confirmed.headers()[header::LOCATION], "/signin?notice=confirmed&email=hana%40example.com");
    let form = [("email", "hana@example.com"), ("password", PASSWORD)];
    let signed_in = post_form(&app, &client, "/api/fn/sign_in", &form, "/signin").await;
    assert_eq!(signed_in.headers()[header::LOCATION], "/");
    assert_eq!(app.whoami(&client).await.as_deref(), Some("hana@example.com"));

    let home = client.get(app.url("/")).send().await.expect("request").text().await.expect("html");
    assert!(home.contains("hana@example.com"), "the header shows who is signed in");
    assert!(home.contains("Sign out"));
}

#[tokio::test]
async fn a_refused_plain_form_comes_back_with_the_error_on_the_page() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let response = post_form(
        &app,
        &client,
        "/api/fn/sign_up",
        &[("email", "ivy@example.com"), ("password", "short")],
        "/signup",
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[header::LOCATION].to_str().expect("ascii").to_owned();
    assert!(location.contains("/signup?") && location.contains("__err="), "{location}");

    let page = client.get(location).send().await.expect("request").text().await.expect("html");
    assert!(
        page.contains("password must be 8 to 128 characters long"),
        "the error is shown next to the field"
    );
    assert_eq!(app.whoami(&client).await, None);
}

#[tokio::test]
async fn sign_in_returns_to_a_local_next_page_only() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    app.confirmed_account(&client, "jo@example.com").await;
    let form = [("email", "jo@example.com"), ("password", PASSWORD), ("next", "/orders/abc")];
    let response = post_form(&app, &client, "/api/fn/sign_in", &form, "/signin?next=/orders/abc").await;
    assert_eq!(response.headers()[header::LOCATION], "/orders/abc");

    let other = TestApp::browser();
    let form = [("email", "jo@example.com"), ("password", PASSWORD), ("next", "https://evil.example/")];
    let response = post_form(&app, &other, "/api/fn/sign_in", &form, "/signin").await;
    assert_eq!(response.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn server_function_errors_carry_their_own_status() {
    let app = TestApp::spawn().await;
    let client = TestApp::browser();
    let response = client
        .post(app.url("/api/fn/sign_in"))
        .form(&[("email", "nobody@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let missing = client.post(app.url("/api/fn/sign_in")).form(&[("email", "x@example.com")]).send().await;
    assert_eq!(missing.expect("request").status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_not_found_page_still_knows_who_is_signed_in() {
    let app = TestApp::spawn().await;
    let client = app.signed_in_user("lost@example.com").await;
    let response = client.get(app.url("/no/such/page")).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.expect("html");
    assert!(html.contains("lost@example.com"), "the header shows the account on the 404 page too");
}

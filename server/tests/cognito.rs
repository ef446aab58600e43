//! Signing in with Amazon Cognito, against moto's server (started by the test command,
//! which exports AWS_ENDPOINT_URL): sign-up, confirmation, sign-in with verified tokens,
//! refresh, global sign-out, password reset, and an order's mail to the token's e-mail.

mod support;

use aws_sdk_cognitoidentityprovider::{
    Client,
    types::{AuthFlowType, ExplicitAuthFlowsType, UsernameAttributeType, VerifiedAttributeType},
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestApp, error_of};

/// Meets moto's default password policy (upper, lower, digit, symbol).
const STRONG: &str = "Correct-Horse-9";

/// moto in us-east-1 (its GlobalSignOut works only there).
async fn cognito() -> (Client, String) {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL names moto's server: run these tests through ./scripts/test, which starts it",
    );
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .load()
        .await;
    (Client::new(&config), endpoint)
}

struct Pool {
    id: String,
    client_id: String,
    admin: Client,
}

impl Pool {
    /// The `sub` Cognito gave the user `email`.
    async fn sub_of(&self, email: &str) -> String {
        let user =
            self.admin.admin_get_user().user_pool_id(&self.id).username(email).send().await.expect("user");
        let sub = user.user_attributes().iter().find(|a| a.name() == "sub").and_then(|a| a.value());
        sub.expect("a sub").to_owned()
    }
}

/// A fresh user pool (e-mail as username, auto-verified) and app client, per test.
async fn new_pool() -> (Pool, String) {
    let (admin, endpoint) = cognito().await;
    let pool = admin
        .create_user_pool()
        .pool_name(format!("ltd-test-{}", uuid::Uuid::new_v4().simple()))
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("create the pool");
    let id = pool.user_pool().and_then(|p| p.id()).expect("pool id").to_owned();
    let client = admin
        .create_user_pool_client()
        .user_pool_id(&id)
        .client_name("let-them-draw")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        // The attributes the ID token carries (moto puts only these in it).
        .read_attributes("email")
        .read_attributes("email_verified")
        .send()
        .await
        .expect("create the client");
    let client_id = client.user_pool_client().and_then(|c| c.client_id()).expect("client id").to_owned();
    (Pool { id, client_id, admin }, endpoint)
}

/// The app signing in with that pool.
async fn app_on(pool: &Pool, endpoint: &str) -> TestApp {
    app_with(pool, endpoint, &[]).await
}

/// The app signing in with that pool, with more `serve` options.
async fn app_with(pool: &Pool, endpoint: &str, extra: &[&str]) -> TestApp {
    let jwks = format!("{endpoint}/{}/.well-known/jwks.json", pool.id);
    let data = tempfile::tempdir().expect("dir");
    let mut args = vec![
        "--cognito-user-pool-id",
        &pool.id,
        "--cognito-client-id",
        &pool.client_id,
        "--cognito-jwks-url",
        &jwks,
    ];
    args.extend_from_slice(extra);
    TestApp::spawn_with(data, &args).await
}

/// Signs up `email` and confirms it (moto takes any code it did not issue itself).
async fn confirmed_account(app: &TestApp, email: &str) {
    assert_eq!(app.create_account(&app.client, email, STRONG).await.status(), StatusCode::ACCEPTED);
    let body = json!({"email": email, "code": "000000"});
    assert_eq!(
        app.post_json(&app.client, "/api/v1/accounts/confirm", &body).await.status(),
        StatusCode::NO_CONTENT
    );
}

async fn session_tokens(app: &TestApp, email: &str) -> Vec<(Option<String>, Option<i64>, Option<String>)> {
    sqlx::query_as(
        "SELECT access_token, access_expires_at, refresh_token FROM sessions \
         WHERE user_id = (SELECT id FROM users WHERE email = $1) ORDER BY created_at",
    )
    .bind(email)
    .fetch_all(&app.database().await)
    .await
    .expect("sessions")
}

async fn refresh_works_at_cognito(pool: &Pool, refresh_token: &str) -> bool {
    pool.admin
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn sign_up_confirm_sign_in_refresh_and_sign_out_everywhere() {
    let (pool, endpoint) = new_pool().await;
    let app = app_on(&pool, &endpoint).await;
    let email = "cognito@example.com";

    let created = app.create_account(&app.client, email, STRONG).await;
    assert_eq!(created.status(), StatusCode::ACCEPTED);
    let sub = pool.sub_of(email).await;

    // Not before confirming: answered like a wrong password, with a word about confirming.
    let early = app.sign_in(&app.client, email, STRONG).await;
    assert_eq!(early.status(), StatusCode::UNAUTHORIZED);
    let message = error_of(early).await["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("not confirmed yet"), "{message}");

    let confirmed = app
        .post_json(&app.client, "/api/v1/accounts/confirm", &json!({"email": email, "code": "123456"}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);

    let laptop = TestApp::browser();
    let signed_in = app.sign_in(&laptop, email, STRONG).await;
    assert_eq!(signed_in.status(), StatusCode::NO_CONTENT);
    let cookie = signed_in.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert_eq!(app.whoami(&laptop).await.as_deref(), Some(email));
    let stored = session_tokens(&app, email).await;
    let (Some(access), Some(_), Some(refresh)) = stored[0].clone() else {
        panic!("Cognito's tokens are kept: {stored:?}")
    };
    // The tokens stay on the server: the browser only holds our opaque session id.
    assert!(!cookie.contains(&access) && !cookie.contains(&refresh) && cookie.len() < 120, "{cookie}");
    let user: (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.database().await)
        .await
        .expect("user");
    assert_eq!(user.0, sub, "our user is the Cognito sub");

    // An access token about to expire is renewed with the refresh token on the next request.
    sqlx::query("UPDATE sessions SET access_expires_at = 0")
        .execute(&app.database().await)
        .await
        .expect("age");
    assert_eq!(app.get(&laptop, "/api/v1/orders").await.status(), StatusCode::OK);
    let renewed = session_tokens(&app, email).await;
    let (Some(new_access), Some(expires_at), _) = renewed[0].clone() else { panic!("tokens") };
    assert_ne!(new_access, access, "a new access token");
    assert!(expires_at > support::stripe::now(), "valid again");

    // A second device; signing out on the laptop signs out everywhere (GlobalSignOut).
    let phone = TestApp::browser();
    assert_eq!(app.sign_in(&phone, email, STRONG).await.status(), StatusCode::NO_CONTENT);
    let signed_out = laptop.delete(app.url("/api/v1/sessions")).send().await.expect("sign out");
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&laptop, "/api/v1/orders").await.status(),
        StatusCode::UNAUTHORIZED,
        "the old session is gone"
    );
    assert!(!refresh_works_at_cognito(&pool, &refresh).await, "Cognito revoked the refresh token");
    // The phone's session ends as soon as its access token needs renewing.
    sqlx::query("UPDATE sessions SET access_expires_at = 0")
        .execute(&app.database().await)
        .await
        .expect("age");
    assert_eq!(app.get(&phone, "/api/v1/orders").await.status(), StatusCode::UNAUTHORIZED);
    assert!(session_tokens(&app, email).await.is_empty(), "no session is left");
}

#[tokio::test]
async fn cognito_errors_are_clear_and_name_their_fields() {
    let (pool, endpoint) = new_pool().await;
    let app = app_on(&pool, &endpoint).await;
    let weak = app.create_account(&app.client, "weak@example.com", "alllowercase").await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(weak).await["field"], "password");

    assert_eq!(
        app.create_account(&app.client, "twice@example.com", STRONG).await.status(),
        StatusCode::ACCEPTED
    );
    // A taken address gets the same answer; its owner is told by mail.
    let again = app.create_account(&app.client, "twice@example.com", "Another-Password-2").await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    app.wait_for_mail("twice@example.com", "Someone tried to sign up with your address").await;

    let body = json!({"email": "twice@example.com", "code": "1"});
    assert_eq!(
        app.post_json(&app.client, "/api/v1/accounts/confirm", &body).await.status(),
        StatusCode::NO_CONTENT
    );
    let wrong = app.sign_in(&app.client, "twice@example.com", "Wrong-Password-1").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let nobody = app.sign_in(&app.client, "nobody@example.com", STRONG).await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED, "unknown accounts look like wrong passwords");
}

#[tokio::test]
async fn a_cognito_user_orders_and_the_ready_mail_goes_to_the_email_in_the_token() {
    let (pool, endpoint) = new_pool().await;
    let app = app_on(&pool, &endpoint).await;
    let email = "painter@example.com";
    confirmed_account(&app, email).await;
    assert_eq!(app.sign_in(&app.client, email, STRONG).await.status(), StatusCode::NO_CONTENT);

    let order: Value = app.order(&app.client, "square", "crimson").await.json().await.expect("order");
    let id = order["id"].as_str().expect("id");
    app.wait_for_status(&app.client, id, "done").await;
    let mail = app.wait_for_mail(email, "Your picture is ready").await;
    assert!(mail["text"].as_str().expect("text").contains(&app.url(&format!("/orders/{id}"))));
}

#[tokio::test]
async fn a_forgotten_cognito_password_is_reset_with_the_code_and_old_sessions_end() {
    let (pool, endpoint) = new_pool().await;
    let app = app_on(&pool, &endpoint).await;
    let email = "reset@example.com";
    confirmed_account(&app, email).await;
    let old = TestApp::browser();
    assert_eq!(app.sign_in(&old, email, STRONG).await.status(), StatusCode::NO_CONTENT);

    let asked = app.post_json(&app.client, "/api/v1/accounts/password-reset", &json!({"email": email})).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let unknown = app
        .post_json(&app.client, "/api/v1/accounts/password-reset", &json!({"email": "x@example.com"}))
        .await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED, "unknown accounts are not revealed");
    // moto accepts any code that it did not issue itself.
    let reset = json!({"email": email, "code": "123456", "password": "Brand-New-Secret-2"});
    let done = app.post_json(&app.client, "/api/v1/accounts/password-reset/confirm", &reset).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&old, "/api/v1/orders").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&app.client, email, STRONG).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&app.client, email, "Brand-New-Secret-2").await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn only_one_of_pool_and_client_is_refused_at_start_up() {
    let data = tempfile::tempdir().expect("dir");
    let cli = <server::cli::Cli as clap::Parser>::parse_from([
        "let-them-draw",
        "--data-dir",
        &data.path().display().to_string(),
        "serve",
        "--site-addr",
        "127.0.0.1:0",
        "--cognito-user-pool-id",
        "us-east-1_abc",
    ]);
    let Some(server::cli::Command::Serve(web)) = cli.command else { panic!("serve") };
    let Err(error) = server::startup::Application::build(&cli.settings, &web).await else {
        panic!("a pool without a client must be refused")
    };
    assert!(format!("{error:#}").contains("COGNITO_CLIENT_ID"), "{error:#}");
}

/// Sets the user's `email_verified` attribute, which moto copies into its ID tokens.
async fn set_email_verified(pool: &Pool, email: &str, verified: bool) {
    let attribute = aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
        .name("email_verified")
        .value(verified.to_string())
        .build()
        .expect("attribute");
    pool.admin
        .admin_update_user_attributes()
        .user_pool_id(&pool.id)
        .username(email)
        .user_attributes(attribute)
        .send()
        .await
        .expect("update the attribute");
}

#[tokio::test]
async fn an_admin_address_makes_an_admin_only_once_cognito_says_it_is_verified() {
    let (pool, endpoint) = new_pool().await;
    let app = app_with(&pool, &endpoint, &["--admin-emails", "boss@example.com"]).await;
    let email = "boss@example.com";
    confirmed_account(&app, email).await;
    set_email_verified(&pool, email, false).await;
    let client = TestApp::browser();
    assert_eq!(app.sign_in(&client, email, STRONG).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&client, "/api/v1/admin/overview").await.status(), StatusCode::FORBIDDEN);

    set_email_verified(&pool, email, true).await;
    let verified = TestApp::browser();
    assert_eq!(app.sign_in(&verified, email, STRONG).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&verified, "/api/v1/admin/overview").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_account_page_changes_password_and_email_and_deletes_through_cognito() {
    let (pool, endpoint) = new_pool().await;
    let app = app_on(&pool, &endpoint).await;
    let email = "page@example.com";
    confirmed_account(&app, email).await;
    assert_eq!(app.sign_in(&app.client, email, STRONG).await.status(), StatusCode::NO_CONTENT);
    let phone = TestApp::browser();
    assert_eq!(app.sign_in(&phone, email, STRONG).await.status(), StatusCode::NO_CONTENT);

    // ChangePassword: Cognito checks the current password.
    let wrong = json!({ "current_password": "Wrong-Horse-9", "new_password": "Other-Horse-10" });
    let response = app.post_json(&app.client, "/api/v1/account/password", &wrong).await;
    assert_eq!(error_of(response).await["field"], "current_password");
    let change = json!({ "current_password": STRONG, "new_password": "Other-Horse-10" });
    let response = app.post_json(&app.client, "/api/v1/account/password", &change).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&phone, "/api/v1/orders").await.status(),
        StatusCode::UNAUTHORIZED,
        "other sessions end"
    );
    let fresh = TestApp::browser();
    assert_eq!(app.sign_in(&fresh, email, "Other-Horse-10").await.status(), StatusCode::NO_CONTENT);

    // UpdateUserAttributes: Cognito holds the new address and mails its code; the account
    // here keeps the old one until VerifyUserAttribute takes the code (moto's server does
    // not implement VerifyUserAttribute, so that step is not run here).
    let asked =
        app.post_json(&app.client, "/api/v1/account/email", &json!({ "email": "moved@example.com" })).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let users = pool.admin.list_users().user_pool_id(&pool.id).send().await.expect("list users");
    let emails: Vec<&str> = users
        .users()
        .iter()
        .flat_map(|u| u.attributes())
        .filter(|a| a.name() == "email")
        .filter_map(|a| a.value())
        .collect();
    assert_eq!(emails, ["moved@example.com"], "the new address went to Cognito");
    assert_eq!(app.whoami(&app.client).await.as_deref(), Some(email), "not here before the code");

    // DeleteUser, for another account: it is gone at Cognito too.
    let leaving = "leaving@example.com";
    confirmed_account(&app, leaving).await;
    let client = TestApp::browser();
    assert_eq!(app.sign_in(&client, leaving, STRONG).await.status(), StatusCode::NO_CONTENT);
    let wrong = client
        .delete(app.url("/api/v1/account"))
        .json(&json!({ "password": "Wrong-Horse-9" }))
        .send()
        .await
        .expect("delete");
    assert_eq!(error_of(wrong).await["field"], "password");
    let deleted = client
        .delete(app.url("/api/v1/account"))
        .json(&json!({ "password": STRONG }))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let users = pool.admin.list_users().user_pool_id(&pool.id).send().await.expect("list users");
    assert_eq!(users.users().len(), 1, "deleted at Cognito: {:?}", users.users());
    assert_eq!(app.sign_in(&TestApp::browser(), leaving, STRONG).await.status(), StatusCode::UNAUTHORIZED);
}

//! The OpenAPI document describes the routes that exist.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::TestApp;

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/openapi.json")).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let spec: Value = response.json().await.expect("json");
    assert_eq!(spec["openapi"], "3.1.0");
    let client = app.signed_in_user("spec@example.com").await;

    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 8, "{paths:?}");
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let url = app.url(&format!(
                "/api/v1{}",
                path.replace("{id}", "00000000-0000-0000-0000-000000000000")
                    .replace("{order_id}", "00000000-0000-0000-0000-000000000000")
                    .replace("{name}", "circle")
            ));
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let request =
                client.request(method.clone(), &url).header("content-type", "application/json").body("{}");
            // Event streams stay open, but their headers arrive at once; a hang is a failure.
            let response = tokio::time::timeout(std::time::Duration::from_secs(5), request.send())
                .await
                .unwrap_or_else(|_| panic!("{method} {path} did not answer within 5 s"))
                .expect("request");
            assert_ne!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(response.status().as_u16() < 500, "{method} {path}: {}", response.status());
            if response.status() == StatusCode::NOT_FOUND {
                let body: Value = response.json().await.expect("error json");
                assert_ne!(
                    body["error"]["code"], "no_such_route",
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

#[tokio::test]
async fn an_undocumented_path_is_no_such_route() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/nope")).await.expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "no_such_route");
    assert!(server::web::api::openapi_spec()["paths"].get("/nope").is_none());
}

//! `TestApp`: the real application on a free port with its own temporary data dir.

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

use clap::Parser;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use server::{cli::Cli, settings::WebSettings, startup::Application};
use std::net::SocketAddr;
use tempfile::TempDir;

pub struct TestApp {
    pub address: SocketAddr,
    pub data_dir: TempDir,
    /// A client that keeps cookies, like a browser.
    pub client: Client,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    /// Spawns the app on a fresh SQLite data dir.
    pub async fn spawn() -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::spawn_in(data_dir).await
    }

    /// Spawns the app on an existing data dir (to restart over the same data).
    pub async fn spawn_in(data_dir: TempDir) -> Self {
        let data = data_dir.path().display().to_string();
        let cli =
            Cli::parse_from(["let-them-draw", "--data-dir", &data, "serve", "--site-addr", "127.0.0.1:0"]);
        let web: WebSettings = match cli.command {
            Some(server::cli::Command::Serve(web)) => web,
            _ => unreachable!("parsed a serve command"),
        };
        let app = Application::build(&cli.settings, &web).await.expect("the app builds");
        let address = app.local_addr().expect("bound");
        let server = tokio::spawn(app.run(std::future::pending()));
        Self { address, data_dir, client: Self::browser(), server }
    }

    /// A new client with its own cookie jar: another person.
    pub fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn post_json(&self, client: &Client, path: &str, body: &Value) -> Response {
        client.post(self.url(path)).json(body).send().await.expect("request")
    }

    pub async fn create_account(&self, client: &Client, email: &str, password: &str) -> Response {
        self.post_json(client, "/api/v1/accounts", &json!({ "email": email, "password": password })).await
    }

    pub async fn sign_in(&self, client: &Client, email: &str, password: &str) -> Response {
        self.post_json(client, "/api/v1/sessions", &json!({ "email": email, "password": password })).await
    }

    /// Signs a new person up and in; returns their client.
    pub async fn signed_in_user(&self, email: &str) -> Client {
        let client = Self::browser();
        assert_eq!(self.create_account(&client, email, PASSWORD).await.status(), StatusCode::CREATED);
        assert_eq!(self.sign_in(&client, email, PASSWORD).await.status(), StatusCode::NO_CONTENT);
        client
    }

    /// The e-mail shown by the `me` server function, or `None` when signed out.
    pub async fn whoami(&self, client: &Client) -> Option<String> {
        let response = client.get(self.url("/api/fn/me")).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("json");
        body.get("email").and_then(Value::as_str).map(str::to_owned)
    }

    /// Stops the server and hands back its data dir.
    pub async fn stop(self) -> TempDir {
        self.server.abort();
        let _ = self.server.await;
        self.data_dir
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// The `{"error": {...}}` body of a refused request.
pub async fn error_of(response: Response) -> Value {
    let body: Value = response.json().await.expect("error JSON");
    body.get("error").cloned().unwrap_or_else(|| panic!("no error object in {body}"))
}

//! `TestApp`: the real application on a free port with its own temporary data dir.

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

pub mod backends;
pub mod smtp;
pub mod stripe;

pub use backends::Backends;

use clap::Parser;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use server::{cli::Cli, settings::WebSettings, startup::Application};
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};
use tempfile::TempDir;

pub struct TestApp {
    pub address: SocketAddr,
    pub data_dir: TempDir,
    /// A client that keeps cookies, like a browser.
    pub client: Client,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// This app's Redis namespace, shared with apps spawned beside it.
    pub redis_prefix: String,
    /// The Redis the app's queue and events run on, if any.
    pub redis_url: Option<String>,
    /// The data dir whose database, queue and pictures this app uses (its own, or the one
    /// of the app it was spawned beside).
    shared_data: PathBuf,
    pub database_url: String,
    /// The S3 bucket of the pictures, when they are not in the data dir.
    bucket: Option<String>,
    /// What this app's mail worker sent and gave up on.
    pub mail: std::sync::Arc<server::mail::Delivery>,
    /// The mailed codes can be read from the outbox: it has one (no SMTP), sends its mail
    /// itself (not a web-only instance, whose mail a worker sends) and shows it to anyone
    /// (it listens on the loopback address only).
    codes_in_outbox: bool,
}

/// A Redis key prefix no other test uses.
pub fn unique_prefix() -> String {
    format!("ltd-test-{}", uuid::Uuid::new_v4().simple())
}

impl TestApp {
    /// Spawns the app on a fresh SQLite data dir.
    pub async fn spawn() -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::spawn_in(data_dir).await
    }

    /// Spawns the app on an existing data dir (to restart over the same data).
    pub async fn spawn_in(data_dir: TempDir) -> Self {
        Self::spawn_with(data_dir, &[]).await
    }

    /// Spawns the app with extra `serve` arguments, e.g. `["--role", "web"]`.
    pub async fn spawn_with(data_dir: TempDir, serve_args: &[&str]) -> Self {
        let data = data_dir.path().to_owned();
        Self::spawn_on(data_dir, &data, serve_args).await
    }

    /// Another instance over the same database, queue and pictures (and Redis prefix), like
    /// a second process of one deployment.
    pub async fn spawn_beside(&self, serve_args: &[&str]) -> Self {
        let own = tempfile::tempdir().expect("temp dir");
        Self::spawn_on(own, &self.shared_data, serve_args).await
    }

    /// Runs the app on the backends of [`Backends::from_env`]; the resources on shared
    /// engines (database, Redis prefix, bucket) are named after the data dir `data`.
    async fn spawn_on(data_dir: TempDir, data: &Path, serve_args: &[&str]) -> Self {
        // `RUST_LOG=... cargo test` shows the server's logs (on stderr).
        if std::env::var_os("RUST_LOG").is_some() {
            server::platform::telemetry::init(server::settings::LogFormat::Text);
        }
        let backends = Backends::from_env();
        let resources = backends.resources(data).await;
        let mut args = vec!["let-them-draw".to_owned(), "--data-dir".into(), data.display().to_string()];
        if let Some(resources) = &resources {
            args.extend(["--database-url".into(), resources.database_url.clone()]);
        }
        args.push("serve".into());
        if !serve_args.contains(&"--site-addr") {
            args.extend(["--site-addr".into(), "127.0.0.1:0".into()]);
        }
        let explicit = serve_args.contains(&"--redis-url");
        if let (Some(redis), Some(resources), false) = (backends.redis_url(), &resources, explicit) {
            args.extend([
                "--redis-url".into(),
                redis.to_owned(),
                "--redis-prefix".into(),
                resources.redis_prefix.clone(),
            ]);
        }
        if let (Some(resources), false) = (&resources, serve_args.contains(&"--storage")) {
            args.extend(["--storage".into(), format!("s3://{}/pictures", resources.bucket)]);
        }
        // Every test client signs up from 127.0.0.1: a test of that limit sets its own.
        if !serve_args.contains(&"--sign-ups-per-address") {
            args.extend(["--sign-ups-per-address".into(), "100000".into()]);
        }
        args.extend(serve_args.iter().map(|a| (*a).to_owned()));
        let cli = Cli::parse_from(args);
        let web: WebSettings = match cli.command {
            Some(server::cli::Command::Serve(web)) => *web,
            _ => unreachable!("parsed a serve command"),
        };
        let app = Application::build(&cli.settings, &web).await.expect("the app builds");
        let address = app.local_addr().expect("bound");
        let mail = app.mail_delivery();
        let server = tokio::spawn(app.run(std::future::pending()));
        let (redis_url, redis_prefix) =
            (web.redis_url.as_ref().map(|url| url.expose().to_owned()), web.redis_prefix.clone());
        Self {
            address,
            data_dir,
            client: Self::browser(),
            server,
            redis_prefix,
            redis_url,
            shared_data: data.to_owned(),
            database_url: cli.settings.database_url().expose().to_owned(),
            bucket: resources.map(|r| r.bucket),
            mail,
            codes_in_outbox: !serve_args.contains(&"--smtp-url")
                && !serve_args.windows(2).any(|pair| {
                    pair == ["--role", "web"] || (pair[0] == "--site-addr" && !pair[1].starts_with("127."))
                }),
        }
    }

    /// A new client with its own cookie jar: another person. A request that gets no
    /// answer within 30 s fails rather than hanging the suite.
    pub fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        // A server listening on every address is reached on the loopback one.
        let mut address = self.address;
        if address.ip().is_unspecified() {
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{address}{path}")
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

    /// Signs a new person up, confirms their address with the mailed code and signs them
    /// in; returns their client.
    pub async fn signed_in_user(&self, email: &str) -> Client {
        let client = Self::browser();
        self.confirmed_account(&client, email).await;
        assert_eq!(self.sign_in(&client, email, PASSWORD).await.status(), StatusCode::NO_CONTENT);
        client
    }

    /// Signs `email` up (password [`PASSWORD`]) and confirms it with the mailed code; when
    /// the code cannot be read here (SMTP, a web-only instance), the way `admin confirm` does.
    pub async fn confirmed_account(&self, client: &Client, email: &str) {
        assert_eq!(self.create_account(client, email, PASSWORD).await.status(), StatusCode::ACCEPTED);
        if !self.codes_in_outbox {
            let confirmed = server::accounts::confirm_address(&self.database().await, email).await;
            assert!(confirmed.is_ok_and(|found| found), "{email} is confirmed");
        } else {
            self.verify(client, email).await;
        }
    }

    /// Confirms `email` with the code of its "Confirm your e-mail address" mail. The
    /// address may have had such mails before (an account deleted and made again): the
    /// codes are tried newest first until one works, and the newest mail may still be on
    /// its way.
    pub async fn verify(&self, client: &Client, email: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let mails = self.outbox().await;
            let codes = mails
                .iter()
                .filter(|m| m["to"] == email && m["subject"] == "Confirm your e-mail address")
                .filter_map(|m| m["text"].as_str())
                // Any host: an app with a public URL links to it.
                .filter_map(|text| text.split_whitespace().find(|w| w.contains("/accounts/confirm?")))
                .map(|link| query_param(link, "code"));
            for code in codes {
                let body = serde_json::json!({"email": email, "code": code});
                let confirmed = self.post_json(client, "/api/v1/accounts/confirm", &body).await;
                if confirmed.status() == StatusCode::NO_CONTENT {
                    return;
                }
            }
            assert!(std::time::Instant::now() < deadline, "no mailed code confirmed {email} within 20 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// The e-mail shown by the `me` server function, or `None` when signed out.
    pub async fn whoami(&self, client: &Client) -> Option<String> {
        let response = client.get(self.url("/api/fn/me")).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("json");
        body.get("email").and_then(Value::as_str).map(str::to_owned)
    }

    /// The webhook secret the server generated for its data dir (no STRIPE_WEBHOOK_SECRET).
    pub fn webhook_secret(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("webhook-secret"))
            .expect("secret")
            .trim()
            .to_owned()
    }

    /// Posts a webhook delivery with the raw `body` and `signature` header.
    pub async fn deliver(&self, body: &[u8], signature: Option<&str>) -> Response {
        let mut request = reqwest::Client::new()
            .post(self.url("/api/v1/stripe/webhook"))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        request.send().await.expect("request")
    }

    /// An app that takes payments through Stripe's API at `fake`, its webhook signed with
    /// [`stripe::WEBHOOK_SECRET`], started with `extra` arguments too.
    pub async fn spawn_with_stripe(fake: &stripe::StripeFake, extra: &[&str]) -> Self {
        let data = tempfile::tempdir().expect("dir");
        let base = fake.base_url();
        let mut args = vec![
            "--stripe-secret-key",
            stripe::SECRET_KEY,
            "--stripe-api-base",
            &base,
            "--stripe-webhook-secret",
            stripe::WEBHOOK_SECRET,
        ];
        args.extend_from_slice(extra);
        Self::spawn_with(data, &args).await
    }

    /// Delivers `event` as Stripe does to an app of [`TestApp::spawn_with_stripe`].
    pub async fn deliver_from_stripe(&self, event: &Value) -> Response {
        let body = serde_json::to_vec(event).expect("json");
        let signature = stripe::signature(&body, stripe::WEBHOOK_SECRET, stripe::now());
        self.deliver(&body, Some(&signature)).await
    }

    /// Delivers `event`, signed now with the server's generated secret.
    pub async fn deliver_signed(&self, event: &Value) -> Response {
        let body = serde_json::to_vec(event).expect("json");
        let signature = stripe::signature(&body, &self.webhook_secret(), stripe::now());
        self.deliver(&body, Some(&signature)).await
    }

    /// A connection pool to the app's own database (SQLite or PostgreSQL).
    pub async fn database(&self) -> server::platform::db::Pool {
        server::platform::db::connect(&self.database_url).await.expect("the app's database")
    }

    /// How many pictures are stored (files in the data dir, or objects in the bucket).
    pub async fn stored_pictures(&self) -> usize {
        match &self.bucket {
            None => match std::fs::read_dir(self.shared_data.join("pictures/orders")) {
                Ok(entries) => entries.count(),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => 0,
                Err(error) => panic!("cannot list pictures: {error}"),
            },
            Some(bucket) => backends::stored_pictures(bucket).await,
        }
    }

    /// Stops the server and hands back its data dir.
    pub async fn stop(self) -> TempDir {
        self.server.abort();
        let _ = self.server.await;
        self.data_dir
    }
}

impl TestApp {
    /// `POST /api/v1/orders` as `client`.
    pub async fn order(&self, client: &Client, shape: &str, color: &str) -> Response {
        self.post_json(client, "/api/v1/orders", &json!({ "shape": shape, "color": color })).await
    }

    /// The first page (up to 100) of `client`'s orders, newest first.
    pub async fn orders_of(&self, client: &Client) -> Vec<Value> {
        let page: Value = self.get(client, "/api/v1/orders?limit=100").await.json().await.expect("json");
        page["orders"].as_array().cloned().unwrap_or_else(|| panic!("not a page of orders: {page}"))
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap_or_else(|error| panic!("GET {path}: {error}"))
    }

    /// Polls the order until its status is `status` (at most 20 s).
    pub async fn wait_for_status(&self, client: &Client, id: &str, status: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let order: Value =
                self.get(client, &format!("/api/v1/orders/{id}")).await.json().await.expect("json");
            if order["status"] == status {
                return order;
            }
            assert!(std::time::Instant::now() < deadline, "order {id} never became {status}: {order}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Reads the `status` events of an order's SSE stream until it closes (at most 20 s).
    pub async fn status_events(&self, client: &Client, id: &str) -> Vec<Value> {
        let response = self.get(client, &format!("/api/v1/orders/{id}/events")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let body = tokio::time::timeout(std::time::Duration::from_secs(20), response.text())
            .await
            .expect("the stream closes after the final status")
            .expect("body");
        parse_sse(&body)
    }

    /// Opens the client's stream of all its orders' changes (`/api/v1/orders/events`) before
    /// `act` runs, then returns the events for order `id` (of those `act` returns) until it
    /// is `done` or `failed`.
    pub async fn events_around<F>(&self, client: &Client, act: F) -> (String, Vec<Value>)
    where
        F: std::future::Future<Output = String>,
    {
        let mut response = self.get(client, "/api/v1/orders/events").await;
        assert_eq!(response.status(), StatusCode::OK);
        let id = act.await;
        let mut body = String::new();
        let read = async {
            while let Some(chunk) = response.chunk().await.expect("the stream stays open") {
                body.push_str(&String::from_utf8_lossy(&chunk));
                let settled = parse_sse(&body)
                    .iter()
                    .any(|e| e["id"] == id.as_str() && (e["status"] == "done" || e["status"] == "failed"));
                if settled {
                    break;
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), read).await.expect("the order settles");
        let events = parse_sse(&body).into_iter().filter(|e| e["id"] == id.as_str()).collect();
        (id, events)
    }
}

impl TestApp {
    /// The mails in the outbox (`/dev/mail.json`), newest first.
    pub async fn outbox(&self) -> Vec<Value> {
        let response = self.client.get(self.url("/dev/mail.json")).send().await.expect("outbox");
        assert_eq!(response.status(), StatusCode::OK, "the outbox is served");
        response.json().await.expect("outbox JSON")
    }

    /// Waits until the outbox holds a mail to `to` whose subject is `subject`.
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let found = self.outbox().await.into_iter().find(|m| m["to"] == to && m["subject"] == subject);
            if let Some(mail) = found {
                return mail;
            }
            assert!(std::time::Instant::now() < deadline, "no mail {subject:?} to {to} within 20 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// The first link in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no link {prefix} in {text}"));
    text[start..].split_whitespace().next().unwrap_or_default().to_owned()
}

/// A query parameter of a URL.
pub fn query_param(link: &str, name: &str) -> String {
    let url = url::Url::parse(link).expect("a URL");
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .expect("the parameter")
}

impl TestApp {
    /// Delivers the drawing job of order `id` once more and waits until the queue is idle.
    pub async fn redeliver(&self, id: &str) {
        use server::queue::{DrawQueue, Queue, SqliteQueue};
        if let Some(url) = &self.redis_url {
            return self.redeliver_on_redis(url, id).await;
        }
        let url = format!("sqlite://{}", self.shared_data.join("queue.db").display());
        let queue = Queue::Sqlite(SqliteQueue::open(&url).await.expect("queue"));
        queue.enqueue(id).await.expect("enqueue");
        let pool = sqlx::SqlitePool::connect(&url).await.expect("queue db");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM Jobs WHERE done_at IS NULL")
                .fetch_one(&pool)
                .await
                .expect("count jobs");
            if open == 0 {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the redelivered job never finished");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl TestApp {
    async fn redeliver_on_redis(&self, url: &str, id: &str) {
        use server::queue::{DrawQueue, Queue, RedisQueue};
        let queue = Queue::Redis(RedisQueue::connect(url, &self.redis_prefix).await.expect("queue"));
        queue.enqueue(id).await.expect("enqueue");
        let name = RedisQueue::queue_name(&self.redis_prefix);
        let client = redis::Client::open(url).expect("url");
        let mut redis = client.get_multiplexed_async_connection().await.expect("redis");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let waiting: u64 =
                redis::cmd("LLEN").arg(format!("{name}:active")).query_async(&mut redis).await.expect("LLEN");
            let running: u64 = redis::cmd("SCARD")
                .arg(format!("{name}:inflight"))
                .query_async(&mut redis)
                .await
                .expect("SCARD");
            if waiting + running == 0 {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the redelivered job never finished");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl TestApp {
    /// How many drawing jobs, in any state, the queue's own storage holds.
    pub async fn draw_job_records(&self) -> u64 {
        if let Some(url) = &self.redis_url {
            let name = server::queue::RedisQueue::queue_name(&self.redis_prefix);
            let client = redis::Client::open(url.as_str()).expect("url");
            let mut redis = client.get_multiplexed_async_connection().await.expect("redis");
            return redis::cmd("HLEN")
                .arg(format!("{name}:data"))
                .query_async(&mut redis)
                .await
                .expect("HLEN");
        }
        let url = format!("sqlite://{}", self.shared_data.join("queue.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await.expect("queue db");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM Jobs WHERE job_type = 'draw'")
            .fetch_one(&pool)
            .await
            .expect("count jobs");
        u64::try_from(count).expect("a count")
    }
}

/// The data of each `event: status` in an SSE body.
pub fn parse_sse(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter(|block| block.lines().any(|line| line == "event: status"))
        .filter_map(|block| block.lines().find_map(|line| line.strip_prefix("data: ")))
        .map(|data| serde_json::from_str(data).expect("event data is JSON"))
        .collect()
}

pub const PASSWORD: &str = "correct horse battery";

/// The `{"error": {...}}` body of a refused request.
pub async fn error_of(response: Response) -> Value {
    let body: Value = response.json().await.expect("error JSON");
    body.get("error").cloned().unwrap_or_else(|| panic!("no error object in {body}"))
}

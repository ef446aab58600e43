//! The real `let-them-draw` binary as separate `web` and `worker` processes of one
//! deployment on PostgreSQL + Redis + S3, whatever `LTD_TEST_BACKENDS` says (these tests are
//! about the scale-out engines). Needs what the scale-out suite needs (see support/backends.rs).

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};
use support::{TestApp, backends::Resources, smtp::SmtpSink};

/// One running process of the binary, killed when dropped.
struct Process {
    child: Child,
    address: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    /// The options naming its data (`--data-dir`, `--database-url`), for the admin commands.
    data_args: Vec<String>,
}

impl Process {
    /// Starts `let-them-draw serve --role <role>` on the deployment's resources and waits
    /// until it listens.
    /// `let-them-draw serve --role <role>` on the deployment's database, Redis and bucket.
    fn command(deployment: &Deployment, role: &str, extra: &[&str]) -> Command {
        let Deployment { data_dir, resources, redis } = deployment;
        let mut command = Command::new(env!("CARGO_BIN_EXE_let-them-draw"));
        command
            .args([
                "--data-dir",
                &data_dir.path().display().to_string(),
                "--database-url",
                &resources.database_url,
            ])
            .args(["serve", "--role", role, "--site-addr", "127.0.0.1:0"])
            .args(["--redis-url", redis, "--redis-prefix", &resources.redis_prefix])
            .args(["--storage", &format!("s3://{}/pictures", resources.bucket)])
            .args(extra)
            .env("LTD_LOG_FORMAT", "json")
            .env("RUST_LOG", "info");
        command
    }

    fn start(deployment: &Deployment, role: &str, extra: &[&str]) -> Self {
        let data_args = vec![
            "--data-dir".to_owned(),
            deployment.data_dir.path().display().to_string(),
            "--database-url".to_owned(),
            deployment.resources.database_url.clone(),
        ];
        Self::spawn(Self::command(deployment, role, extra), role, data_args)
    }

    /// `let-them-draw serve` on the embedded default (SQLite, its queue, pictures on disk)
    /// in `data_dir`.
    fn start_embedded(data_dir: &std::path::Path, extra: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_let-them-draw"));
        command
            .args(["--data-dir", &data_dir.display().to_string()])
            .args(["serve", "--site-addr", "127.0.0.1:0"])
            .args(extra)
            .env("LTD_LOG_FORMAT", "json")
            .env("RUST_LOG", "info");
        Self::spawn(command, "embedded", vec!["--data-dir".to_owned(), data_dir.display().to_string()])
    }

    fn spawn(mut command: Command, role: &str, data_args: Vec<String>) -> Self {
        let mut child =
            command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("the binary starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (bound, listening) = std::sync::mpsc::channel();
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let json: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                    if json["message"] == "serving Let Them Draw"
                        && let Some(address) = json["address"].as_str().and_then(|a| a.parse().ok())
                    {
                        let _ = bound.send(address);
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        let address: SocketAddr = listening
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the {role} process did not start: {:?}", log.lock().expect("log")));
        Self { child, address, log, data_args }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// SIGKILL: no shutdown code runs, like a machine that dies.
    fn kill(&mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }

    /// SIGTERM, as a deploy or `docker stop` sends it; waits (at most `within`) for the
    /// process to exit and returns whether it exited successfully.
    fn terminate(&mut self, within: Duration) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        assert!(sent.success(), "SIGTERM sent");
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.success();
            }
            assert!(std::time::Instant::now() < deadline, "no exit within {within:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_mentions(&self, text: &str) -> bool {
        self.log.lock().expect("log").iter().any(|line| line.contains(text))
    }

    /// Waits (at most 30 s) until the log mentions `text`.
    async fn wait_for_log(&self, text: &str) {
        for _ in 0..600 {
            if self.log_mentions(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the log never mentioned {text:?}: {:?}", self.log.lock().expect("log"));
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A deployment's shared resources (database, bucket, Redis and prefix), named after a
/// fresh data dir.
struct Deployment {
    data_dir: tempfile::TempDir,
    resources: Resources,
    redis: String,
}

async fn deployment() -> Deployment {
    let data_dir = tempfile::tempdir().expect("dir");
    let backends = support::Backends::scale_out_from_env();
    let resources = backends.resources(data_dir.path()).await.expect("scale-out resources");
    let redis = backends.redis_url().unwrap_or_default().to_owned();
    Deployment { data_dir, resources, redis }
}

async fn signed_in(web: &Process, email: &str) -> reqwest::Client {
    let client = TestApp::browser();
    let body = serde_json::json!({ "email": email, "password": support::PASSWORD });
    let created = client.post(web.url("/api/v1/accounts")).json(&body).send().await.expect("sign up");
    assert_eq!(created.status(), StatusCode::ACCEPTED);
    // The address is confirmed the operator's way: these processes' mail is not read here.
    let confirmed = Command::new(env!("CARGO_BIN_EXE_let-them-draw"))
        .args(&web.data_args)
        .args(["admin", "confirm", "--email", email])
        .output()
        .expect("runs");
    assert!(confirmed.status.success(), "{}", String::from_utf8_lossy(&confirmed.stderr));
    let session = client.post(web.url("/api/v1/sessions")).json(&body).send().await.expect("sign in");
    assert_eq!(session.status(), StatusCode::NO_CONTENT);
    client
}

async fn order(web: &Process, client: &reqwest::Client, shape: &str, color: &str) -> String {
    let body = serde_json::json!({ "shape": shape, "color": color });
    let created = client.post(web.url("/api/v1/orders")).json(&body).send().await.expect("order");
    assert_eq!(created.status(), StatusCode::CREATED);
    let order: Value = created.json().await.expect("json");
    order["id"].as_str().expect("id").to_owned()
}

/// The statuses a stream's body told, in order.
fn statuses_in(body: &str) -> Vec<String> {
    support::parse_sse(body).iter().filter_map(|event| event["status"].as_str().map(str::to_owned)).collect()
}

async fn status_of(web: &Process, client: &reqwest::Client, id: &str) -> Value {
    let response = client.get(web.url(&format!("/api/v1/orders/{id}"))).send().await.expect("get");
    response.json().await.expect("json")
}

async fn wait_for(web: &Process, client: &reqwest::Client, id: &str, status: &str) -> Value {
    for _ in 0..600 {
        let order = status_of(web, client, id).await;
        if order["status"] == status {
            return order;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("order {id} never became {status}: {}", status_of(web, client, id).await)
}

#[tokio::test]
async fn an_order_made_on_web_a_is_watched_on_web_b_while_a_separate_worker_draws_it() {
    let deployment = deployment().await;
    let web_a = Process::start(&deployment, "web", &[]);
    let web_b = Process::start(&deployment, "web", &[]);
    let client = signed_in(&web_a, "two-webs@example.com").await;
    let id = order(&web_a, &client, "circle", "teal").await;

    // The session lives in PostgreSQL, so web B knows the client too; its stream starts at
    // queued (nobody draws yet) and must hear the worker's changes over Redis.
    let stream = client.get(web_b.url(&format!("/api/v1/orders/{id}/events"))).send().await.expect("sse");
    assert_eq!(stream.status(), StatusCode::OK);
    let watch = tokio::spawn(async move {
        tokio::time::timeout(Duration::from_secs(30), stream.text()).await.expect("the stream ends at done")
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let worker = Process::start(&deployment, "worker", &[]);

    let body = watch.await.expect("watcher").expect("body");
    let statuses = statuses_in(&body);
    assert_eq!(statuses.first().map(String::as_str), Some("queued"), "{statuses:?}");
    assert_eq!(statuses.last().map(String::as_str), Some("done"), "{statuses:?}");

    // The picture, stored in S3 by the worker, is served by either web process.
    let done = status_of(&web_b, &client, &id).await;
    let picture =
        client.get(web_a.url(done["picture_url"].as_str().expect("url"))).send().await.expect("png");
    assert_eq!(picture.status(), StatusCode::OK);
    assert!(picture.bytes().await.expect("bytes").starts_with(b"\x89PNG"));
    // Web processes never draw: only the worker logged drawing.
    assert!(!web_a.log_mentions("order done") && !web_b.log_mentions("order done"));
    assert!(worker.log_mentions("order done"));
}

#[tokio::test]
async fn a_worker_killed_while_drawing_is_replaced_and_the_order_ends_done_with_one_picture() {
    let deployment = deployment().await;
    let web = Process::start(&deployment, "web", &[]);
    // A debug-build-only delay keeps the first worker drawing long enough to be killed.
    let mut slow = Process::start(&deployment, "worker", &["--test-draw-delay-ms", "60000"]);
    let client = signed_in(&web, "crash@example.com").await;
    let id = order(&web, &client, "square", "maroon").await;
    wait_for(&web, &client, &id, "in_progress").await;
    slow.kill();

    let _replacement = Process::start(&deployment, "worker", &[]);
    let done = wait_for(&web, &client, &id, "done").await;
    let picture = client.get(web.url(done["picture_url"].as_str().expect("url"))).send().await.expect("png");
    assert!(picture.bytes().await.expect("bytes").starts_with(b"\x89PNG"));
    let stored = support::backends::stored_pictures(&deployment.resources.bucket).await;
    assert_eq!(stored, 1, "exactly one stored picture");
    assert_one_ready_mail(&web, &id).await;
}

/// The orphan case apalis handles worst is a worker that dies holding a job and comes back
/// at once, while its old registration still looks alive: workers here take a fresh name on
/// every start, and the start-up sweep queues orders left in progress again.
#[tokio::test]
async fn on_the_embedded_default_a_process_killed_while_drawing_and_restarted_at_once_draws_the_order_once() {
    let data_dir = tempfile::tempdir().expect("dir");
    let mut first = Process::start_embedded(data_dir.path(), &["--test-draw-delay-ms", "60000"]);
    let client = signed_in(&first, "embedded-crash@example.com").await;
    let id = order(&first, &client, "circle", "sienna").await;
    wait_for(&first, &client, &id, "in_progress").await;
    first.kill();

    let restarted = Process::start_embedded(data_dir.path(), &[]);
    let done = wait_for(&restarted, &client, &id, "done").await;
    let picture =
        client.get(restarted.url(done["picture_url"].as_str().expect("url"))).send().await.expect("png");
    assert!(picture.bytes().await.expect("bytes").starts_with(b"\x89PNG"));
    let pictures = std::fs::read_dir(data_dir.path().join("pictures").join("orders")).expect("pictures dir");
    let stored: Vec<_> = pictures.filter_map(Result::ok).filter(|entry| entry.path().is_file()).collect();
    assert_eq!(stored.len(), 1, "exactly one stored picture: {stored:?}");
    assert!(restarted.log_mentions("order done"), "the restarted process drew it");
    assert_one_ready_mail(&restarted, &id).await;
}

/// A Redis of this test's own, persisting every write (appendfsync always), so that it can
/// be stopped and started again without touching the shared one.
struct OwnRedis {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl OwnRedis {
    fn start() -> Self {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let dir = tempfile::tempdir().expect("dir");
        let mut redis = Self { child: Self::spawn(port, dir.path()), port, dir };
        redis.wait_until_up();
        redis
    }

    fn spawn(port: u16, dir: &std::path::Path) -> Child {
        Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always", "--dir", &dir.display().to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (the test command installs it)")
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn wait_until_up(&mut self) {
        let client = redis::Client::open(self.url()).expect("url");
        for _ in 0..100 {
            if let Ok(mut connection) = client.get_connection()
                && redis::cmd("PING").query::<String>(&mut connection).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart(&mut self) {
        self.child = Self::spawn(self.port, self.dir.path());
        self.wait_until_up();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn redis_stopping_during_a_burst_of_200_orders_loses_none_and_draws_none_twice() {
    let mut deployment = deployment().await;
    let mut redis = OwnRedis::start();
    deployment.redis = redis.url();
    // One user places all 200 orders: above the default order rate.
    let own = ["--sweep-secs", "1", "--order-rate", "1000"];
    let web = Process::start(&deployment, "web", &own);
    let mut worker = Process::start(&deployment, "worker", &own);
    let client = signed_in(&web, "burst@example.com").await;

    let mut ids = Vec::new();
    for n in 0..200 {
        if n == 60 {
            redis.stop();
        }
        if n == 140 {
            redis.restart();
        }
        let shape = if n % 2 == 0 { "square" } else { "circle" };
        // Orders keep being taken while Redis is down: their jobs wait in the outbox.
        ids.push(order(&web, &client, shape, "olive").await);
    }
    for id in &ids {
        wait_for(&web, &client, id, "done").await;
    }

    let stored = support::backends::stored_pictures(&deployment.resources.bucket).await;
    assert_eq!(stored, 200, "one picture per order");
    // Each order was marked done exactly once (statuses only move forward). The log is
    // read on another thread: give it a moment to catch up with the API.
    let done_lines = || {
        worker
            .log
            .lock()
            .expect("log")
            .iter()
            .filter(|l| l.contains("order done"))
            .cloned()
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if done_lines().len() >= ids.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lines = done_lines();
    for id in &ids {
        let done = lines.iter().filter(|line| line.contains(id.as_str())).count();
        assert_eq!(done, 1, "order {id} finished {done} times; {} done lines", lines.len());
    }
    assert!(worker.child.try_wait().expect("status").is_none(), "the worker process is still running");
    assert!(
        worker.log_mentions("starting another"),
        "apalis stopped the worker when Redis went away and ours started a new one"
    );
    // The worker lived through the outage (a new apalis worker replaced the one that failed).
    assert!(
        web.log_mentions("queueing failed; the sweep will retry"),
        "Redis really was down for the web process"
    );
}

#[tokio::test]
async fn with_start_up_migrations_off_the_schema_comes_from_the_migrate_command() {
    let deployment = deployment().await;
    let refused = Process::command(&deployment, "web", &["--migrate", "false"]).output().expect("runs");
    assert!(!refused.status.success(), "a web process refuses an unmigrated database");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("let-them-draw migrate"), "{stderr}");

    let migrate = Command::new(env!("CARGO_BIN_EXE_let-them-draw"))
        .args(["--database-url", &deployment.resources.database_url, "migrate"])
        .output()
        .expect("runs");
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("database is up to date"));

    let web = Process::start(&deployment, "web", &["--migrate", "false"]);
    let client = signed_in(&web, "deployed@example.com").await;
    let shapes = client.get(web.url("/api/v1/shapes")).send().await.expect("shapes");
    assert_eq!(shapes.status(), StatusCode::OK);
}

#[tokio::test]
async fn sigterm_during_a_drawing_ends_live_streams_cleanly_and_loses_no_order() {
    let deployment = deployment().await;
    // One process doing both; its drawing takes 3 s, well within the 30 s shutdown timeout.
    let mut first =
        Process::start(&deployment, "all", &["--test-draw-delay-ms", "3000", "--shutdown-timeout", "30"]);
    let client = signed_in(&first, "deploy@example.com").await;
    let id = order(&first, &client, "circle", "seagreen").await;
    let stream = client.get(first.url(&format!("/api/v1/orders/{id}/events"))).send().await.expect("sse");
    assert_eq!(stream.status(), StatusCode::OK);
    wait_for(&first, &client, &id, "in_progress").await;

    let reading = tokio::spawn(async move { stream.text().await });
    assert!(first.terminate(Duration::from_secs(25)), "a clean exit after SIGTERM");
    // The open stream ended properly (not cut off), before the process was gone.
    let body = tokio::time::timeout(Duration::from_secs(5), reading)
        .await
        .expect("the stream ended")
        .expect("task")
        .expect("a cleanly ended stream");
    assert!(body.contains("event: status"), "{body}");
    assert!(first.log_mentions("shutting down"));

    // The drawing under way finished before the exit: a process that does not draw sees it done.
    let second = Process::start(&deployment, "web", &[]);
    let done = status_of(&second, &client, &id).await;
    assert_eq!(done["status"], "done", "{done}");
    assert!(done["picture_url"].is_string());
    let stored = support::backends::stored_pictures(&deployment.resources.bucket).await;
    assert_eq!(stored, 1, "exactly one stored picture");
    // Its mail waits in the queue for a worker (the first process took no more jobs).
    let _worker = Process::start(&deployment, "worker", &[]);
    assert_one_ready_mail(&second, &id).await;
}

#[tokio::test]
async fn a_drawing_cut_off_by_the_shutdown_timeout_is_drawn_after_the_restart() {
    let deployment = deployment().await;
    let web = Process::start(&deployment, "web", &[]);
    let mut worker =
        Process::start(&deployment, "worker", &["--test-draw-delay-ms", "60000", "--shutdown-timeout", "1"]);
    let client = signed_in(&web, "cutoff@example.com").await;
    let id = order(&web, &client, "square", "goldenrod").await;
    wait_for(&web, &client, &id, "in_progress").await;
    assert!(worker.terminate(Duration::from_secs(15)), "a clean exit when the timeout cuts the drawing off");
    assert_eq!(status_of(&web, &client, &id).await["status"], "in_progress");

    let _restarted = Process::start(&deployment, "worker", &[]);
    wait_for(&web, &client, &id, "done").await;
    let stored = support::backends::stored_pictures(&deployment.resources.bucket).await;
    assert_eq!(stored, 1, "exactly one stored picture");
    assert_one_ready_mail(&web, &id).await;
}

/// The watchdog's settings for a quick test: an order without progress for 3 s is queued
/// again (the drawing timeout must stay below that), and the sweep looks every second.
const QUICK_WATCHDOG: [&str; 6] =
    ["--requeue-after-secs", "3", "--draw-timeout-secs", "2", "--sweep-secs", "1"];

/// The pictures stored in the embedded picture directory (not the `.partial-*` file of a
/// second delivery of the job that is writing the same picture again at that moment).
fn pictures_in(data_dir: &std::path::Path) -> usize {
    std::fs::read_dir(data_dir.join("pictures").join("orders"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| {
                    entry.path().is_file() && entry.path().extension().is_some_and(|ext| ext == "png")
                })
                .count()
        })
        .unwrap_or(0)
}

/// Waits (at most 10 s) for order `id`'s "picture ready" mail in the outbox, gives a second
/// one time to appear, and asserts there is exactly one.
async fn assert_one_ready_mail(web: &Process, id: &str) {
    for _ in 0..200 {
        if ready_mails(web, id).await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ready_mails(web, id).await, 1, "exactly one ready mail");
}

/// The "picture ready" mails of order `id` in the embedded outbox.
async fn ready_mails(web: &Process, id: &str) -> usize {
    let outbox: Vec<Value> =
        reqwest::get(web.url("/dev/mail.json")).await.expect("outbox").json().await.expect("json");
    outbox.iter().filter(|mail| mail["id"] == format!("order-{id}-ready").as_str()).count()
}

#[tokio::test]
async fn on_the_embedded_default_a_process_killed_after_taking_a_job_draws_the_order_after_the_restart() {
    let data_dir = tempfile::tempdir().expect("dir");
    // The watchdog's period is stored with the order, so the first process sets it too.
    let pause = ["--test-pause-after-fetch-ms", "60000"];
    let mut first = Process::start_embedded(data_dir.path(), &[&pause[..], &QUICK_WATCHDOG[..]].concat());
    let client = signed_in(&first, "killed-after-fetch@example.com").await;
    let id = order(&first, &client, "circle", "plum").await;
    first.wait_for_log("the job is taken").await;
    assert_eq!(status_of(&first, &client, &id).await["status"], "queued");
    first.kill();

    // The job is held by a dead worker; the watchdog does not trust the queue.
    let restarted = Process::start_embedded(data_dir.path(), &QUICK_WATCHDOG);
    wait_for(&restarted, &client, &id, "done").await;
    assert!(restarted.log_mentions("queued again"), "the watchdog queued it");
    assert_eq!(pictures_in(data_dir.path()), 1, "exactly one picture");
    assert_one_ready_mail(&restarted, &id).await;
    let metrics = reqwest::get(restarted.url("/metrics")).await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("ltd_orders_requeued_total 1"), "{metrics}");
}

#[tokio::test]
async fn a_worker_killed_after_taking_a_job_on_postgres_and_redis_is_replaced_and_the_order_drawn_once() {
    let deployment = deployment().await;
    // The watchdog's period is stored with the order by the web process that takes it.
    let web = Process::start(&deployment, "web", &QUICK_WATCHDOG);
    let pause = ["--test-pause-after-fetch-ms", "60000"];
    let mut worker = Process::start(&deployment, "worker", &[&pause[..], &QUICK_WATCHDOG[..]].concat());
    let client = signed_in(&web, "killed-worker-fetch@example.com").await;
    let id = order(&web, &client, "square", "teal").await;
    worker.wait_for_log("the job is taken").await;
    worker.kill();

    let replacement = Process::start(&deployment, "worker", &QUICK_WATCHDOG);
    wait_for(&web, &client, &id, "done").await;
    let stored = support::backends::stored_pictures(&deployment.resources.bucket).await;
    assert_eq!(stored, 1, "exactly one stored picture");
    assert_one_ready_mail(&web, &id).await;
    assert!(replacement.log_mentions("order done"));
    // The watchdog (3 s) acted, long before apalis' own hand-back (30 s of missed heartbeats).
    assert!(replacement.log_mentions("queued again"), "the watchdog queued it again");
}

/// Where a SIGTERM finds an order on the embedded default.
enum CutOff {
    /// Its job is taken, the order not yet in progress.
    AfterFetch,
    /// It is being drawn.
    WhileDrawing,
}

/// SIGTERM (shutdown timeout 1 s) with the order held at `at`: the process exits cleanly and
/// hands the order back, and the restart draws it once, without waiting for the watchdog's
/// period (a minute by default).
async fn sigterm_hands_back_and_the_restart_draws_it_once(at: CutOff, email: &str) {
    let data_dir = tempfile::tempdir().expect("dir");
    let pause = match at {
        CutOff::AfterFetch => "--test-pause-after-fetch-ms",
        CutOff::WhileDrawing => "--test-draw-delay-ms",
    };
    let mut first = Process::start_embedded(data_dir.path(), &[pause, "60000", "--shutdown-timeout", "1"]);
    let client = signed_in(&first, email).await;
    let id = order(&first, &client, "square", "peru").await;
    match at {
        CutOff::AfterFetch => first.wait_for_log("the job is taken").await,
        CutOff::WhileDrawing => {
            wait_for(&first, &client, &id, "in_progress").await;
        }
    }
    assert!(first.terminate(Duration::from_secs(15)), "a clean exit");
    assert!(first.log_mentions("handed back to the watchdog"), "the cut-off order was handed back");

    let restarted = Process::start_embedded(data_dir.path(), &[]);
    wait_for(&restarted, &client, &id, "done").await;
    assert_eq!(pictures_in(data_dir.path()), 1, "exactly one picture");
    assert_one_ready_mail(&restarted, &id).await;
}

#[tokio::test]
async fn sigterm_while_a_taken_job_waits_hands_the_order_back_and_the_restart_draws_it_at_once() {
    sigterm_hands_back_and_the_restart_draws_it_once(CutOff::AfterFetch, "stopped-after-fetch@example.com")
        .await;
}

#[tokio::test]
async fn on_the_embedded_default_a_drawing_cut_off_by_sigterm_is_drawn_at_once_after_the_restart() {
    sigterm_hands_back_and_the_restart_draws_it_once(
        CutOff::WhileDrawing,
        "stopped-while-drawing@example.com",
    )
    .await;
}

#[tokio::test]
async fn sigterm_while_a_worker_on_postgres_and_redis_holds_a_taken_job_hands_it_to_the_next_worker() {
    let deployment = deployment().await;
    let web = Process::start(&deployment, "web", &[]);
    let mut worker = Process::start(
        &deployment,
        "worker",
        &["--test-pause-after-fetch-ms", "60000", "--shutdown-timeout", "1"],
    );
    let client = signed_in(&web, "stopped-worker-fetch@example.com").await;
    let id = order(&web, &client, "circle", "khaki").await;
    worker.wait_for_log("the job is taken").await;
    assert!(worker.terminate(Duration::from_secs(15)), "a clean exit");
    assert!(worker.log_mentions("handed back to the watchdog"));

    // The default watchdog period is a minute; the handed-back order does not wait for it.
    let _next = Process::start(&deployment, "worker", &[]);
    wait_for(&web, &client, &id, "done").await;
    let stored = support::backends::stored_pictures(&deployment.resources.bucket).await;
    assert_eq!(stored, 1, "exactly one stored picture");
    assert_one_ready_mail(&web, &id).await;
}

/// apalis' own hand-back, with the watchdog out of the way (its period is ten minutes): a
/// job held by a killed worker returns to the queue after three missed 10 s heartbeats,
/// found by the next worker's heartbeat (at most 40 s), on both backends.
#[tokio::test]
async fn a_job_held_by_a_killed_worker_returns_within_the_heartbeat_window_on_both_backends() {
    let slow_watchdog = ["--requeue-after-secs", "600"];
    let pause = ["--test-pause-after-fetch-ms", "600000"];

    let data_dir = tempfile::tempdir().expect("dir");
    let mut first = Process::start_embedded(data_dir.path(), &[&pause[..], &slow_watchdog[..]].concat());
    let client = signed_in(&first, "orphan-embedded@example.com").await;
    let embedded = order(&first, &client, "square", "indigo").await;
    first.wait_for_log("the job is taken").await;
    first.kill();
    let restarted = Process::start_embedded(data_dir.path(), &slow_watchdog);

    let deployment = deployment().await;
    let web = Process::start(&deployment, "web", &slow_watchdog);
    let mut worker = Process::start(&deployment, "worker", &[&pause[..], &slow_watchdog[..]].concat());
    let redis_client = signed_in(&web, "orphan-redis@example.com").await;
    let on_redis = order(&web, &redis_client, "circle", "indigo").await;
    worker.wait_for_log("the job is taken").await;
    worker.kill();
    let _next = Process::start(&deployment, "worker", &slow_watchdog);

    let within = Duration::from_secs(60);
    for (process, client, id) in [(&restarted, &client, &embedded), (&web, &redis_client, &on_redis)] {
        let deadline = std::time::Instant::now() + within;
        while status_of(process, client, id).await["status"] != "done" {
            assert!(std::time::Instant::now() < deadline, "order {id} not handed back within {within:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert!(!restarted.log_mentions("queued again"), "apalis handed it back, not the watchdog");
    assert_eq!(pictures_in(data_dir.path()), 1);
    assert_eq!(support::backends::stored_pictures(&deployment.resources.bucket).await, 1);
}

#[tokio::test]
async fn a_process_killed_right_after_an_order_turns_done_delivers_its_ready_mail_once_after_the_restart() {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let data_dir = tempfile::tempdir().expect("dir");
    let mut first = Process::start_embedded(
        data_dir.path(),
        &["--smtp-url", &smtp, "--test-pause-after-done-ms", "60000"],
    );
    let client = signed_in(&first, "killed-after-done@example.com").await;
    let id = order(&first, &client, "circle", "crimson").await;
    first.wait_for_log("nothing else has happened").await;
    first.kill();
    assert_eq!(sink.count("Your picture is ready"), 0, "the mail had not gone yet");

    let restarted = Process::start_embedded(data_dir.path(), &["--smtp-url", &smtp, "--sweep-secs", "1"]);
    assert_eq!(status_of(&restarted, &client, &id).await["status"], "done");
    sink.wait_for("Your picture is ready").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.count("Your picture is ready"), 1, "delivered exactly once");
}

/// A worker killed between an order's `done` commit and its live update: a stream already
/// open on the web process still ends at `done`, published by the next worker's sweep, with
/// no reconnect.
#[tokio::test]
async fn a_worker_killed_before_publishing_done_still_ends_an_open_stream_at_done() {
    let deployment = deployment().await;
    let web = Process::start(&deployment, "web", &[]);
    let client = signed_in(&web, "killed-before-publishing@example.com").await;
    let id = order(&web, &client, "circle", "navy").await;
    // The stream opens while nobody draws: it starts at `queued` and must hear the rest.
    let stream = client.get(web.url(&format!("/api/v1/orders/{id}/events"))).send().await.expect("sse");
    assert_eq!(stream.status(), StatusCode::OK);
    let watch =
        tokio::spawn(async move { tokio::time::timeout(Duration::from_secs(60), stream.text()).await });
    let mut worker = Process::start(&deployment, "worker", &["--test-pause-after-done-ms", "60000"]);
    worker.wait_for_log("nothing else has happened").await;
    worker.kill();
    assert_eq!(status_of(&web, &client, &id).await["status"], "done", "the change was committed");

    let _next = Process::start(&deployment, "worker", &[]);
    let body = watch.await.expect("watcher").expect("the stream ends at done").expect("body");
    let statuses = statuses_in(&body);
    assert_eq!(statuses.first().map(String::as_str), Some("queued"), "{statuses:?}");
    assert_eq!(statuses.last().map(String::as_str), Some("done"), "{statuses:?}");
}

/// The JSON log lines of `process` that satisfy `keep`.
fn log_lines(process: &Process, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    let log = process.log.lock().expect("log");
    log.iter().filter_map(|line| serde_json::from_str::<Value>(line).ok()).filter(|line| keep(line)).collect()
}

/// Whether one of a log line's spans names request `id`.
fn in_request(line: &Value, id: &str) -> bool {
    line["spans"].as_array().is_some_and(|spans| spans.iter().any(|span| span["request.id"] == id))
}

/// The access log: one JSON line per request at INFO, with the id the answer carries; the
/// lines the request causes name that id in their spans, on the web process ("order
/// created") and on the worker that draws the order ("order done").
#[tokio::test]
async fn each_request_is_logged_once_with_its_id_and_the_worker_lines_it_causes_carry_it() {
    let deployment = deployment().await;
    let web = Process::start(&deployment, "web", &[]);
    let worker = Process::start(&deployment, "worker", &[]);
    let client = signed_in(&web, "followed@example.com").await;
    let created = client
        .post(web.url("/api/v1/orders"))
        .json(&serde_json::json!({ "shape": "square", "color": "navy" }))
        .send()
        .await
        .expect("order");
    assert_eq!(created.status(), StatusCode::CREATED);
    let request = created.headers()["x-request-id"].to_str().expect("id").to_owned();
    let order: Value = created.json().await.expect("json");
    wait_for(&web, &client, order["id"].as_str().expect("id"), "done").await;
    worker.wait_for_log("order done").await;
    web.wait_for_log(&format!("\"request.id\":\"{request}\"")).await;

    let access =
        log_lines(&web, |line| line["message"] == "request" && line["request.id"] == request.as_str());
    assert_eq!(access.len(), 1, "one access line per request: {access:?}");
    let line = &access[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!((line["method"].as_str(), line["route"].as_str()), (Some("POST"), Some("/api/v1/orders")));
    assert_eq!(line["status"], 201);
    assert!(line["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{line}");
    assert!(line["user.id"].as_str().is_some_and(|user| user.len() == 36), "the signed-in user: {line}");

    let created = log_lines(&web, |line| line["message"] == "order created" && in_request(line, &request));
    assert_eq!(created.len(), 1, "{:?}", web.log.lock().expect("log"));
    let done = log_lines(&worker, |line| line["message"] == "order done" && in_request(line, &request));
    assert_eq!(done.len(), 1, "the worker's line names the request: {:?}", worker.log.lock().expect("log"));
}

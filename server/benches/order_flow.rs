//! End to end: from `POST /api/v1/orders` to the order's `done` event, at a fixed rate,
//! and the sustained rate the machine draws.
//!
//! Embedded default (one process, SQLite): `cargo bench -p server --bench order_flow`
//! (optionally `-- --seconds N`).
//!
//! Scale-out: `cargo bench -p server --bench order_flow -- --database-url postgres://...
//! --redis-url redis://... --workers N`: the web role runs in this process on PostgreSQL and
//! apalis on Redis, and N separate `let-them-draw serve --role worker` processes draw
//! (pictures in a shared local directory). Results are in BENCHMARKS.md. The client shares
//! the machine's cores with the server.

use clap::Parser;
use futures::StreamExt;
use server::{cli::Cli, startup::Application};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

type DoneTimes = Arc<Mutex<HashMap<String, Instant>>>;

struct Bench {
    base: String,
    client: reqwest::Client,
    done: DoneTimes,
}

/// `--name value` from the command line.
fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() -> anyhow::Result<()> {
    let seconds: u64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(10);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(Duration::from_secs(seconds)))
}

async fn run(phase: Duration) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().display().to_string();
    let workers: usize = arg("--workers").and_then(|n| n.parse().ok()).unwrap_or(0);
    let database = arg("--database-url");
    let redis = arg("--redis-url");
    let prefix = format!("ltd-bench-{}", uuid::Uuid::new_v4().simple());
    let mut global = vec!["--data-dir".to_owned(), data.clone()];
    if let Some(url) = &database {
        global.extend(["--database-url".to_owned(), url.clone()]);
    }
    // One user places every order: far above one person's order rate.
    let mut serve = vec![
        "--site-addr".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--order-rate".to_owned(),
        "1000000".to_owned(),
    ];
    if let Some(url) = &redis {
        serve.extend(["--redis-url".to_owned(), url.clone(), "--redis-prefix".to_owned(), prefix.clone()]);
    }
    let role = if workers > 0 { "web" } else { "all" };
    let args = ["let-them-draw".to_owned()].into_iter().chain(global.clone()).chain(["serve".to_owned()]);
    let cli = Cli::parse_from(args.chain(serve.clone()).chain(["--role".to_owned(), role.to_owned()]));
    let Some(server::cli::Command::Serve(web)) = cli.command else { anyhow::bail!("not a serve command") };
    let app = Application::build(&cli.settings, &web).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run(std::future::pending()));
    // Separate worker processes of the real binary, on the same database, queue and pictures.
    let _workers: Vec<KillOnDrop> = (0..workers)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_let-them-draw"))
                .args(&global)
                .arg("serve")
                .args(&serve)
                .args(["--role", "worker"])
                .env("RUST_LOG", "warn")
                .spawn()
                .map(KillOnDrop)
        })
        .collect::<Result<_, _>>()?;
    println!(
        "database: {}, queue: {}, workers: {}",
        if database.is_some() { "PostgreSQL" } else { "SQLite" },
        if redis.is_some() { "Redis" } else { "SQLite" },
        if workers == 0 { "in process".to_owned() } else { format!("{workers} processes") }
    );

    let client = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(256).build()?;
    let email = format!("bench-{}@example.com", uuid::Uuid::new_v4().simple());
    let credentials = serde_json::json!({ "email": email, "password": "bench password" });
    client.post(format!("{base}/api/v1/accounts")).json(&credentials).send().await?.error_for_status()?;
    // Confirmed as `admin confirm` would: the bench reads no mail.
    let pool = server::platform::db::connect(cli.settings.database_url().expose()).await?;
    server::accounts::confirm_address(&pool, &email).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    client.post(format!("{base}/api/v1/sessions")).json(&credentials).send().await?.error_for_status()?;
    let bench = Bench { base, client, done: Arc::default() };
    bench.follow_events().await?;

    println!("| load | orders | p50 POST→done | p99 POST→done | drawn/s |");
    println!("| --- | --- | --- | --- | --- |");
    for rate in [1.0, 50.0] {
        let interval = Duration::from_secs_f64(1.0 / rate);
        bench.paced(interval, phase, &format!("{rate} orders/s")).await?;
    }
    bench.flat_out(64, phase).await?;
    Ok(())
}

impl Bench {
    /// Records when each order's `done` event arrives, from the user-wide stream.
    async fn follow_events(&self) -> anyhow::Result<()> {
        let response = self.client.get(format!("{}/api/v1/orders/events", self.base)).send().await?;
        let mut body = response.error_for_status()?.bytes_stream();
        let done = self.done.clone();
        tokio::spawn(async move {
            let mut buffer = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) else { continue };
                    let Ok(order) = serde_json::from_str::<serde_json::Value>(data) else { continue };
                    if order["status"] == "done"
                        && let Some(id) = order["id"].as_str()
                    {
                        done.lock().map(|mut d| d.insert(id.to_owned(), Instant::now())).ok();
                    }
                }
            }
        });
        Ok(())
    }

    async fn post(&self) -> anyhow::Result<(String, Instant)> {
        let started = Instant::now();
        let body = serde_json::json!({ "shape": "circle", "color": "rebeccapurple" });
        let order: serde_json::Value = self
            .client
            .post(format!("{}/api/v1/orders", self.base))
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = order["id"].as_str().ok_or_else(|| anyhow::anyhow!("no id in {order}"))?.to_owned();
        Ok((id, started))
    }

    /// One order every `interval` for `length`.
    async fn paced(&self, interval: Duration, length: Duration, label: &str) -> anyhow::Result<()> {
        let start = Instant::now();
        let mut ticker = tokio::time::interval(interval);
        let mut posted = Vec::new();
        while start.elapsed() < length {
            ticker.tick().await;
            let bench = self.clone_handle();
            posted.push(tokio::spawn(async move { bench.post().await }));
        }
        let mut started = Vec::new();
        for handle in posted {
            started.push(handle.await??);
        }
        self.report(label, &started, start).await
    }

    /// `in_flight` clients posting back to back for `length`.
    async fn flat_out(&self, in_flight: usize, length: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        let mut clients = Vec::new();
        for _ in 0..in_flight {
            let bench = self.clone_handle();
            clients.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                while start.elapsed() < length {
                    mine.push(bench.post().await?);
                }
                anyhow::Ok(mine)
            }));
        }
        let mut started = Vec::new();
        for client in clients {
            started.extend(client.await??);
        }
        self.report(&format!("flat out, {in_flight} in flight"), &started, start).await
    }

    async fn report(
        &self,
        label: &str,
        started: &[(String, Instant)],
        phase_start: Instant,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let latencies = loop {
            let done = self.done.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
            let found: Option<Vec<(Duration, Instant)>> = started
                .iter()
                .map(|(id, at)| done.get(id).map(|d| (d.saturating_duration_since(*at), *d)))
                .collect();
            if let Some(found) = found {
                break found;
            }
            anyhow::ensure!(Instant::now() < deadline, "orders were not all done within 120 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut times: Vec<Duration> = latencies.iter().map(|(latency, _)| *latency).collect();
        times.sort();
        let last_done = latencies.iter().map(|(_, at)| *at).max().unwrap_or(phase_start);
        let rate = times.len() as f64 / last_done.duration_since(phase_start).as_secs_f64();
        let pick = |p: usize| {
            times.get((times.len() * p / 100).min(times.len().saturating_sub(1))).copied().unwrap_or_default()
        };
        println!(
            "| {label} | {} | {:.1} ms | {:.1} ms | {rate:.0} |",
            times.len(),
            pick(50).as_secs_f64() * 1e3,
            pick(99).as_secs_f64() * 1e3
        );
        Ok(())
    }

    fn clone_handle(&self) -> Bench {
        Bench { base: self.base.clone(), client: self.client.clone(), done: self.done.clone() }
    }
}

/// A child process killed when the bench ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

//! Load, live streams and soak, against the real binary in processes of its own, so the
//! server's memory, CPU time and open files are read from /proc while the load runs.
//!
//! ```text
//! cargo bench -p server --bench load -- max-rate [--rates 25,50,100,150,200] [--seconds 10]
//! cargo bench -p server --bench load -- sse [--streams 5000] [--seconds 30]
//! cargo bench -p server --bench load -- http [--rate 500] [--seconds 20]
//! cargo bench -p server --bench load -- soak [--rate 90] [--seconds 600]
//! ```
//!
//! - `max-rate`: orders at each rate in turn; p50/p99 from `POST /api/v1/orders` to the
//!   order's `done` event; stops at the first rate whose p99 passes 1 s or whose orders are
//!   not all drawn, and names the highest rate that stayed under 1 s.
//! - `sse`: holds `--streams` SSE streams (`/api/v1/orders/events`, 100 per user) open;
//!   the server's RSS, CPU and open files before, while holding, and while one order per
//!   user fans out to every one of that user's streams (each must receive it).
//! - `http`: `--rate` requests/s shared by the home page, `GET /api/v1/shapes` and
//!   `GET /api/v1/orders`; p50/p99 per route and every answer that was not 2xx.
//! - `soak`: `--rate` orders/s for `--seconds`; RSS and open files every 10 s; at the end
//!   every order must be done, its "picture ready" mail in the outbox, and no answer may
//!   have been a 5xx.
//!
//! Backends as in `order_flow`: nothing for the embedded default, or `--database-url
//! postgres://... --redis-url redis://... [--workers N]` (N separate worker processes).
//! The load generator shares the machine's cores with the server. Results: BENCHMARKS.md.

use futures::StreamExt;
use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_let-them-draw");
const PASSWORD: &str = "load test password";

/// `--name value` from the command line.
fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn arg_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    arg(name).and_then(|value| value.parse().ok()).unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let scenario = std::env::args()
        .skip(1)
        .find(|a| ["max-rate", "sse", "http", "soak"].contains(&a.as_str()))
        .unwrap_or_else(|| "max-rate".to_owned());
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async {
        let server = Server::start()?;
        server.wait_until_up().await?;
        println!("{}: {}", scenario, server.describe());
        match scenario.as_str() {
            "sse" => sse(&server, arg_or("--streams", 5000), secs(arg_or("--seconds", 30))).await,
            "http" => http(&server, arg_or("--rate", 500.0), secs(arg_or("--seconds", 20))).await,
            "soak" => soak(&server, arg_or("--rate", 90.0), secs(arg_or("--seconds", 600))).await,
            _ => {
                let rates = arg("--rates").unwrap_or_else(|| "25,50,100,150,200,250,300".to_owned());
                let rates: Vec<f64> = rates.split(',').filter_map(|r| r.trim().parse().ok()).collect();
                max_rate(&server, &rates, secs(arg_or("--seconds", 10))).await
            }
        }
    })
}

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

/// The server's processes: one web (or all-in-one) process and any worker processes.
struct Server {
    base: String,
    web: Child,
    workers: Vec<Child>,
    _data: tempfile::TempDir,
    scale_out: bool,
    /// The app's database, where the mail outbox is.
    database_url: String,
}

impl Server {
    fn start() -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let database = arg("--database-url");
        let redis = arg("--redis-url");
        let workers: usize = arg_or("--workers", 0);
        let prefix = format!("ltd-load-{}", uuid::Uuid::new_v4().simple());
        let command = |role: &str, addr: &str| {
            let mut command = Command::new(BIN);
            command.args(["--data-dir", &data.path().display().to_string()]);
            if let Some(url) = &database {
                command.args(["--database-url", url]);
            }
            command.args(["serve", "--role", role, "--site-addr", addr]);
            if let Some(url) = &redis {
                command.args(["--redis-url", url, "--redis-prefix", &prefix]);
            }
            // The load comes from a few users on one address, far above one person's limits.
            command
                .env("LTD_ORDER_RATE", "1000000")
                .env("LTD_MAX_STREAMS_PER_USER", "1000000")
                .env("LTD_SIGN_UPS_PER_ADDRESS", "1000000");
            command.env("RUST_LOG", "warn").stdout(Stdio::null());
            command
        };
        let role = if workers > 0 { "web" } else { "all" };
        let web = command(role, &format!("127.0.0.1:{port}")).spawn()?;
        let workers =
            (0..workers).map(|_| command("worker", "127.0.0.1:0").spawn()).collect::<Result<Vec<_>, _>>()?;
        let database_url = database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", data.path().join("let-them-draw.db").display()));
        Ok(Self {
            base: format!("http://127.0.0.1:{port}"),
            web,
            workers,
            _data: data,
            scale_out: database.is_some(),
            database_url,
        })
    }

    fn describe(&self) -> String {
        let engines =
            if self.scale_out { "PostgreSQL + Redis" } else { "embedded (SQLite, apalis on SQLite)" };
        match self.workers.len() {
            0 => format!("{engines}, one process"),
            n => format!("{engines}, web process + {n} worker process(es)"),
        }
    }

    async fn wait_until_up(&self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client
                .get(format!("{}/healthz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the server did not come up on {}", self.base)
    }

    fn pids(&self) -> Vec<u32> {
        std::iter::once(self.web.id()).chain(self.workers.iter().map(Child::id)).collect()
    }

    /// Resident memory, CPU seconds and open files of the web process, and of all together.
    fn sample(&self) -> Sample {
        let web = Usage::of(self.web.id());
        let all = self.pids().into_iter().map(Usage::of).fold(Usage::default(), |a, b| a + b);
        Sample { at: Instant::now(), web, all }
    }

    async fn user(&self, name: &str) -> anyhow::Result<reqwest::Client> {
        let client = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(1024).build()?;
        let email = format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple());
        let credentials = serde_json::json!({ "email": email, "password": PASSWORD });
        client
            .post(format!("{}/api/v1/accounts", self.base))
            .json(&credentials)
            .send()
            .await?
            .error_for_status()?;
        // Confirmed as `admin confirm` would: the bench reads no mail.
        let pool = server::platform::db::connect(&self.database_url).await?;
        server::accounts::confirm_address(&pool, &email).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        client
            .post(format!("{}/api/v1/sessions", self.base))
            .json(&credentials)
            .send()
            .await?
            .error_for_status()?;
        Ok(client)
    }

    async fn users(&self, count: usize) -> anyhow::Result<Vec<reqwest::Client>> {
        let mut users = Vec::with_capacity(count);
        for i in 0..count {
            users.push(self.user(&format!("load{i}")).await?);
        }
        Ok(users)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for child in std::iter::once(&mut self.web).chain(self.workers.iter_mut()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Usage {
    rss_kib: u64,
    cpu_ticks: u64,
    open_files: usize,
}

impl Usage {
    fn of(pid: u32) -> Self {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rss_kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        // utime and stime: fields 14 and 15, the 12th and 13th after the command's ")".
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let cpu_ticks = stat
            .rsplit_once(") ")
            .map(|(_, rest)| {
                rest.split_whitespace().skip(11).take(2).filter_map(|t| t.parse::<u64>().ok()).sum()
            })
            .unwrap_or(0);
        let open_files = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|dir| dir.count()).unwrap_or(0);
        Self { rss_kib, cpu_ticks, open_files }
    }
}

impl std::ops::Add for Usage {
    type Output = Usage;
    fn add(self, other: Usage) -> Usage {
        Usage {
            rss_kib: self.rss_kib + other.rss_kib,
            cpu_ticks: self.cpu_ticks + other.cpu_ticks,
            open_files: self.open_files + other.open_files,
        }
    }
}

struct Sample {
    at: Instant,
    web: Usage,
    all: Usage,
}

/// Clock ticks per second of /proc's CPU times.
fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU use between two samples, in percent of one core (all processes).
fn cpu_percent(from: &Sample, to: &Sample) -> f64 {
    let seconds = to.at.duration_since(from.at).as_secs_f64().max(1e-3);
    (to.all.cpu_ticks.saturating_sub(from.all.cpu_ticks)) as f64 / ticks_per_second() / seconds * 100.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted.get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1))).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// When each order's `done` event arrived, over each user's stream of all their orders.
#[derive(Clone, Default)]
struct DoneTimes(Arc<Mutex<HashMap<String, Instant>>>);

impl DoneTimes {
    async fn follow(&self, server: &Server, user: &reqwest::Client) -> anyhow::Result<()> {
        let response = user.get(format!("{}/api/v1/orders/events", server.base)).send().await?;
        let done = self.0.clone();
        tokio::spawn(on_done_events(response.error_for_status()?, move |id| {
            done.lock().map(|mut d| d.insert(id, Instant::now())).ok();
        }));
        Ok(())
    }

    fn get(&self, id: &str) -> Option<Instant> {
        self.0.lock().ok().and_then(|done| done.get(id).copied())
    }
}

/// Reads an SSE response to its end, calling `on_done` with the id of every order that
/// arrives done.
async fn on_done_events(response: reqwest::Response, mut on_done: impl FnMut(String)) {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(id) = done_id(&block) {
                on_done(id);
            }
        }
    }
}

/// The order id of an SSE block whose data is an order that is done.
fn done_id(block: &str) -> Option<String> {
    let data = block.lines().find_map(|line| line.strip_prefix("data: "))?;
    let order: serde_json::Value = serde_json::from_str(data).ok()?;
    (order["status"] == "done").then(|| order["id"].as_str().map(str::to_owned)).flatten()
}

/// What happened to the orders of one phase.
#[derive(Default)]
struct Posted {
    started: Vec<(String, Instant)>,
    refused: usize,
    server_errors: usize,
}

async fn post_order(base: &str, user: &reqwest::Client) -> Result<(String, Instant), u16> {
    let started = Instant::now();
    let body = serde_json::json!({ "shape": "circle", "color": "rebeccapurple" });
    let response = user.post(format!("{base}/api/v1/orders")).json(&body).send().await.map_err(|_| 0_u16)?;
    let status = response.status().as_u16();
    if status != 201 {
        return Err(status);
    }
    let order: serde_json::Value = response.json().await.map_err(|_| status)?;
    order["id"].as_str().map(|id| (id.to_owned(), started)).ok_or(status)
}

/// Orders at `rate` per second for `length`, spread over `users`.
async fn paced_orders(server: &Server, users: &[reqwest::Client], rate: f64, length: Duration) -> Posted {
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let start = Instant::now();
    let mut handles = Vec::new();
    let mut next = 0;
    while start.elapsed() < length {
        ticker.tick().await;
        let (base, user) = (server.base.clone(), users[next % users.len()].clone());
        next += 1;
        handles.push(tokio::spawn(async move { post_order(&base, &user).await }));
    }
    let mut posted = Posted::default();
    for handle in handles {
        match handle.await {
            Ok(Ok(started)) => posted.started.push(started),
            Ok(Err(status)) if status >= 500 || status == 0 => posted.server_errors += 1,
            _ => posted.refused += 1,
        }
    }
    posted
}

/// Waits (at most `patience`) for every posted order's `done`; the latencies, sorted, and
/// how many never arrived.
async fn latencies(done: &DoneTimes, posted: &Posted, patience: Duration) -> (Vec<Duration>, usize) {
    let deadline = Instant::now() + patience;
    loop {
        let found: Vec<Duration> = posted
            .started
            .iter()
            .filter_map(|(id, at)| done.get(id).map(|d| d.saturating_duration_since(*at)))
            .collect();
        if found.len() == posted.started.len() || Instant::now() >= deadline {
            let missing = posted.started.len() - found.len();
            let mut found = found;
            found.sort();
            return (found, missing);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn max_rate(server: &Server, rates: &[f64], step: Duration) -> anyhow::Result<()> {
    let users = server.users(8).await?;
    let done = DoneTimes::default();
    for user in &users {
        done.follow(server, user).await?;
    }
    println!(
        "| rate | orders | p50 POST→done | p99 POST→done | not done after 60 s | 5xx | CPU (all processes) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut best = None;
    for &rate in rates {
        let before = server.sample();
        let posted = paced_orders(server, &users, rate, step).await;
        let (times, missing) = latencies(&done, &posted, Duration::from_secs(60)).await;
        let after = server.sample();
        let p99 = percentile(&times, 99);
        println!(
            "| {rate} orders/s | {} | {} | {} | {missing} | {} | {:.0} % |",
            posted.started.len(),
            ms(percentile(&times, 50)),
            ms(p99),
            posted.server_errors,
            cpu_percent(&before, &after)
        );
        if missing > 0 || posted.server_errors > 0 || p99 >= Duration::from_secs(1) {
            break;
        }
        best = Some(rate);
    }
    match best {
        Some(rate) => println!("highest rate with every order done and p99 under 1 s: {rate} orders/s"),
        None => println!("no rate tried kept p99 under 1 s"),
    }
    Ok(())
}

async fn sse(server: &Server, streams: usize, hold: Duration) -> anyhow::Result<()> {
    let per_user = 100;
    let users = server.users(streams.div_ceil(per_user)).await?;
    let idle = server.sample();
    // For each stream, how many `done` events it has received.
    let received: Arc<Vec<AtomicUsize>> = Arc::new((0..streams).map(|_| AtomicUsize::new(0)).collect());
    let opening = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let mut opened = Vec::with_capacity(streams);
    for index in 0..streams {
        let (user, base, received, gate) =
            (users[index / per_user].clone(), server.base.clone(), received.clone(), gate.clone());
        opened.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await?;
            let response =
                user.get(format!("{base}/api/v1/orders/events")).send().await?.error_for_status()?;
            drop(permit);
            tokio::spawn(on_done_events(response, move |_| {
                received[index].fetch_add(1, Ordering::Relaxed);
            }));
            anyhow::Ok(())
        }));
    }
    for handle in opened {
        handle.await??;
    }
    let open_took = opening.elapsed();
    let held_from = server.sample();
    tokio::time::sleep(hold).await;
    let held_to = server.sample();

    // One order per user: each of the user's streams must see it done.
    let fanning = Instant::now();
    for user in &users {
        post_order(&server.base, user).await.map_err(|status| anyhow::anyhow!("order refused: {status}"))?;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.iter().any(|count| count.load(Ordering::Relaxed) == 0) {
        anyhow::ensure!(Instant::now() < deadline, "not every stream saw its order done within 120 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let fan_out = fanning.elapsed();
    let fanned = server.sample();

    println!(
        "{streams} streams ({per_user} per user, {} users), opened in {:.1} s",
        users.len(),
        open_took.as_secs_f64()
    );
    println!("| moment | web RSS | web open files | CPU (all processes) |");
    println!("| --- | --- | --- | --- |");
    println!("| before opening | {:.1} MiB | {} | |", mib(idle.web.rss_kib), idle.web.open_files);
    println!(
        "| holding {streams} streams, {} s | {:.1} MiB | {} | {:.1} % |",
        hold.as_secs(),
        mib(held_to.web.rss_kib),
        held_to.web.open_files,
        cpu_percent(&held_from, &held_to)
    );
    println!(
        "| one order per user, done on all {streams} streams in {} | {:.1} MiB | {} | {:.0} % |",
        ms(fan_out),
        mib(fanned.web.rss_kib),
        fanned.web.open_files,
        cpu_percent(&held_to, &fanned)
    );
    println!(
        "memory per stream: {:.1} KiB",
        held_to.web.rss_kib.saturating_sub(idle.web.rss_kib) as f64 / streams as f64
    );
    Ok(())
}

async fn http(server: &Server, rate: f64, length: Duration) -> anyhow::Result<()> {
    let user = server.user("http").await?;
    for _ in 0..20 {
        post_order(&server.base, &user).await.map_err(|status| anyhow::anyhow!("order refused: {status}"))?;
    }
    let routes = ["/", "/api/v1/shapes", "/api/v1/orders"];
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let before = server.sample();
    let start = Instant::now();
    let mut handles = Vec::new();
    let mut next = 0;
    while start.elapsed() < length {
        ticker.tick().await;
        let route = routes[next % routes.len()];
        next += 1;
        let (user, url) = (user.clone(), format!("{}{route}", server.base));
        handles.push(tokio::spawn(async move {
            let sent = Instant::now();
            let status = match user.get(url).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let _ = response.bytes().await;
                    status
                }
                Err(_) => 0,
            };
            (route, status, sent.elapsed())
        }));
    }
    let mut by_route: HashMap<&str, Vec<Duration>> = HashMap::new();
    let mut not_ok: HashMap<u16, usize> = HashMap::new();
    for handle in handles {
        let (route, status, took) = handle.await?;
        by_route.entry(route).or_default().push(took);
        if !(200..300).contains(&status) {
            *not_ok.entry(status).or_default() += 1;
        }
    }
    let elapsed = start.elapsed();
    let after = server.sample();
    let total: usize = by_route.values().map(Vec::len).sum();
    println!(
        "{total} requests in {:.1} s ({:.0}/s asked {rate}/s); server CPU {:.0} %; not 2xx: {not_ok:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        cpu_percent(&before, &after)
    );
    println!("| route | requests | p50 | p99 |");
    println!("| --- | --- | --- | --- |");
    let mut everything = Vec::new();
    for route in routes {
        let mut times = by_route.remove(route).unwrap_or_default();
        times.sort();
        println!(
            "| GET {route} | {} | {} | {} |",
            times.len(),
            ms(percentile(&times, 50)),
            ms(percentile(&times, 99))
        );
        everything.extend(times);
    }
    everything.sort();
    println!(
        "| all | {} | {} | {} |",
        everything.len(),
        ms(percentile(&everything, 50)),
        ms(percentile(&everything, 99))
    );
    Ok(())
}

async fn soak(server: &Server, rate: f64, length: Duration) -> anyhow::Result<()> {
    let users = server.users(8).await?;
    let done = DoneTimes::default();
    for user in &users {
        done.follow(server, user).await?;
    }
    let every = Duration::from_secs(10);
    let first = server.sample();
    println!("| elapsed | orders posted | done | 5xx | web RSS | all RSS | open files (all) | CPU |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut previous = first;
    let mut all = Posted::default();
    let start = Instant::now();
    let mut samples = Vec::new();
    while start.elapsed() < length {
        let slice = every.min(length.saturating_sub(start.elapsed()));
        let posted = paced_orders(server, &users, rate, slice).await;
        all.refused += posted.refused;
        all.server_errors += posted.server_errors;
        all.started.extend(posted.started);
        let now = server.sample();
        let drawn = all.started.iter().filter(|(id, _)| done.get(id).is_some()).count();
        println!(
            "| {:.0} s | {} | {drawn} | {} | {:.1} MiB | {:.1} MiB | {} | {:.0} % |",
            start.elapsed().as_secs_f64(),
            all.started.len(),
            all.server_errors,
            mib(now.web.rss_kib),
            mib(now.all.rss_kib),
            now.all.open_files,
            cpu_percent(&previous, &now)
        );
        samples.push((now.all.rss_kib, now.all.open_files));
        previous = now;
    }
    let (times, missing) = latencies(&done, &all, Duration::from_secs(120)).await;
    let settled = server.sample();
    println!(
        "{} orders, {missing} not done, {} answered 5xx, {} refused otherwise; p50 {} p99 {} POST→done",
        all.started.len(),
        all.server_errors,
        all.refused,
        ms(percentile(&times, 50)),
        ms(percentile(&times, 99))
    );
    // Flat means: the second half of the run holds what the first minute reached.
    let warm = samples.iter().skip(6).map(|(rss, _)| *rss).min().unwrap_or(0);
    let end = samples.last().map(|(rss, _)| *rss).unwrap_or(0);
    println!(
        "RSS (all processes) after the first minute {:.1} MiB, at the end {:.1} MiB, settled {:.1} MiB; open files {} → {}",
        mib(warm),
        mib(end),
        mib(settled.all.rss_kib),
        samples.first().map(|(_, fds)| *fds).unwrap_or(0),
        settled.all.open_files
    );
    let mails = server.ready_mails(all.started.len()).await?;
    println!("'picture ready' mails in the outbox: {mails} of {}", all.started.len());
    anyhow::ensure!(missing == 0 && all.server_errors == 0, "the soak lost orders or answered 5xx");
    anyhow::ensure!(mails == all.started.len(), "the soak lost mails");
    Ok(())
}

impl Server {
    /// How many "picture ready" mails reached the outbox, waiting up to a minute for
    /// `expected` (mail is sent after the order is done, and a mail the queue did not take
    /// at once is queued again by the sweep).
    async fn ready_mails(&self, expected: usize) -> anyhow::Result<usize> {
        let pool = server::platform::db::connect(&self.database_url).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (count,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE id LIKE 'order-%-ready'")
                    .fetch_one(&pool)
                    .await?;
            let count = usize::try_from(count)?;
            if count >= expected || Instant::now() > deadline {
                return Ok(count);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

//! Typed settings, read from the command line or the environment.
//!
//! Every variable is declared here once; `let-them-draw --help` lists them all.

use crate::platform::secret::Secret;
pub use crate::platform::telemetry::LogFormat;
use clap::{Args, ValueEnum};
use std::{net::SocketAddr, path::PathBuf};

/// `development` allows development-only backends; `production` refuses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// What a `serve` process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// Pages, API, webhooks and live updates; never draws.
    Web,
    /// Draws pictures and sends mail; serves only `/healthz`, `/readyz` and `/metrics`.
    Worker,
    /// Both (the embedded default).
    All,
}

impl Role {
    pub fn serves_web(self) -> bool {
        matches!(self, Role::Web | Role::All)
    }

    pub fn draws(self) -> bool {
        matches!(self, Role::Worker | Role::All)
    }
}

/// Settings shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct Settings {
    /// Where the embedded default keeps its SQLite database and pictures.
    #[arg(long, env = "LTD_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://path` or `postgres://user:password@host/db`; defaults to
    /// `sqlite://<data dir>/let-them-draw.db`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// `development` or `production` (which refuses development-only backends).
    #[arg(long = "env", env = "LTD_ENV", value_enum, default_value = "development", global = true)]
    pub environment: Environment,

    /// Log format: human-readable `text` or one JSON object per line.
    #[arg(long, env = "LTD_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
}

/// Settings of the web server.
#[derive(Clone, Debug, Args)]
pub struct WebSettings {
    /// `web` serves pages and the API, `worker` draws, `all` does both.
    #[arg(long, env = "LTD_ROLE", value_enum, default_value = "all")]
    pub role: Role,

    /// Address and port to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// Directory with the built site (`pkg/` with the wasm bundle and CSS, and the assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// The URL people reach the site at; `https://` makes cookies `Secure` and `__Host-` prefixed.
    /// Defaults to `http://<site addr>`.
    #[arg(long, env = "LTD_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// How long a session lasts without signing in again, in days.
    #[arg(long, env = "LTD_SESSION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub session_days: u32,

    /// Redis: when set, drawing jobs go through apalis on Redis (LTD_QUEUE_URL is then
    /// unused) and order events fan out across instances over Redis pub/sub.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<Secret>,

    /// Namespace of every Redis key and channel, so deployments (and tests) can share a Redis.
    #[arg(long, env = "LTD_REDIS_PREFIX", default_value = "ltd")]
    pub redis_prefix: String,

    /// Where pictures are kept: `file:///path` or `s3://bucket/prefix` (with the standard
    /// AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Defaults to
    /// `file://<data dir>/pictures`.
    #[arg(long, env = "LTD_STORAGE")]
    pub storage: Option<String>,

    /// Apply database migrations at start-up (`false`: run `let-them-draw migrate` on deploy).
    #[arg(long, env = "LTD_MIGRATE", default_value_t = true, action = clap::ArgAction::Set)]
    pub migrate: bool,

    /// The drawing queue (apalis) when REDIS_URL is unset; defaults to
    /// `sqlite://<data dir>/queue.db`.
    #[arg(long, env = "LTD_QUEUE_URL")]
    pub queue_url: Option<String>,

    /// How many pictures this process draws at once.
    #[arg(long, env = "LTD_DRAW_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub draw_concurrency: u32,

    /// Side of ordered pictures in pixels (64 to 2048).
    #[arg(long, env = "LTD_PICTURE_SIZE", default_value_t = crate::render::DEFAULT_SIZE, value_parser = clap::value_parser!(u32).range(64..=2048))]
    pub picture_size: u32,

    /// How often an idle worker looks for jobs other processes queued, in milliseconds (a
    /// job this process queues wakes its own worker at once).
    #[arg(long, env = "LTD_QUEUE_POLL_MS", default_value_t = 50, value_parser = clap::value_parser!(u64).range(5..=60_000))]
    pub queue_poll_ms: u64,

    /// How often the outbox sweep queues orders whose drawing job never reached the queue
    /// (e.g. while Redis was down), in seconds.
    #[arg(long, env = "LTD_SWEEP_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub sweep_secs: u64,

    /// How long an order may stay queued or in progress without its job making progress
    /// (a drawing attempt, a status change) before the sweep queues it again, in seconds;
    /// above LTD_DRAW_TIMEOUT_SECS. A second delivery is harmless: each order is drawn once.
    #[arg(long, env = "LTD_REQUEUE_AFTER_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(2..=86_400))]
    pub requeue_after_secs: u64,

    /// How long a finished drawing or mail job stays in the queue's own storage, in
    /// seconds; the sweep removes older ones, so the queue does not grow with every order.
    #[arg(long, env = "LTD_KEEP_FINISHED_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=604_800))]
    pub keep_finished_secs: u64,

    /// Tests only, ignored in release builds: wait this long before drawing each picture.
    #[arg(long, env = "LTD_TEST_DRAW_DELAY_MS", default_value_t = 0, hide = true)]
    pub test_draw_delay_ms: u64,

    /// Tests only, ignored in release builds: wait this long after a worker takes a drawing
    /// job, before the order turns in progress.
    #[arg(long, env = "LTD_TEST_PAUSE_AFTER_FETCH_MS", default_value_t = 0, hide = true)]
    pub test_pause_after_fetch_ms: u64,

    /// Tests only, ignored in release builds: wait this long after an order is marked done,
    /// before its event is published and its mail queued.
    #[arg(long, env = "LTD_TEST_PAUSE_AFTER_DONE_MS", default_value_t = 0, hide = true)]
    pub test_pause_after_done_ms: u64,

    /// Tests only, ignored in release builds: the first this many drawing attempts of every
    /// order fail as if storage were down.
    #[arg(long, env = "LTD_TEST_FAIL_DRAWS", default_value_t = 0, hide = true)]
    pub test_fail_draws: u32,

    /// Tests only, ignored in release builds: LTD_TEST_FAIL_DRAWS fails only the orders of
    /// this colour (as it is stored, e.g. `red`).
    #[arg(long, env = "LTD_TEST_FAIL_COLOUR", hide = true)]
    pub test_fail_colour: Option<String>,

    /// How many times a picture is tried before its order fails.
    #[arg(long, env = "LTD_DRAW_MAX_ATTEMPTS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub draw_max_attempts: u32,

    /// The wait after a drawing's first failed attempt, in milliseconds; doubles after each.
    #[arg(long, env = "LTD_DRAW_RETRY_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub draw_retry_ms: u64,

    /// How long one drawing attempt (render and store) may take, in seconds; below
    /// LTD_REQUEUE_AFTER_SECS.
    #[arg(long, env = "LTD_DRAW_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub draw_timeout_secs: u64,

    /// Seconds that in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "LTD_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout: u64,

    /// Where the failure alert goes: a mail listing drawings that failed for good. Unset: no
    /// alert mails (failures are still listed at /admin/failures).
    #[arg(long, env = "LTD_ALERT_EMAIL")]
    pub alert_email: Option<String>,

    /// At most one failure alert per this many seconds; later failures wait for the next.
    #[arg(long, env = "LTD_ALERT_WINDOW_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub alert_window_secs: u64,

    /// E-mails that are admins (comma-separated), besides those granted with `admin grant`.
    #[arg(long, env = "LTD_ADMIN_EMAILS", value_delimiter = ',')]
    pub admin_emails: Vec<String>,

    #[command(flatten)]
    pub limits: LimitSettings,

    #[command(flatten)]
    pub points: PointSettings,

    #[command(flatten)]
    pub payments: crate::payments::PaymentSettings,

    #[command(flatten)]
    pub mail: MailSettings,

    #[command(flatten)]
    pub cognito: crate::accounts::CognitoSettings,
}

/// Loyalty points.
#[derive(Clone, Debug, Args)]
pub struct PointSettings {
    /// What one cent of a price costs in points when a picture is paid with points.
    #[arg(long, env = "LTD_POINTS_PER_CENT", default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub points_per_cent: i64,

    /// How many days after they were earned points expire (oldest first, by the sweep).
    #[arg(long, env = "LTD_POINTS_EXPIRE_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=36_500))]
    pub points_expire_days: u64,
}

impl PointSettings {
    pub fn rules(&self) -> crate::loyalty::PointRules {
        crate::loyalty::PointRules {
            points_per_cent: self.points_per_cent,
            expire_after: std::time::Duration::from_secs(self.points_expire_days * 24 * 3600),
        }
    }
}

/// Limits per user and per client address.
#[derive(Clone, Debug, Args)]
pub struct LimitSettings {
    /// How many orders one user may place a minute; the next gets 429 with Retry-After.
    #[arg(long, env = "LTD_ORDER_RATE", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub order_rate: u32,

    /// How many of one user's orders may wait for payment (open checkouts) at once; the
    /// next priced order gets 429 until one is paid or its checkout expires.
    #[arg(long, env = "LTD_MAX_AWAITING_PAYMENT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_awaiting_payment: u32,

    /// How many live-update streams one user may hold open at once (per web process); the
    /// next gets 429.
    #[arg(long, env = "LTD_MAX_STREAMS_PER_USER", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_streams_per_user: u32,

    /// How often an open live-update stream checks that its session (and, for the admin
    /// feed, the admin role) still holds, in seconds; it ends when not.
    #[arg(long, env = "LTD_STREAM_RECHECK_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=30))]
    pub stream_recheck_secs: u64,

    /// How many accounts may be created from one client address per 15 minutes.
    #[arg(long, env = "LTD_SIGN_UPS_PER_ADDRESS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub sign_ups_per_address: u32,

    /// Proxies (comma-separated CIDRs, e.g. `10.0.0.0/8,fd00::/8`) whose `X-Forwarded-For`
    /// or `Forwarded` header names the client. Unset: the peer address is the client, and
    /// those headers are ignored.
    #[arg(long, env = "LTD_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::platform::net::Cidr::parse_arg)]
    pub trusted_proxies: Vec<crate::platform::net::Cidr>,
}

/// How mail leaves: SMTP when `SMTP_URL` is set, else the database outbox (`/dev/mail`).
#[derive(Clone, Debug, Args)]
pub struct MailSettings {
    /// SMTP server, e.g. `smtp://host:25`, `smtp://user:pass@host:587?tls=required` or
    /// `smtps://user:pass@host:465`. Unset: mail goes to the outbox listed at `/dev/mail`.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// The sender of every mail.
    #[arg(long, env = "MAIL_FROM", default_value = "Let Them Draw <no-reply@localhost>")]
    pub mail_from: String,

    /// How many times a mail is tried before it is given up (logged and counted).
    #[arg(long, env = "LTD_MAIL_MAX_ATTEMPTS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub mail_max_attempts: u32,

    /// The wait after a mail's first failed attempt, in milliseconds; doubles after each.
    #[arg(long, env = "LTD_MAIL_RETRY_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub mail_retry_ms: u64,
}

impl Settings {
    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> Secret {
        self.database_url.clone().unwrap_or_else(|| {
            Secret::new(format!("sqlite://{}", self.data_dir.join("let-them-draw.db").display()))
        })
    }
}

impl WebSettings {
    /// The queue URL, defaulting to a SQLite file in the data directory.
    pub fn queue_url(&self, settings: &Settings) -> String {
        self.queue_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", settings.data_dir.join("queue.db").display()))
    }

    /// Refuses settings that contradict each other, naming the variables.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.requeue_after_secs > self.draw_timeout_secs,
            "LTD_REQUEUE_AFTER_SECS ({}) must be above LTD_DRAW_TIMEOUT_SECS ({}): an order would be queued \
             again while its drawing may still be under way",
            self.requeue_after_secs,
            self.draw_timeout_secs
        );
        Ok(())
    }

    pub fn public_url(&self) -> String {
        self.public_url_at(self.site_addr)
    }

    /// The public URL when the server is bound to `bound` (which knows the port of `:0`).
    pub fn public_url_at(&self, bound: SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{bound}"))
    }

    /// Cookies are `Secure` when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

//! Typed settings, read from the command line or the environment.
//!
//! Every variable is declared here once; `let-them-draw --help` lists them all.

use clap::{Args, ValueEnum};
use std::{net::SocketAddr, path::PathBuf};

/// `development` allows development-only backends; `production` refuses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct Settings {
    /// Where the embedded default keeps its SQLite database and pictures.
    #[arg(long, env = "LTD_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL; defaults to `sqlite://<data dir>/let-them-draw.db`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

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

    /// Seconds that in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "LTD_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout: u64,
}

impl Settings {
    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("let-them-draw.db").display()))
    }
}

impl WebSettings {
    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.site_addr))
    }

    /// Cookies are `Secure` when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

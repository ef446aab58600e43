//! The database pool and its migrations: SQLite (the embedded default) or PostgreSQL,
//! chosen by the scheme of `DATABASE_URL`.
//!
//! One set of queries serves both through sqlx's `Any` driver: placeholders are `$1`, `$2`,
//! ... (SQLite reads them too), integers are 64-bit and flags are 0/1 integers in both
//! schemas, since `Any` decodes only what each driver reports.

use anyhow::Context;
use sqlx::{
    AnyPool, Executor,
    any::{AnyConnectOptions, AnyPoolOptions},
};
use std::{str::FromStr, time::Duration};

/// The pool type the repositories take.
pub type Pool = AnyPool;

/// The database engines this code runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine of a `DATABASE_URL`, or an error naming the variable.
    pub fn of(url: &str) -> anyhow::Result<Self> {
        let scheme = url.split_once(':').map(|(scheme, _)| scheme).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Engine::Sqlite),
            "postgres" | "postgresql" => Ok(Engine::Postgres),
            _ => anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://, not {scheme:?}"),
        }
    }
}

/// Opens the database at `url`, creating a SQLite file (and its directory) if needed.
pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of(url)?;
    let url = match engine {
        Engine::Sqlite => sqlite_url(url).await?,
        Engine::Postgres => url.to_owned(),
    };
    let options = AnyConnectOptions::from_str(&url).context("DATABASE_URL is not a valid database URL")?;
    let pool = AnyPoolOptions::new()
        .max_connections(match engine {
            // SQLite has one writer: a connection that finds the database locked sleeps in
            // SQLite's busy handler (1, 2, 5, ... up to 100 ms). At 250 orders/s eight
            // connections spent more time asleep there than working; one makes every read
            // wait behind every write. Four held 300 orders/s (BENCHMARKS.md).
            Engine::Sqlite => 4,
            Engine::Postgres => 16,
        })
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    // sqlx already turns foreign keys on and waits 5 s on a busy database.
                    connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| {
            format!("cannot open the database {}", crate::platform::secret::redacted_url(&url))
        })?;
    Ok(pool)
}

/// A SQLite URL that creates the file when missing, with its directory made.
async fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if let Some(dir) = std::path::Path::new(file).parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    Ok(if query.is_empty() { format!("sqlite://{file}?mode=rwc") } else { url.to_owned() })
}

/// The migrations of the pool's engine.
fn migrator(connection: &sqlx::AnyConnection) -> sqlx::migrate::Migrator {
    if connection.backend_name().to_ascii_lowercase().starts_with("postgres") {
        sqlx::migrate!("./migrations/postgres")
    } else {
        sqlx::migrate!("./migrations/sqlite")
    }
}

/// Brings the schema up to date with the migrations of the pool's engine.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    let mut connection = pool.acquire().await.context("cannot reach the database")?;
    let migrator = migrator(&connection);
    migrator.run(&mut *connection).await.context("database migration failed")
}

/// Refuses a database whose schema is behind this binary's (when start-up does not migrate).
pub async fn check_schema(pool: &Pool) -> anyhow::Result<()> {
    let connection = pool.acquire().await.context("cannot reach the database")?;
    let latest = migrator(&connection).iter().map(|m| m.version).max().unwrap_or_default();
    drop(connection);
    let applied: Option<(i64,)> = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_optional(pool)
        .await
        .unwrap_or(None);
    let applied = applied.map(|(version,)| version).unwrap_or_default();
    anyhow::ensure!(
        applied >= latest,
        "the database schema is at migration {applied}, this binary needs {latest}: run `let-them-draw migrate` \
         (or start with LTD_MIGRATE=true)"
    );
    Ok(())
}

/// Holds `user_id`'s row for the rest of `tx` (PostgreSQL locks the row; SQLite has one
/// writer), so two requests of one user that count before they write cannot both pass a
/// limit.
pub async fn hold_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET created_at = created_at WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_comes_from_the_scheme() {
        assert_eq!(Engine::of("sqlite://data/x.db").ok(), Some(Engine::Sqlite));
        assert_eq!(Engine::of("postgres://u@h/db").ok(), Some(Engine::Postgres));
        assert_eq!(Engine::of("postgresql://u@h/db").ok(), Some(Engine::Postgres));
        let error = Engine::of("mysql://h/db").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("DATABASE_URL"), "{error}");
    }
}

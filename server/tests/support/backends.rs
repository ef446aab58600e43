//! Which backends the suite runs on: `LTD_TEST_BACKENDS=embedded` (the default: SQLite,
//! the SQLite queue, a local directory, in-process events) or `scale-out` (PostgreSQL,
//! apalis on Redis, S3, Redis pub/sub). The test command runs the suite once per set.
//!
//! Scale-out reads `LTD_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! `LTD_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`) and the standard `AWS_*` variables
//! (an S3 emulator at `AWS_ENDPOINT_URL`). Every data dir gets its own database, Redis prefix
//! and bucket, named after the dir, so tests run in parallel and an app restarted on the same
//! data dir finds its data again.

use std::path::Path;

#[derive(Clone, Debug)]
pub enum Backends {
    Embedded,
    ScaleOut { postgres: String, redis: String },
}

/// The names one data dir's resources get on the shared engines.
pub struct Resources {
    pub database_url: String,
    pub redis_prefix: String,
    pub bucket: String,
}

impl Backends {
    pub fn from_env() -> Self {
        match std::env::var("LTD_TEST_BACKENDS").ok().filter(|v| !v.is_empty()).as_deref() {
            None | Some("embedded") => Backends::Embedded,
            Some("scale-out") => Self::scale_out_from_env(),
            Some(other) => panic!("LTD_TEST_BACKENDS must be embedded or scale-out, not {other:?}"),
        }
    }

    /// The scale-out set, whatever `LTD_TEST_BACKENDS` says.
    pub fn scale_out_from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Backends::ScaleOut {
            postgres: var("LTD_TEST_POSTGRES_URL")
                .unwrap_or("postgres://postgres@127.0.0.1:5432/postgres".into()),
            redis: var("LTD_TEST_REDIS_URL").unwrap_or("redis://127.0.0.1:6379".into()),
        }
    }

    pub fn is_scale_out(&self) -> bool {
        matches!(self, Backends::ScaleOut { .. })
    }

    /// The Redis of the scale-out set.
    pub fn redis_url(&self) -> Option<&str> {
        match self {
            Backends::Embedded => None,
            Backends::ScaleOut { redis, .. } => Some(redis),
        }
    }

    /// Creates (once) and names the database, prefix and bucket of the data dir `data`.
    pub async fn resources(&self, data: &Path) -> Option<Resources> {
        let Backends::ScaleOut { postgres, .. } = self else {
            return None;
        };
        let key: String = data
            .display()
            .to_string()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let key = &key[key.len().saturating_sub(40)..];
        let database = format!("ltd_test_{key}");
        let database_url = create_database(postgres, &database).await;
        let bucket = format!("ltd-test-{key}");
        create_bucket(&bucket).await;
        Some(Resources { database_url, redis_prefix: format!("ltd-test-{key}"), bucket })
    }
}

/// Creates database `name` unless it exists; returns its URL.
async fn create_database(admin_url: &str, name: &str) -> String {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|error| panic!("cannot reach PostgreSQL at {admin_url}: {error}"));
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut admin)
        .await
        .expect("pg_database");
    if exists.is_none() {
        // `name` is made of this module's prefix and ASCII alphanumerics only.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create database");
    }
    let mut url = url::Url::parse(admin_url).expect("LTD_TEST_POSTGRES_URL is a URL");
    url.set_path(name);
    url.to_string()
}

/// The S3 client the app builds from the environment.
pub async fn s3_client() -> aws_sdk_s3::Client {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "scale-out tests need an S3 emulator at AWS_ENDPOINT_URL (the test command starts moto)"
    );
    server::pictures::S3Pictures::client_from_env().await
}

/// How many pictures are stored in `bucket` (under the `pictures/` prefix the tests use).
pub async fn stored_pictures(bucket: &str) -> usize {
    let listed = s3_client()
        .await
        .list_objects_v2()
        .bucket(bucket)
        .prefix("pictures/orders/")
        .send()
        .await
        .expect("list the bucket");
    listed.contents().len()
}

async fn create_bucket(bucket: &str) {
    let client = s3_client().await;
    if client.head_bucket().bucket(bucket).send().await.is_ok() {
        return;
    }
    client
        .create_bucket()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|error| panic!("cannot create bucket {bucket}: {:?}", error.into_service_error()));
}

//! Pictures in an S3-compatible object store (`LTD_STORAGE=s3://bucket/prefix`).

use super::PictureStore;
use anyhow::Context;
use aws_sdk_s3::{Client, error::ProvideErrorMetadata, primitives::ByteStream};

/// A bucket and a key prefix; credentials, region and endpoint come from the standard
/// `AWS_*` variables. With `AWS_ENDPOINT_URL` (an emulator, MinIO, ...) requests use
/// path-style addresses.
pub struct S3Pictures {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3Pictures {
    /// Connects and checks that the bucket is there (and reachable with these credentials).
    pub async fn connect(bucket: &str, prefix: &str) -> anyhow::Result<Self> {
        let store = Self::with_client(Self::client_from_env().await, bucket, prefix);
        store.check_bucket().await?;
        Ok(store)
    }

    /// An S3 client configured by the standard `AWS_*` variables.
    pub async fn client_from_env() -> Client {
        let shared = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let path_style = std::env::var_os("AWS_ENDPOINT_URL").is_some();
        Client::from_conf(aws_sdk_s3::config::Builder::from(&shared).force_path_style(path_style).build())
    }

    pub fn with_client(client: Client, bucket: &str, prefix: &str) -> Self {
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        Self { client, bucket: bucket.to_owned(), prefix }
    }

    /// Whether the bucket answers.
    pub async fn check_bucket(&self) -> anyhow::Result<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|error| anyhow::anyhow!("{}", describe(&error)))
            .with_context(|| format!("cannot reach the picture bucket {:?}", self.bucket))?;
        Ok(())
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

/// The service's error code and message, else the error chain.
fn describe<E: ProvideErrorMetadata + std::error::Error>(error: &E) -> String {
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => {
            let mut text = error.to_string();
            let mut source = error.source();
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

#[async_trait::async_trait]
impl PictureStore for S3Pictures {
    async fn check(&self) -> anyhow::Result<()> {
        self.check_bucket().await
    }

    async fn put(&self, key: &str, png: Vec<u8>) -> anyhow::Result<()> {
        // A PUT replaces the object whole: readers never see half a picture.
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .content_type("image/png")
            .body(ByteStream::from(png))
            .send()
            .await
            .map_err(|error| anyhow::anyhow!("{}", describe(&error)))
            .with_context(|| format!("cannot store picture {key}"))?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let failed =
            |error: String| anyhow::anyhow!("{error}").context(format!("cannot delete picture {key}"));
        let mut keys = vec![self.key(key)];
        let related = format!("{}/", self.key(key.strip_suffix(".png").unwrap_or(key)));
        let listed = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&related)
            .send()
            .await
            .map_err(|error| failed(describe(&error)))?;
        keys.extend(listed.contents().iter().filter_map(|object| object.key().map(str::to_owned)));
        for key in keys {
            // Deleting a missing object succeeds.
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .map_err(|error| failed(describe(&error)))?;
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let answer = self.client.get_object().bucket(&self.bucket).key(self.key(key)).send().await;
        let object = match answer {
            Ok(object) => object,
            Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(error) => {
                return Err(anyhow::anyhow!("{}", describe(&error)))
                    .with_context(|| format!("cannot read picture {key}"));
            }
        };
        let bytes = object.body.collect().await.with_context(|| format!("cannot read picture {key}"))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }
}

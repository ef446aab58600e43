//! Where finished pictures are kept: a directory (the embedded default) or an
//! S3-compatible bucket, chosen by `LTD_STORAGE`.

mod s3;

pub use s3::S3Pictures;

use anyhow::Context;
use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

/// Where `LTD_STORAGE` says pictures go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// `file:///path`: a local directory.
    Directory(PathBuf),
    /// `s3://bucket/prefix`.
    S3 { bucket: String, prefix: String },
}

impl Storage {
    /// Parses `LTD_STORAGE`; the error names the variable and what it accepts.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        if let Some(path) = text.strip_prefix("file://") {
            anyhow::ensure!(
                !path.is_empty(),
                "LTD_STORAGE file:// needs a directory, e.g. file:///var/lib/ltd/pictures"
            );
            return Ok(Storage::Directory(PathBuf::from(path)));
        }
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid = (3..=63).contains(&bucket.len())
                && bucket
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            anyhow::ensure!(
                valid,
                "LTD_STORAGE: {bucket:?} is not an S3 bucket name (3-63 lower-case letters, digits, '-' or '.')"
            );
            return Ok(Storage::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        anyhow::bail!("LTD_STORAGE must be file:///path or s3://bucket/prefix, not {text:?}")
    }

    /// Opens the store (for S3, checks that the bucket answers).
    pub async fn open(&self) -> anyhow::Result<Arc<dyn PictureStore>> {
        Ok(match self {
            Storage::Directory(path) => Arc::new(LocalPictures::new(path)),
            Storage::S3 { bucket, prefix } => Arc::new(S3Pictures::connect(bucket, prefix).await?),
        })
    }
}

/// A store of PNG pictures by key. Keys are chosen by this code (`orders/<id>.png`), one per
/// order, so storing a picture twice overwrites it with the same bytes.
#[async_trait::async_trait]
pub trait PictureStore: Send + Sync {
    async fn put(&self, key: &str, png: Vec<u8>) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    /// Removes the picture at `key` and every picture whose key starts with `key`'s name
    /// and a `/` (an order's other sizes: `orders/<id>.png` and `orders/<id>/…`). Missing
    /// ones are no error.
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
    /// Whether the store can be reached (for `/readyz`).
    async fn check(&self) -> anyhow::Result<()>;
}

/// The embedded default: files in a directory under the data dir.
pub struct LocalPictures {
    root: PathBuf,
}

impl LocalPictures {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        let relative = Path::new(key);
        let safe = relative.components().all(|c| matches!(c, std::path::Component::Normal(_)));
        anyhow::ensure!(safe && !key.is_empty(), "picture key {key:?} is not a plain relative path");
        Ok(self.root.join(relative))
    }
}

#[async_trait::async_trait]
impl PictureStore for LocalPictures {
    async fn check(&self) -> anyhow::Result<()> {
        tokio::fs::create_dir_all(&self.root)
            .await
            .with_context(|| format!("cannot reach the picture directory {}", self.root.display()))
    }

    async fn put(&self, key: &str, png: Vec<u8>) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // Write beside the target and rename: readers never see half a picture.
        let partial = path.with_extension(format!("partial-{}", uuid::Uuid::new_v4()));
        tokio::fs::write(&partial, &png)
            .await
            .with_context(|| format!("cannot write {}", partial.display()))?;
        tokio::fs::rename(&partial, &path)
            .await
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = self.path(key)?;
        let related = path.with_extension("");
        for result in [tokio::fs::remove_file(&path).await, tokio::fs::remove_dir_all(&related).await] {
            match result {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(error).with_context(|| format!("cannot delete picture {key}"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error).with_context(|| format!("cannot read picture {key}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_urls_parse_and_bad_ones_name_the_variable() {
        assert_eq!(Storage::parse("file:///var/ltd").ok(), Some(Storage::Directory("/var/ltd".into())));
        assert_eq!(
            Storage::parse("s3://my-bucket/pictures/").ok(),
            Some(Storage::S3 { bucket: "my-bucket".into(), prefix: "pictures".into() })
        );
        assert_eq!(
            Storage::parse("s3://my-bucket").ok(),
            Some(Storage::S3 { bucket: "my-bucket".into(), prefix: String::new() })
        );
        for bad in ["", "/tmp/x", "s3://", "s3://UPPER", "file://", "gs://bucket"] {
            let error = Storage::parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.contains("LTD_STORAGE"), "{bad:?}: {error}");
        }
    }

    #[tokio::test]
    async fn stores_reads_and_overwrites_by_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalPictures::new(dir.path());
        assert_eq!(store.get("orders/a.png").await.expect("read"), None);
        store.put("orders/a.png", vec![1, 2, 3]).await.expect("put");
        store.put("orders/a.png", vec![4, 5]).await.expect("put again");
        assert_eq!(store.get("orders/a.png").await.expect("read"), Some(vec![4, 5]));
        let files = std::fs::read_dir(dir.path().join("orders")).expect("dir").count();
        assert_eq!(files, 1, "no partial files left behind");
        store.put("orders/a/1024.png", vec![6]).await.expect("a size");
        store.put("orders/b.png", vec![7]).await.expect("another");
        store.delete("orders/a.png").await.expect("delete");
        assert_eq!(store.get("orders/a.png").await.expect("read"), None);
        assert_eq!(store.get("orders/a/1024.png").await.expect("read"), None, "its sizes go too");
        assert_eq!(store.get("orders/b.png").await.expect("read"), Some(vec![7]));
        store.delete("orders/a.png").await.expect("deleting again is fine");
    }

    #[tokio::test]
    async fn refuses_keys_that_leave_the_directory() {
        let store = LocalPictures::new("/tmp/never-used");
        for key in ["../etc/passwd", "/etc/passwd", "", "a/../../b"] {
            assert!(store.get(key).await.is_err(), "{key}");
        }
    }
}

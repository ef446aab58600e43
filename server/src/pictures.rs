//! Where finished pictures are kept.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// A store of PNG pictures by key. Keys are chosen by this code (`orders/<id>.png`), one per
/// order, so storing a picture twice overwrites it with the same bytes.
#[async_trait::async_trait]
pub trait PictureStore: Send + Sync {
    async fn put(&self, key: &str, png: Vec<u8>) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
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
    }

    #[tokio::test]
    async fn refuses_keys_that_leave_the_directory() {
        let store = LocalPictures::new("/tmp/never-used");
        for key in ["../etc/passwd", "/etc/passwd", "", "a/../../b"] {
            assert!(store.get(key).await.is_err(), "{key}");
        }
    }
}

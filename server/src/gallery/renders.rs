//! Pictures rendered on first request and kept in the picture store: one render per key
//! however many requests ask at once, and at most one render per core at a time.

use crate::pictures::PictureStore;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
};
use tokio::sync::Semaphore;

pub struct Renders {
    store: Arc<dyn PictureStore>,
    /// The key being rendered, with the lock its requests wait on.
    flights: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
    cores: Semaphore,
}

impl Renders {
    pub fn new(store: Arc<dyn PictureStore>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self { store, flights: Mutex::default(), cores: Semaphore::new(cores) }
    }

    /// The picture at `key`: from the store, else rendered by `render` (on a blocking
    /// thread) and, when `keep`, stored. Concurrent requests for one key wait for the first
    /// one's render.
    pub async fn png<F>(&self, key: &str, keep: bool, render: F) -> anyhow::Result<Vec<u8>>
    where
        F: FnOnce() -> anyhow::Result<Vec<u8>> + Send + 'static,
    {
        if keep && let Some(png) = self.store.get(key).await? {
            return Ok(png);
        }
        let gate = self.gate(key);
        let _turn = gate.lock().await;
        if keep && let Some(png) = self.store.get(key).await? {
            return Ok(png);
        }
        let png = {
            let _core = self.cores.acquire().await?;
            tokio::task::spawn_blocking(render).await??
        };
        if keep {
            self.store.put(key, png.clone()).await?;
        }
        Ok(png)
    }

    /// The lock of `key`'s render, shared by everyone asking for it now.
    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        flights.retain(|_, gate| gate.strong_count() > 0);
        if let Some(gate) = flights.get(key).and_then(Weak::upgrade) {
            return gate;
        }
        let gate = Arc::new(tokio::sync::Mutex::new(()));
        flights.insert(key.to_owned(), Arc::downgrade(&gate));
        gate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pictures::LocalPictures;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A render that counts its calls and answers `png`.
    fn counted(
        calls: &Arc<AtomicUsize>,
        png: Vec<u8>,
    ) -> impl FnOnce() -> anyhow::Result<Vec<u8>> + Send + 'static {
        let calls = calls.clone();
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(200));
            Ok(png)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_requests_for_one_picture_render_it_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let renders = Arc::new(Renders::new(Arc::new(LocalPictures::new(dir.path()))));
        let calls = Arc::new(AtomicUsize::new(0));
        let asks = (0..8).map(|_| {
            let (renders, render) = (renders.clone(), counted(&calls, vec![7; 16]));
            tokio::spawn(async move { renders.png("orders/a/2048.png", true, render).await })
        });
        for answer in futures::future::join_all(asks).await {
            assert_eq!(answer.expect("task").expect("png"), vec![7; 16]);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "eight requests, one render");
        let again = renders.png("orders/a/2048.png", true, || anyhow::bail!("rendered again")).await;
        assert_eq!(again.expect("kept in the store"), vec![7; 16]);

        let odd = Arc::new(AtomicUsize::new(0));
        for png in [vec![2], vec![3]] {
            let answer = renders.png("orders/a/1000.png", false, counted(&odd, png.clone())).await;
            assert_eq!(answer.expect("png"), png);
        }
        assert_eq!(odd.load(Ordering::SeqCst), 2, "a size not kept is rendered each time");
        assert!(std::fs::metadata(dir.path().join("orders/a/1000.png")).is_err(), "and not stored");
    }
}

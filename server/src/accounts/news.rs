//! Word that an account's sessions or role changed (a sign-out, a password reset or change,
//! a deleted account, `admin revoke`): every live stream of that account re-checks its
//! session at once, on every instance that hears it.
//!
//! Two fan-outs behind one trait: a broadcast channel inside this process (the embedded
//! default), or Redis pub/sub on `<prefix>:account-news`, so a sign-out on one web instance
//! ends the streams another holds, and `admin revoke` reaches every instance.

use crate::platform::pubsub::RedisChannel;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, oneshot};

/// How far a slow listener may fall behind before it lags (and re-checks anyway).
const BACKLOG: usize = 256;

/// The account whose sessions or role changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsChanged {
    pub user_id: String,
}

/// The fan-out of [`SessionsChanged`].
pub trait AccountNews: Send + Sync {
    /// Tells every listener; the answer tells, once known, whether the fan-out took it.
    fn announce(&self, user_id: &str) -> oneshot::Receiver<bool>;
    /// A receiver of every announcement made after this call.
    fn subscribe(&self) -> broadcast::Receiver<SessionsChanged>;
}

/// The embedded default: this process only.
pub struct InProcessNews {
    sender: broadcast::Sender<SessionsChanged>,
}

impl Default for InProcessNews {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl AccountNews for InProcessNews {
    fn announce(&self, user_id: &str) -> oneshot::Receiver<bool> {
        // No receivers is normal: no stream is open.
        let _ = self.sender.send(SessionsChanged { user_id: user_id.to_owned() });
        let (taken, answer) = oneshot::channel();
        let _ = taken.send(true);
        answer
    }

    fn subscribe(&self) -> broadcast::Receiver<SessionsChanged> {
        self.sender.subscribe()
    }
}

/// Every instance on one Redis and prefix.
pub struct RedisNews {
    channel: RedisChannel<SessionsChanged>,
}

impl RedisNews {
    /// Connects (failing fast when Redis cannot be reached).
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        Ok(Self { channel: RedisChannel::connect(url, format!("{prefix}:account-news"), BACKLOG).await? })
    }
}

impl AccountNews for RedisNews {
    fn announce(&self, user_id: &str) -> oneshot::Receiver<bool> {
        self.channel.publish(&SessionsChanged { user_id: user_id.to_owned() })
    }

    fn subscribe(&self) -> broadcast::Receiver<SessionsChanged> {
        self.channel.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn hears_its_own_and_others_announcements(first: &dyn AccountNews, second: &dyn AccountNews) {
        let mut on_first = first.subscribe();
        let mut on_second = second.subscribe();
        assert_eq!(first.announce("user-1").await, Ok(true));
        for receiver in [&mut on_first, &mut on_second] {
            let heard = tokio::time::timeout(std::time::Duration::from_secs(5), receiver.recv()).await;
            assert_eq!(heard.expect("in time").expect("a message").user_id, "user-1");
        }
    }

    #[tokio::test]
    async fn in_process_news_reaches_this_process() {
        let news = InProcessNews::default();
        let mut heard = news.subscribe();
        assert_eq!(news.announce("user-1").await, Ok(true));
        assert_eq!(heard.recv().await.expect("a message").user_id, "user-1");
    }

    #[tokio::test]
    async fn redis_news_reaches_every_instance_on_the_prefix() {
        let Ok(url) = std::env::var("LTD_TEST_REDIS_URL") else { return };
        let prefix = format!("ltd-test-news-{}", uuid::Uuid::now_v7().simple());
        let first = RedisNews::connect(&url, &prefix).await.expect("redis");
        let second = RedisNews::connect(&url, &prefix).await.expect("redis");
        hears_its_own_and_others_announcements(&first, &second).await;
    }
}

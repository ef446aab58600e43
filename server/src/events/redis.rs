//! Order events over Redis pub/sub, on the channel `<prefix>:order-events`.

use super::{BACKLOG, OrderEvent, OrderEvents};
use crate::platform::pubsub::RedisChannel;
use tokio::sync::{broadcast, oneshot};

/// Redis pub/sub fan-out across every instance sharing the prefix.
pub struct RedisEvents {
    channel: RedisChannel<OrderEvent>,
}

impl RedisEvents {
    /// Connects (failing fast when Redis cannot be reached).
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let channel = RedisChannel::connect(url, format!("{prefix}:order-events"), BACKLOG).await?;
        Ok(Self { channel })
    }
}

impl OrderEvents for RedisEvents {
    /// A publisher that hears no answer leaves its order marked: the sweep publishes its
    /// state as it is then.
    fn publish(&self, event: OrderEvent) -> oneshot::Receiver<bool> {
        self.channel.publish(&event)
    }

    fn subscribe(&self) -> broadcast::Receiver<OrderEvent> {
        self.channel.subscribe()
    }
}

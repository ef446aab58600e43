//! One Redis pub/sub channel of JSON messages, shared by every instance on the same Redis;
//! and the quick connection the request-time Redis calls share.
//!
//! Publishing goes through one task, so this process's messages leave in the order they
//! were published, and each publisher hears whether Redis took its message; a second task
//! subscribes and hands every message (this process's own included) to local receivers.
//! Both reconnect after Redis goes away.

use anyhow::Context;
use futures::StreamExt;
use redis::AsyncCommands;
use serde::{Serialize, de::DeserializeOwned};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};

/// A connection for calls made while a request waits (counting sign-ins, taking stream
/// slots): an answer within 500 ms or an error, so the caller can fall back at once.
pub async fn quick_connection(url: &str) -> anyhow::Result<redis::aio::ConnectionManager> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_millis(500)))
        .set_connection_timeout(Some(Duration::from_millis(500)))
        .set_number_of_retries(1);
    redis::Client::open(url)
        .context("REDIS_URL is not a Redis URL")?
        .get_connection_manager_with_config(config)
        .await
        .with_context(|| format!("cannot reach Redis at {url}"))
}

/// A message on its way to Redis, and who waits to hear that it got there.
type Outgoing = (String, oneshot::Sender<bool>);

/// A Redis channel carrying messages of type `T` as JSON.
pub struct RedisChannel<T> {
    outgoing: mpsc::UnboundedSender<Outgoing>,
    incoming: broadcast::Sender<T>,
}

impl<T> RedisChannel<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + 'static,
{
    /// Connects to `channel` (failing fast when Redis cannot be reached) and starts the two
    /// tasks; a local receiver may fall `backlog` messages behind before it lags.
    pub async fn connect(url: &str, channel: String, backlog: usize) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("REDIS_URL is not a Redis URL")?;
        let publisher = redis::aio::ConnectionManager::new(client.clone())
            .await
            .with_context(|| format!("cannot reach Redis at {url}"))?;
        let mut pubsub =
            client.get_async_pubsub().await.with_context(|| format!("cannot reach Redis at {url}"))?;
        pubsub.subscribe(&channel).await.with_context(|| format!("cannot subscribe to {channel}"))?;

        let (outgoing, to_publish) = mpsc::unbounded_channel();
        let incoming = broadcast::channel(backlog).0;
        tokio::spawn(publish_all(publisher, channel.clone(), to_publish));
        tokio::spawn(receive_all::<T>(client, channel, pubsub, incoming.clone()));
        Ok(Self { outgoing, incoming })
    }

    /// Hands the message to Redis without waiting; the answer tells, once known, whether
    /// Redis took it (`false`, or no answer, when it did not).
    pub fn publish(&self, message: &T) -> oneshot::Receiver<bool> {
        let (taken, answer) = oneshot::channel();
        match serde_json::to_string(message) {
            // Fails only when the runtime is shutting down: the answer then never comes.
            Ok(json) => {
                let _ = self.outgoing.send((json, taken));
            }
            Err(error) => tracing::error!(%error, "cannot encode a message for Redis"),
        }
        answer
    }

    /// A receiver of every message published on the channel after this call.
    pub fn subscribe(&self) -> broadcast::Receiver<T> {
        self.incoming.subscribe()
    }
}

async fn publish_all(
    mut connection: redis::aio::ConnectionManager,
    channel: String,
    mut messages: mpsc::UnboundedReceiver<Outgoing>,
) {
    while let Some((json, taken)) = messages.recv().await {
        // Nobody waits for it any more (Redis was away too long): a late message would only
        // confuse its receivers, and whoever sent it has its own way to catch up.
        if taken.is_closed() {
            continue;
        }
        // The connection manager reconnects by itself; one retry covers a dropped socket.
        let mut published = false;
        for attempt in 0..2 {
            match connection.publish::<_, _, ()>(&channel, &json).await {
                Ok(()) => {
                    published = true;
                    break;
                }
                Err(error) if attempt == 0 => tracing::warn!(%error, %channel, "publishing failed; retrying"),
                Err(error) => tracing::warn!(%error, %channel, "a message was not published"),
            }
        }
        let _ = taken.send(published);
    }
}

async fn receive_all<T: DeserializeOwned>(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    incoming: broadcast::Sender<T>,
) {
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(message) = messages.next().await {
                let payload: String = match message.get_payload() {
                    Ok(payload) => payload,
                    Err(error) => {
                        tracing::warn!(%error, %channel, "an unreadable message");
                        continue;
                    }
                };
                match serde_json::from_str::<T>(&payload) {
                    Ok(message) => {
                        let _ = incoming.send(message);
                    }
                    Err(error) => tracing::warn!(%error, %channel, "a message that is not ours"),
                }
            }
        }
        tracing::warn!(%channel, "lost the Redis subscription; reconnecting");
        pubsub = loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            match client.get_async_pubsub().await {
                Ok(mut fresh) => match fresh.subscribe(&channel).await {
                    Ok(()) => break fresh,
                    Err(error) => tracing::warn!(%error, %channel, "cannot subscribe yet"),
                },
                Err(error) => tracing::warn!(%error, "cannot reach Redis yet"),
            }
        };
    }
}

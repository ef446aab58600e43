//! Order events over Redis pub/sub, on the channel `<prefix>:order-events`.
//!
//! Publishing goes through one task, so this process's events leave in the order they
//! happened, and each publisher hears whether Redis took its event; a second task subscribes and hands every event (this process's own included)
//! to the local SSE streams. Both reconnect after Redis goes away.

use super::{BACKLOG, OrderEvent, OrderEvents};
use anyhow::Context;
use futures::StreamExt;
use redis::AsyncCommands;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};

/// An event on its way to Redis, and who waits to hear that it got there.
type Outgoing = (String, oneshot::Sender<bool>);

/// Redis pub/sub fan-out across every instance sharing the prefix.
pub struct RedisEvents {
    outgoing: mpsc::UnboundedSender<Outgoing>,
    incoming: broadcast::Sender<OrderEvent>,
}

impl RedisEvents {
    /// Connects (failing fast when Redis cannot be reached) and starts the two tasks.
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("REDIS_URL is not a Redis URL")?;
        let channel = format!("{prefix}:order-events");
        let publisher = redis::aio::ConnectionManager::new(client.clone())
            .await
            .with_context(|| format!("cannot reach Redis at {url}"))?;
        let mut pubsub =
            client.get_async_pubsub().await.with_context(|| format!("cannot reach Redis at {url}"))?;
        pubsub.subscribe(&channel).await.context("cannot subscribe to the order events")?;

        let (outgoing, to_publish) = mpsc::unbounded_channel();
        let incoming = broadcast::channel(BACKLOG).0;
        tokio::spawn(publish_all(publisher, channel.clone(), to_publish));
        tokio::spawn(receive_all(client, channel, pubsub, incoming.clone()));
        Ok(Self { outgoing, incoming })
    }
}

impl OrderEvents for RedisEvents {
    fn publish(&self, event: OrderEvent) -> oneshot::Receiver<bool> {
        let (taken, answer) = oneshot::channel();
        match serde_json::to_string(&event) {
            // Fails only when the runtime is shutting down: the answer then never comes.
            Ok(json) => {
                let _ = self.outgoing.send((json, taken));
            }
            Err(error) => tracing::error!(%error, "cannot encode an order event"),
        }
        answer
    }

    fn subscribe(&self) -> broadcast::Receiver<OrderEvent> {
        self.incoming.subscribe()
    }
}

async fn publish_all(
    mut connection: redis::aio::ConnectionManager,
    channel: String,
    mut events: mpsc::UnboundedReceiver<Outgoing>,
) {
    while let Some((json, taken)) = events.recv().await {
        // Nobody waits for it any more (Redis was away too long): the order stays marked and
        // the sweep publishes its state as it is then; this older one, late, would only
        // confuse the streams.
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
                Err(error) if attempt == 0 => {
                    tracing::warn!(%error, "publishing an order event failed; retrying")
                }
                Err(error) => tracing::warn!(%error, "an order event was not published; the sweep will"),
            }
        }
        let _ = taken.send(published);
    }
}

async fn receive_all(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    incoming: broadcast::Sender<OrderEvent>,
) {
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(message) = messages.next().await {
                let payload: String = match message.get_payload() {
                    Ok(payload) => payload,
                    Err(error) => {
                        tracing::warn!(%error, "unreadable order event");
                        continue;
                    }
                };
                match serde_json::from_str::<OrderEvent>(&payload) {
                    Ok(event) => {
                        let _ = incoming.send(event);
                    }
                    Err(error) => tracing::warn!(%error, "an order event that is not ours"),
                }
            }
        }
        tracing::warn!("lost the Redis subscription to order events; reconnecting");
        pubsub = loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            match client.get_async_pubsub().await {
                Ok(mut fresh) => match fresh.subscribe(&channel).await {
                    Ok(()) => break fresh,
                    Err(error) => tracing::warn!(%error, "cannot subscribe to order events yet"),
                },
                Err(error) => tracing::warn!(%error, "cannot reach Redis yet"),
            }
        };
    }
}

//! Live order updates: every status change is published; SSE streams subscribe.
//!
//! A change marks its order `publish_pending` in its own transaction; the order service
//! publishes after the commit and clears the mark once the fan-out took the event, and the
//! sweep publishes what is still marked. An event may so arrive twice; it always carries
//! the order's whole current state.
//!
//! Two fan-outs behind one trait: a broadcast channel inside this process (the embedded
//! default), or Redis pub/sub, so an SSE stream on one web instance sees changes made by a
//! worker or another instance.

mod redis;

pub use self::redis::RedisEvents;

use app::domain::Order;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, oneshot};

/// A status change of one order, with its owner for filtering.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderEvent {
    pub user_id: String,
    pub order: Order,
}

/// The fan-out of order changes to everyone watching.
pub trait OrderEvents: Send + Sync {
    /// Hands the event to every watcher without waiting; the answer tells, once known,
    /// whether the fan-out took it (`false`, or no answer, when it did not).
    fn publish(&self, event: OrderEvent) -> oneshot::Receiver<bool>;
    /// A receiver of every change published after this call. A slow receiver may lag and
    /// lose events; it then re-reads the current state from the database.
    fn subscribe(&self) -> broadcast::Receiver<OrderEvent>;
}

/// How many events a slow SSE stream may fall behind before it re-reads the database.
const BACKLOG: usize = 1024;

/// The embedded default: a broadcast channel inside this process.
pub struct InProcessEvents {
    sender: broadcast::Sender<OrderEvent>,
}

impl Default for InProcessEvents {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl OrderEvents for InProcessEvents {
    fn publish(&self, event: OrderEvent) -> oneshot::Receiver<bool> {
        // No receivers is normal: nobody is watching.
        let _ = self.sender.send(event);
        let (taken, answer) = oneshot::channel();
        let _ = taken.send(true);
        answer
    }

    fn subscribe(&self) -> broadcast::Receiver<OrderEvent> {
        self.sender.subscribe()
    }
}

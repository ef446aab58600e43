//! Live order updates: every status change is published; SSE streams subscribe.

use app::domain::Order;
use tokio::sync::broadcast;

/// A status change of one order, with its owner for filtering.
#[derive(Clone, Debug)]
pub struct OrderEvent {
    pub user_id: String,
    pub order: Order,
}

/// The fan-out of order changes to everyone watching.
pub trait OrderEvents: Send + Sync {
    fn publish(&self, event: OrderEvent);
    /// A receiver of every change published after this call. A slow receiver may lag and
    /// lose events; it then re-reads the current state from the database.
    fn subscribe(&self) -> broadcast::Receiver<OrderEvent>;
}

/// The embedded default: a broadcast channel inside this process.
pub struct InProcessEvents {
    sender: broadcast::Sender<OrderEvent>,
}

impl Default for InProcessEvents {
    fn default() -> Self {
        Self { sender: broadcast::channel(1024).0 }
    }
}

impl OrderEvents for InProcessEvents {
    fn publish(&self, event: OrderEvent) {
        // No receivers is normal: nobody is watching.
        let _ = self.sender.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<OrderEvent> {
        self.sender.subscribe()
    }
}

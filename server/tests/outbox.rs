//! The outbox: an order whose job never reached the queue is queued by the sweep.

mod support;

use app::domain::User;
use server::{
    catalogue::Catalogue,
    db,
    events::InProcessEvents,
    mail::{MailJob, MailQueue, Postman, templates::Templates},
    orders::Orders,
    payments::SimulatedPayments,
    queue::DrawQueue,
};
use std::sync::{Arc, Mutex};

/// A queue that is down, like a process killed between storing the order and queueing it.
struct DownQueue;

#[async_trait::async_trait]
impl DrawQueue for DownQueue {
    async fn enqueue(&self, _order_id: &str) -> anyhow::Result<()> {
        anyhow::bail!("the queue is down")
    }
}

#[derive(Default)]
struct RecordingQueue(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl DrawQueue for RecordingQueue {
    async fn enqueue(&self, order_id: &str) -> anyhow::Result<()> {
        self.0.lock().expect("lock").push(order_id.to_owned());
        Ok(())
    }
}

/// Mail is not what these tests look at.
struct NoMail;

#[async_trait::async_trait]
impl MailQueue for NoMail {
    async fn enqueue_mail(&self, _job: MailJob) -> anyhow::Result<()> {
        Ok(())
    }
}

async fn orders_with(pool: &db::Pool, queue: Arc<dyn DrawQueue>) -> Orders {
    let catalogue = Arc::new(Catalogue::new(pool.clone()));
    let payments = Arc::new(SimulatedPayments::new("http://127.0.0.1:1", "whsec_test".into()));
    let postman =
        Arc::new(Postman::new(Arc::new(NoMail), Templates::new("http://127.0.0.1:1"), pool.clone()));
    Orders::new(
        pool.clone(),
        catalogue,
        Arc::new(InProcessEvents::default()),
        queue,
        payments,
        postman,
        "http://127.0.0.1:1",
    )
}

#[tokio::test]
async fn an_order_whose_job_was_never_queued_is_queued_by_the_sweep_exactly_once() {
    let dir = tempfile::tempdir().expect("dir");
    let url = match support::Backends::from_env().resources(dir.path()).await {
        Some(resources) => resources.database_url,
        None => format!("sqlite://{}", dir.path().join("db.sqlite").display()),
    };
    let pool = db::connect(&url).await.expect("db");
    db::migrate(&pool).await.expect("migrate");
    sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'a@b.io', 'x', 0)")
        .execute(&pool)
        .await
        .expect("user");
    let user = User { id: "u1".into(), email: "a@b.io".into(), is_admin: false };

    let order =
        orders_with(&pool, Arc::new(DownQueue)).await.create(&user, "square", "red").await.expect("stored");
    assert_eq!(order.status.as_str(), "queued", "the order is kept although queueing failed");

    let recording = Arc::new(RecordingQueue::default());
    let orders = orders_with(&pool, recording.clone()).await;
    assert_eq!(orders.requeue_pending(false).await.expect("sweep"), 1);
    assert_eq!(orders.requeue_pending(false).await.expect("sweep"), 0, "queued once, then cleared");
    assert_eq!(*recording.0.lock().expect("lock"), vec![order.id]);
}

//! Pending work: an order or a mail whose job never reached the queue is queued by the sweep.

mod support;

use app::{domain::User, services::OrderService};
use server::{
    catalogue::Catalogue,
    events::InProcessEvents,
    mail::{Mail, MailJob, MailQueue, Postman, templates::Templates},
    orders::Orders,
    payments::SimulatedPayments,
    platform::db,
    queue::DrawQueue,
};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

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

/// A mail queue that is down.
struct DownMailQueue;

#[async_trait::async_trait]
impl MailQueue for DownMailQueue {
    async fn enqueue_mail(&self, _job: MailJob) -> anyhow::Result<()> {
        anyhow::bail!("the queue is down")
    }
}

#[derive(Default)]
struct RecordingMailQueue(Mutex<Vec<MailJob>>);

#[async_trait::async_trait]
impl MailQueue for RecordingMailQueue {
    async fn enqueue_mail(&self, job: MailJob) -> anyhow::Result<()> {
        self.0.lock().expect("lock").push(job);
        Ok(())
    }
}

async fn migrated_pool(dir: &std::path::Path) -> db::Pool {
    let url = match support::Backends::from_env().resources(dir).await {
        Some(resources) => resources.database_url,
        None => format!("sqlite://{}", dir.join("db.sqlite").display()),
    };
    let pool = db::connect(&url).await.expect("db");
    db::migrate(&pool).await.expect("migrate");
    pool
}

fn postman_with(pool: &db::Pool, queue: Arc<dyn MailQueue>) -> Postman {
    Postman::new(queue, Templates::new("http://127.0.0.1:1"), pool.clone())
}

#[tokio::test]
async fn a_mail_the_queue_did_not_take_is_queued_by_the_sweep_exactly_once() {
    let dir = tempfile::tempdir().expect("dir");
    let pool = migrated_pool(dir.path()).await;
    let mail = Mail {
        to: "client@example.com".into(),
        subject: "Your picture is ready".into(),
        text: "Here it is.".into(),
        html: "<p>Here it is.</p>".into(),
        images: vec![],
    };

    postman_with(&pool, Arc::new(DownMailQueue)).send("order-1-ready".into(), mail.clone()).await;

    let recording = Arc::new(RecordingMailQueue::default());
    let postman = postman_with(&pool, recording.clone());
    assert_eq!(
        postman.requeue_pending(Duration::from_secs(60)).await.expect("sweep"),
        0,
        "a mail younger than the grace period may still be on its way: left alone"
    );
    assert_eq!(postman.requeue_pending(Duration::ZERO).await.expect("sweep"), 1);
    assert_eq!(postman.requeue_pending(Duration::ZERO).await.expect("sweep"), 0, "queued once, then cleared");
    assert_eq!(*recording.0.lock().expect("lock"), vec![MailJob::written("order-1-ready", mail)]);
}

#[tokio::test]
async fn a_mail_the_queue_took_leaves_nothing_for_the_sweep() {
    let dir = tempfile::tempdir().expect("dir");
    let pool = migrated_pool(dir.path()).await;
    let recording = Arc::new(RecordingMailQueue::default());
    let postman = postman_with(&pool, recording.clone());
    let mail =
        Mail { to: "a@b.io".into(), subject: "s".into(), text: "t".into(), html: "h".into(), images: vec![] };

    postman.send("alert-1".into(), mail).await;

    assert_eq!(recording.0.lock().expect("lock").len(), 1);
    assert_eq!(postman.requeue_pending(Duration::ZERO).await.expect("sweep"), 0);
}

async fn orders_with(pool: &db::Pool, queue: Arc<dyn DrawQueue>) -> Orders {
    let payments = Arc::new(SimulatedPayments::new("http://127.0.0.1:1", "whsec_test".into()));
    let catalogue = Arc::new(Catalogue::new(pool.clone(), payments.clone()));
    let postman = Arc::new(postman_with(pool, Arc::new(NoMail)));
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
    let pool = migrated_pool(dir.path()).await;
    sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'a@b.io', 'x', 0)")
        .execute(&pool)
        .await
        .expect("user");
    let user = User { id: "u1".into(), email: "a@b.io".into(), is_admin: false };

    let order = orders_with(&pool, Arc::new(DownQueue))
        .await
        .create(&user, "square", "red", None, app::domain::loyalty::PayWith::Card)
        .await
        .expect("stored");
    assert_eq!(order.status.as_str(), "queued", "the order is kept although queueing failed");

    let recording = Arc::new(RecordingQueue::default());
    let orders = orders_with(&pool, recording.clone()).await;
    // Marked just now: its request may still be queueing it, so the periodic sweep waits.
    assert_eq!(orders.requeue_pending(false, Duration::from_secs(60)).await.expect("sweep"), 0);
    assert!(recording.0.lock().expect("lock").is_empty(), "not queued while it may be on its way");
    assert_eq!(orders.requeue_pending(false, Duration::ZERO).await.expect("sweep"), 1);
    assert_eq!(
        orders.requeue_pending(false, Duration::ZERO).await.expect("sweep"),
        0,
        "queued once, then cleared"
    );
    assert_eq!(*recording.0.lock().expect("lock"), vec![order.id]);
}

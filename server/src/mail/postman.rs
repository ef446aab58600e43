//! The postman: writes the product's mails and queues them.

use super::{
    Mail, MailJob, MailQueue,
    templates::{OrderFacts, Templates},
};
use crate::{db, orders::OrderRow, queue::within_enqueue_timeout, render};
use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use std::{sync::Arc, time::Duration};

/// What happened to an order that its owner hears about by mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderNews {
    Ready,
    PaymentFailed,
    CheckoutExpired,
    DrawFailed {
        reason: String,
    },
    /// Could not be drawn, and the payment was given back.
    Refunded {
        reason: String,
        amount_cents: i64,
    },
}

impl OrderNews {
    fn kind(&self) -> &'static str {
        match self {
            OrderNews::Ready => "ready",
            OrderNews::PaymentFailed => "payment-failed",
            OrderNews::CheckoutExpired => "checkout-expired",
            OrderNews::DrawFailed { .. } => "draw-failed",
            OrderNews::Refunded { .. } => "refunded",
        }
    }
}

/// Side of the thumbnail in the "picture ready" mail, in pixels.
const THUMBNAIL_SIZE: u32 = 160;

pub struct Postman {
    queue: Arc<dyn MailQueue>,
    templates: Templates,
    pool: db::Pool,
}

impl Postman {
    pub fn new(queue: Arc<dyn MailQueue>, templates: Templates, pool: db::Pool) -> Self {
        Self { queue, templates, pool }
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Queues a mail under `id`. Never fails the caller: the mail is first stored as
    /// pending, so a queue that does not answer in time, or refuses, only delays it until
    /// [`Postman::requeue_pending`] hands it over.
    pub async fn send(&self, id: String, mail: Mail) {
        let job = MailJob { id, mail };
        if let Err(error) = self.keep(&job).await {
            // Without the row the mail can still go now; it just has no second chance.
            tracing::error!(mail.id = %job.id, error = %format!("{error:#}"), "could not store a pending mail");
        }
        self.dispatch(job).await;
    }

    /// Stores a mail as pending (once per id).
    async fn keep(&self, job: &MailJob) -> anyhow::Result<()> {
        let encoded = serde_json::to_string(job).context("cannot encode the mail")?;
        sqlx::query(
            "INSERT INTO mail_pending (id, job, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&job.id)
        .bind(encoded)
        .bind(crate::clock::now_secs())
        .execute(&self.pool)
        .await
        .context("cannot store the pending mail")?;
        Ok(())
    }

    /// Hands a mail to the queue and, once it has it, forgets the pending row.
    async fn dispatch(&self, job: MailJob) {
        let id = job.id.clone();
        if let Err(error) = within_enqueue_timeout(self.queue.enqueue_mail(job)).await {
            tracing::warn!(mail.id = %id, error = %format!("{error:#}"), "could not queue a mail; the sweep will retry");
            return;
        }
        if let Err(error) = self.forget(&id).await {
            // Harmless: the sweep queues it again, and delivery is idempotent per id.
            tracing::warn!(mail.id = %id, %error, "could not clear a pending mail");
        }
    }

    /// Removes a pending mail's row.
    async fn forget(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM mail_pending WHERE id = $1").bind(id).execute(&self.pool).await.map(|_| ())
    }

    /// The mail sweep: queues every mail stored as pending for at least `older_than`
    /// (younger ones may still be on their way). Returns how many it queued.
    pub async fn requeue_pending(&self, older_than: Duration) -> anyhow::Result<usize> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, job FROM mail_pending WHERE created_at <= $1 ORDER BY created_at")
                .bind(crate::clock::seconds_before_now(older_than))
                .fetch_all(&self.pool)
                .await
                .context("cannot read the pending mails")?;
        let count = rows.len();
        for (id, encoded) in rows {
            match serde_json::from_str::<MailJob>(&encoded) {
                Ok(job) => self.dispatch(job).await,
                Err(error) => {
                    tracing::error!(mail.id = %id, %error, "a pending mail cannot be read; dropping it");
                    let _ = self.forget(&id).await;
                }
            }
        }
        if count > 0 {
            tracing::info!(count, "re-queued mails");
        }
        Ok(count)
    }

    /// Tells an order's owner what happened to it, in the background: the caller (the
    /// artist, the webhook) never waits for mail.
    pub fn order_news(self: &Arc<Self>, row: &OrderRow, news: OrderNews) {
        let (postman, row) = (self.clone(), row.clone());
        tokio::spawn(async move {
            if let Err(error) = postman.write_order_news(&row, news).await {
                tracing::error!(order.id = %row.id, error = %format!("{error:#}"), "could not write the order's mail");
            }
        });
    }

    async fn write_order_news(&self, row: &OrderRow, news: OrderNews) -> anyhow::Result<()> {
        let (shape, colour) = (row.shape()?, row.colour()?);
        let Some(to) = self.email_of(&row.user_id).await? else {
            tracing::warn!(order.id = %row.id, "the order's owner has no e-mail address; no mail");
            return Ok(());
        };
        let facts = OrderFacts { id: &row.id, shape, colour: &colour };
        let mail = match &news {
            OrderNews::Ready => {
                let thumbnail = thumbnail(row).await;
                self.templates.picture_ready(&to, &facts, thumbnail)
            }
            OrderNews::PaymentFailed => self.templates.payment_failed(&to, &facts),
            OrderNews::CheckoutExpired => self.templates.checkout_expired(&to, &facts),
            OrderNews::DrawFailed { reason } => self.templates.draw_failed(&to, &facts, reason),
            OrderNews::Refunded { reason, amount_cents } => {
                let amount = app::domain::catalogue::format_price(*amount_cents, &row.currency);
                self.templates.refunded(&to, &facts, reason, &amount)
            }
        };
        self.send(format!("order-{}-{}", row.id, news.kind()), mail).await;
        Ok(())
    }

    pub async fn email_of(&self, user_id: &str) -> anyhow::Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
            .context("cannot look up the owner's e-mail")?;
        Ok(row.map(|(email,)| email).filter(|email| !email.is_empty()))
    }
}

/// The order's picture, small, drawn again from its seed (the stored picture is private and
/// may be large); `None` if it cannot be drawn.
async fn thumbnail(row: &OrderRow) -> Option<String> {
    let (shape, colour, seed) = (row.shape().ok()?, row.colour().ok()?, row.seed());
    let png = tokio::task::spawn_blocking(move || render::render_png(shape, &colour, seed, THUMBNAIL_SIZE))
        .await
        .ok()?
        .ok()?;
    Some(STANDARD.encode(png))
}

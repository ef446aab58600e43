//! The postman: writes the product's mails and queues them.

use super::{
    Mail, MailJob, MailQueue,
    templates::{OrderFacts, Templates},
};
use crate::{db, orders::OrderRow, queue::within_enqueue_timeout, render};
use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use std::sync::Arc;

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

    /// Queues a mail under `id`. Never fails the caller: a queue that does not answer in
    /// time, or refuses, is logged.
    pub async fn send(&self, id: String, mail: Mail) {
        let job = MailJob { id, mail };
        let id = job.id.clone();
        if let Err(error) = within_enqueue_timeout(self.queue.enqueue_mail(job)).await {
            tracing::error!(mail.id = %id, error = %format!("{error:#}"), "could not queue a mail");
        }
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

//! E-mail: what the product sends, how it travels, and where it ends up.
//!
//! Mails are built from templates ([`templates`]), stored as pending and queued as jobs
//! ([`MailJob`], on the same apalis backend as the drawings) by the [`Postman`], and
//! delivered by a worker through the configured [`Mailer`]: the database outbox of the
//! embedded default (listed at `/dev/mail`) or SMTP. A job carries either a mail written in
//! full or an order's news, which [`Letters`] writes when it is sent. A mail that fails
//! every attempt is kept as a dead letter (`mail_failures`) until an admin sends it again.
//! Queueing and delivery never hold up or fail an order.

mod outbox;
mod postman;
mod smtp;
pub mod templates;

pub use outbox::{OutboxMailer, OutboxMessage};
pub use postman::{Postman, keep_pending};
pub use smtp::SmtpMailer;

use crate::platform::{db, request_id};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

/// A mail, ready to send: text and HTML alternatives, and the images the HTML shows inline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    #[serde(default)]
    pub images: Vec<InlineImage>,
}

/// A PNG shown in the HTML part as `<img src="cid:{content_id}">`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlineImage {
    pub content_id: String,
    pub png_base64: String,
}

/// The payload of a mail job. The id makes delivery idempotent where the transport allows
/// (the outbox stores each id once; SMTP uses it as the Message-ID).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailJob {
    pub id: String,
    /// A mail written in full (account mails, alerts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<Mail>,
    /// What happened to an order: written when it is sent, from the order as it is then,
    /// so a status change stores it in its own transaction without writing the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_news: Option<OrderLetter>,
    /// The request that caused the mail, for the mail worker's log lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl MailJob {
    /// A job for a mail written in full.
    pub fn written(id: impl Into<String>, mail: Mail) -> Self {
        Self { id: id.into(), mail: Some(mail), order_news: None, request_id: request_id::current() }
    }

    /// A job telling an order's owner what happened to it; one per order and kind of news.
    pub fn order_news(order_id: &str, news: OrderNews) -> Self {
        Self {
            id: format!("order-{order_id}-{}", news.kind()),
            mail: None,
            order_news: Some(OrderLetter { order_id: order_id.to_owned(), news }),
            request_id: request_id::current(),
        }
    }
}

/// News of one order, for its owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLetter {
    pub order_id: String,
    pub news: OrderNews,
}

/// What happened to an order that its owner hears about by mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
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
    /// Drawn, and refunded by the shop; the points it earned were taken back (and those
    /// already spent are owed).
    RefundedByShop {
        amount_cents: i64,
        points_taken: i64,
        points_owed: i64,
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
            OrderNews::RefundedByShop { .. } => "refunded-by-shop",
        }
    }
}

/// Writes the mail of an order's news when it is sent.
#[async_trait::async_trait]
pub trait Letters: Send + Sync {
    /// The mail for `letter`; `None` when there is no one to send it to any more (the
    /// order or its owner's address is gone). An error is worth another try.
    async fn write(&self, letter: &OrderLetter) -> anyhow::Result<Option<Mail>>;
}

/// Where mail jobs are sent. An implementation answers within a few seconds or fails, so
/// a caller never hangs on it (the pending row keeps the mail for the sweep).
#[async_trait::async_trait]
pub trait MailQueue: Send + Sync {
    async fn enqueue_mail(&self, job: MailJob) -> anyhow::Result<()>;
}

/// A way of delivering mail.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers one mail; an error is worth another try.
    async fn send(&self, id: &str, mail: &Mail) -> anyhow::Result<()>;
    /// The outbox, when mail stays in the database (for `/dev/mail`).
    fn outbox(&self) -> Option<&OutboxMailer> {
        None
    }
}

/// The mailer chosen by the settings: SMTP when `SMTP_URL` is set, the outbox otherwise.
pub fn mailer(smtp_url: Option<&str>, from: &str, pool: &db::Pool) -> anyhow::Result<Arc<dyn Mailer>> {
    Ok(match smtp_url {
        Some(url) => Arc::new(SmtpMailer::new(url, from)?),
        None => Arc::new(OutboxMailer::new(pool.clone())),
    })
}

/// Delivers mail jobs with retries; counts what was sent and what finally failed, and keeps
/// the mails that failed every attempt as dead letters.
pub struct Delivery {
    mailer: Arc<dyn Mailer>,
    letters: Arc<dyn Letters>,
    pool: db::Pool,
    attempts: u32,
    first_backoff: Duration,
    sent: AtomicU64,
    failed: AtomicU64,
}

/// Why a mail job did not deliver its mail.
#[derive(Debug, thiserror::Error)]
#[error("the mail was not delivered after {attempts} attempts: {error}")]
pub struct Undelivered {
    pub attempts: u32,
    pub error: String,
}

impl Delivery {
    /// `attempts` tries per mail, waiting `first_backoff`, then twice as long each time.
    pub fn new(
        mailer: Arc<dyn Mailer>,
        letters: Arc<dyn Letters>,
        pool: db::Pool,
        attempts: u32,
        first_backoff: Duration,
    ) -> Self {
        Self {
            mailer,
            letters,
            pool,
            attempts: attempts.max(1),
            first_backoff,
            sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    pub fn mailer(&self) -> &Arc<dyn Mailer> {
        &self.mailer
    }

    /// Mails delivered by this process.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Mails this process gave up on after the last attempt.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// Writes (for an order's news) and sends one mail, retrying with exponential
    /// back-off. A mail that still fails after the last attempt is kept as a dead letter
    /// and the job fails with [`Undelivered`]; nothing else depends on it.
    #[tracing::instrument(skip_all, fields(mail.id = %job.id))]
    pub async fn deliver(&self, job: &MailJob) -> Result<(), Undelivered> {
        let mut backoff = self.first_backoff;
        let mut written = job.mail.clone();
        for attempt in 1..=self.attempts {
            let outcome = match self.write(job, &mut written).await {
                Ok(Some(mail)) => self.mailer.send(&job.id, mail).await.map(|()| true),
                Ok(None) => Ok(false),
                Err(error) => Err(error),
            };
            match outcome {
                Ok(true) => {
                    self.sent.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(attempt, subject = %written.as_ref().map_or("", |m| &m.subject), "mail sent");
                    return Ok(());
                }
                Ok(false) => {
                    tracing::info!("no one to send the mail to any more; dropped");
                    return Ok(());
                }
                Err(error) if attempt < self.attempts => {
                    tracing::warn!(attempt, error = %format!("{error:#}"), "sending a mail failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
                Err(error) => {
                    self.failed.fetch_add(1, Ordering::Relaxed);
                    let error = format!("{error:#}");
                    tracing::error!(attempts = self.attempts, %error, "giving up on a mail; kept as a dead letter");
                    if let Err(stored) = self.keep_dead(job, written.as_ref(), &error).await {
                        tracing::error!(error = %format!("{stored:#}"), "could not keep the mail as a dead letter");
                    }
                    return Err(Undelivered { attempts: self.attempts, error });
                }
            }
        }
        Ok(())
    }

    /// The mail to send for `job`, written once and kept in `written` for the next attempt.
    async fn write<'a>(
        &self,
        job: &MailJob,
        written: &'a mut Option<Mail>,
    ) -> anyhow::Result<Option<&'a Mail>> {
        if written.is_none()
            && let Some(letter) = &job.order_news
        {
            *written = self.letters.write(letter).await?;
            if written.is_none() {
                return Ok(None);
            }
        }
        Ok(written.as_ref())
    }

    /// Stores a mail that failed every attempt in `mail_failures` (again, if it was retried).
    async fn keep_dead(&self, job: &MailJob, mail: Option<&Mail>, error: &str) -> anyhow::Result<()> {
        let encoded = serde_json::to_string(job).context("cannot encode the mail")?;
        let (to, subject) = mail.map_or(("", "(not written)"), |m| (m.to.as_str(), m.subject.as_str()));
        sqlx::query(
            "INSERT INTO mail_failures (id, job, recipient, subject, error, attempts, failed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET job = excluded.job, \
             recipient = excluded.recipient, subject = excluded.subject, error = excluded.error, \
             attempts = excluded.attempts, failed_at = excluded.failed_at, alerted_at = NULL, retried_at = NULL",
        )
        .bind(&job.id)
        .bind(encoded)
        .bind(to)
        .bind(subject)
        .bind(error)
        .bind(i64::from(self.attempts))
        .bind(crate::platform::clock::now_millis())
        .execute(&self.pool)
        .await
        .context("cannot store the dead letter")?;
        Ok(())
    }
}

/// Parses `MAIL_FROM` (`Name <address>` or a bare address), naming the variable on error.
pub fn parse_from(from: &str) -> anyhow::Result<lettre::message::Mailbox> {
    from.parse().with_context(|| format!("MAIL_FROM is not a mail address: {from:?}"))
}

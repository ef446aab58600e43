//! E-mail: what the product sends, how it travels, and where it ends up.
//!
//! Mails are built from templates ([`templates`]) by the [`Postman`], queued as jobs
//! ([`MailJob`], on the same apalis backend as the drawings) and delivered by a worker
//! through the configured [`Mailer`]: the database outbox of the embedded default (listed
//! at `/dev/mail`) or SMTP. Queueing and delivery never hold up or fail an order.

mod outbox;
mod postman;
mod smtp;
pub mod templates;

pub use outbox::{OutboxMailer, OutboxMessage};
pub use postman::{OrderNews, Postman};
pub use smtp::SmtpMailer;

use crate::db;
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
    pub mail: Mail,
}

/// Where mail jobs are sent.
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

/// Delivers mail jobs with retries; counts what was sent and what finally failed.
pub struct Delivery {
    mailer: Arc<dyn Mailer>,
    attempts: u32,
    first_backoff: Duration,
    sent: AtomicU64,
    failed: AtomicU64,
}

impl Delivery {
    /// `attempts` tries per mail, waiting `first_backoff`, then twice as long each time.
    pub fn new(mailer: Arc<dyn Mailer>, attempts: u32, first_backoff: Duration) -> Self {
        Self {
            mailer,
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

    /// Sends one mail, retrying with exponential back-off. A mail that still fails after
    /// the last attempt is logged and counted, and the job ends: nothing else depends on it.
    #[tracing::instrument(skip_all, fields(mail.id = %job.id))]
    pub async fn deliver(&self, job: &MailJob) {
        let mut backoff = self.first_backoff;
        for attempt in 1..=self.attempts {
            match self.mailer.send(&job.id, &job.mail).await {
                Ok(()) => {
                    self.sent.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(attempt, subject = %job.mail.subject, "mail sent");
                    return;
                }
                Err(error) if attempt < self.attempts => {
                    tracing::warn!(attempt, error = %format!("{error:#}"), "sending a mail failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
                Err(error) => {
                    self.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        attempts = self.attempts,
                        error = %format!("{error:#}"),
                        subject = %job.mail.subject,
                        "giving up on a mail"
                    );
                }
            }
        }
    }
}

/// Parses `MAIL_FROM` (`Name <address>` or a bare address), naming the variable on error.
pub fn parse_from(from: &str) -> anyhow::Result<lettre::message::Mailbox> {
    from.parse().with_context(|| format!("MAIL_FROM is not a mail address: {from:?}"))
}

//! The postman: stores mails as pending and hands them to the queue.
//!
//! A mail is stored in `mail_pending` before its job is queued and removed once the queue
//! has it, so a queue that is slow or away loses no mail: the sweep queues what is left.
//! A status change that causes a mail stores it with [`keep_pending`] in the change's own
//! transaction, then calls [`Postman::dispatch`] after the commit.

use super::{Mail, MailJob, MailQueue, templates::Templates};
use crate::platform::{db, error::internal};
use anyhow::Context as _;
use app::{error::AppError, services::MailService};
use std::{sync::Arc, time::Duration};

pub struct Postman {
    queue: Arc<dyn MailQueue>,
    templates: Templates,
    pool: db::Pool,
}

/// Stores `job` as pending (once per id) on `connection`, which may be a transaction's.
pub async fn keep_pending(connection: &mut sqlx::AnyConnection, job: &MailJob) -> anyhow::Result<()> {
    let encoded = serde_json::to_string(job).context("cannot encode the mail")?;
    sqlx::query(
        "INSERT INTO mail_pending (id, job, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&job.id)
    .bind(encoded)
    .bind(crate::platform::clock::now_secs())
    .execute(connection)
    .await
    .context("cannot store the pending mail")?;
    Ok(())
}

impl Postman {
    pub fn new(queue: Arc<dyn MailQueue>, templates: Templates, pool: db::Pool) -> Self {
        Self { queue, templates, pool }
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Queues a mail written in full under `id`. Never fails the caller: the mail is first
    /// stored as pending, so a queue that does not answer in time, or refuses, only delays
    /// it until [`Postman::requeue_pending`] hands it over.
    pub async fn send(&self, id: String, mail: Mail) {
        let job = MailJob::written(id, mail);
        let kept = match self.pool.acquire().await {
            Ok(mut connection) => keep_pending(&mut connection, &job).await,
            Err(error) => Err(anyhow::Error::from(error).context("cannot reach the database")),
        };
        if let Err(error) = kept {
            // Without the row the mail can still go now; it just has no second chance.
            tracing::error!(mail.id = %job.id, error = %format!("{error:#}"), "could not store a pending mail");
        }
        self.dispatch(job).await;
    }

    /// Hands a pending mail to the queue and, once it has it, forgets the pending row.
    pub async fn dispatch(&self, job: MailJob) {
        let id = job.id.clone();
        if let Err(error) = self.queue.enqueue_mail(job).await {
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
                .bind(crate::platform::clock::seconds_before_now(older_than))
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

    /// Queues a dead letter's mail again; `Ok(false)` when there is no such open dead letter.
    async fn requeue_dead(&self, id: &str) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await.context("cannot start a transaction")?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE mail_failures SET retried_at = $1 WHERE id = $2 AND retried_at IS NULL RETURNING job",
        )
        .bind(crate::platform::clock::now_millis())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .context("cannot read the dead letter")?;
        let Some((encoded,)) = row else {
            return Ok(false);
        };
        let job: MailJob = serde_json::from_str(&encoded).context("the dead letter cannot be read")?;
        // A fresh pending row: the one of the first sending was removed when it was queued.
        sqlx::query("DELETE FROM mail_pending WHERE id = $1")
            .bind(&job.id)
            .execute(&mut *tx)
            .await
            .context("cannot store the pending mail")?;
        keep_pending(&mut tx, &job).await?;
        tx.commit().await.context("cannot commit the retry")?;
        tracing::info!(mail.id = %id, "mail queued again by an admin");
        self.dispatch(job).await;
        Ok(true)
    }
}

#[async_trait::async_trait]
impl MailService for Postman {
    /// An admin's **Retry** of a mail dead letter: the mail is queued again (through the
    /// pending table, so it is not lost if the queue is away) and leaves the failures list.
    async fn retry_dead(&self, id: &str) -> Result<(), AppError> {
        match self.requeue_dead(id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AppError::NotFound),
            Err(error) => Err(internal("could not retry the mail")(format!("{error:#}"))),
        }
    }
}

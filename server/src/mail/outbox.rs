//! The embedded default's mailer: mail is stored in the database, and `/dev/mail` lists it.

use super::{InlineImage, Mail, Mailer};
use crate::platform::db;
use anyhow::Context as _;

pub struct OutboxMailer {
    pool: db::Pool,
}

/// A stored mail, as `/dev/mail` shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxMessage {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    #[serde(skip)]
    pub images: Vec<InlineImage>,
    /// Unix seconds.
    pub sent_at: i64,
}

type Row = (String, String, String, String, String, String, i64);

impl OutboxMailer {
    pub fn new(pool: db::Pool) -> Self {
        Self { pool }
    }

    /// The newest `limit` mails, newest first.
    pub async fn recent(&self, limit: i64) -> anyhow::Result<Vec<OutboxMessage>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, recipient, subject, text_body, html_body, images, sent_at FROM mail_outbox \
             ORDER BY sent_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("cannot read the mail outbox")?;
        Ok(rows.into_iter().map(message).collect())
    }

    /// One mail by id.
    pub async fn get(&self, id: &str) -> anyhow::Result<Option<OutboxMessage>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, recipient, subject, text_body, html_body, images, sent_at FROM mail_outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("cannot read the mail outbox")?;
        Ok(row.map(message))
    }
}

fn message((id, to, subject, text, html, images, sent_at): Row) -> OutboxMessage {
    let images = serde_json::from_str(&images).unwrap_or_default();
    OutboxMessage { id, to, subject, text, html, images, sent_at }
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, id: &str, mail: &Mail) -> anyhow::Result<()> {
        let images = serde_json::to_string(&mail.images).context("cannot encode the inline images")?;
        sqlx::query(
            "INSERT INTO mail_outbox (id, recipient, subject, text_body, html_body, images, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(images)
        .bind(crate::platform::clock::now_secs())
        .execute(&self.pool)
        .await
        .context("cannot store the mail in the outbox")?;
        Ok(())
    }

    fn outbox(&self) -> Option<&OutboxMailer> {
        Some(self)
    }
}

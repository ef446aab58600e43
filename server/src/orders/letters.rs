//! The mails of an order's news, written when they are sent from the order as it is then.

use super::OrderRow;
use crate::{
    mail::{
        Letters, Mail, OrderLetter, OrderNews,
        templates::{OrderFacts, Paid, Templates},
    },
    platform::db,
    render,
};
use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};

/// Side of the thumbnail in the "picture ready" mail, in pixels.
const THUMBNAIL_SIZE: u32 = 160;

/// Writes order news for the mail worker.
pub struct OrderLetters {
    pool: db::Pool,
    templates: Templates,
}

impl OrderLetters {
    pub fn new(pool: db::Pool, templates: Templates) -> Self {
        Self { pool, templates }
    }
}

#[async_trait::async_trait]
impl Letters for OrderLetters {
    async fn write(&self, letter: &OrderLetter) -> anyhow::Result<Option<Mail>> {
        let row: Option<OrderRow> =
            sqlx::query_as(concat!("SELECT ", crate::order_columns!(), " FROM orders WHERE id = $1"))
                .bind(&letter.order_id)
                .fetch_optional(&self.pool)
                .await
                .context("cannot read the order")?;
        let Some(row) = row else {
            tracing::warn!(order.id = %letter.order_id, "the order is gone; no mail");
            return Ok(None);
        };
        let email: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(&row.user_id)
            .fetch_optional(&self.pool)
            .await
            .context("cannot look up the owner's e-mail")?;
        let Some(to) = email.map(|(email,)| email).filter(|email| !email.is_empty()) else {
            tracing::warn!(order.id = %row.id, "the order's owner has no e-mail address; no mail");
            return Ok(None);
        };
        let (shape, colour) = (row.shape()?, row.colour()?);
        let facts = OrderFacts { id: &row.id, shape, colour: &colour };
        Ok(Some(match &letter.news {
            OrderNews::Ready => {
                let paid = row.paid_at.map(|at| Paid {
                    amount: app::domain::catalogue::format_price(
                        row.amount_paid_cents.unwrap_or(row.price_cents),
                        &row.currency,
                    ),
                    on: app::domain::order::short_time(&crate::platform::clock::rfc3339(at)),
                });
                self.templates.picture_ready(&to, &facts, thumbnail(&row).await, paid.as_ref())
            }
            OrderNews::PaymentFailed => self.templates.payment_failed(&to, &facts),
            OrderNews::CheckoutExpired => self.templates.checkout_expired(&to, &facts),
            OrderNews::DrawFailed { reason } => self.templates.draw_failed(&to, &facts, reason),
            OrderNews::Refunded { reason, amount_cents } => {
                let amount = app::domain::catalogue::format_price(*amount_cents, &row.currency);
                self.templates.refunded(&to, &facts, reason, &amount)
            }
            OrderNews::RefundedByShop { amount_cents, points_taken, points_owed } => {
                let amount = app::domain::catalogue::format_price(*amount_cents, &row.currency);
                let note = match (points_taken, points_owed) {
                    (0, 0) => String::new(),
                    (taken, 0) => format!("The {taken} points it earned are taken back."),
                    (taken, owed) => format!(
                        "It earned {} points: {taken} are taken back, and as the rest were spent, {owed} \
                         points of later earnings settle them.",
                        taken + owed
                    ),
                };
                self.templates.refunded_by_shop(&to, &facts, &amount, &note)
            }
        }))
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

//! The payment provider's webhook: a signed event moves its order on.

use super::Orders;
use crate::{
    metrics::Metrics,
    payments::{
        event::{CheckoutSession, Event, change_for},
        signature,
    },
};
use app::error::AppError;
use std::sync::Arc;

/// What a webhook delivery did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The order changed.
    Applied,
    /// Recorded, but the order was already past this point (or the event changes nothing).
    Unchanged,
    /// This event id was applied before.
    Replayed,
    /// Not an event this service acts on, or not one of its orders.
    Ignored,
}

impl WebhookOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Applied => "applied",
            WebhookOutcome::Unchanged => "unchanged",
            WebhookOutcome::Replayed => "replayed",
            WebhookOutcome::Ignored => "ignored",
        }
    }
}

/// `POST /api/v1/stripe/webhook`: checks the signature over the raw body, then applies the
/// event to its order in one transaction with the event id.
pub struct Webhook {
    secrets: Vec<String>,
    orders: Arc<Orders>,
    metrics: Arc<Metrics>,
}

impl Webhook {
    pub fn new(secrets: Vec<String>, orders: Arc<Orders>, metrics: Arc<Metrics>) -> Self {
        Self { secrets, orders, metrics }
    }

    /// Handles one delivery (and counts it by type and outcome). Bad signatures and bodies
    /// are [`AppError::BadRequest`] with nothing changed; internal failures are errors Stripe
    /// retries, never half-applied.
    pub async fn handle(&self, payload: &[u8], signature: Option<&str>) -> Result<WebhookOutcome, AppError> {
        let mut kind = None;
        let outcome = self.apply(payload, signature, &mut kind).await;
        let label = match &outcome {
            Ok(outcome) => outcome.as_str(),
            Err(AppError::BadRequest { .. }) => "refused",
            Err(_) => "error",
        };
        self.metrics.webhook_event(kind.as_deref().unwrap_or("unknown"), label);
        outcome
    }

    /// Applies one delivery; sets `kind` to the event's type once it is read.
    async fn apply(
        &self,
        payload: &[u8],
        signature: Option<&str>,
        kind: &mut Option<String>,
    ) -> Result<WebhookOutcome, AppError> {
        let bad = |message: String| {
            tracing::warn!(%message, "webhook delivery refused");
            AppError::BadRequest { message }
        };
        signature::verify(payload, signature, &self.secrets, crate::clock::now_secs())
            .map_err(|e| bad(e.to_string()))?;
        let event: Event = serde_json::from_slice(payload)
            .map_err(|e| bad(format!("the body is not a Stripe event: {e}")))?;
        if event.object != "event" {
            return Err(bad(format!("expected an event object, got {:?}", event.object)));
        }
        *kind = Some(event.kind.clone());
        if !event.kind.starts_with("checkout.session.") {
            tracing::debug!(event.id = %event.id, event.kind = %event.kind, "webhook event ignored");
            return Ok(WebhookOutcome::Ignored);
        }
        let session: CheckoutSession = serde_json::from_value(event.data.object)
            .map_err(|e| bad(format!("the event's data.object is not a checkout session: {e}")))?;
        if session.object != "checkout.session" {
            return Err(bad(format!("expected a checkout.session, got {:?}", session.object)));
        }
        let Some(change) = change_for(&event.kind, &session) else {
            return Ok(WebhookOutcome::Ignored);
        };
        let outcome = self
            .orders
            .apply_payment(&event.id, &event.kind, &session.id, session.order_id(), change)
            .await?;
        tracing::info!(event.id = %event.id, event.kind = %event.kind, outcome = outcome.as_str(), "webhook event");
        Ok(outcome)
    }
}

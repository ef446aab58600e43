//! The parts of a Stripe event the webhook acts on.
//!
//! Events are read with serde into the few fields used here, so a field Stripe adds or
//! drops in a later API version cannot make a paid order unreadable. Tests feed complete
//! Stripe objects to prove the real wire format parses.

use serde::Deserialize;
use std::collections::HashMap;

/// An event envelope: `{"id", "object": "event", "type", "data": {"object": ...}}`.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    pub object: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// A `checkout.session` object.
#[derive(Debug, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub object: String,
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: Option<HashMap<String, String>>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    /// An id, or the expanded object.
    #[serde(default)]
    pub payment_intent: Option<serde_json::Value>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
}

impl CheckoutSession {
    /// The order this session pays for: `metadata.order_id`, else `client_reference_id`
    /// (none for a bill's session).
    pub fn order_id(&self) -> Option<&str> {
        if self.bill_id().is_some() {
            return None;
        }
        self.metadata
            .as_ref()
            .and_then(|m| m.get("order_id"))
            .or(self.client_reference_id.as_ref())
            .map(String::as_str)
    }

    /// The bill this session pays for: `metadata.bill_id`.
    pub fn bill_id(&self) -> Option<&str> {
        self.metadata.as_ref().and_then(|m| m.get("bill_id")).map(String::as_str)
    }

    pub fn payment_intent_id(&self) -> Option<String> {
        match &self.payment_intent {
            Some(serde_json::Value::String(id)) => Some(id.clone()),
            Some(serde_json::Value::Object(intent)) => {
                intent.get("id").and_then(|id| id.as_str()).map(str::to_owned)
            }
            _ => None,
        }
    }

    pub fn is_paid(&self) -> bool {
        matches!(self.payment_status.as_str(), "paid" | "no_payment_required")
    }
}

/// What a checkout event asks of its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentChange {
    /// Record the payment and queue the drawing (or refund it: see the webhook).
    Paid { payment_intent: Option<String>, amount_cents: Option<i64>, currency: Option<String> },
    /// Completed, but the money is still on its way (a delayed payment method).
    StillUnpaid,
    /// The delayed payment failed.
    PaymentFailed,
    /// The checkout session expired before payment.
    Expired,
}

/// Event types the webhook acts on; everything else is acknowledged and ignored.
pub fn change_for(kind: &str, session: &CheckoutSession) -> Option<PaymentChange> {
    let paid = || PaymentChange::Paid {
        payment_intent: session.payment_intent_id(),
        amount_cents: session.amount_total,
        currency: session.currency.clone(),
    };
    match kind {
        "checkout.session.completed" if session.is_paid() => Some(paid()),
        "checkout.session.completed" => Some(PaymentChange::StillUnpaid),
        "checkout.session.async_payment_succeeded" => Some(paid()),
        "checkout.session.async_payment_failed" => Some(PaymentChange::PaymentFailed),
        "checkout.session.expired" => Some(PaymentChange::Expired),
        _ => None,
    }
}

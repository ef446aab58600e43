//! The built-in stand-in for Stripe Checkout: a page of this server that sends this
//! server's own webhook correctly signed events, so the real webhook code path runs.

use super::{Checkout, CheckoutRequest, NewPrice, Payer, PaymentProvider, RefundRequest, signature};
use serde_json::json;

/// Sessions are pages of this server; paying signs an event with the webhook secret.
pub struct SimulatedPayments {
    public_url: String,
    secret: String,
}

/// What the simulated session knows of its order or bill, to describe it in events.
pub struct SimulatedSession<'a> {
    pub session_id: &'a str,
    pub payer: Payer,
    pub amount_cents: i64,
    pub currency: &'a str,
}

impl SimulatedPayments {
    pub fn new(public_url: &str, secret: String) -> Self {
        Self { public_url: public_url.trim_end_matches('/').to_owned(), secret }
    }

    /// A signed `checkout.session.completed` (paid) event: the body and its `Stripe-Signature`.
    pub fn paid_event(&self, session: &SimulatedSession<'_>) -> (Vec<u8>, String) {
        self.event("checkout.session.completed", session, "complete", "paid")
    }

    /// A signed `checkout.session.expired` event.
    pub fn expired_event(&self, session: &SimulatedSession<'_>) -> (Vec<u8>, String) {
        self.event("checkout.session.expired", session, "expired", "unpaid")
    }

    fn event(
        &self,
        kind: &str,
        session: &SimulatedSession<'_>,
        status: &str,
        payment_status: &str,
    ) -> (Vec<u8>, String) {
        let now = crate::platform::clock::now_secs();
        let paid = payment_status == "paid";
        let payment_intent = paid.then(|| format!("pi_sim_{}", uuid::Uuid::new_v4().simple()));
        let (payer, key) = (session.payer.id(), session.payer.metadata_key());
        let page = match session.payer {
            Payer::Order(_) => "orders",
            Payer::Bill(_) => "bills",
        };
        let object = json!({
            "id": session.session_id,
            "object": "checkout.session",
            "amount_subtotal": session.amount_cents,
            "amount_total": session.amount_cents,
            "cancel_url": format!("{}/orders/new", self.public_url),
            "client_reference_id": payer,
            "created": now,
            "currency": session.currency,
            "customer": null,
            "expires_at": now,
            "livemode": false,
            "metadata": { key: payer },
            "mode": "payment",
            "payment_intent": payment_intent,
            "payment_status": payment_status,
            "status": status,
            "success_url": format!("{}/{page}/{payer}", self.public_url),
            "url": null,
        });
        let event = json!({
            "id": format!("evt_sim_{}", uuid::Uuid::new_v4().simple()),
            "object": "event",
            "api_version": stripe_shared::version::VERSION.as_str(),
            "created": now,
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": null, "idempotency_key": null },
            "type": kind,
            "data": { "object": object },
        });
        let body = serde_json::to_vec(&event).unwrap_or_default();
        let header = signature::sign(&body, &self.secret, now);
        (body, header)
    }
}

#[async_trait::async_trait]
impl PaymentProvider for SimulatedPayments {
    async fn create_checkout(&self, _request: &CheckoutRequest) -> anyhow::Result<Checkout> {
        let session_id = format!("cs_test_sim_{}", uuid::Uuid::new_v4().simple());
        let url = format!("{}/checkout/simulated/{session_id}", self.public_url);
        Ok(Checkout { session_id, url })
    }

    async fn create_price(&self, _price: &NewPrice<'_>) -> anyhow::Result<Option<String>> {
        Ok(None)
    }

    /// Nothing was charged, so nothing is given back; the refund is recorded on the order
    /// under an id derived from it (asked again, the same id).
    async fn refund(&self, request: &RefundRequest) -> anyhow::Result<String> {
        tracing::info!(order.id = %request.order_id, amount = request.amount_cents, "simulated refund");
        let key: String = request.idempotency_key.chars().filter(char::is_ascii_alphanumeric).collect();
        Ok(format!("re_sim_{key}"))
    }

    /// The simulated checkout page looks at its order: a cancelled order cannot be paid.
    async fn expire_checkout(&self, _session_id: &str) -> anyhow::Result<()> {
        Ok(())
    }

    fn simulated(&self) -> Option<&SimulatedPayments> {
        Some(self)
    }
}

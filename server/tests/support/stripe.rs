//! Stripe's wire format for tests: signed events built from a complete Checkout Session
//! fixture, and a local fake of Stripe's HTTP API that checks what it is sent.

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

/// A complete `checkout.session` object in Stripe's wire format (`tests/fixtures/stripe`).
pub fn session_fixture() -> Value {
    serde_json::from_str(include_str!("../fixtures/stripe/checkout.session.json"))
        .expect("the fixture is JSON")
}

/// A complete checkout session for `order_id` paid through `session_id`.
pub fn session(session_id: &str, order_id: &str, payment_status: &str, status: &str, amount: i64) -> Value {
    let mut session = session_fixture();
    session["id"] = json!(session_id);
    session["client_reference_id"] = json!(order_id);
    session["metadata"] = json!({ "order_id": order_id });
    session["payment_status"] = json!(payment_status);
    session["status"] = json!(status);
    session["amount_total"] = json!(amount);
    session["currency"] = json!("usd");
    session["mode"] = json!("payment");
    session
}

/// An event envelope around `object`, as Stripe sends it.
pub fn event(id: &str, kind: &str, object: Value) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2026-09-30.endive",
        "created": now(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
        "data": { "object": object },
    })
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// `t=...,v1=...` over `body`, computed here independently of the server's code.
pub fn signature(body: &[u8], secret: &str, timestamp: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub form: Vec<(String, String)>,
}

impl Received {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The `metadata[key]=value` fields, as Stripe's objects show them.
    pub fn metadata(&self) -> serde_json::Map<String, Value> {
        self.form
            .iter()
            .filter_map(|(key, value)| {
                key.strip_prefix("metadata[")
                    .and_then(|k| k.strip_suffix(']'))
                    .map(|k| (k.to_owned(), json!(value)))
            })
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A local stand-in for `api.stripe.com` (there is no offline Stripe emulator). It refuses
/// requests without the test key like Stripe does and answers with complete objects.
pub struct StripeFake {
    pub address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    /// When set, every request fails with this HTTP status (Stripe being down).
    failing: Arc<Mutex<Option<StatusCode>>>,
    refunds: Arc<Mutex<Vec<(String, Value)>>>,
}

pub const SECRET_KEY: &str = "sk_test_fake_51LetThemDraw";

/// The webhook signing secret of apps that take payments through the fake.
pub const WEBHOOK_SECRET: &str = "whsec_from_stripe";

#[derive(Clone)]
struct FakeState {
    received: Arc<Mutex<Vec<Received>>>,
    failing: Arc<Mutex<Option<StatusCode>>>,
    /// Refunds made, by idempotency key: a repeated key answers the first refund again.
    refunds: Arc<Mutex<Vec<(String, Value)>>>,
}

impl StripeFake {
    pub async fn start() -> Self {
        let state = FakeState { received: Arc::default(), failing: Arc::default(), refunds: Arc::default() };
        let router = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/prices", post(create_price))
            .route("/v1/refunds", post(create_refund))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { address, received: state.received, failing: state.failing, refunds: state.refunds }
    }

    /// The base URL to hand the server as `STRIPE_API_BASE`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.address)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// The refunds made (one per idempotency key, as at Stripe).
    pub fn refunds(&self) -> Vec<Value> {
        self.refunds.lock().expect("lock").iter().map(|(_, refund)| refund.clone()).collect()
    }

    pub fn fail_with(&self, status: Option<StatusCode>) {
        *self.failing.lock().expect("lock") = status;
    }
}

fn stripe_error(status: StatusCode, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "error": { "type": "invalid_request_error", "message": message } })))
}

/// Records the request and checks what every Stripe request must carry.
fn receive(
    state: &FakeState,
    path: &str,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Received, (StatusCode, Json<Value>)> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let received = Received { path: path.to_owned(), headers, form };
    state.received.lock().expect("lock").push(received.clone());
    if let Some(status) = *state.failing.lock().expect("lock") {
        return Err(stripe_error(status, "the fake is failing on purpose"));
    }
    if received.header("authorization") != Some(&format!("Bearer {SECRET_KEY}")) {
        return Err(stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided"));
    }
    if received.header("idempotency-key").is_none_or(str::is_empty) {
        return Err(stripe_error(StatusCode::BAD_REQUEST, "this fake expects an Idempotency-Key"));
    }
    if received.header("stripe-version").is_none() {
        return Err(stripe_error(StatusCode::BAD_REQUEST, "this fake expects a pinned Stripe-Version"));
    }
    if received.header("content-type") != Some("application/x-www-form-urlencoded") {
        return Err(stripe_error(StatusCode::BAD_REQUEST, "Stripe takes form-encoded bodies"));
    }
    Ok(received)
}

async fn create_session(
    State(state): State<FakeState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let received = receive(&state, "/v1/checkout/sessions", headers, &body)?;
    let field = |name: &str| received.field(name).map(str::to_owned);
    let required =
        ["mode", "client_reference_id", "success_url", "cancel_url", "expires_at", "line_items[0][quantity]"];
    if let Some(missing) = required.iter().find(|name| field(name).is_none()) {
        return Err(stripe_error(StatusCode::BAD_REQUEST, &format!("Missing required param: {missing}.")));
    }
    let metadata = received.metadata();
    if !metadata.contains_key("order_id") && !metadata.contains_key("bill_id") {
        return Err(stripe_error(
            StatusCode::BAD_REQUEST,
            "this fake expects metadata[order_id] or metadata[bill_id]",
        ));
    }
    let id = format!("cs_test_fake_{}", uuid::Uuid::new_v4().simple());
    let reference = field("client_reference_id").unwrap_or_default();
    // Every line item: a price object's (500 here) or its price_data's unit amount.
    let mut amount = 0;
    for line in 0.. {
        if field(&format!("line_items[{line}][quantity]")).is_none() {
            break;
        }
        let unit = field(&format!("line_items[{line}][price_data][unit_amount]"));
        amount += unit.and_then(|a| a.parse::<i64>().ok()).unwrap_or(500);
    }
    let mut session = session(&id, &reference, "unpaid", "open", amount);
    session["metadata"] = Value::Object(metadata);
    session["url"] = json!(format!("https://checkout.stripe.com/c/pay/{id}"));
    session["success_url"] = json!(field("success_url"));
    session["cancel_url"] = json!(field("cancel_url"));
    session["expires_at"] = json!(field("expires_at").and_then(|t| t.parse::<i64>().ok()));
    Ok(Json(session))
}

/// `POST /v1/checkout/sessions/{id}/expire`: the session, now expired.
async fn expire_session(
    State(state): State<FakeState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    receive(&state, &format!("/v1/checkout/sessions/{id}/expire"), headers, &body)?;
    Ok(Json(session(&id, "", "unpaid", "expired", 0)))
}

async fn create_price(
    State(state): State<FakeState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let received = receive(&state, "/v1/prices", headers, &body)?;
    let (Some(currency), Some(amount)) = (received.field("currency"), received.field("unit_amount")) else {
        return Err(stripe_error(StatusCode::BAD_REQUEST, "Missing required param: currency."));
    };
    let amount: i64 = amount.parse().map_err(|_| stripe_error(StatusCode::BAD_REQUEST, "Invalid integer"))?;
    let metadata = received.metadata();
    Ok(Json(json!({
        "id": format!("price_fake_{}", uuid::Uuid::new_v4().simple()),
        "object": "price",
        "active": true,
        "billing_scheme": "per_unit",
        "created": now(),
        "currency": currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": null,
        "metadata": metadata,
        "nickname": null,
        "product": format!("prod_fake_{}", uuid::Uuid::new_v4().simple()),
        "recurring": null,
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": amount.to_string(),
    })))
}

/// `POST /v1/refunds`: a complete refund object; the same idempotency key returns the same
/// refund, as Stripe does.
async fn create_refund(
    State(state): State<FakeState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let received = receive(&state, "/v1/refunds", headers, &body)?;
    let key = received.header("idempotency-key").unwrap_or_default().to_owned();
    let mut refunds = state.refunds.lock().expect("lock");
    if let Some((_, refund)) = refunds.iter().find(|(k, _)| *k == key) {
        return Ok(Json(refund.clone()));
    }
    let Some(payment_intent) = received.field("payment_intent") else {
        return Err(stripe_error(
            StatusCode::BAD_REQUEST,
            "One of the following params should be provided for this request: payment_intent or charge.",
        ));
    };
    let amount: i64 = received.field("amount").and_then(|a| a.parse().ok()).unwrap_or(500);
    let metadata = received.metadata();
    let refund = json!({
        "id": format!("re_fake_{}", uuid::Uuid::new_v4().simple()),
        "object": "refund",
        "amount": amount,
        "balance_transaction": format!("txn_fake_{}", uuid::Uuid::new_v4().simple()),
        "charge": format!("ch_fake_{}", uuid::Uuid::new_v4().simple()),
        "created": now(),
        "currency": "usd",
        "destination_details": null,
        "metadata": metadata,
        "payment_intent": payment_intent,
        "reason": received.field("reason"),
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": "succeeded",
        "transfer_reversal": null,
    });
    refunds.push((key, refund.clone()));
    Ok(Json(refund))
}

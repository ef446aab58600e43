//! Payments: Stripe Checkout or the built-in simulated checkout, the webhook's signature
//! and the events it carries.

pub mod event;
pub mod signature;
mod simulated;
mod stripe;

pub use self::stripe::StripePayments;
pub use simulated::{SimulatedPayments, SimulatedSession};

use crate::platform::secret::Secret;
use anyhow::Context;
use clap::Args;
use std::{path::Path, sync::Arc};

/// What a checkout session pays for: one order, or a bill of several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payer {
    Order(String),
    Bill(String),
}

impl Payer {
    /// The order's or the bill's id: the session's `client_reference_id`.
    pub fn id(&self) -> &str {
        match self {
            Payer::Order(id) | Payer::Bill(id) => id,
        }
    }

    /// The session's metadata key that names it: `order_id` or `bill_id`.
    pub fn metadata_key(&self) -> &'static str {
        match self {
            Payer::Order(_) => "order_id",
            Payer::Bill(_) => "bill_id",
        }
    }
}

/// One priced picture on a checkout page.
#[derive(Clone, Debug)]
pub struct LineItem {
    /// What the client sees, e.g. "Voronoi in indigo".
    pub description: String,
    pub price_cents: i64,
    /// The provider's own price for the shape, when an admin set one.
    pub stripe_price_id: Option<String>,
}

/// A checkout session to open for one order or one bill.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    pub payer: Payer,
    /// One line per priced picture.
    pub lines: Vec<LineItem>,
    pub currency: String,
    pub success_url: String,
    pub cancel_url: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// The customer's e-mail: the provider fills it in and sends its receipt there.
    pub customer_email: Option<String>,
    /// 0 for the first checkout, then 1, 2, … for each one opened again after the one
    /// before expired: the same payer and attempt opens the same session when retried.
    pub attempt: u32,
}

impl CheckoutRequest {
    /// What the session asks for in all.
    pub fn total_cents(&self) -> i64 {
        self.lines.iter().map(|line| line.price_cents).sum()
    }

    /// The key that makes a retried request open the same session.
    pub fn idempotency_key(&self) -> String {
        let kind = match self.payer {
            Payer::Order(_) => "",
            Payer::Bill(_) => "bill-",
        };
        match self.attempt {
            0 => format!("ltd-checkout-{kind}{}", self.payer.id()),
            n => format!("ltd-checkout-{kind}{}-{n}", self.payer.id()),
        }
    }
}

/// An open checkout session: where the client pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    pub session_id: String,
    pub url: String,
}

/// A shape's new price, for providers that keep their own price objects.
#[derive(Clone, Copy, Debug)]
pub struct NewPrice<'a> {
    pub shape: &'a str,
    pub display_name: &'a str,
    pub price_cents: i64,
    pub currency: &'a str,
}

/// Money to give back for an order that failed after it was paid (for an order of a bill,
/// its line: part of the bill's payment).
#[derive(Clone, Debug)]
pub struct RefundRequest {
    pub order_id: String,
    /// The provider's payment (Stripe: the checkout session's PaymentIntent).
    pub payment_intent: String,
    pub amount_cents: i64,
    pub currency: String,
    /// What makes it one refund however often it is asked for: the order's refund, or the
    /// refund of a payment on a checkout session the order no longer uses.
    pub idempotency_key: String,
}

/// Takes money for priced shapes.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Opens a checkout session; the same order opens the same session when retried.
    async fn create_checkout(&self, request: &CheckoutRequest) -> anyhow::Result<Checkout>;
    /// Creates the provider's price object for a new shape price; `None` when the provider
    /// has none (then checkout uses the catalogue price).
    async fn create_price(&self, price: &NewPrice<'_>) -> anyhow::Result<Option<String>>;
    /// Refunds an order's payment in full; returns the provider's refund id. Asked again
    /// for the same order, the provider makes no second refund.
    async fn refund(&self, request: &RefundRequest) -> anyhow::Result<String>;
    /// Closes an open checkout session: it can no longer be paid.
    async fn expire_checkout(&self, session_id: &str) -> anyhow::Result<()>;
    /// The simulated provider, which serves its own checkout page.
    fn simulated(&self) -> Option<&SimulatedPayments> {
        None
    }
}

/// Stripe, or the simulated checkout when no key is set.
#[derive(Clone, Debug, Args)]
pub struct PaymentSettings {
    /// Stripe secret key (`sk_...`): takes payments through Stripe Checkout. Unset: the
    /// simulated checkout (refused with LTD_ENV=production).
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<Secret>,

    /// Stripe's API address; tests point it at a local fake.
    #[arg(long, env = "STRIPE_API_BASE")]
    pub stripe_api_base: Option<String>,

    /// The webhook endpoint's signing secret(s) (`whsec_...`, comma-separated while rolling).
    /// Unset without Stripe: one is generated once and kept in the data dir.
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<Secret>,
}

/// The provider the settings ask for: Stripe when a secret key is set, else the simulated
/// checkout, which production refuses.
pub fn provider(
    settings: &PaymentSettings,
    production: bool,
    public_url: &str,
    secrets: &[String],
) -> anyhow::Result<Arc<dyn PaymentProvider>> {
    if let Some(key) = &settings.stripe_secret_key {
        return Ok(Arc::new(StripePayments::new(key.expose(), settings.stripe_api_base.as_deref())?));
    }
    anyhow::ensure!(
        !production,
        "LTD_ENV=production needs STRIPE_SECRET_KEY: the simulated checkout takes no money"
    );
    let secret = secrets.first().cloned().context("no webhook secret")?;
    Ok(Arc::new(SimulatedPayments::new(public_url, secret)))
}

/// The webhook secrets: `STRIPE_WEBHOOK_SECRET` (several, comma-separated, while rolling
/// one), else one generated once and kept in the data dir.
pub fn webhook_secrets(settings: &PaymentSettings, data_dir: &Path) -> anyhow::Result<Vec<String>> {
    if let Some(configured) = &settings.stripe_webhook_secret {
        let secrets: Vec<String> = configured
            .expose()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        anyhow::ensure!(!secrets.is_empty(), "STRIPE_WEBHOOK_SECRET is set but empty");
        anyhow::ensure!(
            secrets.len() <= signature::MAX_SECRETS,
            "STRIPE_WEBHOOK_SECRET holds {} secrets; at most {} are checked",
            secrets.len(),
            signature::MAX_SECRETS
        );
        return Ok(secrets);
    }
    anyhow::ensure!(
        settings.stripe_secret_key.is_none(),
        "STRIPE_SECRET_KEY needs STRIPE_WEBHOOK_SECRET (the endpoint's signing secret from Stripe)"
    );
    let path = data_dir.join("webhook-secret");
    if let Ok(secret) = std::fs::read_to_string(&path) {
        let secret = secret.trim().to_owned();
        if !secret.is_empty() {
            return Ok(vec![secret]);
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let bytes: [u8; 32] = rand::random();
    let secret = format!("whsec_{}", hex::encode(bytes));
    write_private(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(vec![secret])
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

//! Stripe Checkout through async-stripe, pinned to the API version async-stripe was generated
//! for (sent as `Stripe-Version` on every request).

use super::{Checkout, CheckoutRequest, NewPrice, PaymentProvider, RefundRequest};
use anyhow::Context;
use std::{collections::HashMap, str::FromStr};
use stripe::{Client, ClientBuilder};
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    ExpireCheckoutSession, ProductData,
};
use stripe_core::refund::{CreateRefund, CreateRefundReason};
use stripe_product::price::{CreatePrice, CreatePriceProductData};
use stripe_types::Currency;

/// The real payment provider.
pub struct StripePayments {
    client: Client,
}

impl StripePayments {
    /// A client for `secret_key`; `api_base` points it elsewhere (tests use a local fake).
    pub fn new(secret_key: &str, api_base: Option<&str>) -> anyhow::Result<Self> {
        let mut builder = ClientBuilder::new(secret_key).timeout(std::time::Duration::from_secs(20));
        if let Some(base) = api_base {
            builder = builder.url(base);
        }
        Ok(Self { client: builder.build().context("cannot build the Stripe client")? })
    }
}

/// Retried with the same key, a request creates one object at Stripe.
fn idempotent(key: String) -> anyhow::Result<RequestStrategy> {
    Ok(RequestStrategy::Idempotent(IdempotencyKey::new(key).map_err(|e| anyhow::anyhow!("{e:?}"))?))
}

fn currency(code: &str) -> Currency {
    match Currency::from_str(code) {
        Ok(currency) => currency,
        Err(never) => match never {},
    }
}

#[async_trait::async_trait]
impl PaymentProvider for StripePayments {
    async fn create_checkout(&self, request: &CheckoutRequest) -> anyhow::Result<Checkout> {
        let items: Vec<CreateCheckoutSessionLineItems> = request
            .lines
            .iter()
            .map(|line| {
                let mut item = CreateCheckoutSessionLineItems::new();
                item.quantity = Some(1);
                match &line.stripe_price_id {
                    Some(price) => item.price = Some(price.clone()),
                    None => {
                        let mut price =
                            CreateCheckoutSessionLineItemsPriceData::new(currency(&request.currency));
                        price.unit_amount = Some(line.price_cents);
                        price.product_data = Some(ProductData::new(line.description.clone()));
                        item.price_data = Some(price);
                    }
                }
                item
            })
            .collect();
        let payer = &request.payer;
        let metadata = HashMap::from([(payer.metadata_key().to_owned(), payer.id().to_owned())]);
        let mut session = CreateCheckoutSession::new();
        if let Some(email) = &request.customer_email {
            session = session.customer_email(email.clone());
        }
        let session = session
            .mode(CheckoutSessionMode::Payment)
            .line_items(items)
            .client_reference_id(payer.id().to_owned())
            .metadata(metadata)
            .success_url(request.success_url.clone())
            .cancel_url(request.cancel_url.clone())
            .expires_at(request.expires_at)
            .customize()
            .request_strategy(idempotent(request.idempotency_key())?)
            .send(&self.client)
            .await
            .context("Stripe refused to create the checkout session")?;
        let url = session.url.context("Stripe returned a checkout session without a URL")?;
        Ok(Checkout { session_id: session.id.to_string(), url })
    }

    async fn create_price(&self, price: &NewPrice<'_>) -> anyhow::Result<Option<String>> {
        let mut product = CreatePriceProductData::new(format!("Let Them Draw: {}", price.display_name));
        product.metadata = Some(HashMap::from([("shape".to_owned(), price.shape.to_owned())]));
        let created = CreatePrice::new(currency(price.currency))
            .unit_amount(price.price_cents)
            .product_data(product)
            .metadata(HashMap::from([("shape".to_owned(), price.shape.to_owned())]))
            .customize()
            .request_strategy(idempotent(format!(
                "ltd-price-{}-{}-{}",
                price.shape, price.price_cents, price.currency
            ))?)
            .send(&self.client)
            .await
            .context("Stripe refused to create the price")?;
        Ok(Some(created.id.to_string()))
    }

    async fn expire_checkout(&self, session_id: &str) -> anyhow::Result<()> {
        ExpireCheckoutSession::new(session_id.to_owned())
            .customize()
            .request_strategy(idempotent(format!("ltd-expire-{session_id}"))?)
            .send(&self.client)
            .await
            .context("Stripe refused to expire the checkout session")?;
        Ok(())
    }

    async fn refund(&self, request: &RefundRequest) -> anyhow::Result<String> {
        let refund = CreateRefund::new()
            .payment_intent(request.payment_intent.clone())
            .amount(request.amount_cents)
            .reason(CreateRefundReason::RequestedByCustomer)
            .metadata(HashMap::from([("order_id".to_owned(), request.order_id.clone())]))
            .customize()
            // One refund per order (or late payment), however often the sweep asks.
            .request_strategy(idempotent(request.idempotency_key.clone())?)
            .send(&self.client)
            .await
            .context("Stripe refused the refund")?;
        Ok(refund.id.to_string())
    }
}

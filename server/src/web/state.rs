//! What every request handler and server function can reach.

use crate::{
    accounts::Accounts,
    catalogue::Catalogue,
    console::Console,
    mail::Postman,
    orders::{Orders, Webhook},
    payments::SimulatedSession,
    pictures::PictureStore,
};
use app::{
    domain::{CheckoutChoice, Failure, Order, Overview, ShapeInfo, ShapeSettings, ShapeUpdate, User},
    error::AppError,
    services::{Services, SignedIn, SignedUp},
};
use axum::{extract::FromRef, http::HeaderValue, http::request::Parts};
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Arc<Accounts>,
    pub catalogue: Arc<Catalogue>,
    pub orders: Arc<Orders>,
    pub pictures: Arc<dyn PictureStore>,
    pub webhook: Arc<Webhook>,
    pub metrics: Arc<crate::platform::metrics::Metrics>,
    pub console: Arc<Console>,
    pub postman: Arc<Postman>,
    /// Completes when the server shuts down: live streams end then.
    pub closing: Closing,
    pub site: Arc<Site>,
}

/// Where people reach the site: its public URL, and whether that is https.
#[derive(Debug)]
pub struct Site {
    pub public_url: String,
    pub https: bool,
}

/// Becomes true when the server starts shutting down.
#[derive(Clone)]
pub struct Closing(pub tokio::sync::watch::Receiver<bool>);

impl Closing {
    /// Completes once shutdown has begun.
    pub async fn wait(self) {
        let mut receiver = self.0;
        let _ = receiver.wait_for(|closing| *closing).await;
    }
}

impl AppState {
    /// Sends a mail dead letter again; [`AppError::NotFound`] when there is none open.
    pub async fn retry_mail(&self, id: &str) -> Result<(), AppError> {
        match self.postman.retry_dead(id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AppError::NotFound),
            Err(error) => {
                tracing::error!(mail.id = %id, error = %format!("{error:#}"), "could not retry the mail");
                Err(AppError::Internal)
            }
        }
    }
}

#[async_trait::async_trait]
impl Services for AppState {
    async fn shapes(&self) -> Result<Vec<ShapeInfo>, AppError> {
        self.catalogue.active().await
    }

    async fn current_user(&self, request: &Parts) -> Result<Option<User>, AppError> {
        self.accounts.current_user(&self.accounts.caller(request)).await
    }

    async fn sign_up(&self, request: &Parts, email: &str, password: &str) -> Result<SignedUp, AppError> {
        self.accounts.sign_up(&self.accounts.caller(request), email, password).await
    }

    async fn confirm_account(&self, email: &str, code: &str) -> Result<(), AppError> {
        self.accounts.confirm(email, code).await
    }

    async fn resend_confirmation(&self, email: &str) -> Result<(), AppError> {
        self.accounts.resend_confirmation(email).await
    }

    async fn forgot_password(&self, email: &str) -> Result<(), AppError> {
        self.accounts.forgot_password(email).await
    }

    async fn reset_password(&self, email: &str, code: &str, password: &str) -> Result<(), AppError> {
        self.accounts.reset_password(email, code, password).await
    }

    async fn sign_in(&self, request: &Parts, email: &str, password: &str) -> Result<SignedIn, AppError> {
        self.accounts.sign_in(&self.accounts.caller(request), email, password).await
    }

    async fn sign_out(&self, request: &Parts) -> Result<HeaderValue, AppError> {
        self.accounts.sign_out(&self.accounts.caller(request)).await
    }

    async fn create_order(&self, request: &Parts, shape: &str, color: &str) -> Result<Order, AppError> {
        self.orders.create(&self.accounts.require_user(request).await?, shape, color).await
    }

    async fn order(&self, request: &Parts, id: &str) -> Result<Order, AppError> {
        self.orders.get(&self.accounts.require_user(request).await?, id).await
    }

    async fn orders(&self, request: &Parts) -> Result<Vec<Order>, AppError> {
        self.orders.list(&self.accounts.require_user(request).await?).await
    }

    async fn simulated_checkout(&self, request: &Parts, session_id: &str) -> Result<Order, AppError> {
        let user = self.accounts.require_user(request).await?;
        if self.orders.payments().simulated().is_none() {
            return Err(AppError::NotFound);
        }
        self.orders.by_checkout_session(&user, session_id).await?.to_order()
    }

    async fn finish_simulated_checkout(
        &self,
        request: &Parts,
        session_id: &str,
        choice: CheckoutChoice,
    ) -> Result<String, AppError> {
        let user = self.accounts.require_user(request).await?;
        let simulated = self.orders.payments().simulated().ok_or(AppError::NotFound)?;
        let row = self.orders.by_checkout_session(&user, session_id).await?;
        let session = SimulatedSession {
            session_id,
            order_id: &row.id,
            amount_cents: row.price_cents,
            currency: &row.currency,
        };
        let (body, signature) = match choice {
            CheckoutChoice::Cancel => return Ok(format!("/orders/new?shape={}", row.shape)),
            CheckoutChoice::Pay => simulated.paid_event(&session),
            CheckoutChoice::Expire => simulated.expired_event(&session),
        };
        // The real webhook path: signature, parsing, the transaction and the queue.
        self.webhook.handle(&body, Some(&signature)).await?;
        Ok(format!("/orders/{}", row.id))
    }

    async fn admin_shapes(&self, request: &Parts) -> Result<Vec<ShapeSettings>, AppError> {
        self.accounts.require_admin(request).await?;
        self.catalogue.all().await
    }

    async fn update_shape(
        &self,
        request: &Parts,
        name: &str,
        update: ShapeUpdate,
    ) -> Result<ShapeSettings, AppError> {
        self.accounts.require_admin(request).await?;
        self.catalogue.update(name, update, self.orders.payments().as_ref()).await
    }

    async fn admin_overview(&self, request: &Parts) -> Result<Overview, AppError> {
        self.accounts.require_admin(request).await?;
        self.console.overview().await
    }

    async fn admin_failures(&self, request: &Parts) -> Result<Vec<Failure>, AppError> {
        self.accounts.require_admin(request).await?;
        self.console.failures().await
    }

    async fn retry_mail(&self, request: &Parts, id: &str) -> Result<(), AppError> {
        self.accounts.require_admin(request).await?;
        AppState::retry_mail(self, id).await
    }

    async fn retry_failure(&self, request: &Parts, order_id: &str) -> Result<Order, AppError> {
        self.accounts.require_admin(request).await?;
        self.orders.retry(order_id).await
    }
}

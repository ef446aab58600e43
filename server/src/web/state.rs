//! What every request handler can reach; the server functions reach the same services.

use crate::{
    accounts::Accounts,
    catalogue::Catalogue,
    console::Console,
    mail::Postman,
    orders::{Orders, Webhook},
    pictures::PictureStore,
};
use app::services::Services;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Arc<Accounts>,
    pub catalogue: Arc<Catalogue>,
    pub orders: Arc<Orders>,
    /// One cart per user, paid in one checkout.
    pub cart: Arc<crate::cart::Carts>,
    /// The loyalty points ledger.
    pub loyalty: Arc<crate::loyalty::Points>,
    /// Downloads in every size and format, and share links.
    pub gallery: Arc<crate::gallery::Gallery>,
    /// The account page: password, e-mail, export, deletion.
    pub profile: Arc<crate::profile::Profile>,
    pub pictures: Arc<dyn PictureStore>,
    pub webhook: Arc<Webhook>,
    pub metrics: Arc<crate::platform::metrics::Metrics>,
    pub console: Arc<Console>,
    pub postman: Arc<Postman>,
    /// Completes when the server shuts down: live streams end then.
    pub closing: Closing,
    /// The open live-update streams, per user.
    pub streams: Arc<crate::web::streams::Streams>,
    pub site: Arc<Site>,
}

impl AppState {
    /// The same services, as the server functions reach them.
    pub fn services(&self) -> Services {
        Services {
            accounts: self.accounts.clone(),
            orders: self.orders.clone(),
            sharing: self.gallery.clone(),
            profile: self.profile.clone(),
            checkout: self.webhook.clone(),
            catalogue: self.catalogue.clone(),
            console: self.console.clone(),
            mail: self.postman.clone(),
            tokens: self.accounts.clone(),
            cart: self.cart.clone(),
            loyalty: self.loyalty.clone(),
        }
    }
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

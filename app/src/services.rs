//! What the server functions need from the server (server-only).
//!
//! The `server` crate depends on this crate, so it implements [`Services`] over its plain
//! services and hands it to every server function through Leptos context. Server functions
//! stay thin: take the request, call one method, map the result.

use crate::{
    domain::{CheckoutChoice, Failure, Order, Overview, ShapeInfo, ShapeSettings, ShapeUpdate, User},
    error::AppError,
};
use http::{HeaderValue, header, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::sync::Arc;

/// A session that was just opened, and the `Set-Cookie` value that hands it to the browser.
pub struct SignedIn {
    pub user: User,
    pub cookie: HeaderValue,
}

/// What signing up leads to.
pub enum SignedUp {
    /// Signed in at once (local accounts).
    SignedIn(SignedIn),
    /// The account must confirm its e-mail with a mailed code first (Cognito).
    ConfirmationRequired { user: User },
}

/// The server's side of the server functions.
#[async_trait::async_trait]
pub trait Services: Send + Sync {
    /// The active shapes, in catalogue order.
    async fn shapes(&self) -> Result<Vec<ShapeInfo>, AppError>;
    /// The user whose session cookie came with the request, if any.
    async fn current_user(&self, request: &Parts) -> Result<Option<User>, AppError>;
    /// Creates an account and signs it in, unless it must confirm its e-mail first.
    async fn sign_up(&self, request: &Parts, email: &str, password: &str) -> Result<SignedUp, AppError>;
    /// Confirms an account's e-mail with the mailed code.
    async fn confirm_account(&self, email: &str, code: &str) -> Result<(), AppError>;
    /// Mails a new confirmation code.
    async fn resend_confirmation(&self, email: &str) -> Result<(), AppError>;
    /// Mails a password reset code.
    async fn forgot_password(&self, email: &str) -> Result<(), AppError>;
    /// Sets a new password with the mailed code.
    async fn reset_password(&self, email: &str, code: &str, password: &str) -> Result<(), AppError>;
    /// Checks the credentials (throttled) and opens a fresh session.
    async fn sign_in(&self, request: &Parts, email: &str, password: &str) -> Result<SignedIn, AppError>;
    /// Revokes the request's session; returns the cookie that clears it in the browser.
    async fn sign_out(&self, request: &Parts) -> Result<HeaderValue, AppError>;
    /// Stores an order for the signed-in user (free shapes are queued at once).
    async fn create_order(&self, request: &Parts, shape: &str, color: &str) -> Result<Order, AppError>;
    /// One of the signed-in user's orders; anyone else's is not found.
    async fn order(&self, request: &Parts, id: &str) -> Result<Order, AppError>;
    /// The signed-in user's orders, newest first.
    async fn orders(&self, request: &Parts) -> Result<Vec<Order>, AppError>;
    /// The order behind a simulated checkout session, to its owner only.
    async fn simulated_checkout(&self, request: &Parts, session_id: &str) -> Result<Order, AppError>;
    /// Acts on a simulated checkout session; returns where the client goes next.
    async fn finish_simulated_checkout(
        &self,
        request: &Parts,
        session_id: &str,
        choice: CheckoutChoice,
    ) -> Result<String, AppError>;
    /// Every shape with its settings (admins only).
    async fn admin_shapes(&self, request: &Parts) -> Result<Vec<ShapeSettings>, AppError>;
    /// Changes a shape's price, currency or active flag (admins only).
    async fn update_shape(
        &self,
        request: &Parts,
        name: &str,
        update: ShapeUpdate,
    ) -> Result<ShapeSettings, AppError>;
    /// The admin console's figures (admins only).
    async fn admin_overview(&self, request: &Parts) -> Result<Overview, AppError>;
    /// Failed drawings and mails not retried yet (admins only).
    async fn admin_failures(&self, request: &Parts) -> Result<Vec<Failure>, AppError>;
    /// Queues a failed, unpaid order again (admins only).
    async fn retry_failure(&self, request: &Parts, order_id: &str) -> Result<Order, AppError>;
    /// Sends a mail dead letter again (admins only).
    async fn retry_mail(&self, request: &Parts, id: &str) -> Result<(), AppError>;
}

/// How the services travel through context.
pub type SharedServices = Arc<dyn Services>;

/// The services and the request, for the body of a server function.
pub fn context() -> Result<(SharedServices, Parts), AppError> {
    let services = use_context::<SharedServices>().ok_or(AppError::Internal)?;
    let parts = use_context::<Parts>().ok_or(AppError::Internal)?;
    Ok((services, parts))
}

/// Adds a `Set-Cookie` header to the server function's response.
pub fn set_cookie(cookie: HeaderValue) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(header::SET_COOKIE, cookie);
    }
}

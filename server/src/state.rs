//! What every request handler and server function can reach.

use crate::{accounts::Accounts, catalogue::Catalogue, orders::Orders, pictures::PictureStore};
use app::{
    domain::{Order, ShapeInfo, User},
    error::AppError,
    services::{Services, SignedIn},
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
}

#[async_trait::async_trait]
impl Services for AppState {
    async fn shapes(&self) -> Result<Vec<ShapeInfo>, AppError> {
        self.catalogue.active().await
    }

    async fn current_user(&self, request: &Parts) -> Result<Option<User>, AppError> {
        self.accounts.current_user(&self.accounts.caller(request)).await
    }

    async fn sign_up(&self, request: &Parts, email: &str, password: &str) -> Result<SignedIn, AppError> {
        self.accounts.sign_up(&self.accounts.caller(request), email, password).await
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
}

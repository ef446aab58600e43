//! The account page's service: the password, the e-mail, an export of everything the shop
//! keeps about the customer (orders and the points ledger), and deleting the account
//! (orders and points entries stay, anonymised, for the books; sessions, pictures and
//! share links go).

use crate::{accounts::Accounts, loyalty::Points, orders::Orders, pictures::PictureStore};
use app::{
    domain::{AccountExport, User},
    error::AppError,
    services::{Caller, ProfileService},
};
use axum::http::HeaderValue;
use std::sync::Arc;

pub struct Profile {
    accounts: Arc<Accounts>,
    orders: Arc<Orders>,
    points: Arc<Points>,
    pictures: Arc<dyn PictureStore>,
}

impl Profile {
    pub fn new(
        accounts: Arc<Accounts>,
        orders: Arc<Orders>,
        points: Arc<Points>,
        pictures: Arc<dyn PictureStore>,
    ) -> Self {
        Self { accounts, orders, points, pictures }
    }
}

#[async_trait::async_trait]
impl ProfileService for Profile {
    async fn change_password(&self, caller: &Caller, current: &str, new: &str) -> Result<(), AppError> {
        self.accounts.change_password(caller, current, new).await
    }

    async fn change_email(&self, caller: &Caller, new_email: &str) -> Result<(), AppError> {
        self.accounts.start_email_change(caller, new_email).await
    }

    async fn confirm_email(&self, caller: &Caller, code: &str) -> Result<User, AppError> {
        self.accounts.confirm_email_change(caller, code).await
    }

    async fn export(&self, caller: &Caller) -> Result<AccountExport, AppError> {
        let user = caller.user()?;
        let orders = self.orders.all_of(&user).await?;
        let points = self.points.ledger_of(&user).await?;
        Ok(AccountExport { account: user, orders, points })
    }

    async fn delete_account(&self, caller: &Caller, password: &str) -> Result<HeaderValue, AppError> {
        let (user, cookie) = self.accounts.delete_account(caller, password).await?;
        for key in self.orders.forget_owner(&user).await? {
            if let Err(error) = self.pictures.delete(&key).await {
                // The order no longer points at it: nothing serves it any more.
                tracing::warn!(picture = %key, error = %format!("{error:#}"), "could not delete a deleted account's picture");
            }
        }
        Ok(cookie)
    }
}

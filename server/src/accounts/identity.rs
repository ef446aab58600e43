//! Who people are: local accounts now, Cognito later, behind one trait.

use super::{Email, Password};
use app::{domain::User, error::AppError};

/// An account as the identity provider knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub email: String,
    /// Granted with `let-them-draw admin grant`.
    pub is_admin: bool,
}

impl From<Account> for User {
    fn from(account: Account) -> Self {
        User { id: account.id, email: account.email, is_admin: account.is_admin }
    }
}

/// An identity provider.
#[async_trait::async_trait]
pub trait Identity: Send + Sync {
    /// Creates an account; a taken e-mail is [`AppError::Conflict`] on `email`.
    async fn register(&self, email: &Email, password: &Password) -> Result<Account, AppError>;
    /// Checks the credentials; wrong ones are [`AppError::InvalidCredentials`], whether the
    /// e-mail exists or not.
    async fn authenticate(&self, email: &Email, password: &Password) -> Result<Account, AppError>;
}

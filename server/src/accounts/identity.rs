//! Who people are: local accounts or Amazon Cognito, behind one trait.

use super::{Email, Password};
use app::{domain::User, error::AppError};

/// An account as the identity provider knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub email: String,
    /// Granted with `let-them-draw admin grant`.
    pub is_admin: bool,
    /// The address is proven (the mailed link; Cognito's `email_verified`): only then does
    /// `LTD_ADMIN_EMAILS` make the account an admin.
    pub email_verified: bool,
}

impl From<Account> for User {
    fn from(account: Account) -> Self {
        User { id: account.id, email: account.email, is_admin: account.is_admin }
    }
}

/// What a sign-up found: nobody outside the server is told which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registration {
    /// A new account, not confirmed yet: the provider mailed it a code.
    New(Account),
    /// The address has an account already; nothing was changed.
    Taken,
}

/// A provider's tokens, kept with the session on the server and never sent to the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderTokens {
    pub access_token: String,
    /// Unix seconds.
    pub access_expires_at: i64,
    pub refresh_token: String,
}

/// A successful sign-in: the account, and the provider's tokens if it issues any.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub account: Account,
    pub tokens: Option<ProviderTokens>,
}

/// An identity provider.
#[async_trait::async_trait]
pub trait Identity: Send + Sync {
    /// Creates an account that signs in once its address is confirmed (a code is mailed);
    /// a taken address is [`Registration::Taken`], and nothing changes.
    async fn register(&self, email: &Email, password: &Password) -> Result<Registration, AppError>;
    /// Confirms the account's e-mail with the code mailed to it; a wrong or expired code is
    /// [`AppError::Validation`] on `code`.
    async fn confirm(&self, email: &Email, code: &str) -> Result<(), AppError>;
    /// Mails a new confirmation code. Says nothing about whether the account exists.
    async fn resend_confirmation(&self, email: &Email) -> Result<(), AppError>;
    /// Checks the credentials; wrong ones, and those of an account whose address is not
    /// confirmed yet, are [`AppError::InvalidCredentials`] alike (whoever signed up with
    /// someone else's address learns nothing from signing in).
    async fn authenticate(&self, email: &Email, password: &Password) -> Result<Authenticated, AppError>;
    /// Mails a password reset code. Says nothing about whether the account exists.
    async fn forgot_password(&self, email: &Email) -> Result<(), AppError>;
    /// Sets a new password with the mailed code; every session of the account ends.
    async fn reset_password(&self, email: &Email, code: &str, password: &Password) -> Result<(), AppError>;
    /// Fresh tokens for a session's refresh token; `None` when the provider revoked it
    /// (the session must end).
    async fn refresh(&self, tokens: &ProviderTokens) -> Result<Option<ProviderTokens>, AppError> {
        Ok(Some(tokens.clone()))
    }
    /// Changes the password, given the current one: a wrong one is
    /// [`AppError::Validation`] on `current_password`.
    async fn change_password(
        &self,
        account: &Account,
        tokens: Option<&ProviderTokens>,
        current: &Password,
        new: &Password,
    ) -> Result<(), AppError>;
    /// Mails a code to `new_email`; the account keeps its address until the code is entered.
    async fn start_email_change(
        &self,
        account: &Account,
        tokens: Option<&ProviderTokens>,
        new_email: &Email,
    ) -> Result<(), AppError>;
    /// Moves the account to the address the code went to; returns that address.
    async fn confirm_email_change(
        &self,
        account: &Account,
        tokens: Option<&ProviderTokens>,
        code: &str,
    ) -> Result<String, AppError>;
    /// Checks the password and deletes the account at the provider (the caller forgets
    /// the rest): a wrong password is [`AppError::Validation`] on `password`.
    async fn delete_account(
        &self,
        account: &Account,
        tokens: Option<&ProviderTokens>,
        password: &Password,
    ) -> Result<(), AppError>;
    /// Signs the account out at the provider (every device), given a session's tokens.
    async fn sign_out(&self, _tokens: &ProviderTokens) -> Result<(), AppError> {
        Ok(())
    }
}

/// A confirmation or reset code as typed or pasted: trimmed, non-empty, not absurdly long.
pub fn parse_code(code: &str) -> Result<&str, AppError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::validation("code", "enter the code from the mail"));
    }
    if code.len() > 128 || code.chars().any(char::is_control) {
        return Err(AppError::validation("code", "this is not a code we sent"));
    }
    Ok(code)
}

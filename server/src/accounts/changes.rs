//! What the account page changes: the password, the e-mail, and the account itself.

use super::{Accounts, Email, Password, ProviderTokens, identity::Account};
use crate::platform::error::internal;
use app::{domain::User, error::AppError, services::Caller};
use axum::http::HeaderValue;

impl Accounts {
    /// The caller's account as the provider knows it, with the session's provider tokens.
    async fn account_of(&self, caller: &Caller) -> Result<(Account, Option<ProviderTokens>), AppError> {
        let token = caller.session_token.as_deref().ok_or(AppError::Unauthenticated)?;
        self.sessions.user(token).await?.ok_or(AppError::Unauthenticated)
    }

    /// Changes the caller's password, given the current one; the account's other sessions
    /// end, this one stays.
    pub async fn change_password(&self, caller: &Caller, current: &str, new: &str) -> Result<(), AppError> {
        let (account, tokens) = self.account_of(caller).await?;
        let current = Password::parse(current)
            .map_err(|_| AppError::validation("current_password", "the password is wrong"))?;
        let new = Password::parse(new).map_err(|error| rename_field(error, "password", "new_password"))?;
        self.identity.change_password(&account, tokens.as_ref(), &current, &new).await?;
        self.sessions.revoke_others(&account.id, caller.session_token.as_deref()).await?;
        self.announce(&account.id);
        tracing::info!(user.id = %account.id, "password changed; other sessions ended");
        Ok(())
    }

    /// Mails a code to the new address (throttled like every account mail); the account
    /// keeps its address until the code is entered.
    pub async fn start_email_change(&self, caller: &Caller, new_email: &str) -> Result<(), AppError> {
        let (account, tokens) = self.account_of(caller).await?;
        let new_email = Email::parse(new_email)?;
        if new_email.as_str() == account.email {
            return Err(AppError::validation("email", "this is the account's e-mail already"));
        }
        self.throttle
            .account_mail(super::throttle::AccountMail::NewCode, new_email.as_str(), caller.ip)
            .await?;
        self.identity.start_email_change(&account, tokens.as_ref(), &new_email).await
    }

    /// Moves the caller's account to the address the code was mailed to.
    pub async fn confirm_email_change(&self, caller: &Caller, code: &str) -> Result<User, AppError> {
        let (account, tokens) = self.account_of(caller).await?;
        let email = self.identity.confirm_email_change(&account, tokens.as_ref(), code).await?;
        tracing::info!(user.id = %account.id, "e-mail changed");
        Ok(self.with_role(Account { email, email_verified: true, ..account }))
    }

    /// Checks the password, deletes the account at the provider and forgets it here: its
    /// sessions and codes go, its row keeps no address or password (its orders stay, for
    /// the books). Returns the user it was and the cookie that clears the session.
    pub async fn delete_account(
        &self,
        caller: &Caller,
        password: &str,
    ) -> Result<(User, HeaderValue), AppError> {
        let (account, tokens) = self.account_of(caller).await?;
        let password = Password::parse(password)
            .map_err(|_| AppError::validation("password", "the password is wrong"))?;
        self.identity.delete_account(&account, tokens.as_ref(), &password).await?;
        let mut tx = self.sessions.pool().begin().await.map_err(internal("could not start a transaction"))?;
        sqlx::query(
            "UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', password_hash = '!', is_admin = 0, \
             email_verified_at = NULL, pending_email = NULL, deleted_at = $1 WHERE id = $2",
        )
        .bind(crate::platform::clock::now_secs())
        .bind(&account.id)
        .execute(&mut *tx)
        .await
        .map_err(internal("could not forget the account"))?;
        for table in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM account_codes WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
            "DELETE FROM cart_items WHERE user_id = $1",
        ] {
            sqlx::query(table)
                .bind(&account.id)
                .execute(&mut *tx)
                .await
                .map_err(internal("could not forget the account"))?;
        }
        tx.commit().await.map_err(internal("could not forget the account"))?;
        self.announce(&account.id);
        tracing::info!(user.id = %account.id, "account deleted");
        Ok((User::from(account), self.sessions.clearing_cookie()))
    }
}

/// The same error about another field (the page's and the API's name for it).
fn rename_field(error: AppError, from: &str, to: &str) -> AppError {
    match error {
        AppError::Validation { field, message } if field == from => {
            AppError::Validation { field: to.into(), message }
        }
        other => other,
    }
}

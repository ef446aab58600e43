//! [`TokenService`] for the account service: a signed-in user's own tokens, and for admins
//! every partner's. Only a session manages tokens: a token cannot make or revoke one.

use super::Accounts;
use app::{
    domain::tokens::{ApiToken, NewToken, PartnerToken, TokenRequest},
    error::AppError,
    services::{Caller, TokenService},
};

#[async_trait::async_trait]
impl TokenService for Accounts {
    async fn tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>, AppError> {
        self.tokens.list(&caller.session_user()?.id).await
    }

    async fn create_token(&self, caller: &Caller, request: &TokenRequest) -> Result<NewToken, AppError> {
        let user = caller.session_user()?;
        let spec = request.parse()?;
        let made = self.tokens.create(&user.id, &spec).await?;
        tracing::info!(user.id = %user.id, token.id = %made.info.id, "API token made");
        Ok(made)
    }

    /// Revokes one of the caller's tokens at once: its next request gets 401, and its open
    /// live streams end.
    async fn revoke_token(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let user = caller.session_user()?;
        let owner = self.tokens.revoke(id, Some(&user.id)).await?;
        self.announce(&owner);
        tracing::info!(user.id = %user.id, token.id = %id, "API token revoked");
        Ok(())
    }

    async fn partner_tokens(&self, caller: &Caller) -> Result<Vec<PartnerToken>, AppError> {
        caller.admin()?;
        self.tokens.all().await
    }

    async fn revoke_partner_token(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let admin = caller.admin()?;
        let owner = self.tokens.revoke(id, None).await?;
        self.announce(&owner);
        tracing::info!(admin.id = %admin.id, token.id = %id, "API token revoked by an admin");
        Ok(())
    }
}

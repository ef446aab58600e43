//! The API token pages' server functions: the caller's own tokens, and the admins' list.

use crate::{
    domain::tokens::{ApiToken, NewToken, PartnerToken},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};

/// The caller's tokens.
#[server(prefix = "/api/fn", endpoint = "api_tokens", input = GetUrl)]
pub async fn api_tokens() -> Result<Vec<ApiToken>, AppError> {
    let (services, caller) = crate::services::context()?;
    services.tokens.tokens(&caller).await
}

/// **Make a token**: the answer carries the token, shown on the page this once.
#[server(prefix = "/api/fn", endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    read: Option<String>,
    write: Option<String>,
    expires_in_days: Option<String>,
) -> Result<NewToken, AppError> {
    use crate::domain::tokens::TokenRequest;
    let (services, caller) = crate::services::context()?;
    let scopes = [(read, "orders:read"), (write, "orders:write")]
        .into_iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, scope)| scope.to_owned())
        .collect();
    let expires_in_days = match expires_in_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(days) => Some(days.parse::<u32>().map_err(|_| {
            AppError::validation("expires_in_days", "a whole number of days from 1 to 365, or nothing")
        })?),
    };
    let request = TokenRequest { name, scopes, expires_in_days };
    services.tokens.create_token(&caller, &request).await
}

/// **Revoke** on the tokens page.
#[server(prefix = "/api/fn", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    services.tokens.revoke_token(&caller, &id).await?;
    leptos_axum::redirect("/account/tokens?notice=revoked");
    Ok(())
}

/// Every partner's token (admins).
#[server(prefix = "/api/fn", endpoint = "partner_tokens", input = GetUrl)]
pub async fn partner_tokens() -> Result<Vec<PartnerToken>, AppError> {
    let (services, caller) = crate::services::context()?;
    services.tokens.partner_tokens(&caller).await
}

/// **Revoke** on the admins' partner page.
#[server(prefix = "/api/fn", endpoint = "revoke_partner_token")]
pub async fn revoke_partner_token(id: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    services.tokens.revoke_partner_token(&caller, &id).await?;
    leptos_axum::redirect("/admin/partners?notice=revoked");
    Ok(())
}

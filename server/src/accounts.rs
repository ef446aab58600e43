//! Accounts: sign-up, sign-in and sessions, over a pluggable [`Identity`] provider.

mod changes;
mod cognito;
mod cognito_errors;
mod credentials;
mod identity;
mod local;
mod sessions;
pub mod throttle;
mod tokens;

pub use cognito::{CognitoIdentity, CognitoSettings};
pub use credentials::{Email, Password};
pub use identity::{Account, Authenticated, Identity, ProviderTokens, Registration};
pub use local::LocalIdentity;
pub use sessions::Sessions;
pub use throttle::{Counters, Throttle};

use throttle::AccountMail;

use crate::platform::net::{Cidr, client_ip};
use app::{
    domain::User,
    error::AppError,
    services::{AccountService, Caller, SignedIn, SignedUp},
};
use axum::{extract::ConnectInfo, http::HeaderValue, http::request::Parts};
use std::{collections::HashSet, net::SocketAddr, sync::Arc};
use tokio::sync::broadcast;

/// Provider tokens this close to expiry (seconds) are renewed before the request goes on.
const REFRESH_MARGIN_SECS: i64 = 60;

/// The account service used by pages, server functions and the REST API alike.
pub struct Accounts {
    identity: Arc<dyn Identity>,
    sessions: Sessions,
    throttle: Throttle,
    /// E-mails that are admins whatever the database says (`LTD_ADMIN_EMAILS`), lower-cased.
    admin_emails: HashSet<String>,
    /// Proxies whose forwarding headers name the client (`LTD_TRUSTED_PROXIES`).
    trusted_proxies: Vec<Cidr>,
    /// The session tokens signed out in this process, for the live streams opened with them.
    signed_out: broadcast::Sender<String>,
}

impl Accounts {
    pub fn new(identity: Arc<dyn Identity>, sessions: Sessions, throttle: Throttle) -> Self {
        Self {
            identity,
            sessions,
            throttle,
            admin_emails: HashSet::new(),
            trusted_proxies: Vec::new(),
            signed_out: broadcast::channel(64).0,
        }
    }

    /// Makes these e-mails admins (`LTD_ADMIN_EMAILS`).
    pub fn with_admin_emails<'a>(mut self, emails: impl IntoIterator<Item = &'a str>) -> Self {
        self.admin_emails =
            emails.into_iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
        self
    }

    /// Hears every session token signed out in this process from now on.
    pub fn signed_out(&self) -> broadcast::Receiver<String> {
        self.signed_out.subscribe()
    }

    /// Takes the client's address from these proxies' forwarding headers.
    pub fn with_trusted_proxies(mut self, proxies: Vec<Cidr>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// The account as a user, its role included: an admin by `admin grant`, or by
    /// `LTD_ADMIN_EMAILS` once its address is verified (signing up with someone else's
    /// address proves nothing).
    fn with_role(&self, account: Account) -> User {
        let listed = account.email_verified && self.admin_emails.contains(&account.email);
        User { is_admin: account.is_admin || listed, ..account.into() }
    }

    /// Who sent a request: its address, its session token and, when that session is live,
    /// its user. The web layer calls this once per request and keeps the answer in it.
    pub async fn identify(&self, request: &Parts) -> Result<Caller, AppError> {
        let session_token = self.sessions.token_from(&request.headers);
        let user = match &session_token {
            Some(token) => self.user_of_session(token).await?,
            None => None,
        };
        Ok(Caller {
            ip: request
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| client_ip(info.0.ip(), &request.headers, &self.trusted_proxies)),
            session_token,
            user,
        })
    }

    /// Creates an account (at most `LTD_SIGN_UPS_PER_ADDRESS` per client address per 15
    /// minutes). Used by the REST API and by [`AccountService::sign_up`].
    pub async fn register(
        &self,
        caller: &Caller,
        email: &str,
        password: &str,
    ) -> Result<Registration, AppError> {
        let email = Email::parse(email)?;
        let password = Password::parse(password)?;
        // Counted once the input is valid: a mistyped form costs nothing.
        self.throttle.sign_up(caller.ip).await?;
        self.identity.register(&email, &password).await
    }

    /// The user a session belongs to, if it is live. A session whose provider access token
    /// is about to expire renews it; one the provider revoked ends here.
    pub async fn user_of_session(&self, token: &str) -> Result<Option<User>, AppError> {
        let Some((account, tokens)) = self.sessions.user(token).await? else {
            return Ok(None);
        };
        if let Some(tokens) = tokens
            && tokens.access_expires_at <= crate::platform::clock::now_secs() + REFRESH_MARGIN_SECS
        {
            match self.identity.refresh(&tokens).await {
                Ok(Some(fresh)) => self.sessions.update_tokens(token, &fresh).await?,
                Ok(None) => {
                    tracing::info!(user.id = %account.id, "the identity provider ended the session");
                    self.sessions.revoke(token).await?;
                    return Ok(None);
                }
                // The provider is unreachable: the session stays; the next request retries.
                Err(error) => tracing::warn!(%error, "could not renew the provider's tokens"),
            }
        }
        Ok(Some(self.with_role(account)))
    }

    /// A new session for `account`. Any session the caller had is revoked: the id rotates on
    /// every sign-in, so a planted cookie never becomes a signed-in one.
    async fn open_session(
        &self,
        caller: &Caller,
        account: Account,
        tokens: Option<&ProviderTokens>,
    ) -> Result<SignedIn, AppError> {
        if let Some(old) = &caller.session_token {
            self.sessions.revoke(old).await?;
        }
        let cookie = self.sessions.open(&account.id, tokens).await?;
        Ok(SignedIn { user: self.with_role(account), cookie })
    }
}

#[async_trait::async_trait]
impl AccountService for Accounts {
    /// Creates an account and, unless it must confirm its e-mail first, opens its first session.
    async fn sign_up(&self, caller: &Caller, email: &str, password: &str) -> Result<SignedUp, AppError> {
        let registration = self.register(caller, email, password).await?;
        if registration.confirmation_required {
            return Ok(SignedUp::ConfirmationRequired { user: self.with_role(registration.account) });
        }
        Ok(SignedUp::SignedIn(self.open_session(caller, registration.account, None).await?))
    }

    /// Confirms an account's e-mail with the mailed code.
    async fn confirm(&self, email: &str, code: &str) -> Result<(), AppError> {
        self.identity.confirm(&Email::parse(email)?, code).await
    }

    /// Mails a new confirmation code (whether the account exists is not revealed).
    async fn resend_confirmation(&self, caller: &Caller, email: &str) -> Result<(), AppError> {
        let email = Email::parse(email)?;
        self.throttle.account_mail(AccountMail::NewCode, email.as_str(), caller.ip).await?;
        self.identity.resend_confirmation(&email).await
    }

    /// Mails a password reset code (whether the account exists is not revealed).
    async fn forgot_password(&self, caller: &Caller, email: &str) -> Result<(), AppError> {
        let email = Email::parse(email)?;
        self.throttle.account_mail(AccountMail::PasswordReset, email.as_str(), caller.ip).await?;
        self.identity.forgot_password(&email).await
    }

    /// Sets a new password with the mailed code; the account's sessions end.
    async fn reset_password(&self, email: &str, code: &str, password: &str) -> Result<(), AppError> {
        let email = Email::parse(email)?;
        let password = Password::parse(password)?;
        self.identity.reset_password(&email, code, &password).await
    }

    /// Checks the credentials, throttled per account and address, and opens a fresh session.
    async fn sign_in(&self, caller: &Caller, email: &str, password: &str) -> Result<SignedIn, AppError> {
        let email = Email::parse(email)?;
        // Counted before the password hash is spent, so guesses sent at once all count.
        let attempt = self.throttle.sign_in(email.as_str(), caller.ip).await?;
        let password = Password::parse(password).map_err(|_| AppError::InvalidCredentials);
        let outcome = match password {
            Ok(password) => self.identity.authenticate(&email, &password).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(Authenticated { account, tokens }) => {
                self.throttle.succeeded(attempt).await;
                self.open_session(caller, account, tokens.as_ref()).await
            }
            // The reservation stands: it was a failed sign-in.
            Err(AppError::InvalidCredentials) => Err(AppError::InvalidCredentials),
            Err(other) => {
                self.throttle.released(attempt).await;
                Err(other)
            }
        }
    }

    /// Revokes the caller's session; returns the cookie that clears it in the browser.
    async fn sign_out(&self, caller: &Caller) -> Result<HeaderValue, AppError> {
        if let Some(token) = &caller.session_token {
            let provider_tokens = self.sessions.revoke(token).await?;
            // This process's live streams of the session end at once.
            let _ = self.signed_out.send(token.clone());
            if let Some(tokens) = provider_tokens
                // Signed out here whatever the provider says; its failure is only logged.
                && let Err(error) = self.identity.sign_out(&tokens).await
            {
                tracing::warn!(%error, "could not sign out at the identity provider");
            }
        }
        Ok(self.sessions.clearing_cookie())
    }
}

/// Grants (or revokes) the admin role of the account with this e-mail; `false` when there
/// is no such account. Used by `let-them-draw admin grant|revoke`.
pub async fn set_admin(pool: &crate::platform::db::Pool, email: &str, admin: bool) -> Result<bool, AppError> {
    let email = Email::parse(email)?;
    let updated = sqlx::query("UPDATE users SET is_admin = $1 WHERE email = $2")
        .bind(i64::from(admin))
        .bind(email.as_str())
        .execute(pool)
        .await
        .map_err(crate::platform::error::internal("could not change the admin role"))?;
    Ok(updated.rows_affected() == 1)
}

//! Accounts: sign-up, sign-in and sessions, over a pluggable [`Identity`] provider.

mod api_tokens;
mod changes;
mod cognito;
mod cognito_errors;
mod credentials;
mod identity;
mod local;
pub mod news;
mod notices;
mod sessions;
pub mod throttle;
mod token_service;
mod tokens;

pub use api_tokens::ApiTokens;
pub use cognito::{CognitoIdentity, CognitoSettings};
pub use credentials::{Email, Password};
pub use identity::{Account, Authenticated, Identity, ProviderTokens, Registration};
pub use local::LocalIdentity;
pub use notices::SignUpNotices;
pub use sessions::Sessions;
pub use throttle::{Counters, Throttle};

use throttle::AccountMail;

use crate::platform::net::{Cidr, client_ip};
use app::{
    domain::User,
    error::AppError,
    services::{AccountService, Caller, SignedIn},
};
use axum::{extract::ConnectInfo, http::HeaderValue, http::request::Parts};
use news::{AccountNews, InProcessNews, SessionsChanged};
use std::{collections::HashSet, net::SocketAddr, sync::Arc};
use tokio::sync::broadcast;

/// Provider tokens this close to expiry (seconds) are renewed before the request goes on.
const REFRESH_MARGIN_SECS: i64 = 60;

/// The account service used by pages, server functions and the REST API alike.
pub struct Accounts {
    identity: Arc<dyn Identity>,
    sessions: Sessions,
    tokens: ApiTokens,
    throttle: Throttle,
    notices: SignUpNotices,
    /// E-mails that are admins whatever the database says (`LTD_ADMIN_EMAILS`), lower-cased.
    admin_emails: HashSet<String>,
    /// Proxies whose forwarding headers name the client (`LTD_TRUSTED_PROXIES`).
    trusted_proxies: Vec<Cidr>,
    /// Word to every live stream that an account's sessions or role changed.
    news: Arc<dyn AccountNews>,
}

impl Accounts {
    pub fn new(
        identity: Arc<dyn Identity>,
        sessions: Sessions,
        throttle: Throttle,
        notices: SignUpNotices,
    ) -> Self {
        Self {
            identity,
            tokens: ApiTokens::new(sessions.pool().clone()),
            sessions,
            throttle,
            notices,
            admin_emails: HashSet::new(),
            trusted_proxies: Vec::new(),
            news: Arc::new(InProcessNews::default()),
        }
    }

    /// Makes these e-mails admins (`LTD_ADMIN_EMAILS`).
    pub fn with_admin_emails<'a>(mut self, emails: impl IntoIterator<Item = &'a str>) -> Self {
        self.admin_emails =
            emails.into_iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
        self
    }

    /// Tells the live streams through `news` (Redis pub/sub for several instances) instead
    /// of this process's own channel.
    pub fn with_news(mut self, news: Arc<dyn AccountNews>) -> Self {
        self.news = news;
        self
    }

    /// Hears, from now on, of every account whose sessions or role changed.
    pub fn news(&self) -> broadcast::Receiver<SessionsChanged> {
        self.news.subscribe()
    }

    /// Tells every live stream of the account to re-check its session now. Not waited for:
    /// a stream that misses it re-checks within `LTD_STREAM_RECHECK_SECS` anyway.
    fn announce(&self, user_id: &str) {
        // The answer is awaited (a publisher nobody waits for drops the message) off the
        // request, and a failure only logged.
        let answer = self.news.announce(user_id);
        let user_id = user_id.to_owned();
        tokio::spawn(async move {
            if !matches!(answer.await, Ok(true)) {
                tracing::warn!(user.id = %user_id, "account news was not sent; streams learn at their next check");
            }
        });
    }

    /// The id of the account with this address, if any.
    async fn id_of(&self, email: &Email) -> Result<Option<String>, AppError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(self.sessions.pool())
            .await
            .map_err(crate::platform::error::internal("could not look up the account"))?;
        Ok(row.map(|(id,)| id))
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
    /// A request with `Authorization: Bearer ltd_…` is its token's, whatever cookie it
    /// carries; an unknown, expired or revoked token is [`AppError::InvalidToken`].
    pub async fn identify(&self, request: &Parts) -> Result<Caller, AppError> {
        let ip = request
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| client_ip(info.0.ip(), &request.headers, &self.trusted_proxies));
        if let Some(token) = api_tokens::bearer(&request.headers) {
            let (account, grant) = self.tokens.resolve(&token?).await?.ok_or(AppError::InvalidToken)?;
            // A token never acts as an admin: it cannot reach those routes anyway.
            let user = User { is_admin: false, ..account.into() };
            return Ok(Caller { ip, session_token: None, user: Some(user), api_token: Some(grant) });
        }
        let session_token = self.sessions.token_from(&request.headers);
        let user = match &session_token {
            Some(token) => self.user_of_session(token).await?,
            None => None,
        };
        Ok(Caller { ip, session_token, user, api_token: None })
    }

    /// Whether the API token `id` still works (a live stream opened with it re-checks).
    pub async fn token_works(&self, id: &str) -> Result<bool, AppError> {
        self.tokens.works(id).await
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
    /// Creates an account that signs in once its address is confirmed, or tells the owner
    /// of a taken address that someone tried; the caller cannot tell which (at most
    /// `LTD_SIGN_UPS_PER_ADDRESS` sign-ups per client address per 15 minutes).
    async fn sign_up(&self, caller: &Caller, email: &str, password: &str) -> Result<(), AppError> {
        let email = Email::parse(email)?;
        let password = Password::parse(password)?;
        // Counted once the input is valid: a mistyped form costs nothing.
        self.throttle.sign_up(caller.ip).await?;
        match self.identity.register(&email, &password).await? {
            Registration::New(account) => tracing::info!(user.id = %account.id, "signed up"),
            Registration::Taken => self.notices.tell(&email).await?,
        }
        Ok(())
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
        self.identity.reset_password(&email, code, &password).await?;
        if let Some(id) = self.id_of(&email).await? {
            self.announce(&id);
        }
        Ok(())
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
            // The session's live streams end at once, on every instance.
            if let Some(user) = &caller.user {
                self.announce(&user.id);
            }
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

/// Marks the address of the account with this e-mail as confirmed, as the mailed link
/// would; `false` when there is no such account. Used by `let-them-draw admin confirm`.
pub async fn confirm_address(pool: &crate::platform::db::Pool, email: &str) -> Result<bool, AppError> {
    let email = Email::parse(email)?;
    let updated =
        sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE email = $2")
            .bind(crate::platform::clock::now_secs())
            .bind(email.as_str())
            .execute(pool)
            .await
            .map_err(crate::platform::error::internal("could not confirm the address"))?;
    Ok(updated.rows_affected() == 1)
}

/// Grants (or revokes) the admin role of the account with this e-mail; returns its id, or
/// `None` when there is no such account. Used by `let-them-draw admin grant|revoke`.
pub async fn set_admin(
    pool: &crate::platform::db::Pool,
    email: &str,
    admin: bool,
) -> Result<Option<String>, AppError> {
    let email = Email::parse(email)?;
    let updated: Option<(String,)> =
        sqlx::query_as("UPDATE users SET is_admin = $1 WHERE email = $2 RETURNING id")
            .bind(i64::from(admin))
            .bind(email.as_str())
            .fetch_optional(pool)
            .await
            .map_err(crate::platform::error::internal("could not change the admin role"))?;
    Ok(updated.map(|(id,)| id))
}

//! Server-side sessions behind an HttpOnly cookie.

use super::identity::{Account, ProviderTokens};
use crate::{platform::db, platform::error::internal};
use app::error::AppError;
use axum::http::{HeaderMap, HeaderValue, header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

type SessionRow = (String, String, i64, Option<i64>, Option<String>, Option<i64>, Option<String>);
/// A session's `access_token`, `access_expires_at` and `refresh_token` columns.
type StoredTokens = (Option<String>, Option<i64>, Option<String>);

/// The provider's tokens a session keeps, if it keeps all three.
fn stored_tokens(columns: StoredTokens) -> Option<ProviderTokens> {
    match columns {
        (Some(access_token), Some(access_expires_at), Some(refresh_token)) => {
            Some(ProviderTokens { access_token, access_expires_at, refresh_token })
        }
        _ => None,
    }
}

/// Length of an encoded token: 32 random bytes (256 bits) in unpadded base64url.
const TOKEN_LEN: usize = 43;

/// The session store.
pub struct Sessions {
    pool: db::Pool,
    lifetime_secs: i64,
    secure: bool,
}

impl Sessions {
    /// `secure` marks cookies `Secure` and names them with the `__Host-` prefix (for https).
    pub fn new(pool: db::Pool, lifetime_days: u32, secure: bool) -> Self {
        Self { pool, lifetime_secs: i64::from(lifetime_days) * 86_400, secure }
    }

    pub(super) fn pool(&self) -> &db::Pool {
        &self.pool
    }

    fn cookie_name(&self) -> &'static str {
        if self.secure { "__Host-ltd_session" } else { "ltd_session" }
    }

    /// Starts a session for `user_id`, keeping the provider's tokens with it; returns its
    /// `Set-Cookie` value.
    pub async fn open(
        &self,
        user_id: &str,
        tokens: Option<&ProviderTokens>,
    ) -> Result<HeaderValue, AppError> {
        let bytes: [u8; 32] = rand::random();
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = crate::platform::clock::now_secs();
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(internal("could not expire old sessions"))?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, access_token, access_expires_at, \
             refresh_token) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + self.lifetime_secs)
        .bind(tokens.map(|t| t.access_token.clone()))
        .bind(tokens.map(|t| t.access_expires_at))
        .bind(tokens.map(|t| t.refresh_token.clone()))
        .execute(&self.pool)
        .await
        .map_err(internal("could not store the session"))?;
        self.cookie(&token, self.lifetime_secs)
    }

    /// The account of a live session, with the provider's tokens if it keeps any.
    pub async fn user(&self, token: &str) -> Result<Option<(Account, Option<ProviderTokens>)>, AppError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT users.id, users.email, users.is_admin, users.email_verified_at, sessions.access_token, \
             sessions.access_expires_at, sessions.refresh_token FROM sessions JOIN users ON users.id = sessions.user_id \
             WHERE sessions.token_hash = $1 AND sessions.expires_at > $2",
        )
        .bind(hash(token))
        .bind(crate::platform::clock::now_secs())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not look up the session"))?;
        Ok(row.map(|(id, email, is_admin, verified_at, access_token, access_expires_at, refresh_token)| {
            let tokens = stored_tokens((access_token, access_expires_at, refresh_token));
            let account =
                Account { id, email, is_admin: is_admin != 0, email_verified: verified_at.is_some() };
            (account, tokens)
        }))
    }

    /// Keeps a session's renewed provider tokens.
    pub async fn update_tokens(&self, token: &str, tokens: &ProviderTokens) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE sessions SET access_token = $1, access_expires_at = $2, refresh_token = $3 WHERE token_hash = $4",
        )
        .bind(&tokens.access_token)
        .bind(tokens.access_expires_at)
        .bind(&tokens.refresh_token)
        .bind(hash(token))
        .execute(&self.pool)
        .await
        .map_err(internal("could not keep the renewed tokens"))?;
        Ok(())
    }

    /// Ends a session; unknown tokens are ignored. Returns the provider's tokens it kept.
    pub async fn revoke(&self, token: &str) -> Result<Option<ProviderTokens>, AppError> {
        let row: Option<StoredTokens> = sqlx::query_as(
            "DELETE FROM sessions WHERE token_hash = $1 RETURNING access_token, access_expires_at, refresh_token",
        )
        .bind(hash(token))
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not revoke the session"))?;
        Ok(row.and_then(stored_tokens))
    }

    /// Ends every session of `user_id` but the one with token `keep`.
    pub async fn revoke_others(&self, user_id: &str, keep: Option<&str>) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.map(hash).unwrap_or_default())
            .execute(&self.pool)
            .await
            .map_err(internal("could not end the other sessions"))?;
        Ok(())
    }

    /// A `Set-Cookie` value that removes the session cookie.
    pub fn clearing_cookie(&self) -> HeaderValue {
        self.cookie("", 0).unwrap_or_else(|_| HeaderValue::from_static("ltd_session=; Max-Age=0; Path=/"))
    }

    /// The well-formed session token in the request's cookies, if any.
    pub fn token_from(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, value)| *name == self.cookie_name() && is_token(value))
            .map(|(_, value)| value.to_owned())
    }

    fn cookie(&self, token: &str, max_age: i64) -> Result<HeaderValue, AppError> {
        // Lax, not Strict: the return from Stripe Checkout is a top-level cross-site navigation.
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.cookie_name()
        );
        HeaderValue::from_str(&value).map_err(internal("could not build the session cookie"))
    }
}

fn is_token(value: &str) -> bool {
    value.len() == TOKEN_LEN && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

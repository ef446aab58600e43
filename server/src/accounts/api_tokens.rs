//! The API token store: tokens are `ltd_` and 256 random bits in base64url; only a SHA-256
//! of each is kept. A token's requests are counted per day for the admins.

use super::identity::Account;
use crate::{platform::db, platform::error::internal};
use app::{
    domain::tokens::{ApiToken, NewToken, PartnerToken, Scope, TokenGrant, TokenSpec},
    error::AppError,
};
use axum::http::{HeaderMap, header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// What every token starts with, so a leaked one is easy to recognise (and to scan for).
const PREFIX: &str = "ltd_";
/// Length of a token: the prefix and 32 random bytes in unpadded base64url.
const TOKEN_LEN: usize = PREFIX.len() + 43;
/// The most working (not revoked, not expired) tokens one account may hold.
pub const MAX_PER_ACCOUNT: i64 = 20;

type TokenRow = (String, String, String, i64, Option<i64>, Option<i64>);
/// A token's owner's e-mail, its row, and its `usage_day` and `requests_today`.
type PartnerRow = (String, String, String, String, i64, Option<i64>, Option<i64>, i64, i64);

/// The token in an `Authorization: Bearer …` header: `Some(Ok)` when it looks like one of
/// ours, `Some(Err)` when the header is a bearer of something else, `None` without one.
pub fn bearer(headers: &HeaderMap) -> Option<Result<String, AppError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let text = value.to_str().unwrap_or_default().trim();
    let (scheme, token) = text.split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Some(Err(AppError::InvalidToken));
    }
    let token = token.trim();
    let well_formed = token.len() == TOKEN_LEN
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    Some(if well_formed { Ok(token.to_owned()) } else { Err(AppError::InvalidToken) })
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn scopes_of(text: &str) -> Vec<Scope> {
    text.split_whitespace().filter_map(Scope::parse).collect()
}

fn token_of((id, name, scopes, created_at, last_used_at, expires_at): TokenRow) -> ApiToken {
    ApiToken { id, name, scopes: scopes_of(&scopes), created_at, last_used_at, expires_at }
}

fn today(now: i64) -> i64 {
    now.div_euclid(86_400)
}

/// API tokens in the database.
pub struct ApiTokens {
    pool: db::Pool,
}

impl ApiTokens {
    pub fn new(pool: db::Pool) -> Self {
        Self { pool }
    }

    /// Makes a token for `user_id`; the secret is in the answer and nowhere else. At most
    /// [`MAX_PER_ACCOUNT`] working tokens per account (409 on `name` past that).
    pub async fn create(&self, user_id: &str, spec: &TokenSpec) -> Result<NewToken, AppError> {
        let now = crate::platform::clock::now_secs();
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        // Holding the user's row, so tokens made at once are counted one after the other.
        sqlx::query("UPDATE users SET id = id WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(internal("could not lock the account"))?;
        let (working,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal("could not count the tokens"))?;
        if working >= MAX_PER_ACCOUNT {
            return Err(AppError::Conflict {
                field: "name".into(),
                message: format!("an account holds at most {MAX_PER_ACCOUNT} tokens: revoke one first"),
            });
        }
        let bytes: [u8; 32] = rand::random();
        let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let info = ApiToken {
            id: uuid::Uuid::now_v7().to_string(),
            name: spec.name.clone(),
            scopes: spec.scopes.clone(),
            created_at: now,
            last_used_at: None,
            expires_at: spec.expires_in_days.map(|days| now + i64::from(days) * 86_400),
        };
        let scopes: Vec<&str> = info.scopes.iter().map(|s| s.as_str()).collect();
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&info.id)
        .bind(user_id)
        .bind(&info.name)
        .bind(hash(&token))
        .bind(scopes.join(" "))
        .bind(now)
        .bind(info.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(internal("could not store the token"))?;
        tx.commit().await.map_err(internal("could not store the token"))?;
        Ok(NewToken { token, info })
    }

    /// The account's tokens that were not revoked, newest first (expired ones included).
    pub async fn list(&self, user_id: &str) -> Result<Vec<ApiToken>, AppError> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, scopes, created_at, last_used_at, expires_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal("could not list the tokens"))?;
        Ok(rows.into_iter().map(token_of).collect())
    }

    /// Every token not revoked, by owner, with today's request count (the admins' list).
    pub async fn all(&self) -> Result<Vec<PartnerToken>, AppError> {
        let rows: Vec<PartnerRow> =
            sqlx::query_as(
                "SELECT users.email, api_tokens.id, api_tokens.name, api_tokens.scopes, api_tokens.created_at, \
                 api_tokens.last_used_at, api_tokens.expires_at, api_tokens.usage_day, api_tokens.requests_today \
                 FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE api_tokens.revoked_at IS NULL \
                 ORDER BY users.email, api_tokens.created_at DESC",
            )
            .fetch_all(&self.pool)
            .await
            .map_err(internal("could not list the tokens"))?;
        let day = today(crate::platform::clock::now_secs());
        Ok(rows
            .into_iter()
            .map(
                |(
                    owner_email,
                    id,
                    name,
                    scopes,
                    created_at,
                    last_used_at,
                    expires_at,
                    usage_day,
                    requests,
                )| {
                    PartnerToken {
                        owner_email,
                        info: token_of((id, name, scopes, created_at, last_used_at, expires_at)),
                        requests_today: if usage_day == day { requests } else { 0 },
                    }
                },
            )
            .collect())
    }

    /// Revokes the token `id` (of `owner` only, when given); returns its owner's id, or
    /// [`AppError::NotFound`] when there is no such working token.
    pub async fn revoke(&self, id: &str, owner: Option<&str>) -> Result<String, AppError> {
        let now = crate::platform::clock::now_secs();
        let query = match owner {
            Some(owner) => sqlx::query_as::<_, (String,)>(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND user_id = $3 \
                 RETURNING user_id",
            )
            .bind(now)
            .bind(id)
            .bind(owner),
            None => sqlx::query_as::<_, (String,)>(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING user_id",
            )
            .bind(now)
            .bind(id),
        };
        let revoked =
            query.fetch_optional(&self.pool).await.map_err(internal("could not revoke the token"))?;
        revoked.map(|(user_id,)| user_id).ok_or(AppError::NotFound)
    }

    /// The account and grant of a working token, counting this use; `None` when the token
    /// is unknown, revoked or expired.
    pub async fn resolve(&self, token: &str) -> Result<Option<(Account, TokenGrant)>, AppError> {
        let now = crate::platform::clock::now_secs();
        let day = today(now);
        let used: Option<(String, String, String)> = sqlx::query_as(
            "UPDATE api_tokens SET last_used_at = $1, \
             requests_today = CASE WHEN usage_day = $2 THEN requests_today + 1 ELSE 1 END, usage_day = $2 \
             WHERE token_hash = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1) \
             RETURNING id, user_id, scopes",
        )
        .bind(now)
        .bind(day)
        .bind(hash(token))
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not look up the token"))?;
        let Some((id, user_id, scopes)) = used else { return Ok(None) };
        let grant = TokenGrant { id, scopes: scopes_of(&scopes) };
        Ok(self.account(&user_id).await?.map(|account| (account, grant)))
    }

    /// Whether the token `id` still works (a live stream re-checks with it).
    pub async fn works(&self, id: &str) -> Result<bool, AppError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(id)
        .bind(crate::platform::clock::now_secs())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not look up the token"))?;
        Ok(row.is_some())
    }

    async fn account(&self, user_id: &str) -> Result<Option<Account>, AppError> {
        let row: Option<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, email, is_admin, email_verified_at FROM users WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not look up the account"))?;
        Ok(row.map(|(id, email, is_admin, verified_at)| Account {
            id,
            email,
            is_admin: is_admin != 0,
            email_verified: verified_at.is_some(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn only_a_bearer_token_of_ours_is_read() {
        let token = format!("ltd_{}", "a".repeat(43));
        assert_eq!(bearer(&headers(&format!("Bearer {token}"))), Some(Ok(token.clone())));
        assert_eq!(bearer(&headers(&format!("bearer  {token} "))), Some(Ok(token.clone())));
        assert_eq!(bearer(&headers("Basic dXNlcjpwYXNz")), Some(Err(AppError::InvalidToken)));
        assert_eq!(bearer(&headers("Bearer ltd_short")), Some(Err(AppError::InvalidToken)));
        assert_eq!(
            bearer(&headers(&format!("Bearer xyz_{}", "a".repeat(43)))),
            Some(Err(AppError::InvalidToken))
        );
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn a_token_is_hashed_to_64_hex_digits() {
        let digest = hash("ltd_x");
        assert_eq!(digest.len(), 64);
        assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(digest, hash("ltd_y"));
    }
}

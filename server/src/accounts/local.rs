//! Local accounts in the database, passwords hashed with argon2id.

use super::{Account, Email, Identity, Password};
use crate::{db, error::internal};
use app::error::AppError;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use std::sync::OnceLock;

/// The embedded default identity provider.
pub struct LocalIdentity {
    pool: db::Pool,
}

impl LocalIdentity {
    pub fn new(pool: db::Pool) -> Self {
        Self { pool }
    }
}

#[async_trait::async_trait]
impl Identity for LocalIdentity {
    #[tracing::instrument(skip_all)]
    async fn register(&self, email: &Email, password: &Password) -> Result<Account, AppError> {
        let password = password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(password.expose()))
            .await
            .map_err(internal("password hashing task failed"))?
            .map_err(internal("password hashing failed"))?;
        let id = uuid::Uuid::now_v7().to_string();
        let inserted =
            sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(email.as_str())
                .bind(&hash)
                .bind(db::now())
                .execute(&self.pool)
                .await;
        match inserted {
            Ok(_) => Ok(Account { id, email: email.as_str().to_owned(), is_admin: false }),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Err(AppError::Conflict {
                field: "email".into(),
                message: "an account with this e-mail already exists: sign in instead".into(),
            }),
            Err(error) => Err(internal("could not store the account")(error)),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn authenticate(&self, email: &Email, password: &Password) -> Result<Account, AppError> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT id, password_hash, is_admin FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(internal("could not look up the account"))?;
        let password = password.clone();
        let found = row.is_some();
        let (id, hash, is_admin) = row.unwrap_or_else(|| (String::new(), dummy_hash().to_owned(), 0));
        // Verify even for unknown e-mails so both answers take the same time.
        let matches = tokio::task::spawn_blocking(move || verify_password(password.expose(), &hash))
            .await
            .map_err(internal("password verification task failed"))?;
        if found && matches {
            Ok(Account { id, email: email.as_str().to_owned(), is_admin: is_admin != 0 })
        } else {
            Err(AppError::InvalidCredentials)
        }
    }
}

fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A real hash of a random password, computed once, to verify against for unknown e-mails.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 16] = rand::random();
        hash_password(&format!("{random:?}")).unwrap_or_default()
    })
}

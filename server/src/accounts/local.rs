//! Local accounts in the database, passwords hashed with argon2id. E-mail verification
//! and password reset go by mailed links with one-time codes.

use super::{
    Account, Email, Identity, Password,
    identity::{Authenticated, ProviderTokens, Registration, parse_code},
};
use crate::{mail::Postman, platform::db, platform::error::internal};
use app::error::AppError;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::sync::Semaphore;

/// How long a verification link works.
const VERIFY_HOURS: u32 = 48;
/// How long a password reset link works.
const RESET_HOURS: u32 = 1;

/// The shortest time between two mails of one kind to one account (against mail bombing).
const MAIL_EVERY_SECS: i64 = 60;

/// What a mailed code is for.
#[derive(Clone, Copy)]
enum Purpose {
    Verify,
    Reset,
    ChangeEmail,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
            Purpose::ChangeEmail => "change-email",
        }
    }

    fn hours(self) -> u32 {
        match self {
            Purpose::Verify | Purpose::ChangeEmail => VERIFY_HOURS,
            Purpose::Reset => RESET_HOURS,
        }
    }
}

/// How long a password check waits for a free hasher before the caller is told to come
/// back.
const HASHER_WAIT: Duration = Duration::from_secs(3);

/// The embedded default identity provider.
pub struct LocalIdentity {
    pool: db::Pool,
    postman: Arc<Postman>,
    hashers: Hashers,
}

impl LocalIdentity {
    pub fn new(pool: db::Pool, postman: Arc<Postman>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self { pool, postman, hashers: Hashers::new(cores, HASHER_WAIT) }
    }

    /// Replaces the account's code for `purpose` by a new one and mails it.
    async fn mail_code(&self, user_id: &str, email: &Email, purpose: Purpose) -> Result<(), AppError> {
        let bytes: [u8; 32] = rand::random();
        let code = URL_SAFE_NO_PAD.encode(bytes);
        let expires_at = crate::platform::clock::now_secs() + i64::from(purpose.hours()) * 3600;
        // At most one mail a minute per account and purpose: a code issued less than
        // MAIL_EVERY_SECS ago is kept and nothing is sent (the caller's answer is the same).
        let stored = sqlx::query(
            "INSERT INTO account_codes (user_id, purpose, code_hash, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at \
             WHERE account_codes.expires_at <= $5",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(hash_code(&code))
        .bind(expires_at)
        .bind(expires_at - MAIL_EVERY_SECS)
        .execute(&self.pool)
        .await
        .map_err(internal("could not store the code"))?;
        if stored.rows_affected() == 0 {
            tracing::info!(user.id = %user_id, purpose = purpose.as_str(), "a code was mailed less than a minute ago");
            return Ok(());
        }
        let templates = self.postman.templates();
        let mail = match purpose {
            Purpose::Verify => templates.verify_email(email.as_str(), &code, purpose.hours()),
            Purpose::Reset => templates.reset_password(email.as_str(), &code, purpose.hours()),
            Purpose::ChangeEmail => templates.change_email(email.as_str(), &code, purpose.hours()),
        };
        let id = format!("account-{user_id}-{}-{}", purpose.as_str(), uuid::Uuid::now_v7().simple());
        self.postman.send(id, mail).await;
        Ok(())
    }

    /// Takes the account's live code for `purpose` if `code` is it: a code works once.
    async fn take_code(&self, email: &Email, code: &str, purpose: Purpose) -> Result<String, AppError> {
        let wrong = || AppError::validation("code", "this code is wrong or has expired: ask for a new one");
        let code = parse_code(code)?;
        let row: Option<(String,)> = sqlx::query_as(
            "DELETE FROM account_codes WHERE purpose = $1 AND code_hash = $2 AND expires_at > $3 \
             AND user_id = (SELECT id FROM users WHERE email = $4) RETURNING user_id",
        )
        .bind(purpose.as_str())
        .bind(hash_code(code))
        .bind(crate::platform::clock::now_secs())
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not check the code"))?;
        row.map(|(user_id,)| user_id).ok_or_else(wrong)
    }

    /// Checks the account's password; a wrong one is a validation error on `field`.
    async fn check_password(
        &self,
        account: &Account,
        password: &Password,
        field: &str,
    ) -> Result<(), AppError> {
        let hash: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(&account.id)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not look up the account"))?;
        let hash = hash.map_or_else(|| dummy_hash().to_owned(), |(hash,)| hash);
        if self.hashers.verify(password.clone(), hash).await? {
            Ok(())
        } else {
            Err(AppError::validation(field, "the password is wrong"))
        }
    }

    async fn find(&self, email: &Email) -> Result<Option<(String, Option<i64>)>, AppError> {
        sqlx::query_as("SELECT id, email_verified_at FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not look up the account"))
    }
}

#[async_trait::async_trait]
impl Identity for LocalIdentity {
    #[tracing::instrument(skip_all)]
    async fn register(&self, email: &Email, password: &Password) -> Result<Registration, AppError> {
        let hash = self.hashers.hash(password).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let inserted =
            sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(email.as_str())
                .bind(&hash)
                .bind(crate::platform::clock::now_secs())
                .execute(&self.pool)
                .await;
        match inserted {
            Ok(_) => {
                self.mail_code(&id, email, Purpose::Verify).await?;
                let account =
                    Account { id, email: email.as_str().to_owned(), is_admin: false, email_verified: false };
                Ok(Registration::New(account))
            }
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(Registration::Taken),
            Err(error) => Err(internal("could not store the account")(error)),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn confirm(&self, email: &Email, code: &str) -> Result<(), AppError> {
        let user_id = self.take_code(email, code, Purpose::Verify).await?;
        sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2")
            .bind(crate::platform::clock::now_secs())
            .bind(&user_id)
            .execute(&self.pool)
            .await
            .map_err(internal("could not confirm the e-mail"))?;
        Ok(())
    }

    async fn resend_confirmation(&self, email: &Email) -> Result<(), AppError> {
        if let Some((id, None)) = self.find(email).await? {
            self.mail_code(&id, email, Purpose::Verify).await?;
        }
        Ok(())
    }

    async fn forgot_password(&self, email: &Email) -> Result<(), AppError> {
        if let Some((id, _)) = self.find(email).await? {
            self.mail_code(&id, email, Purpose::Reset).await?;
        }
        Ok(())
    }

    async fn reset_password(&self, email: &Email, code: &str, password: &Password) -> Result<(), AppError> {
        let user_id = self.take_code(email, code, Purpose::Reset).await?;
        let hash = self.hashers.hash(password).await?;
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        // The mailed link proves the address too.
        sqlx::query(
            "UPDATE users SET password_hash = $1, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
        )
        .bind(&hash)
        .bind(crate::platform::clock::now_secs())
        .bind(&user_id)
        .execute(&mut *tx)
        .await
        .map_err(internal("could not store the new password"))?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await
            .map_err(internal("could not end the account's sessions"))?;
        tx.commit().await.map_err(internal("could not store the new password"))?;
        Ok(())
    }

    async fn change_password(
        &self,
        account: &Account,
        _tokens: Option<&ProviderTokens>,
        current: &Password,
        new: &Password,
    ) -> Result<(), AppError> {
        self.check_password(account, current, "current_password").await?;
        let hash = self.hashers.hash(new).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(&account.id)
            .execute(&self.pool)
            .await
            .map_err(internal("could not store the new password"))?;
        Ok(())
    }

    async fn start_email_change(
        &self,
        account: &Account,
        _tokens: Option<&ProviderTokens>,
        new_email: &Email,
    ) -> Result<(), AppError> {
        if self.find(new_email).await?.is_some() {
            return Err(AppError::Conflict {
                field: "email".into(),
                message: "another account has this e-mail".into(),
            });
        }
        sqlx::query("UPDATE users SET pending_email = $1 WHERE id = $2")
            .bind(new_email.as_str())
            .bind(&account.id)
            .execute(&self.pool)
            .await
            .map_err(internal("could not keep the new e-mail"))?;
        // A new address asks for a new code at once.
        sqlx::query("DELETE FROM account_codes WHERE user_id = $1 AND purpose = $2")
            .bind(&account.id)
            .bind(Purpose::ChangeEmail.as_str())
            .execute(&self.pool)
            .await
            .map_err(internal("could not replace the code"))?;
        self.mail_code(&account.id, new_email, Purpose::ChangeEmail).await
    }

    async fn confirm_email_change(
        &self,
        account: &Account,
        _tokens: Option<&ProviderTokens>,
        code: &str,
    ) -> Result<String, AppError> {
        let code = parse_code(code)?;
        let mut tx = self.pool.begin().await.map_err(internal("could not start a transaction"))?;
        let taken = sqlx::query(
            "DELETE FROM account_codes WHERE user_id = $1 AND purpose = $2 AND code_hash = $3 AND expires_at > $4",
        )
        .bind(&account.id)
        .bind(Purpose::ChangeEmail.as_str())
        .bind(hash_code(code))
        .bind(crate::platform::clock::now_secs())
        .execute(&mut *tx)
        .await
        .map_err(internal("could not check the code"))?;
        if taken.rows_affected() == 0 {
            return Err(AppError::validation("code", "this code is wrong or has expired: ask for a new one"));
        }
        let moved: Result<Option<(String,)>, sqlx::Error> = sqlx::query_as(
            "UPDATE users SET email = pending_email, pending_email = NULL, email_verified_at = $1 \
             WHERE id = $2 AND pending_email IS NOT NULL RETURNING email",
        )
        .bind(crate::platform::clock::now_secs())
        .bind(&account.id)
        .fetch_optional(&mut *tx)
        .await;
        let email = match moved {
            Ok(Some((email,))) => email,
            Ok(None) => return Err(AppError::validation("code", "no change of e-mail is waiting")),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(AppError::Conflict {
                    field: "email".into(),
                    message: "another account has taken this e-mail meanwhile".into(),
                });
            }
            Err(error) => return Err(internal("could not change the e-mail")(error)),
        };
        tx.commit().await.map_err(internal("could not change the e-mail"))?;
        Ok(email)
    }

    async fn delete_account(
        &self,
        account: &Account,
        _tokens: Option<&ProviderTokens>,
        password: &Password,
    ) -> Result<(), AppError> {
        self.check_password(account, password, "password").await
    }

    #[tracing::instrument(skip_all)]
    async fn authenticate(&self, email: &Email, password: &Password) -> Result<Authenticated, AppError> {
        let row: Option<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, password_hash, is_admin, email_verified_at FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal("could not look up the account"))?;
        let password = password.clone();
        let found = row.is_some();
        let (id, hash, is_admin, verified_at) =
            row.unwrap_or_else(|| (String::new(), dummy_hash().to_owned(), 0, None));
        // Verify even for unknown e-mails so both answers take the same time.
        let matches = self.hashers.verify(password, hash).await?;
        // An account signs in once its address is confirmed: until then the answer is the
        // one a wrong password gets.
        if found && matches && verified_at.is_some() {
            let account = Account {
                id,
                email: email.as_str().to_owned(),
                is_admin: is_admin != 0,
                email_verified: verified_at.is_some(),
            };
            Ok(Authenticated { account, tokens: None })
        } else {
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Runs argon2id on the blocking pool, at most one hash per core at a time: each takes
/// ~19 MiB and a core for a while, so a flood of sign-ins waits here (and past `wait` is
/// told to come back) instead of filling memory and the pool the artist draws on.
struct Hashers {
    permits: Semaphore,
    wait: Duration,
}

impl Hashers {
    fn new(at_once: usize, wait: Duration) -> Self {
        Self { permits: Semaphore::new(at_once.max(1)), wait }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| AppError::TooManyRequests {
                message: "the server is busy checking passwords: try again in a second".into(),
                retry_after_secs: 1,
            })?
            .map_err(internal("the password hashers are closed"))?;
        tokio::task::spawn_blocking(work).await.map_err(internal("password hashing task failed"))
    }

    /// The argon2id hash of `password`.
    async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.clone();
        self.run(move || hash_password(password.expose())).await?.map_err(internal("password hashing failed"))
    }

    /// Whether `password` matches `hash`.
    async fn verify(&self, password: Password, hash: String) -> Result<bool, AppError> {
        self.run(move || verify_password(password.expose(), &hash)).await
    }
}

fn hash_code(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
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

//! The mail a taken address gets when someone signs up with it: the sign-up's answer is the
//! same as for a new address, so only the owner learns that the address has an account.

use super::Email;
use crate::{mail::Postman, platform::db, platform::error::internal};
use app::error::AppError;
use std::sync::Arc;

/// The shortest time between two such mails to one account (against mail bombing).
const NOTICE_EVERY_SECS: i64 = 60;

/// Mails "someone tried to sign up with your address".
pub struct SignUpNotices {
    pool: db::Pool,
    postman: Arc<Postman>,
}

impl SignUpNotices {
    pub fn new(pool: db::Pool, postman: Arc<Postman>) -> Self {
        Self { pool, postman }
    }

    /// Tells the owner of `email`, at most once a minute per account. An address the
    /// provider knows but this database does not yet (a Cognito account that never signed
    /// in here) is told each time; the sign-up limit per client address bounds that.
    pub async fn tell(&self, email: &Email) -> Result<(), AppError> {
        let now = crate::platform::clock::now_secs();
        let marked = sqlx::query(
            "UPDATE users SET sign_up_notice_at = $1 WHERE email = $2 \
             AND (sign_up_notice_at IS NULL OR sign_up_notice_at <= $3)",
        )
        .bind(now)
        .bind(email.as_str())
        .bind(now - NOTICE_EVERY_SECS)
        .execute(&self.pool)
        .await
        .map_err(internal("could not note the sign-up notice"))?;
        if marked.rows_affected() == 0 && self.known(email).await? {
            tracing::info!("a sign-up notice was mailed to this account less than a minute ago");
            return Ok(());
        }
        let mail = self.postman.templates().sign_up_taken(email.as_str());
        let id = format!("sign-up-taken-{}", uuid::Uuid::now_v7().simple());
        self.postman.send(id, mail).await;
        Ok(())
    }

    async fn known(&self, email: &Email) -> Result<bool, AppError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(internal("could not look up the account"))?;
        Ok(row.is_some())
    }
}

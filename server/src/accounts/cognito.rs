//! Amazon Cognito as the identity provider (aws-sdk-cognitoidentityprovider).
//!
//! The pool's app client must have no secret and allow `USER_PASSWORD_AUTH` and
//! `REFRESH_TOKEN_AUTH`. Each Cognito user also gets a row in `users` (id = the Cognito
//! `sub`, e-mail from the ID token) so orders, sessions and the admin role work as for
//! local accounts.

use super::{
    Account, Email, Identity, Password,
    cognito_errors::{Call, cognito_error},
    identity::{Authenticated, ProviderTokens, Registration, parse_code},
    tokens::TokenVerifier,
};
use crate::{platform::db, platform::error::internal};
use anyhow::Context as _;
use app::error::AppError;
use aws_sdk_cognitoidentityprovider::{
    Client,
    types::{AttributeType, AuthFlowType, AuthenticationResultType},
};
use clap::Args;

/// Amazon Cognito as the identity provider, when both the pool and the client are set;
/// local accounts otherwise.
#[derive(Clone, Debug, Args)]
pub struct CognitoSettings {
    /// The user pool, e.g. `us-east-1_AbCdEf123` (with COGNITO_CLIENT_ID: sign in with Cognito).
    #[arg(long, env = "COGNITO_USER_POOL_ID")]
    pub cognito_user_pool_id: Option<String>,

    /// The pool's app client (without a secret; USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH allowed).
    #[arg(long, env = "COGNITO_CLIENT_ID")]
    pub cognito_client_id: Option<String>,

    /// The tokens' expected `iss`; defaults to
    /// `https://cognito-idp.<AWS_REGION>.amazonaws.com/<pool>`.
    #[arg(long, env = "COGNITO_ISSUER")]
    pub cognito_issuer: Option<String>,

    /// Where the pool's signing keys are; defaults to `<issuer>/.well-known/jwks.json`
    /// (set it for an emulator, whose address differs from the issuer).
    #[arg(long, env = "COGNITO_JWKS_URL")]
    pub cognito_jwks_url: Option<String>,
}

pub struct CognitoIdentity {
    client: Client,
    pool_id: String,
    client_id: String,
    verifier: TokenVerifier,
    pool: db::Pool,
}

impl CognitoIdentity {
    /// Cognito as configured, or `None` when the pool and client are not both set.
    pub async fn from_settings(settings: &CognitoSettings, pool: db::Pool) -> anyhow::Result<Option<Self>> {
        let (Some(pool_id), Some(client_id)) = (&settings.cognito_user_pool_id, &settings.cognito_client_id)
        else {
            anyhow::ensure!(
                settings.cognito_user_pool_id.is_none() && settings.cognito_client_id.is_none(),
                "set both COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID, or neither"
            );
            return Ok(None);
        };
        // Pool ids start with their region: `us-east-1_AbCdEf123`.
        let region = pool_id
            .split_once('_')
            .map(|(region, _)| region)
            .filter(|region| !region.is_empty())
            .with_context(|| {
                format!("COGNITO_USER_POOL_ID is not a pool id like us-east-1_AbC123: {pool_id:?}")
            })?;
        let issuer = settings
            .cognito_issuer
            .clone()
            .unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"));
        let jwks_url =
            settings.cognito_jwks_url.clone().unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_owned()))
            .load()
            .await;
        Ok(Some(Self {
            client: Client::new(&config),
            pool_id: pool_id.clone(),
            client_id: client_id.clone(),
            verifier: TokenVerifier::new(&jwks_url, &issuer, client_id)?,
            pool,
        }))
    }

    /// Our row for a Cognito user, created on first sight. A verified address (the ID
    /// token's `email_verified`) is kept and marks the row verified; an unverified one
    /// neither replaces the stored address nor proves anything.
    async fn upsert_user(&self, sub: &str, email: &str, verified: bool) -> Result<Account, AppError> {
        let now = crate::platform::clock::now_secs();
        let row: (String, i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO users (id, email, password_hash, created_at, email_verified_at) \
             VALUES ($1, $2, '', $3, CASE WHEN $4 = 1 THEN $3 END) \
             ON CONFLICT (id) DO UPDATE SET \
             email = CASE WHEN $4 = 1 THEN excluded.email ELSE users.email END, \
             email_verified_at = CASE WHEN $4 = 1 THEN COALESCE(users.email_verified_at, $3) \
             ELSE users.email_verified_at END \
             RETURNING email, is_admin, email_verified_at",
        )
        .bind(sub)
        .bind(email)
        .bind(now)
        .bind(i64::from(verified))
        .fetch_one(&self.pool)
        .await
        .map_err(|error| match error {
            sqlx::Error::Database(e) if e.is_unique_violation() => AppError::Conflict {
                field: "email".into(),
                message: "this e-mail belongs to another account here".into(),
            },
            other => internal("could not store the Cognito user")(other),
        })?;
        let (email, is_admin, verified_at) = row;
        Ok(Account {
            id: sub.to_owned(),
            email,
            is_admin: is_admin != 0,
            email_verified: verified_at.is_some(),
        })
    }

    /// The user's e-mail from Cognito itself, for tokens that lack the claim.
    async fn email_from_pool(&self, sub: &str) -> Result<String, AppError> {
        let user = self
            .client
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(sub)
            .send()
            .await
            .map_err(|e| cognito_error(Call::SignIn, &e))?;
        user.user_attributes()
            .iter()
            .find(|attribute| attribute.name() == "email")
            .and_then(|attribute| attribute.value())
            .map(str::to_lowercase)
            .ok_or_else(|| {
                tracing::error!("the Cognito user has no e-mail attribute");
                AppError::Internal
            })
    }

    fn tokens(
        result: &AuthenticationResultType,
        refresh_token: Option<&str>,
    ) -> Result<ProviderTokens, AppError> {
        let missing = || {
            tracing::error!("Cognito's answer lacks a token");
            AppError::Internal
        };
        Ok(ProviderTokens {
            access_token: result.access_token().ok_or_else(missing)?.to_owned(),
            access_expires_at: crate::platform::clock::now_secs() + i64::from(result.expires_in()),
            refresh_token: result.refresh_token().or(refresh_token).ok_or_else(missing)?.to_owned(),
        })
    }
}

impl CognitoIdentity {
    /// The session's tokens, renewed first when the access token is about to expire;
    /// `None` when Cognito revoked them.
    async fn fresh(&self, tokens: &ProviderTokens) -> Result<Option<ProviderTokens>, AppError> {
        if tokens.access_expires_at <= crate::platform::clock::now_secs() + 30 {
            self.refresh(tokens).await
        } else {
            Ok(Some(tokens.clone()))
        }
    }

    /// A live access token of the caller's session, for calls made on the user's behalf.
    async fn access_token(&self, tokens: Option<&ProviderTokens>) -> Result<String, AppError> {
        let tokens = tokens.ok_or(AppError::Unauthenticated)?;
        Ok(self.fresh(tokens).await?.ok_or(AppError::Unauthenticated)?.access_token)
    }
}

#[async_trait::async_trait]
impl Identity for CognitoIdentity {
    #[tracing::instrument(skip_all)]
    async fn register(&self, email: &Email, password: &Password) -> Result<Registration, AppError> {
        let email_attribute = AttributeType::builder()
            .name("email")
            .value(email.as_str())
            .build()
            .map_err(internal("could not build the e-mail attribute"))?;
        let output = self
            .client
            .sign_up()
            .client_id(&self.client_id)
            .username(email.as_str())
            .password(password.expose())
            .user_attributes(email_attribute)
            .send()
            .await
            .map_err(|e| cognito_error(Call::SignUp, &e));
        let output = match output {
            Ok(output) => output,
            Err(AppError::Conflict { field, .. }) if field == "email" => return Ok(Registration::Taken),
            Err(error) => return Err(error),
        };
        // Not verified yet: Cognito mails the code, and the next sign-in's token tells.
        Ok(Registration::New(self.upsert_user(output.user_sub(), email.as_str(), false).await?))
    }

    #[tracing::instrument(skip_all)]
    async fn confirm(&self, email: &Email, code: &str) -> Result<(), AppError> {
        self.client
            .confirm_sign_up()
            .client_id(&self.client_id)
            .username(email.as_str())
            .confirmation_code(parse_code(code)?)
            .send()
            .await
            .map_err(|e| cognito_error(Call::Confirm, &e))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn resend_confirmation(&self, email: &Email) -> Result<(), AppError> {
        let sent = self
            .client
            .resend_confirmation_code()
            .client_id(&self.client_id)
            .username(email.as_str())
            .send()
            .await;
        match sent.map_err(|e| cognito_error(Call::Resend, &e)) {
            // Unknown accounts are not revealed.
            Ok(_) | Err(AppError::NotFound) => Ok(()),
            Err(error) => Err(error),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn authenticate(&self, email: &Email, password: &Password) -> Result<Authenticated, AppError> {
        let output = self
            .client
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", email.as_str())
            .auth_parameters("PASSWORD", password.expose())
            .send()
            .await
            .map_err(|e| cognito_error(Call::SignIn, &e))?;
        let Some(result) = output.authentication_result() else {
            // MFA and other challenges are not offered by this app.
            return Err(AppError::Forbidden {
                message: format!(
                    "this account needs a sign-in step the site does not offer ({})",
                    output.challenge_name().map(|c| c.as_str()).unwrap_or("a challenge")
                ),
            });
        };
        let id_token = result.id_token().ok_or_else(|| {
            tracing::error!("Cognito's answer lacks the ID token");
            AppError::Internal
        })?;
        let claims = self.verifier.verify_id(id_token).await.map_err(|error| {
            tracing::error!(%error, "Cognito's ID token did not verify");
            AppError::Internal
        })?;
        let mut tokens = Self::tokens(result, None)?;
        let access = self.verifier.verify_access(&tokens.access_token).await.map_err(|error| {
            tracing::error!(%error, "Cognito's access token did not verify");
            AppError::Internal
        })?;
        if access.sub != claims.sub {
            tracing::error!("Cognito's ID and access tokens name different users");
            return Err(AppError::Internal);
        }
        tokens.access_expires_at = access.exp;
        // Without the claim the address comes from the pool, and counts as unverified.
        let (email, verified) = match claims.email {
            Some(email) => (email.to_lowercase(), claims.email_verified),
            None => (self.email_from_pool(&claims.sub).await?, false),
        };
        let account = self.upsert_user(&claims.sub, &email, verified).await?;
        Ok(Authenticated { account, tokens: Some(tokens) })
    }

    #[tracing::instrument(skip_all)]
    async fn forgot_password(&self, email: &Email) -> Result<(), AppError> {
        let sent =
            self.client.forgot_password().client_id(&self.client_id).username(email.as_str()).send().await;
        match sent.map_err(|e| cognito_error(Call::Forgot, &e)) {
            Ok(_) | Err(AppError::NotFound) => Ok(()),
            Err(error) => Err(error),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn reset_password(&self, email: &Email, code: &str, password: &Password) -> Result<(), AppError> {
        self.client
            .confirm_forgot_password()
            .client_id(&self.client_id)
            .username(email.as_str())
            .confirmation_code(parse_code(code)?)
            .password(password.expose())
            .send()
            .await
            .map_err(|e| cognito_error(Call::Reset, &e))?;
        sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = $1)")
            .bind(email.as_str())
            .execute(&self.pool)
            .await
            .map_err(internal("could not end the account's sessions"))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn refresh(&self, tokens: &ProviderTokens) -> Result<Option<ProviderTokens>, AppError> {
        let refreshed = self
            .client
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &tokens.refresh_token)
            .send()
            .await
            .map_err(|e| cognito_error(Call::Refresh, &e));
        let output = match refreshed {
            Ok(output) => output,
            // Revoked (signed out everywhere) or expired: the session is over.
            Err(AppError::InvalidCredentials) => return Ok(None),
            Err(error) => return Err(error),
        };
        let Some(result) = output.authentication_result() else {
            return Ok(None);
        };
        let mut fresh = Self::tokens(result, Some(&tokens.refresh_token))?;
        let access = self.verifier.verify_access(&fresh.access_token).await.map_err(|error| {
            tracing::error!(%error, "Cognito's refreshed access token did not verify");
            AppError::Internal
        })?;
        fresh.access_expires_at = access.exp;
        Ok(Some(fresh))
    }

    #[tracing::instrument(skip_all)]
    async fn change_password(
        &self,
        _account: &Account,
        tokens: Option<&ProviderTokens>,
        current: &Password,
        new: &Password,
    ) -> Result<(), AppError> {
        let access = self.access_token(tokens).await?;
        self.client
            .change_password()
            .access_token(access)
            .previous_password(current.expose())
            .proposed_password(new.expose())
            .send()
            .await
            .map_err(|e| cognito_error(Call::ChangePassword, &e))?;
        Ok(())
    }

    async fn start_email_change(
        &self,
        _account: &Account,
        tokens: Option<&ProviderTokens>,
        new_email: &Email,
    ) -> Result<(), AppError> {
        let access = self.access_token(tokens).await?;
        let email = AttributeType::builder()
            .name("email")
            .value(new_email.as_str())
            .build()
            .map_err(|e| internal("could not build the e-mail attribute")(e))?;
        // With the pool's "keep the original address until the new one is verified" setting,
        // Cognito mails the code and changes nothing yet.
        self.client
            .update_user_attributes()
            .access_token(access)
            .user_attributes(email)
            .send()
            .await
            .map_err(|e| cognito_error(Call::ChangeEmail, &e))?;
        Ok(())
    }

    async fn confirm_email_change(
        &self,
        account: &Account,
        tokens: Option<&ProviderTokens>,
        code: &str,
    ) -> Result<String, AppError> {
        let access = self.access_token(tokens).await?;
        self.client
            .verify_user_attribute()
            .access_token(&access)
            .attribute_name("email")
            .code(parse_code(code)?)
            .send()
            .await
            .map_err(|e| cognito_error(Call::ConfirmEmail, &e))?;
        let user = self
            .client
            .get_user()
            .access_token(&access)
            .send()
            .await
            .map_err(|e| cognito_error(Call::ConfirmEmail, &e))?;
        let email = user
            .user_attributes()
            .iter()
            .find(|a| a.name() == "email")
            .and_then(|a| a.value())
            .map(str::to_lowercase)
            .ok_or_else(|| internal("Cognito's user has no e-mail")("missing attribute"))?;
        let moved = sqlx::query("UPDATE users SET email = $1, email_verified_at = $2 WHERE id = $3")
            .bind(&email)
            .bind(crate::platform::clock::now_secs())
            .bind(&account.id)
            .execute(&self.pool)
            .await;
        match moved {
            Ok(_) => Ok(email),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Err(AppError::Conflict {
                field: "email".into(),
                message: "another account has this e-mail".into(),
            }),
            Err(error) => Err(internal("could not change the e-mail")(error)),
        }
    }

    async fn delete_account(
        &self,
        account: &Account,
        _tokens: Option<&ProviderTokens>,
        password: &Password,
    ) -> Result<(), AppError> {
        // Signing in again proves the password; the server then deletes the user with its
        // own credentials (AdminDeleteUser: its IAM role needs cognito-idp:AdminDeleteUser).
        let email = Email::parse(&account.email)?;
        match self.authenticate(&email, password).await {
            Ok(_) => {}
            Err(AppError::InvalidCredentials) => {
                return Err(AppError::validation("password", "the password is wrong"));
            }
            Err(other) => return Err(other),
        }
        self.client
            .admin_delete_user()
            .user_pool_id(&self.pool_id)
            .username(email.as_str())
            .send()
            .await
            .map_err(|e| cognito_error(Call::DeleteAccount, &e))?;
        Ok(())
    }

    async fn sign_out(&self, tokens: &ProviderTokens) -> Result<(), AppError> {
        let tokens = match self.fresh(tokens).await? {
            Some(tokens) => tokens,
            None => return Ok(()), // already revoked
        };
        self.client
            .global_sign_out()
            .access_token(&tokens.access_token)
            .send()
            .await
            .map_err(|e| cognito_error(Call::SignOut, &e))?;
        Ok(())
    }
}

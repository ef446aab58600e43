//! Verifying Cognito's JWTs against the pool's published keys (JWKS).
//!
//! Checked: the RS256 signature with a key of the pool's set (fetched once, cached, and
//! fetched again when a token names a key the cache lacks, at most once a minute), `iss`,
//! `exp`, `token_use`, and the app client: `aud` in ID tokens, `client_id` in access tokens.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// Claims of an ID token that we use.
#[derive(Clone, Debug, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    /// Whether Cognito verified `email`: a boolean, or `"true"`/`"false"` where a pool's
    /// attribute is copied into the token as text.
    #[serde(default, deserialize_with = "flag")]
    pub email_verified: bool,
    token_use: String,
}

fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Flag::deserialize(deserializer)? {
        Flag::Bool(value) => value,
        Flag::Text(text) => text.eq_ignore_ascii_case("true"),
    })
}

/// Claims of an access token that we use.
#[derive(Clone, Debug, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub exp: i64,
    client_id: String,
    token_use: String,
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("the token is signed with a key the pool does not publish")]
    UnknownKey,
    #[error("cannot fetch the pool's signing keys: {0}")]
    Keys(String),
}

/// How often an unknown `kid` may trigger a new fetch of the keys.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

pub struct TokenVerifier {
    jwks_url: String,
    issuer: String,
    client_id: String,
    http: reqwest::Client,
    keys: RwLock<Option<JwkSet>>,
    last_fetch: Mutex<Option<Instant>>,
}

impl TokenVerifier {
    pub fn new(jwks_url: &str, issuer: &str, client_id: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Self {
            jwks_url: jwks_url.to_owned(),
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            http,
            keys: RwLock::new(None),
            last_fetch: Mutex::new(None),
        })
    }

    /// Verifies an ID token issued to our app client.
    pub async fn verify_id(&self, token: &str) -> Result<IdClaims, TokenError> {
        let mut validation = self.validation();
        validation.set_audience(&[&self.client_id]);
        let claims: IdClaims = self.decode(token, &validation).await?;
        if claims.token_use != "id" {
            return Err(TokenError::Invalid(format!("token_use is {:?}, not \"id\"", claims.token_use)));
        }
        Ok(claims)
    }

    /// Verifies an access token issued to our app client.
    pub async fn verify_access(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let mut validation = self.validation();
        // Access tokens carry the client in `client_id` and have no `aud`.
        validation.validate_aud = false;
        let claims: AccessClaims = self.decode(token, &validation).await?;
        if claims.token_use != "access" {
            return Err(TokenError::Invalid(format!("token_use is {:?}, not \"access\"", claims.token_use)));
        }
        if claims.client_id != self.client_id {
            return Err(TokenError::Invalid("issued to another app client".into()));
        }
        Ok(claims)
    }

    fn validation(&self) -> Validation {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 30;
        validation
    }

    async fn decode<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let kid = header.kid.ok_or_else(|| TokenError::Invalid("the token names no key (kid)".into()))?;
        let key = self.key(&kid).await?;
        decode::<T>(token, &key, validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Invalid(e.to_string()))
    }

    /// The key `kid`, from the cache or, when the cache lacks it, a fresh fetch (keys rotate).
    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        if let Some(key) = self.cached(kid).await {
            return key;
        }
        let mut last_fetch = self.last_fetch.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(key) = self.cached(kid).await {
            return key;
        }
        if last_fetch.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
            return Err(TokenError::UnknownKey);
        }
        let keys = self.fetch().await?;
        *last_fetch = Some(Instant::now());
        *self.keys.write().await = Some(keys);
        self.cached(kid).await.unwrap_or(Err(TokenError::UnknownKey))
    }

    async fn cached(&self, kid: &str) -> Option<Result<DecodingKey, TokenError>> {
        let keys = self.keys.read().await;
        let jwk = keys.as_ref()?.find(kid)?;
        Some(DecodingKey::from_jwk(jwk).map_err(|e| TokenError::Keys(format!("key {kid} is unusable: {e}"))))
    }

    async fn fetch(&self) -> Result<JwkSet, TokenError> {
        let failed = |e: reqwest::Error| TokenError::Keys(format!("{}: {e}", self.jwks_url));
        let response = self.http.get(&self.jwks_url).send().await.map_err(failed)?;
        let response = response.error_for_status().map_err(failed)?;
        let keys: JwkSet = response.json().await.map_err(failed)?;
        tracing::info!(url = %self.jwks_url, keys = keys.keys.len(), "fetched the pool's signing keys");
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::{Value, json};
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    const PRIVATE_KEY: &str = include_str!("../../tests/fixtures/jwt-test-key.pem");
    const JWKS: &str = include_str!("../../tests/fixtures/jwt-test-jwks.json");
    const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test";
    const CLIENT: &str = "our-client";

    /// Serves the test key set (or an empty one until `publish` is set); counts fetches.
    async fn jwks_server(published: Arc<std::sync::atomic::AtomicBool>) -> (String, Arc<AtomicUsize>) {
        let fetches = Arc::new(AtomicUsize::new(0));
        let counter = fetches.clone();
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (counter, published) = (counter.clone(), published.clone());
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if published.load(Ordering::SeqCst) {
                        JWKS.to_owned()
                    } else {
                        r#"{"keys":[]}"#.to_owned()
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, fetches)
    }

    fn token(claims: &Value, kid: &str) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        let key = EncodingKey::from_rsa_pem(PRIVATE_KEY.as_bytes()).expect("test key");
        encode(&header, claims, &key).expect("signed")
    }

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    fn id_claims() -> Value {
        json!({"iss": ISSUER, "sub": "user-1", "aud": CLIENT, "token_use": "id", "email": "a@example.com", "exp": now() + 600})
    }

    fn access_claims() -> Value {
        json!({"iss": ISSUER, "sub": "user-1", "client_id": CLIENT, "token_use": "access", "exp": now() + 600})
    }

    fn with(mut claims: Value, key: &str, value: Value) -> Value {
        claims[key] = value;
        claims
    }

    async fn verifier() -> (TokenVerifier, Arc<AtomicUsize>) {
        let (url, fetches) = jwks_server(Arc::new(true.into())).await;
        (TokenVerifier::new(&url, ISSUER, CLIENT).expect("verifier"), fetches)
    }

    #[tokio::test]
    async fn good_tokens_pass_and_the_keys_are_fetched_once() {
        let (verifier, fetches) = verifier().await;
        let id = verifier.verify_id(&token(&id_claims(), "test-key-1")).await.expect("a valid ID token");
        assert_eq!((id.sub.as_str(), id.email.as_deref()), ("user-1", Some("a@example.com")));
        let access =
            verifier.verify_access(&token(&access_claims(), "test-key-1")).await.expect("valid access token");
        assert_eq!(access.sub, "user-1");
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "the key set is cached");
    }

    #[tokio::test]
    async fn tokens_are_refused_for_each_claim_that_is_wrong() {
        let (verifier, _) = verifier().await;
        let cases = [
            (
                "another issuer",
                with(id_claims(), "iss", json!("https://cognito-idp.us-east-1.amazonaws.com/other")),
            ),
            ("another client", with(id_claims(), "aud", json!("someone-else"))),
            ("an access token", with(id_claims(), "token_use", json!("access"))),
            ("expired", with(id_claims(), "exp", json!(now() - 3600))),
        ];
        for (what, claims) in cases {
            let refused = verifier.verify_id(&token(&claims, "test-key-1")).await;
            assert!(matches!(refused, Err(TokenError::Invalid(_))), "{what}: {refused:?}");
        }
        let access_cases = [
            ("another client", with(access_claims(), "client_id", json!("someone-else"))),
            ("an ID token", with(access_claims(), "token_use", json!("id"))),
            ("expired", with(access_claims(), "exp", json!(now() - 3600))),
        ];
        for (what, claims) in access_cases {
            let refused = verifier.verify_access(&token(&claims, "test-key-1")).await;
            assert!(matches!(refused, Err(TokenError::Invalid(_))), "access, {what}: {refused:?}");
        }
    }

    #[tokio::test]
    async fn a_forged_signature_and_an_unsigned_token_are_refused() {
        let (verifier, _) = verifier().await;
        let good = token(&id_claims(), "test-key-1");
        let (head_and_claims, signature) = good.rsplit_once('.').expect("three parts");
        let mut forged = signature.to_owned();
        forged.replace_range(0..4, if signature.starts_with("AAAA") { "BBBB" } else { "AAAA" });
        assert!(matches!(
            verifier.verify_id(&format!("{head_and_claims}.{forged}")).await,
            Err(TokenError::Invalid(_))
        ));
        let unsigned = format!(
            "{}.{}.",
            "eyJhbGciOiJub25lIiwia2lkIjoidGVzdC1rZXktMSJ9",
            head_and_claims.split('.').nth(1).unwrap_or("")
        );
        assert!(verifier.verify_id(&unsigned).await.is_err(), "alg none is refused");
        assert!(matches!(verifier.verify_id("not a token").await, Err(TokenError::Invalid(_))));
    }

    #[tokio::test]
    async fn an_unknown_key_fetches_the_set_again_but_not_more_than_once_a_minute() {
        let published = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (url, fetches) = jwks_server(published.clone()).await;
        let verifier = TokenVerifier::new(&url, ISSUER, CLIENT).expect("verifier");
        // The first fetch finds no key: the pool has not published it yet.
        assert!(matches!(
            verifier.verify_id(&token(&id_claims(), "test-key-1")).await,
            Err(TokenError::UnknownKey)
        ));
        // Made-up kids do not make us hammer the pool.
        for _ in 0..5 {
            assert!(matches!(
                verifier.verify_id(&token(&id_claims(), "made-up")).await,
                Err(TokenError::UnknownKey)
            ));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // Once the minute has passed, a rotated-in key is found.
        published.store(true, Ordering::SeqCst);
        *verifier.last_fetch.lock().await = Some(Instant::now() - REFETCH_AFTER);
        verifier.verify_id(&token(&id_claims(), "test-key-1")).await.expect("the new key is fetched");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}

//! Security at the edge: response headers every answer carries, and the refusal of
//! cross-site requests that would change something.

use crate::{error::ApiError, state::AppState};
use app::error::AppError;
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Stripe posts its events from its own servers; the signature authenticates them.
const WEBHOOK: &str = "/api/v1/stripe/webhook";

/// Adds the security headers: pages send their own Content Security Policy (with their
/// script nonce); everything else gets the same policy without one.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    static DEFAULT_POLICY: std::sync::LazyLock<Option<HeaderValue>> =
        std::sync::LazyLock::new(|| HeaderValue::from_str(&app::csp::policy(None)).ok());
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Some(policy) = DEFAULT_POLICY.clone()
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.site.https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// Refuses, with 403, a request that changes something (any method but GET, HEAD, OPTIONS)
/// when the browser says it comes from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none`, or, from browsers that do not send that, an `Origin` other than
/// this site's. Requests without either come from programs, not from a browser tricked by
/// another site, and go through (the session cookie, SameSite=Lax, is not sent cross-site
/// anyway). The Stripe webhook is exempt: its signature is checked instead.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || request.uri().path() == WEBHOOK || same_site(request.headers(), &state.site.public_url) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
    let error = AppError::Forbidden { message: "Cross-site requests are not accepted.".to_owned() };
    ApiError(error).into_response()
}

/// Whether the request's headers allow it: see [`refuse_cross_site`].
fn same_site(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
    origin.trim_end_matches('/') == public_url.trim_end_matches('/')
        || host.is_some_and(|host| {
            origin.strip_prefix("https://").or(origin.strip_prefix("http://")) == Some(host)
        })
}

#[cfg(test)]
mod tests {
    use super::same_site;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.parse().expect("name"), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn which_requests_count_as_same_site() {
        let public = "https://draw.example.com";
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&[("sec-fetch-site", "same-origin")], true),
            (&[("sec-fetch-site", "none")], true),
            (&[("sec-fetch-site", "same-site")], false),
            (&[("sec-fetch-site", "cross-site")], false),
            (&[("sec-fetch-site", "cross-site"), ("origin", "https://draw.example.com")], false),
            (&[("origin", "https://draw.example.com")], true),
            (&[("origin", "https://draw.example.com"), ("host", "10.0.0.5:3000")], true),
            (&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")], true),
            (&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")], false),
            (&[("origin", "null"), ("host", "127.0.0.1:3000")], false),
            (&[("origin", "https://draw.example.com.evil.example")], false),
        ];
        for (pairs, expected) in cases {
            assert_eq!(same_site(&headers(pairs), public), *expected, "{pairs:?}");
        }
    }
}

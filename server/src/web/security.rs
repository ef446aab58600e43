//! Security at the edge: response headers every answer carries, and the refusal of
//! cross-site requests that would change something.

use crate::{web::error::ApiError, web::state::AppState};
use app::error::AppError;
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::{
    nonce::Nonce,
    prelude::{provide_context, use_context},
};

/// Stripe posts its events from its own servers; the signature authenticates them.
const WEBHOOK: &str = "/api/v1/stripe/webhook";

/// The pages' Content Security Policy: scripts from this site or inline with the response's
/// nonce (Leptos' hydration scripts carry it), WebAssembly compiled from this site's bundle,
/// nothing from elsewhere, and no framing by other sites.
pub fn policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    // `cargo leptos watch` reloads the page over a WebSocket on another port.
    static WATCHED: std::sync::LazyLock<bool> =
        std::sync::LazyLock::new(|| std::env::var_os("LEPTOS_WATCH").is_some());
    let connect = if *WATCHED { "'self' ws:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src {connect}; object-src 'none'; base-uri 'self'; \
         frame-ancestors 'none'"
    )
}

/// Adds the security headers. Every request gets a fresh script nonce here, in its
/// extensions, for the page renderer ([`provide_page_nonce`]); an HTML answer's policy
/// allows that nonce, anything else's allows no inline script at all.
///
/// The nonce is made and sent here rather than by the page through Leptos'
/// `ResponseOptions`: under concurrent renders that header was now and then missing from a
/// page whose scripts carried the nonce, and the browser blocked them (the page never
/// hydrated).
pub async fn headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Most answers are not pages: their policy is the same every time.
    static NO_INLINE_SCRIPT: std::sync::LazyLock<Option<HeaderValue>> =
        std::sync::LazyLock::new(|| HeaderValue::from_str(&policy(None)).ok());
    let html =
        headers.get(header::CONTENT_TYPE).is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    let policy =
        if html { HeaderValue::from_str(&policy(Some(&nonce))).ok() } else { NO_INLINE_SCRIPT.clone() };
    if let Some(policy) = policy {
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

/// Gives the page being rendered the nonce [`headers`] made for its request, so its inline
/// scripts carry the nonce its policy allows. Call in the renderer's context function.
pub fn provide_page_nonce() {
    let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// Refuses, with 403, a request that changes something (any method but GET, HEAD, OPTIONS)
/// when the browser says it comes from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none`, or, from browsers that do not send that, an `Origin` other than
/// this site's. Requests without either come from programs, not from a browser tricked by
/// another site, and go through (the session cookie, SameSite=Lax, is not sent cross-site
/// anyway). The Stripe webhook is exempt: its signature is checked instead; and so are
/// requests with an `Authorization` header (an API token: no browser adds one by itself).
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // A bearer token is sent by the program that holds it, never by a browser on its own:
    // such a request is the token's, whatever cookie comes along.
    let bearer = request.headers().contains_key(header::AUTHORIZATION);
    if safe
        || bearer
        || request.uri().path() == WEBHOOK
        || same_site(request.headers(), &state.site.public_url)
    {
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

//! The pages' Content Security Policy: scripts from this site or inline with the response's
//! nonce (Leptos' hydration scripts carry it), WebAssembly compiled from this site's bundle,
//! nothing from elsewhere, and no framing by other sites.

use leptos::prelude::*;

/// The policy, allowing inline scripts that carry `nonce` when there is one.
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

/// Sends the policy, with the nonce of the page being rendered, in its response headers.
pub fn send() {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let nonce = leptos::nonce::use_nonce();
    if let Ok(value) = http::HeaderValue::from_str(&policy(nonce.as_deref())) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

//! How long browsers keep what the site sends, and what is compressed on the way.
//!
//! The bundle's files carry a hash of their content in their names (cargo-leptos'
//! `hash-files`), so a browser keeps them a year without asking again; pages and the other
//! site files are asked for again each time (`no-cache`, answered 304 when unchanged).
//! Answers that say themselves (pictures, the API's) keep what they say. HTML and JSON are
//! compressed when the browser takes it; the bundle is sent precompressed when the build
//! made `.br`/`.gz` files beside it (`cargo leptos build --release --precompress`); PNG and
//! event streams are never compressed.

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};
use leptos::config::LeptosOptions;
use tower_http::compression::{
    CompressionLayer, CompressionLevel,
    predicate::{Predicate, SizeAbove},
};

/// For files whose names change with their content.
const FOREVER: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// For pages and the other site files: keep, but ask each time.
const ASK_AGAIN: HeaderValue = HeaderValue::from_static("no-cache");

/// Whether `path` is one of the site's files (the bundle and the icon), not a page or the
/// API: such requests need no caller, and the access log counts them as route `static`.
pub fn is_site_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// Whether `path` names a bundle file with a content hash: `/pkg/<name>.<hash>.<ext>`,
/// the hash being cargo-leptos' (22 characters of unpadded base64url).
pub fn is_hashed(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let mut parts = name.rsplit('.');
    let (Some(_extension), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty()
        && !name.contains('/')
        && hash.len() == 22
        && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where Leptos reads the bundle's hashes: `hash.txt` (`LEPTOS_HASH_FILE_NAME`) beside the
/// binary, where cargo-leptos writes it.
pub fn hash_file(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    let binary = std::env::current_exe().ok()?;
    Some(binary.parent()?.join(options.hash_file.as_ref()))
}

/// The address of the site's stylesheet, hashed like the bundle's other files, for pages
/// written without Leptos. Reads the hash file: for rare answers only.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let name = &options.output_name;
    let pkg = &options.site_pkg_dir;
    let hashes = options.hash_files.then(|| std::fs::read_to_string(hash_file(options)?).ok());
    let hash = hashes.flatten().and_then(|text| {
        text.lines().find_map(|line| {
            line.split_once(':')
                .filter(|(kind, _)| kind.trim() == "css")
                .map(|(_, hash)| hash.trim().to_owned())
        })
    });
    match hash {
        Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
        None => format!("/{pkg}/{name}.css"),
    }
}

/// Sets `Cache-Control` on answers outside the REST API that do not set it themselves.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if path.starts_with("/api/v1/") || response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let kept = response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED;
    let value = if kept && is_hashed(&path) { FOREVER } else { ASK_AGAIN };
    response.headers_mut().insert(header::CACHE_CONTROL, value);
    response
}

/// Only HTML and JSON, and only when there is something to gain.
#[derive(Clone, Copy)]
struct HtmlOrJson;

impl Predicate for HtmlOrJson {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &axum::http::Response<B>) -> bool {
        response.headers().get(header::CONTENT_TYPE).is_some_and(|value| {
            let value = value.as_bytes();
            value.starts_with(b"text/html") || value.starts_with(b"application/json")
        })
    }
}

/// Compresses HTML and JSON answers of 256 bytes or more with brotli or gzip, whichever
/// the browser prefers; a quick level, since each answer is compressed as it is sent.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Fastest)
        .compress_when(SizeAbove::new(256).and(HtmlOrJson))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_files_are_the_bundle_and_the_icon() {
        assert!(is_site_file("/pkg/let-them-draw.wasm"));
        assert!(is_site_file("/favicon.svg"));
        assert!(!is_site_file("/"));
        assert!(!is_site_file("/api/v1/orders"));
        assert!(!is_site_file("/api/fn/me"));
        assert!(!is_site_file("/pkgs"));
    }

    #[test]
    fn only_names_with_a_content_hash_are_kept_for_good() {
        assert!(is_hashed("/pkg/let-them-draw.3OSTXgD0fmPaE-vL7_SQ0A.wasm"));
        assert!(is_hashed("/pkg/let-them-draw.3OSTXgD0fmPaE-vL7_SQ0A.css"));
        assert!(!is_hashed("/pkg/let-them-draw.wasm"));
        assert!(!is_hashed("/pkg/let-them-draw.short.wasm"));
        assert!(!is_hashed("/pkg/snippets/x/let-them-draw.3OSTXgD0fmPaE-vL7_SQ0A.js"));
        assert!(!is_hashed("/favicon.3OSTXgD0fmPaE-vL7_SQ0A.svg"));
        assert!(!is_hashed("/pkg/.3OSTXgD0fmPaE-vL7_SQ0A.js"));
    }
}

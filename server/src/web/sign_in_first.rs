//! Pages that need an account send signed-out visitors to sign in, and back afterwards;
//! admin pages answer other signed-in people 403.

use crate::web::{caching, state::AppState};
use app::{error::AppError, services::Caller};
use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
};

/// Page paths (not the API) that need a session.
fn needs_account(path: &str) -> bool {
    ["/orders", "/admin", "/checkout", "/account", "/cart", "/bills"]
        .iter()
        .any(|area| path.strip_prefix(area).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

pub async fn redirect_signed_out(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET || !needs_account(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let admin_area = is_admin_page(parts.uri.path());
    let caller = Caller::of(&parts);
    let allowed = if admin_area { caller.admin() } else { caller.user() };
    match allowed {
        Ok(_) => next.run(Request::from_parts(parts, body)).await,
        Err(AppError::Unauthenticated) => {
            let back = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let mut response = Redirect::to(&format!("/signin?next={}", encode(back))).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Err(AppError::Forbidden { .. }) if admin_area => {
            let stylesheet = caching::stylesheet_href(&state.leptos_options);
            let page = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Admins only · Let Them Draw</title>\
                 <link rel=\"stylesheet\" href=\"{stylesheet}\"></head><body><main><section class=\"card\">\
                 <h1>Admins only</h1><p>This page is for the shop's admins. <a href=\"/\">Back to the shop</a></p>\
                 </section></main></body></html>"
            );
            (StatusCode::FORBIDDEN, Html(page)).into_response()
        }
        Err(error) => crate::web::error::ApiError(error).into_response(),
    }
}

fn is_admin_page(path: &str) -> bool {
    path.strip_prefix("/admin").is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_admin_and_checkout_pages_need_an_account() {
        assert!(needs_account("/orders"));
        assert!(needs_account("/orders/new"));
        assert!(needs_account("/orders/0192-abc"));
        assert!(!needs_account("/ordersx"));
        assert!(!needs_account("/"));
        assert!(!needs_account("/api/v1/orders"));
        assert!(needs_account("/admin/shapes"));
        assert!(needs_account("/checkout/simulated/cs_test_1"));
        assert!(!needs_account("/administrator"));
        assert!(is_admin_page("/admin") && is_admin_page("/admin/failures"));
        assert!(!is_admin_page("/administrator") && !is_admin_page("/orders"));
    }

    #[test]
    fn the_way_back_is_encoded() {
        assert_eq!(
            encode("/orders/new?shape=tiled lines&x=1"),
            "/orders/new%3Fshape%3Dtiled%20lines%26x%3D1"
        );
    }
}

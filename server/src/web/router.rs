//! The web role's routes: pages (rendered and hydrated), server functions, the REST API and
//! static files, behind the security, caching and compression layers.

use super::{caching, caller, security, server_fn_status, sign_in_first, state::AppState};
use app::{App, shell};
use axum::{Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::OnceLock;
use tower_http::{limit::RequestBodyLimitLayer, services::ServeDir};

/// Largest body a page's form or server function may send.
const PAGE_BODY_LIMIT: usize = 64 * 1024;

/// Pages, server functions, the REST API and static files.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let services = state.services();
    let options = state.leptos_options.clone();
    // The bundle is served by its own file service: leptos_axum's fallback serves files too,
    // but it looks up the response options of whatever render last ran on its thread, and
    // could answer a file with another request's status (a wasm served as 404 never
    // hydrates its page).
    let bundle = ServeDir::new(std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir))
        .precompressed_gzip()
        .precompressed_br();
    let bundle_path = format!("/{}", options.site_pkg_dir);
    // The "not found" page renders the whole app too (header included): same context.
    let fallback_services = services.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(services.clone());
                security::provide_page_nonce();
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || {
                provide_context(fallback_services.clone());
                security::provide_page_nonce();
            },
            shell,
        ))
        // Server functions read their whole body, with no limit of their own.
        .layer(RequestBodyLimitLayer::new(PAGE_BODY_LIMIT));
    Router::new()
        .nest("/api/v1", super::api::routes())
        .nest_service(&bundle_path, bundle)
        .merge(pages)
        .layer(middleware::from_fn_with_state(state.clone(), sign_in_first::redirect_signed_out))
        .layer(middleware::from_fn_with_state(state.clone(), caller::identify))
        .layer(middleware::map_response(server_fn_status::fix_status))
        .layer(middleware::from_fn_with_state(state.clone(), security::refuse_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(middleware::from_fn(caching::cache_control))
        .layer(caching::compression())
        .with_state(state)
}

/// The app's routes, generated once per process. Generating them runs the app with
/// resource loading suppressed through a process-wide flag, and a resource first polled
/// meanwhile waits forever (leptos-rs/leptos#4773): a second application built while
/// another one serves (tests, the bench) would hang that one's pages now and then.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

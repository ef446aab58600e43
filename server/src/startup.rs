//! Building the application and serving it.

use crate::{
    accounts::{Accounts, LocalIdentity, Sessions, Throttle},
    api,
    catalogue::Catalogue,
    db, server_fn_status,
    settings::{Environment, Settings, WebSettings},
    state::AppState,
};
use anyhow::Context;
use app::{App, services::SharedServices, shell};
use axum::{Router, middleware, routing::get};
use leptos::{
    config::{Env, LeptosOptions},
    prelude::provide_context,
};
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Notify};
use tower_http::trace::TraceLayer;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    shutdown_timeout: Duration,
}

impl Application {
    /// Opens and migrates the database, wires the services and binds the address.
    pub async fn build(settings: &Settings, web: &WebSettings) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database_url()).await?;
        db::migrate(&pool).await?;
        let accounts = Accounts::new(
            Arc::new(LocalIdentity::new(pool.clone())),
            Sessions::new(pool.clone(), web.session_days, web.secure_cookies()),
            Throttle::default(),
        );
        let leptos_options = LeptosOptions::builder()
            .output_name("let-them-draw")
            .site_root(web.site_root.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(web.site_addr)
            .env(match settings.environment {
                Environment::Development => Env::DEV,
                Environment::Production => Env::PROD,
            })
            .build();
        let state = AppState {
            leptos_options,
            accounts: Arc::new(accounts),
            catalogue: Arc::new(Catalogue::new(pool)),
        };
        let listener = TcpListener::bind(web.site_addr)
            .await
            .with_context(|| format!("cannot listen on {}", web.site_addr))?;
        Ok(Self {
            listener,
            router: router(state),
            shutdown_timeout: Duration::from_secs(web.shutdown_timeout),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes, then gives in-flight requests the shutdown timeout.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stopping = Arc::new(Notify::new());
        let signal = {
            let stopping = stopping.clone();
            async move {
                shutdown.await;
                tracing::info!("shutting down: finishing in-flight requests");
                stopping.notify_one();
            }
        };
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(signal);
        let deadline = async {
            stopping.notified().await;
            tokio::time::sleep(self.shutdown_timeout).await;
        };
        tokio::select! {
            served = server => served.context("the server failed"),
            () = deadline => {
                tracing::warn!("shutdown timeout reached: dropping the remaining requests");
                Ok(())
            }
        }
    }
}

/// Pages, server functions, the REST API and static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let services: SharedServices = Arc::new(state.clone());
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::map_response(server_fn_status::fix_status))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

//! Building the application and serving it.

use crate::{
    accounts::{
        Accounts, CognitoIdentity, Counters, Identity, LocalIdentity, Sessions, SignUpNotices, Throttle,
        news::{AccountNews, InProcessNews, RedisNews},
        throttle,
    },
    alerts::Alerts,
    catalogue::Catalogue,
    console::Console,
    events::{InProcessEvents, OrderEvents, RedisEvents},
    jobs::artist::Artist,
    jobs::artist::Retries,
    jobs::{self, Sweep, Workers},
    loyalty::Points,
    mail::{self, Delivery, Postman, templates::Templates},
    orders::{OrderLetters, OrderLimits, Orders, Webhook},
    payments,
    pictures::Storage,
    platform::db,
    platform::metrics::Metrics,
    platform::secret::Secret,
    queue::{Queue, RedisQueue, SqliteQueue},
    settings::{Environment, Settings, WebSettings},
    web::{
        self, dev_mail,
        ops::{self, Ops},
        state::{AppState, Closing, Site},
        streams::{Slots, Streams},
    },
};
use anyhow::Context;
use axum::{Router, middleware};
use futures::FutureExt;
use leptos::config::{Env, LeptosOptions, get_configuration};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::watch};

/// A bound, ready-to-run server (and, by role, drawing worker).
pub struct Application {
    listener: TcpListener,
    router: Router,
    web: WebSettings,
    queue: Queue,
    artist: Arc<Artist>,
    delivery: Arc<Delivery>,
    orders: Arc<Orders>,
    postman: Arc<Postman>,
    alerts: Arc<Alerts>,
    points: Arc<Points>,
    metrics: Arc<Metrics>,
    /// Set to true when shutdown begins: live streams end, workers stop taking jobs.
    stop: watch::Sender<bool>,
}

impl Application {
    /// Opens and migrates the database, wires the services and binds the address.
    pub async fn build(settings: &Settings, web: &WebSettings) -> anyhow::Result<Self> {
        install_crypto_provider();
        web.check()?;
        let listener = TcpListener::bind(web.site_addr)
            .await
            .with_context(|| format!("cannot listen on {}", web.site_addr))?;
        let public_url = web.public_url_at(listener.local_addr()?);
        let secrets = payments::webhook_secrets(&web.payments, &settings.data_dir)?;
        let production = settings.environment == Environment::Production;
        let provider = payments::provider(&web.payments, production, &public_url, &secrets)?;
        // Over plain http the session cookie would lose `Secure`, and sessions travel in clear.
        anyhow::ensure!(
            !production || public_url.starts_with("https://"),
            "LTD_ENV=production needs an https LTD_PUBLIC_URL (it is {public_url})"
        );
        let storage = storage(settings, web)?;
        let pool = db::connect(settings.database_url().expose()).await?;
        if web.migrate {
            db::migrate(&pool).await?;
        } else {
            db::check_schema(&pool).await?;
        }
        let queue = match &web.redis_url {
            Some(url) => Queue::Redis(RedisQueue::connect(url.expose(), &web.redis_prefix).await?),
            None => Queue::Sqlite(SqliteQueue::open(&web.queue_url(settings)).await?),
        };
        let catalogue = Arc::new(Catalogue::new(pool.clone(), provider.clone()));
        let pictures = storage.open().await?;
        let events: Arc<dyn OrderEvents> = match &web.redis_url {
            Some(url) => Arc::new(RedisEvents::connect(url.expose(), &web.redis_prefix).await?),
            None => Arc::new(InProcessEvents::default()),
        };
        let mailer =
            mail::mailer(web.mail.smtp_url.as_ref().map(Secret::expose), &web.mail.mail_from, &pool)?;
        if production && mailer.outbox().is_some() {
            tracing::warn!("SMTP_URL is not set: mail stays in the database outbox and reaches nobody");
        }
        let templates = Templates::new(&public_url);
        let delivery = Arc::new(Delivery::new(
            mailer.clone(),
            Arc::new(OrderLetters::new(pool.clone(), templates.clone())),
            pool.clone(),
            web.mail.mail_max_attempts,
            Duration::from_millis(web.mail.mail_retry_ms),
        ));
        let postman = Arc::new(Postman::new(Arc::new(queue.clone()), templates, pool.clone()));
        let alerts = Arc::new(Alerts::new(
            pool.clone(),
            postman.clone(),
            web.alert_email.clone().filter(|to| !to.trim().is_empty()),
            Duration::from_secs(web.alert_window_secs),
        ));
        let orders = Arc::new(
            Orders::new(
                pool.clone(),
                catalogue.clone(),
                events,
                Arc::new(queue.clone()),
                provider,
                postman.clone(),
                &public_url,
            )
            .with_alerts(alerts.clone())
            .with_watchdog(Duration::from_secs(web.requeue_after_secs))
            .with_limits(OrderLimits {
                per_minute: web.limits.order_rate,
                awaiting_payment: web.limits.max_awaiting_payment,
            })
            .with_points(web.points.rules())
            .with_test_pause_after_done(test_pause(web.test_pause_after_done_ms)),
        );
        let points = Arc::new(Points::new(pool.clone(), web.points.rules()));
        let metrics = Arc::new(Metrics::default());
        let webhook = Arc::new(Webhook::new(secrets, orders.clone(), metrics.clone()));
        let artist = Arc::new(
            Artist::new(
                orders.clone(),
                pictures.clone(),
                metrics.clone(),
                web.picture_size,
                test_pause(web.test_draw_delay_ms),
                draw_retries(web),
            )
            .with_test_pause_after_fetch(test_pause(web.test_pause_after_fetch_ms)),
        );
        let throttle_counters = match &web.redis_url {
            Some(url) => Counters::Redis(throttle::Redis::connect(url.expose(), &web.redis_prefix).await?),
            None => Counters::Memory(throttle::Memory::default()),
        };
        let identity: Arc<dyn Identity> =
            match CognitoIdentity::from_settings(&web.cognito, pool.clone()).await? {
                Some(cognito) => Arc::new(cognito),
                None => Arc::new(LocalIdentity::new(pool.clone(), postman.clone())),
            };
        let news: Arc<dyn AccountNews> = match &web.redis_url {
            Some(url) => Arc::new(RedisNews::connect(url.expose(), &web.redis_prefix).await?),
            None => Arc::new(InProcessNews::default()),
        };
        let accounts = Accounts::new(
            identity,
            Sessions::new(pool.clone(), web.session_days, web.secure_cookies()),
            Throttle::new(throttle_counters, web.limits.sign_ups_per_address),
            SignUpNotices::new(pool.clone(), postman.clone()),
        )
        .with_news(news)
        .with_admin_emails(web.admin_emails.iter().map(String::as_str))
        .with_trusted_proxies(web.limits.trusted_proxies.clone());
        let stream_slots = match &web.redis_url {
            Some(url) => Slots::redis(url.expose(), &web.redis_prefix).await?,
            None => Slots::memory(),
        };
        let (stop, stopping) = watch::channel(false);
        let accounts = Arc::new(accounts);
        let state = AppState {
            leptos_options: leptos_options(settings, web)?,
            profile: Arc::new(crate::profile::Profile::new(
                accounts.clone(),
                orders.clone(),
                points.clone(),
                pictures.clone(),
            )),
            accounts,
            loyalty: points.clone(),
            cart: Arc::new(crate::cart::Carts::new(
                pool.clone(),
                catalogue.clone(),
                orders.clone(),
                web.picture_size,
            )),
            catalogue,
            orders: orders.clone(),
            gallery: Arc::new(crate::gallery::Gallery::new(orders.clone(), pictures.clone(), &public_url)),
            pictures: pictures.clone(),
            webhook,
            metrics: metrics.clone(),
            console: Arc::new(Console::new(pool.clone(), queue.clone())),
            postman: postman.clone(),
            closing: Closing(stopping),
            streams: Streams::new(
                stream_slots,
                web.limits.max_streams_per_user,
                Duration::from_secs(web.limits.stream_recheck_secs),
                metrics.clone(),
            ),
            site: Arc::new(Site { public_url: public_url.clone(), https: web.secure_cookies() }),
        };
        let ops = Ops {
            pool,
            queue: queue.clone(),
            pictures,
            metrics: metrics.clone(),
            delivery: delivery.clone(),
        };
        let mut router = ops::routes(ops);
        if web.role.serves_web() {
            if !production && mailer.outbox().is_some() {
                let mut mails = dev_mail::routes(mailer);
                // Reset links are in there: open to all only where only this machine reaches.
                if !web.site_addr.ip().is_loopback() {
                    mails =
                        mails.layer(middleware::from_fn_with_state(state.clone(), web::caller::admins_only));
                }
                router = router.merge(mails);
            }
            router = router.merge(web::router::router(state));
        }
        let access = web::access::Access {
            metrics: metrics.clone(),
            trusted_proxies: Arc::new(web.limits.trusted_proxies.clone()),
        };
        let router = router.layer(middleware::from_fn_with_state(access, web::access::follow));
        Ok(Self {
            listener,
            router,
            web: web.clone(),
            queue,
            artist,
            delivery,
            orders,
            postman,
            alerts,
            points,
            metrics,
            stop,
        })
    }

    /// This process's mail delivery (what it sent and gave up on).
    pub fn mail_delivery(&self) -> Arc<Delivery> {
        self.delivery.clone()
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves (and draws, by role) until `shutdown` completes; then in-flight requests and
    /// pictures get the shutdown timeout to finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop = self.stop;
        let stopping = Closing(stop.subscribe());
        let stopped = move || stopping.clone().wait();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests and pictures");
            let _ = stop.send(true);
        };

        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(signal).into_future();
        let workers = Workers {
            artist: self.artist,
            delivery: self.delivery,
            concurrency: usize::try_from(self.web.draw_concurrency).unwrap_or(1),
            poll_every: Duration::from_millis(self.web.queue_poll_ms),
        };
        let (artist, orders) = (workers.artist.clone(), self.orders.clone());
        let draws = self.web.role.draws();
        let drawing = draw_until(
            draws,
            self.queue.clone(),
            workers,
            Sweep {
                orders: self.orders,
                postman: self.postman,
                alerts: self.alerts,
                points: self.points,
                queue: self.queue,
                metrics: self.metrics,
                every: Duration::from_secs(self.web.sweep_secs),
                keep_finished: Duration::from_secs(self.web.keep_finished_secs),
            },
            stopped(),
        );
        let work = futures::future::try_join(server.map(|r| r.context("the server failed")), drawing);
        let deadline = {
            let stopped = stopped();
            let timeout = Duration::from_secs(self.web.shutdown_timeout);
            async move {
                stopped.await;
                tokio::time::sleep(timeout).await;
            }
        };
        let outcome = tokio::select! {
            done = work => done.map(|_| ()),
            () = deadline => {
                tracing::warn!("shutdown timeout reached: dropping what is still running");
                Ok(())
            }
        };
        // Drawings cut off by the timeout (or by a failure) go back to the watchdog, so the
        // next sweep of any worker queues them at once instead of after its period.
        let unfinished = artist.unfinished();
        if draws
            && !unfinished.is_empty()
            && let Err(error) = orders.give_back(&unfinished).await
        {
            tracing::error!(%error, "could not hand back the unfinished orders; the watchdog will find them");
        }
        outcome
    }
}

/// The drawing and mail workers and the sweep, when this process draws.
async fn draw_until(
    draws: bool,
    queue: Queue,
    workers: Workers,
    sweep: Sweep,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if !draws {
        stopped.await;
        return Ok(());
    }
    // What a process that stopped left behind: orders in progress or handed back, mails
    // never queued.
    sweep.once(true).await;
    let stopped = stopped.shared();
    let sweeping = sweep.run_until(stopped.clone());
    let artist = workers.artist.clone();
    let worker = async move {
        jobs::run_workers(queue, workers, stopped).await?;
        // The workers take no more jobs; the drawings they hold finish (within the
        // shutdown timeout, which `run` enforces).
        artist.idle().await;
        tracing::info!("the drawings under way have finished");
        Ok(())
    };
    futures::future::try_join(worker, sweeping).await.map(|_| ())
}

/// Where pictures are kept, defaulting to a directory in the data directory.
fn storage(settings: &Settings, web: &WebSettings) -> anyhow::Result<Storage> {
    match &web.storage {
        Some(text) => Storage::parse(text),
        None => Ok(Storage::Directory(settings.data_dir.join("pictures"))),
    }
}

/// How the artist retries, with the test-only failures (none in release builds).
fn draw_retries(web: &WebSettings) -> Retries {
    Retries {
        attempts: web.draw_max_attempts,
        first_backoff: Duration::from_millis(web.draw_retry_ms),
        timeout: Duration::from_secs(web.draw_timeout_secs),
        injected_failures: if cfg!(debug_assertions) { web.test_fail_draws } else { 0 },
        injected_colour: web.test_fail_colour.clone().filter(|_| cfg!(debug_assertions)),
    }
}

/// A test-only pause of `millis`; always zero in release builds.
fn test_pause(millis: u64) -> Duration {
    if cfg!(debug_assertions) { Duration::from_millis(millis) } else { Duration::ZERO }
}

/// Both ring (Stripe's client) and aws-lc-rs (the AWS SDK's) are linked, so rustls cannot
/// pick a provider on its own: choose ring, once per process.
fn install_crypto_provider() {
    // An error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Leptos' options: every `LEPTOS_*` variable `cargo leptos` sets (reload port, hashed
/// file names, ...) as Leptos reads them, then this binary's own settings for the site's
/// root, address and environment. Run without `cargo leptos`, the bundle's names are hashed
/// when its build left the hash file beside the binary.
fn leptos_options(settings: &Settings, web: &WebSettings) -> anyhow::Result<LeptosOptions> {
    let mut options = get_configuration(None).context("the LEPTOS_* settings")?.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "let-them-draw".into();
    }
    options.site_root = web.site_root.display().to_string().into();
    options.site_addr = web.site_addr;
    options.env = match settings.environment {
        Environment::Development => Env::DEV,
        Environment::Production => Env::PROD,
    };
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = crate::web::caching::hash_file(&options).is_some_and(|file| file.exists());
    }
    Ok(options)
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

//! What worker processes run: the drawing and mail jobs on whichever queue backend, each
//! worker supervised (a worker apalis stops is replaced), and the sweep.

pub mod artist;
mod sweep;

pub use sweep::Sweep;

use crate::{
    jobs::artist::Artist,
    mail::{Delivery, MailJob},
    platform::request_id,
    queue::{DrawJob, Queue, Ticker},
};
use anyhow::Context as _;
use apalis::prelude::*;
use futures::FutureExt;
use std::{
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};
use tracing::Instrument;

/// The apalis worker's handler: draws the job's order (idempotently).
///
/// The drawing runs in its own task: when apalis drops a job's future (its worker failed,
/// e.g. Redis went away), a drawing already under way still finishes as a whole, so an
/// order is never left marked done without its event having been published.
pub async fn draw_job(job: DrawJob, artist: Data<Arc<Artist>>) -> Result<(), BoxDynError> {
    let artist = Arc::clone(&artist);
    let span = job_span(job.request_id.as_deref());
    let drawing = request_id::scope(job.request_id, async move { artist.draw(&job.order_id).await });
    tokio::spawn(drawing.instrument(span))
        .await
        .map_err(|error| format!("the drawing task failed: {error}"))?
        .map_err(Into::into)
}

/// Sends one mail job through the mailer, with retries (see [`Delivery::deliver`]). A mail
/// that still fails is kept as a dead letter there, and the job reports the failure as one
/// apalis must not retry (the job ends `Killed`): the retries are [`Delivery`]'s, and a
/// second sending is an admin's **Retry** of the dead letter. (apalis-redis 1.0 retries any
/// other failure up to 25 times, whatever the job's attempts say.)
pub async fn mail_job(job: MailJob, delivery: Data<Arc<Delivery>>) -> Result<(), BoxDynError> {
    let span = job_span(job.request_id.as_deref());
    let sending = request_id::scope(job.request_id.clone(), delivery.deliver(&job));
    sending.instrument(span).await.map_err(|undelivered| AbortError::new(undelivered).into())
}

/// A job's span: named after the request that sent it, so its log lines carry that id
/// (and the jobs it sends in turn carry it on).
fn job_span(request_id: Option<&str>) -> tracing::Span {
    let span = tracing::info_span!("job", request.id = tracing::field::Empty);
    if let Some(id) = request_id {
        span.record("request.id", tracing::field::display(id));
    }
    span
}

/// What a worker process runs its jobs with.
pub struct Workers {
    pub artist: Arc<Artist>,
    pub delivery: Arc<Delivery>,
    /// How many pictures are drawn at once.
    pub concurrency: usize,
    /// How often an idle worker looks for jobs.
    pub poll_every: Duration,
}

/// How many mails are sent at once.
const MAIL_CONCURRENCY: usize = 4;

/// Runs a drawing worker and a mail worker on `queue` until `shutdown` completes.
///
/// The workers are supervised: if apalis stops one (a backend error such as Redis going
/// away, or its stream ending on its own), a new worker under a new name starts after a
/// back-off, so the process never stays up without drawing or sending.
pub async fn run_workers(
    queue: Queue,
    workers: Workers,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let shutdown = shutdown.boxed().shared();
    let Workers { artist, delivery, concurrency, poll_every } = workers;
    // The backends' storages are different types, so the one worker recipe is spelled
    // by a macro, for the storage `$jobs` of whichever backend `$queue` is.
    macro_rules! run_on {
        ($queue:expr, $jobs:ident, $name:expr, $signal:expr, $on_exit:expr, $concurrency:expr, $data:expr, $handler:expr) => {{
            let bell = $queue.bells().$jobs.clone();
            match $queue {
                Queue::Sqlite(queue) => {
                    WorkerBuilder::new($name)
                        .backend(queue.$jobs.poll_with_strategy(Ticker::new(poll_every).or_when_rung(&bell)))
                        .concurrency($concurrency)
                        .data($data)
                        .on_event($on_exit)
                        .build($handler)
                        .run_until($signal)
                        .await
                }
                Queue::Redis(queue) => {
                    WorkerBuilder::new($name)
                        .backend(queue.$jobs.poll_with_strategy(Ticker::new(poll_every).or_when_rung(&bell)))
                        .concurrency($concurrency)
                        .data($data)
                        .on_event($on_exit)
                        .build($handler)
                        .run_until($signal)
                        .await
                }
            }
        }};
    }
    // Each worker runs in a task of its own. apalis fetches whenever its worker is
    // polled, so a worker sharing a task with anything else (the other worker, the web
    // server) fetches each time that wakes up: two idle workers in one task woke each
    // other into ~1,300 fetches a second.
    let draws = {
        let queue = queue.clone();
        AbortOnDrop(tokio::spawn(supervise(
            "drawing",
            "artist",
            shutdown.clone(),
            move |name, signal, on_exit| {
                let (queue, artist) = (queue.clone(), artist.clone());
                async move { run_on!(queue, draws, name, signal, on_exit, concurrency, artist, draw_job) }
            },
        )))
    };
    let mails =
        AbortOnDrop(tokio::spawn(supervise("mail", "postman", shutdown, move |name, signal, on_exit| {
            let (queue, delivery) = (queue.clone(), delivery.clone());
            async move { run_on!(queue, mails, name, signal, on_exit, MAIL_CONCURRENCY, delivery, mail_job) }
        })));
    let (draws, mails) = futures::future::join(draws, mails).await;
    draws.context("the drawing worker's task failed")??;
    mails.context("the mail worker's task failed")??;
    Ok(())
}

/// A spawned task that is aborted when its handle is dropped, so workers never outlive
/// the [`run_workers`] future that started them.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

type Signal = futures::future::BoxFuture<'static, std::io::Result<()>>;
type OnExit = Box<dyn Fn(&WorkerContext, &Event) + Send + Sync>;

/// Runs the worker that `run` starts (given its name, its stop signal and its event
/// handler) until `shutdown`, starting a new one with back-off whenever it stops.
async fn supervise<F, Fut>(
    what: &'static str,
    prefix: &'static str,
    shutdown: futures::future::Shared<futures::future::BoxFuture<'static, ()>>,
    run: F,
) -> anyhow::Result<()>
where
    F: Fn(String, Signal, OnExit) -> Fut,
    Fut: Future<Output = Result<(), WorkerError>>,
{
    let mut backoff = RESTART_AFTER;
    loop {
        // A fresh name each time: apalis refuses a worker whose name is still registered.
        let name = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
        let exited = Arc::new(tokio::sync::Notify::new());
        let signal: Signal = {
            let (shutdown, exited) = (shutdown.clone(), exited.clone());
            async move {
                tokio::select! {
                    () = shutdown => {}
                    () = exited.notified() => {}
                }
                Ok(())
            }
            .boxed()
        };
        let on_exit: OnExit = Box::new(move |_: &WorkerContext, event: &Event| {
            if matches!(event, Event::Exit) {
                exited.notify_one();
            }
        });
        let started = tokio::time::Instant::now();
        tracing::info!(worker = %name, "{what} worker started");
        let outcome = run(name.clone(), signal, on_exit).await;
        if shutdown.peek().is_some() {
            return Ok(());
        }
        match outcome {
            Ok(()) => {
                tracing::error!(worker = %name, "the {what} worker stopped on its own; starting another")
            }
            Err(error) => {
                tracing::error!(worker = %name, %error, "the {what} worker failed; starting another")
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            backoff = RESTART_AFTER;
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.clone() => return Ok(()),
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// The first wait before a stopped worker is replaced; doubles up to 30 s.
const RESTART_AFTER: Duration = Duration::from_millis(500);

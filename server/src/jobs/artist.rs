//! The artist: draws an order's picture, stores it, marks the order done.

use crate::{
    orders::{OrderRow, Orders},
    pictures::PictureStore,
    platform::metrics::Metrics,
    render,
};
use app::error::AppError;
use std::{sync::Arc, time::Duration};

pub struct Artist {
    orders: Arc<Orders>,
    pictures: Arc<dyn PictureStore>,
    metrics: Arc<Metrics>,
    retries: Retries,
    /// Attempts made so far per order, for the test-only injected failures.
    injected: std::sync::Mutex<std::collections::HashMap<String, u32>>,
    size: u32,
    /// Test-only slowdown, so a test can stop the process while a picture is being drawn.
    delay: Duration,
    /// Test-only pause after a job is taken, before the order turns in progress.
    pause_after_fetch: Duration,
    /// The orders of the drawings under way, so a shutdown can let them finish and hand
    /// back those it cut off.
    in_flight: tokio::sync::watch::Sender<Vec<String>>,
}

/// Counts one drawing as under way until dropped.
struct Drawing<'a> {
    in_flight: &'a tokio::sync::watch::Sender<Vec<String>>,
    id: String,
}

impl<'a> Drawing<'a> {
    fn start(in_flight: &'a tokio::sync::watch::Sender<Vec<String>>, id: &str) -> Self {
        in_flight.send_modify(|ids| ids.push(id.to_owned()));
        Self { in_flight, id: id.to_owned() }
    }
}

impl Drop for Drawing<'_> {
    fn drop(&mut self) {
        self.in_flight.send_modify(|ids| {
            if let Some(at) = ids.iter().position(|id| *id == self.id) {
                ids.swap_remove(at);
            }
        });
    }
}

/// How a drawing is retried.
#[derive(Clone, Debug)]
pub struct Retries {
    /// Tries per order before it fails.
    pub attempts: u32,
    /// The wait after the first failed try; doubles after each.
    pub first_backoff: Duration,
    /// How long one try (render and store) may take.
    pub timeout: Duration,
    /// Tests only: the first this many tries of every order fail.
    pub injected_failures: u32,
    /// Tests only: when set, only the orders of this colour fail so.
    pub injected_colour: Option<String>,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            attempts: 5,
            first_backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(60),
            injected_failures: 0,
            injected_colour: None,
        }
    }
}

/// Why a drawing attempt did not finish; each is worth another try. The text is for
/// operators (logs, `/admin/failures`); the client is told only that the picture could not
/// be drawn.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// The picture store did not take the picture.
    #[error("could not store the picture: {0}")]
    Storage(String),
    /// No picture within the drawing time limit.
    #[error("no picture within {0:?}")]
    Timeout(Duration),
    /// The database or the render task failed.
    #[error("{0}")]
    Service(String),
    /// Tests only: `LTD_TEST_FAIL_DRAWS`.
    #[error("injected failure (LTD_TEST_FAIL_DRAWS)")]
    Injected,
}

impl Artist {
    pub fn new(
        orders: Arc<Orders>,
        pictures: Arc<dyn PictureStore>,
        metrics: Arc<Metrics>,
        size: u32,
        delay: Duration,
        retries: Retries,
    ) -> Self {
        let in_flight = tokio::sync::watch::Sender::new(Vec::new());
        Self {
            orders,
            pictures,
            metrics,
            retries,
            injected: Default::default(),
            size,
            delay,
            pause_after_fetch: Duration::ZERO,
            in_flight,
        }
    }

    /// Tests only: waits `pause` after taking a job, before the order turns in progress,
    /// so a test can stop the process exactly there.
    pub fn with_test_pause_after_fetch(mut self, pause: Duration) -> Self {
        self.pause_after_fetch = pause;
        self
    }

    /// The orders whose drawing is under way now.
    pub fn unfinished(&self) -> Vec<String> {
        self.in_flight.borrow().clone()
    }

    /// Completes when no drawing is under way (at shutdown: the workers stopped taking
    /// jobs, and the ones they hold finish).
    pub async fn idle(&self) {
        let mut count = self.in_flight.subscribe();
        let _ = count.wait_for(Vec::is_empty).await;
    }

    /// Draws order `id`. Idempotent: a finished or unknown order is left alone, and the
    /// picture is stored at the order's fixed key from the order's own seed, so a job
    /// delivered twice stores the same picture once.
    #[tracing::instrument(skip_all, fields(order.id = %id))]
    pub async fn draw(&self, id: &str) -> Result<(), DrawError> {
        let _drawing = Drawing::start(&self.in_flight, id);
        if !self.pause_after_fetch.is_zero() {
            tracing::info!("test pause: the job is taken, the order not yet in progress");
            tokio::time::sleep(self.pause_after_fetch).await;
        }
        let Some(order) = self.orders.start(id).await.map_err(service)? else {
            tracing::debug!("nothing to draw: the order is finished or gone");
            return Ok(());
        };
        self.metrics.draw_started();
        let mut backoff = self.retries.first_backoff;
        for attempt in 1..=self.retries.attempts {
            let outcome = tokio::time::timeout(self.retries.timeout, self.draw_order(id, &order))
                .await
                .unwrap_or(Err(DrawError::Timeout(self.retries.timeout)));
            match outcome {
                Ok(true) => {
                    self.metrics.draw_succeeded();
                    return Ok(());
                }
                Ok(false) => {
                    // Failed for good (bad data, a shape that cannot be drawn): no retry.
                    self.metrics.draw_failed();
                    return Ok(());
                }
                Err(error) if attempt < self.retries.attempts => {
                    tracing::warn!(attempt, %error, "drawing failed; retrying");
                    self.metrics.draw_retried();
                    // The order page shows "retrying"; not being able to say so is no reason
                    // to stop trying.
                    if let Err(error) = self.orders.retrying(id, attempt).await {
                        tracing::warn!(%error, "could not record the failed attempt");
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
                Err(error) => {
                    let attempts = self.retries.attempts;
                    tracing::error!(attempts, %error, "drawing failed for good");
                    self.metrics.draw_failed();
                    let reason = format!("the picture could not be drawn after {attempts} attempts");
                    let detail = format!("{reason}: {error}");
                    self.orders.fail(id, &reason, &detail, attempts).await.map_err(service)?;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Test-only: whether this try of order `id` is one of the injected failures.
    fn injected_failure(&self, order: &OrderRow) -> bool {
        let id = &order.id;
        if self.retries.injected_failures == 0
            || self.retries.injected_colour.as_ref().is_some_and(|colour| *colour != order.color)
        {
            return false;
        }
        let mut tries = self.injected.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = tries.entry(id.to_owned()).or_default();
        *count += 1;
        *count <= self.retries.injected_failures
    }

    /// Draws, stores and finishes a started order: `Ok(true)` when done, `Ok(false)` when
    /// it failed for good.
    async fn draw_order(&self, id: &str, order: &OrderRow) -> Result<bool, DrawError> {
        let (shape, colour) = match (order.shape(), order.colour()) {
            (Ok(shape), Ok(colour)) => (shape, colour),
            (Err(error), _) | (_, Err(error)) => {
                // Bad data does not get better with retries.
                let detail = format!("cannot draw this order: {error}");
                self.orders.fail(id, "this order cannot be drawn", &detail, 1).await.map_err(service)?;
                return Ok(false);
            }
        };
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let (seed, size) = (order.seed(), self.size);
        let rendered = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            render::render_png(shape, &colour, seed, size).map(|png| (png, started.elapsed()))
        })
        .await
        .map_err(|e| DrawError::Service(format!("the render task failed: {e}")))?;
        let (png, took) = match rendered {
            Ok((png, took)) => {
                self.metrics.rendered_in(took);
                (png, took)
            }
            Err(error) => {
                let detail = format!("the artist could not draw it: {error}");
                self.orders.fail(id, "the artist could not draw it", &detail, 1).await.map_err(service)?;
                return Ok(false);
            }
        };
        if self.injected_failure(order) {
            return Err(DrawError::Injected);
        }
        self.pictures
            .put(&OrderRow::picture_key(id), png)
            .await
            .map_err(|e| DrawError::Storage(format!("{e:#}")))?;
        let render_ms = i64::try_from(took.as_millis()).unwrap_or(i64::MAX).max(1);
        self.orders.finish(id, render_ms).await.map_err(service)?;
        Ok(true)
    }
}

fn service(error: AppError) -> DrawError {
    DrawError::Service(error.to_string())
}

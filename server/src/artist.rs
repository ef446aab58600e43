//! The artist: draws an order's picture, stores it, marks the order done.

use crate::{
    metrics::Metrics,
    orders::{OrderRow, Orders},
    pictures::PictureStore,
    render,
};
use app::error::AppError;
use std::{sync::Arc, time::Duration};

pub struct Artist {
    orders: Arc<Orders>,
    pictures: Arc<dyn PictureStore>,
    metrics: Arc<Metrics>,
    size: u32,
    /// Test-only slowdown, so a test can stop the process while a picture is being drawn.
    delay: Duration,
}

/// Why a drawing job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// Worth another try (storage or database trouble).
    #[error("drawing failed, will retry: {0}")]
    Transient(String),
}

impl Artist {
    pub fn new(
        orders: Arc<Orders>,
        pictures: Arc<dyn PictureStore>,
        metrics: Arc<Metrics>,
        size: u32,
        delay: Duration,
    ) -> Self {
        Self { orders, pictures, metrics, size, delay }
    }

    /// Draws order `id`. Idempotent: a finished or unknown order is left alone, and the
    /// picture is stored at the order's fixed key from the order's own seed, so a job
    /// delivered twice stores the same picture once.
    #[tracing::instrument(skip_all, fields(order.id = %id))]
    pub async fn draw(&self, id: &str) -> Result<(), DrawError> {
        let Some(order) = self.orders.start(id).await.map_err(transient)? else {
            tracing::debug!("nothing to draw: the order is finished or gone");
            return Ok(());
        };
        self.metrics.draw_started();
        let outcome = self.draw_order(id, &order).await;
        match &outcome {
            Ok(true) => self.metrics.draw_succeeded(),
            Ok(false) | Err(_) => self.metrics.draw_failed(),
        }
        outcome.map(|_| ())
    }

    /// Draws, stores and finishes a started order: `Ok(true)` when done, `Ok(false)` when
    /// it failed for good.
    async fn draw_order(&self, id: &str, order: &OrderRow) -> Result<bool, DrawError> {
        let (shape, colour) = match (order.shape(), order.colour()) {
            (Ok(shape), Ok(colour)) => (shape, colour),
            (Err(error), _) | (_, Err(error)) => {
                // Bad data does not get better with retries.
                self.orders.fail(id, &format!("cannot draw this order: {error}")).await.map_err(transient)?;
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
        .map_err(|e| DrawError::Transient(e.to_string()))?;
        let png = match rendered {
            Ok((png, took)) => {
                self.metrics.rendered_in(took);
                png
            }
            Err(error) => {
                self.orders
                    .fail(id, &format!("the artist could not draw it: {error}"))
                    .await
                    .map_err(transient)?;
                return Ok(false);
            }
        };
        self.pictures
            .put(&OrderRow::picture_key(id), png)
            .await
            .map_err(|e| DrawError::Transient(format!("{e:#}")))?;
        self.orders.finish(id).await.map_err(transient)?;
        Ok(true)
    }
}

fn transient(error: AppError) -> DrawError {
    DrawError::Transient(error.to_string())
}

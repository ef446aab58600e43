//! The artist: draws an order's picture, stores it, marks the order done.

use crate::{
    orders::{OrderRow, Orders},
    pictures::PictureStore,
    render,
};
use app::error::AppError;
use std::{sync::Arc, time::Duration};

pub struct Artist {
    orders: Arc<Orders>,
    pictures: Arc<dyn PictureStore>,
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
    pub fn new(orders: Arc<Orders>, pictures: Arc<dyn PictureStore>, size: u32, delay: Duration) -> Self {
        Self { orders, pictures, size, delay }
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
        let (shape, colour) = match (order.shape(), order.colour()) {
            (Ok(shape), Ok(colour)) => (shape, colour),
            (Err(error), _) | (_, Err(error)) => {
                // Bad data does not get better with retries.
                self.orders.fail(id, &format!("cannot draw this order: {error}")).await.map_err(transient)?;
                return Ok(());
            }
        };
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let (seed, size) = (order.seed(), self.size);
        let rendered = tokio::task::spawn_blocking(move || render::render_png(shape, &colour, seed, size))
            .await
            .map_err(|e| DrawError::Transient(e.to_string()))?;
        let png = match rendered {
            Ok(png) => png,
            Err(error) => {
                self.orders
                    .fail(id, &format!("the artist could not draw it: {error}"))
                    .await
                    .map_err(transient)?;
                return Ok(());
            }
        };
        self.pictures
            .put(&OrderRow::picture_key(id), png)
            .await
            .map_err(|e| DrawError::Transient(format!("{e:#}")))?;
        self.orders.finish(id).await.map_err(transient)?;
        Ok(())
    }
}

fn transient(error: AppError) -> DrawError {
    DrawError::Transient(error.to_string())
}

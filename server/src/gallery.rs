//! Pictures to take away: a done order's picture in any size and as SVG, to its owner, and
//! share links that show it to anyone who has one.

mod renders;

pub use renders::Renders;

use crate::{
    orders::{OrderRow, Orders},
    pictures::PictureStore,
    platform::error::internal,
    render,
};
use app::{
    domain::{OrderStatus, SharedPicture, User, scene},
    error::AppError,
    services::SharingService,
};
use std::sync::Arc;

/// The sizes a PNG may be asked for, in pixels a side.
pub const SIZES: std::ops::RangeInclusive<u32> = 256..=4096;
/// Sizes that are multiples of this are kept once rendered (16 per order at most); others
/// are rendered for each request, so no one can fill the store with thousands of sizes.
pub const KEPT_EVERY: u32 = 256;

/// What `GET /api/v1/orders/{id}/picture?format=&size=` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The stored PNG (`size` absent), or one `size` pixels a side, rendered once and kept.
    Png { size: Option<u32> },
    /// The vector scene the order form previewed.
    Svg,
}

impl Format {
    /// Reads `format` (png or svg) and `size` (256 to 4096); errors name the field.
    pub fn parse(format: Option<&str>, size: Option<&str>) -> Result<Self, AppError> {
        let size = match size {
            None => None,
            Some(text) => Some(text.parse::<u32>().ok().filter(|n| SIZES.contains(n)).ok_or_else(|| {
                AppError::validation(
                    "size",
                    format!("size must be a whole number from {} to {}", SIZES.start(), SIZES.end()),
                )
            })?),
        };
        match format {
            None | Some("png") => Ok(Format::Png { size }),
            Some("svg") => Ok(Format::Svg),
            Some(_) => Err(AppError::validation("format", "format must be png or svg")),
        }
    }
}

/// A picture file to send.
#[derive(Clone, Debug)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Downloads and share links.
pub struct Gallery {
    orders: Arc<Orders>,
    store: Arc<dyn PictureStore>,
    renders: Renders,
    public_url: String,
}

impl Gallery {
    pub fn new(orders: Arc<Orders>, store: Arc<dyn PictureStore>, public_url: &str) -> Self {
        Self {
            orders,
            renders: Renders::new(store.clone()),
            store,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The picture of the caller's done order, as `format` asks.
    pub async fn picture(&self, user: &User, id: &str, format: Format) -> Result<Download, AppError> {
        let row = self.orders.row_of(user, id).await?;
        self.download(&row, format).await
    }

    /// The PNG behind a share link.
    pub async fn shared_picture(&self, token: &str) -> Result<Download, AppError> {
        let row = self.shared_row(token).await?;
        self.download(&row, Format::Png { size: None }).await
    }

    async fn download(&self, row: &OrderRow, format: Format) -> Result<Download, AppError> {
        let key = row
            .picture_key
            .as_deref()
            .filter(|_| row.status == OrderStatus::Done)
            .ok_or(AppError::NotFound)?;
        let order = row.to_order()?;
        let bytes = match format {
            Format::Svg => {
                let svg = scene::svg(order.shape, &order.color, order.seed);
                return Ok(Download {
                    bytes: svg.into_bytes(),
                    content_type: "image/svg+xml",
                    extension: "svg",
                });
            }
            Format::Png { size: None } => self
                .store
                .get(key)
                .await
                .map_err(|e| internal("could not read the picture")(format!("{e:#}")))?
                .ok_or(AppError::NotFound)?,
            Format::Png { size: Some(size) } => {
                let sized = format!("orders/{}/{size}.png", row.id);
                let (shape, colour, seed) = (order.shape, order.color.clone(), order.seed);
                self.renders
                    .png(&sized, size % KEPT_EVERY == 0, move || {
                        render::render_png(shape, &colour, seed, size).map_err(anyhow::Error::from)
                    })
                    .await
                    .map_err(|e| internal("could not render the picture")(format!("{e:#}")))?
            }
        };
        Ok(Download { bytes, content_type: "image/png", extension: "png" })
    }

    async fn shared_row(&self, token: &str) -> Result<OrderRow, AppError> {
        if !is_token(token) {
            return Err(AppError::NotFound);
        }
        self.orders
            .shared_row(token)
            .await?
            .filter(|row| row.status == OrderStatus::Done)
            .ok_or(AppError::NotFound)
    }
}

/// Share tokens: 32 random bytes as 64 lower-case hex digits.
fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

fn is_token(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[async_trait::async_trait]
impl SharingService for Gallery {
    async fn share(&self, user: &User, id: &str) -> Result<String, AppError> {
        let row = self.orders.row_of(user, id).await?;
        if row.status != OrderStatus::Done {
            return Err(AppError::Conflict {
                field: "status".into(),
                message: "only a done picture can be shared".into(),
            });
        }
        let token = self.orders.share(user, id, &new_token()).await?;
        Ok(format!("/p/{token}"))
    }

    async fn unshare(&self, user: &User, id: &str) -> Result<(), AppError> {
        self.orders.unshare(user, id).await
    }

    async fn shared(&self, token: &str) -> Result<SharedPicture, AppError> {
        let row = self.shared_row(token).await?;
        let order = row.to_order()?;
        let image_url = format!("/api/v1/shared/{token}/picture");
        Ok(SharedPicture {
            shape: order.shape,
            color: order.color,
            seed: order.seed,
            image_absolute_url: format!("{}{image_url}", self.public_url),
            page_url: format!("{}/p/{token}", self.public_url),
            image_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_formats_are_checked_by_name() {
        assert_eq!(Format::parse(None, None).ok(), Some(Format::Png { size: None }));
        assert_eq!(Format::parse(Some("png"), Some("4096")).ok(), Some(Format::Png { size: Some(4096) }));
        assert_eq!(Format::parse(Some("svg"), Some("256")).ok(), Some(Format::Svg));
        for size in ["255", "4097", "0", "-1", "big", ""] {
            let error = Format::parse(None, Some(size)).err();
            assert_eq!(error.as_ref().and_then(|e| e.field()), Some("size"), "{size}");
        }
        assert_eq!(Format::parse(Some("gif"), None).err().as_ref().and_then(|e| e.field()), Some("format"));
    }

    #[test]
    fn share_tokens_are_long_and_random() {
        let (a, b) = (new_token(), new_token());
        assert!(is_token(&a) && is_token(&b) && a != b);
        assert!(!is_token("../../etc") && !is_token(&a.to_uppercase()) && !is_token(&a[..63]));
    }
}

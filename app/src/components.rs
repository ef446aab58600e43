//! Building blocks shared by the pages.

mod form_error;
mod header;
mod picture;

pub use form_error::{FieldError, FormError, form_error};
pub use header::Header;
pub use picture::Picture;

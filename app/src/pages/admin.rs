//! The admin area: the console, shapes and prices, points campaigns, failures, the live feed and the
//! partners' API tokens.

mod campaigns;
mod console;
mod failures;
mod live;
mod partners;
mod shapes;

pub use campaigns::AdminCampaignsPage;
pub use console::AdminConsolePage;
pub use failures::AdminFailuresPage;
pub use live::AdminLivePage;
pub use partners::AdminPartnersPage;
pub use shapes::AdminShapesPage;

use crate::error::AppError;
use leptos::prelude::*;

/// The admin pages' links.
#[component]
fn AdminNav() -> impl IntoView {
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <a href="/admin">"Console"</a>
            <a href="/admin/shapes">"Shapes"</a>
            <a href="/admin/campaigns">"Campaigns"</a>
            <a href="/admin/failures">"Failures"</a>
            <a href="/admin/live">"Live"</a>
            <a href="/admin/partners">"Partners"</a>
        </nav>
    }
}

/// An error loading an admin page, in words.
fn load_error(error: AppError) -> AnyView {
    match error {
        AppError::Forbidden { message } => view! { <p class="form-error">{message}</p> }.into_any(),
        error => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
    }
}

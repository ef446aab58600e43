use leptos::prelude::*;
use leptos_meta::Title;

/// The page for anything that does not exist (or is not yours).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Let Them Draw" />
        <section class="card">
            <h1>"Not found"</h1>
            <p>"There is nothing here. " <a href="/">"Back to the shapes"</a></p>
        </section>
    }
}

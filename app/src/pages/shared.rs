use crate::{error::AppError, pages::NotFound, server_fns::get_shared_picture};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// `/p/{token}`: a shared picture, for anyone with the link, with Open Graph tags for link
/// previews. It says nothing about who ordered it.
#[component]
pub fn SharedPicturePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let picture = Resource::new(token, get_shared_picture);
    view! {
        <Suspense fallback=|| view! { <p>"Loading the picture…"</p> }>
            {move || Suspend::new(async move {
                match picture.await {
                    Ok(shared) => {
                        let heading = format!("{} in {}", shared.shape.display_name(), shared.color);
                        view! {
                            <Title text=format!("{heading} · Let Them Draw") />
                            <Meta property="og:title" content=heading.clone() />
                            <Meta property="og:type" content="website" />
                            <Meta property="og:url" content=shared.page_url.clone() />
                            <Meta property="og:image" content=shared.image_absolute_url.clone() />
                            <Meta property="og:description" content="A picture drawn by Let Them Draw" />
                            <section class="card shared">
                                <h1>{heading.clone()}</h1>
                                <img src=shared.image_url.clone() alt=heading.clone() class="picture" />
                                <p>
                                    <a href="/orders/new" class="button">"Order your own"</a>
                                </p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

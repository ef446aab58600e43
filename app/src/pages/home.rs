use crate::{
    components::Picture,
    domain::{Colour, Shape, ShapeInfo},
    server_fns::list_shapes,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The catalogue: every shape with a thumbnail and its price.
#[component]
pub fn Home() -> impl IntoView {
    let shapes = Resource::new(|| (), |_| list_shapes());
    let query = use_query_map();
    let deleted = move || query.with(|q| q.get("notice").as_deref() == Some("deleted"));
    view! {
        <Show when=deleted>
            <p class="notice" role="status">"Your account is deleted. Thank you for drawing with us."</p>
        </Show>
        <section class="hero">
            <h1>"Pick a shape. Any colour."</h1>
            <p>"Our artist draws it for you in seconds."</p>
            <a href="/orders/new" class="button">
                "Order a picture"
            </a>
        </section>
        <Suspense fallback=|| view! { <p>"Loading the catalogue…"</p> }>
            {move || Suspend::new(async move {
                match shapes.await {
                    Ok(list) => {
                        view! {
                            <ul class="catalogue" aria-label="Shapes">
                                {list.into_iter().map(|info| view! { <ShapeCard info /> }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The colour each thumbnail is shown in.
fn sample_colour(shape: Shape) -> Colour {
    let css = match shape {
        Shape::Square => "tomato",
        Shape::Circle => "rebeccapurple",
        Shape::HypnoticSquares => "teal",
        Shape::TiledLines => "indigo",
        Shape::Voronoi => "darkorange",
    };
    Colour::parse(css).unwrap_or_else(|_| unreachable!("{css} is a CSS colour name"))
}

#[component]
fn ShapeCard(info: ShapeInfo) -> impl IntoView {
    let price = info.price_label();
    let label = format!("{} thumbnail", info.display_name);
    view! {
        <li class="shape-card" data-shape=info.name.name()>
            <a href=format!("/orders/new?shape={}", info.name.name())>
                <Picture shape=info.name colour=sample_colour(info.name) seed=7 label />
                <h2>{info.display_name}</h2>
            </a>
            <p class="price" class:free=info.free>
                {price}
            </p>
        </li>
    }
}

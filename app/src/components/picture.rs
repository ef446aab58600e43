use crate::domain::{Colour, Shape, scene};
use leptos::prelude::*;

/// A shape drawn in the page as inline SVG by the shared drawing code.
#[component]
pub fn Picture(
    #[prop(into)] shape: Signal<Shape>,
    #[prop(into)] colour: Signal<Colour>,
    #[prop(into, default = Signal::stored(0))] seed: Signal<u32>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let svg = move || scene::svg(shape.get(), &colour.get(), seed.get());
    view! { <div class="picture" role="img" aria-label=label inner_html=svg></div> }
}

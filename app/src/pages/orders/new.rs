use crate::{
    components::{FieldError, FormError, Picture, form_error},
    domain::{Colour, Shape, ShapeInfo},
    server_fns::{CreateOrder, list_shapes},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const FIRST_COLOUR: &str = "rebeccapurple";

/// `/orders/new`: pick a shape and a colour, watch the preview, order.
#[component]
pub fn NewOrderPage() -> impl IntoView {
    let action = ServerAction::<CreateOrder>::new();
    let error = form_error(action);
    let shapes = Resource::new(|| (), |_| list_shapes());
    let query = use_query_map();
    let first_shape = query.with_untracked(|q| q.get("shape").and_then(|s| Shape::parse(&s).ok()));
    let shape = RwSignal::new(first_shape.unwrap_or(Shape::Circle));
    let colour_text = RwSignal::new(FIRST_COLOUR.to_owned());
    // Read before hydration resets the form; applied once it is done (effects run only
    // then), so the preview is redrawn too.
    let (picked, typed_early) = chosen_before_hydration();
    Effect::new(move |_| {
        if let Some(picked) = picked {
            shape.set(picked);
        }
        if let Some(typed) = typed_early.clone() {
            colour_text.set(typed);
        }
    });
    let typed = Memo::new(move |_| Colour::parse(&colour_text.get()).ok());
    // The preview keeps the last colour that parsed while the user is mid-word.
    let preview = Memo::new(move |previous: Option<&Colour>| {
        typed.get().or_else(|| previous.cloned()).unwrap_or_else(fallback_colour)
    });
    view! {
        <Title text="Order a picture · Let Them Draw" />
        <section class="card">
            <h1>"Order a picture"</h1>
            <ActionForm action attr:class="order-form">
                <FormError error />
                <fieldset class="shape-options">
                    <legend>"Shape"</legend>
                    <Suspense fallback=|| view! { <p>"Loading the shapes…"</p> }>
                        {move || Suspend::new(async move {
                            shapes
                                .await
                                .map(|list| {
                                    list.into_iter()
                                        .map(|info| view! { <ShapeOption info selected=shape colour=preview /> })
                                        .collect_view()
                                })
                        })}
                    </Suspense>
                </fieldset>
                <FieldError error field="shape" />
                <label for="color">"Colour"</label>
                <div class="colour-row">
                    <input
                        id="color"
                        name="color"
                        type="text"
                        list="css-colours"
                        autocomplete="off"
                        spellcheck="false"
                        required
                        value=FIRST_COLOUR
                        prop:value=colour_text
                        on:input=move |ev| colour_text.set(event_target_value(&ev))
                        aria-describedby="color-hint"
                    />
                    <input
                        type="color"
                        aria-label="Colour picker"
                        prop:value=move || preview.get().hex_rgb()
                        on:input=move |ev| colour_text.set(event_target_value(&ev))
                    />
                </div>
                <datalist id="css-colours">
                    {Colour::names().map(|name| view! { <option value=name></option> }).collect_view()}
                </datalist>
                <p id="color-hint" class="hint">
                    "Any CSS colour: a name like rebeccapurple, #rrggbb, rgb() or hsl()."
                </p>
                <FieldError error field="color" />
                <div class="preview">
                    <h2>"Preview"</h2>
                    <Picture shape=shape colour=preview seed=7 label="Preview" />
                    <Show when=move || typed.get().is_none()>
                        <p class="hint" data-testid="not-a-colour">"That is not a colour yet."</p>
                    </Show>
                </div>
                <button type="submit">"Order"</button>
            </ActionForm>
        </section>
    }
}

/// The shape picked and the colour typed before the page came alive: hydration would
/// otherwise put the server's defaults back in the colour field and leave the preview on a
/// shape other than the one checked (and ordered). Nothing on the server.
#[cfg(feature = "hydrate")]
fn chosen_before_hydration() -> (Option<Shape>, Option<String>) {
    use wasm_bindgen::JsCast;
    let document = document();
    let value = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
    };
    let shape = value(".order-form input[name=shape]:checked").and_then(|name| Shape::parse(&name).ok());
    (shape, value(".order-form #color"))
}

#[cfg(not(feature = "hydrate"))]
fn chosen_before_hydration() -> (Option<Shape>, Option<String>) {
    (None, None)
}

fn fallback_colour() -> Colour {
    Colour::parse(FIRST_COLOUR).unwrap_or_else(|_| unreachable!("{FIRST_COLOUR} is a CSS colour name"))
}

/// One radio card: thumbnail (in the chosen colour), name and price.
#[component]
fn ShapeOption(info: ShapeInfo, selected: RwSignal<Shape>, colour: Memo<Colour>) -> impl IntoView {
    let name = info.name;
    let label = format!("{} thumbnail", info.display_name);
    view! {
        <label class="shape-option">
            <input
                type="radio"
                name="shape"
                value=name.name()
                checked=move || selected.get() == name
                on:change=move |_| selected.set(name)
            />
            <Picture shape=name colour=colour seed=7 label />
            <span class="name">{info.display_name.clone()}</span>
            <span class="price" class:free=info.free>
                {info.price_label()}
            </span>
        </label>
    }
}

use crate::{
    components::{FieldError, FormError, Picture, form_error},
    domain::loyalty::points_for,
    domain::{Colour, Shape, ShapeInfo},
    server_fns::{CreateOrder, HeaderFigures, badges, list_shapes},
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
    let figures = Resource::new(|| (), |_| badges());
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
    // Which picture of the shape: the preview shows it and the order is drawn with it.
    let seed = RwSignal::new(first_seed());
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
                                        .map(|info| {
                                            view! { <ShapeOption info selected=shape colour=preview seed /> }
                                        })
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
                    "Any CSS colour: a name like rebeccapurple, #rrggbb, rgb(), hsl() or oklch()."
                </p>
                <FieldError error field="color" />
                <div class="preview">
                    <h2>"Preview"</h2>
                    <Picture shape=shape colour=preview seed=seed label="Preview" />
                    <input
                        type="hidden"
                        name="seed"
                        value=seed.get_untracked().to_string()
                        prop:value=move || seed.get().to_string()
                    />
                    <button
                        type="button"
                        class="secondary"
                        data-testid="shuffle"
                        aria-label="Shuffle: show another picture of this shape"
                        on:click=move |_| seed.set(random_seed())
                    >
                        "Shuffle"
                    </button>
                    <Show when=move || typed.get().is_none()>
                        <p class="hint" data-testid="not-a-colour">"That is not a colour yet."</p>
                    </Show>
                </div>
                <div class="form-actions">
                    <button type="submit">"Order"</button>
                    <button type="submit" class="secondary" name="to_cart" value="1" data-testid="add-to-cart">
                        "Add to cart"
                    </button>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let list = shapes.await.unwrap_or_default();
                            let figures = figures.await.unwrap_or_default();
                            view! { <PayWithPoints list figures shape /> }
                        })}
                    </Suspense>
                </div>
                <FieldError error field="pay_with" />
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

/// The seed the page starts with: on the server a random one; in the browser the one the
/// server rendered (so hydration keeps the picture), or a random one when the page was
/// built in the browser.
#[cfg(feature = "hydrate")]
fn first_seed() -> u32 {
    use wasm_bindgen::JsCast;
    document()
        .query_selector(".order-form input[name=seed]")
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.value().parse().ok())
        .unwrap_or_else(random_seed)
}

#[cfg(not(feature = "hydrate"))]
fn first_seed() -> u32 {
    random_seed()
}

/// A new random seed: the browser's `Math.random`.
#[cfg(feature = "hydrate")]
fn random_seed() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}

/// A new random seed: std's randomly keyed hasher (a picture's seed needs no more).
#[cfg(not(feature = "hydrate"))]
fn random_seed() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish() as u32
}

fn fallback_colour() -> Colour {
    Colour::parse(FIRST_COLOUR).unwrap_or_else(|_| unreachable!("{FIRST_COLOUR} is a CSS colour name"))
}

/// "Pay with N points", when the balance covers the chosen shape (priced ones only). Until
/// the page is alive (and without JavaScript) the button cannot follow the shape chosen: it
/// is offered when the points cover some priced shape, and the server charges the shape
/// the form sends (refusing, naming `pay_with`, when the points fall short).
#[component]
fn PayWithPoints(list: Vec<ShapeInfo>, figures: HeaderFigures, shape: RwSignal<Shape>) -> impl IntoView {
    let alive = RwSignal::new(false);
    Effect::new(move |_| alive.set(true));
    let cost_of = move |price: i64| points_for(price, figures.points_per_cent);
    let cheapest =
        list.iter().filter(|info| info.price_cents > 0).map(|info| cost_of(info.price_cents)).min();
    move || {
        let price = list.iter().find(|info| info.name == shape.get()).map_or(0, |info| info.price_cents);
        let cost = cost_of(price);
        let covered = price > 0 && figures.points >= cost;
        let offered = covered || (!alive.get() && cheapest.is_some_and(|least| figures.points >= least));
        offered.then(|| {
            let label = if covered { format!("Pay with {cost} points") } else { "Pay with points".to_owned() };
            view! {
                <button type="submit" class="secondary" name="pay_with" value="points" data-testid="pay-with-points">
                    {label}
                </button>
            }
        })
    }
}

/// One radio card: thumbnail (in the chosen colour), name and price.
#[component]
fn ShapeOption(
    info: ShapeInfo,
    selected: RwSignal<Shape>,
    colour: Memo<Colour>,
    seed: RwSignal<u32>,
) -> impl IntoView {
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
            <Picture shape=name colour=colour seed=seed label />
            <span class="name">{info.display_name.clone()}</span>
            <span class="price" class:free=info.free>
                {info.price_label()}
            </span>
        </label>
    }
}

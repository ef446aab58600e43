use super::{StatusBadge, short_time, title};
use crate::{
    components::Picture,
    domain::{Order, OrderStatus, catalogue::format_price},
    error::AppError,
    live::follow_orders,
    pages::NotFound,
    server_fns::get_order,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/orders/{id}`: one order, its status changing live, and the picture when done.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let order = Resource::new(id, get_order);
    view! {
        <Suspense fallback=|| view! { <p>"Loading the order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => view! { <OrderView order /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderView(order: Order) -> impl IntoView {
    let live = RwSignal::new(order.clone());
    if !order.is_settled() {
        let url = format!("/api/v1/orders/{}/events", order.id);
        Effect::new(move |_| {
            follow_orders(url.clone(), move |update| {
                let done = update.is_settled();
                live.set(update);
                done
            })
        });
    }
    let status = Signal::derive(move || live.with(|o| o.status));
    let picture_url = move || live.with(|o| o.picture_url.clone());
    let file_name = format!("let-them-draw-{}.png", order.id);
    let heading = title(&order);
    let alt = heading.clone();
    let (shape, colour, seed) = (order.shape, order.color.clone(), order.seed);
    view! {
        <Title text=format!("{heading} · Let Them Draw") />
        <section class="card order">
            <div class="order-head">
                <h1>{heading.clone()}</h1>
                <StatusBadge order=live />
            </div>
            <div class="order-body">
                <div class="order-picture">
                    {move || match picture_url() {
                        Some(url) => {
                            view! {
                                <img src=url.clone() alt=alt.clone() class="picture" />
                                <a class="button" href=url.clone() download=file_name.clone()>
                                    "Download"
                                </a>
                                <a
                                    class="button secondary"
                                    href=format!("{url}?format=svg")
                                    download=file_name.replace(".png", ".svg")
                                >
                                    "Download SVG"
                                </a>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <Picture
                                    shape=shape
                                    colour=colour.clone()
                                    seed=seed
                                    label="Sketch of the picture being drawn"
                                />
                            }
                                .into_any()
                        }
                    }}
                </div>
                <dl class="facts">
                    <dt>"Shape"</dt>
                    <dd>{order.shape.display_name()}</dd>
                    <dt>"Colour"</dt>
                    <dd>
                        <span class="swatch" style=format!("background:{}", order.color.hex_rgb())></span>
                        {order.color.to_string()}
                    </dd>
                    <dt>"Price"</dt>
                    <dd>
                        {if order.price_cents == 0 {
                            "Free".to_owned()
                        } else {
                            format_price(order.price_cents, &order.currency)
                        }}
                    </dd>
                    <dt>"Ordered"</dt>
                    <dd>{short_time(&order.created_at)}</dd>
                    <dt>"Updated"</dt>
                    <dd>{move || short_time(&live.with(|o| o.updated_at.clone()))}</dd>
                </dl>
            </div>
            <Show when=move || status.get() == OrderStatus::Failed>
                <p class="form-error" role="alert">
                    "This order failed: "
                    {move || live.with(|o| o.failure_reason.clone().unwrap_or_default())}
                </p>
            </Show>
            <Show when=move || status.get() == OrderStatus::Refunded>
                <p class="form-error" role="alert" data-testid="refund-notice">
                    "We could not draw this picture ("
                    {move || live.with(|o| o.failure_reason.clone().unwrap_or_default())}
                    "), so your payment was refunded in full."
                </p>
            </Show>
            <Show when=move || live.with(Order::is_retrying)>
                <p class="hint" data-testid="retry-notice">
                    "Drawing did not work on the first try; the artist is trying again ("
                    {move || live.with(|o| o.failed_attempts)}
                    " failed so far)."
                </p>
            </Show>
            <Show when=move || status.get() == OrderStatus::AwaitingPayment>
                <p class="hint">
                    "Waiting for payment. This page updates by itself. "
                    {move || {
                        live.with(|o| o.checkout_url.clone())
                            .map(|url| view! { <a href=url>"Go to checkout"</a> })
                    }}
                </p>
            </Show>
        </section>
    }
}

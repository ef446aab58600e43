//! `/checkout/simulated/{session_id}`: the built-in stand-in for Stripe Checkout.

use crate::{
    components::{FormError, form_error},
    domain::{SimulatedCheckout, catalogue::format_price},
    error::AppError,
    pages::NotFound,
    server_fns::{FinishSimulatedCheckout, simulated_checkout_of},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SimulatedCheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let session_id = move || params.with(|p| p.get("session_id").unwrap_or_default());
    let checkout = Resource::new(session_id, simulated_checkout_of);
    view! {
        <Title text="Checkout (simulated) · Let Them Draw" />
        <Suspense fallback=|| view! { <p>"Loading the checkout…"</p> }>
            {move || Suspend::new(async move {
                match checkout.await {
                    Ok(checkout) => view! { <Checkout checkout session_id=session_id() /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Checkout(checkout: SimulatedCheckout, session_id: String) -> impl IntoView {
    let action = ServerAction::<FinishSimulatedCheckout>::new();
    let error = form_error(action);
    let price = format_price(checkout.total_cents, &checkout.currency);
    let currency = checkout.currency.clone();
    let lines = checkout
        .lines
        .into_iter()
        .map(|line| {
            view! {
                <dt>"Picture"</dt>
                <dd>{line.description} " · " {format_price(line.price_cents, &currency)}</dd>
            }
        })
        .collect_view();
    let button = move |choice: &'static str, label: &'static str, class: &'static str| {
        let session_id = session_id.clone();
        view! {
            <ActionForm action attr:class="inline">
                <input type="hidden" name="session_id" value=session_id />
                <input type="hidden" name="choice" value=choice />
                <button type="submit" class=class>
                    {label}
                </button>
            </ActionForm>
        }
    };
    view! {
        <section class="card narrow checkout">
            <p class="hint">"Simulated checkout: no money moves. With Stripe configured, Stripe's page is shown instead."</p>
            <h1>"Pay " {price.clone()}</h1>
            <dl class="facts">
                {lines}
                <dt>"Amount"</dt>
                <dd data-testid="checkout-amount">{price}</dd>
            </dl>
            <FormError error />
            <div class="checkout-actions">
                {button("pay", "Pay", "")} {button("cancel", "Cancel", "secondary")}
                {button("expire", "Let it expire", "secondary")}
            </div>
        </section>
    }
}

//! Ordering pages: the request form, one order, and the list of my orders.

mod list;
mod new;
mod show;

pub use list::MyOrdersPage;
pub use new::NewOrderPage;
pub use show::OrderPage;

use crate::domain::{Order, order::short_time};
use leptos::prelude::*;

/// The status of an order as a badge; its text changes live.
#[component]
fn StatusBadge(#[prop(into)] order: Signal<Order>) -> impl IntoView {
    let status = move || order.with(|o| o.status);
    let retrying = move || order.with(Order::is_retrying);
    view! {
        <span
            class="badge"
            data-status=move || status().as_str()
            data-retrying=move || retrying().then_some("true")
            data-testid="order-status"
            role="status"
            aria-live="polite"
            title=move || {
                order
                    .with(|o| {
                        o.is_retrying()
                            .then(|| format!("{} attempt(s) failed; trying again", o.failed_attempts))
                    })
            }
        >
            {move || order.with(Order::status_label)}
        </span>
    }
}

/// "Tiled lines in indigo".
fn title(order: &Order) -> String {
    format!("{} in {}", order.shape.display_name(), order.color)
}

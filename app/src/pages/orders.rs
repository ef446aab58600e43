//! Ordering pages: the request form, one order, and the list of my orders.

mod list;
mod new;
mod show;

pub use list::MyOrdersPage;
pub use new::NewOrderPage;
pub use show::OrderPage;

use crate::domain::{Order, OrderStatus};
use leptos::prelude::*;

/// The status of an order as a badge; its text changes live.
#[component]
fn StatusBadge(#[prop(into)] status: Signal<OrderStatus>) -> impl IntoView {
    view! {
        <span class="badge" data-status=move || status.get().as_str() data-testid="order-status">
            {move || status.get().label()}
        </span>
    }
}

/// `2026-11-22T00:23:03.123Z` → `2026-11-22 00:23 UTC`.
fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// "Tiled lines in indigo".
fn title(order: &Order) -> String {
    format!("{} in {}", order.shape.display_name(), order.color)
}

//! `/admin/live`: paid orders and failures as they happen (server-sent events).

use super::AdminNav;
use crate::{
    domain::{LiveItem, catalogue::format_price},
    live::follow,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// How many lines the feed keeps.
const KEEP: usize = 200;

#[component]
pub fn AdminLivePage() -> impl IntoView {
    let items = RwSignal::new(Vec::<LiveItem>::new());
    let connected = RwSignal::new(false);
    Effect::new(move |_| {
        connected.set(true);
        follow::<LiveItem>("/api/v1/admin/live".to_owned(), "live", move |item| {
            items.update(|list| {
                list.insert(0, item);
                list.truncate(KEEP);
            });
            false
        });
    });
    view! {
        <Title text="Live · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Live"</h1>
            <p class="hint" data-testid="live-state">
                {move || {
                    if connected.get() {
                        "Listening: paid orders and failures appear here as they happen."
                    } else {
                        "Connecting…"
                    }
                }}
            </p>
            <ul class="live-feed" data-testid="live-feed">
                <For each=move || items.get() key=|item| (item.order.id.clone(), item.kind.clone()) let:item>
                    <LiveLine item />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn LiveLine(item: LiveItem) -> impl IntoView {
    let order = &item.order;
    let what = format!("{} in {}", order.shape.display_name(), order.color);
    let detail = match item.kind.as_str() {
        "paid" => format!("paid {}", format_price(order.price_cents, &order.currency)),
        "refunded" => format!("refunded {}", format_price(order.price_cents, &order.currency)),
        _ => format!("failed: {}", order.failure_reason.clone().unwrap_or_default()),
    };
    let when = order.updated_at.get(11..19).unwrap_or(&order.updated_at).to_owned();
    view! {
        <li data-kind=item.kind.clone() data-order=order.id.clone()>
            <span class="hint">{when}</span>
            " "
            <span class="badge" data-status=item.kind.clone()>
                {item.kind.clone()}
            </span>
            " "
            <a href=format!("/orders/{}", order.id)>{what}</a>
            " — "
            {detail}
        </li>
    }
}

use super::{StatusBadge, short_time, title};
use crate::{components::Picture, domain::Order, live::follow_orders, server_fns::list_orders};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/orders`: my orders, newest first, with live status badges.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| list_orders());
    view! {
        <Title text="My orders · Let Them Draw" />
        <div class="page-head">
            <h1>"My orders"</h1>
            <A href="/orders/new" attr:class="button">
                "Order a picture"
            </A>
        </div>
        <Suspense fallback=|| view! { <p>"Loading your orders…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p class="empty">
                                "No orders yet. " <a href="/orders/new">"Order your first picture"</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <OrderList list /> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderList(list: Vec<Order>) -> impl IntoView {
    let rows: Vec<RwSignal<Order>> = list.into_iter().map(RwSignal::new).collect();
    if rows.iter().any(|row| !row.with_untracked(Order::is_settled)) {
        // One stream for all of my orders: a page with many unfinished orders would
        // otherwise exhaust the browser's connections to this site.
        let watched = rows.clone();
        Effect::new(move |_| {
            let watched = watched.clone();
            follow_orders("/api/v1/orders/events".to_owned(), move |update| {
                if let Some(row) = watched.iter().find(|row| row.with_untracked(|o| o.id == update.id)) {
                    row.set(update);
                }
                false
            })
        });
    }
    view! {
        <ul class="order-list" aria-label="My orders">
            {rows.into_iter().map(|order| view! { <OrderRow order /> }).collect_view()}
        </ul>
    }
}

#[component]
fn OrderRow(order: RwSignal<Order>) -> impl IntoView {
    let fixed = order.get_untracked();
    let href = format!("/orders/{}", fixed.id);
    view! {
        <li class="order-row">
            <a href=href.clone() class="thumb">
                <Picture shape=fixed.shape colour=fixed.color.clone() seed=fixed.seed label=format!("{} thumbnail", title(&fixed)) />
            </a>
            <div class="what">
                <a href=href>{title(&fixed)}</a>
                <span class="when">{short_time(&fixed.created_at)}</span>
            </div>
            <StatusBadge order />
        </li>
    }
}

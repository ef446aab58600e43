use super::{StatusBadge, short_time, title};
use crate::{
    components::Picture,
    domain::{Order, OrderPage, OrderQuery, OrderStatus, Shape},
    live::follow_orders,
    server_fns::list_orders,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// `/orders`: my orders, newest first, a page at a time, with search, filters and live
/// status badges. Plain links and a GET form: it all works without JavaScript.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| OrderQuery {
            limit: p.get("limit"),
            cursor: p.get("cursor"),
            q: p.get("q"),
            status: p.get("status"),
            shape: p.get("shape"),
        })
    });
    let orders = Resource::new(move || query.get(), list_orders);
    view! {
        <Title text="My orders · Let Them Draw" />
        <div class="page-head">
            <h1>"My orders"</h1>
            <A href="/orders/new" attr:class="button">
                "Order a picture"
            </A>
        </div>
        <SearchForm query=query.get_untracked() />
        <Suspense fallback=|| view! { <p>"Loading your orders…"</p> }>
            {move || Suspend::new(async move {
                let query = query.get_untracked();
                let searching = query != OrderQuery::default();
                match orders.await {
                    Ok(page) if page.orders.is_empty() && !searching => {
                        view! {
                            <p class="empty">
                                "No orders yet. " <a href="/orders/new">"Order your first picture"</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(page) if page.orders.is_empty() => {
                        view! { <p class="empty">"No orders match."</p> }.into_any()
                    }
                    Ok(OrderPage { orders, next_cursor }) => {
                        let next = next_cursor.map(|cursor| format!("/orders?{}", query.next(&cursor).to_query_string()));
                        view! {
                            <OrderList list=orders />
                            {next.map(|href| view! { <a class="button secondary" rel="next" href=href>"Older orders"</a> })}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Search and filters: a GET form, so the results page is a link like any other.
#[component]
fn SearchForm(query: OrderQuery) -> impl IntoView {
    let statuses = OrderStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
    let shapes = Shape::ALL.iter().map(|s| (s.name(), s.display_name())).collect();
    view! {
        <form method="get" action="/orders" class="search-form" role="search">
            <label for="q">"Search"</label>
            <input id="q" name="q" type="search" value=query.q.clone().unwrap_or_default() placeholder="colour, shape or note" />
            <Filter name="status" label="Status" options=statuses picked=query.status.clone() />
            <Filter name="shape" label="Shape" options=shapes picked=query.shape.clone() />
            <button type="submit" class="secondary">"Search"</button>
        </form>
    }
}

/// One filter of the search form: "Any", then `options` as (value, words).
#[component]
fn Filter(
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    picked: Option<String>,
) -> impl IntoView {
    let id = format!("{name}-filter");
    view! {
        <label for=id.clone()>{label}</label>
        <select id=id name=name>
            <option value="">"Any"</option>
            {options
                .into_iter()
                .map(|(value, words)| {
                    view! { <option value=value selected=picked.as_deref() == Some(value)>{words}</option> }
                })
                .collect_view()}
        </select>
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
                {fixed
                    .bill_id
                    .clone()
                    .map(|bill| {
                        view! {
                            <a class="bill-link" href=format!("/bills/{bill}") data-testid="bill-link">
                                "on a bill"
                            </a>
                        }
                    })}
            </div>
            <StatusBadge order />
        </li>
    }
}

//! `/admin`: the console — queue depth, failures, orders per hour, render time, revenue.

use super::{AdminNav, load_error};
use crate::{
    domain::{HourCount, Overview, catalogue::format_price},
    server_fns::admin_overview,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminConsolePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_overview());
    view! {
        <Title text="Console · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Console"</h1>
            <Suspense fallback=|| view! { <p>"Loading the figures…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Figures overview /> }.into_any(),
                        Err(error) => load_error(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Figures(overview: Overview) -> impl IntoView {
    let queue = overview.queue_depth.map_or_else(|| "unreachable".to_owned(), |n| n.to_string());
    let median = overview.median_render_ms.map_or_else(|| "–".to_owned(), |ms| format!("{ms:.0} ms"));
    let revenue = if overview.revenue_today.is_empty() {
        "nothing yet".to_owned()
    } else {
        overview
            .revenue_today
            .iter()
            .map(|r| format_price(r.cents, &r.currency))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let total: i64 = overview.orders_per_hour.iter().map(|h| h.orders).sum();
    view! {
        <dl class="figures">
            <div data-testid="queue-depth">
                <dt>"Queue depth"</dt>
                <dd>{queue}</dd>
            </div>
            <div data-testid="unfinished">
                <dt>"Being drawn or waiting"</dt>
                <dd>{overview.orders_unfinished}</dd>
            </div>
            <div data-testid="open-failures">
                <dt>"Failures"</dt>
                <dd>
                    <a href="/admin/failures">{overview.open_failures}</a>
                </dd>
            </div>
            <div data-testid="median-render">
                <dt>"Median render (24 h)"</dt>
                <dd>{median}</dd>
            </div>
            <div data-testid="revenue-today">
                <dt>"Revenue today (UTC)"</dt>
                <dd>{revenue}</dd>
            </div>
            <div data-testid="points-today">
                <dt>"Points today (UTC)"</dt>
                <dd>
                    {format!(
                        "{} issued, {} redeemed",
                        overview.points_issued_today,
                        overview.points_redeemed_today,
                    )}
                </dd>
            </div>
        </dl>
        <h2>{format!("Orders per hour, last 24 hours ({total} in all)")}</h2>
        <HourChart hours=overview.orders_per_hour />
    }
}

/// A bar chart of orders per hour, drawn as SVG on the server.
#[component]
fn HourChart(hours: Vec<HourCount>) -> impl IntoView {
    const WIDTH: usize = 24 * 20;
    const HEIGHT: i64 = 120;
    let top = hours.iter().map(|h| h.orders).max().unwrap_or(0).max(1);
    let bars = hours
        .iter()
        .enumerate()
        .map(|(i, hour)| {
            let height = hour.orders * HEIGHT / top;
            let label = format!("{}: {} orders", hour.hour.get(11..16).unwrap_or(&hour.hour), hour.orders);
            view! {
                <rect
                    x=(i * 20 + 2).to_string()
                    y=(HEIGHT - height).to_string()
                    width="16"
                    height=height.to_string()
                    class="bar"
                    data-orders=hour.orders
                >
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let first = hours.first().and_then(|h| h.hour.get(11..16)).unwrap_or("").to_owned();
    let last = hours.last().and_then(|h| h.hour.get(11..16)).unwrap_or("").to_owned();
    view! {
        <svg
            class="chart"
            role="img"
            aria-label="Orders per hour over the last 24 hours"
            viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 16)
            data-testid="orders-chart"
        >
            {bars}
            <text x="0" y=(HEIGHT + 14).to_string() class="axis">
                {first}
            </text>
            <text x=(WIDTH - 36).to_string() y=(HEIGHT + 14).to_string() class="axis">
                {last}
            </text>
        </svg>
    }
}

//! `/admin/failures`: drawings that failed for good, with **Retry** for unpaid orders.

use super::{AdminNav, load_error};
use crate::{
    components::{FormError, form_error},
    domain::{Failure, OrderStatus},
    server_fns::{RetryFailure, admin_failures},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminFailuresPage() -> impl IntoView {
    let retry = ServerAction::<RetryFailure>::new();
    let error = form_error(retry);
    let failures = Resource::new(move || retry.version().get(), |_| admin_failures());
    view! {
        <Title text="Failures · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Failed drawings"</h1>
            <p class="hint">
                "Orders whose picture could not be drawn after every attempt. Retry queues an unpaid order again; a paid one is refunded instead."
            </p>
            <FormError error />
            <Suspense fallback=|| view! { <p>"Loading the failures…"</p> }>
                {move || Suspend::new(async move {
                    match failures.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p data-testid="no-failures">"No failures. All pictures were drawn."</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <table class="failures">
                                    <thead>
                                        <tr>
                                            <th>"Failed at"</th>
                                            <th>"Order"</th>
                                            <th>"Client"</th>
                                            <th>"Error"</th>
                                            <th>"Attempts"</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|failure| view! { <FailureRow failure retry /> })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                        Err(error) => load_error(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn FailureRow(failure: Failure, retry: ServerAction<RetryFailure>) -> impl IntoView {
    let when = failure.failed_at.get(..16).unwrap_or(&failure.failed_at).replace('T', " ");
    let what = format!("{} in {}", failure.shape.display_name(), failure.color);
    let order_id = failure.order_id.clone();
    let label = format!("Retry order {order_id}");
    let action = if failure.retryable {
        view! {
            <ActionForm action=retry attr:class="inline">
                <input type="hidden" name="order_id" value=order_id />
                <button type="submit" aria-label=label>
                    "Retry"
                </button>
            </ActionForm>
        }
        .into_any()
    } else if failure.order_status == OrderStatus::Refunded {
        view! { <span class="badge" data-status="refunded">"refunded"</span> }.into_any()
    } else {
        view! { <span class="hint">{format!("{} (refund pending)", failure.order_status.label())}</span> }
            .into_any()
    };
    view! {
        <tr data-order=failure.order_id.clone()>
            <td>{when} " UTC"</td>
            <td>
                <a href=format!("/orders/{}", failure.order_id)>{what}</a>
            </td>
            <td>{failure.email.clone()}</td>
            <td class="error-text">{failure.error.clone()}</td>
            <td>{failure.attempts}</td>
            <td>{action}</td>
        </tr>
    }
}

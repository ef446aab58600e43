//! `/admin/failures`: drawings that failed for good, with **Retry** for unpaid orders.

use super::{AdminNav, load_error};
use crate::{
    components::{FormError, form_error},
    domain::{Failure, FailureKind, OrderStatus},
    server_fns::{RetryFailure, RetryMail, admin_failures},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminFailuresPage() -> impl IntoView {
    let retry = ServerAction::<RetryFailure>::new();
    let retry_mail = ServerAction::<RetryMail>::new();
    let error = form_error(retry);
    let mail_error = form_error(retry_mail);
    let failures =
        Resource::new(move || (retry.version().get(), retry_mail.version().get()), |_| admin_failures());
    view! {
        <Title text="Failures · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Failures"</h1>
            <p class="hint">
                "Orders whose picture could not be drawn after every attempt, and mails that could not be sent. Retry queues an unpaid order again (a paid one is refunded instead) or sends the mail again."
            </p>
            <FormError error />
            <FormError error=mail_error />
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
                                            <th>"What"</th>
                                            <th>"Client"</th>
                                            <th>"Error"</th>
                                            <th>"Attempts"</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|failure| match failure.kind {
                                                FailureKind::Drawing => {
                                                    view! { <FailureRow failure retry /> }.into_any()
                                                }
                                                FailureKind::Mail => {
                                                    view! { <MailFailureRow failure retry=retry_mail /> }
                                                        .into_any()
                                                }
                                            })
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
    let order_id = failure.order_id.clone().unwrap_or_default();
    let what = format!(
        "{} in {}",
        failure.shape.map_or("A picture", |shape| shape.display_name()),
        failure.color.clone().unwrap_or_default()
    );
    let label = format!("Retry order {order_id}");
    let status = failure.order_status.unwrap_or(OrderStatus::Failed);
    let hidden_id = order_id.clone();
    let action = if failure.retryable {
        view! {
            <ActionForm action=retry attr:class="inline">
                <input type="hidden" name="order_id" value=hidden_id />
                <button type="submit" aria-label=label>
                    "Retry"
                </button>
            </ActionForm>
        }
        .into_any()
    } else if status == OrderStatus::Refunded {
        view! { <span class="badge" data-status="refunded">"refunded"</span> }.into_any()
    } else {
        view! { <span class="hint">{format!("{} (refund pending)", status.label())}</span> }.into_any()
    };
    view! {
        <tr data-order=order_id.clone() data-kind="drawing">
            <td>{when} " UTC"</td>
            <td>
                <a href=format!("/orders/{order_id}")>{what}</a>
            </td>
            <td>{failure.email.clone()}</td>
            <td class="error-text">{failure.error.clone()}</td>
            <td>{failure.attempts}</td>
            <td>{action}</td>
        </tr>
    }
}

#[component]
fn MailFailureRow(failure: Failure, retry: ServerAction<RetryMail>) -> impl IntoView {
    let when = failure.failed_at.get(..16).unwrap_or(&failure.failed_at).replace('T', " ");
    let what = format!("Mail: {}", failure.subject.clone().unwrap_or_default());
    let label = format!("Send the mail {} again", failure.id);
    let id = failure.id.clone();
    view! {
        <tr data-mail=id data-kind="mail">
            <td>{when} " UTC"</td>
            <td>{what}</td>
            <td>{failure.email.clone()}</td>
            <td class="error-text">{failure.error.clone()}</td>
            <td>{failure.attempts}</td>
            <td>
                <ActionForm action=retry attr:class="inline">
                    <input type="hidden" name="id" value=failure.id.clone() />
                    <button type="submit" aria-label=label>
                        "Retry"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

//! `/cart`: the pictures gathered for one checkout, priced now, and `/bills/{id}`: the
//! receipt of a cart checked out.

use crate::{
    components::{FormError, form_error},
    domain::{Bill, cart::Cart, catalogue::format_price},
    error::AppError,
    pages::NotFound,
    server_fns::{CancelBill, CheckoutCart, RemoveFromCart, my_bill, my_cart},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn CartPage() -> impl IntoView {
    let remove = ServerAction::<RemoveFromCart>::new();
    let checkout = ServerAction::<CheckoutCart>::new();
    let remove_error = form_error(remove);
    let checkout_error = form_error(checkout);
    let cart = Resource::new(move || (remove.version().get(), checkout.version().get()), |_| my_cart());
    view! {
        <Title text="Cart · Let Them Draw" />
        <section class="card cart">
            <h1>"Cart"</h1>
            <FormError error=remove_error />
            <FormError error=checkout_error />
            <Suspense fallback=|| view! { <p>"Loading your cart…"</p> }>
                {move || Suspend::new(async move {
                    match cart.await {
                        Ok(cart) if cart.items.is_empty() => {
                            view! {
                                <p data-testid="empty-cart">
                                    "Your cart is empty. " <A href="/orders/new">"Pick a picture"</A>
                                    " and choose Add to cart."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(cart) => view! { <CartTable cart remove checkout /> }.into_any(),
                        Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CartTable(
    cart: Cart,
    remove: ServerAction<RemoveFromCart>,
    checkout: ServerAction<CheckoutCart>,
) -> impl IntoView {
    let total = format_price(cart.subtotal_cents, &cart.currency);
    let label = if cart.subtotal_cents == 0 {
        "Order them (free)".to_owned()
    } else {
        format!("Check out · {total}")
    };
    view! {
        <table class="cart-list">
            <thead>
                <tr>
                    <th>"Picture"</th>
                    <th>"Price"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {cart
                    .items
                    .into_iter()
                    .map(|item| {
                        view! {
                            <tr data-testid="cart-item">
                                <td>{format!("{} in {}", item.shape.display_name(), item.color)}</td>
                                <td>{format_price(item.price_cents, &item.currency)}</td>
                                <td>
                                    <ActionForm action=remove>
                                        <input type="hidden" name="id" value=item.id.clone() />
                                        <button type="submit" class="secondary">
                                            "Remove"
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
            <tfoot>
                <tr>
                    <th scope="row">"Total"</th>
                    <td data-testid="cart-total">{total}</td>
                    <td></td>
                </tr>
            </tfoot>
        </table>
        {cart.problem.map(|problem| view! { <p class="form-error" role="alert">{problem}</p> })}
        <ActionForm action=checkout attr:class="checkout-actions">
            <button type="submit" data-testid="check-out">
                {label}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn BillPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let cancel = ServerAction::<CancelBill>::new();
    let error = form_error(cancel);
    let bill = Resource::new(move || (id(), cancel.version().get()), |(id, _)| my_bill(id));
    view! {
        <Title text="Bill · Let Them Draw" />
        <Suspense fallback=|| view! { <p>"Loading the bill…"</p> }>
            {move || Suspend::new(async move {
                match bill.await {
                    Ok(bill) => view! { <FormError error /> <Receipt bill cancel /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Receipt(bill: Bill, cancel: ServerAction<CancelBill>) -> impl IntoView {
    let bill_id = bill.id.clone();
    let currency = bill.currency.clone();
    let money = move |cents: i64| format_price(cents, &currency);
    let lines = bill
        .items
        .iter()
        .map(|line| {
            let href = format!("/orders/{}", line.order_id);
            view! {
                <tr data-testid="bill-line">
                    <td>
                        <a href=href>{format!("{} in {}", line.shape.display_name(), line.color)}</a>
                    </td>
                    <td>{money(line.price_cents)}</td>
                    <td>
                        <span class="badge" data-status=line.status.as_str() data-testid="bill-line-status">
                            {line.status.label()}
                        </span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card bill">
            <h1>"Bill"</h1>
            <p>
                <span class="badge" data-status=bill.status.as_str() data-testid="bill-status">
                    {bill.status.label()}
                </span>
            </p>
            <table class="bill-lines">
                <thead>
                    <tr>
                        <th>"Picture"</th>
                        <th>"Price"</th>
                        <th>"Status"</th>
                    </tr>
                </thead>
                <tbody>{lines}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Total"</th>
                        <td data-testid="bill-total">{money(bill.total_cents)}</td>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
            <dl class="facts">
                <dt>"Placed (UTC)"</dt>
                <dd>{bill.created_at.clone()}</dd>
                {bill.paid_at.clone().map(|at| view! { <dt>"Paid (UTC)"</dt> <dd data-testid="bill-paid-at">{at}</dd> })}
                {bill.paid_cents.map(|cents| view! { <dt>"Paid"</dt> <dd>{money(cents)}</dd> })}
                {(bill.refunded_cents > 0).then(|| view! { <dt>"Refunded"</dt> <dd data-testid="bill-refunded">{money(bill.refunded_cents)}</dd> })}
                {bill.failure_reason.clone().map(|reason| view! { <dt>"Why it failed"</dt> <dd>{reason}</dd> })}
            </dl>
            {bill
                .checkout_url
                .clone()
                .map(|url| {
                    view! {
                        <div class="checkout-actions">
                            <a class="button" href=url>
                                "Pay now"
                            </a>
                            <ActionForm action=cancel attr:class="inline">
                                <input type="hidden" name="id" value=bill_id.clone() />
                                <button type="submit" class="secondary">
                                    "Cancel the bill"
                                </button>
                            </ActionForm>
                        </div>
                    }
                })}
        </section>
    }
}

use super::{StatusBadge, short_time, title};
use crate::{
    components::{FieldError, FormError, Picture, form_error},
    domain::{Order, OrderStatus, catalogue::format_price, history::MAX_NOTE_CHARS},
    error::AppError,
    live::follow_orders,
    pages::NotFound,
    server_fns::{CancelOrder, OrderAgain, PayAgain, SaveNote, ShareOrder, get_order},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/orders/{id}`: one order, its status changing live, and the picture when done.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let actions = Actions {
        cancel: ServerAction::<CancelOrder>::new(),
        again: ServerAction::<OrderAgain>::new(),
        note: ServerAction::<SaveNote>::new(),
        share: ServerAction::<ShareOrder>::new(),
        pay: ServerAction::<PayAgain>::new(),
    };
    // Read again after each change made on the page.
    let changes =
        move || actions.cancel.version().get() + actions.note.version().get() + actions.share.version().get();
    let order = Resource::new(move || (id(), changes()), |(id, _)| get_order(id));
    view! {
        <Suspense fallback=|| view! { <p>"Loading the order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => view! { <OrderView order actions /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the order page can do to its order.
#[derive(Clone, Copy)]
struct Actions {
    cancel: ServerAction<CancelOrder>,
    again: ServerAction<OrderAgain>,
    note: ServerAction<SaveNote>,
    share: ServerAction<ShareOrder>,
    pay: ServerAction<PayAgain>,
}

/// The sizes offered for download besides the picture as drawn.
const DOWNLOAD_SIZES: [u32; 3] = [1024, 2048, 4096];

#[component]
fn OrderView(order: Order, actions: Actions) -> impl IntoView {
    let live = RwSignal::new(order.clone());
    if !order.is_settled() {
        let url = format!("/api/v1/orders/{}/events", order.id);
        Effect::new(move |_| {
            follow_orders(url.clone(), move |update| {
                let done = update.is_settled();
                live.set(update);
                done
            })
        });
    }
    let status = Signal::derive(move || live.with(|o| o.status));
    let picture_url = move || live.with(|o| o.picture_url.clone());
    let file_name = format!("let-them-draw-{}.png", order.id);
    let heading = title(&order);
    let alt = heading.clone();
    let (shape, colour, seed) = (order.shape, order.color.clone(), order.seed);
    let (cancel_id, pay_id, shared) = (order.id.clone(), order.id.clone(), order.clone());
    view! {
        <Title text=format!("{heading} · Let Them Draw") />
        <section class="card order">
            <div class="order-head">
                <h1>{heading.clone()}</h1>
                <StatusBadge order=live />
            </div>
            <div class="order-body">
                <div class="order-picture">
                    {move || match picture_url() {
                        Some(url) => {
                            view! {
                                <img src=url.clone() alt=alt.clone() class="picture" />
                                <a class="button" href=url.clone() download=file_name.clone()>
                                    "Download"
                                </a>
                                <a
                                    class="button secondary"
                                    href=format!("{url}?format=svg")
                                    download=file_name.replace(".png", ".svg")
                                >
                                    "Download SVG"
                                </a>
                                <p class="sizes">
                                    "Larger: "
                                    {DOWNLOAD_SIZES
                                        .iter()
                                        .map(|size| {
                                            view! {
                                                <a
                                                    href=format!("{url}?size={size}")
                                                    download=file_name.replace(".png", &format!("-{size}.png"))
                                                >
                                                    {format!("{size} px")}
                                                </a>
                                                " "
                                            }
                                        })
                                        .collect_view()}
                                </p>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <Picture
                                    shape=shape
                                    colour=colour.clone()
                                    seed=seed
                                    label="Sketch of the picture being drawn"
                                />
                            }
                                .into_any()
                        }
                    }}
                </div>
                <dl class="facts">
                    <dt>"Shape"</dt>
                    <dd>{order.shape.display_name()}</dd>
                    <dt>"Colour"</dt>
                    <dd>
                        <span class="swatch" style=format!("background:{}", order.color.hex_rgb())></span>
                        {order.color.to_string()}
                    </dd>
                    <dt>"Seed"</dt>
                    <dd>{order.seed}</dd>
                    <dt>"Price"</dt>
                    <dd>
                        {if order.price_cents == 0 {
                            "Free".to_owned()
                        } else {
                            format_price(order.price_cents, &order.currency)
                        }}
                    </dd>
                    {order
                        .paid_at
                        .clone()
                        .map(|paid_at| {
                            let amount = order.paid_cents.unwrap_or(order.price_cents);
                            view! {
                                <dt>"Paid"</dt>
                                <dd data-testid="paid">
                                    {format_price(amount, &order.currency)} " on " {short_time(&paid_at)}
                                </dd>
                            }
                        })}
                    {order
                        .paid_points
                        .map(|points| {
                            view! {
                                <dt>"Paid"</dt>
                                <dd data-testid="paid">{format!("{points} points")}</dd>
                            }
                        })}
                    {order
                        .refunded_at
                        .clone()
                        .map(|at| {
                            view! {
                                <dt>"Refunded"</dt>
                                <dd data-testid="refunded">{short_time(&at)}</dd>
                            }
                        })}
                    <dt>"Ordered"</dt>
                    <dd>{short_time(&order.created_at)}</dd>
                    <dt>"Updated"</dt>
                    <dd>{move || short_time(&live.with(|o| o.updated_at.clone()))}</dd>
                </dl>
            </div>
            <Show when=move || status.get() == OrderStatus::Failed>
                <p class="form-error" role="alert">
                    "This order failed: "
                    {move || live.with(|o| o.failure_reason.clone().unwrap_or_default())}
                </p>
            </Show>
            <Show when=move || status.get() == OrderStatus::Refunded>
                <p class="form-error" role="alert" data-testid="refund-notice">
                    "We could not draw this picture ("
                    {move || live.with(|o| o.failure_reason.clone().unwrap_or_default())}
                    "), so your payment was refunded in full."
                </p>
            </Show>
            <Show when=move || live.with(Order::is_retrying)>
                <p class="hint" data-testid="retry-notice">
                    "Drawing did not work on the first try; the artist is trying again ("
                    {move || live.with(|o| o.failed_attempts)}
                    " failed so far)."
                </p>
            </Show>
            <Show when=move || status.get() == OrderStatus::Cancelled>
                <p class="hint" data-testid="cancel-notice">"You cancelled this order; nothing was charged."</p>
            </Show>
            <Show when=move || status.get() == OrderStatus::AwaitingPayment>
                <p class="hint">"Waiting for payment. This page updates by itself."</p>
                <div class="order-actions">
                    {move || {
                        live.with(|o| o.checkout_url.clone())
                            .map(|url| view! { <a class="button" href=url>"Pay now"</a> })
                    }}
                    <CancelForm id=cancel_id.clone() action=actions.cancel />
                </div>
            </Show>
            <Show when=move || live.with(|o| o.payable_again)>
                <PayAgainForm id=pay_id.clone() action=actions.pay />
            </Show>
            <AgainForm order=order.clone() action=actions.again />
            <Show when=move || status.get() == OrderStatus::Done>
                <ShareForm order=shared.clone() action=actions.share />
            </Show>
            <NoteForm order=order.clone() action=actions.note />
        </section>
    }
}

/// **Cancel** an order waiting for payment.
#[component]
fn CancelForm(id: String, action: ServerAction<CancelOrder>) -> impl IntoView {
    let error = form_error(action);
    view! {
        <ActionForm action>
            <FormError error />
            <input type="hidden" name="id" value=id />
            <button type="submit" class="secondary">"Cancel order"</button>
        </ActionForm>
    }
}

/// **Pay now** after the checkout expired or failed: a new checkout at the same price.
#[component]
fn PayAgainForm(id: String, action: ServerAction<PayAgain>) -> impl IntoView {
    let error = form_error(action);
    view! {
        <ActionForm action attr:class="pay-again-form">
            <FormError error />
            <input type="hidden" name="id" value=id />
            <button type="submit">"Pay now"</button>
        </ActionForm>
    }
}

/// **Order again**: the same shape and picture, in this colour or another.
#[component]
fn AgainForm(order: Order, action: ServerAction<OrderAgain>) -> impl IntoView {
    let error = form_error(action);
    view! {
        <ActionForm action attr:class="again-form">
            <h2>"Order again"</h2>
            <FormError error />
            <input type="hidden" name="id" value=order.id.clone() />
            <label for="again-color">"Colour"</label>
            <input id="again-color" name="color" type="text" value=order.color.to_string() autocomplete="off" />
            <FieldError error field="color" />
            <button type="submit">"Order again"</button>
        </ActionForm>
    }
}

/// Share a done picture with a link anyone can open, or stop sharing it.
#[component]
fn ShareForm(order: Order, action: ServerAction<ShareOrder>) -> impl IntoView {
    let error = form_error(action);
    let shared = order.share_url.clone();
    view! {
        <ActionForm action attr:class="share-form">
            <h2>"Share"</h2>
            <FormError error />
            <input type="hidden" name="id" value=order.id.clone() />
            {match shared {
                Some(url) => {
                    view! {
                        <p>
                            "Anyone with this link sees the picture: "
                            <a href=url.clone() data-testid="share-link">{url.clone()}</a>
                        </p>
                        <input type="hidden" name="share" value="false" />
                        <button type="submit" class="secondary">"Stop sharing"</button>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <input type="hidden" name="share" value="true" />
                        <button type="submit" class="secondary">"Share a link"</button>
                    }
                        .into_any()
                }
            }}
        </ActionForm>
    }
}

/// The owner's note on the order: plain text, searched on the orders page.
#[component]
fn NoteForm(order: Order, action: ServerAction<SaveNote>) -> impl IntoView {
    let error = form_error(action);
    view! {
        <ActionForm action attr:class="note-form">
            <h2>"Note"</h2>
            <FormError error />
            {order.note.clone().map(|note| view! { <p class="note" data-testid="note">{note}</p> })}
            <input type="hidden" name="id" value=order.id.clone() />
            <label for="note">"Your note (only you see it)"</label>
            <textarea id="note" name="note" maxlength=MAX_NOTE_CHARS.to_string() rows="3">
                {order.note.clone().unwrap_or_default()}
            </textarea>
            <FieldError error field="note" />
            <button type="submit" class="secondary">"Save note"</button>
        </ActionForm>
    }
}

//! `/admin/shapes`: prices, currencies and which shapes are on sale.

use super::{AdminNav, load_error};
use crate::{
    components::{FieldError, FormError, form_error},
    domain::{
        ShapeSettings,
        catalogue::{format_price, major_amount},
    },
    server_fns::{UpdateShape, admin_shapes},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminShapesPage() -> impl IntoView {
    let action = ServerAction::<UpdateShape>::new();
    let error = form_error(action);
    let shapes = Resource::new(move || action.version().get(), |_| admin_shapes());
    view! {
        <Title text="Shapes · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Shapes and prices"</h1>
            <p class="hint">
                "A price of 0 makes a shape free. Inactive shapes are not offered to clients."
            </p>
            <FormError error />
            <FieldError error field="price" />
            <FieldError error field="currency" />
            <Suspense fallback=|| view! { <p>"Loading the shapes…"</p> }>
                {move || Suspend::new(async move {
                    match shapes.await {
                        Ok(list) => {
                            view! {
                                <table class="admin-shapes">
                                    <thead>
                                        <tr>
                                            <th>"#"</th>
                                            <th>"Shape"</th>
                                            <th>"Price"</th>
                                            <th>"Currency"</th>
                                            <th>"Active"</th>
                                            <th>"Stripe price"</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|shape| view! { <ShapeRow shape action /> })
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

/// One shape as a form: the row saves on its own.
#[component]
fn ShapeRow(shape: ShapeSettings, action: ServerAction<UpdateShape>) -> impl IntoView {
    let name = shape.name.name();
    let form_id = format!("shape-{name}");
    let price = major_amount(shape.price_cents, &shape.currency);
    let current = if shape.price_cents == 0 {
        "free".to_owned()
    } else {
        format_price(shape.price_cents, &shape.currency)
    };
    view! {
        <tr data-shape=name>
            <td class="hint">{shape.sort_order}</td>
            <th scope="row">
                {shape.display_name.clone()} <span class="hint">{format!(" ({current})")}</span>
            </th>
            <td>
                <input
                    form=form_id.clone()
                    type="text"
                    name="price"
                    inputmode="decimal"
                    value=price
                    aria-label=format!("{} price", shape.display_name)
                    size="8"
                />
            </td>
            <td>
                <input
                    form=form_id.clone()
                    type="text"
                    name="currency"
                    value=shape.currency.clone()
                    aria-label=format!("{} currency", shape.display_name)
                    size="3"
                />
            </td>
            <td>
                <input
                    form=form_id.clone()
                    type="checkbox"
                    name="active"
                    value="on"
                    checked=shape.active
                    aria-label=format!("{} active", shape.display_name)
                />
            </td>
            <td class="hint">{shape.stripe_price_id.clone().unwrap_or_else(|| "–".to_owned())}</td>
            <td>
                <ActionForm action attr:id=form_id attr:class="inline">
                    <input type="hidden" name="name" value=name />
                    <button type="submit" aria-label=format!("Save {}", shape.display_name)>
                        "Save"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

//! `/admin/campaigns`: points campaigns, which multiply what paid orders earn for a while.

use super::{AdminNav, load_error};
use crate::{
    components::{FieldError, FormError, form_error},
    domain::{Shape, loyalty::Campaign},
    server_fns::{ChangeCampaign, CreateCampaign, admin_campaigns},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminCampaignsPage() -> impl IntoView {
    let create = ServerAction::<CreateCampaign>::new();
    let change = ServerAction::<ChangeCampaign>::new();
    let create_error = form_error(create);
    let change_error = form_error(change);
    let campaigns =
        Resource::new(move || (create.version().get(), change.version().get()), |_| admin_campaigns());
    view! {
        <Title text="Campaigns · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Points campaigns"</h1>
            <p class="hint">
                "While a campaign runs, paid orders (of its shapes, or of every shape) earn their points times its multiplier. Where campaigns overlap, the highest multiplier counts. Times are UTC."
            </p>
            <FormError error=change_error />
            {["name", "starts_at", "ends_at", "multiplier"]
                .into_iter()
                .map(|field| view! { <FieldError error=change_error field /> })
                .collect_view()}
            <Suspense fallback=|| view! { <p>"Loading the campaigns…"</p> }>
                {move || Suspend::new(async move {
                    match campaigns.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p data-testid="no-campaigns">"No campaigns yet."</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <table class="admin-campaigns">
                                    <thead>
                                        <tr>
                                            <th>"Name"</th>
                                            <th>"Starts (UTC)"</th>
                                            <th>"Ends (UTC)"</th>
                                            <th>"Multiplier"</th>
                                            <th>"Shapes"</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|campaign| view! { <CampaignRow campaign action=change /> })
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

            <h2>"A new campaign"</h2>
            <ActionForm action=create attr:class="campaign-form">
                <FormError error=create_error />
                <label for="campaign-name">"Name"</label>
                <input id="campaign-name" name="name" type="text" maxlength="80" required />
                <FieldError error=create_error field="name" />
                <label for="campaign-starts">"Starts (UTC)"</label>
                <input id="campaign-starts" name="starts_at" type="datetime-local" required />
                <FieldError error=create_error field="starts_at" />
                <label for="campaign-ends">"Ends (UTC)"</label>
                <input id="campaign-ends" name="ends_at" type="datetime-local" required />
                <FieldError error=create_error field="ends_at" />
                <label for="campaign-multiplier">"Multiplier (1 to 10)"</label>
                <input id="campaign-multiplier" name="multiplier" type="number" min="1" max="10" value="2" required />
                <FieldError error=create_error field="multiplier" />
                <fieldset>
                    <legend>"Shapes (none ticked: every shape)"</legend>
                    {Shape::ALL
                        .into_iter()
                        .map(|shape| {
                            view! {
                                <label class="inline">
                                    <input type="checkbox" name="shapes[]" value=shape.name() />
                                    {shape.display_name()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <FieldError error=create_error field="shapes" />
                <button type="submit">"Start the campaign"</button>
            </ActionForm>
        </section>
    }
}

/// A stored time as a date-and-time field shows it: `YYYY-MM-DDTHH:MM` (UTC).
fn form_time(rfc3339: &str) -> String {
    rfc3339.chars().take(16).collect()
}

/// One campaign as a form: the row saves on its own.
#[component]
fn CampaignRow(campaign: Campaign, action: ServerAction<ChangeCampaign>) -> impl IntoView {
    let form_id = format!("campaign-{}", campaign.id);
    let shapes = if campaign.shapes.is_empty() {
        "every shape".to_owned()
    } else {
        campaign.shapes.iter().map(|shape| shape.display_name()).collect::<Vec<_>>().join(", ")
    };
    let name = campaign.name.clone();
    view! {
        <tr data-campaign=campaign.name.clone()>
            <td>
                <input
                    form=form_id.clone()
                    type="text"
                    name="name"
                    value=campaign.name.clone()
                    maxlength="80"
                    aria-label=format!("{name}: name")
                />
            </td>
            <td>
                <input
                    form=form_id.clone()
                    type="datetime-local"
                    name="starts_at"
                    value=form_time(&campaign.starts_at)
                    aria-label=format!("{name}: starts")
                />
            </td>
            <td>
                <input
                    form=form_id.clone()
                    type="datetime-local"
                    name="ends_at"
                    value=form_time(&campaign.ends_at)
                    aria-label=format!("{name}: ends")
                />
            </td>
            <td>
                <input
                    form=form_id.clone()
                    type="number"
                    name="multiplier"
                    min="1"
                    max="10"
                    value=campaign.multiplier.to_string()
                    aria-label=format!("{name}: multiplier")
                />
            </td>
            <td>{shapes}</td>
            <td>
                <ActionForm action attr:id=form_id attr:class="inline">
                    <input type="hidden" name="id" value=campaign.id.clone() />
                    <button type="submit" aria-label=format!("Save {name}")>"Save"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

//! `/admin/partners`: every API token by account, with today's requests; Revoke ends any.

use super::{AdminNav, load_error};
use crate::{
    components::{FormError, form_error},
    domain::tokens::{PartnerToken, Scope, utc_minute},
    server_fns::{RevokePartnerToken, partner_tokens},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPartnersPage() -> impl IntoView {
    let revoke = ServerAction::<RevokePartnerToken>::new();
    let error = form_error(revoke);
    let tokens = Resource::new(move || revoke.version().get(), |_| partner_tokens());
    view! {
        <Title text="Partners · Admin · Let Them Draw" />
        <AdminNav />
        <section class="card">
            <h1>"Partners"</h1>
            <p class="hint">"The API tokens of every account, with the requests made with each today (UTC)."</p>
            <FormError error />
            <Suspense fallback=|| view! { <p>"Loading the tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p data-testid="no-partners">"No API tokens."</p> }.into_any()
                        }
                        Ok(list) => view! { <PartnerTable list revoke /> }.into_any(),
                        Err(error) => load_error(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PartnerTable(list: Vec<PartnerToken>, revoke: ServerAction<RevokePartnerToken>) -> impl IntoView {
    view! {
        <table class="tokens-list">
            <thead>
                <tr>
                    <th>"Account"</th>
                    <th>"Token"</th>
                    <th>"May"</th>
                    <th>"Requests today"</th>
                    <th>"Last used (UTC)"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|token| {
                        let scopes = Scope::list(&token.info.scopes);
                        view! {
                            <tr data-testid="partner-row">
                                <td>{token.owner_email.clone()}</td>
                                <td>{token.info.name.clone()}</td>
                                <td>{scopes}</td>
                                <td data-testid="requests-today">{token.requests_today}</td>
                                <td>{token.info.last_used_at.map_or_else(|| "never".to_owned(), utc_minute)}</td>
                                <td>
                                    <ActionForm action=revoke>
                                        <input type="hidden" name="id" value=token.info.id.clone() />
                                        <button type="submit" class="secondary">
                                            "Revoke"
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

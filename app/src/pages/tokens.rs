//! `/account/tokens`: API tokens for the customer's scripts and partners. A new token is
//! shown once, right after it is made; the list shows names, scopes and dates, never tokens.

use crate::{
    components::{FieldError, FormError, form_error},
    domain::tokens::{ApiToken, MAX_DAYS, MAX_NAME_CHARS, NewToken, Scope, utc_minute},
    server_fns::{CreateApiToken, RevokeApiToken, api_tokens},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountTokensPage() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let error = form_error(create);
    let revoke_error = form_error(revoke);
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| api_tokens());
    let made = move || create.value().get().and_then(Result::ok);
    let query = use_query_map();
    let revoked = move || query.with(|q| q.get("notice").as_deref() == Some("revoked"));
    view! {
        <Title text="API tokens · Let Them Draw" />
        <section class="card tokens">
            <h1>"API tokens"</h1>
            <p class="hint">
                "A token lets a script or a partner's system order and read your pictures without your password: send it as "
                <code>"Authorization: Bearer …"</code>
                " to the order routes of the API (see "<a href="/api/v1/openapi.json">"the API document"</a>"). It cannot sign in, change your account or make tokens."
            </p>
            <Show when=revoked>
                <p class="notice" role="status">"The token is revoked: it no longer works."</p>
            </Show>
            {move || made().map(|made| view! { <MadeToken made /> })}
            <ActionForm action=create attr:class="token-form">
                <FormError error />
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" maxlength=MAX_NAME_CHARS.to_string() required placeholder="nightly export" />
                <FieldError error field="name" />
                <fieldset>
                    <legend>"It may"</legend>
                    <label>
                        <input type="checkbox" name="read" value="on" checked />
                        " read my orders and pictures (orders:read)"
                    </label>
                    <label>
                        <input type="checkbox" name="write" value="on" />
                        " order pictures (orders:write)"
                    </label>
                </fieldset>
                <FieldError error field="scopes" />
                <label for="token-days">"Expires after (days, empty for never)"</label>
                <input id="token-days" name="expires_in_days" type="number" min="1" max=MAX_DAYS.to_string() />
                <FieldError error field="expires_in_days" />
                <button type="submit">"Make a token"</button>
            </ActionForm>
            <h2>"Your tokens"</h2>
            <FormError error=revoke_error />
            <Suspense fallback=|| view! { <p>"Loading your tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p data-testid="no-tokens">"No tokens yet."</p> }.into_any()
                        }
                        Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                        Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The token just made, with a warning that it is shown only now.
#[component]
fn MadeToken(made: NewToken) -> impl IntoView {
    view! {
        <div class="notice made-token" role="status">
            <p>
                "Your new token “" {made.info.name} "”. Copy it now: it is not shown again."
            </p>
            <input readonly=true aria-label="New token" data-testid="new-token" value=made.token />
        </div>
    }
}

#[component]
fn TokenTable(list: Vec<ApiToken>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    view! {
        <table class="tokens-list">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"May"</th>
                    <th>"Made (UTC)"</th>
                    <th>"Last used"</th>
                    <th>"Expires"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|token| {
                        let scopes = Scope::list(&token.scopes);
                        view! {
                            <tr data-testid="token-row">
                                <td>{token.name.clone()}</td>
                                <td>{scopes}</td>
                                <td>{utc_minute(token.created_at)}</td>
                                <td data-testid="last-used">
                                    {token.last_used_at.map_or_else(|| "never".to_owned(), utc_minute)}
                                </td>
                                <td>{token.expires_at.map_or_else(|| "never".to_owned(), utc_minute)}</td>
                                <td>
                                    <ActionForm action=revoke>
                                        <input type="hidden" name="id" value=token.id.clone() />
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

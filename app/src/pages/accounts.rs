use crate::{
    auth::use_auth,
    components::{FieldError, FormError, form_error},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `?next=` of the current URL, passed through the form so sign-in returns there.
fn next_param() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || query.with(|q| q.get("next").unwrap_or_default()))
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = use_auth().sign_up;
    let error = form_error(action);
    let next = next_param();
    view! {
        <Title text="Sign up · Let Them Draw" />
        <section class="card narrow">
            <h1>"Create your account"</h1>
            <ActionForm action>
                <FormError error />
                <input type="hidden" name="next" value=next />
                <CredentialFields error new_password=true />
                <button type="submit">"Sign up"</button>
            </ActionForm>
            <p class="aside">"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = use_auth().sign_in;
    let error = form_error(action);
    let next = next_param();
    view! {
        <Title text="Sign in · Let Them Draw" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action>
                <FormError error />
                <input type="hidden" name="next" value=next />
                <CredentialFields error new_password=false />
                <button type="submit">"Sign in"</button>
            </ActionForm>
            <p class="aside">"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

/// E-mail and password inputs with their messages.
#[component]
fn CredentialFields(error: Signal<Option<crate::error::AppError>>, new_password: bool) -> impl IntoView {
    view! {
        <label for="email">"E-mail"</label>
        <input id="email" type="email" name="email" autocomplete="email" required />
        <FieldError error field="email" />
        <label for="password">"Password"</label>
        <input
            id="password"
            type="password"
            name="password"
            required
            autocomplete=if new_password { "new-password" } else { "current-password" }
        />
        {new_password.then(|| view! { <p class="hint">"8 to 128 characters."</p> })}
        <FieldError error field="password" />
    }
}

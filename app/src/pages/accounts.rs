use crate::{
    auth::use_auth,
    components::{FieldError, FormError, form_error},
    server_fns::{ConfirmAccount, ForgotPassword, ResendConfirmation, ResetPassword},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `?next=` of the current URL, passed through the form so sign-in returns there.
fn next_param() -> Signal<String> {
    query_param("next")
}

/// A query parameter of the current URL, or empty.
fn query_param(name: &'static str) -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || query.with(|q| q.get(name).unwrap_or_default()))
}

/// The message for `?notice=` after an account step, if any.
#[component]
fn Notice() -> impl IntoView {
    let notice = query_param("notice");
    let message = move || match notice.get().as_str() {
        "signed-up" => {
            Some("Check your mail: we sent a link to finish signing up. It may take a minute to arrive.")
        }
        "confirmed" => Some("Your e-mail address is confirmed. Sign in."),
        "reset" => Some("Your password is changed. Sign in with the new one."),
        "resent" => Some("We sent a new code. It may take a minute to arrive."),
        "sent" => Some("If an account has this address, we sent it a code. It may take a minute to arrive."),
        _ => None,
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="notice" role="status">{message}</p>
        </Show>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = use_auth().sign_up;
    let error = form_error(action);
    view! {
        <Title text="Sign up · Let Them Draw" />
        <section class="card narrow">
            <h1>"Create your account"</h1>
            <ActionForm action>
                <FormError error />
                <CredentialFields error new_password=true email=Signal::default() />
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
    let email = query_param("email");
    view! {
        <Title text="Sign in · Let Them Draw" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <Notice />
            <ActionForm action>
                <FormError error />
                <input type="hidden" name="next" value=next />
                <CredentialFields error new_password=false email />
                <button type="submit">"Sign in"</button>
            </ActionForm>
            <p class="aside">
                <a href="/accounts/forgot">"Forgot your password?"</a>
                " · New here? "
                <a href="/signup">"Create an account"</a>
                " · "
                <a href="/accounts/confirm">"Confirm your e-mail"</a>
            </p>
        </section>
    }
}

/// `/accounts/confirm?email=&code=`: the code mailed at sign-up (Cognito) or the
/// verification link (local accounts) confirms the address; the account signs in after.
#[component]
pub fn ConfirmAccountPage() -> impl IntoView {
    let action = ServerAction::<ConfirmAccount>::new();
    let error = form_error(action);
    let resend = ServerAction::<ResendConfirmation>::new();
    let resend_error = form_error(resend);
    let (email, code) = (query_param("email"), query_param("code"));
    view! {
        <Title text="Confirm your e-mail · Let Them Draw" />
        <section class="card narrow">
            <h1>"Confirm your e-mail"</h1>
            <Notice />
            <p class="hint">"Enter the code we mailed you when you signed up."</p>
            <ActionForm action>
                <FormError error />
                <EmailAndCode error email code />
                <button type="submit">"Confirm"</button>
            </ActionForm>
            // Offered once the address is known (from the sign-up or the link).
            <Show when=move || !email.get().is_empty()>
                <ActionForm action=resend attr:class="secondary-form">
                    <FormError error=resend_error />
                    <input type="hidden" name="email" value=email />
                    <FieldError error=resend_error field="email" />
                    <button type="submit" class="link-button">"Send me a new code"</button>
                </ActionForm>
            </Show>
        </section>
    }
}

/// `/accounts/forgot`: asks for a password reset code by mail.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = form_error(action);
    let email = query_param("email");
    view! {
        <Title text="Forgot your password · Let Them Draw" />
        <section class="card narrow">
            <h1>"Forgot your password?"</h1>
            <p class="hint">"We mail you a code to choose a new one."</p>
            <ActionForm action>
                <FormError error />
                <EmailField error value=email />
                <button type="submit">"Mail me a code"</button>
            </ActionForm>
        </section>
    }
}

/// `/accounts/reset?email=&code=`: a new password, with the mailed code.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = form_error(action);
    let (email, code) = (query_param("email"), query_param("code"));
    view! {
        <Title text="Choose a new password · Let Them Draw" />
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <Notice />
            <ActionForm action>
                <FormError error />
                <EmailAndCode error email code />
                <label for="password">"New password"</label>
                <input id="password" type="password" name="password" autocomplete="new-password" required />
                <p class="hint">"8 to 128 characters."</p>
                <FieldError error field="password" />
                <button type="submit">"Change my password"</button>
            </ActionForm>
        </section>
    }
}

/// The e-mail and code inputs, prefilled from the mailed link, with their messages.
#[component]
fn EmailAndCode(
    error: Signal<Option<crate::error::AppError>>,
    email: Signal<String>,
    code: Signal<String>,
) -> impl IntoView {
    view! {
        <EmailField error value=email />
        <label for="code">"Code"</label>
        <input id="code" name="code" autocomplete="one-time-code" required value=code />
        <FieldError error field="code" />
    }
}

/// The e-mail input, prefilled from the link, with its message.
#[component]
fn EmailField(error: Signal<Option<crate::error::AppError>>, value: Signal<String>) -> impl IntoView {
    view! {
        <label for="email">"E-mail"</label>
        <input id="email" type="email" name="email" autocomplete="email" required value=value />
        <FieldError error field="email" />
    }
}

/// E-mail (prefilled with `email`) and password inputs with their messages.
#[component]
fn CredentialFields(
    error: Signal<Option<crate::error::AppError>>,
    new_password: bool,
    email: Signal<String>,
) -> impl IntoView {
    view! {
        <EmailField error value=email />
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

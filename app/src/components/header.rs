use crate::auth::use_auth;
use leptos::prelude::*;
use leptos_router::components::A;

/// Site header: the brand, and either the signed-in e-mail with Sign out, or the account links.
#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                "Let Them Draw"
            </A>
            <nav aria-label="Account">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => {
                                view! {
                                    <A href="/orders/new">"Order a picture"</A>
                                    <A href="/orders">"My orders"</A>
                                    {user.is_admin.then(|| view! { <A href="/admin">"Admin"</A> })}
                                    <A href="/account">"Account"</A>
                                    <span class="who" data-testid="signed-in-as">
                                        {user.email}
                                    </span>
                                    <ActionForm action=auth.sign_out attr:class="inline">
                                        <button type="submit" class="link">
                                            "Sign out"
                                        </button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <A href="/signin">"Sign in"</A>
                                    <A href="/signup">"Sign up"</A>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

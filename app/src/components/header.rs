use crate::{auth::use_auth, server_fns::HeaderFigures};
use leptos::prelude::*;
use leptos_router::components::A;

/// Site header: the brand, and either the signed-in e-mail with Sign out, or the account links.
#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    // The cart's count and the points balance, read again on every page change so an
    // addition shows on the next page. Made here, beside the account, and awaited with it:
    // a resource made inside the suspended part could resolve after the server sent it.
    let location = leptos_router::hooks::use_location();
    let badges = Resource::new(move || location.pathname.get(), |_| crate::server_fns::badges());
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
                                let figures = badges.await.unwrap_or_default();
                                view! {
                                    <A href="/orders/new">"Order a picture"</A>
                                    <A href="/orders">"My orders"</A>
                                    <CartLink figures />
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

/// The header's link to the cart, with how many pictures it holds, and the points balance.
#[component]
fn CartLink(figures: HeaderFigures) -> impl IntoView {
    let HeaderFigures { cart_items, points, .. } = figures;
    view! {
        <A href="/cart">
            "Cart"
            {(cart_items > 0)
                .then(|| view! { <span class="cart-count" data-testid="cart-count">{cart_items}</span> })}
        </A>
        {(points > 0).then(|| view! { <span class="points" data-testid="points-balance">{format!("{points} points")}</span> })}
    }
}

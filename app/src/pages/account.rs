use crate::{
    auth::use_auth,
    components::{FieldError, FormError, form_error},
    domain::loyalty::Loyalty,
    server_fns::{ChangeEmail, ChangePassword, ConfirmEmail, DeleteAccount, my_points},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/account`: the signed-in customer's points, e-mail, password, data and the account itself.
/// Plain HTML forms: each answer is a new page, so the header shows the account as it is.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let code = move || query.with(|q| q.get("code").unwrap_or_default());
    let notice = move || {
        query.with(|q| match q.get("notice").as_deref() {
            Some("password") => Some("Your password is changed. Your other sessions are signed out."),
            Some("email-sent") => Some(
                "We sent a code to the new address. Open the link in that mail, or enter the code below.",
            ),
            Some("email-changed") => Some("Your e-mail address is changed."),
            _ => None,
        })
    };
    let password_error = form_error(ServerAction::<ChangePassword>::new());
    let email_error = form_error(ServerAction::<ChangeEmail>::new());
    let confirm_error = form_error(ServerAction::<ConfirmEmail>::new());
    let delete_error = form_error(ServerAction::<DeleteAccount>::new());
    view! {
        <Title text="Your account · Let Them Draw" />
        <section class="card narrow account">
            <h1>"Your account"</h1>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <p>
                "Signed in as "
                <Suspense fallback=|| ()>
                    <strong data-testid="account-email">
                        {move || Suspend::new(async move { auth.user.await.ok().flatten().map(|u| u.email) })}
                    </strong>
                </Suspense>
            </p>

            <Points />

            <h2>"E-mail"</h2>
            <form method="post" action=ChangeEmail::PATH>
                <FormError error=email_error />
                <label for="new-email">"New e-mail address"</label>
                <input id="new-email" name="email" type="email" autocomplete="email" required />
                <FieldError error=email_error field="email" />
                <button type="submit" class="secondary">"Send a code to the new address"</button>
            </form>
            <form method="post" action=ConfirmEmail::PATH>
                <FormError error=confirm_error />
                <label for="email-code">"Code from the mail"</label>
                <input id="email-code" name="code" type="text" autocomplete="one-time-code" value=code required />
                <FieldError error=confirm_error field="code" />
                <FieldError error=confirm_error field="email" />
                <button type="submit" class="secondary">"Change my e-mail"</button>
            </form>

            <h2>"Password"</h2>
            <form method="post" action=ChangePassword::PATH>
                <FormError error=password_error />
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
                <FieldError error=password_error field="current_password" />
                <label for="new-password">"New password"</label>
                <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength="8" required />
                <FieldError error=password_error field="new_password" />
                <button type="submit" class="secondary">"Change password"</button>
            </form>

            <h2>"Scripts and partners"</h2>
            <p>
                <a href="/account/tokens">"API tokens for your scripts and partners"</a>
            </p>

            <h2>"Your data"</h2>
            <p>
                <a href="/api/v1/account/export" download="let-them-draw-account.json">
                    "Download everything we keep about you (JSON)"
                </a>
            </p>

            <h2>"Delete the account"</h2>
            <p class="hint">
                "Your sessions, pictures and share links go; your orders stay, without your name, for our books. You cannot sign in afterwards."
            </p>
            <form method="post" action=DeleteAccount::PATH>
                <FormError error=delete_error />
                <label for="delete-password">"Password"</label>
                <input id="delete-password" name="password" type="password" autocomplete="current-password" required />
                <FieldError error=delete_error field="password" />
                <button type="submit" class="danger">"Delete my account"</button>
            </form>
        </section>
    }
}

/// The points: balance, debt, what expires next, and the ledger a page at a time
/// (`?points_after=<cursor>` for older entries).
#[component]
fn Points() -> impl IntoView {
    let query = use_query_map();
    let points = Resource::new(move || query.with(|q| q.get("points_after")), my_points);
    view! {
        <h2 id="points">"Points"</h2>
        <Suspense fallback=|| view! { <p>"Loading your points…"</p> }>
            {move || Suspend::new(async move {
                match points.await {
                    Ok(loyalty) => view! { <Ledger loyalty /> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Ledger(loyalty: Loyalty) -> impl IntoView {
    let Loyalty { balance, debt, next_expiry, entries, next_cursor, .. } = loyalty;
    view! {
        <p data-testid="points-summary">
            {format!("You have {balance} points.")}
            {(debt > 0).then(|| format!(" You owe {debt} points from a refund: later earnings settle them first."))}
        </p>
        <p class="hint">"Paid pictures earn 10 points per whole unit of their price when they are drawn; points pay for pictures on the order form."</p>
        {next_expiry.map(|next| {
            let day: String = next.at.chars().take(10).collect();
            view! { <p data-testid="points-expiry">{format!("{} points expire on {day}.", next.points)}</p> }
        })}
        {(!entries.is_empty()).then(|| view! {
            <table class="points-ledger">
                <thead>
                    <tr><th>"When (UTC)"</th><th>"What"</th><th>"Points"</th></tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|entry| {
                        let when: String = entry.created_at.chars().take(16).collect::<String>().replace('T', " ");
                        let points = if entry.points > 0 { format!("+{}", entry.points) } else { entry.points.to_string() };
                        view! {
                            <tr data-kind=entry.kind.as_str()>
                                <td>{when}</td>
                                <td>{entry.reason}</td>
                                <td class="amount">{points}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {next_cursor.map(|cursor| view! {
            <p><a href=format!("/account?points_after={}#points", crate::url::query_value(&cursor))>"Older entries"</a></p>
        })}
    }
}

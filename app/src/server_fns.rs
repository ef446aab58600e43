//! Server functions: each checks the caller, calls one service method and says where the
//! browser goes next.

use crate::{
    domain::{
        Failure, Order, OrderPage, OrderQuery, Overview, ShapeInfo, ShapeSettings, SharedPicture,
        SimulatedCheckout, User,
    },
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};

mod cart;
mod loyalty;
mod tokens;

pub use cart::*;
pub use loyalty::*;
pub use tokens::*;

#[cfg(feature = "ssr")]
use crate::url::query_value;

/// The shape catalogue.
#[server(prefix = "/api/fn", endpoint = "shapes", input = GetUrl)]
pub async fn list_shapes() -> Result<Vec<ShapeInfo>, AppError> {
    let (services, _) = crate::services::context()?;
    services.catalogue.active().await
}

/// The signed-in user, or `None`.
#[server(prefix = "/api/fn", endpoint = "me", input = GetUrl)]
pub async fn current_user() -> Result<Option<User>, AppError> {
    let (_, caller) = crate::services::context()?;
    Ok(caller.user)
}

/// Takes a sign-up, then goes to the confirmation page: the mailed link confirms the
/// address, and the account signs in after that.
#[server(prefix = "/api/fn", endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    services.accounts.sign_up(&caller, &email, &password).await?;
    leptos_axum::redirect(&format!("/accounts/confirm?notice=signed-up&email={}", query_value(email.trim())));
    Ok(())
}

/// Confirms an account's e-mail with the mailed code, then goes to sign in.
#[server(prefix = "/api/fn", endpoint = "confirm_account")]
pub async fn confirm_account(email: String, code: String) -> Result<(), AppError> {
    let (services, _) = crate::services::context()?;
    services.accounts.confirm(&email, &code).await?;
    leptos_axum::redirect(&format!("/signin?notice=confirmed&email={}", query_value(&email)));
    Ok(())
}

/// Mails a new confirmation code.
#[server(prefix = "/api/fn", endpoint = "resend_confirmation")]
pub async fn resend_confirmation(email: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    services.accounts.resend_confirmation(&caller, &email).await?;
    leptos_axum::redirect(&format!("/accounts/confirm?notice=resent&email={}", query_value(&email)));
    Ok(())
}

/// Mails a password reset code, then asks for it.
#[server(prefix = "/api/fn", endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    services.accounts.forgot_password(&caller, &email).await?;
    leptos_axum::redirect(&format!("/accounts/reset?notice=sent&email={}", query_value(&email)));
    Ok(())
}

/// Sets a new password with the mailed code, then goes to sign in.
#[server(prefix = "/api/fn", endpoint = "reset_password")]
pub async fn reset_password(email: String, code: String, password: String) -> Result<(), AppError> {
    let (services, _) = crate::services::context()?;
    services.accounts.reset_password(&email, &code, &password).await?;
    leptos_axum::redirect(&format!("/signin?notice=reset&email={}", query_value(&email)));
    Ok(())
}

/// Signs in and goes to `next` (or home).
#[server(prefix = "/api/fn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<User, AppError> {
    use crate::services::{context, set_cookie};
    let (services, caller) = context()?;
    let signed_in = services.accounts.sign_in(&caller, &email, &password).await?;
    set_cookie(signed_in.cookie);
    leptos_axum::redirect(safe_next(next.as_deref()));
    Ok(signed_in.user)
}

/// Ends the session and goes home.
#[server(prefix = "/api/fn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::services::{context, set_cookie};
    let (services, caller) = context()?;
    set_cookie(services.accounts.sign_out(&caller).await?);
    leptos_axum::redirect("/");
    Ok(())
}

/// **Order** on the order form: goes to checkout (priced shapes) or to the order's page
/// (free ones). **Add to cart** (`to_cart` set): puts the picture in the cart instead and
/// goes to the cart (no order then).
#[server(prefix = "/api/fn", endpoint = "create_order")]
pub async fn create_order(
    shape: String,
    color: String,
    seed: Option<String>,
    to_cart: Option<String>,
    pay_with: Option<String>,
) -> Result<Option<Order>, AppError> {
    let (services, caller) = crate::services::context()?;
    let seed = form_seed(seed.as_deref())?;
    let user = caller.user()?;
    if to_cart.is_some() {
        services.cart.add_to_cart(&user, &shape, &color, seed).await?;
        leptos_axum::redirect("/cart");
        return Ok(None);
    }
    let pay_with = crate::domain::loyalty::PayWith::parse(pay_with.as_deref())?;
    let order = services.orders.create(&user, &shape, &color, seed, pay_with).await?;
    to_checkout_or_order(&order);
    Ok(Some(order))
}

/// The order behind a simulated checkout session.
#[server(prefix = "/api/fn", endpoint = "simulated_checkout", input = GetUrl)]
pub async fn simulated_checkout_of(session_id: String) -> Result<SimulatedCheckout, AppError> {
    let (services, caller) = crate::services::context()?;
    services.checkout.simulated_checkout(&caller.user()?, &session_id).await
}

/// Pays, cancels or lets a simulated checkout session expire, then goes where Stripe would.
#[server(prefix = "/api/fn", endpoint = "finish_simulated_checkout")]
pub async fn finish_simulated_checkout(session_id: String, choice: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    let user = caller.user()?;
    let choice = crate::domain::CheckoutChoice::parse(&choice)?;
    let next = services.checkout.finish_simulated_checkout(&user, &session_id, choice).await?;
    leptos_axum::redirect(&next);
    Ok(())
}

/// Every shape with its settings (admins only).
#[server(prefix = "/api/fn", endpoint = "admin_shapes", input = GetUrl)]
pub async fn admin_shapes() -> Result<Vec<ShapeSettings>, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    services.catalogue.all().await
}

/// Saves a shape's price (typed in major units, e.g. `3.00`), currency and active flag.
#[server(prefix = "/api/fn", endpoint = "update_shape")]
pub async fn update_shape(
    name: String,
    price: String,
    currency: String,
    active: Option<String>,
) -> Result<ShapeSettings, AppError> {
    use crate::domain::{ShapeUpdate, catalogue::parse_price};
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    let update = ShapeUpdate {
        price_cents: Some(parse_price(&price, &currency)?),
        currency: Some(currency),
        active: Some(active.is_some()),
    };
    // The form types a price, not minor units: name the field the person sees.
    services.catalogue.update(&name, update).await.map_err(|error| match error {
        AppError::Validation { field, message } if field == "price_cents" => {
            AppError::validation("price", message)
        }
        other => other,
    })
}

/// The admin console's figures (admins only).
#[server(prefix = "/api/fn", endpoint = "admin_overview", input = GetUrl)]
pub async fn admin_overview() -> Result<Overview, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    services.console.overview().await
}

/// Failed drawings and mails not retried yet (admins only).
#[server(prefix = "/api/fn", endpoint = "admin_failures", input = GetUrl)]
pub async fn admin_failures() -> Result<Vec<Failure>, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    services.console.failures().await
}

/// **Retry** on the failures page: queues the failed order again.
#[server(prefix = "/api/fn", endpoint = "retry_failure")]
pub async fn retry_failure(order_id: String) -> Result<Order, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    services.orders.retry(&order_id).await
}

/// **Retry** of a mail on the failures page: sends it again.
#[server(prefix = "/api/fn", endpoint = "retry_mail")]
pub async fn retry_mail(id: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    services.mail.retry_dead(&id).await
}

/// One of the signed-in user's orders.
#[server(prefix = "/api/fn", endpoint = "order", input = GetUrl)]
pub async fn get_order(id: String) -> Result<Order, AppError> {
    let (services, caller) = crate::services::context()?;
    services.orders.get(&caller.user()?, &id).await
}

/// Changes the password (the current one required), then back to the account page.
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    caller.user()?;
    services.profile.change_password(&caller, &current_password, &new_password).await?;
    leptos_axum::redirect("/account?notice=password");
    Ok(())
}

/// Mails a code to a new address, then back to the account page to enter it.
#[server(prefix = "/api/fn", endpoint = "change_email")]
pub async fn change_email(email: String) -> Result<(), AppError> {
    let (services, caller) = crate::services::context()?;
    caller.user()?;
    services.profile.change_email(&caller, &email).await?;
    leptos_axum::redirect("/account?notice=email-sent");
    Ok(())
}

/// Moves the account to the new address with the mailed code.
#[server(prefix = "/api/fn", endpoint = "confirm_email")]
pub async fn confirm_email(code: String) -> Result<User, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.user()?;
    let user = services.profile.confirm_email(&caller, &code).await?;
    leptos_axum::redirect("/account?notice=email-changed");
    Ok(user)
}

/// Deletes the account (the password required), signs out and goes home.
#[server(prefix = "/api/fn", endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    use crate::services::{context, set_cookie};
    let (services, caller) = context()?;
    caller.user()?;
    set_cookie(services.profile.delete_account(&caller, &password).await?);
    leptos_axum::redirect("/?notice=deleted");
    Ok(())
}

/// A page of the signed-in user's orders, newest first, searched and filtered.
#[server(prefix = "/api/fn", endpoint = "orders", input = GetUrl)]
pub async fn list_orders(query: OrderQuery) -> Result<OrderPage, AppError> {
    let (services, caller) = crate::services::context()?;
    services.orders.list(&caller.user()?, &query.parse()?).await
}

/// **Order again**: the same shape in `color` (else the same colour) with the same seed,
/// then to checkout (priced shapes) or to the new order's page.
#[server(prefix = "/api/fn", endpoint = "order_again")]
pub async fn order_again(id: String, color: Option<String>) -> Result<Order, AppError> {
    let (services, caller) = crate::services::context()?;
    let colour = color.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let order = services.orders.again(&caller.user()?, &id, colour, None).await?;
    to_checkout_or_order(&order);
    Ok(order)
}

/// **Pay now** for an order whose checkout expired or failed: a new checkout, then to it.
#[server(prefix = "/api/fn", endpoint = "pay_again")]
pub async fn pay_again(id: String) -> Result<Order, AppError> {
    let (services, caller) = crate::services::context()?;
    let order = services.orders.pay_again(&caller.user()?, &id).await?;
    to_checkout_or_order(&order);
    Ok(order)
}

/// **Cancel** an order waiting for payment, then back to its page.
#[server(prefix = "/api/fn", endpoint = "cancel_order")]
pub async fn cancel_order(id: String) -> Result<Order, AppError> {
    let (services, caller) = crate::services::context()?;
    let order = services.orders.cancel(&caller.user()?, &id).await?;
    leptos_axum::redirect(&format!("/orders/{}", order.id));
    Ok(order)
}

/// Saves the note on an order (empty removes it), then back to its page.
#[server(prefix = "/api/fn", endpoint = "save_note")]
pub async fn save_note(id: String, note: String) -> Result<Order, AppError> {
    let (services, caller) = crate::services::context()?;
    let order = services.orders.set_note(&caller.user()?, &id, Some(&note)).await?;
    leptos_axum::redirect(&format!("/orders/{}", order.id));
    Ok(order)
}

/// **Share** (`share` set) or **stop sharing** a done picture, then back to its page.
#[server(prefix = "/api/fn", endpoint = "share_order")]
pub async fn share_order(id: String, share: Option<String>) -> Result<Option<String>, AppError> {
    let (services, caller) = crate::services::context()?;
    let user = caller.user()?;
    let url = match share.as_deref() {
        Some("false") | Some("off") | None => {
            services.sharing.unshare(&user, &id).await?;
            None
        }
        Some(_) => Some(services.sharing.share(&user, &id).await?),
    };
    leptos_axum::redirect(&format!("/orders/{id}"));
    Ok(url)
}

/// The picture behind a share link, to anyone.
#[server(prefix = "/api/fn", endpoint = "shared_picture", input = GetUrl)]
pub async fn get_shared_picture(token: String) -> Result<SharedPicture, AppError> {
    let (services, _) = crate::services::context()?;
    services.sharing.shared(&token).await
}

/// Sends the browser to the order's checkout while it waits for payment, else to its page.
/// The order form's seed field: blank for one the server picks.
#[cfg(feature = "ssr")]
fn form_seed(seed: Option<&str>) -> Result<Option<u32>, AppError> {
    match seed.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<u32>()
            .map(Some)
            .map_err(|_| AppError::validation("seed", "seed must be a whole number from 0 to 4294967295")),
    }
}

#[cfg(feature = "ssr")]
fn to_checkout_or_order(order: &Order) {
    match &order.checkout_url {
        Some(url) => leptos_axum::redirect(url),
        None => leptos_axum::redirect(&format!("/orders/{}", order.id)),
    }
}

/// Where to go after signing in: a path on this site only, never another origin.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && path.len() <= 512
                && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_kept_only_for_local_paths() {
        assert_eq!(safe_next(Some("/orders/42")), "/orders/42");
        assert_eq!(safe_next(Some("/orders?x=1")), "/orders?x=1");
        for bad in ["https://evil.example", "//evil.example", "/\\evil", "", "orders", "/a b", "/é"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

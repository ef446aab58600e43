//! Server functions: thin wrappers over [`crate::services::Services`].

use crate::{
    domain::{Order, ShapeInfo, User},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};

/// The shape catalogue.
#[server(prefix = "/api/fn", endpoint = "shapes", input = GetUrl)]
pub async fn list_shapes() -> Result<Vec<ShapeInfo>, AppError> {
    let (services, _) = crate::services::context()?;
    services.shapes().await
}

/// The signed-in user, or `None`.
#[server(prefix = "/api/fn", endpoint = "me", input = GetUrl)]
pub async fn current_user() -> Result<Option<User>, AppError> {
    let (services, request) = crate::services::context()?;
    services.current_user(&request).await
}

/// Creates an account, signs it in and goes to `next` (or home).
#[server(prefix = "/api/fn", endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String, next: Option<String>) -> Result<User, AppError> {
    use crate::services::{context, set_cookie};
    let (services, request) = context()?;
    let signed_in = services.sign_up(&request, &email, &password).await?;
    set_cookie(signed_in.cookie);
    leptos_axum::redirect(safe_next(next.as_deref()));
    Ok(signed_in.user)
}

/// Signs in and goes to `next` (or home).
#[server(prefix = "/api/fn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<User, AppError> {
    use crate::services::{context, set_cookie};
    let (services, request) = context()?;
    let signed_in = services.sign_in(&request, &email, &password).await?;
    set_cookie(signed_in.cookie);
    leptos_axum::redirect(safe_next(next.as_deref()));
    Ok(signed_in.user)
}

/// Ends the session and goes home.
#[server(prefix = "/api/fn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::services::{context, set_cookie};
    let (services, request) = context()?;
    set_cookie(services.sign_out(&request).await?);
    leptos_axum::redirect("/");
    Ok(())
}

/// Orders a picture and goes to its page.
#[server(prefix = "/api/fn", endpoint = "create_order")]
pub async fn create_order(shape: String, color: String) -> Result<Order, AppError> {
    let (services, request) = crate::services::context()?;
    let order = services.create_order(&request, &shape, &color).await?;
    leptos_axum::redirect(&format!("/orders/{}", order.id));
    Ok(order)
}

/// One of the signed-in user's orders.
#[server(prefix = "/api/fn", endpoint = "order", input = GetUrl)]
pub async fn get_order(id: String) -> Result<Order, AppError> {
    let (services, request) = crate::services::context()?;
    services.order(&request, &id).await
}

/// The signed-in user's orders, newest first.
#[server(prefix = "/api/fn", endpoint = "orders", input = GetUrl)]
pub async fn list_orders() -> Result<Vec<Order>, AppError> {
    let (services, request) = crate::services::context()?;
    services.orders(&request).await
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

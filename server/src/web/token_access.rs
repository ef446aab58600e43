//! Where an API token may go. Deny by default: a token reaches the order and cart routes of the
//! REST API within its scopes and the public routes, and nothing else — no page, server
//! function, admin or account route, and no token route (a token cannot make tokens).

use app::{domain::tokens::Scope, error::AppError};
use axum::http::Method;

/// What a route asks of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Open to anyone: the token is not needed.
    Public,
    /// Needs this scope.
    Needs(Scope),
    /// Never with a token.
    Never,
}

/// The access `method path` asks of a token.
pub fn access(method: &Method, path: &str) -> Access {
    let Some(rest) = path.strip_prefix("/api/v1/") else { return Access::Never };
    let parts: Vec<&str> = rest.split('/').collect();
    let read = *method == Method::GET || *method == Method::HEAD;
    match (parts.as_slice(), read) {
        (["shapes"] | ["openapi.json"] | ["shared", _, "picture"], true) => Access::Public,
        (
            ["orders"]
            | ["orders", "events"]
            | ["orders", _]
            | ["orders", _, "picture" | "events"]
            | ["cart"]
            | ["bills", _],
            true,
        ) => Access::Needs(Scope::OrdersRead),
        (["cart", "items" | "checkout"], false) if *method == Method::POST => {
            Access::Needs(Scope::OrdersWrite)
        }
        (["cart", "items", _], false) if *method == Method::DELETE => Access::Needs(Scope::OrdersWrite),
        (["orders"], false) if *method == Method::POST => Access::Needs(Scope::OrdersWrite),
        (["orders", id], false) if *method == Method::PATCH && *id != "events" => {
            Access::Needs(Scope::OrdersWrite)
        }
        (["bills", _, "cancel"], false) if *method == Method::POST => Access::Needs(Scope::OrdersWrite),
        (["orders", _, "again" | "cancel" | "checkout"], false) if *method == Method::POST => {
            Access::Needs(Scope::OrdersWrite)
        }
        (["orders", _, "share"], false) if *method == Method::POST || *method == Method::DELETE => {
            Access::Needs(Scope::OrdersWrite)
        }
        _ => Access::Never,
    }
}

/// Whether a token with `scopes` may send `method path`: 403 naming what is missing.
pub fn check(method: &Method, path: &str, scopes: &[Scope]) -> Result<(), AppError> {
    match access(method, path) {
        Access::Public => Ok(()),
        Access::Needs(scope) if scopes.contains(&scope) => Ok(()),
        Access::Needs(scope) => {
            Err(AppError::Forbidden { message: format!("this API token lacks the {} scope", scope.as_str()) })
        }
        Access::Never => {
            Err(AppError::Forbidden { message: "an API token cannot be used here: sign in instead".into() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_routes_need_their_scope() {
        let id = "0190c3c4-0000-7000-8000-000000000000";
        for path in ["/api/v1/orders", "/api/v1/orders/events", &format!("/api/v1/orders/{id}")] {
            assert_eq!(access(&Method::GET, path), Access::Needs(Scope::OrdersRead), "{path}");
        }
        for tail in ["picture", "events"] {
            let path = format!("/api/v1/orders/{id}/{tail}");
            assert_eq!(access(&Method::GET, &path), Access::Needs(Scope::OrdersRead), "{path}");
        }
        assert_eq!(access(&Method::POST, "/api/v1/orders"), Access::Needs(Scope::OrdersWrite));
        assert_eq!(access(&Method::GET, "/api/v1/cart"), Access::Needs(Scope::OrdersRead));
        assert_eq!(access(&Method::GET, "/api/v1/bills/0190"), Access::Needs(Scope::OrdersRead));
        assert_eq!(access(&Method::POST, "/api/v1/cart/checkout"), Access::Needs(Scope::OrdersWrite));
        assert_eq!(access(&Method::POST, "/api/v1/cart/items"), Access::Needs(Scope::OrdersWrite));
        assert_eq!(
            access(&Method::DELETE, &format!("/api/v1/cart/items/{id}")),
            Access::Needs(Scope::OrdersWrite)
        );
        assert_eq!(access(&Method::DELETE, "/api/v1/cart"), Access::Never);
        assert_eq!(
            access(&Method::PATCH, &format!("/api/v1/orders/{id}")),
            Access::Needs(Scope::OrdersWrite)
        );
        for tail in ["again", "cancel", "checkout", "share"] {
            let path = format!("/api/v1/orders/{id}/{tail}");
            assert_eq!(access(&Method::POST, &path), Access::Needs(Scope::OrdersWrite), "{path}");
        }
        let share = format!("/api/v1/orders/{id}/share");
        assert_eq!(access(&Method::DELETE, &share), Access::Needs(Scope::OrdersWrite));
    }

    #[test]
    fn everything_else_is_closed_to_tokens() {
        for (method, path) in [
            (Method::GET, "/api/v1/admin/shapes"),
            (Method::PUT, "/api/v1/admin/shapes/circle"),
            (Method::GET, "/api/v1/admin/live"),
            (Method::POST, "/api/v1/tokens"),
            (Method::GET, "/api/v1/tokens"),
            (Method::DELETE, "/api/v1/tokens/x"),
            (Method::GET, "/api/v1/account/export"),
            (Method::DELETE, "/api/v1/account"),
            (Method::POST, "/api/v1/sessions"),
            (Method::DELETE, "/api/v1/sessions"),
            (Method::POST, "/api/v1/accounts"),
            (Method::GET, "/orders/new"),
            (Method::POST, "/api/fn/create_order"),
            (Method::GET, "/dev/mail.json"),
            (Method::DELETE, "/api/v1/orders"),
            (Method::PUT, "/api/v1/orders/x"),
        ] {
            assert_eq!(access(&method, path), Access::Never, "{method} {path}");
        }
    }

    #[test]
    fn public_routes_need_nothing_and_a_missing_scope_is_named() {
        assert_eq!(access(&Method::GET, "/api/v1/shapes"), Access::Public);
        assert_eq!(access(&Method::GET, "/api/v1/openapi.json"), Access::Public);
        assert_eq!(access(&Method::GET, "/api/v1/shared/abc/picture"), Access::Public);
        let refused = check(&Method::POST, "/api/v1/orders", &[Scope::OrdersRead]);
        assert!(matches!(refused, Err(AppError::Forbidden { message }) if message.contains("orders:write")));
        assert!(check(&Method::GET, "/api/v1/orders", &[Scope::OrdersRead]).is_ok());
    }
}

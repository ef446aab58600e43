//! Failures the user must not see: logged once with their cause, shown as
//! [`AppError::Internal`].

use app::error::AppError;

/// Logs an unexpected failure once, with its cause, and hides it behind [`AppError::Internal`].
pub fn internal<E: std::fmt::Display + std::fmt::Debug>(what: &'static str) -> impl FnOnce(E) -> AppError {
    move |error| {
        tracing::error!(error = %error, details = ?error, "{what}");
        AppError::Internal
    }
}

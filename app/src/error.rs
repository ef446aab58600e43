//! The one error type that crosses the wire, from server functions and the REST API alike.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// User-safe errors. `Internal` deliberately carries no detail: the cause is logged on the
/// server where it happens and never reaches the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("{message}")]
    BadRequest { message: String },
    #[error("sign in first")]
    Unauthenticated,
    #[error("wrong e-mail or password, or the address is not confirmed yet (open the link we mailed you)")]
    InvalidCredentials,
    #[error("this API token is unknown, expired or revoked")]
    InvalidToken,
    #[error("{message}")]
    Forbidden { message: String },
    #[error("not found")]
    NotFound,
    #[error("there is no such API route")]
    NoSuchRoute,
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("request body is too large")]
    PayloadTooLarge,
    #[error("send JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("{message}")]
    TooManyRequests { message: String, retry_after_secs: u64 },
    #[error("{message}")]
    Unavailable { message: String },
    #[error("something went wrong on our side; please try again")]
    Internal,
    #[error("could not reach the server: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation { field: field.to_owned(), message: message.into() }
    }

    /// Too many attempts (sign-in, sign-up, mails): try again in `retry_after_secs`.
    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        AppError::TooManyRequests {
            message: format!("too many attempts: try again in {retry_after_secs} s"),
            retry_after_secs,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::BadRequest { .. } | AppError::Transport { .. } => 400,
            AppError::Unauthenticated | AppError::InvalidCredentials | AppError::InvalidToken => 401,
            AppError::Forbidden { .. } => 403,
            AppError::NotFound | AppError::NoSuchRoute => 404,
            AppError::Conflict { .. } => 409,
            AppError::PayloadTooLarge => 413,
            AppError::UnsupportedMediaType => 415,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal => 500,
            AppError::Unavailable { .. } => 503,
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "invalid",
            AppError::BadRequest { .. } | AppError::Transport { .. } => "bad_request",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::InvalidToken => "invalid_token",
            AppError::Forbidden { .. } => "forbidden",
            AppError::NotFound => "not_found",
            AppError::NoSuchRoute => "no_such_route",
            AppError::Conflict { .. } => "conflict",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Internal => "internal",
            AppError::Unavailable { .. } => "unavailable",
        }
    }

    /// The form field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest { message: format!("malformed form: {message}") }
            }
            other => AppError::Transport { message: other.to_string() },
        }
    }
}

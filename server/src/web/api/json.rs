//! A JSON body extractor whose errors name the offending field.

use crate::web::error::ApiError;
use app::error::AppError;
use app::request::parse_json;
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but refusals are [`AppError`]s: 415 without a JSON content type,
/// 413 over the body limit, 400 for malformed JSON, 422 naming the field for wrong data.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| mime.trim().to_ascii_lowercase())
            .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType.into());
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest { message: rejection.body_text() }
            }
        })?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// A JSON body that may be left out: an empty body is `T::default()`; any other body is read
/// as [`ApiJson`] reads it.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let empty = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|length| length.trim() == "0")
            || (request.headers().get(header::CONTENT_LENGTH).is_none()
                && request.headers().get(header::TRANSFER_ENCODING).is_none());
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        ApiJson::from_request(request, state).await.map(|ApiJson(body)| OptionalJson(body))
    }
}

/// Like `axum::extract::Query`, but refusals are 422 naming the field (a repeated one, a
/// wrong type), like every other bad input of this API.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let message = rejection.body_text();
                let detail = message.strip_prefix("Failed to deserialize query string: ").unwrap_or(&message);
                let field = detail.split('`').nth(1).filter(|f| !f.is_empty()).unwrap_or("query");
                Err(AppError::validation(field, format!("query string: {detail}")).into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::FromRequestParts;

    #[derive(Debug, serde::Deserialize)]
    struct Sized {
        #[allow(dead_code)]
        size: Option<String>,
    }

    #[tokio::test]
    async fn a_repeated_query_field_is_named() {
        let request = axum::http::Request::builder().uri("/x?size=1&size=2").body(()).expect("request");
        let (mut parts, ()) = request.into_parts();
        let refused = ApiQuery::<Sized>::from_request_parts(&mut parts, &()).await.err().map(|e| e.0);
        assert_eq!(refused.as_ref().and_then(|e| e.field()), Some("size"), "{refused:?}");
    }
}

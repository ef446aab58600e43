//! A JSON body extractor whose errors name the offending field.

use crate::error::ApiError;
use app::error::AppError;
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
        parse(&bytes).map(ApiJson).map_err(ApiError)
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Every request body of this API is an object; serde alone would also take an array
    // for a struct, field by position.
    let skipped = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    if bytes.get(skipped).is_some_and(|b| *b != b'{') {
        let valid = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        return Err(if valid {
            AppError::validation("body", "the body must be a JSON object")
        } else {
            AppError::BadRequest { message: "the body is not valid JSON".into() }
        });
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let detail = strip_position(&inner.to_string());
        if !inner.is_data() {
            return AppError::BadRequest { message: format!("the body is not valid JSON: {detail}") };
        }
        let field = if path == "." { quoted_field(&detail).unwrap_or("body").to_owned() } else { path };
        let message = if detail.starts_with("missing field") {
            format!("{field} is required")
        } else {
            format!("{field}: {detail}")
        };
        AppError::Validation { field, message }
    })
}

/// serde_json appends " at line L column C"; people do not need it.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// The name in "missing field `email`".
fn quoted_field(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only parsed")]
    struct Body {
        email: String,
        count: u32,
    }

    #[test]
    fn names_the_missing_or_mistyped_field() {
        let missing = parse::<Body>(br#"{"count": 1}"#).err();
        assert_eq!(missing.as_ref().and_then(|e| e.field()), Some("email"));
        assert_eq!(missing.map(|e| e.to_string()).as_deref(), Some("email is required"));
        let mistyped = parse::<Body>(br#"{"email": 5, "count": 1}"#).err();
        assert_eq!(mistyped.as_ref().and_then(|e| e.field()), Some("email"));
        assert_eq!(mistyped.map(|e| e.status()), Some(422));
    }

    #[test]
    fn only_objects_are_bodies() {
        for body in [&br#"["a@b.c", 1]"#[..], b"7", b"\"text\"", b" null"] {
            let error = parse::<Body>(body).err();
            assert_eq!(error.as_ref().map(AppError::status), Some(422), "{body:?}");
            assert_eq!(error.as_ref().and_then(|e| e.field()), Some("body"));
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        for body in [&b"{"[..], b"not json", b""] {
            assert_eq!(parse::<Body>(body).err().map(|e| e.status()), Some(400));
        }
    }
}

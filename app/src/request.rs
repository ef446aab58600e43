//! Request bodies as the REST API reads them: JSON objects whose errors name the field.
//! Pure functions over bytes, so they are tested and fuzzed without a server.

use crate::{
    domain::{Colour, Shape, parse_request},
    error::AppError,
};
use serde::{Deserialize, de::DeserializeOwned};

/// `POST /api/v1/orders`: `{"shape", "color", "seed"?}`. The seed (0 to 2^32 − 1) picks
/// which picture of the shape is drawn, the same one the order form previewed; without it
/// the server picks one.
#[derive(Debug, Deserialize)]
pub struct OrderRequest {
    pub shape: String,
    pub color: String,
    #[serde(default)]
    pub seed: Option<u32>,
    /// `card` (the default: at checkout) or `points`.
    #[serde(default)]
    pub pay_with: Option<String>,
}

impl OrderRequest {
    /// Reads the body and checks its fields: the shape, colour and seed it asks for.
    pub fn parse(bytes: &[u8]) -> Result<(Shape, Colour, Option<u32>), AppError> {
        let request: Self = parse_json(bytes)?;
        let (shape, colour) = parse_request(&request.shape, &request.color)?;
        Ok((shape, colour, request.seed))
    }
}

/// `POST /api/v1/orders/{id}/again`: `{"color"?, "seed"?}`: the same shape again, in
/// the same colour and with the same seed unless given.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgainRequest {
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub seed: Option<u32>,
}

/// `POST /api/v1/account/password`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/account/email`: the new address.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    pub email: String,
}

/// `POST /api/v1/account/email/confirm`: the code mailed to the new address.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailCode {
    pub code: String,
}

/// `DELETE /api/v1/account`: the password, to be sure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDeletion {
    pub password: String,
}

/// Reads a JSON object into `T`: 400 for malformed JSON, 422 naming the field for wrong data.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
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
        let missing = parse_json::<Body>(br#"{"count": 1}"#).err();
        assert_eq!(missing.as_ref().and_then(|e| e.field()), Some("email"));
        assert_eq!(missing.map(|e| e.to_string()).as_deref(), Some("email is required"));
        let mistyped = parse_json::<Body>(br#"{"email": 5, "count": 1}"#).err();
        assert_eq!(mistyped.as_ref().and_then(|e| e.field()), Some("email"));
        assert_eq!(mistyped.map(|e| e.status()), Some(422));
    }

    #[test]
    fn only_objects_are_bodies() {
        for body in [&br#"["a@b.c", 1]"#[..], b"7", b"\"text\"", b" null"] {
            let error = parse_json::<Body>(body).err();
            assert_eq!(error.as_ref().map(AppError::status), Some(422), "{body:?}");
            assert_eq!(error.as_ref().and_then(|e| e.field()), Some("body"));
        }
    }

    #[test]
    fn an_order_request_names_the_field_it_refuses() {
        let field = |body: &[u8]| OrderRequest::parse(body).err().and_then(|e| e.field().map(str::to_owned));
        assert_eq!(field(br#"{"shape": "hexagon", "color": "red"}"#).as_deref(), Some("shape"));
        assert_eq!(field(br#"{"shape": "circle", "color": "nope"}"#).as_deref(), Some("color"));
        assert_eq!(field(br#"{"shape": "circle"}"#).as_deref(), Some("color"));
        for seed in [&b"-1"[..], b"4294967296", b"1.5", b"\"7\""] {
            let body = [&br#"{"shape": "circle", "color": "red", "seed": "#[..], seed, b"}"].concat();
            assert_eq!(field(&body).as_deref(), Some("seed"), "{}", String::from_utf8_lossy(seed));
        }
        let (shape, colour, seed) =
            OrderRequest::parse(br##"{"shape": "Tiled Lines", "color": "#0f0"}"##).expect("valid");
        assert_eq!(shape, Shape::parse("tiled lines").expect("shape"));
        assert_eq!(colour.hex_rgb(), "#00ff00");
        assert_eq!(seed, None);
        let (.., seed) = OrderRequest::parse(br#"{"shape": "voronoi", "color": "red", "seed": 4294967295}"#)
            .expect("valid");
        assert_eq!(seed, Some(u32::MAX));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        for body in [&b"{"[..], b"not json", b""] {
            assert_eq!(parse_json::<Body>(body).err().map(|e| e.status()), Some(400));
        }
    }
}

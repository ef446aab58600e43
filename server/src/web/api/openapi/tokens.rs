//! The API tokens' part of the document: their routes and schemas, the `token` security
//! scheme, and which operations take a token (from [`token_access`], so the document and
//! the check cannot drift apart).

use super::{error_responses, id_param, json_body, with};
use crate::web::token_access::{self, Access};
use axum::http::Method;
use serde_json::{Value, json};

pub fn paths() -> Value {
    let body_errors = ["400", "413", "415", "422"];
    let me = json!([{ "session": [] }]);
    json!({
        "/tokens": {
            "get": {
                "summary": "My API tokens that were not revoked, newest first (never the tokens themselves)",
                "security": me,
                "responses": with(error_responses(&["401", "403"]), json!({ "200": { "description": "Tokens",
                    "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/ApiToken" } } } } } }))
            },
            "post": {
                "summary": "Make an API token for a script or a partner: `Authorization: Bearer <token>` on the order routes within its scopes. The token is in this answer only; at most 20 working tokens per account",
                "security": me, "requestBody": json_body("TokenRequest"),
                "responses": with(error_responses(&[&body_errors[..], &["401", "403", "409"]].concat()), json!({ "201": { "description": "Made",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewToken" } } } } }))
            }
        },
        "/tokens/{id}": { "delete": {
            "summary": "Revoke one of my tokens: its next request gets 401 and its live streams end",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "403", "404"]), json!({ "204": { "description": "Revoked" } }))
        } },
        "/admin/tokens": { "get": {
            "summary": "Every API token by owner, with today's requests and when it was last used (admins)",
            "security": me,
            "responses": with(error_responses(&["401", "403"]), json!({ "200": { "description": "Tokens",
                "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/PartnerToken" } } } } } }))
        } },
        "/admin/tokens/{id}": { "delete": {
            "summary": "Revoke anyone's API token (admins)",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "403", "404"]), json!({ "204": { "description": "Revoked" } }))
        } }
    })
}

pub fn schemas() -> Value {
    let token = json!({
        "id": { "type": "string" }, "name": { "type": "string" },
        "scopes": { "type": "array", "items": { "$ref": "#/components/schemas/Scope" } },
        "created_at": { "type": "integer", "description": "Unix seconds" },
        "last_used_at": { "type": ["integer", "null"] }, "expires_at": { "type": ["integer", "null"] }
    });
    let required = json!(["id", "name", "scopes", "created_at", "last_used_at", "expires_at"]);
    let mut new_token = token.clone();
    new_token["token"] =
        json!({ "type": "string", "description": "ltd_ and 43 characters; shown this once" });
    let mut partner = token.clone();
    partner["owner_email"] = json!({ "type": "string" });
    partner["requests_today"] = json!({ "type": "integer", "minimum": 0 });
    let with_fields = |extra: &[&str]| {
        let mut fields = required.as_array().cloned().unwrap_or_default();
        fields.extend(extra.iter().map(|f| json!(f)));
        fields
    };
    json!({
        "Scope": { "type": "string", "enum": ["orders:read", "orders:write"] },
        "TokenRequest": { "type": "object", "additionalProperties": false, "required": ["name", "scopes"], "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 60 },
            "scopes": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/Scope" } },
            "expires_in_days": { "type": ["integer", "null"], "minimum": 1, "maximum": 365, "description": "Left out: no expiry" } } },
        "ApiToken": { "type": "object", "required": required.clone(), "properties": token },
        "NewToken": { "type": "object", "required": with_fields(&["token"]), "properties": new_token },
        "PartnerToken": { "type": "object", "required": with_fields(&["owner_email", "requests_today"]), "properties": partner }
    })
}

/// The `token` scheme.
pub fn scheme() -> Value {
    json!({ "type": "http", "scheme": "bearer", "description": "An API token (`ltd_…`, POST /tokens) in `Authorization: Bearer`; it reaches the order routes within its scopes, never admin, account or token routes" })
}

/// Lets every operation that takes a token say so, with the scope it needs.
pub fn offer_tokens(spec: &mut Value) {
    let Some(paths) = spec["paths"].as_object_mut() else { return };
    for (path, operations) in paths.iter_mut() {
        let Some(operations) = operations.as_object_mut() else { continue };
        let concrete = format!("/api/v1{}", path.replace("{id}", "id").replace("{token}", "token"));
        for (method, operation) in operations.iter_mut() {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
            if let Access::Needs(scope) = token_access::access(&method, &concrete) {
                operation["security"] = json!([{ "session": [] }, { "token": [scope.as_str()] }]);
            }
        }
    }
}

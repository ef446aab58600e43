//! The points' part of the document: the ledger's route and schemas.

use super::{error_responses, json_body, ok_json, with};
use serde_json::{Value, json};

pub fn paths() -> Value {
    let me = json!([{ "session": [] }]);
    let admin = json!([{ "session": [] }]);
    let body_errors = ["400", "413", "415", "422"];
    let campaign = || json!({ "$ref": "#/components/schemas/Campaign" });
    json!({
        "/loyalty": { "get": {
            "summary": "My loyalty points: the balance (the sum of the ledger, never below zero), any debt, what expires next, and a page of the ledger, newest first: follow next_cursor for older entries. A paid order earns 10 points per whole currency unit paid when it is done, once, times the best campaign running when it was paid",
            "security": me,
            "parameters": [
                { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } },
                { "name": "cursor", "in": "query", "required": false, "schema": { "type": "string" }, "description": "next_cursor of the page before" }
            ],
            "responses": with(error_responses(&["401", "403", "422"]), json!({ "200": { "description": "The points",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Loyalty" } } } } }))
        } },
        "/admin/campaigns": {
            "get": {
                "summary": "Every points campaign, the latest to start first (admins)",
                "security": admin,
                "responses": with(error_responses(&["401", "403"]),
                    ok_json("Campaigns", json!({ "type": "array", "items": campaign() })))
            },
            "post": {
                "summary": "A new points campaign (admins): name, starts_at, ends_at (after starts_at) and multiplier (1 to 10) needed; shapes optional (empty: every shape)",
                "security": admin,
                "requestBody": json_body("CampaignRequest"),
                "responses": with(error_responses(&[&body_errors[..], &["401", "403"]].concat()),
                    json!({ "201": { "description": "Created", "content": { "application/json": { "schema": campaign() } } } }))
            }
        },
        "/admin/campaigns/{id}": { "patch": {
            "summary": "Change any fields of a points campaign (admins); the result is checked as a whole (ends_at after starts_at)",
            "security": admin,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": json_body("CampaignRequest"),
            "responses": with(error_responses(&[&body_errors[..], &["401", "403", "404"]].concat()),
                ok_json("The campaign", campaign()))
        } }
    })
}

pub fn schemas() -> Value {
    json!({
        "PointEntry": { "type": "object", "required": ["id", "kind", "points", "reason", "created_at"], "properties": {
            "id": { "type": "string" },
            "kind": { "type": "string", "enum": ["earned", "redeemed", "expired", "reversed", "adjusted"] },
            "points": { "type": "integer", "description": "Signed: earned points are positive" },
            "reason": { "type": "string" },
            "order_id": { "type": "string" },
            "created_at": { "type": "string", "format": "date-time" } } },
        "Loyalty": { "type": "object", "required": ["balance", "debt", "points_per_cent", "entries"], "properties": {
            "points_per_cent": { "type": "integer", "minimum": 1, "description": "What one cent of a price costs in points (POST /orders with pay_with: points)" },
            "balance": { "type": "integer", "minimum": 0, "description": "Points that can be spent" },
            "debt": { "type": "integer", "minimum": 0, "description": "Points owed after a refund took back points already spent; later earnings settle it first" },
            "next_expiry": { "type": "object", "required": ["points", "at"], "description": "The oldest points held, which expire first (LTD_POINTS_EXPIRE_DAYS after they were earned)", "properties": {
                "points": { "type": "integer", "minimum": 1 }, "at": { "type": "string", "format": "date-time" } } },
            "next_cursor": { "type": "string", "description": "Set while older entries follow" },
            "entries": { "type": "array", "maxItems": 100, "items": { "$ref": "#/components/schemas/PointEntry" } } } },
        "Campaign": { "type": "object", "required": ["id", "name", "starts_at", "ends_at", "multiplier", "shapes"], "properties": {
            "id": { "type": "string" },
            "name": { "type": "string" },
            "starts_at": { "type": "string", "format": "date-time" },
            "ends_at": { "type": "string", "format": "date-time" },
            "multiplier": { "type": "integer", "minimum": 1, "maximum": 10 },
            "shapes": { "type": "array", "items": { "$ref": "#/components/schemas/ShapeName" }, "description": "Empty: every shape" } } },
        "CampaignRequest": { "type": "object", "additionalProperties": false, "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 80 },
            "starts_at": { "type": "string", "examples": ["2027-01-31T18:00:00Z", "2027-01-31T18:00"], "description": "RFC 3339, or YYYY-MM-DDTHH:MM read as UTC" },
            "ends_at": { "type": "string", "description": "After starts_at; RFC 3339, or YYYY-MM-DDTHH:MM read as UTC" },
            "multiplier": { "type": "integer", "minimum": 1, "maximum": 10 },
            "shapes": { "type": "array", "items": { "type": "string" }, "description": "Shape names; empty: every shape" } } }
    })
}

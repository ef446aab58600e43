//! The points' part of the document: the ledger's route and schemas.

use super::{error_responses, with};
use serde_json::{Value, json};

pub fn paths() -> Value {
    let me = json!([{ "session": [] }]);
    json!({
        "/loyalty": { "get": {
            "summary": "My loyalty points: the balance (the sum of the ledger) and the newest 100 entries, newest first. A paid order earns 10 points per whole currency unit paid when it is done, once",
            "security": me,
            "responses": with(error_responses(&["401", "403"]), json!({ "200": { "description": "The points",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Loyalty" } } } } }))
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
        "Loyalty": { "type": "object", "required": ["balance", "entries"], "properties": {
            "balance": { "type": "integer" },
            "entries": { "type": "array", "maxItems": 100, "items": { "$ref": "#/components/schemas/PointEntry" } } } }
    })
}

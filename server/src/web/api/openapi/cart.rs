//! The cart's part of the document: its routes and schemas.

use super::{error_responses, id_param, json_body, with};
use serde_json::{Value, json};

pub fn paths() -> Value {
    let body_errors = ["400", "413", "415", "422"];
    let me = json!([{ "session": [] }]);
    json!({
        "/cart": { "get": {
            "summary": "My cart: its pictures, oldest first, priced by the catalogue now, and their subtotal",
            "security": me,
            "responses": with(error_responses(&["401", "403"]), json!({ "200": { "description": "The cart",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Cart" } } } } }))
        } },
        "/cart/items": { "post": {
            "summary": "Put a picture in my cart, checked exactly like an order (at most 20 pictures; 409 when full, or when its price is in another currency than the cart's)",
            "security": me, "requestBody": json_body("NewOrder"),
            "responses": with(error_responses(&[&body_errors[..], &["401", "403", "409"]].concat()), json!({ "201": { "description": "Added",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CartItem" } } } } }))
        } },
        "/cart/items/{id}": { "delete": {
            "summary": "Take a picture out of my cart",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "403", "404"]), json!({ "204": { "description": "Removed" } }))
        } }
    })
}

pub fn schemas() -> Value {
    json!({
        "CartItem": { "type": "object", "required": ["id", "shape", "color", "seed", "size", "price_cents", "currency"], "properties": {
            "id": { "type": "string" }, "shape": { "$ref": "#/components/schemas/ShapeName" }, "color": { "type": "string" },
            "seed": { "type": "integer", "minimum": 0 },
            "size": { "type": "integer", "minimum": 1, "description": "The picture's side in pixels" },
            "price_cents": { "type": "integer", "minimum": 0, "description": "The catalogue's price now" },
            "currency": { "type": "string" } } },
        "Cart": { "type": "object", "required": ["items", "subtotal_cents", "currency"], "properties": {
            "items": { "type": "array", "maxItems": 20, "items": { "$ref": "#/components/schemas/CartItem" } },
            "subtotal_cents": { "type": "integer", "minimum": 0 },
            "currency": { "type": "string" },
            "problem": { "type": "string", "description": "Set when the cart cannot be paid as it is (its pictures are priced in several currencies)" } } }
    })
}

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
        } },
        "/cart/checkout": { "post": {
            "summary": "Check out my cart: one bill with an order per picture, priced by the catalogue now, and the cart emptied. Free pictures alone are queued at once (no checkout_url); else one checkout (checkout_url) pays them all, and its payment queues every order or, expired, fails them all. 409 when the cart is empty, holds a withdrawn shape or prices in several currencies",
            "security": me,
            "responses": with(error_responses(&["401", "403", "409", "429", "503"]), json!({ "201": { "description": "The bill",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewBill" } } } } }))
        } },
        "/bills/{id}/cancel": { "post": {
            "summary": "Cancel my bill while it waits for payment: every order waiting with it is cancelled and its checkout closed (a payment that still arrives is given back). 409 for a bill in any other status",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "403", "404", "409"]), json!({ "200": { "description": "The bill, cancelled",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Bill" } } } } }))
        } },
        "/bills/{id}": { "get": {
            "summary": "One of my bills: its orders as they are now, what was paid and what was refunded",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "403", "404"]), json!({ "200": { "description": "The bill",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Bill" } } } } }))
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
            "problem": { "type": "string", "description": "Set when the cart cannot be paid as it is (its pictures are priced in several currencies)" } } },
        "NewBill": { "type": "object", "required": ["bill_id", "checkout_url"], "properties": {
            "bill_id": { "type": "string" },
            "checkout_url": { "type": ["string", "null"], "description": "Where to pay; null when every picture is free (they are queued)" } } },
        "BillLine": { "type": "object", "required": ["order_id", "shape", "color", "seed", "price_cents", "status"], "properties": {
            "order_id": { "type": "string" }, "shape": { "$ref": "#/components/schemas/ShapeName" }, "color": { "type": "string" },
            "seed": { "type": "integer", "minimum": 0 },
            "price_cents": { "type": "integer", "minimum": 0, "description": "The catalogue's price at checkout" },
            "status": { "$ref": "#/components/schemas/OrderStatus" },
            "refunded_at": { "type": "string", "format": "date-time", "description": "Set once this line's part of the payment was given back" } } },
        "Bill": { "type": "object", "required": ["id", "status", "items", "total_cents", "currency", "created_at"], "properties": {
            "id": { "type": "string" },
            "status": { "type": "string", "enum": ["free", "awaiting_payment", "paid", "failed"] },
            "items": { "type": "array", "maxItems": 20, "items": { "$ref": "#/components/schemas/BillLine" } },
            "total_cents": { "type": "integer", "minimum": 0 }, "currency": { "type": "string" },
            "created_at": { "type": "string", "format": "date-time" },
            "paid_at": { "type": "string", "format": "date-time", "description": "Set once paid" },
            "paid_cents": { "type": "integer", "description": "What the payment provider took; set once paid" },
            "refunded_cents": { "type": "integer", "minimum": 1, "description": "What was given back (lines that could not be drawn); absent when nothing was" },
            "checkout_url": { "type": "string", "description": "Set while awaiting payment: where to pay" },
            "failure_reason": { "type": "string", "description": "Set when failed" } } }
    })
}

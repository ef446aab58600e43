//! `GET /api/v1/openapi.json`: the API described in OpenAPI 3.1, kept by hand beside the
//! routes (tests/openapi.rs checks that every documented operation is served).

mod cart;
mod loyalty;
mod tokens;

use axum::Json;
use serde_json::{Value, json};

pub async fn document() -> Json<Value> {
    Json(spec())
}

fn error_responses(codes: &[&str]) -> Value {
    let mut responses = serde_json::Map::new();
    for code in codes {
        responses.insert(
            (*code).to_owned(),
            json!({ "description": describe(code), "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
    }
    Value::Object(responses)
}

fn describe(code: &str) -> &'static str {
    match code {
        "400" => "Malformed request (not JSON)",
        "401" => "No session, wrong credentials, or an unknown, expired or revoked API token",
        "404" => "Not found (also for someone else's order)",
        "409" => "Conflict (e.g. the e-mail is taken)",
        "413" => "Body over 16 KiB",
        "415" => "Body is not application/json",
        "403" => {
            "Not allowed: not an admin, or an API token outside its scopes or on a route tokens cannot reach"
        }
        "422" => "Invalid field; `field` names it",
        "429" => "Too many attempts; see Retry-After",
        "503" => "A provider (payments, sign-in) did not answer; nothing was changed",
        _ => "Error",
    }
}

fn with(mut responses: Value, extra: Value) -> Value {
    if let (Some(target), Some(source)) = (responses.as_object_mut(), extra.as_object()) {
        target.extend(source.clone());
    }
    responses
}

fn json_body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn name_param() -> Value {
    json!([{ "name": "name", "in": "path", "required": true, "schema": { "$ref": "#/components/schemas/ShapeName" } }])
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }])
}

pub fn spec() -> Value {
    let mut spec = base();
    if let Some(paths) = spec["paths"].as_object_mut() {
        for extra in [
            history_paths(),
            account_paths(),
            admin_paths(),
            cart::paths(),
            loyalty::paths(),
            tokens::paths(),
        ] {
            if let Value::Object(extra) = extra {
                paths.extend(extra);
            }
        }
    }
    if let Some(schemas) = spec["components"]["schemas"].as_object_mut() {
        for extra in [admin_schemas(), cart::schemas(), loyalty::schemas(), tokens::schemas()] {
            if let Value::Object(extra) = extra {
                schemas.extend(extra);
            }
        }
    }
    spec["components"]["securitySchemes"]["token"] = tokens::scheme();
    tokens::offer_tokens(&mut spec);
    spec
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({ "200": { "description": description, "content": { "application/json": { "schema": schema } } } })
}

/// An order as its owner sees it.
fn order_schema() -> Value {
    json!({
        "type": "object",
        "required": ["id", "shape", "color", "seed", "status", "price_cents", "currency", "created_at", "updated_at"],
        "properties": {
            "id": { "type": "string" }, "shape": { "$ref": "#/components/schemas/ShapeName" }, "color": { "type": "string" },
            "seed": { "type": "integer", "minimum": 0 },
            "status": { "$ref": "#/components/schemas/OrderStatus" },
            "price_cents": { "type": "integer", "minimum": 0 }, "currency": { "type": "string" },
            "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
            "picture_url": { "type": "string", "description": "Set when done" },
            "failure_reason": { "type": "string", "description": "Set when failed" },
            "checkout_url": { "type": "string", "description": "Set while awaiting payment: where to pay" },
            "paid_at": { "type": "string", "format": "date-time", "description": "Set once paid" },
            "failed_attempts": { "type": "integer", "minimum": 1, "description": "Drawing attempts that failed so far; while in_progress, the artist is retrying" },
            "refunded_at": { "type": "string", "format": "date-time", "description": "Set once a failed paid order is refunded" },
            "paid_cents": { "type": "integer", "description": "What was paid, in the currency's minor units; set once paid" },
            "note": { "type": "string", "description": "My note" },
            "share_url": { "type": "string", "description": "Set while shared: the public page (/p/<token>)" },
                        "payable_again": { "type": "boolean", "description": "The checkout expired or failed unpaid: POST /orders/{id}/checkout opens a new one" },
            "bill_id": { "type": "string", "description": "Set when the order is a line of a bill (a cart checked out): GET /bills/{id}" },
            "paid_points": { "type": "integer", "minimum": 1, "description": "Set when the order was paid with loyalty points: how many it took" }
        }
    })
}

/// The account page's routes.
fn account_paths() -> Value {
    let me = json!([{ "session": [] }]);
    let errors = |extra: &[&str]| {
        error_responses(&[&["400", "401", "413", "415", "422", "429", "503"][..], extra].concat())
    };
    let body = |properties: Value, required: Value| {
        json!({ "required": true, "content": { "application/json": { "schema": {
            "type": "object", "additionalProperties": false, "required": required, "properties": properties } } } })
    };
    json!({
        "/account": { "delete": {
            "summary": "Delete my account, given its password: sessions, pictures and share links go, orders stay anonymised for the books, signing in fails afterwards",
            "security": me,
            "requestBody": body(json!({ "password": { "type": "string" } }), json!(["password"])),
            "responses": with(errors(&[]), json!({ "204": { "description": "Deleted; the session cookie is cleared" } }))
        } },
        "/account/password": { "post": {
            "summary": "Change my password, given the current one; my other sessions end",
            "security": me,
            "requestBody": body(json!({ "current_password": { "type": "string" }, "new_password": { "type": "string", "minLength": 8, "maxLength": 128 } }), json!(["current_password", "new_password"])),
            "responses": with(errors(&[]), json!({ "204": { "description": "Changed" } }))
        } },
        "/account/email": { "post": {
            "summary": "Ask to move my account to a new e-mail: a code goes to that address; nothing changes until it is confirmed",
            "security": me,
            "requestBody": body(json!({ "email": { "type": "string", "format": "email", "maxLength": 254 } }), json!(["email"])),
            "responses": with(errors(&["409"]), json!({ "202": { "description": "Code sent" } }))
        } },
        "/account/email/confirm": { "post": {
            "summary": "Move my account to the new e-mail with the mailed code",
            "security": me,
            "requestBody": body(json!({ "code": { "type": "string", "maxLength": 128 } }), json!(["code"])),
            "responses": with(errors(&["409"]), ok_json("The account at its new address", json!({ "$ref": "#/components/schemas/User" })))
        } },
        "/account/export": { "get": {
            "summary": "Everything the shop keeps about me: the account, every order with its note and payment, and the points ledger (a JSON file)",
            "security": me,
            "responses": with(error_responses(&["401"]), ok_json("The export", json!({ "type": "object", "required": ["account", "orders", "points"], "properties": {
                "account": { "$ref": "#/components/schemas/User" },
                "orders": { "type": "array", "items": { "$ref": "#/components/schemas/Order" } },
                "points": { "type": "array", "description": "Every entry of my points ledger, oldest first", "items": { "$ref": "#/components/schemas/PointEntry" } } } })))
        } }
    })
}

/// `GET /orders`'s query.
fn page_parameters() -> Value {
    json!([
        { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } },
        { "name": "cursor", "in": "query", "required": false, "schema": { "type": "string" }, "description": "next_cursor of the page before" },
        { "name": "q", "in": "query", "required": false, "schema": { "type": "string", "maxLength": 100 } },
        { "name": "status", "in": "query", "required": false, "schema": { "$ref": "#/components/schemas/OrderStatus" } },
        { "name": "shape", "in": "query", "required": false, "schema": { "$ref": "#/components/schemas/ShapeName" } }
    ])
}

fn history_paths() -> Value {
    let me = json!([{ "session": [] }]);
    let order = || json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } });
    let body_errors = ["400", "413", "415", "422"];
    json!({
        "/orders/{id}": {
                "get": {
                    "summary": "One of my orders", "security": [{ "session": [] }], "parameters": id_param(),
                    "responses": with(error_responses(&["401", "404"]),
                        json!({ "200": { "description": "The order", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } } } }))
                },
                "patch": {
                    "summary": "Set my note on the order (plain text, at most 500 characters; empty or null removes it)",
                    "security": [{ "session": [] }], "parameters": id_param(), "requestBody": json_body("Note"),
                    "responses": with(error_responses(&[&body_errors[..], &["401", "404"]].concat()),
                        json!({ "200": { "description": "The order", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } } } }))
                }
            },
        "/orders/{id}/again": { "post": {
            "summary": "Order the same shape again, with the same colour and seed unless given; priced shapes go to checkout (checkout_url)",
            "security": me, "parameters": id_param(),
            "requestBody": { "required": false, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Again" } } } },
            "responses": with(error_responses(&["400", "401", "404", "413", "415", "422", "429", "503"]),
                json!({ "201": { "description": "The new order", "content": order() } }))
        } },
        "/orders/{id}/cancel": { "post": {
            "summary": "Cancel an order waiting for payment; its checkout closes (a payment that still arrives is refunded)",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "404", "409"]), json!({ "200": { "description": "The cancelled order", "content": order() } }))
        } },
        "/orders/{id}/checkout": { "post": {
            "summary": "Pay again: a new checkout (checkout_url) for my unpaid order whose checkout expired or failed (payable_again), at the price it was ordered at; a payment that still arrives on the earlier session is refunded",
            "security": me, "parameters": id_param(),
            "responses": with(error_responses(&["401", "404", "409", "503"]), json!({ "200": { "description": "The order, waiting for payment", "content": order() } }))
        } },
        "/orders/{id}/share": {
            "post": {
                "summary": "Share a done picture: anyone with the link sees it (the same link while shared)",
                "security": me, "parameters": id_param(),
                "responses": with(error_responses(&["401", "404", "409"]), ok_json("The link", json!({ "$ref": "#/components/schemas/ShareLink" })))
            },
            "delete": {
                "summary": "Stop sharing: the link is not found afterwards",
                "security": me, "parameters": id_param(),
                "responses": with(error_responses(&["401", "404"]), json!({ "204": { "description": "No longer shared" } }))
            }
        },
        "/shared/{token}/picture": { "get": {
            "summary": "The PNG behind a share link, to anyone",
            "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": with(error_responses(&["404"]), json!({ "200": { "description": "PNG", "content": { "image/png": {} } }, "304": { "description": "Not modified" } }))
        } }
    })
}

fn admin_paths() -> Value {
    let admin = json!([{ "session": [] }]);
    json!({
        "/admin/overview": { "get": {
            "summary": "The console's figures: queue depth, failures, orders per hour (24 h), median render time, revenue today (admins)",
            "security": admin,
            "responses": with(error_responses(&["401", "403"]), ok_json("Figures", json!({ "$ref": "#/components/schemas/Overview" })))
        } },
        "/admin/failures": { "get": {
            "summary": "Drawings that failed for good and were not retried, newest first (admins)",
            "security": admin,
            "responses": with(error_responses(&["401", "403"]),
                ok_json("Failures", json!({ "type": "array", "items": { "$ref": "#/components/schemas/Failure" } })))
        } },
        "/admin/failures/{order_id}/retry": { "post": {
            "summary": "Queue a failed, unpaid order again (admins); a refunded order cannot be retried",
            "security": admin,
            "parameters": [{ "name": "order_id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": with(error_responses(&["401", "403", "404", "409"]),
                ok_json("The order, queued", json!({ "$ref": "#/components/schemas/Order" })))
        } },
        "/admin/orders/{order_id}/refund": { "post": {
            "summary": "Refund a done order paid with money (admins): its payment goes back, the points it earned are taken back (those already spent become a debt that later earnings settle). 503 when the payment provider does not answer: the sweep makes the refund later",
            "security": admin,
            "parameters": [{ "name": "order_id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": with(error_responses(&["401", "403", "404", "409", "503"]),
                ok_json("The order, refunded", json!({ "$ref": "#/components/schemas/Order" })))
        } },
        "/admin/live": { "get": {
            "summary": "Payments, failures and refunds as they happen (text/event-stream, `event: live`, data = {kind, order}) (admins); ends with the session or the admin role",
            "security": admin,
            "responses": with(error_responses(&["401", "403", "429"]), json!({ "200": { "description": "Event stream", "content": { "text/event-stream": {} } } }))
        } }
    })
}

fn admin_schemas() -> Value {
    json!({
        "Overview": {
            "type": "object",
            "required": ["queue_depth", "orders_unfinished", "open_failures", "orders_per_hour", "median_render_ms", "revenue_today", "points_issued_today", "points_redeemed_today"],
            "properties": {
                "queue_depth": { "type": ["integer", "null"], "description": "Drawing jobs waiting; null when the queue did not answer" },
                "orders_unfinished": { "type": "integer" }, "open_failures": { "type": "integer" },
                "orders_per_hour": { "type": "array", "items": { "type": "object", "required": ["hour", "orders"],
                    "properties": { "hour": { "type": "string", "format": "date-time" }, "orders": { "type": "integer" } } } },
                "median_render_ms": { "type": ["number", "null"] },
                "revenue_today": { "type": "array", "items": { "type": "object", "required": ["currency", "cents"],
                    "properties": { "currency": { "type": "string" }, "cents": { "type": "integer" } } } },
                "points_issued_today": { "type": "integer", "description": "Loyalty points earned since midnight UTC" },
                "points_redeemed_today": { "type": "integer", "description": "Loyalty points spent on pictures since midnight UTC, less those given back" }
            }
        },
        "Failure": {
            "type": "object",
            "required": ["id", "order_id", "shape", "color", "email", "error", "attempts", "failed_at", "order_status", "retryable"],
            "properties": {
                "id": { "type": "string" }, "order_id": { "type": "string" }, "shape": { "$ref": "#/components/schemas/ShapeName" },
                "color": { "type": "string" }, "email": { "type": "string" }, "error": { "type": "string" },
                "attempts": { "type": "integer", "minimum": 0 }, "failed_at": { "type": "string", "format": "date-time" },
                "order_status": { "$ref": "#/components/schemas/OrderStatus" }, "retryable": { "type": "boolean" }
            }
        },
        "OrderStatus": { "type": "string", "enum": ["awaiting_payment", "queued", "in_progress", "done", "failed", "refunded", "cancelled"] },
        "OrderPage": { "type": "object", "required": ["orders"], "properties": {
            "orders": { "type": "array", "items": { "$ref": "#/components/schemas/Order" } },
            "next_cursor": { "type": "string", "description": "Absent on the last page" } } },
        "Note": { "type": "object", "additionalProperties": false, "properties": { "note": { "type": ["string", "null"], "maxLength": 500 } } },
        "Again": { "type": "object", "additionalProperties": false, "properties": {
            "color": { "type": "string", "description": "A CSS colour; the order's own when left out" },
            "seed": { "type": "integer", "minimum": 0, "maximum": 4294967295_u64, "description": "The order's own when left out" } } },
        "ShareLink": { "type": "object", "required": ["url"], "properties": { "url": { "type": "string", "description": "/p/<token>" } } }
    })
}

fn base() -> Value {
    let body_errors = ["400", "413", "415", "422"];
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Let Them Draw API", "version": "1" },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "ltd_session", "description": "The session cookie set by POST /sessions (`__Host-ltd_session` behind https)" } },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                        "code": { "type": "string" }, "message": { "type": "string" }, "field": { "type": "string" } } } }
                },
                "Credentials": {
                    "type": "object", "required": ["email", "password"],
                    "properties": { "email": { "type": "string", "format": "email", "maxLength": 254 }, "password": { "type": "string", "minLength": 8, "maxLength": 128 } }
                },
                "EmailOnly": { "type": "object", "required": ["email"], "properties": { "email": { "type": "string", "format": "email", "maxLength": 254 } } },
                "Confirmation": { "type": "object", "required": ["email", "code"], "properties": { "email": { "type": "string" }, "code": { "type": "string", "maxLength": 128 } } },
                "NewPassword": { "type": "object", "required": ["email", "code", "password"], "properties": {
                    "email": { "type": "string" }, "code": { "type": "string", "maxLength": 128 }, "password": { "type": "string", "minLength": 8, "maxLength": 128 } } },
                "User": { "type": "object", "required": ["id", "email"], "properties": { "id": { "type": "string" }, "email": { "type": "string" }, "is_admin": { "type": "boolean" } } },
                "ShapeSettings": {
                    "type": "object", "required": ["name", "display_name", "price_cents", "currency", "active", "sort_order"],
                    "properties": { "name": { "$ref": "#/components/schemas/ShapeName" }, "display_name": { "type": "string" },
                        "price_cents": { "type": "integer", "minimum": 0 }, "currency": { "type": "string" }, "active": { "type": "boolean" },
                        "sort_order": { "type": "integer" }, "stripe_price_id": { "type": ["string", "null"] } }
                },
                "ShapeUpdate": {
                    "type": "object", "additionalProperties": false,
                    "properties": { "price_cents": { "type": "integer", "description": "0 (free) or 50 to 99999999 minor units" },
                        "currency": { "type": "string", "description": "ISO 4217, e.g. usd" }, "active": { "type": "boolean" } }
                },
                "ShapeName": { "type": "string", "enum": ["square", "circle", "hypnotic_squares", "tiled_lines", "voronoi"] },
                "Shape": {
                    "type": "object", "required": ["name", "display_name", "price_cents", "currency", "free"],
                    "properties": { "name": { "$ref": "#/components/schemas/ShapeName" }, "display_name": { "type": "string" },
                        "price_cents": { "type": "integer", "minimum": 0 }, "currency": { "type": "string" }, "free": { "type": "boolean" } }
                },
                "NewOrder": {
                    "type": "object", "required": ["shape", "color"],
                    "properties": { "shape": { "type": "string", "examples": ["circle", "Tiled lines"], "description": "A shape name in any case; spaces, hyphens and underscores alike" },
                        "color": { "type": "string", "examples": ["rebeccapurple", "#663399"], "description": "A CSS Color 4 colour: name, transparent, #rgb, #rrggbb, #rrggbbaa, rgb(), hsl(), hwb(), lab(), lch(), oklab(), oklch()" },
                        "seed": { "type": "integer", "minimum": 0, "maximum": 4294967295_u64, "description": "Which picture of the shape: the order is drawn with it (the order form's preview sends the seed it shows); the server picks one when it is left out" },
                        "pay_with": { "type": "string", "enum": ["card", "points"], "default": "card", "description": "How a priced shape is paid: at checkout (card), or at once with loyalty points (price_cents × LTD_POINTS_PER_CENT points; 422 naming pay_with when the balance does not cover it). Free shapes cost nothing either way" } }
                },
                "Order": order_schema()
            }
        },
        "paths": {
            "/accounts": { "post": {
                "summary": "Sign up: a new address is mailed a code to confirm (POST /accounts/confirm) before signing in; a taken one is mailed a notice. The answer is the same for both",
                "requestBody": json_body("Credentials"),
                "responses": with(error_responses(&[&body_errors[..], &["429", "503"]].concat()),
                    json!({ "202": { "description": "Mailed" } }))
            } },
            "/accounts/confirm": { "post": {
                "summary": "Confirm the account's e-mail with the mailed code", "requestBody": json_body("Confirmation"),
                "responses": with(error_responses(&[&body_errors[..], &["404", "409", "429", "503"]].concat()), json!({ "204": { "description": "Confirmed" } }))
            } },
            "/accounts/confirm/resend": { "post": {
                "summary": "Mail a new confirmation code (answers the same whether the account exists or not)", "requestBody": json_body("EmailOnly"),
                "responses": with(error_responses(&[&body_errors[..], &["429", "503"]].concat()), json!({ "202": { "description": "Sent if the account exists" } }))
            } },
            "/accounts/password-reset": { "post": {
                "summary": "Mail a password reset code (answers the same whether the account exists or not)", "requestBody": json_body("EmailOnly"),
                "responses": with(error_responses(&[&body_errors[..], &["429", "503"]].concat()), json!({ "202": { "description": "Sent if the account exists" } }))
            } },
            "/accounts/password-reset/confirm": { "post": {
                "summary": "Set a new password with the mailed code; every session of the account ends", "requestBody": json_body("NewPassword"),
                "responses": with(error_responses(&[&body_errors[..], &["404", "429", "503"]].concat()), json!({ "204": { "description": "Password changed" } }))
            } },
            "/sessions": {
                "post": {
                    "summary": "Sign in: sets the session cookie", "requestBody": json_body("Credentials"),
                    "responses": with(error_responses(&[&body_errors[..], &["401", "403", "429", "503"]].concat()), json!({ "204": { "description": "Signed in" } }))
                },
                "delete": { "summary": "Sign out: the cookie stops working", "responses": { "204": { "description": "Signed out" } } }
            },
            "/shapes": { "get": {
                "summary": "The shape catalogue",
                "responses": { "200": { "description": "Active shapes", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Shape" } } } } } }
            } },
            "/orders": {
                "post": {
                    "summary": "Order a picture (free shapes are queued; priced ones await payment at checkout_url). At most LTD_ORDER_RATE orders a minute and LTD_MAX_AWAITING_PAYMENT open checkouts per user (429 with Retry-After)",
                    "security": [{ "session": [] }], "requestBody": json_body("NewOrder"),
                    "responses": with(error_responses(&[&body_errors[..], &["401", "429", "503"]].concat()),
                        json!({ "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } } } }))
                },
                "get": {
                    "summary": "A page of my orders, newest first: follow next_cursor for the next; q searches the colour (as typed or the colour it names), the shape and the note",
                    "security": [{ "session": [] }],
                    "parameters": page_parameters(),
                    "responses": with(error_responses(&["401", "422"]),
                        json!({ "200": { "description": "A page of orders", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OrderPage" } } } } }))
                }
            },
            "/orders/events": { "get": {
                "summary": "Status events of all my orders (text/event-stream, `event: status`, data = Order); unfinished ones first. Ends with the session; at most LTD_MAX_STREAMS_PER_USER open streams (429)",
                "security": [{ "session": [] }],
                "responses": with(error_responses(&["401", "429"]), json!({ "200": { "description": "Event stream", "content": { "text/event-stream": {} } } }))
            } },
            "/orders/{id}/picture": { "get": {
                "summary": "The picture of a done order: the PNG as drawn (Cache-Control: private, ETag), with size=N one N pixels a side (rendered on first request, then kept), or with format=svg its vector scene, the SVG the order form previewed",
                "security": [{ "session": [] }],
                "parameters": [id_param()[0].clone(),
                    json!({ "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["png", "svg"] } }),
                    json!({ "name": "size", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 256, "maximum": 4096 } })],
                "responses": with(error_responses(&["401", "404", "422"]),
                    json!({ "200": { "description": "PNG or SVG", "content": { "image/png": {}, "image/svg+xml": {} } }, "304": { "description": "Not modified" } }))
            } },
            "/orders/{id}/events": { "get": {
                "summary": "Status events of one order: the current state first; closes once settled (done, refunded, or failed unpaid) or with the session; at most LTD_MAX_STREAMS_PER_USER open streams (429)",
                "security": [{ "session": [] }], "parameters": id_param(),
                "responses": with(error_responses(&["401", "404", "429"]), json!({ "200": { "description": "Event stream", "content": { "text/event-stream": {} } } }))
            } },
            "/stripe/webhook": { "post": {
                "summary": "Stripe's signed events (Stripe-Signature over the raw body, 300 s tolerance); checkout.session.completed, async_payment_succeeded, async_payment_failed and expired act on orders, others are acknowledged",
                "parameters": [{ "name": "Stripe-Signature", "in": "header", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } },
                "responses": with(error_responses(&["400"]), json!({ "200": { "description": "Received: applied, unchanged, replayed or ignored",
                    "content": { "application/json": { "schema": { "type": "object", "required": ["received", "outcome"],
                        "properties": { "received": { "type": "boolean" }, "outcome": { "type": "string", "enum": ["applied", "unchanged", "replayed", "ignored"] } } } } } } }))
            } },
            "/admin/shapes": { "get": {
                "summary": "Every shape with its settings (admins)", "security": [{ "session": [] }],
                "responses": with(error_responses(&["401", "403"]),
                    json!({ "200": { "description": "Shapes", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/ShapeSettings" } } } } } }))
            } },
            "/admin/shapes/{name}": {
                "get": {
                    "summary": "One shape's settings (admins)", "security": [{ "session": [] }], "parameters": name_param(),
                    "responses": with(error_responses(&["401", "403", "404"]),
                        json!({ "200": { "description": "The shape", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ShapeSettings" } } } } }))
                },
                "put": {
                    "summary": "Change a shape's price, currency or active flag (admins); a new price becomes a Stripe Price when Stripe is configured",
                    "security": [{ "session": [] }], "parameters": name_param(), "requestBody": json_body("ShapeUpdate"),
                    "responses": with(error_responses(&[&body_errors[..], &["401", "403", "404", "503"]].concat()),
                        json!({ "200": { "description": "The shape as saved", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ShapeSettings" } } } } }))
                }
            },
            "/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1" } } } }
        }
    })
}

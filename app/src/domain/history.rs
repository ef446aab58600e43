//! One's order history: pages of it, searched and filtered, and the note on an order.

use super::{Order, OrderStatus, Shape};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// Orders per page when the caller does not say.
pub const DEFAULT_PAGE: u32 = 20;
/// The most orders one page holds.
pub const MAX_PAGE: u32 = 100;
/// The longest search text.
pub const MAX_QUERY_CHARS: usize = 100;
/// The longest note.
pub const MAX_NOTE_CHARS: usize = 500;

/// `GET /api/v1/orders?limit=&cursor=&q=&status=&shape=`, as written: every field is text
/// so a bad one is refused by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
}

/// Where a page starts: just after the order created at `created_at` (Unix ms) with `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    /// The text form handed out as `next_cursor`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (millis, id) = text.split_once('.')?;
        let created_at = millis.parse().ok()?;
        let plain =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        plain.then(|| Cursor { created_at, id: id.to_owned() })
    }
}

/// A checked [`OrderQuery`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFilter {
    pub limit: u32,
    pub after: Option<Cursor>,
    /// Lower-cased search text: matches the colour (as typed, or the colour it names), the
    /// shape and the note.
    pub text: Option<String>,
    pub status: Option<OrderStatus>,
    pub shape: Option<Shape>,
}

impl Default for OrderFilter {
    fn default() -> Self {
        Self { limit: DEFAULT_PAGE, after: None, text: None, status: None, shape: None }
    }
}

/// A field given as empty text counts as left out.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A page's `limit` as written: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] when left out.
pub fn page_limit(value: &Option<String>) -> Result<u32, AppError> {
    match given(value) {
        None => Ok(DEFAULT_PAGE),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| AppError::validation("limit", format!("limit must be 1 to {MAX_PAGE}"))),
    }
}

/// A page's `cursor` as written: one this server handed out as `next_cursor`, or none.
pub fn page_cursor(value: &Option<String>) -> Result<Option<Cursor>, AppError> {
    given(value)
        .map(|text| {
            Cursor::decode(text)
                .ok_or_else(|| AppError::validation("cursor", "cursor is not one this server handed out"))
        })
        .transpose()
}

impl OrderQuery {
    /// Checks each field; the error names the first bad one.
    pub fn parse(&self) -> Result<OrderFilter, AppError> {
        let limit = page_limit(&self.limit)?;
        let after = page_cursor(&self.cursor)?;
        let text = match given(&self.q) {
            Some(text) if text.chars().count() > MAX_QUERY_CHARS => {
                return Err(AppError::validation(
                    "q",
                    format!("search text is too long (at most {MAX_QUERY_CHARS} characters)"),
                ));
            }
            other => other.map(str::to_lowercase),
        };
        let status = match given(&self.status) {
            None => None,
            Some(text) => Some(OrderStatus::parse(text).ok_or_else(|| {
                let names: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
                AppError::validation("status", format!("status must be one of {}", names.join(", ")))
            })?),
        };
        let shape = match given(&self.shape) {
            None => None,
            Some(text) => Some(Shape::parse(text).map_err(|e| AppError::validation("shape", e.to_string()))?),
        };
        Ok(OrderFilter { limit, after, text, status, shape })
    }

    /// The same query starting at `cursor`: the link to the next page.
    pub fn next(&self, cursor: &str) -> Self {
        Self { cursor: Some(cursor.to_owned()), ..self.clone() }
    }

    /// The query as a URL query string (without `?`), fields left out when empty.
    pub fn to_query_string(&self) -> String {
        let fields = [
            ("q", &self.q),
            ("status", &self.status),
            ("shape", &self.shape),
            ("limit", &self.limit),
            ("cursor", &self.cursor),
        ];
        fields
            .iter()
            .filter_map(|(name, value)| {
                given(value).map(|v| format!("{name}={}", crate::url::query_value(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// One page of one's orders, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderPage {
    pub orders: Vec<Order>,
    /// Where the next page starts; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `PATCH /api/v1/orders/{id}`: `{"note": "…"}`; an empty note removes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub note: Option<String>,
}

/// Checks a note: plain text of at most [`MAX_NOTE_CHARS`] characters, no control characters
/// but line breaks and tabs. `None` when it is empty.
pub fn parse_note(note: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::validation(
            "note",
            format!("note is too long (at most {MAX_NOTE_CHARS} characters)"),
        ));
    }
    if note.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        return Err(AppError::validation("note", "note may not hold control characters"));
    }
    Ok(Some(note.replace("\r\n", "\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(query: OrderQuery) -> Option<String> {
        query.parse().err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn a_query_is_checked_field_by_field() {
        let filter = OrderQuery::default().parse().expect("empty query");
        assert_eq!(filter, OrderFilter::default());
        let query = OrderQuery {
            limit: Some("5".into()),
            q: Some(" Tomato ".into()),
            status: Some("done".into()),
            shape: Some("circle".into()),
            cursor: Some("1700000000000.0192-ab".into()),
        };
        let filter = query.parse().expect("valid query");
        assert_eq!(filter.limit, 5);
        assert_eq!(filter.text.as_deref(), Some("tomato"));
        assert_eq!(filter.status, Some(OrderStatus::Done));
        assert_eq!(filter.shape, Some(Shape::Circle));
        assert_eq!(filter.after, Some(Cursor { created_at: 1_700_000_000_000, id: "0192-ab".into() }));
        for limit in ["0", "101", "-1", "ten"] {
            assert_eq!(
                field(OrderQuery { limit: Some(limit.into()), ..Default::default() }).as_deref(),
                Some("limit")
            );
        }
        for cursor in ["x", "12", ".abc", "12.a'b", "12.a b"] {
            assert_eq!(
                field(OrderQuery { cursor: Some(cursor.into()), ..Default::default() }).as_deref(),
                Some("cursor"),
                "{cursor}"
            );
        }
        assert_eq!(
            field(OrderQuery { status: Some("shipped".into()), ..Default::default() }).as_deref(),
            Some("status")
        );
        assert_eq!(
            field(OrderQuery { shape: Some("triangle".into()), ..Default::default() }).as_deref(),
            Some("shape")
        );
        assert_eq!(
            field(OrderQuery { q: Some("a".repeat(101)), ..Default::default() }).as_deref(),
            Some("q")
        );
    }

    #[test]
    fn the_next_page_link_keeps_the_filters() {
        let query =
            OrderQuery { q: Some("deep sky".into()), status: Some("done".into()), ..Default::default() };
        assert_eq!(query.next("17.ab").to_query_string(), "q=deep%20sky&status=done&cursor=17.ab");
        let cursor = Cursor { created_at: 17, id: "ab-1".into() };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn notes_are_short_plain_text() {
        assert_eq!(parse_note(None).expect("none"), None);
        assert_eq!(parse_note(Some("  ")).expect("blank"), None);
        assert_eq!(
            parse_note(Some(" for <b>mum</b>\r\nx ")).expect("note").as_deref(),
            Some("for <b>mum</b>\nx")
        );
        assert_eq!(
            parse_note(Some(&"é".repeat(500))).expect("500 chars").map(|n| n.chars().count()),
            Some(500)
        );
        for bad in ["é".repeat(501), "bell\u{7}".to_owned()] {
            let error = parse_note(Some(&bad)).err();
            assert_eq!(error.as_ref().and_then(|e| e.field()), Some("note"));
        }
    }
}

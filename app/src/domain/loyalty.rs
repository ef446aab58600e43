//! Loyalty points: an append-only ledger of entries per account; the balance is their sum.

use super::{
    Shape,
    history::{Cursor, page_cursor, page_limit},
};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// Points a paid order earns per whole unit of the currency it paid (10 per dollar).
pub const POINTS_PER_UNIT: i64 = 10;

/// The points a paid order earns: `floor(paid_cents / 100) × POINTS_PER_UNIT`.
pub fn earned_for(paid_cents: i64) -> i64 {
    paid_cents.max(0) / 100 * POINTS_PER_UNIT
}

/// How a priced picture is paid for (`pay_with` of `POST /api/v1/orders`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayWith {
    /// At checkout, with money (the default).
    #[default]
    Card,
    /// With loyalty points, at once, when the balance covers the price.
    Points,
}

impl PayWith {
    /// `card` or `points`; absent means `card`.
    pub fn parse(text: Option<&str>) -> Result<PayWith, AppError> {
        match text.map(str::trim) {
            None | Some("") | Some("card") => Ok(PayWith::Card),
            Some("points") => Ok(PayWith::Points),
            Some(other) => Err(AppError::validation(
                "pay_with",
                format!("{other:?} is not a way to pay: use \"card\" or \"points\""),
            )),
        }
    }
}

/// The points a priced picture costs: its price in cents times `points_per_cent`.
pub fn points_for(price_cents: i64, points_per_cent: i64) -> i64 {
    price_cents.max(0).saturating_mul(points_per_cent.max(1))
}

/// What an entry of the ledger records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    Earned,
    Redeemed,
    Expired,
    Reversed,
    Adjusted,
}

impl PointKind {
    pub const ALL: [PointKind; 5] = [
        PointKind::Earned,
        PointKind::Redeemed,
        PointKind::Expired,
        PointKind::Reversed,
        PointKind::Adjusted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::Earned => "earned",
            PointKind::Redeemed => "redeemed",
            PointKind::Expired => "expired",
            PointKind::Reversed => "reversed",
            PointKind::Adjusted => "adjusted",
        }
    }

    pub fn parse(text: &str) -> Option<PointKind> {
        PointKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One entry of the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointEntry {
    pub id: String,
    pub kind: PointKind,
    /// Signed: earned points are positive, redeemed and expired ones negative.
    pub points: i64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// The points that expire next, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextExpiry {
    pub points: i64,
    /// RFC 3339, UTC.
    pub at: String,
}

/// `GET /api/v1/loyalty`: the caller's balance, what expires next, and a page of their
/// entries, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loyalty {
    /// Points that can be spent: never below zero.
    pub balance: i64,
    /// Points owed after a refund took back more than was left; later earnings settle it
    /// before anything reaches the balance.
    #[serde(default)]
    pub debt: i64,
    /// What one cent of a price costs in points, when a picture is paid with points.
    #[serde(default = "one")]
    pub points_per_cent: i64,
    /// The oldest points still held, which expire first; none when nothing is held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_expiry: Option<NextExpiry>,
    /// Newest first, at most the page's `limit`.
    pub entries: Vec<PointEntry>,
    /// Set while older entries follow: the `cursor` of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn one() -> i64 {
    1
}

impl Loyalty {
    /// Entries on a page unless `limit` says otherwise, and the most a page holds.
    pub const PAGE: u32 = super::history::DEFAULT_PAGE;
    pub const MAX_PAGE: u32 = super::history::MAX_PAGE;
}

/// `GET /api/v1/loyalty?limit=&cursor=`, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A checked [`PointsQuery`]: how many entries, starting after which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsPage {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for PointsPage {
    fn default() -> Self {
        PointsPage { limit: Loyalty::PAGE, after: None }
    }
}

impl PointsQuery {
    /// Checks each field; the error names the first bad one.
    pub fn parse(&self) -> Result<PointsPage, AppError> {
        Ok(PointsPage { limit: page_limit(&self.limit)?, after: page_cursor(&self.cursor)? })
    }
}

/// Points campaigns multiply what paid orders earn between two times, for every shape or
/// some. Overlapping campaigns: the highest multiplier counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub starts_at: String,
    /// RFC 3339, UTC; after `starts_at`.
    pub ends_at: String,
    /// 1 to 10: earned points are multiplied by it.
    pub multiplier: i64,
    /// The shapes it applies to; empty: every shape.
    pub shapes: Vec<Shape>,
}

/// The most a campaign multiplies by.
pub const MAX_MULTIPLIER: i64 = 10;
/// The longest campaign name.
pub const MAX_CAMPAIGN_NAME: usize = 80;

/// `POST /api/v1/admin/campaigns` (`name`, `starts_at`, `ends_at` and `multiplier` needed)
/// and `PATCH /api/v1/admin/campaigns/{id}` (any of them). Times are RFC 3339, or
/// `YYYY-MM-DDTHH:MM` read as UTC (what a form's date-and-time field sends).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    #[serde(default)]
    pub multiplier: Option<i64>,
    /// Shape names; empty or left out on creation: every shape.
    #[serde(default)]
    pub shapes: Option<Vec<String>>,
}

impl CampaignRequest {
    /// The name, trimmed: 1 to [`MAX_CAMPAIGN_NAME`] characters.
    pub fn checked_name(name: &str) -> Result<String, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_CAMPAIGN_NAME || name.chars().any(char::is_control) {
            return Err(AppError::validation(
                "name",
                format!(
                    "a campaign needs a name of 1 to {MAX_CAMPAIGN_NAME} characters, without control characters"
                ),
            ));
        }
        Ok(name.to_owned())
    }

    /// 1 to [`MAX_MULTIPLIER`].
    pub fn checked_multiplier(multiplier: i64) -> Result<i64, AppError> {
        if !(1..=MAX_MULTIPLIER).contains(&multiplier) {
            return Err(AppError::validation(
                "multiplier",
                format!("multiplier must be 1 to {MAX_MULTIPLIER}"),
            ));
        }
        Ok(multiplier)
    }

    /// Shape names, each one the shop draws, each once.
    pub fn checked_shapes(names: &[String]) -> Result<Vec<Shape>, AppError> {
        let mut shapes = Vec::new();
        for name in names {
            let shape = Shape::parse(name).map_err(|e| AppError::validation("shapes", e.to_string()))?;
            if !shapes.contains(&shape) {
                shapes.push(shape);
            }
        }
        Ok(shapes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paid_order_earns_ten_points_per_whole_unit() {
        assert_eq!(earned_for(500), 50);
        assert_eq!(earned_for(899), 80);
        assert_eq!(earned_for(99), 0);
        assert_eq!(earned_for(-5), 0);
    }

    #[test]
    fn pay_with_is_card_unless_points_are_asked_for() {
        assert_eq!(PayWith::parse(None).ok(), Some(PayWith::Card));
        assert_eq!(PayWith::parse(Some("card")).ok(), Some(PayWith::Card));
        assert_eq!(PayWith::parse(Some("points")).ok(), Some(PayWith::Points));
        let error = PayWith::parse(Some("gold")).err();
        assert_eq!(error.as_ref().and_then(|e| e.field()), Some("pay_with"));
        assert_eq!(points_for(500, 1), 500);
        assert_eq!(points_for(500, 3), 1500);
    }

    #[test]
    fn campaign_fields_are_checked_by_name() {
        let field = |e: AppError| e.field().map(str::to_owned);
        assert_eq!(CampaignRequest::checked_name("  Spring  ").ok().as_deref(), Some("Spring"));
        assert_eq!(CampaignRequest::checked_name(" ").err().and_then(field).as_deref(), Some("name"));
        assert_eq!(
            CampaignRequest::checked_multiplier(0).err().and_then(field).as_deref(),
            Some("multiplier")
        );
        assert_eq!(
            CampaignRequest::checked_multiplier(11).err().and_then(field).as_deref(),
            Some("multiplier")
        );
        assert_eq!(CampaignRequest::checked_multiplier(10).ok(), Some(10));
        let shapes = CampaignRequest::checked_shapes(&["voronoi".into(), "Voronoi".into()]).ok();
        assert_eq!(shapes, Some(vec![Shape::Voronoi]));
        let bad = CampaignRequest::checked_shapes(&["hexagon".into()]).err().and_then(field);
        assert_eq!(bad.as_deref(), Some("shapes"));
    }

    #[test]
    fn a_points_page_names_the_field_it_refuses() {
        let field = |limit: &str, cursor: &str| {
            PointsQuery { limit: Some(limit.into()), cursor: Some(cursor.into()) }
                .parse()
                .err()
                .and_then(|e| e.field().map(str::to_owned))
        };
        assert_eq!(field("0", "").as_deref(), Some("limit"));
        assert_eq!(field("101", "").as_deref(), Some("limit"));
        assert_eq!(field("5", "nope").as_deref(), Some("cursor"));
        assert_eq!(PointsQuery::default().parse().ok(), Some(PointsPage::default()));
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in PointKind::ALL {
            assert_eq!(PointKind::parse(kind.as_str()), Some(kind));
        }
    }
}

//! Loyalty points: an append-only ledger of entries per account; the balance is their sum.

use serde::{Deserialize, Serialize};

/// Points a paid order earns per whole unit of the currency it paid (10 per dollar).
pub const POINTS_PER_UNIT: i64 = 10;

/// The points a paid order earns: `floor(paid_cents / 100) × POINTS_PER_UNIT`.
pub fn earned_for(paid_cents: i64) -> i64 {
    paid_cents.max(0) / 100 * POINTS_PER_UNIT
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

/// `GET /api/v1/loyalty`: the caller's balance and their newest entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loyalty {
    pub balance: i64,
    /// Newest first, at most [`Loyalty::ENTRIES`].
    pub entries: Vec<PointEntry>,
}

impl Loyalty {
    pub const ENTRIES: usize = 100;
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
    fn kinds_read_back_from_their_names() {
        for kind in PointKind::ALL {
            assert_eq!(PointKind::parse(kind.as_str()), Some(kind));
        }
    }
}

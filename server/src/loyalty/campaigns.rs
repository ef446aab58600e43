//! Points campaigns: between two times, paid orders (of some shapes, or all) earn their
//! points times a multiplier; where campaigns overlap, the highest counts.

use crate::platform::{
    clock::{now_millis, rfc3339},
    db,
    error::internal,
};
use app::{
    domain::{
        Shape,
        loyalty::{Campaign, CampaignRequest},
    },
    error::AppError,
};
use sqlx::{Any, Transaction};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: String,
    name: String,
    starts_at: i64,
    ends_at: i64,
    multiplier: i64,
    /// Shape names joined by commas; empty: every shape.
    shapes: String,
}

/// The columns of [`CampaignRow`], as a literal so queries stay `&'static str`.
macro_rules! columns {
    () => {
        "id, name, starts_at, ends_at, multiplier, shapes"
    };
}

impl CampaignRow {
    fn to_campaign(&self) -> Result<Campaign, AppError> {
        let shapes =
            stored_shapes(&self.shapes).map_err(internal("a stored campaign names an unknown shape"))?;
        Ok(Campaign {
            id: self.id.clone(),
            name: self.name.clone(),
            starts_at: rfc3339(self.starts_at),
            ends_at: rfc3339(self.ends_at),
            multiplier: self.multiplier,
            shapes,
        })
    }
}

fn stored_shapes(text: &str) -> Result<Vec<Shape>, AppError> {
    text.split(',')
        .filter(|name| !name.is_empty())
        .map(|name| Shape::parse(name).map_err(|e| AppError::validation("shapes", e.to_string())))
        .collect()
}

fn store_shapes(shapes: &[Shape]) -> String {
    shapes.iter().map(|shape| shape.name()).collect::<Vec<_>>().join(",")
}

/// A campaign time: RFC 3339 with any offset, or `YYYY-MM-DDTHH:MM[:SS]` read as UTC, in
/// the years 2000 to 9999. Unix milliseconds.
fn parse_time(field: &str, text: &str) -> Result<i64, AppError> {
    let text = text.trim();
    let refused = || {
        AppError::validation(
            field,
            format!(
                "{field} must be a time such as 2027-01-31T18:00:00Z (RFC 3339) or 2027-01-31T18:00 (UTC)"
            ),
        )
    };
    // A form's field has no seconds or offset: read as UTC.
    let as_utc = match text.len() {
        16 => format!("{text}:00Z"),
        19 => format!("{text}Z"),
        _ => text.to_owned(),
    };
    let at = OffsetDateTime::parse(&as_utc, &Rfc3339).map_err(|_| refused())?;
    if !(2000..=9999).contains(&at.year()) {
        return Err(AppError::validation(field, format!("{field} must be in the years 2000 to 9999")));
    }
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).map_err(|_| refused())
}

/// A campaign's fields once checked.
struct Checked {
    name: String,
    starts_at: i64,
    ends_at: i64,
    multiplier: i64,
    shapes: Vec<Shape>,
}

impl Checked {
    /// `request` over `base` (the campaign as stored, for a change), each field checked.
    fn from(request: &CampaignRequest, base: Option<&CampaignRow>) -> Result<Self, AppError> {
        let missing = |field: &str| AppError::validation(field, format!("a campaign needs {field}"));
        let name = match (&request.name, base) {
            (Some(name), _) => CampaignRequest::checked_name(name)?,
            (None, Some(row)) => row.name.clone(),
            (None, None) => return Err(missing("name")),
        };
        let starts_at = match (&request.starts_at, base) {
            (Some(text), _) => parse_time("starts_at", text)?,
            (None, Some(row)) => row.starts_at,
            (None, None) => return Err(missing("starts_at")),
        };
        let ends_at = match (&request.ends_at, base) {
            (Some(text), _) => parse_time("ends_at", text)?,
            (None, Some(row)) => row.ends_at,
            (None, None) => return Err(missing("ends_at")),
        };
        let multiplier = match (request.multiplier, base) {
            (Some(multiplier), _) => CampaignRequest::checked_multiplier(multiplier)?,
            (None, Some(row)) => row.multiplier,
            (None, None) => return Err(missing("multiplier")),
        };
        let shapes = match (&request.shapes, base) {
            (Some(names), _) => CampaignRequest::checked_shapes(names)?,
            (None, Some(row)) => stored_shapes(&row.shapes)?,
            (None, None) => Vec::new(),
        };
        if ends_at <= starts_at {
            return Err(AppError::validation("ends_at", "ends_at must be after starts_at"));
        }
        Ok(Checked { name, starts_at, ends_at, multiplier, shapes })
    }
}

pub(super) async fn list(pool: &db::Pool) -> Result<Vec<Campaign>, AppError> {
    let sql = concat!("SELECT ", columns!(), " FROM campaigns ORDER BY starts_at DESC, id DESC");
    let rows: Vec<CampaignRow> =
        sqlx::query_as(sql).fetch_all(pool).await.map_err(internal("could not read the campaigns"))?;
    rows.iter().map(CampaignRow::to_campaign).collect()
}

pub(super) async fn create(pool: &db::Pool, request: &CampaignRequest) -> Result<Campaign, AppError> {
    let checked = Checked::from(request, None)?;
    let now = now_millis();
    let sql = concat!(
        "INSERT INTO campaigns (id, name, starts_at, ends_at, multiplier, shapes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
        columns!()
    );
    let row: CampaignRow = sqlx::query_as(sql)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&checked.name)
        .bind(checked.starts_at)
        .bind(checked.ends_at)
        .bind(checked.multiplier)
        .bind(store_shapes(&checked.shapes))
        .bind(now)
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(internal("could not store the campaign"))?;
    tracing::info!(campaign.id = %row.id, campaign.multiplier = row.multiplier, "campaign created");
    row.to_campaign()
}

pub(super) async fn update(
    pool: &db::Pool,
    id: &str,
    request: &CampaignRequest,
) -> Result<Campaign, AppError> {
    let mut tx = pool.begin().await.map_err(internal("could not start a transaction"))?;
    let sql = concat!("SELECT ", columns!(), " FROM campaigns WHERE id = $1");
    let stored: Option<CampaignRow> = sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal("could not read the campaign"))?;
    let Some(stored) = stored else {
        return Err(AppError::NotFound);
    };
    let checked = Checked::from(request, Some(&stored))?;
    let sql = concat!(
        "UPDATE campaigns SET name = $1, starts_at = $2, ends_at = $3, multiplier = $4, shapes = $5, updated_at = $6 \
         WHERE id = $7 RETURNING ",
        columns!()
    );
    let row: CampaignRow = sqlx::query_as(sql)
        .bind(&checked.name)
        .bind(checked.starts_at)
        .bind(checked.ends_at)
        .bind(checked.multiplier)
        .bind(store_shapes(&checked.shapes))
        .bind(now_millis())
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal("could not change the campaign"))?;
    tx.commit().await.map_err(internal("could not change the campaign"))?;
    tracing::info!(campaign.id = %row.id, campaign.multiplier = row.multiplier, "campaign changed");
    row.to_campaign()
}

/// The campaign whose multiplier counts for `shape` paid at `at`: the highest of those
/// running then.
pub(super) struct Best {
    pub id: String,
    pub name: String,
    pub multiplier: i64,
}

pub(super) async fn best_for(
    tx: &mut Transaction<'static, Any>,
    shape: &str,
    at: i64,
) -> Result<Option<Best>, AppError> {
    let best: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT id, name, multiplier FROM campaigns \
         WHERE starts_at <= $1 AND ends_at > $1 AND (shapes = '' OR (',' || shapes || ',') LIKE ('%,' || $2 || ',%')) \
         ORDER BY multiplier DESC, starts_at, id LIMIT 1",
    )
    .bind(at)
    .bind(shape)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal("could not read the campaigns"))?;
    Ok(best.map(|(id, name, multiplier)| Best { id, name, multiplier }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_times_are_rfc3339_or_a_form_field_read_as_utc() {
        assert_eq!(parse_time("starts_at", "2027-01-31T18:00:00Z").ok(), Some(1_801_418_400_000));
        assert_eq!(parse_time("starts_at", "2027-01-31T19:00:00+01:00").ok(), Some(1_801_418_400_000));
        assert_eq!(parse_time("starts_at", "2027-01-31T18:00").ok(), Some(1_801_418_400_000));
        assert_eq!(parse_time("starts_at", " 2027-01-31T18:00:00 ").ok(), Some(1_801_418_400_000));
        for bad in ["", "tomorrow", "2027-13-01T00:00", "1969-12-31T00:00:00Z", "99999-01-01T00:00"] {
            let field = parse_time("ends_at", bad).err().and_then(|e| e.field().map(str::to_owned));
            assert_eq!(field.as_deref(), Some("ends_at"), "{bad:?}");
        }
    }

    #[test]
    fn shapes_are_stored_as_their_names() {
        let shapes = vec![Shape::Voronoi, Shape::TiledLines];
        assert_eq!(store_shapes(&shapes), "voronoi,tiled_lines");
        assert_eq!(stored_shapes("voronoi,tiled_lines").ok(), Some(shapes));
        assert_eq!(stored_shapes("").ok(), Some(Vec::new()));
    }
}

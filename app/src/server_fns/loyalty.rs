//! The points' server functions: the ledger on the account page, and the admins' campaigns
//! ("Pay with N points" is the order form's third button: `create_order`).

#[cfg(feature = "ssr")]
use crate::domain::loyalty::{CampaignRequest, PointsQuery};
use crate::{
    domain::loyalty::{Campaign, Loyalty},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};

/// The caller's points: the balance, what expires next, and a page of the ledger starting
/// after `cursor`.
#[server(prefix = "/api/fn", endpoint = "my_points", input = GetUrl)]
pub async fn my_points(cursor: Option<String>) -> Result<Loyalty, AppError> {
    let (services, caller) = crate::services::context()?;
    let page = PointsQuery { limit: None, cursor }.parse()?;
    services.loyalty.loyalty(&caller.user()?, &page).await
}

/// Every campaign (admins only).
#[server(prefix = "/api/fn", endpoint = "admin_campaigns", input = GetUrl)]
pub async fn admin_campaigns() -> Result<Vec<Campaign>, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    services.loyalty.campaigns().await
}

/// **Start the campaign** on `/admin/campaigns` (admins only): times as the form's
/// date-and-time fields send them, read as UTC; shapes ticked, none meaning every shape.
#[server(prefix = "/api/fn", endpoint = "create_campaign")]
pub async fn create_campaign(
    name: String,
    starts_at: String,
    ends_at: String,
    multiplier: String,
    shapes: Option<Vec<String>>,
) -> Result<Campaign, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    let request = CampaignRequest {
        name: Some(name),
        starts_at: Some(starts_at),
        ends_at: Some(ends_at),
        multiplier: Some(form_multiplier(&multiplier)?),
        shapes: Some(shapes.unwrap_or_default()),
    };
    let made = services.loyalty.create_campaign(&request).await?;
    leptos_axum::redirect("/admin/campaigns");
    Ok(made)
}

/// **Save** beside a campaign on `/admin/campaigns` (admins only): its name, times and
/// multiplier as the row's fields send them.
#[server(prefix = "/api/fn", endpoint = "change_campaign")]
pub async fn change_campaign(
    id: String,
    name: String,
    starts_at: String,
    ends_at: String,
    multiplier: String,
) -> Result<Campaign, AppError> {
    let (services, caller) = crate::services::context()?;
    caller.admin()?;
    let request = CampaignRequest {
        name: Some(name),
        starts_at: Some(starts_at),
        ends_at: Some(ends_at),
        multiplier: Some(form_multiplier(&multiplier)?),
        shapes: None,
    };
    let changed = services.loyalty.update_campaign(&id, &request).await?;
    leptos_axum::redirect("/admin/campaigns");
    Ok(changed)
}

#[cfg(feature = "ssr")]
fn form_multiplier(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::validation("multiplier", "multiplier must be a whole number from 1 to 10"))
}

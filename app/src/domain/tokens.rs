//! API tokens: what a script or a partner system signs its requests with instead of a
//! session cookie, limited to the scopes its owner gave it.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The longest name a token can have.
pub const MAX_NAME_CHARS: usize = 60;
/// The longest a token can live.
pub const MAX_DAYS: u32 = 365;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// Read the owner's orders, their pictures and their live updates.
    #[serde(rename = "orders:read")]
    OrdersRead,
    /// Order pictures (and change, cancel or share the owner's orders).
    #[serde(rename = "orders:write")]
    OrdersWrite,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::OrdersRead, Scope::OrdersWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::OrdersRead => "orders:read",
            Scope::OrdersWrite => "orders:write",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }

    /// Scopes as the pages list them: `orders:read, orders:write`.
    pub fn list(scopes: &[Scope]) -> String {
        scopes.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// `POST /api/v1/tokens`, as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub name: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A token request that was checked: a trimmed name, known scopes (sorted, once each) and
/// a lifetime within [`MAX_DAYS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSpec {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_in_days: Option<u32>,
}

impl TokenRequest {
    /// Checks every field; the error names the first one that is wrong.
    pub fn parse(&self) -> Result<TokenSpec, AppError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(AppError::validation("name", "give the token a name, e.g. the script that uses it"));
        }
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(AppError::validation(
                "name",
                format!("a token's name is at most {MAX_NAME_CHARS} characters, on one line"),
            ));
        }
        let mut scopes = Vec::new();
        for text in &self.scopes {
            let scope = Scope::parse(text.trim()).ok_or_else(|| {
                AppError::validation(
                    "scopes",
                    format!("{text:?} is not a scope: use \"orders:read\" and/or \"orders:write\""),
                )
            })?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err(AppError::validation(
                "scopes",
                "choose what the token may do: orders:read, orders:write",
            ));
        }
        scopes.sort();
        if let Some(days) = self.expires_in_days
            && !(1..=MAX_DAYS).contains(&days)
        {
            return Err(AppError::validation(
                "expires_in_days",
                format!("a token lives 1 to {MAX_DAYS} days (leave it out for no expiry)"),
            ));
        }
        Ok(TokenSpec { name: name.to_owned(), scopes, expires_in_days: self.expires_in_days })
    }
}

/// A token as its owner sees it in the list: never the token itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// A token just made: the secret is shown this once, and only its hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: String,
    #[serde(flatten)]
    pub info: ApiToken,
}

/// A token as the admins' partner list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerToken {
    pub owner_email: String,
    #[serde(flatten)]
    pub info: ApiToken,
    /// Requests made with it since midnight (UTC).
    pub requests_today: i64,
}

/// What a request signed with a token is allowed: its id (to re-check it) and its scopes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenGrant {
    pub id: String,
    pub scopes: Vec<Scope>,
}

/// Unix seconds as `YYYY-MM-DD HH:MM` (UTC), as the token pages show them.
pub fn utc_minute(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", rest / 3600, rest % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, scopes: &[&str], days: Option<u32>) -> TokenRequest {
        TokenRequest {
            name: name.into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            expires_in_days: days,
        }
    }

    fn field_of(result: Result<TokenSpec, AppError>) -> String {
        match result {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_good_request_is_trimmed_sorted_and_deduplicated() {
        let spec = request("  nightly export ", &["orders:write", "orders:read", "orders:write"], Some(30))
            .parse()
            .expect("valid");
        assert_eq!(spec.name, "nightly export");
        assert_eq!(spec.scopes, [Scope::OrdersRead, Scope::OrdersWrite]);
        assert_eq!(spec.expires_in_days, Some(30));
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(request(" ", &["orders:read"], None).parse()), "name");
        assert_eq!(field_of(request(&"x".repeat(61), &["orders:read"], None).parse()), "name");
        assert_eq!(field_of(request("a\nb", &["orders:read"], None).parse()), "name");
        assert_eq!(field_of(request("n", &[], None).parse()), "scopes");
        assert_eq!(field_of(request("n", &["admin"], None).parse()), "scopes");
        assert_eq!(field_of(request("n", &["orders:read"], Some(0)).parse()), "expires_in_days");
        assert_eq!(field_of(request("n", &["orders:read"], Some(366)).parse()), "expires_in_days");
    }

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00");
        assert_eq!(utc_minute(1_796_395_151), "2026-12-04 14:39");
    }

    #[test]
    fn scopes_read_and_write_as_their_names() {
        assert_eq!(serde_json::to_string(&Scope::OrdersWrite).expect("json"), "\"orders:write\"");
        assert_eq!(Scope::parse("orders:read"), Some(Scope::OrdersRead));
        assert_eq!(Scope::parse("orders:*"), None);
    }
}

//! The shape catalogue as clients see it.

use super::Shape;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// One entry of the catalogue (`GET /api/v1/shapes`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeInfo {
    pub name: Shape,
    pub display_name: String,
    pub price_cents: i64,
    /// ISO 4217 code, lower case as Stripe writes it (`usd`).
    pub currency: String,
    pub free: bool,
}

impl ShapeInfo {
    /// "Free", or the price with its currency, e.g. `$3.00` or `3.00 CHF`.
    pub fn price_label(&self) -> String {
        if self.free {
            return "Free".to_owned();
        }
        format_price(self.price_cents, &self.currency)
    }
}

/// A shape as admins manage it (`GET /api/v1/admin/shapes/{name}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeSettings {
    pub name: Shape,
    pub display_name: String,
    pub price_cents: i64,
    pub currency: String,
    /// Inactive shapes are not offered on the request page.
    pub active: bool,
    /// Position on the request page, smallest first.
    pub sort_order: i64,
    /// The Stripe Price charged at checkout, when Stripe is configured and the price was set here.
    pub stripe_price_id: Option<String>,
}

/// A change to a shape (`PUT /api/v1/admin/shapes/{name}`); absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeUpdate {
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub active: Option<bool>,
}

/// The highest price a shape can have, in minor units.
pub const MAX_PRICE_CENTS: i64 = 99_999_999;
/// The lowest non-zero price: Stripe refuses to charge less than this.
pub const MIN_PRICE_CENTS: i64 = 50;

impl ShapeUpdate {
    /// Checks the values; errors name the field. Currencies come back lower-cased.
    pub fn validated(self) -> Result<Self, AppError> {
        if let Some(cents) = self.price_cents
            && cents != 0
            && !(MIN_PRICE_CENTS..=MAX_PRICE_CENTS).contains(&cents)
        {
            return Err(AppError::validation(
                "price_cents",
                format!("a price is 0 (free) or from {MIN_PRICE_CENTS} to {MAX_PRICE_CENTS} minor units"),
            ));
        }
        let currency = match self.currency {
            Some(code) => Some(parse_currency(&code)?),
            None => None,
        };
        Ok(Self { currency, ..self })
    }
}

/// An ISO 4217 code of three letters, returned lower-case (`USD` → `usd`).
pub fn parse_currency(code: &str) -> Result<String, AppError> {
    let code = code.trim();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_lowercase())
    } else {
        Err(AppError::validation("currency", "a currency is a three-letter ISO 4217 code such as usd"))
    }
}

/// How many digits a currency's minor unit has (ISO 4217): 0 for the yen, 3 for the
/// Kuwaiti dinar, 2 for most.
pub fn minor_digits(currency: &str) -> u32 {
    const NONE: [&str; 16] = [
        "bif", "clp", "djf", "gnf", "isk", "jpy", "kmf", "krw", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf",
        "xof", "xpf",
    ];
    const THREE: [&str; 7] = ["bhd", "iqd", "jod", "kwd", "lyd", "omr", "tnd"];
    let currency = currency.to_ascii_lowercase();
    if NONE.contains(&currency.as_str()) {
        0
    } else if THREE.contains(&currency.as_str()) {
        3
    } else {
        2
    }
}

/// Reads a price typed by a person in major units of `currency` (`3`, `3.5`, `3.50`; `500`
/// yen), as minor units.
pub fn parse_price(text: &str, currency: &str) -> Result<i64, AppError> {
    let digits = minor_digits(currency.trim());
    let refuse = || {
        let example = match digits {
            0 => "500 (no decimals in this currency)".to_owned(),
            n => format!("3.{} (at most {n} decimals)", "0".repeat(n as usize)),
        };
        AppError::validation("price", format!("a price looks like {example}"))
    };
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 8
        || fraction.len() > digits as usize
        || (digits == 0 && text.contains('.'))
    {
        return Err(refuse());
    }
    if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    let whole: i64 = whole.parse().map_err(|_| refuse())?;
    let padded = format!("{fraction:0<width$}", width = digits as usize);
    let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| refuse())? };
    Ok(whole * 10_i64.pow(digits) + fraction)
}

/// An amount in minor units as major units without a symbol, as a person types it:
/// `(250, "usd")` → `2.50`, `(500, "jpy")` → `500`.
pub fn major_amount(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let unit = 10_u64.pow(digits);
    let (whole, fraction) = (minor.unsigned_abs() / unit, minor.unsigned_abs() % unit);
    match digits {
        0 => format!("{sign}{whole}"),
        n => format!("{sign}{whole}.{fraction:0width$}", width = n as usize),
    }
}

/// Formats an amount in the currency's minor units, e.g. `(250, "usd")` → `$2.50`,
/// `(500, "jpy")` → `¥500`, `(1500, "kwd")` → `1.500 KWD`.
pub fn format_price(minor: i64, currency: &str) -> String {
    let amount = major_amount(minor, currency);
    match currency.to_ascii_lowercase().as_str() {
        "usd" => format!("${amount}"),
        "eur" => format!("€{amount}"),
        "gbp" => format!("£{amount}"),
        "jpy" => format!("¥{amount}"),
        other => format!("{amount} {}", other.to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_as_money() {
        assert_eq!(format_price(200, "usd"), "$2.00");
        assert_eq!(format_price(5, "eur"), "€0.05");
        assert_eq!(format_price(1234, "chf"), "12.34 CHF");
        assert_eq!(format_price(500, "jpy"), "¥500", "the yen has no minor unit");
        assert_eq!(format_price(1500, "KWD"), "1.500 KWD", "the dinar has three digits");
        assert_eq!(format_price(-250, "usd"), "$-2.50");
        let free = ShapeInfo {
            name: Shape::Circle,
            display_name: "Circle".into(),
            price_cents: 0,
            currency: "usd".into(),
            free: true,
        };
        assert_eq!(free.price_label(), "Free");
    }

    #[test]
    fn typed_prices_become_minor_units() {
        assert_eq!(parse_price("3", "usd").ok(), Some(300));
        assert_eq!(parse_price(" 3.5 ", "usd").ok(), Some(350));
        assert_eq!(parse_price("0.05", "usd").ok(), Some(5));
        assert_eq!(parse_price("12.34", "usd").ok(), Some(1234));
        assert_eq!(parse_price("500", "jpy").ok(), Some(500));
        assert_eq!(parse_price("1.5", "kwd").ok(), Some(1500));
        assert_eq!(parse_price("1.234", "KWD").ok(), Some(1234));
        for bad in ["", ".5", "3.456", "-1", "1e3", "3,00", "abc", "123456789"] {
            let error = parse_price(bad, "usd").expect_err(bad);
            assert_eq!(error.field(), Some("price"), "{bad}");
        }
        for bad in ["500.5", "500.", "5.00"] {
            let error = parse_price(bad, "jpy").expect_err(bad);
            assert!(error.to_string().contains("no decimals"), "{bad}: {error}");
        }
        // Typed and shown again, a price reads the same.
        for (text, currency) in [("3.50", "usd"), ("500", "jpy"), ("1.250", "kwd")] {
            let minor = parse_price(text, currency).expect("valid");
            assert!(format_price(minor, currency).contains(text), "{text} {currency}");
        }
    }

    #[test]
    fn updates_are_checked_field_by_field() {
        let update = |price_cents, currency: &str| {
            ShapeUpdate { price_cents: Some(price_cents), currency: Some(currency.into()), active: None }
                .validated()
        };
        assert_eq!(update(300, "EUR").ok().and_then(|u| u.currency), Some("eur".into()));
        assert!(update(0, "usd").is_ok(), "free is a price");
        assert_eq!(
            update(10, "usd").err().and_then(|e| e.field().map(str::to_owned)).as_deref(),
            Some("price_cents")
        );
        assert_eq!(
            update(-300, "usd").err().and_then(|e| e.field().map(str::to_owned)).as_deref(),
            Some("price_cents")
        );
        assert_eq!(
            update(300, "dollars").err().and_then(|e| e.field().map(str::to_owned)).as_deref(),
            Some("currency")
        );
    }
}

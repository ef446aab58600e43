//! Values that must never reach a log line or an error message.

use std::fmt;

/// A secret setting (an API key, a URL with a password): `Debug` and `Display` print `***`,
/// so it can sit in any struct that is logged or formatted. [`Secret::expose`] is the one
/// way to the value, for the client that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself: pass it to the client that needs it, never to a log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `url` with its password replaced by `***`, for messages and logs.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(an unreadable URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_prints_as_stars_however_it_is_formatted() {
        let key = Secret::new("sk_live_very_secret");
        assert_eq!(format!("{key:?}"), "Secret(***)");
        assert_eq!(format!("{key}"), "***");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Settings {
            key: Option<Secret>,
        }
        let settings = format!("{:?}", Settings { key: Some(key.clone()) });
        assert!(!settings.contains("very_secret"), "{settings}");
        assert_eq!(key.expose(), "sk_live_very_secret");
    }

    #[test]
    fn passwords_stay_out_of_urls_in_messages() {
        assert_eq!(redacted_url("postgres://app:secret@db/ltd"), "postgres://app:***@db/ltd");
        assert_eq!(
            redacted_url("smtps://me:secret@mail.example.com:465"),
            "smtps://me:***@mail.example.com:465"
        );
        assert_eq!(redacted_url("sqlite://data/x.db"), "sqlite://data/x.db");
        assert!(!redacted_url("postgres://app:secret@[bad").contains("secret"));
    }
}

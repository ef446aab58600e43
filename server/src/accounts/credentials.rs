//! E-mail and password as they are accepted.

use app::error::AppError;
use std::fmt;

/// A plausible e-mail address, trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let email = input.trim().to_lowercase();
        let invalid = |message: &str| AppError::validation("email", message);
        if email.is_empty() {
            return Err(invalid("enter your e-mail address"));
        }
        if email.len() > 254 {
            return Err(invalid("e-mail address is too long (at most 254 characters)"));
        }
        let plausible = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
        if !plausible || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("enter an e-mail address like name@example.com"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of 8 to 128 characters; no composition rules. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Self, AppError> {
        let length = input.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&length) {
            return Err(AppError::validation(
                "password",
                format!("password must be {} to {} characters long", Self::MIN, Self::MAX),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ada@Example.COM ").map(|e| e.0), Ok("ada@example.com".into()));
        for bad in ["", "ada", "@example.com", "ada@", "ada@@example.com", "a da@example.com", "ada@.com"] {
            let error = Email::parse(bad).err();
            assert_eq!(error.as_ref().and_then(|e| e.field()), Some("email"), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_need_8_to_128_characters_of_any_kind() {
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse("ééééééé€").is_ok(), "counts characters, not bytes");
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        for bad in ["", "1234567", &"x".repeat(129)] {
            assert_eq!(Password::parse(bad).err().as_ref().and_then(|e| e.field()), Some("password"));
        }
        assert_eq!(format!("{:?}", Password::parse("secret-password")), "Ok(Password(***))");
    }
}

//! Application passwords and API tokens (ACC-7): generated secrets for programs, shown once,
//! stored as SHA-256 only, listed with their last use, revocable one by one or all at once.
//!
//! An API token is sent as `Authorization: Bearer <token>`; a read token may call only server
//! functions that change nothing. An application password is sent as HTTP Basic
//! (`login email : application password`) by programs that cannot do two-factor sign-in. Neither
//! can reach the account's security settings: those need a signed-in person.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::error::AppError;
use crate::policy::TokenScope;
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 60;
/// Longest expiry offered for an API token.
pub const MAX_EXPIRY_DAYS: i64 = 366;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AppPassword {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Credentials {
    pub app_passwords: Vec<AppPassword>,
    pub api_tokens: Vec<ApiToken>,
}

/// A secret just created: shown once, never again.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NewSecret {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

pub fn normalize_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::validation(
            "name",
            "Give it a name, like the program or device that will use it.",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            format!("Use at most {NAME_MAX_CHARS} characters, on one line."),
        ));
    }
    Ok(name.to_owned())
}

/// Days until expiry, from the form: empty means never.
pub fn parse_expiry_days(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() || raw == "never" {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(AppError::validation(
            "expires_in_days",
            format!("Choose a number of days from 1 to {MAX_EXPIRY_DAYS}, or never."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::normalize_app_password;

    #[test]
    fn names_and_expiry_are_checked() {
        assert!(normalize_name("  ").is_err());
        assert_eq!(normalize_name(" CI ").ok(), Some("CI".into()));
        assert!(normalize_name(&"x".repeat(61)).is_err());
        assert_eq!(parse_expiry_days(""), Ok(None));
        assert_eq!(parse_expiry_days("30"), Ok(Some(30)));
        assert!(parse_expiry_days("0").is_err());
        assert!(parse_expiry_days("367").is_err());
        assert!(parse_expiry_days("soon").is_err());
    }

    #[test]
    fn app_passwords_forgive_typing() {
        assert_eq!(
            normalize_app_password("ABCD-efgh ijkl-MNOP"),
            "abcdefghijklmnop"
        );
    }

    #[test]
    fn scopes_round_trip() {
        for scope in [TokenScope::Read, TokenScope::ReadWrite] {
            assert_eq!(TokenScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(TokenScope::parse("admin"), None);
    }
}

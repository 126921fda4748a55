//! Safety parameters of an account (SEC-6, SEC-7): sign-in alerts by email, lockout after
//! consecutive failures with an unlock link, "this wasn't me" links, and throttling of failed
//! sign-ins per source address.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const LOCKOUT_MIN: i64 = 3;
pub const LOCKOUT_MAX: i64 = 20;
pub const LOCKOUT_DEFAULT: i64 = 10;
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SafetySettings {
    pub alert_on_sign_in: bool,
    pub alert_on_failed_sign_in: bool,
    pub lockout_threshold: i64,
    /// The settings' version, sent back with a save: a save from an older one is refused.
    pub version: i64,
}

/// What a "this wasn't me" link did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NotMeOutcome {
    /// The session the alert was about was still open and has been ended.
    pub session_ended: bool,
}

pub fn check_lockout_threshold(value: i64) -> Result<i64, AppError> {
    if (LOCKOUT_MIN..=LOCKOUT_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::validation(
            "lockout_threshold",
            format!("Choose a number from {LOCKOUT_MIN} to {LOCKOUT_MAX}."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::safe_next;

    #[test]
    fn lockout_threshold_bounds_are_inclusive() {
        assert!(check_lockout_threshold(2).is_err());
        assert_eq!(check_lockout_threshold(3).ok(), Some(3));
        assert_eq!(check_lockout_threshold(20).ok(), Some(20));
        assert!(check_lockout_threshold(21).is_err());
    }

    #[test]
    fn next_is_a_local_path_only() {
        assert_eq!(safe_next("/security").as_deref(), Some("/security"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "security",
            "/a b",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}

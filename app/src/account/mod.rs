//! Accounts: sign-up, sign-in, sign-out, sessions. Wire types and the pure rules live here.

pub mod api;
pub mod changes;
pub mod deletion;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
/// Where to go after a successful sign-in or sign-up.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SignedIn {
    pub redirect: String,
}

/// Sign-up's answer, the same whether the address was free or taken: a confirmation (or, for
/// a taken address, a notice to its owner) is on its way to `email`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SignUpStarted {
    pub email: String,
}

/// A pending sign-up's link and code work this long.
pub const SIGN_UP_CONFIRMATION_SECONDS: i64 = 24 * 3600;
/// "Send the code again" waits this long after the last email to the address.
pub const SIGN_UP_RESEND_SECONDS: i64 = 60;
/// Wrong codes a pending sign-up takes before it is void.
pub const SIGN_UP_CODE_ATTEMPTS: i64 = 5;

/// The 6-digit confirmation code as typed: digits only, spaces allowed.
pub fn normalize_code(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// What the profile page shows about the account's login and recovery contacts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AccountContacts {
    pub email: String,
    pub recovery_email: Option<String>,
    pub recovery_phone: Option<String>,
    /// A new login email waiting for the confirmation link to be opened.
    pub pending_email: Option<String>,
    /// The recovery contacts' version, sent back with a save: a save from an older one is
    /// refused.
    pub version: i64,
}

/// What a password change did besides changing the password.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PasswordChanged {
    pub other_sessions_ended: u64,
    pub app_passwords_revoked: u64,
}

/// A recovery phone number in international format: `+`, then 8 to 15 digits; spaces, dots,
/// dashes and parentheses are allowed and dropped.
pub fn normalize_phone(raw: &str) -> Result<Option<String>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        AppError::validation(
            "recovery_phone",
            "Enter the number in international format, like +41 79 123 45 67.",
        )
    };
    let rest = raw.strip_prefix('+').ok_or_else(invalid)?;
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')'))
    {
        return Err(invalid());
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if !(8..=15).contains(&digits.len()) {
        return Err(invalid());
    }
    Ok(Some(format!("+{digits}")))
}

/// Trims a first or last name and checks its length.
pub fn normalize_name(field: &str, label: &str, raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::validation(field, format!("Enter your {label}.")));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::validation(
            field,
            format!("The {label} can have at most {NAME_MAX_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::validation(
            field,
            format!("The {label} contains characters that are not allowed."),
        ));
    }
    Ok(name)
}

/// The password rules: 8 to 128 characters, no composition rules, not a common password,
/// not the email address itself.
pub fn check_new_password(password: &str, email: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(AppError::validation(
            "password",
            format!("Use at least {PASSWORD_MIN_CHARS} characters."),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(AppError::validation(
            "password",
            format!("Use at most {PASSWORD_MAX_CHARS} characters."),
        ));
    }
    if password.trim().to_lowercase() == email.trim().to_lowercase() {
        return Err(AppError::validation(
            "password",
            "Your password cannot be your email address.",
        ));
    }
    if is_common_password(password) {
        return Err(AppError::validation(
            "password",
            "This password is on a list of commonly used passwords. Choose one that is harder to guess.",
        ));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn is_common_password(password: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    // From zxcvbn-ts's common password list (MIT, see common_passwords.LICENSE.txt), keeping
    // the entries of 8 characters or more, lower-cased. Server-side only: it never reaches WASM.
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| include_str!("common_passwords.txt").lines().collect());
    list.contains(password.to_lowercase().as_str())
}

#[cfg(not(feature = "ssr"))]
fn is_common_password(_password: &str) -> bool {
    // The browser does not carry the list; the server always checks.
    false
}

/// A company's name as typed on the sign-up form; empty for an organization in the
/// person's own name.
pub fn normalize_company(raw: &str) -> Result<String, AppError> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    crate::access::normalize_organization_name(raw).map_err(|e| AppError {
        field: Some("company".into()),
        ..e
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::format::initials;
    use crate::mail::normalize_email;

    #[test]
    fn a_company_name_is_optional_and_checked_like_an_organization_name() {
        assert_eq!(normalize_company("   ").as_deref(), Ok(""));
        assert_eq!(
            normalize_company("  Café du Lac  ").as_deref(),
            Ok("Café du Lac")
        );
        let error = normalize_company(&"x".repeat(300)).expect_err("too long");
        assert_eq!(error.field.as_deref(), Some("company"));
    }

    #[test]
    fn confirmation_codes_are_six_digits() {
        assert_eq!(normalize_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(normalize_code("12345"), None);
        assert_eq!(normalize_code("1234567"), None);
        assert_eq!(normalize_code("12345a"), None);
        assert_eq!(normalize_code("١٢٣٤٥٦"), None);
    }

    fn field_of(result: Result<(), AppError>) -> Option<String> {
        result.err().and_then(|e| e.field)
    }

    #[test]
    fn password_length_bounds_are_inclusive() {
        assert!(check_new_password("a1b2c3d", "x@example.com").is_err());
        assert!(check_new_password("zq8-wv3k", "x@example.com").is_ok());
        let longest: String = "kx7".repeat(43).chars().take(128).collect();
        assert!(check_new_password(&longest, "x@example.com").is_ok());
        let too_long: String = "kx7".repeat(43).chars().take(129).collect();
        assert_eq!(
            field_of(check_new_password(&too_long, "x@example.com")),
            Some("password".into())
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Seven characters of two bytes each: still too short.
        assert!(check_new_password("ééééééé", "x@example.com").is_err());
        assert!(check_new_password("éééééééé", "x@example.com").is_ok());
    }

    #[test]
    fn no_composition_rules() {
        assert!(check_new_password("lowercase only words here", "x@example.com").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        for common in ["password", "PASSWORD", "12345678", "qwertyuiop", "iloveyou"] {
            let err = check_new_password(common, "x@example.com").err();
            assert!(
                err.is_some_and(|e| e.message.contains("commonly used")),
                "{common} accepted"
            );
        }
    }

    #[test]
    fn password_equal_to_email_is_refused() {
        assert!(check_new_password("Someone@Example.com", "someone@example.com").is_err());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").ok(),
            Some("alice@example.com".into())
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "a b@example.com",
            "a@b@c.com",
            "a@.com",
            "a@x..com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            normalize_name("first_name", "first name", "  Ada ").ok(),
            Some("Ada".into())
        );
        assert!(normalize_name("first_name", "first name", "   ").is_err());
        assert!(normalize_name("first_name", "first name", &"x".repeat(101)).is_err());
        assert!(normalize_name("first_name", "first name", "a\u{0}b").is_err());
    }

    #[test]
    fn phones_are_international_and_normalised() {
        assert_eq!(normalize_phone(""), Ok(None));
        assert_eq!(
            normalize_phone(" +41 (0)79 123-45.67 ").ok().flatten(),
            Some("+410791234567".into())
        );
        for bad in [
            "079 123 45 67",
            "+41 79 abc",
            "+1234567",
            "+1234567890123456",
        ] {
            assert!(normalize_phone(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn initials_take_one_letter_of_each_name() {
        assert_eq!(initials("ada", "lovelace"), "AL");
        assert_eq!(initials("Émile", "zola"), "ÉZ");
        assert_eq!(initials("", "Solo"), "S");
    }
}

/// The login identifier and the address's passwords are two different things (ACC-9): the
/// seed's words, on the profile page and on every address page.
pub const IDENTIFIERS_NOTE: &str = "Your login identifier (the email address you sign in to Steward with) has its own password, set when you created your account. An email address hosted here has passwords specific to it — one per device, for IMAP/SMTP and email clients (Outlook, Apple Mail, Thunderbird…) — different from your account's password, even when the two addresses look the same.";

//! Sign-in security of one's own account: two-factor methods (SEC-1, SEC-3), backup codes
//! (SEC-2), and what the second step of signing in accepts as proof (the step itself is
//! `crate::sign_in`). Wire types and pure rules live here.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backup_codes;
#[cfg(feature = "ssr")]
pub mod proof;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod totp;
pub mod view;

use crate::enums::stored;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const METHOD_LABEL_MAX_CHARS: usize = 60;
/// A pending sign-in ends after this many wrong codes; the person starts again with the password.
pub const SECOND_FACTOR_ATTEMPTS: i64 = 5;
stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum MethodKind labelled {
        /// Any TOTP app (RFC 6238); stored as `totp`.
        #[strum(serialize = "totp", message = "Authenticator app")]
        AuthenticatorApp,
        /// WebAuthn; arrives in a later release, the table already has room for it.
        #[strum(message = "Security key")]
        SecurityKey,
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Method {
    pub id: i64,
    pub kind: MethodKind,
    pub label: String,
    pub is_default: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What the security page shows about two-factor authentication.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TwoFactorOverview {
    pub methods: Vec<Method>,
    pub backup_codes_remaining: i64,
    /// My organizations that require two-factor authentication (SEC-4): while there is one,
    /// it cannot be turned off.
    pub required_by: Vec<String>,
}

/// What someone without two-factor authentication is told when organizations require it.
pub fn setup_reason(required_by: &[String]) -> Option<String> {
    match required_by {
        [] => None,
        [one] => Some(format!(
            "{one} requires two-factor authentication: set it up to keep working there."
        )),
        many => Some(format!(
            "{} require two-factor authentication: set it up to keep working there.",
            many.join(", ")
        )),
    }
}

/// Why two-factor authentication cannot be turned off, when organizations require it.
pub fn required_reason(required_by: &[String]) -> Option<String> {
    match required_by {
        [] => None,
        [one] => Some(format!(
            "{one} requires two-factor authentication: it cannot be turned off while you are a member."
        )),
        many => Some(format!(
            "{} require two-factor authentication: it cannot be turned off while you are a member of them.",
            many.join(", ")
        )),
    }
}

impl TwoFactorOverview {
    pub fn enabled(&self) -> bool {
        !self.methods.is_empty()
    }
}

/// A QR code as an SVG path, one unit per module, quiet zone included.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct QrSvg {
    pub size: u32,
    pub path: String,
}

/// An authenticator app being set up: scan the QR code or type the secret.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TotpEnrolment {
    /// Base32, as typed into an app.
    pub secret: String,
    pub uri: String,
    pub qr: QrSvg,
}

/// Fresh backup codes, shown once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BackupCodeSheet {
    pub codes: Vec<String>,
    pub account_email: String,
    pub created_at: i64,
}

impl BackupCodeSheet {
    /// The downloadable `.txt`.
    pub fn text(&self) -> String {
        let mut text = format!(
            "Steward backup codes for {}\nCreated {}\n\nEach code can be used once, instead of a code from your authenticator app.\nKeep this sheet somewhere safe. Generating new codes voids these.\n\n",
            self.account_email,
            crate::format::datetime(self.created_at)
        );
        for code in &self.codes {
            text.push_str(code);
            text.push('\n');
        }
        text
    }
}

/// The second step of a sign-in: which ways of proving it are open to this person.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Challenge {
    pub default_method: MethodKind,
    pub backup_codes_remaining: i64,
}

/// What the person submits at the second step.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    AuthenticatorApp,
    BackupCode,
}

impl ProofKind {
    pub fn parse(value: &str) -> Result<ProofKind, AppError> {
        match value {
            "authenticator_app" => Ok(ProofKind::AuthenticatorApp),
            "backup_code" => Ok(ProofKind::BackupCode),
            _ => Err(AppError::validation(
                "code",
                "Choose how to confirm it is you.",
            )),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ProofKind::AuthenticatorApp => "password and authenticator app",
            ProofKind::BackupCode => "password and backup code",
        }
    }
}

/// A method's name: trimmed, 1 to 60 characters, defaulting to the kind's name.
pub fn normalize_label(raw: &str, kind: MethodKind) -> Result<String, AppError> {
    let label = raw.trim();
    if label.is_empty() {
        return Ok(kind.label().to_owned());
    }
    if label.chars().count() > METHOD_LABEL_MAX_CHARS {
        return Err(AppError::validation(
            "label",
            format!("Use at most {METHOD_LABEL_MAX_CHARS} characters."),
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(AppError::validation(
            "label",
            "The name contains characters that are not allowed.",
        ));
    }
    Ok(label.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_default_to_the_kind_and_are_bounded() {
        assert_eq!(
            normalize_label("  ", MethodKind::AuthenticatorApp).ok(),
            Some("Authenticator app".into())
        );
        assert_eq!(
            normalize_label(" Phone ", MethodKind::AuthenticatorApp).ok(),
            Some("Phone".into())
        );
        assert!(normalize_label(&"x".repeat(61), MethodKind::AuthenticatorApp).is_err());
        assert!(normalize_label("a\nb", MethodKind::AuthenticatorApp).is_err());
    }

    #[test]
    fn method_kinds_round_trip() {
        for kind in [MethodKind::AuthenticatorApp, MethodKind::SecurityKey] {
            assert_eq!(MethodKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MethodKind::parse("sms"), None);
    }

    #[test]
    fn backup_sheet_lists_every_code() {
        let sheet = BackupCodeSheet {
            codes: vec!["aaaa-bbbb-cccc".into(), "dddd-eeee-ffff".into()],
            account_email: "ada@example.com".into(),
            created_at: 0,
        };
        let text = sheet.text();
        assert!(text.contains("ada@example.com") && text.contains(&crate::format::datetime(0)));
        assert!(text.ends_with("aaaa-bbbb-cccc\ndddd-eeee-ffff\n"));
    }
}

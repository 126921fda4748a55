//! Email: every message goes through the outbox, written in the transaction of the change that
//! causes it, and is delivered by a background worker (SMTP, or .eml files when no SMTP server
//! is configured).

#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod store;

use crate::error::AppError;

pub const SUBJECT_MAX_CHARS: usize = 200;

/// A message ready for the outbox. Built only through [`Email::new`], which makes header
/// injection impossible: no CR, LF or other control character reaches a header.
#[derive(Clone, Debug, PartialEq)]
pub struct Email {
    to: String,
    subject: String,
    body: String,
}

impl Email {
    pub fn new(
        to: &str,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Result<Email, AppError> {
        let subject = subject.into();
        let to = to.trim().to_owned();
        let bad_header = |text: &str| text.chars().any(char::is_control);
        if to.is_empty() || bad_header(&to) || !to.contains('@') || to.contains(['<', '>', ',']) {
            return Err(AppError::validation(
                "email",
                "This email address cannot receive messages.",
            ));
        }
        if bad_header(&subject) || subject.chars().count() > SUBJECT_MAX_CHARS {
            tracing_error("an email subject with control characters or too long");
            return Err(AppError::internal());
        }
        Ok(Email {
            to,
            subject,
            body: body.into(),
        })
    }
    pub fn to(&self) -> &str {
        &self.to
    }
    pub fn subject(&self) -> &str {
        &self.subject
    }
    pub fn body(&self) -> &str {
        &self.body
    }
}

fn tracing_error(message: &str) {
    #[cfg(feature = "ssr")]
    tracing::error!("{message}");
    #[cfg(not(feature = "ssr"))]
    let _ = message;
}

/// The common end of every message Steward sends.
pub fn signature() -> &'static str {
    "\n\n-- \nSteward · This message was sent automatically because of activity on your account.\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_injection_is_impossible() {
        assert!(Email::new("ada@example.com\r\nBcc: eve@example.com", "Hi", "b").is_err());
        assert!(Email::new("ada@example.com", "Hi\r\nBcc: eve@example.com", "b").is_err());
        assert!(Email::new("ada@example.com", "Hi\nthere", "b").is_err());
        assert!(Email::new("Eve <eve@example.com>", "Hi", "b").is_err());
        assert!(Email::new("a@example.com, b@example.com", "Hi", "b").is_err());
        assert!(Email::new("not-an-address", "Hi", "b").is_err());
        let ok = Email::new(" ada@example.com ", "Hi", "line one\r\nline two");
        assert_eq!(
            ok.map(|e| e.to().to_owned()).ok(),
            Some("ada@example.com".into())
        );
    }
}

//! Email: every message goes through the outbox, written in the transaction of the change that
//! causes it, and is delivered by a background worker (SMTP, or .eml files when no SMTP server
//! is configured).

#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod messages;
#[cfg(feature = "ssr")]
pub mod seal;
#[cfg(feature = "ssr")]
pub mod store;

use crate::error::AppError;

/// Subjects are cut to this many characters (with "…"): long enough for any message's own
/// words, short enough for every mail client's list, and far below any header limit.
pub const SUBJECT_MAX_CHARS: usize = 120;

/// A subject made safe from whatever names it quotes: control characters (which could end
/// the header) become spaces, runs of white space one space, and a subject that would be too
/// long is cut at a character boundary, with "…" to say so.
pub fn safe_subject(subject: &str) -> String {
    let single_line: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<&str> = single_line.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= SUBJECT_MAX_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(SUBJECT_MAX_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

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
        let subject = safe_subject(&subject.into());
        let to = to.trim().to_owned();
        let bad_header = |text: &str| text.chars().any(char::is_control);
        if to.is_empty() || bad_header(&to) || !to.contains('@') || to.contains(['<', '>', ',']) {
            return Err(AppError::validation(
                "email",
                "This email address cannot receive messages.",
            ));
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

/// When and from where something happened, as security emails tell it: time, IP address and
/// device, one per line.
#[cfg(feature = "ssr")]
pub fn when_and_where(now: i64, origin: &crate::request::Origin) -> String {
    format!(
        "Time: {}\nIP address: {}\nDevice: {}",
        crate::format::datetime_named(now),
        origin.ip,
        crate::format::device(&origin.user_agent)
    )
}

/// The common end of every message Steward sends.
pub fn signature() -> &'static str {
    "\n\n-- \nSteward · This message was sent automatically because of activity on your account.\n"
}

/// Trims and lower-cases an email address, and checks it has a plausible shape.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let invalid = || {
        AppError::validation(
            "email",
            "Enter a valid email address, like name@example.com.",
        )
    };
    if email.is_empty() {
        return Err(AppError::validation("email", "Enter your email address."));
    }
    if email.chars().count() > EMAIL_MAX_CHARS
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || !domain_ok {
        return Err(invalid());
    }
    // What the mail transport would refuse is refused here, where it is typed, not left
    // retrying in the outbox while the page says "told by email" (lettre's own parser, the one
    // the outbox sends with).
    #[cfg(feature = "ssr")]
    if email.parse::<lettre::Address>().is_err() {
        return Err(invalid());
    }
    Ok(email)
}

pub const EMAIL_MAX_CHARS: usize = 254;

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn what_the_transport_refuses_is_refused_where_it_is_typed() {
        for refused in [
            "a\"b@example.com",
            "a(b)@example.com",
            "a,b@example.com",
            "a<b@example.com",
            "a;b@example.com",
        ] {
            assert!(normalize_email(refused).is_err(), "{refused}");
        }
        for accepted in [
            "anna@example.com",
            "anna.muster+shop@example.co.uk",
            "o'brien@example.ie",
        ] {
            assert_eq!(
                normalize_email(accepted).as_deref(),
                Ok(accepted),
                "{accepted}"
            );
        }
    }

    #[test]
    fn header_injection_is_impossible() {
        assert!(Email::new("ada@example.com\r\nBcc: eve@example.com", "Hi", "b").is_err());
        // A subject quoting a name with a line break stays one harmless line.
        let folded = Email::new("ada@example.com", "Hi\r\nBcc: eve@example.com", "b");
        assert_eq!(
            folded.map(|e| e.subject().to_owned()).ok(),
            Some("Hi Bcc: eve@example.com".to_owned())
        );
        assert!(Email::new("Eve <eve@example.com>", "Hi", "b").is_err());
        assert!(Email::new("a@example.com, b@example.com", "Hi", "b").is_err());
        assert!(Email::new("not-an-address", "Hi", "b").is_err());
        let ok = Email::new(" ada@example.com ", "Hi", "line one\r\nline two");
        assert_eq!(
            ok.map(|e| e.to().to_owned()).ok(),
            Some("ada@example.com".into())
        );
    }

    #[test]
    fn long_subjects_are_cut_safely() {
        let name = "É".repeat(100);
        let subject = safe_subject(&format!("{name} {name} invites you to {name}"));
        assert_eq!(subject.chars().count(), SUBJECT_MAX_CHARS);
        assert!(subject.ends_with('…'));
        assert_eq!(safe_subject("  Two   spaces\there "), "Two spaces here");
        let exact = "x".repeat(SUBJECT_MAX_CHARS);
        assert_eq!(safe_subject(&exact), exact);
    }
}

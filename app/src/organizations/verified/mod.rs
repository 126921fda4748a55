//! Verified domains (the prerequisite of SSO, SEC-10): an organization's administrators add a
//! domain and prove it is theirs with a DNS TXT record at `_steward-challenge.<domain>` holding
//! the random value the page shows. The check asks real DNS (`crate::dns`); once verified, a
//! domain stays verified (a later check changes nothing), and a domain is verified for at most
//! one organization (a unique index). Public mail domains (gmail.com, outlook.com, …) are
//! refused: nobody holds them for an organization.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The label before the domain where the TXT record goes.
pub const CHALLENGE_LABEL: &str = "_steward-challenge";
/// What the record's value starts with, before the organization's random token.
pub const RECORD_PREFIX: &str = "steward-verification=";
/// At most this many domains per organization.
pub const DOMAINS_MAX: usize = 50;

/// Mail domains anyone can have an address at: never an organization's.
pub const PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "aol.com",
    "bluewin.ch",
    "fastmail.com",
    "free.fr",
    "gmail.com",
    "gmx.at",
    "gmx.ch",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hispeed.ch",
    "hotmail.ch",
    "hotmail.com",
    "hotmail.fr",
    "icloud.com",
    "ik.me",
    "laposte.net",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "orange.fr",
    "outlook.com",
    "outlook.fr",
    "pm.me",
    "proton.me",
    "protonmail.ch",
    "protonmail.com",
    "sfr.fr",
    "sunrise.ch",
    "t-online.de",
    "tutanota.com",
    "wanadoo.fr",
    "web.de",
    "yahoo.com",
    "yahoo.de",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
];

/// One of the organization's domains.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct VerifiedDomain {
    pub id: i64,
    /// Lower case, without a final dot: `example.ch`.
    pub domain: String,
    /// The random value of the TXT record (public once published: not a secret).
    pub token: String,
    pub added_at: i64,
    pub verified_at: Option<i64>,
}

impl VerifiedDomain {
    /// Where the TXT record goes: `_steward-challenge.example.ch`.
    pub fn record_name(&self) -> String {
        format!("{CHALLENGE_LABEL}.{}", self.domain)
    }

    /// What it holds: `steward-verification=…`.
    pub fn record_value(&self) -> String {
        format!("{RECORD_PREFIX}{}", self.token)
    }
}

/// The settings page's panel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DomainsPanel {
    pub domains: Vec<VerifiedDomain>,
}

/// What a check found.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DomainCheck {
    pub domain: String,
    pub verified: bool,
    /// Why not yet, in words (empty once verified).
    pub problem: String,
}

/// A domain as typed: lower case, labels of letters, digits and hyphens, an extension; no
/// scheme, path or `www.`-less guessing; never a public mail domain.
pub fn normalize_domain(raw: &str) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if trimmed.contains("://") || trimmed.contains('/') || trimmed.contains('@') {
        return Err(AppError::validation(
            "domain",
            "Enter the domain alone, like example.ch (no https://, path or address).",
        ));
    }
    let domain = crate::shop::check_domain_name(trimmed)
        .map_err(|error| AppError::validation("domain", error.message))?;
    if PUBLIC_MAIL_DOMAINS.contains(&domain.as_str()) {
        return Err(AppError::validation(
            "domain",
            format!("{domain} is a public mail service: anyone can have an address there, so no organization can verify it."),
        ));
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_is_read_as_people_type_it_and_public_mail_is_refused() {
        assert_eq!(
            normalize_domain(" Example.CH. ").as_deref(),
            Ok("example.ch")
        );
        for bad in [
            "",
            "example",
            "https://example.ch",
            "example.ch/about",
            "me@example.ch",
            "-a.ch",
            "exa mple.ch",
        ] {
            assert_eq!(
                normalize_domain(bad).expect_err(bad).field.as_deref(),
                Some("domain"),
                "{bad}"
            );
        }
        assert!(normalize_domain("Gmail.com")
            .expect_err("public")
            .message
            .contains("public mail service"));
        let d = VerifiedDomain {
            id: 1,
            domain: "example.ch".into(),
            token: "abc".into(),
            added_at: 0,
            verified_at: None,
        };
        assert_eq!(d.record_name(), "_steward-challenge.example.ch");
        assert_eq!(d.record_value(), "steward-verification=abc");
    }
}

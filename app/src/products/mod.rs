//! Products of an organization (PRD-1, PRD-6): the list (search, filters, sort, keyset pages)
//! and each product's page. Legal representatives and administrators see every product;
//! collaborators and externals only the products they were given access to.

pub mod api;
#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod registry;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::enums::stored;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 20;
pub const SEARCH_MAX_CHARS: usize = 100;
/// A product expiring within this many days is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum ProductKind labelled {
        #[strum(message = "Domain name")]
        Domain,
        #[strum(message = "Web hosting")]
        WebHosting,
        #[strum(message = "Mail service")]
        MailService,
        #[strum(message = "Cloud server")]
        CloudServer,
        #[strum(message = "Drive")]
        Drive,
    }
}

stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum ProductStatus labelled {
        #[strum(message = "Active")]
        Active,
        #[strum(message = "Expired")]
        Expired,
        #[strum(message = "Suspended")]
        Suspended,
    }
}

stored! {
    /// How the product list is sorted (by name unless the address asks otherwise).
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
    #[serde(rename_all = "snake_case")]
    pub enum ProductSort {
        #[default]
        Name,
        Expiry,
    }
}

stored! {
    /// Where a domain stands. Only domains leave `Active`; a released domain is gone from the list
    /// and kept in the history.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    pub enum DomainStage labelled {
        #[strum(message = "Active")]
        Active,
        /// Past its expiry, still renewable at the normal price.
        #[strum(message = "Expired")]
        Expired,
        /// Restorable (restore fee + one renewal) where the registry offers it.
        #[strum(message = "In redemption")]
        Redemption,
        /// Being deleted at the registry: nothing can be done.
        #[strum(message = "Pending deletion")]
        PendingDelete,
        #[strum(message = "Released")]
        Released,
    }
}

/// One line of the product list.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProductSummary {
    pub id: i64,
    pub name: String,
    pub kind: ProductKind,
    pub status: ProductStatus,
    pub expires_at: Option<i64>,
    pub holder: String,
    pub tags: Vec<crate::tags::TagChip>,
    /// Management blocked by an administrator (PRD-3).
    pub blocked: bool,
    /// A domain's stage after expiry (PRD-4); `Active` for every other product.
    pub stage: DomainStage,
    /// Where a domain past its expiry stands, in words.
    pub standing: Option<String>,
    /// A domain transferred in whose transfer is not done: where it stands, in words.
    #[serde(default)]
    pub in_transfer: Option<String>,
    /// Renews itself at expiry, paid from the prepaid balance.
    #[serde(default)]
    pub auto_renew: bool,
}

/// A page of the product list, with what it shows and for whom (PRD-6).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProductPage {
    pub products: Vec<ProductSummary>,
    /// Cursor of the next page, when there is one.
    pub next: Option<String>,
    pub organization_name: String,
    pub account_email: String,
    /// False for collaborators and externals: they see only the products they were given.
    pub sees_all: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProductDetail {
    pub id: i64,
    pub name: String,
    pub kind: ProductKind,
    pub status: ProductStatus,
    pub expires_at: Option<i64>,
    /// Who owns the rights to the product: its name.
    pub holder: String,
    /// The holder's contact (PRD-7), as given; empty fields until someone gives it.
    #[serde(default)]
    pub holder_contact: Holder,
    /// Who pays: the organization.
    pub payer: String,
    /// Whether I may change what this product's page lets change (its holder): I reach it and
    /// its management is not blocked for me.
    #[serde(default)]
    pub can_manage: bool,
    pub created_at: i64,
    pub tags: Vec<crate::tags::TagChip>,
    /// When its management was blocked, and by whom.
    pub blocked_at: Option<i64>,
    pub blocked_by: Option<String>,
    /// Whether I may block and unblock it.
    pub can_block: bool,
    pub stage: DomainStage,
    /// Where a domain past its expiry stands, in words.
    pub standing: Option<String>,
    /// A domain transferred in whose transfer is not done: where it stands, in words.
    #[serde(default)]
    pub in_transfer: Option<String>,
}

/// A product's holder (PRD-7): who owns the rights — a person or a company — and the contact
/// a registry asks for. The payer is the organization, shown apart.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Holder {
    pub name: String,
    pub company: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 code, one of `address::COUNTRIES` (empty until given).
    pub country: String,
    pub email: String,
}

impl Holder {
    /// A holder as typed: the postal address's rules (`address::AddressInput`, without a VAT
    /// number) and a valid email address, all required but the company.
    pub fn check(
        name: &str,
        company: &str,
        street: &str,
        postal_code: &str,
        city: &str,
        country: &str,
        email: &str,
    ) -> Result<Holder, AppError> {
        let address = crate::address::AddressInput::check(
            name,
            company,
            street,
            postal_code,
            city,
            country,
            "",
        )?;
        let email = crate::mail::normalize_email(email)?;
        Ok(Holder {
            name: address.name,
            company: address.company,
            street: address.street,
            postal_code: address.postal_code,
            city: address.city,
            country: address.country,
            email,
        })
    }

    /// Whether the contact was given (a product made before holders had one has only a name).
    pub fn is_complete(&self) -> bool {
        !self.street.is_empty() && !self.email.is_empty()
    }

    /// The holder as shown, line by line.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.company.is_empty() {
            lines.push(self.company.clone());
        }
        lines.push(self.name.clone());
        if !self.street.is_empty() {
            lines.push(self.street.clone());
            lines.push(format!(
                "{}-{} {}",
                self.country, self.postal_code, self.city
            ));
        }
        if !self.email.is_empty() {
            lines.push(self.email.clone());
        }
        lines
    }
}

/// What the list and the page say of a domain past its expiry (`None` for other products, and
/// for a domain whose extension the table no longer lists).
#[cfg(feature = "ssr")]
pub fn standing(
    kind: ProductKind,
    name: &str,
    stage: DomainStage,
    expires_at: Option<i64>,
    now: i64,
    currency: crate::money::Currency,
) -> Option<String> {
    if kind != ProductKind::Domain {
        return None;
    }
    domain::current()
        .of(name)?
        .standing(stage, expires_at?, now, currency)
}

/// A mail service cannot be blocked: it is put into maintenance instead (seed "block a product").
pub fn can_be_blocked(kind: ProductKind) -> bool {
    kind != ProductKind::MailService
}

/// The filters of the list, as typed into the form.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProductFilter {
    pub search: String,
    pub kind: Option<ProductKind>,
    pub status: Option<ProductStatus>,
    pub tag: Option<i64>,
    pub sort: ProductSort,
}

impl ProductFilter {
    pub fn parse(
        search: &str,
        kind: &str,
        status: &str,
        tag: &str,
        sort: &str,
    ) -> Result<Self, AppError> {
        let search = search.trim();
        if search.chars().count() > SEARCH_MAX_CHARS {
            return Err(AppError::validation(
                "search",
                format!("Search with at most {SEARCH_MAX_CHARS} characters."),
            ));
        }
        let kind = match kind {
            "" => None,
            k => Some(ProductKind::parse(k).ok_or_else(|| {
                AppError::validation("kind", "Choose a kind of product from the list.")
            })?),
        };
        let status =
            match status {
                "" => None,
                s => Some(ProductStatus::parse(s).ok_or_else(|| {
                    AppError::validation("status", "Choose a status from the list.")
                })?),
            };
        let tag = match tag {
            "" => None,
            t => Some(
                t.parse::<i64>()
                    .map_err(|_| AppError::validation("tag", "Choose a tag from the list."))?,
            ),
        };
        Ok(ProductFilter {
            search: search.to_owned(),
            kind,
            status,
            tag,
            sort: ProductSort::parse(sort).unwrap_or_default(),
        })
    }
}

/// The keyset cursor after a row: its sort key and id.
pub fn cursor_after(sort: ProductSort, product: &ProductSummary) -> String {
    match sort {
        ProductSort::Name => format!("{}|{}", product.name.to_lowercase(), product.id),
        ProductSort::Expiry => format!("{}|{}", product.expires_at.unwrap_or(i64::MAX), product.id),
    }
}

/// Reads a cursor back: the key (text) and the id.
pub fn parse_cursor(cursor: &str) -> Result<(String, i64), AppError> {
    let invalid = || AppError::validation("after", "This page of the list is no longer valid.");
    let (key, id) = cursor.rsplit_once('|').ok_or_else(invalid)?;
    Ok((key.to_owned(), id.parse().map_err(|_| invalid())?))
}

/// "Expires in 12 days", "Expired 3 days ago", or nothing when far away.
/// A transfer in that is not done, in words (`products.transfer_state`, written by the domains
/// area): "pending" or "failed"; `None` once done or for a product never transferred.
pub fn in_transfer(state: Option<&str>) -> Option<String> {
    match state? {
        "pending" => Some("transfer in progress: the registry is being asked".to_owned()),
        "failed" => Some("transfer failed: open it to see why and restart".to_owned()),
        _ => None,
    }
}

pub fn expiry_note(expires_at: Option<i64>, now: i64) -> Option<String> {
    let at = expires_at?;
    let days = (at - now).div_euclid(86_400);
    if at <= now {
        let ago = (now - at).div_euclid(86_400);
        Some(match ago {
            0 => "Expired today".to_owned(),
            1 => "Expired yesterday".to_owned(),
            n => format!("Expired {n} days ago"),
        })
    } else if days < EXPIRY_WARNING_DAYS {
        Some(match days {
            0 => "Expires today".to_owned(),
            1 => "Expires tomorrow".to_owned(),
            n => format!("Expires in {n} days"),
        })
    } else {
        None
    }
}

stored! {
    /// Why a transfer in failed, as the registry answered (PRD-5).
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum TransferFailure {
        WrongAuthorizationCode,
        TransferLock,
        /// Registered or transferred less than 60 days ago.
        TooRecent,
        InRedemption,
        HolderDidNotConfirm,
    }
}

impl TransferFailure {
    /// What went wrong, in plain words.
    pub fn reason(self) -> &'static str {
        match self {
            TransferFailure::WrongAuthorizationCode => {
                "The authorization code (also called transfer code or EPP code) is not the one the current registrar gave."
            }
            TransferFailure::TransferLock => {
                "The domain is locked against transfers at its current registrar."
            }
            TransferFailure::TooRecent => {
                "The domain was registered or transferred less than 60 days ago: registries refuse to move it again so soon."
            }
            TransferFailure::InRedemption => {
                "The domain expired and is in redemption at its current registrar: it cannot move until it is restored there."
            }
            TransferFailure::HolderDidNotConfirm => {
                "The domain's holder did not confirm the transfer when the current registrar asked."
            }
        }
    }
    /// What to do before restarting the transfer.
    pub fn remedy(self) -> &'static str {
        match self {
            TransferFailure::WrongAuthorizationCode => {
                "Ask the current registrar for the authorization code again, then restart the transfer with it."
            }
            TransferFailure::TransferLock => {
                "Remove the transfer lock in the current registrar's console (often called \"transfer lock\" or \"registrar lock\"), then restart the transfer."
            }
            TransferFailure::TooRecent => {
                "Wait until 60 days have passed since the registration or the last transfer, then restart the transfer."
            }
            TransferFailure::InRedemption => {
                "Have the domain restored at its current registrar, then restart the transfer."
            }
            TransferFailure::HolderDidNotConfirm => {
                "Make sure the holder's email address at the current registrar is right and that the holder answers its message, then restart the transfer."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_holder_is_a_postal_address_and_an_email() {
        let ok = super::Holder::check(
            " Anna Muster ",
            "",
            "Rue du Lac 1",
            "1003",
            "Lausanne",
            "ch",
            "Anna@Example.COM",
        )
        .expect("valid");
        assert_eq!(ok.country, "CH");
        assert_eq!(ok.email, "anna@example.com");
        assert_eq!(ok.name, "Anna Muster");
        assert_eq!(
            ok.lines(),
            [
                "Anna Muster",
                "Rue du Lac 1",
                "CH-1003 Lausanne",
                "anna@example.com"
            ]
        );
        let field =
            |r: Result<super::Holder, crate::error::AppError>| r.expect_err("refused").field;
        assert_eq!(
            field(super::Holder::check(
                "A",
                "",
                "S 1",
                "1003",
                "Lausanne",
                "CH",
                "not-an-email"
            ))
            .as_deref(),
            Some("email")
        );
        assert_eq!(
            field(super::Holder::check(
                "A", "", "S 1", "1003", "Lausanne", "XX", "a@b.ch"
            ))
            .as_deref(),
            Some("country")
        );
        assert_eq!(
            field(super::Holder::check(
                "", "", "S 1", "1003", "Lausanne", "CH", "a@b.ch"
            ))
            .as_deref(),
            Some("name")
        );
    }

    use super::*;
    use crate::format::like_pattern;

    #[test]
    fn kinds_and_statuses_round_trip() {
        for &kind in ProductKind::ALL {
            assert_eq!(ProductKind::parse(kind.as_str()), Some(kind));
        }
        for &status in ProductStatus::ALL {
            assert_eq!(ProductStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ProductKind::parse("toaster"), None);
    }

    #[test]
    fn filters_are_checked() {
        assert!(ProductFilter::parse("", "toaster", "", "", "").is_err());
        assert!(ProductFilter::parse("", "", "lost", "", "").is_err());
        assert!(ProductFilter::parse("", "", "", "red", "").is_err());
        assert!(ProductFilter::parse(&"x".repeat(101), "", "", "", "").is_err());
        let f =
            ProductFilter::parse(" shop ", "domain", "active", "7", "expiry").unwrap_or_default();
        assert_eq!(f.tag, Some(7));
        assert_eq!(f.search, "shop");
        assert_eq!(f.kind, Some(ProductKind::Domain));
        assert_eq!(f.sort, ProductSort::Expiry);
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("Shop"), "%shop%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }

    #[test]
    fn a_transfer_not_done_is_said_in_words() {
        assert!(in_transfer(Some("failed")).is_some_and(|t| t.contains("failed")));
        assert!(in_transfer(Some("pending")).is_some_and(|t| t.contains("in progress")));
        assert_eq!(in_transfer(Some("done")), None);
        assert_eq!(in_transfer(None), None);
    }

    #[test]
    fn cursors_round_trip_even_with_separators_in_names() {
        let product = ProductSummary {
            id: 42,
            name: "A|B".into(),
            kind: ProductKind::Domain,
            status: ProductStatus::Active,
            expires_at: None,
            holder: String::new(),
            tags: Vec::new(),
            blocked: false,
            stage: DomainStage::Active,
            standing: None,
            in_transfer: None,
            auto_renew: false,
        };
        let cursor = cursor_after(ProductSort::Name, &product);
        assert_eq!(parse_cursor(&cursor).ok(), Some(("a|b".to_owned(), 42)));
        let cursor = cursor_after(ProductSort::Expiry, &product);
        assert_eq!(parse_cursor(&cursor).ok(), Some((i64::MAX.to_string(), 42)));
        assert!(parse_cursor("nonsense").is_err());
    }

    #[test]
    fn expiry_notes() {
        let now = 1_000_000_000;
        assert_eq!(expiry_note(None, now), None);
        assert_eq!(expiry_note(Some(now + 100 * 86_400), now), None);
        assert_eq!(
            expiry_note(Some(now + 12 * 86_400 + 5), now).as_deref(),
            Some("Expires in 12 days")
        );
        assert_eq!(
            expiry_note(Some(now - 3 * 86_400), now).as_deref(),
            Some("Expired 3 days ago")
        );
    }
}

//! The partner program (PAR-1, PAR-2, PAR-7). An organization applies to become a partner from
//! its settings (its trade-register number and website); the operator approves or refuses the
//! application and sets the partner's discount rates per product kind with operator commands
//! (`operator`). A partner's legal representatives ask customers for access by email — one of
//! the seeds' three kinds, with an optional end date — and a legal representative of the
//! customer grants it (another kind, fewer products, an end date) or refuses it: what was
//! requested and what was granted are kept apart. Unanswered requests expire after 30 days;
//! either side ends the relationship at any time, and a grant with an end date ends by itself.
//! The Reseller area lists the partner's customers and requests.

pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::enums::stored;
use crate::error::AppError;
use crate::money::Percent;
pub use crate::policy::PartnerAccess;
use crate::products::ProductKind;
use serde::{Deserialize, Serialize};

/// How long a request for access waits for the customer's answer.
pub const REQUEST_LIFETIME_SECONDS: i64 = 30 * 86_400;
/// How long before a grant's end date both sides are reminded.
pub const END_REMINDER_SECONDS: i64 = 14 * 86_400;
pub const TRADE_REGISTER_MAX_CHARS: usize = 40;
pub const WEBSITE_MAX_CHARS: usize = 200;

stored! {
    /// Where an organization stands in the partner program.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum PartnerState labelled {
        #[strum(message = "Application under review")]
        Applied,
        #[strum(message = "Partner")]
        Approved,
        #[strum(message = "Application refused")]
        Refused,
    }
}

stored! {
    /// What the billing-history export holds (PAR-6).
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum History labelled {
        #[strum(message = "Invoices")]
        Invoices,
        #[strum(message = "Renewals")]
        Renewals,
        #[strum(message = "Cashback")]
        Cashback,
    }
}

/// The HTTP route of the billing-history export: `?organization=ID&history=invoices&from=
/// 2026-01-01&to=2027-01-01&customers=3,4` (PAR-6).
pub const EXPORT_PATH: &str = "/reseller-export.csv";

stored! {
    /// Where a relationship between a partner and a customer stands.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum RelationshipState labelled {
        #[strum(message = "Waiting for the customer")]
        Requested,
        #[strum(message = "Active")]
        Active,
        #[strum(message = "Refused by the customer")]
        Refused,
        #[strum(message = "Cancelled")]
        Cancelled,
        #[strum(message = "Ended")]
        Ended,
    }
}

/// Tells the organization's legal representatives who are not blocked — those who answer for
/// its partner status and for who manages it — one message each, through the outbox of the
/// transaction.
#[cfg(feature = "ssr")]
pub(crate) async fn tell_legal_representatives(
    tx: &mut crate::db::Tx,
    organization_id: i64,
    now: i64,
    message: impl Fn(&str, &str) -> Result<crate::mail::Email, AppError>,
) -> Result<(), AppError> {
    for (to, first_name) in store::legal_representatives(tx, organization_id).await? {
        let email = message(&to, &first_name)?;
        crate::mail::store::enqueue(tx, &email, now).await?;
    }
    Ok(())
}

/// An activity-log entry of the organization that nobody signed in wrote: the operator's
/// command line or the scheduler (`origin`).
#[cfg(feature = "ssr")]
pub(crate) async fn log_unattended(
    tx: &mut crate::db::Tx,
    origin: &crate::request::Origin,
    action: crate::activity::ActivityAction,
    organization_id: i64,
    detail: &str,
    at: i64,
) -> Result<(), AppError> {
    crate::activity::store::record(
        tx,
        crate::activity::store::NewEntry {
            action,
            actor_user_id: None,
            organization_id: Some(organization_id),
            product_id: None,
            detail,
            origin,
            at,
        },
    )
    .await?;
    Ok(())
}

/// One discount rate of a partner: a product kind and its percentage.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub kind: ProductKind,
    pub percent: Percent,
}

/// The settings page's part about the partner program.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProgramFacts {
    /// `None`: never applied.
    pub state: Option<PartnerState>,
    pub trade_register: String,
    pub website: String,
    pub applied_at: Option<i64>,
    pub decided_at: Option<i64>,
    /// Why the operator refused, when they did.
    pub refusal_reason: String,
    pub rates: Vec<Rate>,
    /// I may apply (or apply again after a refusal): a legal representative.
    pub may_apply: bool,
}

/// A trade-register number as typed: letters, digits, dots, dashes, slashes and spaces, like
/// `CHE-123.456.789` or `HRB 12345`.
pub fn normalize_trade_register(raw: &str) -> Result<String, AppError> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.chars().count() < 3 || value.chars().count() > TRADE_REGISTER_MAX_CHARS {
        return Err(AppError::validation(
            "trade_register",
            format!(
                "Enter the organization's trade-register number (3 to {TRADE_REGISTER_MAX_CHARS} characters), like CHE-123.456.789."
            ),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '/'))
        || !value.chars().any(|c| c.is_ascii_digit())
    {
        return Err(AppError::validation(
            "trade_register",
            "A trade-register number has letters, digits, dots, dashes and slashes, like CHE-123.456.789.",
        ));
    }
    Ok(value)
}

/// A website as typed: `https://…` or `http://…` (`https://` is added to a bare name), with a
/// host that has a dot and no spaces.
pub fn normalize_website(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let bad = || {
        AppError::validation(
            "website",
            "Enter the organization's website, like https://www.example.ch.",
        )
    };
    if raw.is_empty() || raw.chars().count() > WEBSITE_MAX_CHARS {
        return Err(bad());
    }
    let url = if raw.starts_with("https://") || raw.starts_with("http://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let rest = url.split_once("://").map_or("", |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !host_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    Ok(url)
}

/// One month of a partner's cashback from one customer, as the Reseller area's statement shows
/// it (PAR-5).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CashbackMonth {
    /// `2026-11`.
    pub month: String,
    pub customer: String,
    pub amount: crate::money::Money,
    /// How many order lines earned it.
    pub lines: i64,
}

/// How many months of cashback the Reseller area's statement shows (the export reaches further).
pub const STATEMENT_MONTHS: i64 = 24;

/// The statement of credited cashback lines: one row per month (UTC) and customer, the newest
/// month first, customers by name; each currency apart.
#[cfg(feature = "ssr")]
pub fn statement(rows: &[crate::shop::cashback::CashbackRow]) -> Vec<CashbackMonth> {
    use std::collections::BTreeMap;
    let mut months: BTreeMap<(String, String, String), (i64, i64)> = BTreeMap::new();
    for row in rows {
        let Some(at) = row.credited_at else {
            continue;
        };
        let month = crate::format::iso_date(at)[..7].to_owned();
        let customer = row.customer.clone().unwrap_or_else(|| "(deleted)".into());
        let sum = months
            .entry((month, customer, row.currency.clone()))
            .or_insert((0, 0));
        sum.0 += row.amount_minor;
        sum.1 += 1;
    }
    let mut statement: Vec<CashbackMonth> = months
        .into_iter()
        .filter_map(|((month, customer, currency), (minor, lines))| {
            Some(CashbackMonth {
                month,
                customer,
                amount: crate::money::Money::new(minor, crate::money::Currency::parse(&currency)?),
                lines,
            })
        })
        .collect();
    // Newest month first; within a month, customers by name (the map's order).
    statement.sort_by(|a, b| b.month.cmp(&a.month));
    statement
}

/// A customer (or a request for one) as the Reseller area lists it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CustomerRow {
    pub id: i64,
    pub state: RelationshipState,
    /// The customer organization's name, once one granted access.
    pub customer: Option<String>,
    pub customer_id: Option<i64>,
    /// To whom the request went.
    pub email: String,
    pub requested: PartnerAccess,
    pub requested_until: Option<i64>,
    pub granted: Option<PartnerAccess>,
    pub granted_until: Option<i64>,
    /// The products a limited grant reaches (names), or how many products a full grant reaches.
    pub products: Vec<String>,
    pub product_count: i64,
    pub requested_at: i64,
    /// Until when the request may be answered.
    pub request_expires_at: i64,
    /// When access was granted.
    pub since: Option<i64>,
    /// When the request was answered (granted, refused or cancelled).
    #[serde(default)]
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// The partner's collaborators this customer is delegated to (PAR-7).
    #[serde(default)]
    pub delegated: Vec<i64>,
}

impl CustomerRow {
    /// Who pays when the partner orders for this customer.
    pub fn payment_methods(&self) -> &'static str {
        match self.granted {
            Some(PartnerAccess::FullPartnerPays) => "The partner's",
            Some(PartnerAccess::FullCustomerPays) | Some(PartnerAccess::Limited) => {
                "The customer's"
            }
            None => "—",
        }
    }

    /// A request whose 30 days are over without an answer.
    pub fn request_expired(&self, now: i64) -> bool {
        self.state == RelationshipState::Requested && self.request_expires_at <= now
    }

    /// Whether the partner reaches the customer now.
    pub fn active(&self, now: i64) -> bool {
        self.state == RelationshipState::Active && self.granted_until.is_none_or(|t| t > now)
    }
}

/// The Reseller area: the partner's customers and requests, and what I may do there.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ResellerArea {
    pub partner: String,
    pub rows: Vec<CustomerRow>,
    pub rates: Vec<Rate>,
    /// I may add customers and end relationships: a legal representative.
    pub may_manage: bool,
    /// I may choose which customers each collaborator reaches (PAR-7).
    #[serde(default)]
    pub may_delegate: bool,
    /// The partner's collaborators (not blocked): `(user id, name)`.
    #[serde(default)]
    pub collaborators: Vec<(i64, String)>,
    /// Cashback credited, per month and customer, newest month first (PAR-5).
    #[serde(default)]
    pub cashback: Vec<CashbackMonth>,
    /// The server's clock, for "expired" and "ended".
    pub now: i64,
}

/// One customer's profile in the Reseller area (PAR-1): what was asked and what was granted,
/// side by side, who pays, what the partner reaches, and the relationship's history.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CustomerProfile {
    pub row: CustomerRow,
    pub requested_by: Option<String>,
    pub answered_by: Option<String>,
    /// The products the partner reaches there now (none once the access ended).
    pub products: Vec<String>,
    /// What happened, oldest first: `(when, what)`.
    pub history: Vec<(i64, String)>,
    pub now: i64,
}

/// An organization a customer's legal representative may grant access from, with its products
/// (for a limited grant).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Granter {
    pub id: i64,
    pub name: String,
    pub products: Vec<(i64, String)>,
}

/// What the emailed link opens.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RequestOpening {
    pub partner: String,
    pub requested_by: Option<String>,
    pub email: String,
    pub requested: PartnerAccess,
    pub requested_until: Option<i64>,
    pub expires_at: i64,
    /// Who is signed in here, if anyone.
    pub signed_in_as: Option<String>,
    /// The organizations the signed-in person represents (not the partner itself).
    pub granters: Vec<Granter>,
}

/// A partner with access to this organization, as its settings list them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PartnerWithAccess {
    pub id: i64,
    pub partner: String,
    pub granted: PartnerAccess,
    pub granted_until: Option<i64>,
    pub products: Vec<String>,
    pub since: i64,
}

/// An end date as typed in a form (`YYYY-MM-DD`, empty for none): the first instant after that
/// day, which must be in the future.
pub fn parse_until(field: &str, text: &str, now: i64) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day = crate::format::parse_date(text)
        .ok_or_else(|| AppError::validation(field, "Enter a date like 2027-06-30, or none."))?;
    let until = day + 86_400;
    if until <= now {
        return Err(AppError::validation(
            field,
            "The end date is in the past: choose a later day, or none.",
        ));
    }
    Ok(Some(until))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trade_register_numbers_and_websites_are_read_as_people_type_them() {
        assert_eq!(
            normalize_trade_register("  CHE-123.456.789 ").as_deref(),
            Ok("CHE-123.456.789")
        );
        assert_eq!(
            normalize_trade_register("HRB  12345").as_deref(),
            Ok("HRB 12345")
        );
        assert!(normalize_trade_register("ab").is_err());
        assert!(normalize_trade_register("no digits here").is_err());
        assert!(normalize_trade_register("CHE<script>1").is_err());
        assert_eq!(
            normalize_website("www.agency.ch").as_deref(),
            Ok("https://www.agency.ch")
        );
        assert_eq!(
            normalize_website("http://agency.ch/about").as_deref(),
            Ok("http://agency.ch/about")
        );
        for bad in [
            "",
            "agency",
            "https://",
            "javascript:alert(1)",
            "https://a b.ch",
            "https://.ch",
        ] {
            assert!(normalize_website(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_end_date_is_a_day_to_come() {
        let now = 1_800_000_000;
        assert_eq!(parse_until("until", "", now), Ok(None));
        assert!(parse_until("until", "2001-01-01", now).is_err());
        assert!(parse_until("until", "tomorrow", now).is_err());
        assert_eq!(
            parse_until("until", "2030-06-30", now),
            Ok(crate::format::parse_date("2030-07-01"))
        );
    }
}

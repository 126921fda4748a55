//! Domain names after expiry (PRD-4): the scheduler's job that moves each domain through the
//! stages its extension allows (expired → redemption → pending deletion → released, each move
//! once), the domain's panel on its product page (where it stands, the restore quote, the
//! renewal warranty), restoring and buying a warranty through the cart, and the history of
//! released domains. The rules and the per-extension table are `products::domain`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::money::Money;
use crate::products::DomainStage;
use serde::{Deserialize, Serialize};

/// At most this many years of renewal warranty in one order.
pub const WARRANTY_YEARS_MAX: i64 = 10;

/// A restore, priced before anything is ordered (VAT excluded).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RestoreOffer {
    pub fee: Money,
    /// One year of renewal.
    pub renewal: Money,
    pub total: Money,
    /// Restorable until then.
    pub until: i64,
}

/// What a domain's panel shows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DomainFacts {
    pub product_id: i64,
    pub name: String,
    pub stage: DomainStage,
    /// Where it stands past its expiry, in words.
    pub standing: Option<String>,
    pub expires_at: Option<i64>,
    /// The extension's rules, in words ("Renewable at the normal price for 30 days after
    /// expiry, then restorable for 30 days (…)").
    pub rules: String,
    /// One year of renewal.
    pub renewal_price: Money,
    /// Offered while the domain is in redemption and its registry restores.
    pub restore: Option<RestoreOffer>,
    pub warranty_until: Option<i64>,
    /// One year of renewal warranty.
    pub warranty_price: Money,
    /// Whether this person may order (restore, warranty): billing rights.
    pub may_order: bool,
}

/// A domain that was released: free for anyone, kept here and in the log.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReleasedDomain {
    pub product_id: i64,
    pub name: String,
    pub expired_at: Option<i64>,
    pub released_at: Option<i64>,
}

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
#[cfg(feature = "ssr")]
pub mod transfer;
pub mod view;

use crate::error::AppError;
use crate::money::Money;
use crate::products::DomainStage;
// Why a transfer failed is the registry's answer; the registry adapter sits with the products,
// where the shop asks it too.
pub use crate::products::TransferFailure;
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
    /// Whether this person may order (restore, warranty) and restart a transfer: billing rights.
    pub may_order: bool,
    /// A domain transferred in from another registrar: where its transfer stands.
    pub transfer: Option<TransferFacts>,
    /// It renews itself at expiry, paid from the prepaid balance.
    #[serde(default)]
    pub auto_renew: bool,
    /// The prepaid balance in the organization's currency, for those who may order.
    #[serde(default)]
    pub prepaid_balance: Option<Money>,
}

/// A transfer in, as the domain's page shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TransferFacts {
    pub state: TransferState,
    /// Why the last try failed.
    pub failure: Option<TransferFailure>,
    /// How many times the registry was asked.
    pub attempts: i64,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Waiting for the registry's answer.
    Pending,
    Failed,
    Done,
}

impl TransferState {
    pub fn parse(text: &str) -> Option<TransferState> {
        match text {
            "pending" => Some(TransferState::Pending),
            "failed" => Some(TransferState::Failed),
            "done" => Some(TransferState::Done),
            _ => None,
        }
    }
}

/// A domain that was released: free for anyone, kept here and in the log.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReleasedDomain {
    pub product_id: i64,
    pub name: String,
    pub expired_at: Option<i64>,
    pub released_at: Option<i64>,
}

/// An authorization code as typed: 1 to 64 visible characters.
pub fn check_auth_code(code: &str) -> Result<String, AppError> {
    let code = code.trim();
    if code.is_empty()
        || code.chars().count() > 64
        || code.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(AppError::validation(
            "auth_code",
            "Enter the authorization code the current registrar gave (1 to 64 characters, no spaces).",
        ));
    }
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_code_is_visible_characters_without_spaces() {
        assert_eq!(check_auth_code("  aB3$-x9 ").as_deref(), Ok("aB3$-x9"));
        for bad in ["", "   ", "ab cd", "ab\tcd", &"x".repeat(65)] {
            let error = check_auth_code(bad).expect_err(bad);
            assert_eq!(error.field.as_deref(), Some("auth_code"), "{bad:?}");
        }
        assert!(check_auth_code(&"x".repeat(64)).is_ok());
    }
}

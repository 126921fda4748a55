//! Invitations to join an organization (ORG-4): by email, with a role and — for collaborators
//! and externals — the products they will reach, each with or without billing rights. The link
//! is single-use, bound to its organization and valid for seven days.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::error::AppError;
use crate::policy::Role;
use crate::products::ProductKind;
use serde::{Deserialize, Serialize};

/// How long an invitation link works after it was (re)sent.
pub const INVITATION_LIFETIME_SECONDS: i64 = 7 * 24 * 60 * 60;
/// Pending invitations one organization may have at once: enough for any team, too few for a
/// stolen administrator session to turn Steward into a mailer.
pub const PENDING_MAX: i64 = 50;
/// Products one invitation may grant.
pub const PRODUCTS_MAX: usize = 200;

/// A product the inviter can hand out.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProductChoice {
    pub id: i64,
    pub name: String,
    pub kind: ProductKind,
}

/// What the invitation form offers: only the roles my own role may give.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InviteChoices {
    pub organization_name: String,
    pub roles: Vec<Role>,
    pub products: Vec<ProductChoice>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InvitedProduct {
    pub name: String,
    pub kind: ProductKind,
    pub billing: bool,
}

/// An invitation that was neither accepted nor revoked (it may have expired).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub products: Vec<InvitedProduct>,
    /// `None` once the inviter's account is gone.
    pub invited_by: Option<String>,
    pub sent_at: i64,
    pub expires_at: i64,
    pub expired: bool,
    /// Whether my role may resend or revoke it (nobody handles invitations above their role).
    pub can_manage: bool,
}

/// What the person who opened the link can do next.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum NextStep {
    /// No account has this email: create one on the spot.
    CreateAccount,
    /// An account has this email: sign in as that person first.
    SignIn,
    /// Signed in as the invited person: one click joins.
    Accept,
    /// Signed in as someone else.
    WrongAccount { signed_in_as: String },
    /// Signed in as the invited person, who is a member already.
    AlreadyMember,
}

/// An invitation as seen through its link.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InvitationOpening {
    pub organization_name: String,
    pub invited_by: Option<String>,
    pub email: String,
    pub role: Role,
    pub products: Vec<InvitedProduct>,
    pub expires_at: i64,
    pub next: NextStep,
}

/// Whether a role reaches products one by one (and so is invited with a choice of products).
pub fn reaches_chosen_products(role: Role) -> bool {
    matches!(role, Role::Collaborator | Role::External)
}

/// The products an invitation grants, from two comma-separated lists of product ids: all the
/// chosen products, and those of them that come with billing rights.
pub fn parse_access(products: &str, billing: &str) -> Result<Vec<(i64, bool)>, AppError> {
    let ids = |raw: &str| -> Result<Vec<i64>, AppError> {
        let mut ids = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let id = part.parse::<i64>().map_err(|_| {
                AppError::validation(
                    "products",
                    "The product choice is not valid. Reload the page.",
                )
            })?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    };
    let chosen = ids(products)?;
    let with_billing = ids(billing)?;
    if chosen.len() > PRODUCTS_MAX {
        return Err(AppError::validation(
            "products",
            format!("Choose at most {PRODUCTS_MAX} products."),
        ));
    }
    if with_billing.iter().any(|id| !chosen.contains(id)) {
        return Err(AppError::validation(
            "products",
            "Billing rights can only come with access to the product: tick the product too.",
        ));
    }
    Ok(chosen
        .into_iter()
        .map(|id| (id, with_billing.contains(&id)))
        .collect())
}

/// The link sent by email; the organization is part of it, and the server checks that the
/// token belongs to that organization.
pub fn link(public_url: &str, organization_id: i64, token: &str) -> String {
    format!("{public_url}/invitation?organization={organization_id}&token={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_lists_pair_products_with_billing() {
        assert_eq!(parse_access("", "").ok(), Some(vec![]));
        assert_eq!(
            parse_access("3, 5,3", "5").ok(),
            Some(vec![(3, false), (5, true)])
        );
        assert!(parse_access("3", "4").is_err(), "billing without access");
        assert!(parse_access("3,x", "").is_err());
        let many: Vec<String> = (1..=201).map(|i| i.to_string()).collect();
        assert!(parse_access(&many.join(","), "").is_err());
    }

    #[test]
    fn only_collaborators_and_externals_get_products_one_by_one() {
        assert!(reaches_chosen_products(Role::Collaborator));
        assert!(reaches_chosen_products(Role::External));
        assert!(!reaches_chosen_products(Role::Administrator));
        assert!(!reaches_chosen_products(Role::LegalRepresentative));
    }

    #[test]
    fn the_link_names_the_organization() {
        assert_eq!(
            link("https://steward.example", 7, "abc"),
            "https://steward.example/invitation?organization=7&token=abc"
        );
    }
}

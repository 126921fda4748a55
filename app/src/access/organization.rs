//! What a member may reach inside an organization: the membership for an action, the products
//! a role sees, and the rule for products whose management is blocked (PRD-3).

use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::organizations::store;
use crate::organizations::OrganizationSummary;
use crate::policy::{allows, Action, Role};

/// A member as they stand in one organization, read fresh from the database.
pub type Member = OrganizationSummary;

/// The caller's membership of the organization, if the policy lets their role do `action`.
/// Not a member (or no such organization): not found. A member whose role is not allowed: forbidden.
pub async fn authorize(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    action: Action,
) -> Result<(OrganizationSummary, i64), AppError> {
    let found = store::membership(tx, organization_id, user_id).await?;
    let (membership, created_at) = found.ok_or_else(|| AppError::not_found("organization"))?;
    if !membership.may(action) {
        if membership.blocked {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "An administrator of {} blocked your access: you cannot see or manage anything here until they unblock you.",
                    membership.name
                ),
            ));
        }
        if membership.missing_two_factor {
            return Err(AppError::new(
                ErrorCode::TwoFactorRequired,
                format!(
                    "{} requires two-factor authentication: set it up in Security to continue.",
                    membership.name
                ),
            ));
        }
        return Err(AppError::forbidden());
    }
    Ok((membership, created_at))
}

/// The products a member reaches: every one of the organization's for the roles that see
/// them all (`None`), or only those the person was given access to (`Some(user_id)`).
pub fn products_for(role: Role, user_id: i64) -> Option<i64> {
    (!allows(role, Action::ViewAllProducts)).then_some(user_id)
}

/// A product whose management is blocked (PRD-3) is managed only by those who may block it;
/// everyone else with access can still see it.
pub fn may_manage(role: Role, blocked: bool) -> Result<(), AppError> {
    if blocked && !allows(role, Action::BlockProducts) {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "The management of a selected product is blocked by an administrator of the organization.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_roles_that_see_every_product_reach_them_all() {
        assert_eq!(products_for(Role::LegalRepresentative, 7), None);
        assert_eq!(products_for(Role::Administrator, 7), None);
        assert_eq!(products_for(Role::Collaborator, 7), Some(7));
        assert_eq!(products_for(Role::External, 7), Some(7));
    }

    #[test]
    fn a_blocked_product_is_managed_only_by_those_who_may_block_it() {
        for role in Role::ALL {
            assert!(may_manage(role, false).is_ok());
            assert_eq!(
                may_manage(role, true).is_ok(),
                matches!(role, Role::LegalRepresentative | Role::Administrator),
                "{role:?}"
            );
        }
    }
}

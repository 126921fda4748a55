//! What a member may reach inside an organization: the membership for an action, the products
//! a role sees, the rule for products whose management is blocked (PRD-3), and who may leave
//! or be demoted without orphaning the organization (ORG-5, ORG-7, ORG-8). Who may assign or invite which
//! role is `crate::policy::may_assign` / `may_invite`, shared with the pages.

use super::store;
use crate::access::OrganizationSummary;
use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::policy::{allows, Action, Role};

/// A member as they stand in one organization, read fresh from the database.
pub type Member = OrganizationSummary;

/// How the caller stands in the organization — a member, or one of a partner's people it
/// granted access to (PAR-3) — if the policy lets them do `action`. Neither (or no such
/// organization): not found. Someone the policy does not allow: forbidden.
pub async fn authorize(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    action: Action,
    now: i64,
) -> Result<OrganizationSummary, AppError> {
    let found = crate::access::store::standing_in(tx, organization_id, user_id, now).await?;
    allowed(found, action)
}

/// A membership as found (`None`: not a member, or no such organization), if the policy lets
/// its role do `action`: the rule of [`authorize`], for a membership already read.
pub fn allowed(found: Option<OrganizationSummary>, action: Action) -> Result<Member, AppError> {
    let membership = found.ok_or_else(|| AppError::not_found("organization"))?;
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
    Ok(membership)
}

/// The products a person reaches in the organization: every one of them for the roles that
/// see them all and for a partner with full access (`None`), or only those reached one by one
/// (`Some(user_id)`): given to the person, or — a partner with limited access — granted to
/// their partner (the `product_reach` view).
pub fn products_for(member: &Member, user_id: i64) -> Option<i64> {
    let sees_all = match &member.partner {
        Some(via) => crate::policy::partner_permits(via.access, Action::ViewAllProducts),
        None => allows(member.role, Action::ViewAllProducts),
    };
    (!sees_all).then_some(user_id)
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

/// How many people an organization has, and how many of them answer for it: its legal
/// representatives who are not blocked (ORG-11). A blocked legal representative keeps the role
/// on paper but can act for nobody, so they never count as the one who stays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Headcount {
    pub members: i64,
    /// Legal representatives who are not blocked.
    pub legal_representatives: i64,
}

impl Headcount {
    /// Read under the organization's lock (`store::lock_organization`), so that two members
    /// leaving (or blocking each other) at once cannot both see someone else stay.
    pub async fn of(tx: &mut Tx, organization_id: i64) -> Result<Headcount, AppError> {
        Ok(Headcount {
            members: store::count_members(tx, organization_id).await?,
            legal_representatives: store::count_active_legal_representatives(tx, organization_id)
                .await?,
        })
    }
}

/// A member as the rules below need them: their role, and whether they are blocked (ORG-6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub blocked: bool,
}

impl Standing {
    /// A legal representative who is not blocked: someone who answers for the organization.
    pub fn answers_for_it(self) -> bool {
        self.role == Role::LegalRepresentative && !self.blocked
    }

    /// The only one left who answers for the organization.
    fn is_last_legal_representative(self, headcount: Headcount) -> bool {
        self.answers_for_it() && headcount.legal_representatives <= 1
    }
}

/// What a member's leaving (removal, leaving, deleting their account) would take from the
/// organization: every organization keeps at least one person, and at least one legal
/// representative who is not blocked (ORG-3, ORG-11). Each caller says so in words that fit
/// its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leaving {
    /// They are the only member.
    pub last_member: bool,
    /// They are the only legal representative who is not blocked.
    pub last_legal_representative: bool,
}

impl Leaving {
    pub fn allowed(self) -> bool {
        !self.last_member && !self.last_legal_representative
    }
}

pub fn leaving(member: Standing, headcount: Headcount) -> Leaving {
    Leaving {
        last_member: headcount.members <= 1,
        last_legal_representative: member.is_last_legal_representative(headcount),
    }
}

/// Whether changing a member's role to `to` would leave the organization without a legal
/// representative who is not blocked.
pub fn removes_last_legal_representative(member: Standing, to: Role, headcount: Headcount) -> bool {
    to != Role::LegalRepresentative && member.is_last_legal_representative(headcount)
}

/// Whether blocking this member would leave the organization without a legal representative
/// who is not blocked: one legal representative blocking the other and then leaving would
/// strand it with nobody able to unblock anyone.
pub fn blocks_last_legal_representative(member: Standing, headcount: Headcount) -> bool {
    member.is_last_legal_representative(headcount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_roles_that_see_every_product_and_full_partners_reach_them_all() {
        let member = |role, partner: Option<crate::policy::PartnerAccess>| Member {
            id: 1,
            name: "Lakeside Bakery".into(),
            role,
            blocked: false,
            missing_two_factor: false,
            billing: false,
            is_partner: false,
            partner: partner.map(|access| crate::access::PartnerVia {
                partner_id: 2,
                partner_name: "Helvetia Web Agency".into(),
                access,
            }),
        };
        assert_eq!(
            products_for(&member(Role::LegalRepresentative, None), 7),
            None
        );
        assert_eq!(products_for(&member(Role::Administrator, None), 7), None);
        assert_eq!(products_for(&member(Role::Collaborator, None), 7), Some(7));
        assert_eq!(products_for(&member(Role::External, None), 7), Some(7));
        use crate::policy::PartnerAccess::*;
        assert_eq!(
            products_for(&member(Role::Collaborator, Some(FullCustomerPays)), 7),
            None
        );
        assert_eq!(
            products_for(&member(Role::Collaborator, Some(FullPartnerPays)), 7),
            None
        );
        assert_eq!(
            products_for(&member(Role::Collaborator, Some(Limited)), 7),
            Some(7)
        );
    }

    #[test]
    fn a_blocked_product_is_managed_only_by_those_who_may_block_it() {
        for &role in Role::ALL {
            assert!(may_manage(role, false).is_ok());
            assert_eq!(
                may_manage(role, true).is_ok(),
                matches!(role, Role::LegalRepresentative | Role::Administrator),
                "{role:?}"
            );
        }
    }

    const ACTIVE: fn(Role) -> Standing = |role| Standing {
        role,
        blocked: false,
    };

    #[test]
    fn an_organization_keeps_a_person_and_a_legal_representative() {
        let count = |members, legal_representatives| Headcount {
            members,
            legal_representatives,
        };
        let lr = ACTIVE(Role::LegalRepresentative);
        // The only person (necessarily its legal representative): neither may go.
        let alone = leaving(lr, count(1, 1));
        assert!(alone.last_member && alone.last_legal_representative && !alone.allowed());
        // The only legal representative among several people.
        let last = leaving(lr, count(3, 1));
        assert!(!last.last_member && last.last_legal_representative && !last.allowed());
        // One of two legal representatives may go; so may anyone of another role.
        assert!(leaving(lr, count(3, 2)).allowed());
        for role in [Role::Administrator, Role::Collaborator, Role::External] {
            assert!(leaving(ACTIVE(role), count(2, 1)).allowed(), "{role:?}");
            assert!(!leaving(ACTIVE(role), count(1, 0)).allowed(), "{role:?}");
        }
    }

    #[test]
    fn a_blocked_legal_representative_never_counts_as_the_one_who_stays() {
        // Two legal representatives, one blocked: the headcount holds one who answers for the
        // organization, and that one may neither go, nor be demoted, nor be blocked.
        let one_active = Headcount {
            members: 3,
            legal_representatives: 1,
        };
        let lr = ACTIVE(Role::LegalRepresentative);
        assert!(!leaving(lr, one_active).allowed());
        assert!(removes_last_legal_representative(
            lr,
            Role::Administrator,
            one_active
        ));
        assert!(blocks_last_legal_representative(lr, one_active));
        // The blocked one may go, be demoted or stay blocked: the organization keeps its
        // active legal representative.
        let blocked = Standing {
            role: Role::LegalRepresentative,
            blocked: true,
        };
        assert!(leaving(blocked, one_active).allowed());
        assert!(!removes_last_legal_representative(
            blocked,
            Role::Collaborator,
            one_active
        ));
        assert!(!blocks_last_legal_representative(blocked, one_active));
        // With two who answer for it, either may be blocked.
        let two = Headcount {
            members: 3,
            legal_representatives: 2,
        };
        assert!(!blocks_last_legal_representative(lr, two));
        assert!(!blocks_last_legal_representative(
            ACTIVE(Role::Administrator),
            one_active
        ));
    }

    #[test]
    fn the_last_legal_representative_cannot_be_demoted() {
        let one = Headcount {
            members: 4,
            legal_representatives: 1,
        };
        let two = Headcount {
            members: 4,
            legal_representatives: 2,
        };
        let lr = ACTIVE(Role::LegalRepresentative);
        assert!(removes_last_legal_representative(
            lr,
            Role::Administrator,
            one
        ));
        assert!(!removes_last_legal_representative(
            lr,
            Role::Administrator,
            two
        ));
        assert!(!removes_last_legal_representative(
            lr,
            Role::LegalRepresentative,
            one
        ));
        assert!(!removes_last_legal_representative(
            ACTIVE(Role::Administrator),
            Role::Collaborator,
            one
        ));
    }
}

//! Organizations and memberships: the switcher's data, the overview, creating an organization.

pub mod activity;
pub mod api;
pub mod moves;
pub mod people;
pub mod removal;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod store;
pub mod verified;
pub mod view;

use crate::access::Account;
use crate::access::OrganizationSummary;
use crate::policy::Role;
use serde::{Deserialize, Serialize};

// Named here, where the organization pages use them; the rule sits in access, below sign-up.
pub use crate::access::{normalize_organization_name, ORGANIZATION_NAME_MAX_CHARS};

/// What the frame around every organization page needs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ShellData {
    pub account: Account,
    pub current: OrganizationSummary,
    pub organizations: Vec<OrganizationSummary>,
    /// Lines in the organization's cart, for whoever may use billing (0 otherwise).
    #[serde(default)]
    pub cart_lines: i64,
    /// The organization is an approved partner and I may open its Reseller area (PAR-1).
    #[serde(default)]
    pub reseller: bool,
    /// The customers I may enter as one of a partner's people (PAR-3): `(id, name, partner)`,
    /// the switcher's Customers list.
    #[serde(default)]
    pub customers: Vec<(i64, String, String)>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Member {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: i64,
    /// Locked after too many failed sign-ins.
    pub locked: bool,
}

/// One person on the users page (ORG-3).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UserRow {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
    pub two_factor: bool,
    /// The last time they did anything in Steward.
    pub last_active: Option<i64>,
    pub locked: bool,
    /// Blocked in this organization (ORG-6).
    pub blocked: bool,
    /// When their picture was last changed; `None` without one (initials instead).
    #[serde(default)]
    pub avatar_version: Option<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UsersPage {
    /// Legal representatives, administrators and collaborators.
    pub members: Vec<UserRow>,
    /// External people, shown apart.
    pub externals: Vec<UserRow>,
    pub can_unlock: bool,
    /// My role here: the page offers only the role changes the policy allows it.
    pub my_role: Role,
    pub my_user_id: i64,
    /// Whether my role may invite people (and so sees the pending invitations).
    pub can_invite: bool,
    /// Whether my role opens each person's page (ORG-10).
    #[serde(default)]
    pub can_open_people: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Overview {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub my_role: Role,
    /// `None` when my role does not allow seeing the members.
    pub members: Option<Vec<Member>>,
    /// Whether my role may unlock locked members.
    pub can_unlock: bool,
    /// An administrator blocked me here (ORG-6).
    pub blocked: bool,
    /// What needs attention, for my role (the first look of an organization).
    pub dashboard: Dashboard,
}

/// How many items each part of the overview lists before "see all".
pub const DASHBOARD_ITEMS: usize = 5;
/// Products expiring within this many days are listed with the expired ones.
pub const EXPIRY_HORIZON_DAYS: i64 = 30;

/// The overview's parts, each with a link to act on it. `None` where my role does not see it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Dashboard {
    /// The server's time when this was read: "in N days" is counted from it, the same on the
    /// server and in the browser.
    pub as_of: i64,
    /// Products I can reach that expired or expire within [`EXPIRY_HORIZON_DAYS`], soonest
    /// first (at most [`DASHBOARD_ITEMS`]), and how many there are in all.
    pub due: Vec<crate::products::ProductSummary>,
    pub due_total: i64,
    /// Products I can reach whose management an administrator blocked (PRD-3).
    pub blocked_products: Vec<crate::products::ProductSummary>,
    pub blocked_total: i64,
    /// Invitations waiting for an answer (the first few), for those who may invite, and how
    /// many wait in all.
    pub invitations: Option<Vec<InvitationWaiting>>,
    pub invitations_total: i64,
    /// Members without two-factor authentication (the first few), for those who manage people,
    /// and how many there are in all.
    pub without_two_factor: Option<Vec<MemberName>>,
    pub without_two_factor_total: i64,
    /// The organization's latest activity, for those who may read its log.
    pub activity: Option<Vec<crate::activity::ActivityEntry>>,
    /// My own account security at a glance: for me in person only (never to a program).
    pub my_security: Option<MySecurity>,
    /// What to do first, for what my role may do, each gone once done ([`next_steps`]).
    #[serde(default)]
    pub next_steps: Vec<NextStep>,
    /// Nothing here yet (no product, nobody else, no invitation): the overview shows the next
    /// steps instead of empty lists.
    #[serde(default)]
    pub just_created: bool,
}

/// A first step the overview offers until it is done.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    OrderDomain,
    TransferDomain,
    InvitePeople,
    TurnOnTwoFactor,
}

impl NextStep {
    pub fn title(self) -> &'static str {
        match self {
            NextStep::OrderDomain => "Order a domain name",
            NextStep::TransferDomain => "Transfer a domain you own elsewhere",
            NextStep::InvitePeople => "Invite your team",
            NextStep::TurnOnTwoFactor => "Turn on two-factor authentication",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            NextStep::OrderDomain => "Search a name, see its price per year and pay from the prepaid account or by bank transfer. Hostings and mail services are in the same shop.",
            NextStep::TransferDomain => "Bring a domain from another registrar with its transfer code: it keeps working during the move.",
            NextStep::InvitePeople => "Give colleagues, your accountant or your web agency their own login, with a role that fits: nobody shares a password.",
            NextStep::TurnOnTwoFactor => "A code from an app on your phone at each sign-in keeps your account yours even if your password leaks.",
        }
    }

    /// Where the step is done, inside the organization (`/o/{id}` + this).
    pub fn path(self) -> &'static str {
        match self {
            NextStep::OrderDomain => "/billing/shop",
            NextStep::TransferDomain => "/domains/transfer",
            NextStep::InvitePeople => "/users/invite",
            NextStep::TurnOnTwoFactor => "/security",
        }
    }

    /// A name for tests and anchors.
    pub fn id(self) -> &'static str {
        match self {
            NextStep::OrderDomain => "order-domain",
            NextStep::TransferDomain => "transfer-domain",
            NextStep::InvitePeople => "invite-people",
            NextStep::TurnOnTwoFactor => "two-factor",
        }
    }
}

/// What the next steps are decided from.
#[derive(Clone, Copy, Debug, Default)]
pub struct StepFacts {
    /// My role may order (billing).
    pub may_order: bool,
    /// My role may invite people.
    pub may_invite: bool,
    /// I am here in person (a program is not offered my own security).
    pub in_person: bool,
    /// Products of the organization, whoever reaches them.
    pub products: i64,
    /// Members and invitations still waiting for an answer.
    pub people: i64,
    /// I have a second factor.
    pub two_factor: bool,
}

/// The steps still to take: a domain while the organization has no product (for those who
/// may order), people while nobody else is in it or invited (for those who may invite), two
/// factors while I have one.
pub fn next_steps(facts: StepFacts) -> Vec<NextStep> {
    let mut steps = Vec::new();
    if facts.may_order && facts.products == 0 {
        steps.extend([NextStep::OrderDomain, NextStep::TransferDomain]);
    }
    if facts.may_invite && facts.people <= 1 {
        steps.push(NextStep::InvitePeople);
    }
    if facts.in_person && !facts.two_factor {
        steps.push(NextStep::TurnOnTwoFactor);
    }
    steps
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InvitationWaiting {
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MemberName {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct MySecurity {
    pub two_factor: bool,
    /// Unused backup codes (only meaningful with two-factor authentication on).
    pub backup_codes_left: i64,
    pub recovery_email: bool,
    /// Sessions signed in to my account right now, this one included.
    pub sessions: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_steps_disappear_once_done() {
        let new = StepFacts {
            may_order: true,
            may_invite: true,
            in_person: true,
            products: 0,
            people: 1,
            two_factor: false,
        };
        assert_eq!(
            next_steps(new),
            [
                NextStep::OrderDomain,
                NextStep::TransferDomain,
                NextStep::InvitePeople,
                NextStep::TurnOnTwoFactor
            ]
        );
        let ordered = StepFacts { products: 1, ..new };
        assert_eq!(
            next_steps(ordered),
            [NextStep::InvitePeople, NextStep::TurnOnTwoFactor]
        );
        let invited = StepFacts {
            people: 2,
            two_factor: true,
            ..ordered
        };
        assert_eq!(next_steps(invited), []);
        // Only what my role may do, and my own security only to me in person.
        let collaborator = StepFacts {
            may_order: false,
            may_invite: false,
            in_person: false,
            ..new
        };
        assert_eq!(next_steps(collaborator), []);
    }

    #[test]
    fn organization_names_are_trimmed_and_bounded() {
        assert_eq!(
            normalize_organization_name("  Acme SA ").ok(),
            Some("Acme SA".into())
        );
        assert!(normalize_organization_name(" ").is_err());
        assert!(normalize_organization_name(&"n".repeat(101)).is_err());
        assert!(normalize_organization_name(&"n".repeat(100)).is_ok());
        assert!(normalize_organization_name("bad\nname").is_err());
    }
}

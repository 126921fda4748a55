//! Organizations and memberships: the switcher's data, the overview, creating an organization.

pub mod activity_api;
pub mod activity_view;
pub mod api;
pub mod removal;
pub mod removal_view;
pub mod settings;
pub mod settings_view;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::access::Account;
use crate::access::OrganizationSummary;
use crate::error::AppError;
use crate::policy::Role;
use serde::{Deserialize, Serialize};

pub const ORGANIZATION_NAME_MAX_CHARS: usize = 100;

/// What the frame around every organization page needs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ShellData {
    pub account: Account,
    pub current: OrganizationSummary,
    pub organizations: Vec<OrganizationSummary>,
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

pub fn normalize_organization_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::validation(
            "name",
            "Enter a name for the organization.",
        ));
    }
    if name.chars().count() > ORGANIZATION_NAME_MAX_CHARS {
        return Err(AppError::validation(
            "name",
            format!("The name can have at most {ORGANIZATION_NAME_MAX_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            "The name contains characters that are not allowed.",
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

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

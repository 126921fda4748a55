//! Access control in one place (server only): who is calling ([`authentication`]), what a member
//! may reach in an organization ([`organization`]; the role × action table itself is
//! `crate::policy`, shared with the pages), and the request [`Context`] every server function
//! starts from, whose door and reach come from the function's row in `policy::SERVER_FUNCTIONS`.

#[cfg(feature = "ssr")]
pub mod authentication;
#[cfg(feature = "ssr")]
mod context;
#[cfg(feature = "ssr")]
pub mod lockout;
#[cfg(feature = "ssr")]
pub mod organization;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use authentication::{Proven, Via};
#[cfg(feature = "ssr")]
pub use context::{Context, Log, Serve};
#[cfg(feature = "ssr")]
pub use organization::Member;

use crate::error::AppError;
use crate::policy::Role;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the browser sees them (and as `store::account` reads them).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: i64,
    /// When my profile picture was last changed; `None` when I have none (initials instead).
    pub avatar_version: Option<i64>,
    /// The version of the profile (name), sent back with an edit: a save from an older
    /// version is refused.
    pub version: i64,
    /// The IANA time zone I chose in my profile; empty: my browser's.
    pub time_zone: String,
}

impl Account {
    /// The address of my picture, changing with each upload so no stale copy is shown.
    pub fn avatar_url(&self) -> Option<String> {
        self.avatar_version
            .map(|v| format!("{}?v={v}", AVATAR_PATH))
    }
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
    pub fn initials(&self) -> String {
        crate::format::initials(&self.first_name, &self.last_name)
    }
}

/// One of my organizations, with my role in it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OrganizationSummary {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// Blocked by an administrator (ORG-6): a member on paper who reaches nothing.
    pub blocked: bool,
    /// The organization requires two-factor authentication (SEC-4) and I have none yet.
    pub missing_two_factor: bool,
    /// I was given billing rights on one of its products (what opens billing to a
    /// collaborator).
    pub billing: bool,
    /// The organization is an approved partner (PAR-1): it has a Reseller area.
    #[serde(default)]
    pub is_partner: bool,
    /// I am not a member: I enter it as one of a partner's people, with the access it granted
    /// that partner (PAR-3).
    #[serde(default)]
    pub partner: Option<PartnerVia>,
}

/// How one of a partner's people stands in a customer's organization.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PartnerVia {
    pub partner_id: i64,
    pub partner_name: String,
    pub access: crate::policy::PartnerAccess,
}

impl OrganizationSummary {
    pub fn standing(&self) -> crate::policy::Standing {
        crate::policy::Standing {
            role: self.role,
            blocked: self.blocked,
            missing_two_factor: self.missing_two_factor,
            billing: self.billing,
            partner: self.partner.as_ref().map(|p| p.access),
        }
    }

    /// Whether I may do `action` here, as I stand.
    pub fn may(&self, action: crate::policy::Action) -> bool {
        crate::policy::permits(self.standing(), action)
    }
}

/// Where my picture is uploaded (POST, the file as the body) and read (GET).
pub const AVATAR_PATH: &str = "/account/avatar";

pub const ORGANIZATION_NAME_MAX_CHARS: usize = 100;

/// An organization's name as typed: trimmed, not empty, at most
/// [`ORGANIZATION_NAME_MAX_CHARS`] characters, no control characters. Sign-up (a company's
/// name) and the organization pages share it.
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

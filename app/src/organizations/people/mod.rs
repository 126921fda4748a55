//! A person's page in the organization's user management (ORG-10): who they are here, how they
//! joined, the products they reach with billing rights per product (changed at any time, not
//! only in the invitation), the mail addresses they use, and the actions on them.

pub mod api;
pub mod view;

use crate::enums::stored;
use crate::error::AppError;
use crate::policy::Role;
use crate::products::ProductKind;
use serde::{Deserialize, Serialize};

stored! {
    /// What a collaborator or an external person was given of one product.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum ProductAccess labelled {
        #[strum(message = "No access")]
        None,
        #[strum(message = "Access")]
        Access,
        #[strum(message = "Access with billing rights")]
        Billing,
    }
}

impl ProductAccess {
    /// As stored in `product_access`: no row, or a row with its billing flag.
    pub fn from_row(billing: Option<bool>) -> ProductAccess {
        match billing {
            None => ProductAccess::None,
            Some(false) => ProductAccess::Access,
            Some(true) => ProductAccess::Billing,
        }
    }

    /// The access a role can be given: billing rights make a collaborator use billing for the
    /// product; an external person never uses billing (`policy::permits`), so it is not offered
    /// to them rather than stored for nothing.
    pub fn offered_to(role: Role) -> &'static [ProductAccess] {
        match role {
            Role::Collaborator => ProductAccess::ALL,
            Role::External => &[ProductAccess::None, ProductAccess::Access],
            Role::LegalRepresentative | Role::Administrator => &[],
        }
    }

    /// The access the form sent, if this person's role can be given it.
    pub fn chosen(value: &str, role: Role) -> Result<ProductAccess, AppError> {
        let access = ProductAccess::parse(value)
            .ok_or_else(|| AppError::validation("access", "Choose an access from the list."))?;
        if ProductAccess::offered_to(role).is_empty() {
            return Err(AppError::validation(
                "access",
                "Legal representatives and administrators reach every product through their role: change their role to give them products one by one.",
            ));
        }
        if !ProductAccess::offered_to(role).contains(&access) {
            return Err(AppError::validation(
                "access",
                "External users do not use the organization's billing: give them access without billing rights.",
            ));
        }
        Ok(access)
    }
}

/// How the person came into the organization.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum JoinedHow {
    /// They created it.
    Created,
    /// They accepted an invitation (the inviter, gone if their account was deleted).
    Invited { by: Option<String>, sent_at: i64 },
    /// Added otherwise (by the operator, or the demo).
    Added,
}

/// One of the organization's products, and what the person has of it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProductReach {
    pub product_id: i64,
    pub name: String,
    pub kind: ProductKind,
    pub access: ProductAccess,
}

/// An address of the organization's mail services the person uses.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MailUse {
    pub product_id: i64,
    pub address_id: i64,
    pub address: String,
    /// How many of the 11 permissions they hold there.
    pub rights: usize,
    pub in_maintenance: bool,
}

/// A person's page (ORG-10).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MemberDetails {
    pub organization_name: String,
    pub person: super::UserRow,
    pub joined_at: i64,
    pub joined_how: JoinedHow,
    /// Their role reaches every product (legal representatives and administrators): `products`
    /// is then empty.
    pub reaches_all: bool,
    /// Every product of the organization with what they have of it, for the roles that reach
    /// products one by one.
    pub products: Vec<ProductReach>,
    pub mail: Vec<MailUse>,
    /// My own role and id: the page offers only what the policy lets me do to them.
    pub my_role: Role,
    pub my_user_id: i64,
}

/// Where a member's picture is served to the people of their organization (ORG-10; the seed:
/// the picture is displayed instead of the initials): `?organization=ID&user=ID&v=VERSION`.
pub const MEMBER_AVATAR_PATH: &str = "/people/avatar";

/// The address of a member's picture, changing with each upload; `None` without one.
pub fn member_avatar_url(organization_id: i64, person: &super::UserRow) -> Option<String> {
    person.avatar_version.map(|v| {
        format!(
            "{MEMBER_AVATAR_PATH}?organization={organization_id}&user={}&v={v}",
            person.user_id
        )
    })
}

/// The sentence that says how someone joined, for their page.
pub fn joined_text(how: &JoinedHow, joined_at: i64) -> String {
    let on = crate::format::date(joined_at);
    match how {
        JoinedHow::Created => format!("Created the organization on {on}"),
        JoinedHow::Invited { by: Some(by), .. } => {
            format!("Invited by {by}; joined on {on}")
        }
        JoinedHow::Invited { by: None, .. } => format!("Invited; joined on {on}"),
        JoinedHow::Added => format!("Added on {on}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_offered_what_it_can_use() {
        assert_eq!(ProductAccess::offered_to(Role::Collaborator).len(), 3);
        assert!(!ProductAccess::offered_to(Role::External).contains(&ProductAccess::Billing));
        assert!(ProductAccess::offered_to(Role::Administrator).is_empty());
        assert!(ProductAccess::chosen("billing", Role::Collaborator).is_ok());
        assert!(ProductAccess::chosen("none", Role::External).is_ok());
        let external = ProductAccess::chosen("billing", Role::External).expect_err("refused");
        assert_eq!(external.field.as_deref(), Some("access"));
        assert!(ProductAccess::chosen("access", Role::LegalRepresentative).is_err());
        assert!(ProductAccess::chosen("everything", Role::Collaborator).is_err());
    }

    #[test]
    fn the_stored_row_reads_back_as_the_access() {
        assert_eq!(ProductAccess::from_row(None), ProductAccess::None);
        assert_eq!(ProductAccess::from_row(Some(false)), ProductAccess::Access);
        assert_eq!(ProductAccess::from_row(Some(true)), ProductAccess::Billing);
    }
}

//! Removing a person from an organization (ORG-7) and leaving one myself (ORG-8). Both end a
//! membership and the product accesses that came with it; neither touches the account, the
//! person's other organizations, or what the organization keeps (products, tags, its log).

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use crate::policy::Role;
use crate::products::ProductKind;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A product access that goes with the membership.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AccessLost {
    pub name: String,
    pub kind: ProductKind,
    pub billing: bool,
}

/// What removing this person deletes, for the wizard's review steps.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RemovalPlan {
    pub organization_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
    /// Collaborators' and externals' product accesses (administrators reach all, not these).
    pub products: Vec<AccessLost>,
    /// The addresses of the organization's mail services the person uses: removal takes them
    /// off each, and disconnects their devices there (ORG-11).
    #[serde(default)]
    pub mail: Vec<MailAccessLost>,
    /// Why the removal cannot happen, when it cannot (the last legal representative).
    pub refusal: Option<String>,
}

/// An address of the organization's mail services that the person stops using.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MailAccessLost {
    pub address: String,
    /// The names of their devices connected to it, which are disconnected.
    pub devices: Vec<String>,
}

/// The field a refusal to leave names when my login email is one of the organization's mail
/// addresses: the page then links to the profile, where the login email is changed.
pub const LOGIN_ADDRESS_FIELD: &str = "login_email";

/// The typed confirmation must be my own login email (trimmed, any case).
pub fn confirms(typed: &str, my_email: &str) -> bool {
    typed.trim().eq_ignore_ascii_case(my_email)
}

/// What will be deleted if this person is removed (ORG-7, the wizard's review).
#[server(endpoint = "removal_review")]
pub async fn removal_review(organization_id: i64, user_id: i64) -> Result<RemovalPlan, AppError> {
    RemovalReview::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let target = member(&mut tx, organization_id, user_id).await?;
        may_act_on_member(
            membership.role,
            Action::RemoveMembers,
            user_id == account.id,
            target.role,
        )
        .map_err(|reason| AppError::new(ErrorCode::Forbidden, reason))?;
        let products = store::member_products(&mut tx, organization_id, user_id)
            .await?
            .into_iter()
            .filter_map(|(name, kind, billing)| {
                Some(AccessLost {
                    name,
                    kind: ProductKind::parse(&kind)?,
                    billing,
                })
            })
            .collect();
        let refusal = refusal(&mut tx, organization_id, standing(&target), None)
            .await?
            .map(|refused| refused.message);
        let mut mail = Vec::new();
        for used in mail_used(&mut tx, organization_id, &target).await? {
            let devices =
                crate::mailboxes::store::devices(&mut tx, used.address_id, Some(used.mail_user_id))
                    .await?;
            mail.push(MailAccessLost {
                address: used.address,
                devices: devices.into_iter().map(|d| d.name).collect(),
            });
        }
        tx.commit().await?;
        Ok(RemovalPlan {
            organization_name: membership.name,
            first_name: target.first_name,
            last_name: target.last_name,
            email: target.email,
            role: target.role,
            products,
            mail,
            refusal,
        })
    })
    .await
}

/// Removes the person, irreversibly. `understood` is the ticked box of the last step and
/// `my_email` my own login email, typed.
#[server(endpoint = "remove_member")]
pub async fn remove_member(
    organization_id: i64,
    user_id: i64,
    my_email: String,
    understood: Option<String>,
) -> Result<(), AppError> {
    RemoveMember::serve(|cx| async move {
        let understood: bool = understood.is_some();
        let account = cx.account()?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let target = member(&mut tx, organization_id, user_id).await?;
        may_act_on_member(
            membership.role,
            Action::RemoveMembers,
            user_id == account.id,
            target.role,
        )
        .map_err(|reason| AppError::new(ErrorCode::Forbidden, reason))?;
        if let Some(refused) = refusal(&mut tx, organization_id, standing(&target), None).await? {
            return Err(refused);
        }
        if !confirms(&my_email, &account.email) {
            return Err(AppError::validation(
                "my_email",
                "Type your own login email address (the one you sign in with) to confirm.",
            ));
        }
        if !understood {
            return Err(AppError::validation(
                "understood",
                "Tick the box to confirm that the removal cannot be undone.",
            ));
        }
        // Their mail access ends with the membership, as blocking suspends it: off every
        // address of the organization's mail services, each device disconnected (its password
        // then answers "disconnected").
        let mail = mail_used(&mut tx, organization_id, &target).await?;
        for used in &mail {
            crate::mailboxes::store::remove_user(&mut tx, used.mail_user_id, cx.now()).await?;
        }
        if !store::remove_membership(&mut tx, organization_id, user_id).await? {
            return Err(AppError::not_found("person"));
        }
        let mut detail = format!(
            "{} {} ({}, {})",
            target.first_name,
            target.last_name,
            target.email,
            target.role.label().to_lowercase()
        );
        if !mail.is_empty() {
            let addresses: Vec<&str> = mail.iter().map(|m| m.address.as_str()).collect();
            detail.push_str(&format!("; mail access ended: {}", addresses.join(", ")));
        }
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::MemberRemoved, organization_id, &detail),
        )
        .await?;
        let email = crate::mail::messages::removed_from_organization(
            &target.email,
            &target.first_name,
            &account.full_name(),
            &membership.name,
        )?;
        crate::mail::store::enqueue(&mut tx, &email, cx.now()).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Leaves the organization myself (ORG-8); refused while I am its last legal representative
/// or its last user. Returns where to go next.
#[server(endpoint = "leave_organization")]
pub async fn leave_organization(organization_id: i64) -> Result<String, AppError> {
    LeaveOrganization::serve(|cx| async move {
        let account = cx.account()?;
        // Even a blocked member may leave: seeing the organization is all it takes.
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let me = organization::Standing {
            role: membership.role,
            blocked: membership.blocked,
        };
        if let Some(reason) = refusal(&mut tx, organization_id, me, Some(&account.email)).await? {
            return Err(reason);
        }
        store::remove_membership(&mut tx, organization_id, account.id).await?;
        let detail = format!(
            "{} ({})",
            account.email,
            membership.role.label().to_lowercase()
        );
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::LeftOrganization, organization_id, &detail),
        )
        .await?;
        let next = crate::account::api::landing_page(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(next)
    })
    .await
}

#[cfg(feature = "ssr")]
use crate::policy::Action;
/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {

    pub(super) use crate::access::organization::{self, Headcount};
    pub(super) use crate::access::Log;

    pub(super) use super::LOGIN_ADDRESS_FIELD;
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};
    pub(super) use crate::organizations::api::member;
    pub(super) use crate::organizations::store;
    pub(super) use crate::policy::may_act_on_member;

    pub(super) const LAST_LEGAL_REPRESENTATIVE: &str = "This is the organization's only legal representative who is not blocked: appoint another legal representative first.";

    /// How the rules of `access::organization` see a member.
    pub(super) fn standing(member: &crate::organizations::UserRow) -> organization::Standing {
        organization::Standing {
            role: member.role,
            blocked: member.blocked,
        }
    }

    /// The addresses of the organization's mail services this member uses.
    pub(super) async fn mail_used(
        tx: &mut Tx,
        organization_id: i64,
        member: &crate::organizations::UserRow,
    ) -> Result<Vec<crate::mailboxes::store::UsedAddressRow>, AppError> {
        Ok(
            crate::mailboxes::store::used_in(tx, organization_id, member.user_id, &member.email)
                .await?,
        )
    }

    /// Why this membership cannot end, if it cannot: the last legal representative who is not
    /// blocked, or the last person at all; and for someone leaving on their own (`leaving_as`:
    /// their login email), a login address that is one of the organization's mail addresses
    /// (the seed's condition: whoever manages that mail service decides about it).
    pub(super) async fn refusal(
        tx: &mut Tx,
        organization_id: i64,
        member: organization::Standing,
        leaving_as: Option<&str>,
    ) -> Result<Option<AppError>, AppError> {
        let leaving = organization::leaving(member, Headcount::of(tx, organization_id).await?);
        let myself = leaving_as.is_some();
        let refused = |text: &str| Some(AppError::new(ErrorCode::Validation, text));
        if leaving.last_legal_representative {
            return Ok(refused(if myself {
                "You are the only legal representative of this organization who is not blocked: appoint another legal representative before leaving, or delete the organization."
            } else {
                LAST_LEGAL_REPRESENTATIVE
            }));
        }
        if leaving.last_member {
            return Ok(refused(
                "You are the only user of this organization: delete the organization instead.",
            ));
        }
        if let Some(email) = leaving_as {
            if crate::mailboxes::store::login_address_in(tx, organization_id, email)
                .await?
                .is_some()
            {
                return Ok(Some(AppError::validation(
                    LOGIN_ADDRESS_FIELD,
                    format!("You sign in with {email}, an address of this organization's mail service: change your login email in your profile first (or ask an administrator to remove you)."),
                )));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_is_my_own_email_in_any_case() {
        assert!(confirms(" Ann@Example.com ", "ann@example.com"));
        assert!(!confirms("someone@example.com", "ann@example.com"));
        assert!(!confirms("", "ann@example.com"));
    }
}

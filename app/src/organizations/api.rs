//! Server functions of organizations. The organization id comes from the URL, so it is never
//! trusted: membership and role are read from the database for the signed-in person.

use super::{Overview, ShellData, UsersPage};
use crate::access::OrganizationSummary;
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::member;

/// The frame around an organization's pages: me, this organization, all of mine.
#[server(endpoint = "organization_shell")]
pub async fn organization_shell(organization_id: i64) -> Result<ShellData, AppError> {
    OrganizationShell::serve(|cx| async move {
        let (account, in_person) = (cx.account()?, cx.in_person());
        let (mut tx, current) = cx.read_in(organization_id).await?;
        let organizations = crate::access::store::memberships_of(&mut tx, account.id).await?;
        let last = crate::access::store::last_organization(&mut tx, account.id).await?;
        let cart_lines = if current.may(Action::Shop) {
            crate::shop::store::cart(&mut tx, organization_id)
                .await?
                .len() as i64
        } else {
            0
        };
        let reseller = current.is_partner && current.may(Action::ViewCustomers);
        // Only someone in a partner organization can have customers to enter.
        let customers = if organizations.iter().any(|o| o.is_partner) {
            crate::access::store::customers_of(&mut tx, account.id, cx.now()).await?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        // Remember where the person is, for their next sign-in (written only when it changes,
        // and only for a person in a browser: a program's reads change nothing). A preference,
        // not a change of anything shared: no activity entry, and a failure to save it does
        // not fail the page.
        if in_person && last != Some(organization_id) {
            let remembered = async {
                let (mut tx, _) = cx.write_in(organization_id).await?;
                store::set_last_organization(&mut tx, account.id, organization_id).await?;
                Ok::<(), AppError>(tx.commit().await?)
            }
            .await;
            if let Err(error) = remembered {
                tracing::warn!(%error, "could not remember the last organization");
            }
        }
        Ok(ShellData {
            account: account.clone(),
            current,
            organizations,
            cart_lines,
            reseller,
            customers,
        })
    })
    .await
}

#[server(endpoint = "organization_overview")]
pub async fn organization_overview(organization_id: i64) -> Result<Overview, AppError> {
    OrganizationOverview::serve(|cx| async move {
        let (account, in_person) = (cx.account()?, cx.in_person());
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let created_at = store::created_at(&mut tx, organization_id).await?;
        let members = if membership.may(Action::ViewMembers) {
            Some(store::members(&mut tx, organization_id).await?)
        } else {
            None
        };
        let dashboard = dashboard(&mut tx, &membership, account.id, in_person, cx.now()).await?;
        tx.commit().await?;
        Ok(Overview {
            dashboard,
            can_unlock: membership.may(Action::UnlockMember),
            blocked: membership.blocked,
            id: membership.id,
            name: membership.name,
            created_at,
            my_role: membership.role,
            members,
        })
    })
    .await
}

#[server(endpoint = "my_organizations")]
pub async fn my_organizations() -> Result<Vec<OrganizationSummary>, AppError> {
    MyOrganizations::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let organizations = crate::access::store::memberships_of(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(organizations)
    })
    .await
}

/// Creates an organization with the caller as its legal representative; returns its id.
#[server(endpoint = "create_organization")]
pub async fn create_organization(name: String) -> Result<i64, AppError> {
    CreateOrganization::serve(|cx| async move {
        let account = cx.account()?;
        let name = normalize_organization_name(&name)?;
        let mut tx = cx.write().await?;
        let id = crate::access::store::insert_organization(&mut tx, &name, cx.now()).await?;
        crate::access::store::insert_membership(
            &mut tx,
            id,
            account.id,
            Role::LegalRepresentative,
            cx.now(),
        )
        .await?;
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::OrganizationCreated, id, &name),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// The users page (ORG-3): members with role, 2FA status and last activity; externals apart.
#[server(endpoint = "organization_users")]
pub async fn organization_users(
    organization_id: i64,
    search: String,
) -> Result<UsersPage, AppError> {
    OrganizationUsers::serve(|cx| async move {
        let account = cx.account()?;
        let search = search.trim();
        if search.chars().count() > 100 {
            return Err(AppError::validation(
                "search",
                "Search with at most 100 characters.",
            ));
        }
        let pattern = if search.is_empty() {
            String::new()
        } else {
            crate::format::like_pattern(search)
        };
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let everyone = store::users(&mut tx, organization_id, &pattern).await?;
        tx.commit().await?;
        let (externals, members) = everyone.into_iter().partition(|u| u.role == Role::External);
        Ok(UsersPage {
            members,
            externals,
            can_unlock: membership.may(Action::UnlockMember),
            my_role: membership.role,
            my_user_id: account.id,
            can_invite: membership.may(Action::InviteMembers),
            can_open_people: membership.may(Action::ManageAccess),
        })
    })
    .await
}

/// Changes a member's role (ORG-5). `role` is the stored name (`administrator`, …).
#[server(endpoint = "change_role")]
pub async fn change_role(organization_id: i64, user_id: i64, role: String) -> Result<(), AppError> {
    ChangeRole::serve(|cx| async move {
        let account = cx.account()?;
        let new = Role::parse(&role)
            .ok_or_else(|| AppError::validation("role", "Choose a role from the list."))?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let target = member(&mut tx, organization_id, user_id).await?;
        crate::policy::may_assign(membership.role, target.role, new)
            .map_err(|reason| AppError::new(crate::error::ErrorCode::Forbidden, reason))?;
        // Saving the role the person already has changes nothing, and says so by changing
        // nothing: no write, no log entry.
        if target.role == new {
            return Ok(());
        }
        let headcount = Headcount::of(&mut tx, organization_id).await?;
        let standing = organization::Standing {
            role: target.role,
            blocked: target.blocked,
        };
        if organization::removes_last_legal_representative(standing, new, headcount) {
            return Err(AppError::new(
                crate::error::ErrorCode::Validation,
                "This is the organization's only legal representative: appoint another one first.",
            ));
        }
        store::set_role(&mut tx, organization_id, user_id, new).await?;
        let detail = format!(
            "{} {}: {} → {}",
            target.first_name,
            target.last_name,
            target.role.label(),
            new.label()
        );
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::RoleChanged, organization_id, &detail),
        )
        .await?;
        let notice = crate::mail::messages::MemberNotice {
            first_name: &target.first_name,
            actor: &account.full_name(),
            organization: &membership.name,
            organization_id,
            base: &cx.state.settings.public_url,
        };
        let email = crate::mail::messages::role_changed(
            &target.email,
            &notice,
            target.role.label(),
            new.label(),
        )?;
        crate::mail::store::enqueue(&mut tx, &email, cx.now()).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Blocks (`blocked`) or unblocks a member (ORG-6): a blocked member stays a member, keeps
/// their data and product accesses on record, but reaches nothing in this organization until
/// unblocked. They are told by email either way.
#[server(endpoint = "set_member_blocked")]
pub async fn set_member_blocked(
    organization_id: i64,
    user_id: i64,
    blocked: bool,
) -> Result<(), AppError> {
    SetMemberBlocked::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let target = member(&mut tx, organization_id, user_id).await?;
        crate::policy::may_act_on_member(
            membership.role,
            Action::BlockMembers,
            user_id == account.id,
            target.role,
        )
        .map_err(|reason| AppError::new(crate::error::ErrorCode::Forbidden, reason))?;
        if target.blocked == blocked {
            return Err(AppError::new(
                crate::error::ErrorCode::Validation,
                if blocked {
                    "This person is already blocked."
                } else {
                    "This person is not blocked."
                },
            ));
        }
        let standing = organization::Standing {
            role: target.role,
            blocked: target.blocked,
        };
        if blocked
            && organization::blocks_last_legal_representative(
                standing,
                Headcount::of(&mut tx, organization_id).await?,
            )
        {
            return Err(AppError::new(
                crate::error::ErrorCode::Validation,
                "This is the organization's only legal representative who is not blocked: nobody could unblock anyone. Appoint another legal representative first.",
            ));
        }
        store::set_blocked(
            &mut tx,
            organization_id,
            user_id,
            blocked.then_some((cx.now(), account.id)),
        )
        .await?;
        let name = format!("{} {}", target.first_name, target.last_name);
        let action = if blocked {
            ActivityAction::MemberBlocked
        } else {
            ActivityAction::MemberUnblocked
        };
        cx.log(&mut tx, Log::organization(action, organization_id, &name))
            .await?;
        let actor = account.full_name();
        let notice = crate::mail::messages::MemberNotice {
            first_name: &target.first_name,
            actor: &actor,
            organization: &membership.name,
            organization_id,
            base: &cx.state.settings.public_url,
        };
        let email = crate::mail::messages::member_blocked(&target.email, &notice, blocked)?;
        crate::mail::store::enqueue(&mut tx, &email, cx.now()).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Unlocks a member of this organization whose account locked itself (SEC-7).
#[server(endpoint = "unlock_member")]
pub async fn unlock_member(organization_id: i64, user_id: i64) -> Result<(), AppError> {
    UnlockMember::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        // Only members of this organization; anyone else does not exist from here.
        let member = crate::access::store::membership(&mut tx, organization_id, user_id).await?;
        if member.is_none() {
            return Err(AppError::not_found("person"));
        }
        if !crate::lockout::store::unlock(&mut tx, user_id).await? {
            return Err(AppError::new(
                crate::error::ErrorCode::Validation,
                "This person's account is not locked.",
            ));
        }
        let detail = format!("unlocked user {user_id}");
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::AccountUnlocked, organization_id, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
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
    pub(super) use super::super::{normalize_organization_name, store};
    pub(super) use crate::access::organization::{self, Headcount};
    pub(super) use crate::access::Log;
    pub(super) use crate::access::OrganizationSummary;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::AppError;
    pub(super) use crate::policy::{Action, Role};

    /// The overview's parts that this member's role may see (see [`super::Dashboard`]).
    pub(super) async fn dashboard(
        tx: &mut Tx,
        membership: &OrganizationSummary,
        user_id: i64,
        in_person: bool,
        now: i64,
    ) -> Result<super::super::Dashboard, AppError> {
        use super::super::{
            InvitationWaiting, MemberName, MySecurity, DASHBOARD_ITEMS, EXPIRY_HORIZON_DAYS,
        };
        use crate::products::store as products;
        let organization_id = membership.id;
        let limit = DASHBOARD_ITEMS as i64;
        // A blocked member sees nothing of the organization's products (ORG-6).
        let (due, due_total, blocked_products, blocked_total) = if membership
            .may(Action::ViewProducts)
        {
            let only_for = crate::access::organization::products_for(&membership, user_id);
            let until = now + EXPIRY_HORIZON_DAYS * 86_400;
            let (due, due_total) =
                products::needing_attention(tx, organization_id, only_for, false, until, limit)
                    .await?;
            let (blocked, blocked_total) =
                products::needing_attention(tx, organization_id, only_for, true, 0, limit).await?;
            (due, due_total, blocked, blocked_total)
        } else {
            (Vec::new(), 0, Vec::new(), 0)
        };
        /// The first few of a list, and how long it is.
        fn first_few<T>(all: Vec<T>) -> (Option<Vec<T>>, i64) {
            let total = all.len() as i64;
            (Some(all.into_iter().take(DASHBOARD_ITEMS).collect()), total)
        }
        let (invitations, invitations_total) = if membership.may(Action::InviteMembers) {
            let pending = crate::invitations::store::pending(tx, organization_id).await?;
            first_few(
                pending
                    .into_iter()
                    .filter(|p| p.expires_at > now)
                    .map(|p| InvitationWaiting {
                        email: p.email,
                        role: p.role,
                        expires_at: p.expires_at,
                    })
                    .collect(),
            )
        } else {
            (None, 0)
        };
        let (without_two_factor, without_two_factor_total) = if membership.may(Action::ModifyRoles)
        {
            let everyone = store::users(tx, organization_id, "").await?;
            let without = everyone.into_iter().filter(|u| !u.two_factor);
            first_few(
                without
                    .map(|u| MemberName {
                        user_id: u.user_id,
                        name: format!("{} {}", u.first_name, u.last_name),
                        role: u.role,
                    })
                    .collect(),
            )
        } else {
            (None, 0)
        };
        // The first landing's next steps, each gone once done.
        let products = store::count_products(tx, organization_id).await?;
        let people = crate::access::store::count_members(tx, organization_id).await?
            + crate::invitations::store::pending(tx, organization_id)
                .await?
                .iter()
                .filter(|p| p.expires_at > now)
                .count() as i64;
        let two_factor = crate::two_factor::store::has_second_factor(tx, user_id).await?;
        let next_steps = super::super::next_steps(super::super::StepFacts {
            may_order: membership.may(Action::Shop),
            may_invite: membership.may(Action::InviteMembers),
            in_person,
            products,
            people,
            two_factor,
        });
        let just_created = products == 0 && people <= 1;
        let activity = if membership.may(Action::ViewActivity) {
            let scope = crate::activity::store::Scope::Organization(organization_id);
            let query = crate::activity::ActivityQuery::default();
            Some(crate::activity::store::search(tx, scope, &query, None, limit).await?)
        } else {
            None
        };
        // The person's own security is for them in person only, as on the security page.
        let my_security = if in_person {
            let (recovery_email, _) = crate::account::store::recovery_contacts(tx, user_id).await?;
            Some(MySecurity {
                two_factor: crate::two_factor::store::has_second_factor(tx, user_id).await?,
                backup_codes_left: crate::two_factor::store::backup_codes_remaining(tx, user_id)
                    .await?,
                recovery_email: recovery_email.is_some_and(|e| !e.is_empty()),
                sessions: crate::account::store::sessions_of(tx, user_id, now)
                    .await?
                    .len() as i64,
            })
        } else {
            None
        };
        Ok(super::super::Dashboard {
            next_steps,
            just_created,
            as_of: now,
            due,
            due_total,
            blocked_products,
            blocked_total,
            invitations,
            invitations_total,
            without_two_factor,
            without_two_factor_total,
            activity,
            my_security,
        })
    }

    /// The organization's member `user_id`, as the users page shows them; not found otherwise.
    pub async fn member(
        tx: &mut Tx,
        organization_id: i64,
        user_id: i64,
    ) -> Result<super::super::UserRow, AppError> {
        store::users(tx, organization_id, "")
            .await?
            .into_iter()
            .find(|u| u.user_id == user_id)
            .ok_or_else(|| AppError::not_found("person"))
    }
}

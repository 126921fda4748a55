//! Server functions of organizations. The organization id comes from the URL, so it is never
//! trusted: membership and role are read from the database for the signed-in person.

use super::{OrganizationSummary, Overview, ShellData, UsersPage};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use server_side::{authorize, member};

/// The frame around an organization's pages: me, this organization, all of mine.
#[server(endpoint = "organization_shell")]
pub async fn organization_shell(organization_id: i64) -> Result<ShellData, AppError> {
    crate::request::respond(server_side::shell(organization_id).await)
}

#[server(endpoint = "organization_overview")]
pub async fn organization_overview(organization_id: i64) -> Result<Overview, AppError> {
    crate::request::respond(server_side::overview(organization_id).await)
}

#[server(endpoint = "my_organizations")]
pub async fn my_organizations() -> Result<Vec<OrganizationSummary>, AppError> {
    crate::request::respond(server_side::mine().await)
}

/// Creates an organization with the caller as its legal representative; returns its id.
#[server(endpoint = "create_organization")]
pub async fn create_organization(name: String) -> Result<i64, AppError> {
    crate::request::respond(server_side::create(name).await)
}

/// The users page (ORG-3): members with role, 2FA status and last activity; externals apart.
#[server(endpoint = "organization_users")]
pub async fn organization_users(
    organization_id: i64,
    search: String,
) -> Result<UsersPage, AppError> {
    crate::request::respond(server_side::users(organization_id, search).await)
}

/// Changes a member's role (ORG-5). `role` is the stored name (`administrator`, …).
#[server(endpoint = "change_role")]
pub async fn change_role(organization_id: i64, user_id: i64, role: String) -> Result<(), AppError> {
    crate::request::respond(server_side::change_role(organization_id, user_id, role).await)
}

/// Blocks a member (ORG-6): they stay a member, keep their data and product accesses on
/// record, but reach nothing in this organization until unblocked.
#[server(endpoint = "block_member")]
pub async fn block_member(organization_id: i64, user_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::set_blocked(organization_id, user_id, true).await)
}

#[server(endpoint = "unblock_member")]
pub async fn unblock_member(organization_id: i64, user_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::set_blocked(organization_id, user_id, false).await)
}

/// Unlocks a member of this organization whose account locked itself (SEC-7).
#[server(endpoint = "unlock_member")]
pub async fn unlock_member(organization_id: i64, user_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::unlock_member(organization_id, user_id).await)
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{
        normalize_organization_name, store, OrganizationSummary, Overview, ShellData, UsersPage,
    };
    use crate::account::api::{authenticate, authenticate_reading, authenticate_to_change};
    use crate::activity::store::record_in;
    use crate::activity::ActivityAction;
    use crate::db::Tx;
    use crate::error::AppError;
    use crate::policy::{Action, Role};
    use crate::request;

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
                    crate::error::ErrorCode::Forbidden,
                    format!(
                        "An administrator of {} blocked your access: you cannot see or manage anything here until they unblock you.",
                        membership.name
                    ),
                ));
            }
            if membership.missing_two_factor {
                return Err(AppError::new(
                    crate::error::ErrorCode::TwoFactorRequired,
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

    pub async fn shell(organization_id: i64) -> Result<ShellData, AppError> {
        let state = request::state()?;
        let (account, in_person) = authenticate_reading(&state).await?;
        let mut tx = state.db.read().await?;
        let (current, _) = authorize(
            &mut tx,
            organization_id,
            account.id,
            Action::ViewOrganization,
        )
        .await?;
        let organizations = store::memberships_of(&mut tx, account.id).await?;
        let last = store::last_organization(&mut tx, account.id).await?;
        tx.commit().await?;
        // Remember where the person is, for their next sign-in (written only when it changes,
        // and only for a person in a browser: a program's reads change nothing). A preference,
        // not a change of anything shared: no activity entry, and a failure to save it does
        // not fail the page.
        if in_person && last != Some(organization_id) {
            let remembered = async {
                let mut tx = state.db.write().await?;
                store::set_last_organization(&mut tx, account.id, organization_id).await?;
                tx.commit().await
            }
            .await;
            if let Err(error) = remembered {
                tracing::warn!(%error, "could not remember the last organization");
            }
        }
        Ok(ShellData {
            account,
            current,
            organizations,
        })
    }

    pub async fn overview(organization_id: i64) -> Result<Overview, AppError> {
        let state = request::state()?;
        let (account, in_person) = authenticate_reading(&state).await?;
        let mut tx = state.db.read().await?;
        let (membership, created_at) = authorize(
            &mut tx,
            organization_id,
            account.id,
            Action::ViewOrganization,
        )
        .await?;
        let members = if membership.may(Action::ViewMembers) {
            Some(store::members(&mut tx, organization_id).await?)
        } else {
            None
        };
        let dashboard =
            dashboard(&mut tx, &membership, account.id, in_person, state.now()).await?;
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
    }

    /// The overview's parts that this member's role may see (see [`super::Dashboard`]).
    async fn dashboard(
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
        let (due, due_total, blocked_products, blocked_total) =
            if membership.may(Action::ViewProducts) {
                let only_for = (!membership.may(Action::ViewAllProducts)).then_some(user_id);
                let until = now + EXPIRY_HORIZON_DAYS * 86_400;
                let (due, due_total) =
                    products::needing_attention(tx, organization_id, only_for, false, until, limit)
                        .await?;
                let (blocked, blocked_total) =
                    products::needing_attention(tx, organization_id, only_for, true, 0, limit)
                        .await?;
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
                two_factor: crate::security::store::has_second_factor(tx, user_id).await?,
                backup_codes_left: crate::security::store::backup_codes_remaining(tx, user_id)
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

    pub async fn users(organization_id: i64, search: String) -> Result<UsersPage, AppError> {
        let state = request::state()?;
        let account = authenticate(&state).await?;
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
            crate::products::like_pattern(search)
        };
        let mut tx = state.db.read().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::ViewMembers).await?;
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
        })
    }

    pub async fn change_role(
        organization_id: i64,
        user_id: i64,
        role: String,
    ) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let new = Role::parse(&role)
            .ok_or_else(|| AppError::validation("role", "Choose a role from the list."))?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::ModifyRoles).await?;
        store::lock_organization(&mut tx, organization_id).await?;
        let target = member(&mut tx, organization_id, user_id).await?;
        crate::policy::may_assign(membership.role, target.role, new)
            .map_err(|reason| AppError::new(crate::error::ErrorCode::Forbidden, reason))?;
        if target.role == new {
            return Err(AppError::validation("role", "This is already their role."));
        }
        if target.role == Role::LegalRepresentative
            && store::count_role(&mut tx, organization_id, Role::LegalRepresentative).await? <= 1
        {
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
        record_in(
            &mut tx,
            ActivityAction::RoleChanged,
            account.id,
            organization_id,
            &detail,
            &origin,
            now,
        )
        .await?;
        let body = format!(
            "Hello {first},\n\n{actor} changed your role in the organization {organization}.\n\nBefore: {old}\nNow: {new}\n\nYour next action in Steward already runs with the new role.\n{base}/o/{organization_id}\n{signature}",
            first = target.first_name,
            actor = account.full_name(),
            organization = membership.name,
            old = target.role.label(),
            new = new.label(),
            base = state.settings.public_url,
            signature = crate::mail::signature(),
        );
        let email = crate::mail::Email::new(
            &target.email,
            format!("Your role in {} is now {}", membership.name, new.label()),
            body,
        )?;
        crate::mail::store::enqueue(&mut tx, &email, now).await?;
        tx.commit().await?;
        Ok(())
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

    pub async fn set_blocked(
        organization_id: i64,
        user_id: i64,
        block: bool,
    ) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::BlockMembers).await?;
        store::lock_organization(&mut tx, organization_id).await?;
        let target = member(&mut tx, organization_id, user_id).await?;
        crate::policy::may_act_on_member(
            membership.role,
            Action::BlockMembers,
            user_id == account.id,
            target.role,
        )
        .map_err(|reason| AppError::new(crate::error::ErrorCode::Forbidden, reason))?;
        if target.blocked == block {
            return Err(AppError::new(
                crate::error::ErrorCode::Validation,
                if block {
                    "This person is already blocked."
                } else {
                    "This person is not blocked."
                },
            ));
        }
        store::set_blocked(
            &mut tx,
            organization_id,
            user_id,
            block.then_some((now, account.id)),
        )
        .await?;
        let name = format!("{} {}", target.first_name, target.last_name);
        record_in(
            &mut tx,
            if block {
                ActivityAction::MemberBlocked
            } else {
                ActivityAction::MemberUnblocked
            },
            account.id,
            organization_id,
            &name,
            &origin,
            now,
        )
        .await?;
        let (subject, what) = if block {
            (
                format!("Your access to {} is suspended", membership.name),
                format!("{} blocked your access to the organization {}. You remain a member and nothing of yours was deleted, but you cannot see or manage its products until you are unblocked.", account.full_name(), membership.name),
            )
        } else {
            (
                format!("Your access to {} is back", membership.name),
                format!("{} unblocked your access to the organization {}: you reach its products again, as before.", account.full_name(), membership.name),
            )
        };
        let body = format!(
            "Hello {first},\n\n{what}\n{base}/o/{organization_id}\n{signature}",
            first = target.first_name,
            base = state.settings.public_url,
            signature = crate::mail::signature(),
        );
        let email = crate::mail::Email::new(&target.email, subject, body)?;
        crate::mail::store::enqueue(&mut tx, &email, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unlock_member(organization_id: i64, user_id: i64) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        authorize(&mut tx, organization_id, account.id, Action::UnlockMember).await?;
        // Only members of this organization; anyone else does not exist from here.
        let member = store::membership(&mut tx, organization_id, user_id).await?;
        if member.is_none() {
            return Err(AppError::not_found("person"));
        }
        if !crate::safety::store::unlock(&mut tx, user_id).await? {
            return Err(AppError::new(
                crate::error::ErrorCode::Validation,
                "This person's account is not locked.",
            ));
        }
        let detail = format!("unlocked user {user_id}");
        record_in(
            &mut tx,
            ActivityAction::AccountUnlocked,
            account.id,
            organization_id,
            &detail,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn mine() -> Result<Vec<OrganizationSummary>, AppError> {
        let state = request::state()?;
        let account = authenticate(&state).await?;
        let mut tx = state.db.read().await?;
        let organizations = store::memberships_of(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(organizations)
    }

    pub async fn create(name: String) -> Result<i64, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let name = normalize_organization_name(&name)?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let id = store::insert_organization(&mut tx, &name, now).await?;
        store::insert_membership(&mut tx, id, account.id, Role::LegalRepresentative, now).await?;
        record_in(
            &mut tx,
            ActivityAction::OrganizationCreated,
            account.id,
            id,
            &name,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

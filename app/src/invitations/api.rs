//! Server functions of invitations. Sending, resending and revoking are for the organization's
//! legal representatives and administrators; opening and accepting are for whoever holds the
//! link — and, when the invited email has an account, only for that person, signed in.

use super::{InvitationOpening, InviteChoices, PendingInvitation};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::account::SignedIn;
use crate::error::AppError;
use leptos::prelude::*;

/// The roles I may give and the products I may hand out, for the invitation form.
#[server(endpoint = "invitation_form")]
pub async fn invitation_form(organization_id: i64) -> Result<InviteChoices, AppError> {
    InvitationForm::serve(|cx| async move {
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let products = store::product_choices(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(InviteChoices {
            organization_name: membership.name,
            roles: Role::ALL
                .iter()
                .copied()
                .filter(|r| may_invite(membership.role, *r).is_ok())
                .collect(),
            products,
        })
    })
    .await
}

/// Invites `email` with `role`; collaborators and externals reach the products in `products`
/// (comma-separated ids), those in `billing` with billing rights.
#[server(endpoint = "invite_person")]
pub async fn invite_person(
    organization_id: i64,
    email: String,
    role: String,
    products: String,
    billing: String,
) -> Result<(), AppError> {
    InvitePerson::serve(|cx| async move {
        let account = cx.account()?;
        let email = normalize_email(&email)?;
        let role = Role::parse(&role)
            .ok_or_else(|| AppError::validation("role", "Choose a role from the list."))?;
        let access = parse_access(&products, &billing)?;
        if role == Role::External && access.iter().any(|(_, billing)| *billing) {
            return Err(AppError::validation(
                "products",
                "External users do not use the organization's billing: give them access without billing rights.",
            ));
        }
        if !reaches_chosen_products(role) && !access.is_empty() {
            return Err(AppError::validation(
                "products",
                "Legal representatives and administrators reach every product: choose products only for collaborators and externals.",
            ));
        }
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        may_invite(membership.role, role).map_err(refused)?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        if store::is_member(&mut tx, organization_id, &email).await? {
            return Err(AppError::validation(
                "email",
                "This person is already a member of the organization.",
            ));
        }
        if let Some(sent_at) = store::pending_for(&mut tx, organization_id, &email).await? {
            return Err(AppError::validation(
                "email",
                format!(
                    "This address was already invited on {}: resend or revoke that invitation in the list of pending invitations.",
                    format::datetime(sent_at)
                ),
            ));
        }
        if store::count_pending(&mut tx, organization_id).await? >= PENDING_MAX {
            return Err(AppError::validation(
                "email",
                format!("The organization has {PENDING_MAX} pending invitations: revoke some before inviting more people."),
            ));
        }
        let ids: Vec<i64> = access.iter().map(|(id, _)| *id).collect();
        if store::count_products_in(&mut tx, organization_id, &ids).await? != ids.len() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "Some of the chosen products are not in this organization. Reload the page.",
            ));
        }
        let (token, token_hash) = tokens::new_token();
        let expires_at = cx.now() + INVITATION_LIFETIME_SECONDS;
        let invitation_id = store::insert(
            &mut tx,
            &store::NewInvitation {
                organization_id,
                email: &email,
                role,
                token_hash: &token_hash,
                invited_by: account.id,
                at: cx.now(),
                expires_at,
            },
        )
        .await?;
        for (product_id, with_billing) in &access {
            store::insert_product(&mut tx, invitation_id, *product_id, *with_billing).await?;
        }
        let names = product_lines(&mut tx, invitation_id).await?;
        let message = ssr::email(
            &cx.state,
            &email,
            &account.full_name(),
            organization_id,
            &membership.name,
            role,
            &names,
            &token,
            expires_at,
        )?;
        crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
        let detail = format!("{email} as {}", role.label().to_lowercase());
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::InvitationSent, organization_id, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "pending_invitations")]
pub async fn pending_invitations(organization_id: i64) -> Result<Vec<PendingInvitation>, AppError> {
    PendingInvitations::serve(|cx| async move {
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let mut list = Vec::new();
        for p in store::pending(&mut tx, organization_id).await? {
            let products = store::products_of(&mut tx, p.id)
                .await?
                .into_iter()
                .map(|(_, product)| product)
                .collect();
            list.push(PendingInvitation {
                id: p.id,
                email: p.email,
                role: p.role,
                products,
                invited_by: p.invited_by,
                sent_at: p.sent_at,
                expires_at: p.expires_at,
                expired: p.expires_at <= cx.now(),
                can_manage: may_invite(membership.role, p.role).is_ok(),
            });
        }
        tx.commit().await?;
        Ok(list)
    })
    .await
}

/// Sends a pending invitation again with a new link (the old one stops working) and seven
/// more days.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(organization_id: i64, invitation_id: i64) -> Result<(), AppError> {
    ResendInvitation::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, found, organization) = manageable(&cx, organization_id, invitation_id).await?;
        let (token, token_hash) = tokens::new_token();
        let expires_at = cx.now() + INVITATION_LIFETIME_SECONDS;
        if !store::renew(
            &mut tx,
            organization_id,
            invitation_id,
            &token_hash,
            cx.now(),
            expires_at,
        )
        .await?
        {
            return Err(not_valid());
        }
        let names = product_lines(&mut tx, invitation_id).await?;
        let message = email(
            &cx.state,
            &found.email,
            &account.full_name(),
            organization_id,
            &organization,
            found.role,
            &names,
            &token,
            expires_at,
        )?;
        crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::InvitationResent,
                organization_id,
                &found.email,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(organization_id: i64, invitation_id: i64) -> Result<(), AppError> {
    RevokeInvitation::serve(|cx| async move {
        let (mut tx, found, _) = manageable(&cx, organization_id, invitation_id).await?;
        if !store::revoke(&mut tx, organization_id, invitation_id, cx.now()).await? {
            return Err(not_valid());
        }
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::InvitationRevoked,
                organization_id,
                &found.email,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// What the invitation link leads to, and what the person who opened it can do next.
#[server(endpoint = "open_invitation")]
pub async fn open_invitation(
    organization_id: i64,
    token: String,
) -> Result<InvitationOpening, AppError> {
    OpenInvitation::serve(|cx| async move {
        // Anyone may open the link; who is signed in only changes what the page offers.
        let signed_in = caller(&cx.state, &cx.origin)
            .await
            .ok()
            .map(|p| (p.account, p.via));
        let mut tx = cx.read().await?;
        let (found, _) = usable(&mut tx, organization_id, &token, cx.now()).await?;
        let next = match &signed_in {
            Some((account, _)) if account.email != found.email => NextStep::WrongAccount {
                signed_in_as: account.email.clone(),
            },
            Some((account, _)) => {
                if crate::access::store::membership(&mut tx, organization_id, account.id)
                    .await?
                    .is_some()
                {
                    NextStep::AlreadyMember
                } else {
                    NextStep::Accept
                }
            }
            None if accounts::email_taken(&mut tx, &found.email).await? => NextStep::SignIn,
            None => NextStep::CreateAccount,
        };
        let products = store::products_of(&mut tx, found.id)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        tx.commit().await?;
        Ok(InvitationOpening {
            organization_name: found.organization_name,
            invited_by: found.inviter_name,
            email: found.email,
            role: found.role,
            products,
            expires_at: found.expires_at,
            next,
        })
    })
    .await
}

/// Joins the organization as the signed-in, invited person.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(organization_id: i64, token: String) -> Result<SignedIn, AppError> {
    AcceptInvitation::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let (found, token_hash) = usable(&mut tx, organization_id, &token, cx.now()).await?;
        if account.email != found.email {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "This invitation is for {}, and you are signed in as {}. Sign out, then open the link again.",
                    found.email, account.email
                ),
            ));
        }
        join(
            &cx.state,
            &mut tx,
            &found,
            &token_hash,
            account.id,
            &account.full_name(),
            &cx.origin,
        )
        .await?;
        tx.commit().await?;
        Ok(SignedIn {
            redirect: format!("/o/{organization_id}"),
        })
    })
    .await
}

/// Creates the invited person's account on the spot, joins the organization and signs in.
#[server(endpoint = "join_with_new_account")]
pub async fn join_with_new_account(
    organization_id: i64,
    token: String,
    first_name: String,
    last_name: String,
    password: String,
) -> Result<SignedIn, AppError> {
    JoinWithNewAccount::serve(|cx| async move {
        let first_name = normalize_name("first_name", "first name", &first_name)?;
        let last_name = normalize_name("last_name", "last name", &last_name)?;
        // Check the link before the (deliberately slow) password hashing.
        let mut tx = cx.read().await?;
        let (found, _) = usable(&mut tx, organization_id, &token, cx.now()).await?;
        tx.commit().await?;
        check_new_password(&password, &found.email)?;
        let password_hash = cx.state.passwords.hash(password).await?;
        let mut tx = cx.write().await?;
        let (found, token_hash) = usable(&mut tx, organization_id, &token, cx.now()).await?;
        // Invited, so the address is proven: no personal organization is created (the seed:
        // "you belong to the Organization that invited you").
        let user_id = accounts::insert_user(
            &mut tx,
            &accounts::NewUser {
                email: &found.email,
                first_name: &first_name,
                last_name: &last_name,
                password_hash: &password_hash,
                at: cx.now(),
            },
        )
        .await?
        .ok_or_else(|| AppError {
            code: ErrorCode::EmailTaken,
            message: format!(
                "An account with {} already exists: sign in as that person to accept.",
                found.email
            ),
            field: None,
        })?;
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::SignUp, organization_id, "invited").by(user_id),
        )
        .await?;
        let name = format!("{first_name} {last_name}");
        join(
            &cx.state,
            &mut tx,
            &found,
            &token_hash,
            user_id,
            &name,
            &cx.origin,
        )
        .await?;
        let (cookie, _) =
            start_session(&cx.state, &mut tx, user_id, false, Stage::Full, &cx.origin).await?;
        tx.commit().await?;
        request::set_cookie(&cookie);
        Ok(SignedIn {
            redirect: format!("/o/{organization_id}"),
        })
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{
        link, parse_access, reaches_chosen_products, store, NextStep, INVITATION_LIFETIME_SECONDS,
        PENDING_MAX,
    };
    pub(super) use crate::access::authentication::caller;
    pub(super) use crate::access::authentication::start_session;
    pub(super) use crate::access::{Context, Log};

    pub(super) use crate::access::store::Stage;
    pub(super) use crate::account::store::{self as accounts};
    pub(super) use crate::account::{check_new_password, normalize_name};
    pub(super) use crate::activity::store::record_in;
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};
    pub(super) use crate::format;
    pub(super) use crate::mail::normalize_email;
    pub(super) use crate::tokens;

    pub(super) use crate::policy::{may_invite, Role};
    pub(super) use crate::request::{self, Origin};
    pub(super) use crate::state::AppState;

    pub(super) fn not_valid() -> AppError {
        AppError::new(
            ErrorCode::NotFound,
            "This invitation link is not valid: it was already used, revoked, or replaced by a newer invitation.",
        )
    }

    pub(super) fn refused(reason: &'static str) -> AppError {
        AppError::new(ErrorCode::Forbidden, reason)
    }

    /// The invitation email, for a first sending and for a resend.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn email(
        state: &AppState,
        to: &str,
        inviter: &str,
        organization_id: i64,
        organization: &str,
        role: Role,
        products: &[String],
        token: &str,
        expires_at: i64,
    ) -> Result<crate::mail::Email, AppError> {
        crate::mail::messages::invitation(
            to,
            inviter,
            organization,
            &role.label().to_lowercase(),
            products,
            expires_at,
            &link(&state.settings.public_url, organization_id, token),
        )
    }

    pub(super) async fn product_lines(
        tx: &mut Tx,
        invitation_id: i64,
    ) -> Result<Vec<String>, AppError> {
        Ok(store::products_of(tx, invitation_id)
            .await?
            .into_iter()
            .map(|(_, p)| {
                let billing = if p.billing {
                    ", with billing rights"
                } else {
                    ""
                };
                format!("{} ({}{billing})", p.name, p.kind.label())
            })
            .collect())
    }

    /// The pending invitation, if it is in this organization and my role may handle it.
    pub(super) async fn manageable(
        cx: &Context,
        organization_id: i64,
        invitation_id: i64,
    ) -> Result<(Tx, store::Pending, String), AppError> {
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        let found = store::find_pending(&mut tx, organization_id, invitation_id)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "This invitation is no longer pending: it was accepted or revoked.",
                )
            })?;
        may_invite(membership.role, found.role).map_err(refused)?;
        Ok((tx, found, membership.name))
    }

    /// The invitation behind a link: it must exist, belong to the organization named in the
    /// link, be neither used nor revoked, and not have expired.
    pub(super) async fn usable(
        tx: &mut Tx,
        organization_id: i64,
        token: &str,
        now: i64,
    ) -> Result<(store::ByToken, tokens::TokenHash), AppError> {
        let token = token.trim();
        if !tokens::well_formed(token) {
            return Err(not_valid());
        }
        let token_hash = tokens::hash_token(token);
        let found = store::by_token(tx, &token_hash)
            .await?
            .filter(|i| i.organization_id == organization_id && !i.ended)
            .ok_or_else(not_valid)?;
        if found.expires_at <= now {
            let ask = found
                .inviter_name
                .as_deref()
                .map(|n| format!("Ask {n} to send it again."))
                .unwrap_or_else(|| {
                    "Ask an administrator of the organization to send it again.".into()
                });
            return Err(AppError::new(
                ErrorCode::Validation,
                format!(
                    "This invitation expired on {}. {ask}",
                    format::datetime(found.expires_at)
                ),
            ));
        }
        Ok((found, token_hash))
    }

    /// Everything accepting writes, in the caller's transaction: the invitation used (once),
    /// the membership, the product accesses, the log entry and a note to the inviter.
    pub(super) async fn join(
        state: &AppState,
        tx: &mut Tx,
        found: &store::ByToken,
        token_hash: &str,
        user_id: i64,
        name: &str,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let now = state.now();
        if crate::access::store::membership(tx, found.organization_id, user_id)
            .await?
            .is_some()
        {
            return Err(AppError::new(
                ErrorCode::Validation,
                "You are already a member of this organization.",
            ));
        }
        crate::access::store::lock_organization(tx, found.organization_id).await?;
        if !store::consume(tx, found.id, token_hash, user_id, now).await? {
            return Err(not_valid());
        }
        crate::access::store::insert_membership(
            tx,
            found.organization_id,
            user_id,
            found.role,
            now,
        )
        .await?;
        if reaches_chosen_products(found.role) {
            for (product_id, product) in store::products_of(tx, found.id).await? {
                crate::products::store::grant_access(tx, product_id, user_id, product.billing, now)
                    .await?;
            }
        }
        let detail = format!("{} as {}", found.email, found.role.label().to_lowercase());
        record_in(
            tx,
            ActivityAction::InvitationAccepted,
            user_id,
            found.organization_id,
            &detail,
            origin,
            now,
        )
        .await?;
        if let Some(inviter) = &found.inviter_email {
            let message = crate::mail::messages::invitation_accepted(
                inviter,
                name,
                &found.email,
                &found.role.label().to_lowercase(),
                &found.organization_name,
                found.organization_id,
                &state.settings.public_url,
            )?;
            crate::mail::store::enqueue(tx, &message, now).await?;
        }
        Ok(())
    }
}

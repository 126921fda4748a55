//! Server functions of a person's page (ORG-10). The person is found inside the organization
//! of the URL, or not at all; what the page changes is decided by the same policy as the users
//! page (`policy::may_act_on_member`).

use super::MemberDetails;
#[cfg(feature = "ssr")]
use super::ProductAccess;
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// A person's page: who they are here, how they joined, what they reach.
#[server(endpoint = "organization_member")]
pub async fn organization_member(
    organization_id: i64,
    user_id: i64,
) -> Result<MemberDetails, AppError> {
    OrganizationMember::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let person = member(&mut tx, organization_id, user_id).await?;
        let (joined_at, joined_how) = store::joined(&mut tx, organization_id, user_id).await?;
        let reaches_all = ProductAccess::offered_to(person.role).is_empty();
        let products = if reaches_all {
            Vec::new()
        } else {
            crate::products::store::access_of(&mut tx, organization_id, user_id)
                .await?
                .into_iter()
                .map(|row| super::ProductReach {
                    product_id: row.product_id,
                    name: row.name,
                    kind: row.kind,
                    access: ProductAccess::from_row(row.billing),
                })
                .collect()
        };
        let mail =
            crate::mailboxes::store::used_in(&mut tx, organization_id, user_id, &person.email)
                .await?
                .into_iter()
                .map(|used| super::MailUse {
                    product_id: used.product_id,
                    address_id: used.address_id,
                    address: used.address,
                    rights: used.rights.count(),
                    in_maintenance: used.in_maintenance,
                })
                .collect();
        tx.commit().await?;
        Ok(MemberDetails {
            organization_name: membership.name,
            person,
            joined_at,
            joined_how,
            reaches_all,
            products,
            mail,
            my_role: membership.role,
            my_user_id: account.id,
        })
    })
    .await
}

/// Gives a collaborator or an external person access to one product, with or without billing
/// rights, changes it, or takes it away (`access`: `none`, `access` or `billing`). Their next
/// request already runs with it; the change is logged on the product and they are told by email.
#[server(endpoint = "set_product_access")]
pub async fn set_product_access(
    organization_id: i64,
    user_id: i64,
    product_id: i64,
    access: String,
) -> Result<(), AppError> {
    SetProductAccess::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        let person = member(&mut tx, organization_id, user_id).await?;
        crate::policy::may_act_on_member(
            membership.role,
            Action::ManageAccess,
            user_id == account.id,
            person.role,
        )
        .map_err(|reason| AppError::new(ErrorCode::Forbidden, reason))?;
        let access = ProductAccess::chosen(&access, person.role)?;
        let product = crate::products::store::access_of(&mut tx, organization_id, user_id)
            .await?
            .into_iter()
            .find(|row| row.product_id == product_id)
            .ok_or_else(|| AppError::not_found("product"))?;
        let before = ProductAccess::from_row(product.billing);
        // Saving what they already have changes nothing, and says so by changing nothing.
        if before == access {
            return Ok(());
        }
        match access {
            ProductAccess::None => {
                crate::products::store::revoke_access(&mut tx, product_id, user_id).await?;
            }
            ProductAccess::Access | ProductAccess::Billing => {
                crate::products::store::grant_access(
                    &mut tx,
                    product_id,
                    user_id,
                    access == ProductAccess::Billing,
                    cx.now(),
                )
                .await?;
            }
        }
        let detail = format!(
            "{} {}: {} → {}",
            person.first_name,
            person.last_name,
            before.label(),
            access.label()
        );
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::ProductAccessChanged,
                organization_id,
                product_id,
                &detail,
            ),
        )
        .await?;
        let notice = crate::mail::messages::MemberNotice {
            first_name: &person.first_name,
            actor: &account.full_name(),
            organization: &membership.name,
            organization_id,
            base: &cx.state.settings.public_url,
        };
        let email = crate::mail::messages::product_access_changed(
            &person.email,
            &notice,
            &product.name,
            before.label(),
            access.label(),
        )?;
        crate::mail::store::enqueue(&mut tx, &email, cx.now()).await?;
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
pub mod ssr {
    /// A member's picture for the people of their organization (`MEMBER_AVATAR_PATH`): for
    /// whoever may see the organization's members (not externals), of one of its members only;
    /// `None` when they have none.
    pub async fn member_avatar(
        state: &crate::state::AppState,
        headers: &http::HeaderMap,
        origin: &crate::request::Origin,
        organization_id: i64,
        user_id: i64,
    ) -> Result<Option<Vec<u8>>, crate::error::AppError> {
        crate::access::authentication::authorize_request(
            state,
            headers,
            origin,
            crate::policy::Caller::Reader,
            organization_id,
            crate::policy::Action::ViewMembers,
        )
        .await?;
        let mut tx = state.db.read().await?;
        let image = if crate::access::store::membership(&mut tx, organization_id, user_id)
            .await?
            .is_some()
        {
            crate::account::store::avatar(&mut tx, user_id).await?
        } else {
            None
        };
        tx.commit().await?;
        Ok(image)
    }

    pub(super) use crate::access::Log;
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::error::ErrorCode;
    pub(super) use crate::organizations::api::member;
    pub(super) use crate::organizations::store;
}

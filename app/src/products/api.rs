//! Server functions of products. The organization comes from the URL and is checked against
//! the caller's membership; collaborators and externals reach only the products they were given.

use super::{ProductDetail, ProductPage};
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the organization's products. `kind`, `status`, `tag` and `search` may be empty; `sort` is
/// `name` or `expiry`; `after` is the cursor of the previous page.
#[server(endpoint = "list_products")]
pub async fn list_products(
    organization_id: i64,
    search: String,
    kind: String,
    status: String,
    tag: String,
    sort: String,
    after: Option<String>,
) -> Result<ProductPage, AppError> {
    crate::request::respond(
        server_side::list(organization_id, search, kind, status, tag, sort, after).await,
    )
}

#[server(endpoint = "get_product")]
pub async fn get_product(organization_id: i64, product_id: i64) -> Result<ProductDetail, AppError> {
    crate::request::respond(server_side::detail(organization_id, product_id).await)
}

/// Blocks the product's management (PRD-3): collaborators and externals can still see it but no
/// longer manage it; every member of the organization is emailed.
#[server(endpoint = "block_product")]
pub async fn block_product(organization_id: i64, product_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::set_blocked(organization_id, product_id, true).await)
}

#[server(endpoint = "unblock_product")]
pub async fn unblock_product(organization_id: i64, product_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::set_blocked(organization_id, product_id, false).await)
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{
        cursor_after, parse_cursor, store, ProductDetail, ProductFilter, ProductPage, PAGE_SIZE,
    };
    use crate::account::api::{authenticate, authenticate_to_change};
    use crate::activity::store::{record, NewEntry};
    use crate::activity::ActivityAction;
    use crate::error::{AppError, ErrorCode};
    use crate::mail::{self, Email};
    use crate::organizations::api::authorize;
    use crate::policy::Action;
    use crate::request;

    pub async fn list(
        organization_id: i64,
        search: String,
        kind: String,
        status: String,
        tag: String,
        sort: String,
        after: Option<String>,
    ) -> Result<ProductPage, AppError> {
        let state = request::state()?;
        let account = authenticate(&state).await?;
        let filter = ProductFilter::parse(&search, &kind, &status, &tag, &sort)?;
        let after = after
            .filter(|a| !a.is_empty())
            .map(|a| parse_cursor(&a))
            .transpose()?;
        let mut tx = state.db.read().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::ViewProducts).await?;
        let sees_all = membership.may(Action::ViewAllProducts);
        let only_for = (!sees_all).then_some(account.id);
        let mut products = store::page(&mut tx, organization_id, only_for, &filter, after).await?;
        tx.commit().await?;
        let next = if products.len() as i64 > PAGE_SIZE {
            products.truncate(PAGE_SIZE as usize);
            products.last().map(|p| cursor_after(filter.sort, p))
        } else {
            None
        };
        Ok(ProductPage {
            products,
            next,
            organization_name: membership.name,
            account_email: account.email,
            sees_all,
        })
    }

    pub async fn detail(organization_id: i64, product_id: i64) -> Result<ProductDetail, AppError> {
        let state = request::state()?;
        let account = authenticate(&state).await?;
        let mut tx = state.db.read().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::ViewProducts).await?;
        let only_for = (!membership.may(Action::ViewAllProducts)).then_some(account.id);
        let found = store::detail(&mut tx, organization_id, only_for, product_id)
            .await?
            .map(|mut p| {
                p.can_block =
                    membership.may(Action::BlockProducts) && super::super::can_be_blocked(p.kind);
                p
            });
        tx.commit().await?;
        // Out of reach: say which organization and account are displayed (PRD-6).
        found.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!(
                    "This product is not in {} or not available to {}. Switch organization or account if it belongs elsewhere.",
                    membership.name, account.email
                ),
            )
        })
    }

    pub async fn set_blocked(
        organization_id: i64,
        product_id: i64,
        block: bool,
    ) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::BlockProducts).await?;
        let product = store::detail(&mut tx, organization_id, None, product_id)
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        if !super::super::can_be_blocked(product.kind) {
            return Err(AppError::new(
                ErrorCode::Validation,
                "A mail service cannot be blocked; put it into maintenance instead.",
            ));
        }
        if product.blocked_at.is_some() == block {
            return Err(AppError::new(
                ErrorCode::Validation,
                if block {
                    "This product's management is already blocked."
                } else {
                    "This product's management is not blocked."
                },
            ));
        }
        store::set_blocked(
            &mut tx,
            organization_id,
            product_id,
            block.then_some((now, account.id)),
        )
        .await?;
        record(
            &mut tx,
            NewEntry {
                action: if block {
                    ActivityAction::ProductBlocked
                } else {
                    ActivityAction::ProductUnblocked
                },
                actor_user_id: Some(account.id),
                organization_id: Some(organization_id),
                product_id: Some(product_id),
                detail: &product.name,
                origin: &origin,
                at: now,
            },
        )
        .await?;
        // Every user of the organization is told.
        let (subject, what) = if block {
            (
                format!("Management of {} is blocked", product.name),
                "blocked the management of",
            )
        } else {
            (
                format!("Management of {} is unblocked", product.name),
                "unblocked the management of",
            )
        };
        for member in crate::organizations::store::members(&mut tx, organization_id).await? {
            let body = format!(
                "Hello {first},\n\n{actor} {what} {product} ({kind}) in the organization {organization}.\n\n{consequence}\n{base}/o/{organization_id}/products/{product_id}\n{signature}",
                first = member.first_name,
                actor = account.full_name(),
                product = product.name,
                kind = product.kind.label(),
                organization = membership.name,
                consequence = if block {
                    "Until it is unblocked, only administrators and the legal representative can manage it; everyone else with access can still see it."
                } else {
                    "Everyone with access can manage it again."
                },
                base = state.settings.public_url,
                signature = mail::signature(),
            );
            let email = Email::new(&member.email, subject.clone(), body)?;
            mail::store::enqueue(&mut tx, &email, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

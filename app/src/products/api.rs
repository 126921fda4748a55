//! Server functions of products. The organization comes from the URL and is checked against
//! the caller's membership; collaborators and externals reach only the products they were given.

use super::{ProductDetail, ProductPage};
#[cfg(feature = "ssr")]
use crate::access::Serve;
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
    ListProducts::serve(|cx| async move {
        let account = cx.account()?;
        let filter = ProductFilter::parse(&search, &kind, &status, &tag, &sort)?;
        let after = after
            .filter(|a| !a.is_empty())
            .map(|a| parse_cursor(&a))
            .transpose()?;
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let only_for = products_for(&membership, account.id);
        let sees_all = only_for.is_none();
        let mut products = store::page(&mut tx, organization_id, only_for, &filter, after).await?;
        let currency = store::billing_currency(&mut tx, organization_id).await?;
        tx.commit().await?;
        for p in &mut products {
            p.standing =
                super::standing(p.kind, &p.name, p.stage, p.expires_at, cx.now(), currency);
        }
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
            account_email: account.email.clone(),
            sees_all,
        })
    })
    .await
}

#[server(endpoint = "get_product")]
pub async fn get_product(organization_id: i64, product_id: i64) -> Result<ProductDetail, AppError> {
    GetProduct::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let reached = match cx.products_of(&mut tx, &membership, &[product_id]).await {
            Ok(()) => true,
            Err(error) if error.code == ErrorCode::NotFound => false,
            Err(error) => return Err(error),
        };
        let only_for = products_for(&membership, account.id);
        let currency = store::billing_currency(&mut tx, organization_id).await?;
        let found = store::detail(&mut tx, organization_id, only_for, product_id)
            .await?
            .filter(|_| reached)
            .map(|mut p| {
                p.can_block =
                    membership.may(Action::BlockProducts) && super::can_be_blocked(p.kind);
                p.can_manage = crate::access::organization::may_manage(
                    membership.role,
                    p.blocked_at.is_some(),
                )
                .is_ok();
                p.standing = super::standing(
                    p.kind,
                    &p.name,
                    p.stage,
                    p.expires_at,
                    cx.now(),
                    currency,
                );
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
    })
    .await
}

/// Gives or corrects a product's holder (PRD-7): who owns its rights — a person, or a company
/// with a contact person — their postal address and email, as a registry asks. For whoever
/// manages the product (a blocked product: only those who may block it); logged on the product.
#[server(endpoint = "set_holder")]
#[allow(clippy::too_many_arguments)]
pub async fn set_holder(
    organization_id: i64,
    product_id: i64,
    name: String,
    company: String,
    street: String,
    postal_code: String,
    city: String,
    country: String,
    email: String,
) -> Result<(), AppError> {
    SetHolder::serve(|cx| async move {
        let holder = super::Holder::check(
            &name,
            &company,
            &street,
            &postal_code,
            &city,
            &country,
            &email,
        )?;
        let (mut tx, _) = cx.write_products(organization_id, &[product_id]).await?;
        store::set_holder(&mut tx, organization_id, product_id, &holder).await?;
        cx.log(
            &mut tx,
            crate::access::Log::product(
                crate::activity::ActivityAction::HolderChanged,
                organization_id,
                product_id,
                &holder.lines().join(", "),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Blocks (`blocked`) or unblocks the product's management (PRD-3): while blocked,
/// collaborators and externals can still see it but no longer manage it; every member of the
/// organization is emailed either way.
#[server(endpoint = "set_product_blocked")]
pub async fn set_product_blocked(
    organization_id: i64,
    product_id: i64,
    blocked: bool,
) -> Result<(), AppError> {
    SetProductBlocked::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.write_products(organization_id, &[product_id]).await?;
        let product = store::detail(&mut tx, organization_id, None, product_id)
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        if !super::can_be_blocked(product.kind) {
            return Err(AppError::new(
                ErrorCode::Validation,
                "A mail service cannot be blocked; put it into maintenance instead.",
            ));
        }
        if product.blocked_at.is_some() == blocked {
            return Err(AppError::new(
                ErrorCode::Validation,
                if blocked {
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
            blocked.then_some((cx.now(), account.id)),
        )
        .await?;
        let action = if blocked {
            ActivityAction::ProductBlocked
        } else {
            ActivityAction::ProductUnblocked
        };
        cx.log(
            &mut tx,
            Log::product(action, organization_id, product_id, &product.name),
        )
        .await?;
        // Every user of the organization is told.
        let actor = account.full_name();
        let notice = mail::messages::ProductNotice {
            actor: &actor,
            product: &product.name,
            kind: product.kind.label(),
            organization: &membership.name,
            organization_id,
            product_id,
            base: &cx.state.settings.public_url,
        };
        for (address, first_name) in
            crate::access::store::member_addresses(&mut tx, organization_id).await?
        {
            let email = mail::messages::product_blocked(&address, &first_name, &notice, blocked)?;
            mail::store::enqueue(&mut tx, &email, cx.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Turns automatic renewal on or off for several products at once (the list's selection,
/// `product_ids` comma-separated): all of them or none.
#[server(endpoint = "set_auto_renew_many")]
pub async fn set_auto_renew_many(
    organization_id: i64,
    product_ids: String,
    on: bool,
) -> Result<usize, AppError> {
    SetAutoRenewMany::serve(|cx| async move {
        let product_ids = crate::tags::parse_ids(&product_ids)?;
        if product_ids.len() > MANY_MAX {
            return Err(AppError::validation(
                "product_ids",
                format!("Select at most {MANY_MAX} products at a time."),
            ));
        }
        let (mut tx, _) = cx.write_products(organization_id, &product_ids).await?;
        for product_id in &product_ids {
            self::switch_auto_renew(&cx, &mut tx, organization_id, *product_id, on).await?;
        }
        tx.commit().await?;
        Ok(product_ids.len())
    })
    .await
}

/// One product's automatic renewal switched inside `tx` and logged there: the one write of
/// this fact, for the product page, the shop and the list.
#[cfg(feature = "ssr")]
pub async fn switch_auto_renew(
    cx: &crate::access::Context,
    tx: &mut crate::db::Tx,
    organization_id: i64,
    product_id: i64,
    on: bool,
) -> Result<(), AppError> {
    if !super::store::set_auto_renew(tx, organization_id, product_id, on).await? {
        return Err(AppError::not_found("product"));
    }
    cx.log(
        tx,
        crate::access::Log::product(
            crate::activity::ActivityAction::AutoRenewChanged,
            organization_id,
            product_id,
            if on { "on" } else { "off" },
        ),
    )
    .await
}

#[cfg(feature = "ssr")]
use crate::policy::Action;
/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{cursor_after, parse_cursor, store, ProductFilter, PAGE_SIZE};
    pub(super) use crate::access::organization::products_for;
    pub(super) use crate::access::Log;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::error::ErrorCode;
    pub(super) use crate::mail::{self};

    /// At most this many products in one switch.
    pub(super) const MANY_MAX: usize = 200;
}

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

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{
        cursor_after, parse_cursor, store, ProductDetail, ProductFilter, ProductPage, PAGE_SIZE,
    };
    use crate::account::api::authenticate;
    use crate::error::{AppError, ErrorCode};
    use crate::organizations::api::authorize;
    use crate::policy::{allows, Action};
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
        let sees_all = allows(membership.role, Action::ViewAllProducts);
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
        let only_for = (!allows(membership.role, Action::ViewAllProducts)).then_some(account.id);
        let found = store::detail(&mut tx, organization_id, only_for, product_id).await?;
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
}

//! Server functions of tags. Creating a tag and putting tags on products is open to those who
//! work with products (legal representatives, administrators, collaborators — the latter only on
//! products they can reach); renaming, recolouring and deleting to administrators.

use super::{Tag, TagChip};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_tags")]
pub async fn list_tags(organization_id: i64) -> Result<Vec<Tag>, AppError> {
    ListTags::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let tags = store::list(
            &mut tx,
            organization_id,
            products_for(&membership, account.id),
        )
        .await?;
        tx.commit().await?;
        Ok(tags)
    })
    .await
}

/// Creates a tag without putting it on any product.
#[server(endpoint = "create_tag")]
pub async fn create_tag(
    organization_id: i64,
    name: String,
    colour: String,
) -> Result<TagChip, AppError> {
    CreateTag::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let tag = new_tag(
            &mut tx,
            organization_id,
            account.id,
            &name,
            &colour,
            &cx.origin,
            cx.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(tag)
    })
    .await
}

#[server(endpoint = "update_tag")]
pub async fn update_tag(
    organization_id: i64,
    tag_id: i64,
    name: String,
    colour: String,
    /// The version the edit started from (pages always send it; a program may leave it out
    /// to overwrite whatever is stored).
    version: Option<i64>,
) -> Result<(), AppError> {
    UpdateTag::serve(|cx| async move {
        let name = normalize_name(&name)?;
        let colour = Colour::chosen(&colour)?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let old = store::find(&mut tx, organization_id, tag_id)
            .await?
            .ok_or_else(|| AppError::not_found("tag"))?;
        if store::name_taken(&mut tx, organization_id, &name, tag_id).await? {
            return Err(taken());
        }
        if !store::update(&mut tx, organization_id, tag_id, &name, colour, version).await? {
            return Err(AppError::stale());
        }
        let detail = format!("{} → {} ({})", old.name, name, colour.as_str());
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::TagChanged, organization_id, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "delete_tag")]
pub async fn delete_tag(organization_id: i64, tag_id: i64) -> Result<(), AppError> {
    DeleteTag::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let old = store::find(&mut tx, organization_id, tag_id)
            .await?
            .ok_or_else(|| AppError::not_found("tag"))?;
        store::delete(&mut tx, organization_id, tag_id).await?;
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::TagDeleted, organization_id, &old.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Puts a tag on the selected products (`product_ids`: comma-separated). The tag is `tag_id`,
/// or, when that is empty, a new one named `new_name` in `new_colour`. Returns how many
/// products got it.
#[server(endpoint = "tag_products")]
pub async fn tag_products(
    organization_id: i64,
    product_ids: String,
    tag_id: String,
    new_name: String,
    new_colour: String,
) -> Result<u64, AppError> {
    TagProducts::serve(|cx| async move {
        let account = cx.account()?;
        // The selection, each product through the row's product reach (a blocked one only
        // for those who may block it, PRD-3).
        let ids = parse_ids(&product_ids)?;
        let (mut tx, _) = cx.write_products(organization_id, &ids).await?;
        let tag = match tag_id.trim() {
            "" => {
                new_tag(
                    &mut tx,
                    organization_id,
                    account.id,
                    &new_name,
                    &new_colour,
                    &cx.origin,
                    cx.now(),
                )
                .await?
            }
            id => {
                let id = id
                    .parse::<i64>()
                    .map_err(|_| AppError::validation("tag_id", "Choose a tag from the list."))?;
                store::find(&mut tx, organization_id, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("tag"))?
            }
        };
        let n = store::attach(&mut tx, tag.id, &ids).await?;
        log_per_product(
            &mut tx,
            ActivityAction::ProductsTagged,
            account.id,
            organization_id,
            &ids,
            &tag.name,
            &cx.origin,
            cx.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    })
    .await
}

/// Takes a tag off the selected products.
#[server(endpoint = "untag_products")]
pub async fn untag_products(
    organization_id: i64,
    product_ids: String,
    tag_id: i64,
) -> Result<u64, AppError> {
    UntagProducts::serve(|cx| async move {
        let account = cx.account()?;
        // The selection, each product through the row's product reach (a blocked one only
        // for those who may block it, PRD-3).
        let ids = parse_ids(&product_ids)?;
        let (mut tx, _) = cx.write_products(organization_id, &ids).await?;
        let tag = store::find(&mut tx, organization_id, tag_id)
            .await?
            .ok_or_else(|| AppError::not_found("tag"))?;
        let n = store::detach(&mut tx, tag.id, &ids).await?;
        log_per_product(
            &mut tx,
            ActivityAction::ProductsUntagged,
            account.id,
            organization_id,
            &ids,
            &tag.name,
            &cx.origin,
            cx.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{normalize_name, parse_ids, store, Colour, TagChip};
    pub(super) use crate::access::organization::products_for;
    pub(super) use crate::access::Log;

    pub(super) use crate::activity::store::{record, record_in, NewEntry};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::AppError;
    pub(super) use crate::request::Origin;

    /// One entry per product, so the log filtered by product tells each product's story.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn log_per_product(
        tx: &mut Tx,
        action: ActivityAction,
        user_id: i64,
        organization_id: i64,
        product_ids: &[i64],
        detail: &str,
        origin: &Origin,
        at: i64,
    ) -> Result<(), AppError> {
        for product_id in product_ids {
            record(
                tx,
                NewEntry {
                    action,
                    actor_user_id: Some(user_id),
                    organization_id: Some(organization_id),
                    product_id: Some(*product_id),
                    detail,
                    origin,
                    at,
                },
            )
            .await?;
        }
        Ok(())
    }

    pub(super) fn taken() -> AppError {
        AppError::validation(
            "name",
            "A tag with this name already exists in this organization.",
        )
    }

    pub(super) async fn new_tag(
        tx: &mut Tx,
        organization_id: i64,
        user_id: i64,
        name: &str,
        colour: &str,
        origin: &Origin,
        at: i64,
    ) -> Result<TagChip, AppError> {
        let name = normalize_name(name)?;
        let colour = Colour::chosen(colour)?;
        if store::name_taken(tx, organization_id, &name, 0).await? {
            return Err(taken());
        }
        let id = store::insert(tx, organization_id, &name, colour, at).await?;
        record_in(
            tx,
            ActivityAction::TagCreated,
            user_id,
            organization_id,
            &name,
            origin,
            at,
        )
        .await?;
        Ok(TagChip { id, name, colour })
    }
}

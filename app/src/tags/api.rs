//! Server functions of tags. Creating a tag and putting tags on products is open to those who
//! work with products (legal representatives, administrators, collaborators — the latter only on
//! products they can reach); renaming, recolouring and deleting to administrators.

use super::{Tag, TagChip};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_tags")]
pub async fn list_tags(organization_id: i64) -> Result<Vec<Tag>, AppError> {
    crate::request::respond(server_side::list(organization_id).await)
}

/// Creates a tag without putting it on any product.
#[server(endpoint = "create_tag")]
pub async fn create_tag(
    organization_id: i64,
    name: String,
    colour: String,
) -> Result<TagChip, AppError> {
    crate::request::respond(server_side::create(organization_id, name, colour).await)
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
    crate::request::respond(
        server_side::update(organization_id, tag_id, name, colour, version).await,
    )
}

#[server(endpoint = "delete_tag")]
pub async fn delete_tag(organization_id: i64, tag_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::delete(organization_id, tag_id).await)
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
    crate::request::respond(
        server_side::tag(organization_id, product_ids, tag_id, new_name, new_colour).await,
    )
}

/// Takes a tag off the selected products.
#[server(endpoint = "untag_products")]
pub async fn untag_products(
    organization_id: i64,
    product_ids: String,
    tag_id: i64,
) -> Result<u64, AppError> {
    crate::request::respond(server_side::untag(organization_id, product_ids, tag_id).await)
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{normalize_name, parse_ids, store, Colour, Tag, TagChip};
    use crate::account::api::{authenticate, authenticate_to_change};
    use crate::activity::store::{record, record_in, NewEntry};
    use crate::activity::ActivityAction;
    use crate::db::Tx;
    use crate::error::{AppError, ErrorCode};
    use crate::organizations::api::authorize;
    use crate::policy::{allows, Action, Role};
    use crate::request::{self, Origin};

    /// One entry per product, so the log filtered by product tells each product's story.
    #[allow(clippy::too_many_arguments)]
    async fn log_per_product(
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

    fn only_for(role: Role, user_id: i64) -> Option<i64> {
        (!allows(role, Action::ViewAllProducts)).then_some(user_id)
    }

    fn taken() -> AppError {
        AppError::validation(
            "name",
            "A tag with this name already exists in this organization.",
        )
    }

    pub async fn list(organization_id: i64) -> Result<Vec<Tag>, AppError> {
        let state = request::state()?;
        let account = authenticate(&state).await?;
        let mut tx = state.db.read().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::ViewProducts).await?;
        let tags = store::list(
            &mut tx,
            organization_id,
            only_for(membership.role, account.id),
        )
        .await?;
        tx.commit().await?;
        Ok(tags)
    }

    async fn new_tag(
        tx: &mut Tx,
        organization_id: i64,
        user_id: i64,
        name: &str,
        colour: &str,
        origin: &Origin,
        at: i64,
    ) -> Result<TagChip, AppError> {
        let name = normalize_name(name)?;
        let colour = Colour::parse(colour)?;
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

    pub async fn create(
        organization_id: i64,
        name: String,
        colour: String,
    ) -> Result<TagChip, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        authorize(&mut tx, organization_id, account.id, Action::TagProducts).await?;
        let tag = new_tag(
            &mut tx,
            organization_id,
            account.id,
            &name,
            &colour,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(tag)
    }

    pub async fn update(
        organization_id: i64,
        tag_id: i64,
        name: String,
        colour: String,
        version: Option<i64>,
    ) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let name = normalize_name(&name)?;
        let colour = Colour::parse(&colour)?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        authorize(&mut tx, organization_id, account.id, Action::EditTags).await?;
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
        record_in(
            &mut tx,
            ActivityAction::TagChanged,
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

    pub async fn delete(organization_id: i64, tag_id: i64) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        authorize(&mut tx, organization_id, account.id, Action::EditTags).await?;
        let old = store::find(&mut tx, organization_id, tag_id)
            .await?
            .ok_or_else(|| AppError::not_found("tag"))?;
        store::delete(&mut tx, organization_id, tag_id).await?;
        record_in(
            &mut tx,
            ActivityAction::TagDeleted,
            account.id,
            organization_id,
            &old.name,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The selected products the caller may tag; refuses when some are out of reach.
    async fn selection(
        tx: &mut Tx,
        organization_id: i64,
        role: Role,
        user_id: i64,
        raw: &str,
    ) -> Result<Vec<i64>, AppError> {
        let ids = parse_ids(raw)?;
        let reachable =
            store::reachable_products(tx, organization_id, only_for(role, user_id), &ids).await?;
        if reachable.len() != ids.len() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "Some of the selected products are not in this organization or not available to you.",
            ));
        }
        // A blocked product is managed only by those who may block it (PRD-3).
        if !allows(role, Action::BlockProducts)
            && !crate::products::store::blocked_among(tx, &reachable)
                .await?
                .is_empty()
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "The management of a selected product is blocked by an administrator of the organization.",
            ));
        }
        Ok(reachable)
    }

    pub async fn tag(
        organization_id: i64,
        product_ids: String,
        tag_id: String,
        new_name: String,
        new_colour: String,
    ) -> Result<u64, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::TagProducts).await?;
        let ids = selection(
            &mut tx,
            organization_id,
            membership.role,
            account.id,
            &product_ids,
        )
        .await?;
        let tag = match tag_id.trim() {
            "" => {
                new_tag(
                    &mut tx,
                    organization_id,
                    account.id,
                    &new_name,
                    &new_colour,
                    &origin,
                    now,
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
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn untag(
        organization_id: i64,
        product_ids: String,
        tag_id: i64,
    ) -> Result<u64, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_to_change(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let (membership, _) =
            authorize(&mut tx, organization_id, account.id, Action::TagProducts).await?;
        let ids = selection(
            &mut tx,
            organization_id,
            membership.role,
            account.id,
            &product_ids,
        )
        .await?;
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
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}

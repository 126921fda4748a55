//! Server functions of product moves (PRD-8).

use super::{MoveFacts, MoveOpening};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// The product page's part about moving it: the request waiting, if any, and whether I may
/// start or cancel one.
#[server(endpoint = "product_move")]
pub async fn product_move(organization_id: i64, product_id: i64) -> Result<MoveFacts, AppError> {
    ProductMove::serve(|cx| async move {
        let (mut tx, member) = cx.read_products(organization_id, &[product_id]).await?;
        let pending = store::pending(&mut tx, product_id)
            .await?
            .map(|p| super::PendingMove {
                expired: p.expires_at <= cx.now(),
                ..p
            });
        tx.commit().await?;
        Ok(MoveFacts {
            pending,
            may_move: member.may(Action::MoveProducts),
        })
    })
    .await
}

/// Asks to move the product to an organization that `email` (a legal representative there)
/// represents: they get a link, valid 14 days, to accept it or refuse it. One request at a
/// time per product; a domain whose transfer in is not done cannot move yet.
#[server(endpoint = "start_product_move")]
pub async fn start_product_move(
    organization_id: i64,
    product_id: i64,
    email: String,
) -> Result<(), AppError> {
    StartProductMove::serve(|cx| async move {
        let account = cx.account()?;
        let email = crate::mail::normalize_email(&email)?;
        let (mut tx, member) = cx.write_products(organization_id, &[product_id]).await?;
        let product = crate::products::store::detail(&mut tx, organization_id, None, product_id)
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        if product.in_transfer.is_some() {
            return Err(AppError::validation(
                "email",
                format!("{} is being transferred in: it can move once the transfer is done.", product.name),
            ));
        }
        let (token, token_hash) = crate::tokens::new_token();
        let expires_at = cx.now() + super::MOVE_LIFETIME_SECONDS;
        let inserted = store::insert(
            &mut tx,
            &store::NewMove {
                product_id,
                from_organization_id: organization_id,
                to_email: &email,
                token_hash: token_hash.as_str(),
                requested_by: account.id,
                at: cx.now(),
                expires_at,
            },
        )
        .await?;
        if inserted.is_none() {
            return Err(AppError::validation(
                "email",
                "A request to move this product is waiting for its answer already: cancel it first to send another.",
            ));
        }
        let url = format!(
            "{}/product-move?token={token}",
            cx.state.settings.public_url
        );
        let message = crate::mail::messages::product_move_requested(
            &email,
            &account.full_name(),
            &member.name,
            &product.name,
            expires_at,
            &url,
        )?;
        crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
        let detail = format!("{}: move to another organization asked of {email}", product.name);
        cx.log(
            &mut tx,
            Log::product(ActivityAction::ProductMoveRequested, organization_id, product_id, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Cancels the product's request to move (its link stops working).
#[server(endpoint = "cancel_product_move")]
pub async fn cancel_product_move(organization_id: i64, product_id: i64) -> Result<(), AppError> {
    CancelProductMove::serve(|cx| async move {
        let (mut tx, _) = cx.write_products(organization_id, &[product_id]).await?;
        if !store::cancel(&mut tx, product_id, cx.now()).await? {
            return Err(AppError::validation(
                "product_id",
                "No request to move this product is waiting.",
            ));
        }
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::ProductMoveCancelled,
                organization_id,
                product_id,
                "request cancelled: its link no longer works",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// What the emailed link offers: the product, who asks, and — for someone signed in — the
/// organizations they may receive it into.
#[server(endpoint = "open_product_move")]
pub async fn open_product_move(token: String) -> Result<MoveOpening, AppError> {
    OpenProductMove::serve(|cx| async move {
        let signed_in = crate::access::authentication::caller(&cx.state, &cx.origin)
            .await
            .ok()
            .map(|p| p.account);
        let mut tx = cx.read().await?;
        let found = usable(&mut tx, &token, cx.now()).await?;
        let product = crate::products::store::detail(
            &mut tx,
            found.from_organization_id,
            None,
            found.product_id,
        )
        .await?
        .ok_or_else(gone)?;
        let receivers = match &signed_in {
            Some(account) => crate::access::store::memberships_of(&mut tx, account.id)
                .await?
                .into_iter()
                .filter(|m| m.id != found.from_organization_id && m.may(Action::ReceiveProducts))
                .map(|m| super::Receiver {
                    id: m.id,
                    name: m.name,
                })
                .collect(),
            None => Vec::new(),
        };
        tx.commit().await?;
        Ok(MoveOpening {
            product: product.name,
            kind: product.kind,
            expires_at_product: product.expires_at,
            holder: product.holder_contact.lines(),
            from_organization: found.from_organization,
            requested_by: found.requested_by_name,
            to_email: found.to_email,
            expires_at: found.expires_at,
            signed_in_as: signed_in.map(|a| a.email),
            receivers,
        })
    })
    .await
}

/// Refuses the move: the product stays where it is, and whoever asked is told.
#[server(endpoint = "refuse_product_move")]
pub async fn refuse_product_move(token: String) -> Result<(), AppError> {
    RefuseProductMove::serve(|cx| async move {
        let mut tx = cx.write().await?;
        let found = usable(&mut tx, &token, cx.now()).await?;
        let product = crate::products::store::detail(
            &mut tx,
            found.from_organization_id,
            None,
            found.product_id,
        )
        .await?
        .ok_or_else(gone)?;
        if !store::close(&mut tx, found.id, "refused", None, cx.now()).await? {
            return Err(gone());
        }
        let detail = format!(
            "{}: the move was refused ({})",
            product.name, found.to_email
        );
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::ProductMoveRefused,
                found.from_organization_id,
                found.product_id,
                &detail,
            ),
        )
        .await?;
        tell_requester(&cx, &mut tx, &found, &product.name, None).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Accepts the product into `organization_id`, which the signed-in person represents: it
/// changes organization in this one transaction (see the module). Answers the product's id.
#[server(endpoint = "accept_product_move")]
pub async fn accept_product_move(organization_id: i64, token: String) -> Result<i64, AppError> {
    AcceptProductMove::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, receiving) = cx.write_in(organization_id).await?;
        let found = usable(&mut tx, &token, cx.now()).await?;
        if found.from_organization_id == organization_id {
            return Err(AppError::validation(
                "organization_id",
                "The product is in this organization already: choose another one.",
            ));
        }
        // Both organizations, in the order of their ids (two moves crossing cannot deadlock).
        let mut both = [found.from_organization_id, organization_id];
        both.sort_unstable();
        for id in both {
            crate::access::store::lock_organization(&mut tx, id).await?;
        }
        let product =
            crate::products::store::detail(&mut tx, found.from_organization_id, None, found.product_id)
                .await?
                .ok_or_else(gone)?;
        if store::name_in(&mut tx, organization_id, product.kind.as_str(), &product.name).await? {
            return Err(AppError::validation(
                "organization_id",
                format!("{} has a {} named {} already: it cannot hold two.", receiving.name, product.kind.label().to_lowercase(), product.name),
            ));
        }
        if !store::close(&mut tx, found.id, "accepted", Some(organization_id), cx.now()).await?
            || !crate::products::store::move_to(
                &mut tx,
                found.from_organization_id,
                found.product_id,
                organization_id,
            )
            .await?
        {
            return Err(gone());
        }
        let tags = crate::tags::store::detach_all(&mut tx, found.product_id).await?;
        let lines = crate::shop::store::remove_product_lines(
            &mut tx,
            found.from_organization_id,
            found.product_id,
        )
        .await?;
        let out = format!(
            "{}: moved to {} (accepted by {}); {tags} tag(s) and every access of this organization's people taken off, {lines} cart line(s) removed",
            product.name,
            receiving.name,
            account.full_name()
        );
        cx.log(
            &mut tx,
            Log::product(ActivityAction::ProductMovedOut, found.from_organization_id, found.product_id, &out),
        )
        .await?;
        let into = format!(
            "{}: received from {}; automatic renewal is off until it is turned on here",
            product.name, found.from_organization
        );
        cx.log(
            &mut tx,
            Log::product(ActivityAction::ProductMovedIn, organization_id, found.product_id, &into),
        )
        .await?;
        tell_requester(&cx, &mut tx, &found, &product.name, Some(&receiving.name)).await?;
        tx.commit().await?;
        Ok(found.product_id)
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
    pub(super) use super::super::store;
    pub(super) use crate::access::{Context, Log};
    pub(super) use crate::activity::ActivityAction;
    use crate::db::Tx;
    use crate::error::{AppError, ErrorCode};

    /// A link that is unknown, used, cancelled or expired: all the same to whoever holds it.
    pub(super) fn gone() -> AppError {
        AppError::new(
            ErrorCode::NotFound,
            "This link to move a product is no longer valid: it was answered or cancelled, or its 14 days are over. Ask for a new one.",
        )
    }

    pub(super) async fn usable(
        tx: &mut Tx,
        token: &str,
        now: i64,
    ) -> Result<store::OpenMove, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Err(gone());
        }
        let hash = crate::tokens::hash_token(token);
        store::open(tx, hash.as_str(), now).await?.ok_or_else(gone)
    }

    /// The answer, to whoever asked (if their account is still there).
    pub(super) async fn tell_requester(
        cx: &Context,
        tx: &mut Tx,
        found: &store::OpenMove,
        product: &str,
        to_organization: Option<&str>,
    ) -> Result<(), AppError> {
        let Some(requester) = found.requested_by else {
            return Ok(());
        };
        let Some(account) = crate::access::store::account(tx, requester).await? else {
            return Ok(());
        };
        let email = crate::mail::messages::product_move_answered(
            &account.email,
            &account.first_name,
            product,
            to_organization,
        )?;
        crate::mail::store::enqueue(tx, &email, cx.now()).await?;
        Ok(())
    }
}

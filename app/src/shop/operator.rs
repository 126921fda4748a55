//! What the operator does for the shop from the command line (see the README): record a bank
//! transfer (to a prepaid account, or paying an order by its invoice's reference), create and
//! list promo codes, grant a free offer. Each writes its activity-log entry in the same
//! transaction, like a change made in a page.

use super::checkout::{self, Actor, OrderTransfer};
use super::quote::{PromoCode, PromoReduction};
use super::store::{self, NewPromoCode};
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::billing::ledger::Booked;
use crate::billing::reference::{self, Referenced};
use crate::error::AppError;
use crate::money::Money;
use crate::products::ProductKind;
use crate::request::Origin;
use crate::state::AppState;

fn command_line() -> Origin {
    Origin {
        ip: "command line".into(),
        user_agent: "steward operator command".into(),
        https: false,
    }
}

/// An incoming bank transfer, by the reference it carries; the sentence says what it did.
pub async fn record_transfer(
    state: &AppState,
    reference_text: &str,
    amount: Money,
    transfer_id: &str,
) -> Result<String, AppError> {
    let transfer_id = transfer_id.trim();
    if transfer_id.is_empty() || transfer_id.len() > 100 {
        return Err(AppError::validation(
            "transfer",
            "Give the bank's id of the transfer (1 to 100 characters): it keeps a transfer from being booked twice.",
        ));
    }
    match reference::parse(reference_text) {
        Some(Referenced::Order(order_id)) => {
            let origin = command_line();
            let actor = Actor {
                user_id: None,
                origin: &origin,
                now: state.now(),
            };
            let mut tx = state.db.write().await?;
            let outcome =
                checkout::record_order_transfer(&mut tx, order_id, amount, transfer_id, &actor)
                    .await?;
            tx.commit().await?;
            Ok(match outcome {
                OrderTransfer::Paid { order_id } => {
                    format!("Order {order_id} is paid ({amount}) and carried out.")
                }
                OrderTransfer::CreditedCancelled { order_id } => format!(
                    "Order {order_id} was cancelled: {amount} is credited to the prepaid account."
                ),
                OrderTransfer::Credited { order_id, status } => format!(
                    "{amount} is credited to the prepaid account; order {order_id} is {} (the balance does not cover it, or it was settled already).",
                    status.label().to_lowercase()
                ),
                OrderTransfer::Already => {
                    "This transfer was recorded before: nothing changed.".to_owned()
                }
            })
        }
        Some(Referenced::Organization(_)) => {
            let recorded =
                crate::billing::operator::record_transfer(state, reference_text, amount, transfer_id)
                    .await?;
            Ok(match recorded.booked {
                Booked::New(id) => format!(
                    "Credited {amount} to {} (ledger entry {id}).",
                    recorded.organization
                ),
                Booked::Already(id) => format!(
                    "This transfer was already credited to {} (ledger entry {id}): nothing changed.",
                    recorded.organization
                ),
            })
        }
        None => Err(AppError::validation(
            "reference",
            format!("\"{reference_text}\" is not a Steward payment reference (its check digits do not hold)."),
        )),
    }
}

/// A promo code as the operator asks for it.
pub struct PromoCodeRequest<'a> {
    pub code: &'a str,
    pub reduction: PromoReduction,
    pub kinds: &'a [ProductKind],
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
}

pub async fn create_promo_code(
    state: &AppState,
    request: &PromoCodeRequest<'_>,
) -> Result<i64, AppError> {
    let code = super::normalize_promo_code(request.code)?;
    if code.len() < 3 {
        return Err(AppError::validation(
            "code",
            "A promo code has at least 3 characters.",
        ));
    }
    match request.reduction {
        PromoReduction::Percent(p) if !(1..=100_00).contains(&p.0) => {
            return Err(AppError::validation(
                "percent",
                "A percentage is more than 0 and at most 100.",
            ))
        }
        PromoReduction::Amount(m) if m.minor <= 0 => {
            return Err(AppError::validation(
                "amount",
                "An amount is more than zero.",
            ))
        }
        _ => {}
    }
    if request.max_uses.is_some_and(|m| m < 1) {
        return Err(AppError::validation(
            "uses",
            "A code is used at least once.",
        ));
    }
    let now = state.now();
    let mut tx = state.db.write().await?;
    let id = store::insert_promo_code(
        &mut tx,
        &NewPromoCode {
            code: &code,
            reduction: request.reduction,
            kinds: request.kinds,
            expires_at: request.expires_at,
            max_uses: request.max_uses,
            at: now,
        },
    )
    .await?
    .ok_or_else(|| AppError::validation("code", format!("The code {code} exists already.")))?;
    let detail = format!(
        "{code}: {}{}",
        match request.reduction {
            PromoReduction::Percent(p) => p.label(),
            PromoReduction::Amount(m) => m.to_string(),
        },
        request
            .max_uses
            .map(|m| format!(", {m} uses"))
            .unwrap_or_default()
    );
    record(
        &mut tx,
        NewEntry {
            action: ActivityAction::PromoCodeCreated,
            actor_user_id: None,
            organization_id: None,
            product_id: None,
            detail: &detail,
            origin: &command_line(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn promo_codes(state: &AppState) -> Result<Vec<PromoCode>, AppError> {
    let mut tx = state.db.read().await?;
    let codes = store::promo_codes(&mut tx).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Grants the organization one item of `kind` free for `periods` periods, chosen on a cart
/// line in a drop-down.
pub async fn grant_free_offer(
    state: &AppState,
    organization_id: i64,
    kind: ProductKind,
    periods: i64,
    label: &str,
) -> Result<i64, AppError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 || label.chars().any(char::is_control) {
        return Err(AppError::validation(
            "label",
            "Describe the offer in 1 to 100 characters, like \"A domain for a year\".",
        ));
    }
    if !(1..=super::PERIODS_MAX).contains(&periods) {
        return Err(AppError::validation(
            "periods",
            format!("An offer covers 1 to {} periods.", super::PERIODS_MAX),
        ));
    }
    let now = state.now();
    let mut tx = state.db.write().await?;
    let organization = crate::billing::store::organization_name(&mut tx, organization_id)
        .await?
        .ok_or_else(|| AppError::not_found("organization"))?;
    let id = store::insert_free_offer(&mut tx, organization_id, kind, periods, label, now).await?;
    record(
        &mut tx,
        NewEntry {
            action: ActivityAction::FreeOfferGranted,
            actor_user_id: None,
            organization_id: Some(organization_id),
            product_id: None,
            detail: &format!("{label} ({organization})"),
            origin: &command_line(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

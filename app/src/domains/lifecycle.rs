//! The scheduler's domain job (PRD-4): each domain past its expiry is moved to the stage its
//! extension's rules give for now — expired (renewable at the normal price), in redemption
//! (restorable), being deleted, released — with one log entry and one email to those who see
//! billing per move. The job runs under its lease and each move updates only from the stage it
//! read, so two Steward processes move a domain once. A scheduler that was stopped for weeks
//! moves a domain straight to where it stands now: one move, one message.

use super::store::{self, Expired};
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::billing::scheduler::{self, scheduler};
use crate::error::AppError;
use crate::mail::messages::{self, DomainStageNotice};
use crate::products::{domain, DomainStage};
use crate::state::AppState;

pub const DOMAIN_LIFECYCLE: &str = "domain_lifecycle";

/// What one run did; `None` when another worker held the job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub moved: usize,
    pub released: usize,
}

pub async fn run(state: &AppState, worker: &str) -> Result<Option<Run>, AppError> {
    let now = state.now();
    let claimed = scheduler::claim(state, DOMAIN_LIFECYCLE, worker, now).await?;
    if !claimed {
        return Ok(None);
    }
    let mut read = state.db.read().await?;
    let expired = store::expired(&mut read, now).await?;
    read.commit().await?;
    let mut run = Run::default();
    for domain in expired {
        let Some(extension) = domain::current().of(&domain.name) else {
            // An extension the operator removed from the table: left where it stands.
            continue;
        };
        let to = extension.stage_at(domain.expires_at, now);
        if to <= domain.stage {
            continue;
        }
        if move_one(state, &domain, to, now).await? {
            run.moved += 1;
            if to == DomainStage::Released {
                run.released += 1;
            }
        }
    }
    scheduler::release(state, DOMAIN_LIFECYCLE, worker, now).await?;
    Ok(Some(run))
}

/// One move in its own transaction: the stage, the log entry, the emails.
async fn move_one(
    state: &AppState,
    domain: &Expired,
    to: DomainStage,
    now: i64,
) -> Result<bool, AppError> {
    let mut tx = state.db.write().await?;
    if !crate::products::lifecycle::move_stage(
        &mut tx,
        domain.product_id,
        domain.expires_at,
        domain.stage,
        to,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    let currency =
        crate::products::store::billing_currency(&mut tx, domain.organization_id).await?;
    let standing = crate::products::standing(
        crate::products::ProductKind::Domain,
        &domain.name,
        to,
        Some(domain.expires_at),
        now,
        currency,
    )
    .unwrap_or_default();
    record(
        &mut tx,
        NewEntry {
            action: ActivityAction::DomainStageChanged,
            actor_user_id: None,
            organization_id: Some(domain.organization_id),
            product_id: Some(domain.product_id),
            detail: &format!("{}: {standing}", domain.name),
            origin: &scheduler(),
            at: now,
        },
    )
    .await?;
    let notice = DomainStageNotice {
        domain: &domain.name,
        organization: &domain.organization,
        organization_id: domain.organization_id,
        product_id: domain.product_id,
        stage: to.label(),
        standing: &standing,
        actionable: matches!(to, DomainStage::Expired | DomainStage::Redemption),
        base: &state.settings.public_url,
    };
    for (address, first_name) in
        crate::billing::store::billing_recipients(&mut tx, domain.organization_id).await?
    {
        let email = messages::domain_stage_changed(&address, &first_name, &notice)?;
        crate::mail::store::enqueue(&mut tx, &email, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

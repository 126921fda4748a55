//! Transfers in (PRD-5): a paid transfer line creates its domain waiting for the registry; the
//! scheduler's transfer job asks the registry (each pending transfer once: its code is taken
//! with the update that clears it, committed before the registry is asked outside any
//! transaction, and the answer recorded in a transaction of its own); a failure keeps its reason, emails it in plain words with
//! what to do and a single-use restart link, and the domain's page shows the same on a red
//! banner. Restarting — from the link or the page, with the code typed again — asks the
//! registry at once and never charges the transfer fee again.

use super::store::{self, PendingTransfer};
use super::TransferFailure;
use crate::activity::store::{self as activity, NewEntry};
use crate::activity::ActivityAction;
use crate::billing::scheduler::{self, scheduler};
use crate::db::Tx;
use crate::error::AppError;
use crate::mail::messages::{self, TransferFailedNotice};
use crate::products::lifecycle;
use crate::products::registry;
use crate::request::Origin;
use crate::state::AppState;

pub const DOMAIN_TRANSFERS: &str = "domain_transfers";
/// A restart link is good for this many days, once.
pub const RESTART_LINK_DAYS: i64 = 30;
const DAY: i64 = 86_400;

/// What one run did; `None` when another worker held the job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub transferred: usize,
    pub failed: usize,
}

/// The scheduler's job: asks the registry for each pending transfer.
pub async fn run(state: &AppState, worker: &str) -> Result<Option<Run>, AppError> {
    let now = state.now();
    let claimed = scheduler::claim(state, DOMAIN_TRANSFERS, worker, now).await?;
    if !claimed {
        return Ok(None);
    }
    let mut read = state.db.read().await?;
    let pending = store::pending_transfers(&mut read).await?;
    read.commit().await?;
    let mut run = Run::default();
    for transfer in pending {
        // Claimed: the code is taken (and cleared) by one worker, committed before the registry
        // is asked, so no transaction waits on it.
        let mut claim = state.db.write().await?;
        if !lifecycle::take_code(&mut claim, transfer.product_id, &transfer.code).await? {
            continue;
        }
        claim.commit().await?;
        let answer = match registry::current()
            .transfer_in(state, &transfer.name, &transfer.code, now)
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                // Not asked: the code goes back, and the next run asks again.
                let mut tx = state.db.write().await?;
                lifecycle::put_code_back(&mut tx, transfer.product_id, &transfer.code).await?;
                tx.commit().await?;
                tracing::warn!(message = %error.message, "the registry could not be asked");
                continue;
            }
        };
        let mut tx = state.db.write().await?;
        record_answer(state, &mut tx, &transfer, answer, None, now).await?;
        tx.commit().await?;
        match answer {
            Ok(()) => run.transferred += 1,
            Err(_) => run.failed += 1,
        }
    }
    scheduler::release(state, DOMAIN_TRANSFERS, worker, now).await?;
    Ok(Some(run))
}

/// Records the registry's answer, in `tx`: the domain active for a year, or the failure with a
/// new restart link, each with its log entry and emails. `actor`: who restarted it (`None`: the
/// scheduler).
pub async fn record_answer(
    state: &AppState,
    tx: &mut Tx,
    transfer: &PendingTransfer,
    answer: Result<(), TransferFailure>,
    actor: Option<(i64, &Origin)>,
    now: i64,
) -> Result<(), AppError> {
    let scheduler = scheduler();
    let (actor_user_id, origin) = match actor {
        Some((user, origin)) => (Some(user), origin),
        None => (None, &scheduler),
    };
    let recipients =
        crate::billing::store::billing_recipients(tx, transfer.organization_id).await?;
    match answer {
        Ok(()) => {
            let until = crate::format::add_months(now, 12);
            lifecycle::transfer_done(tx, transfer.product_id, until, now).await?;
            activity::record(
                tx,
                NewEntry {
                    action: ActivityAction::DomainTransferred,
                    actor_user_id,
                    organization_id: Some(transfer.organization_id),
                    product_id: Some(transfer.product_id),
                    detail: &format!(
                        "{}: transferred in, until {}",
                        transfer.name,
                        crate::format::date(until)
                    ),
                    origin,
                    at: now,
                },
            )
            .await?;
            for (address, first_name) in recipients {
                let email = messages::domain_transferred(
                    &address,
                    &first_name,
                    &transfer.name,
                    &transfer.organization,
                    until,
                )?;
                crate::mail::store::enqueue(tx, &email, now).await?;
            }
        }
        Err(failure) => {
            let (token, hash) = crate::tokens::new_token();
            lifecycle::transfer_failed(
                tx,
                transfer.product_id,
                failure.as_str(),
                hash.as_str(),
                now + RESTART_LINK_DAYS * DAY,
            )
            .await?;
            activity::record(
                tx,
                NewEntry {
                    action: ActivityAction::TransferFailed,
                    actor_user_id,
                    organization_id: Some(transfer.organization_id),
                    product_id: Some(transfer.product_id),
                    detail: &format!("{}: {}", transfer.name, failure.reason()),
                    origin,
                    at: now,
                },
            )
            .await?;
            let link = format!(
                "{}/o/{}/products/{}?restart={token}",
                state.settings.public_url, transfer.organization_id, transfer.product_id
            );
            let notice = TransferFailedNotice {
                domain: &transfer.name,
                organization: &transfer.organization,
                reason: failure.reason(),
                remedy: failure.remedy(),
                link: &link,
                link_days: RESTART_LINK_DAYS,
            };
            for (address, first_name) in recipients {
                let email = messages::transfer_failed(&address, &first_name, &notice)?;
                crate::mail::store::enqueue(tx, &email, now).await?;
            }
        }
    }
    Ok(())
}

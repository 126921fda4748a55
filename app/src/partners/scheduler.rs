//! The scheduler's partner job (PAR-2): 14 days before a grant's end date both sides' legal
//! representatives are reminded, and at the date the access ends — logged in both
//! organizations and emailed to both sides. The job runs under its lease, and each reminder and
//! each ending updates only the row it read in that state, so two Steward processes do each
//! once. (The access itself lapses at the date whether or not the job has run: every read of
//! it compares the end date with the clock.)

use super::store;
use crate::activity::ActivityAction;
use crate::billing::scheduler::{self, scheduler};
use crate::db::Tx;
use crate::error::AppError;
use crate::mail::messages;
use crate::state::AppState;

pub const PARTNER_ACCESS: &str = "partner_access";

/// What one run did; `None` when another worker held the job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub reminded: usize,
    pub ended: usize,
}

pub async fn run(state: &AppState, worker: &str) -> Result<Option<Run>, AppError> {
    let now = state.now();
    if !scheduler::claim(state, PARTNER_ACCESS, worker, now).await? {
        return Ok(None);
    }
    let mut read = state.db.read().await?;
    let due = store::due_for_reminder(&mut read, now, super::END_REMINDER_SECONDS).await?;
    let past = store::past_their_end(&mut read, now).await?;
    read.commit().await?;
    let mut run = Run::default();
    for (id, partner_id, customer_id, until) in due {
        let mut tx = state.db.write().await?;
        if !store::mark_reminded(&mut tx, id, now).await? {
            continue;
        }
        let (partner, customer) = names(&mut tx, partner_id, customer_id).await?;
        let detail = format!(
            "{partner}'s access to {customer} ends on {}",
            crate::format::date(until - 1)
        );
        for organization in [partner_id, customer_id] {
            let action = ActivityAction::PartnerAccessEndReminded;
            super::log_unattended(&mut tx, &scheduler(), action, organization, &detail, now)
                .await?;
            super::tell_legal_representatives(&mut tx, organization, now, |to, first| {
                messages::partner_access_ending(to, first, &partner, &customer, until)
            })
            .await?;
        }
        tx.commit().await?;
        run.reminded += 1;
    }
    for (id, partner_id, customer_id) in past {
        let mut tx = state.db.write().await?;
        if !store::end(&mut tx, id, now).await? {
            continue;
        }
        let (partner, customer) = names(&mut tx, partner_id, customer_id).await?;
        let detail = format!("{partner}'s access to {customer} ended on its end date");
        for organization in [partner_id, customer_id] {
            let action = ActivityAction::PartnerAccessEnded;
            super::log_unattended(&mut tx, &scheduler(), action, organization, &detail, now)
                .await?;
            super::tell_legal_representatives(&mut tx, organization, now, |to, first| {
                messages::partner_access_ended(to, first, &partner, &customer, "its end date")
            })
            .await?;
        }
        tx.commit().await?;
        run.ended += 1;
    }
    scheduler::release(state, PARTNER_ACCESS, worker, now).await?;
    Ok(Some(run))
}

async fn names(
    tx: &mut Tx,
    partner_id: i64,
    customer_id: i64,
) -> Result<(String, String), AppError> {
    Ok((
        store::organization_name(tx, partner_id).await?,
        store::organization_name(tx, customer_id).await?,
    ))
}

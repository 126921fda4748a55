//! The background scheduler (BIL-6 now; renewals and the domain lifecycle next): periodic jobs
//! that any number of Steward processes run, each job by one process at a time (a lease on its
//! row in `scheduled_jobs`), and each effect once (a key per effect: a reminder sent is a row
//! of `expiry_reminders_sent`). Driven by the injectable clock, so tests advance time instead of
//! sleeping.

use super::{parse_reminder_days, store, DEFAULT_EXPIRY_REMINDER_DAYS, EXPIRY_REMINDER_MAX_DAYS};
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::error::AppError;
use crate::mail;
use crate::request::Origin;
use crate::state::AppState;

const DAY: i64 = 24 * 3600;
/// How long a claimed run may take before another process may take the job over.
pub const LEASE_SECONDS: i64 = 300;
pub const EXPIRY_REMINDERS: &str = "expiry_reminders";
/// The reminders every domain gets, on top of the organization's days: a month and a week.
pub const DOMAIN_REMINDER_DAYS: [i64; 2] = [30, 7];

/// Who the scheduler's log entries say acted.
pub fn scheduler() -> Origin {
    Origin {
        ip: "scheduler".into(),
        user_agent: "steward scheduler".into(),
        https: false,
    }
}

/// Claims `job` for `worker` until its lease ends, in a transaction of its own; `false` when
/// another worker holds it.
pub async fn claim(state: &AppState, job: &str, worker: &str, now: i64) -> Result<bool, AppError> {
    let mut tx = state.db.write().await?;
    let claimed = store::claim_job(&mut tx, job, worker, now, now + LEASE_SECONDS).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// Ends `worker`'s lease on `job`.
pub async fn release(state: &AppState, job: &str, worker: &str, now: i64) -> Result<(), AppError> {
    let mut tx = state.db.write().await?;
    store::release_job(&mut tx, job, worker, now).await?;
    tx.commit().await?;
    Ok(())
}

/// What one run did; `None` when another worker held the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub reminders: usize,
}

/// Sends the expiry reminders that have come due: for each product expiring within the largest
/// interval, the most urgent interval it has reached, once per product, expiry date and
/// interval (a reminder skipped because a later one came first — a product bought 10 days before
/// it expires gets the 7-day reminder, not the 30- and 14-day ones as well — is marked too).
pub async fn expiry_reminders(state: &AppState, worker: &str) -> Result<Option<Run>, AppError> {
    let now = state.now();
    if !claim(state, EXPIRY_REMINDERS, worker, now).await? {
        return Ok(None);
    }
    let mut tx = state.db.write().await?;
    let mut reminders = 0;
    for product in store::expiring(&mut tx, now, now + EXPIRY_REMINDER_MAX_DAYS * DAY).await? {
        let mut days = match &product.reminder_days {
            Some(text) => parse_reminder_days(&text.replace(',', " ")).unwrap_or_default(),
            None => DEFAULT_EXPIRY_REMINDER_DAYS.to_vec(),
        };
        if product.kind == crate::products::ProductKind::Domain.as_str() {
            // A domain is always reminded a month and a week before (PRD-4), whatever else the
            // organization chose.
            days.extend(DOMAIN_REMINDER_DAYS);
            days.sort_unstable();
            days.dedup();
        }
        let due: Vec<i64> = days
            .into_iter()
            .filter(|d| product.expires_at - d * DAY <= now)
            .collect();
        let Some(&most_urgent) = due.iter().min() else {
            continue;
        };
        let mut send = false;
        for days_before in &due {
            let new = store::mark_reminder(
                &mut tx,
                product.product_id,
                product.expires_at,
                *days_before,
                now,
            )
            .await?;
            send |= new && *days_before == most_urgent;
        }
        if !send {
            continue;
        }
        let days_left = (product.expires_at - now + DAY - 1) / DAY;
        let notice = mail::messages::ExpiryNotice {
            product: &product.product,
            kind: crate::products::ProductKind::parse(&product.kind)
                .map_or("Product", |k| k.label()),
            organization: &product.organization,
            organization_id: product.organization_id,
            product_id: product.product_id,
            days_left,
            expires_at: product.expires_at,
            base: &state.settings.public_url,
        };
        for (address, first_name) in
            store::billing_recipients(&mut tx, product.organization_id).await?
        {
            let email = mail::messages::product_expiring(&address, &first_name, &notice)?;
            mail::store::enqueue(&mut tx, &email, now).await?;
        }
        record(
            &mut tx,
            NewEntry {
                action: ActivityAction::ExpiryReminderSent,
                actor_user_id: None,
                organization_id: Some(product.organization_id),
                product_id: Some(product.product_id),
                detail: &format!("{most_urgent} days before expiry"),
                origin: &scheduler(),
                at: now,
            },
        )
        .await?;
        reminders += 1;
    }
    store::release_job(&mut tx, EXPIRY_REMINDERS, worker, now).await?;
    tx.commit().await?;
    Ok(Some(Run { reminders }))
}

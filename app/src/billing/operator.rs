//! What the operator does from the command line (`server record-transfer …`, see the README):
//! each writes its activity-log entry in the same transaction, like any change made in a page.

use super::ledger::{self, Booked, EntryKind, Event};
use super::{reference, store};
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::error::AppError;
use crate::money::Money;
use crate::request::Origin;
use crate::state::AppState;

/// Where an operator's change comes from, in the activity log.
fn command_line() -> Origin {
    Origin {
        ip: "command line".into(),
        user_agent: "steward operator command".into(),
        https: false,
    }
}

/// What recording a transfer did: to which organization, and whether it was new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub organization: String,
    pub booked: Booked,
}

/// An incoming bank transfer with an organization's reference, credited to its prepaid account.
/// `transfer_id` is the bank's own id of the transfer: recording the same one twice (a replayed
/// statement) credits once.
pub async fn record_transfer(
    state: &AppState,
    reference_text: &str,
    amount: Money,
    transfer_id: &str,
) -> Result<Recorded, AppError> {
    let organization_id = reference::organization_of(reference_text).ok_or_else(|| {
        AppError::validation(
            "reference",
            format!("\"{reference_text}\" is not a Steward payment reference (its check digits do not hold)."),
        )
    })?;
    let transfer_id = transfer_id.trim();
    if transfer_id.is_empty() || transfer_id.len() > 100 {
        return Err(AppError::validation(
            "transfer",
            "Give the bank's id of the transfer (1 to 100 characters): it keeps a transfer from being booked twice.",
        ));
    }
    let now = state.now();
    let mut tx = state.db.write().await?;
    let organization = store::organization_name(&mut tx, organization_id)
        .await?
        .ok_or_else(|| AppError::not_found("organization"))?;
    let booked = ledger::book(
        &mut tx,
        &Event {
            organization_id,
            kind: EntryKind::TopUp,
            amount,
            key: &format!("transfer:{transfer_id}"),
            reference: &format!("Bank transfer {transfer_id}"),
            at: now,
        },
    )
    .await?;
    if let Booked::New(_) = booked {
        record(
            &mut tx,
            NewEntry {
                action: ActivityAction::PrepaidTopUp,
                actor_user_id: None,
                organization_id: Some(organization_id),
                product_id: None,
                detail: &format!("{amount}, bank transfer {transfer_id}"),
                origin: &command_line(),
                at: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Recorded {
        organization,
        booked,
    })
}

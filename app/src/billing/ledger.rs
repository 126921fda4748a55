//! The prepaid account (BIL-3): a ledger, never a mutable balance. Every entry records one
//! event under that event's unique key (`transfer:REF`, `order:42:payment`, …), so booking the
//! same event again — a retried request, a second worker, a replayed bank statement — changes
//! nothing and answers with the entry already booked. A debit takes the account's lock first
//! and then reads the balance, so two debits racing for a balance that covers one succeed
//! exactly once; the balance never goes below zero.

use super::store::{self, NewEntry, StoredEntry};
use crate::db::Tx;
use crate::enums::stored;
use crate::error::{AppError, ErrorCode};
use crate::money::{Currency, Money};

stored! {
    /// What an entry records.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum EntryKind {
        /// Money paid in by bank transfer to the prepaid account.
        TopUp,
        /// The amount of an order cancelled while its bank transfer was under way, credited when
        /// the transfer arrived.
        OrderCredit,
        /// An order or a renewal paid from the balance.
        Payment,
        /// Money requested back to a bank account or PayPal address: reserved at once.
        Withdrawal,
        /// A withdrawal the operator could not complete, given back.
        Reversal,
        /// A partner's cashback on an order its customer paid (PAR-5).
        Cashback,
    }
}

impl EntryKind {
    /// Whether the entry adds to the balance (or takes from it).
    pub fn is_credit(self) -> bool {
        matches!(
            self,
            EntryKind::TopUp | EntryKind::OrderCredit | EntryKind::Reversal | EntryKind::Cashback
        )
    }
}

/// What booking an event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Booked {
    /// A new entry, with its id.
    New(i64),
    /// The event was booked before, as this entry: nothing changed.
    Already(i64),
}

impl Booked {
    pub fn id(self) -> i64 {
        match self {
            Booked::New(id) | Booked::Already(id) => id,
        }
    }
}

/// One event for the ledger: `amount` is positive; the kind says which way it goes.
pub struct Event<'a> {
    pub organization_id: i64,
    pub kind: EntryKind,
    pub amount: Money,
    /// Unique to the event it records.
    pub key: &'a str,
    /// What it is about, as shown to people (an order, an invoice, a transfer reference).
    pub reference: &'a str,
    pub at: i64,
}

/// Books `event` in the caller's transaction (with the change it belongs to). A debit is
/// refused with `insufficient_balance` when the balance does not cover it; a key booked
/// before answers [`Booked::Already`] — but only for the same account, kind and amount.
pub async fn book(tx: &mut Tx, event: &Event<'_>) -> Result<Booked, AppError> {
    if event.amount.minor <= 0 {
        return Err(AppError::validation(
            "amount",
            "An amount must be more than zero.",
        ));
    }
    let signed = if event.kind.is_credit() {
        event.amount
    } else {
        Money::new(-event.amount.minor, event.amount.currency)
    };
    if !event.kind.is_credit() {
        store::lock_account(tx, event.organization_id, event.amount.currency, event.at).await?;
    }
    if let Some(found) = store::by_key(tx, event.key).await? {
        return already(&found, event, signed);
    }
    if !event.kind.is_credit() {
        let balance = store::balance(tx, event.organization_id, event.amount.currency).await?;
        if balance.minor < event.amount.minor {
            return Err(AppError::new(
                ErrorCode::InsufficientBalance,
                format!(
                    "The prepaid balance ({balance}) does not cover {}.",
                    event.amount
                ),
            ));
        }
    }
    let inserted = store::insert(
        tx,
        &NewEntry {
            organization_id: event.organization_id,
            amount: signed,
            kind: event.kind.as_str(),
            key: event.key,
            reference: event.reference,
            at: event.at,
        },
    )
    .await?;
    match inserted {
        Some(id) => Ok(Booked::New(id)),
        // Booked by a concurrent transaction since we looked (a credit takes no lock).
        None => match store::by_key(tx, event.key).await? {
            Some(found) => already(&found, event, signed),
            None => Err(AppError::internal()),
        },
    }
}

fn already(found: &StoredEntry, event: &Event<'_>, signed: Money) -> Result<Booked, AppError> {
    if found.organization_id != event.organization_id
        || found.amount != signed
        || found.kind != event.kind.as_str()
    {
        tracing::error!(
            key = event.key,
            "one event key, two different ledger entries"
        );
        return Err(AppError::internal());
    }
    Ok(Booked::Already(found.id))
}

pub async fn balance(
    tx: &mut Tx,
    organization_id: i64,
    currency: Currency,
) -> Result<Money, AppError> {
    Ok(store::balance(tx, organization_id, currency).await?)
}

pub async fn entries(
    tx: &mut Tx,
    organization_id: i64,
    currency: Currency,
) -> Result<Vec<StoredEntry>, AppError> {
    Ok(store::entries(tx, organization_id, currency).await?)
}

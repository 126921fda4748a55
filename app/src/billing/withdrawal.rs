//! Money requested back from the prepaid account (BIL-3): to a bank account (the IBAN checked —
//! its country's length and format and its mod-97 check digits, with `iban_validate`) or a
//! PayPal address. The request reserves the amount at once with a withdrawal entry of the
//! ledger (a debit: it takes the account's lock and is refused when the balance does not cover
//! it); the operator then pays it out (`server complete-withdrawal`) or gives it back
//! (`server reverse-withdrawal`, a reversal entry). Each step writes its activity-log entry in
//! its transaction.

use super::ledger::{self, EntryKind, Event};
use super::store::{self, NewWithdrawal};
use super::{Withdrawal, WithdrawalMethod, WithdrawalStatus};
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::db::Tx;
use crate::error::AppError;
use crate::money::{Currency, Money};
use crate::request::Origin;
use crate::state::AppState;
use iban::IbanLike;

pub const HOLDER_MAX_CHARS: usize = 100;

/// The destination as typed, checked: an IBAN in its electronic form (`CH9300762011623852957`)
/// or a PayPal address (an email address).
pub fn check_destination(method: WithdrawalMethod, raw: &str) -> Result<String, AppError> {
    match method {
        WithdrawalMethod::BankAccount => {
            let compact: String = raw
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase();
            match compact.parse::<iban::Iban>() {
                Ok(iban) => Ok(iban.electronic_str().to_owned()),
                Err(iban::ParseIbanError::InvalidBaseIban {
                    source: iban::ParseBaseIbanError::InvalidChecksum,
                }) => Err(AppError::validation(
                    "destination",
                    "This IBAN's check digits do not match: a character is wrong or missing. Copy it from a bank statement.",
                )),
                Err(_) => Err(AppError::validation(
                    "destination",
                    "This is not an IBAN: it starts with two letters and two digits, like CH93 0076 2011 6238 5295 7, and its length depends on the country.",
                )),
            }
        }
        WithdrawalMethod::PayPal => crate::mail::normalize_email(raw).map_err(|_| {
            AppError::validation(
                "destination",
                "Enter the email address of the PayPal account, like name@example.com.",
            )
        }),
    }
}

/// A request as typed, checked.
pub struct Request {
    pub amount: Money,
    pub method: WithdrawalMethod,
    pub destination: String,
    pub holder: String,
}

impl Request {
    pub fn check(
        currency: &str,
        amount: &str,
        method: &str,
        destination: &str,
        holder: &str,
    ) -> Result<Request, AppError> {
        let currency = Currency::parse(currency)
            .ok_or_else(|| AppError::validation("currency", "Choose CHF or EUR."))?;
        let amount = Money::parse(amount.trim(), currency)
            .ok()
            .filter(|m| m.minor > 0)
            .ok_or_else(|| {
                AppError::validation(
                    "amount",
                    "Write the amount like 120.50: more than zero, at most two decimals.",
                )
            })?;
        let method = WithdrawalMethod::parse(method)
            .ok_or_else(|| AppError::validation("method", "Choose a bank account or PayPal."))?;
        let destination = check_destination(method, destination)?;
        let holder = holder.trim().to_owned();
        if holder.is_empty()
            || holder.chars().count() > HOLDER_MAX_CHARS
            || holder.chars().any(char::is_control)
        {
            return Err(AppError::validation(
                "holder",
                format!("Enter the account holder's name (at most {HOLDER_MAX_CHARS} characters)."),
            ));
        }
        Ok(Request {
            amount,
            method,
            destination,
            holder,
        })
    }
}

/// Records the request and reserves its amount, in the caller's transaction (which also
/// writes the log entry). Refused with `insufficient_balance` when the balance does not cover
/// it, and then nothing is written.
pub async fn request(
    tx: &mut Tx,
    organization_id: i64,
    requested_by: i64,
    request: &Request,
    now: i64,
) -> Result<i64, AppError> {
    let id = store::insert_withdrawal(
        tx,
        &NewWithdrawal {
            organization_id,
            amount: request.amount,
            method: request.method.as_str(),
            destination: &request.destination,
            holder: &request.holder,
            requested_by,
            at: now,
        },
    )
    .await?;
    ledger::book(
        tx,
        &Event {
            organization_id,
            kind: EntryKind::Withdrawal,
            amount: request.amount,
            key: &format!("withdrawal:{id}"),
            reference: &format!(
                "Withdrawal {id} to {}",
                request.method.shown(&request.destination)
            ),
            at: now,
        },
    )
    .await?;
    Ok(id)
}

fn command_line() -> Origin {
    Origin {
        ip: "command line".into(),
        user_agent: "steward operator command".into(),
        https: false,
    }
}

/// The operator paid the withdrawal out (`complete`) or could not (`reverse`, the amount goes
/// back to the prepaid account with `note` saying why).
pub async fn settle(
    state: &AppState,
    withdrawal_id: i64,
    outcome: WithdrawalStatus,
    note: &str,
) -> Result<Withdrawal, AppError> {
    let now = state.now();
    let note = note.trim();
    if note.chars().count() > 200 || note.chars().any(char::is_control) {
        return Err(AppError::validation(
            "reason",
            "Say why in at most 200 characters, on one line.",
        ));
    }
    let mut tx = state.db.write().await?;
    let (organization_id, withdrawal) = store::withdrawal(&mut tx, withdrawal_id)
        .await?
        .ok_or_else(|| AppError::not_found("withdrawal"))?;
    if withdrawal.status != WithdrawalStatus::Requested {
        return Err(AppError::validation(
            "id",
            format!(
                "Withdrawal {withdrawal_id} is settled already ({}).",
                withdrawal.status.label().to_lowercase()
            ),
        ));
    }
    if !store::settle_withdrawal(&mut tx, withdrawal_id, outcome, note, now).await? {
        return Err(AppError::stale());
    }
    let action = match outcome {
        WithdrawalStatus::Reversed => {
            ledger::book(
                &mut tx,
                &Event {
                    organization_id,
                    kind: EntryKind::Reversal,
                    amount: withdrawal.amount,
                    key: &format!("withdrawal:{withdrawal_id}:reversal"),
                    reference: &format!("Withdrawal {withdrawal_id} given back: {note}"),
                    at: now,
                },
            )
            .await?;
            ActivityAction::WithdrawalReversed
        }
        _ => ActivityAction::WithdrawalCompleted,
    };
    record(
        &mut tx,
        NewEntry {
            action,
            actor_user_id: None,
            organization_id: Some(organization_id),
            product_id: None,
            detail: &format!(
                "Withdrawal {withdrawal_id}: {} to {}{}",
                withdrawal.amount,
                withdrawal.destination,
                if note.is_empty() {
                    String::new()
                } else {
                    format!(" ({note})")
                }
            ),
            origin: &command_line(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Withdrawal {
        status: outcome,
        settled_at: Some(now),
        note: note.to_owned(),
        ..withdrawal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_is_checked_by_its_country_and_its_check_digits() {
        let ok = check_destination(
            WithdrawalMethod::BankAccount,
            " ch93 0076 2011 6238 5295 7 ",
        );
        assert_eq!(ok.as_deref(), Ok("CH9300762011623852957"));
        assert_eq!(
            check_destination(WithdrawalMethod::BankAccount, "DE89 3704 0044 0532 0130 00")
                .as_deref(),
            Ok("DE89370400440532013000")
        );
        // One digit changed: the check digits catch it.
        let typo = check_destination(WithdrawalMethod::BankAccount, "CH93 0076 2011 6238 5295 8")
            .expect_err("typo");
        assert!(typo.message.contains("check digits"), "{}", typo.message);
        // Too short for Switzerland, and not an IBAN at all.
        for wrong in ["CH93 0076 2011 6238 5295", "hello", ""] {
            let error = check_destination(WithdrawalMethod::BankAccount, wrong).expect_err(wrong);
            assert_eq!(error.field.as_deref(), Some("destination"), "{wrong}");
        }
        assert_eq!(
            check_destination(WithdrawalMethod::PayPal, " Pay@Example.com ").as_deref(),
            Ok("pay@example.com")
        );
        assert!(check_destination(WithdrawalMethod::PayPal, "not an address").is_err());
        assert_eq!(
            WithdrawalMethod::BankAccount.shown("CH9300762011623852957"),
            "CH93 0076 2011 6238 5295 7"
        );
    }

    #[test]
    fn a_request_is_an_amount_a_destination_and_a_holder() {
        let ok = Request::check(
            "CHF",
            "120.50",
            "bank_account",
            "CH9300762011623852957",
            " Lea ",
        )
        .expect("valid");
        assert_eq!(
            (ok.amount, ok.holder.as_str()),
            (Money::new(120_50, Currency::Chf), "Lea")
        );
        for (amount, method, holder, field) in [
            ("0", "bank_account", "Lea", "amount"),
            ("-5", "bank_account", "Lea", "amount"),
            ("1.234", "bank_account", "Lea", "amount"),
            ("10", "cash", "Lea", "method"),
            ("10", "bank_account", "", "holder"),
        ] {
            let error = Request::check("CHF", amount, method, "CH9300762011623852957", holder)
                .err()
                .expect(field);
            assert_eq!(error.field.as_deref(), Some(field));
        }
    }
}

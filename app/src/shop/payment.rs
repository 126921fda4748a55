//! How an order is paid (BIL-3): a payment provider takes an order's total and says whether it
//! is paid now or waits, and what a payer must quote. Steward ships three, none needing the
//! internet — the prepaid balance (a ledger debit, now), the bank transfer (waits for the
//! transfer carrying the order's ISO 11649 reference, recorded by the operator), and "nothing
//! to pay". A card provider would be one more implementation: its `collect` would start the
//! payment at the provider and answer `Waiting`, and its confirmation would pay the order the
//! way a recorded bank transfer does (`checkout::record_order_transfer`).

use super::Payment;
use crate::billing::ledger::{self, EntryKind, Event};
use crate::billing::reference;
use crate::db::Tx;
use crate::error::AppError;
use crate::money::Money;
use futures::future::BoxFuture;

/// The order a provider is asked to collect.
pub struct Charge<'a> {
    pub organization_id: i64,
    pub order_id: i64,
    pub total: Money,
    /// The invoice's number, for the payer's statement.
    pub invoice: &'a str,
    pub at: i64,
}

/// What collecting did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Collected {
    /// Paid now: the order is carried out in the same transaction.
    Paid,
    /// The money comes later; the order waits.
    Waiting,
}

pub trait PaymentProvider: Send + Sync {
    fn payment(&self) -> Payment;

    /// What the payer must quote with the payment (printed on the invoice), if anything.
    fn reference(&self, order_id: i64) -> String;

    /// Collects `charge` in the caller's transaction (refusing leaves it to be rolled back).
    fn collect<'a>(
        &'a self,
        tx: &'a mut Tx,
        charge: &'a Charge<'a>,
    ) -> BoxFuture<'a, Result<Collected, AppError>>;
}

/// From the prepaid account: a debit under the account's lock, refused with
/// `insufficient_balance` when the balance does not cover it.
pub struct PrepaidBalance;

impl PaymentProvider for PrepaidBalance {
    fn payment(&self) -> Payment {
        Payment::Prepaid
    }

    fn reference(&self, _order_id: i64) -> String {
        String::new()
    }

    fn collect<'a>(
        &'a self,
        tx: &'a mut Tx,
        charge: &'a Charge<'a>,
    ) -> BoxFuture<'a, Result<Collected, AppError>> {
        Box::pin(async move {
            ledger::book(
                tx,
                &Event {
                    organization_id: charge.organization_id,
                    kind: EntryKind::Payment,
                    amount: charge.total,
                    key: &format!("order:{}:payment", charge.order_id),
                    reference: &format!("Order {}, invoice {}", charge.order_id, charge.invoice),
                    at: charge.at,
                },
            )
            .await?;
            Ok(Collected::Paid)
        })
    }
}

/// By bank transfer: the order waits for a transfer with its own reference.
pub struct BankTransfer;

impl PaymentProvider for BankTransfer {
    fn payment(&self) -> Payment {
        Payment::BankTransfer
    }

    fn reference(&self, order_id: i64) -> String {
        reference::for_order(order_id)
    }

    fn collect<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _charge: &'a Charge<'a>,
    ) -> BoxFuture<'a, Result<Collected, AppError>> {
        Box::pin(async { Ok(Collected::Waiting) })
    }
}

/// A total of zero (a 100 % promo code, a free offer): paid as it is placed.
pub struct NothingToPay;

impl PaymentProvider for NothingToPay {
    fn payment(&self) -> Payment {
        Payment::Nothing
    }

    fn reference(&self, _order_id: i64) -> String {
        String::new()
    }

    fn collect<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _charge: &'a Charge<'a>,
    ) -> BoxFuture<'a, Result<Collected, AppError>> {
        Box::pin(async { Ok(Collected::Paid) })
    }
}

/// The provider of a payment method.
pub fn provider(payment: Payment) -> &'static dyn PaymentProvider {
    match payment {
        Payment::Prepaid => &PrepaidBalance,
        Payment::BankTransfer => &BankTransfer,
        Payment::Nothing => &NothingToPay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_has_its_provider_and_only_a_transfer_has_a_reference() {
        for payment in [Payment::Prepaid, Payment::BankTransfer, Payment::Nothing] {
            assert_eq!(provider(payment).payment(), payment);
        }
        assert!(provider(Payment::BankTransfer)
            .reference(17)
            .starts_with("RF"));
        assert_eq!(provider(Payment::Prepaid).reference(17), "");
        assert_eq!(provider(Payment::Nothing).reference(17), "");
    }
}

//! Automatic renewal (BIL-2, BIL-4), a job of the scheduler: a product whose automatic renewal
//! is on gets a reminder 14 days before it expires (when the organization wants them), and at
//! expiry renews itself for one period — an order with its invoice, paid from the prepaid
//! balance, written by the same code as a checkout — followed by the confirmation (when wanted).
//! A renewal that cannot be paid (the balance is short, no billing address) is said at once to
//! those who see billing, whatever their switches: the product is about to lapse. Each step is a
//! key (product, expiry date, step) inserted once, and the job runs under its lease, so two
//! Steward processes do each renewal once.

use super::checkout::{self, Actor, OrderToWrite};
use super::quote::{self, Line};
use super::store::{self, AutoRenewing};
use super::Payment;
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::billing::scheduler::{self, scheduler};
use crate::billing::{catalogue, Notice};
use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::mail::messages::{self, RenewalNotice};
use crate::money::{Currency, Money};
use crate::state::AppState;

pub const RENEWALS: &str = "renewals";
/// The reminder before an automatic renewal.
pub const REMINDER_DAYS: i64 = 14;
const DAY: i64 = 24 * 3600;

/// What one run did; `None` when another worker held the job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub reminders: usize,
    pub renewed: usize,
    pub failed: usize,
}

/// The renewal of `product` for one period, as a cart line.
fn line(product: &AutoRenewing) -> Line {
    Line {
        id: 0,
        kind: product.kind,
        plan: "standard".into(),
        name: product.name.clone(),
        product_id: Some(product.product_id),
        purpose: super::Purpose::Renewal,
        quantity: 1,
        periods: 1,
        promo: None,
        free_offer_id: None,
        auth_code: String::new(),
    }
}

/// The price list a renewal uses: the currency of the organization's latest order (so an
/// organization that buys in euros renews in euros, from its euro balance), francs when it has
/// ordered nothing yet.
async fn currency_of(tx: &mut Tx, organization_id: i64) -> Result<Currency, AppError> {
    Ok(crate::products::store::billing_currency(tx, organization_id).await?)
}

pub async fn renewals(state: &AppState, worker: &str) -> Result<Option<Run>, AppError> {
    let now = state.now();
    if !scheduler::claim(state, RENEWALS, worker, now).await? {
        return Ok(None);
    }
    let mut run = Run::default();
    let mut read = state.db.read().await?;
    let due = store::auto_renewing(&mut read, now + REMINDER_DAYS * DAY).await?;
    read.commit().await?;
    for product in due {
        if product.expires_at > now {
            if remind(state, &product, now).await? {
                run.reminders += 1;
            }
            continue;
        }
        // Each renewal in a transaction of its own: one that cannot be paid leaves the others.
        let mut tx = state.db.write().await?;
        if !store::mark_renewal_step(
            &mut tx,
            product.product_id,
            product.expires_at,
            "renewal",
            now,
        )
        .await?
        {
            continue;
        }
        match renew(state, &mut tx, &product, now, Payment::Prepaid).await {
            Ok(()) => {
                tx.commit().await?;
                run.renewed += 1;
            }
            Err(error) if error.code == ErrorCode::Internal => return Err(error),
            Err(error) if error.code == ErrorCode::InsufficientBalance && product.warranty => {
                // Under renewal warranty the domain is renewed anyway: its invoice waits for a
                // bank transfer.
                drop(tx);
                let mut tx = state.db.write().await?;
                if store::mark_renewal_step(
                    &mut tx,
                    product.product_id,
                    product.expires_at,
                    "renewal",
                    now,
                )
                .await?
                {
                    match renew(state, &mut tx, &product, now, Payment::BankTransfer).await {
                        Ok(()) => {
                            tx.commit().await?;
                            run.renewed += 1;
                        }
                        Err(error) if error.code == ErrorCode::Internal => return Err(error),
                        Err(error) => {
                            drop(tx);
                            fail(state, &product, &error.message, now).await?;
                            run.failed += 1;
                        }
                    }
                }
            }
            Err(error) => {
                drop(tx);
                fail(state, &product, &error.message, now).await?;
                run.failed += 1;
            }
        }
    }
    scheduler::release(state, RENEWALS, worker, now).await?;
    Ok(Some(run))
}

fn notice<'a>(
    state: &'a AppState,
    product: &'a AutoRenewing,
    date: i64,
    total: Money,
) -> RenewalNotice<'a> {
    RenewalNotice {
        product: &product.name,
        kind: product.kind.label(),
        organization: &product.organization,
        organization_id: product.organization_id,
        date,
        total,
        base: &state.settings.public_url,
    }
}

async fn log(
    tx: &mut Tx,
    action: ActivityAction,
    product: &AutoRenewing,
    detail: &str,
    now: i64,
) -> Result<(), AppError> {
    record(
        tx,
        NewEntry {
            action,
            actor_user_id: None,
            organization_id: Some(product.organization_id),
            product_id: Some(product.product_id),
            detail,
            origin: &scheduler(),
            at: now,
        },
    )
    .await?;
    Ok(())
}

/// The reminder 14 days before, once; `true` when it was sent now.
async fn remind(state: &AppState, product: &AutoRenewing, now: i64) -> Result<bool, AppError> {
    let mut tx = state.db.write().await?;
    if !store::mark_renewal_step(
        &mut tx,
        product.product_id,
        product.expires_at,
        "reminder",
        now,
    )
    .await?
    {
        return Ok(false);
    }
    let wanted = crate::billing::store::notifications(&mut tx, product.organization_id)
        .await?
        .is_on(Notice::RenewalReminder);
    if wanted {
        let currency = currency_of(&mut tx, product.organization_id).await?;
        let quote = quote::quote(
            catalogue::current(),
            crate::products::domain::current(),
            currency,
            &[line(product)],
            &[],
            &quote::public,
            now,
        )
        .map_err(|e| AppError::validation("price", e.to_string()))?;
        let notice = notice(state, product, product.expires_at, quote.total);
        for (address, first_name) in
            crate::billing::store::billing_recipients(&mut tx, product.organization_id).await?
        {
            let email = messages::renewal_reminder(&address, &first_name, &notice)?;
            crate::mail::store::enqueue(&mut tx, &email, now).await?;
        }
        log(
            &mut tx,
            ActivityAction::RenewalReminderSent,
            product,
            &format!(
                "{}: renews itself on {} for {}",
                product.name,
                crate::format::date(product.expires_at),
                quote.total
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(wanted)
}

/// The renewal itself, in `tx`: the order (paid from the balance — or, for a domain under
/// renewal warranty whose balance is short, by a bank transfer still to come), its invoice, the
/// new expiry, the emails the organization wants.
async fn renew(
    state: &AppState,
    tx: &mut Tx,
    product: &AutoRenewing,
    now: i64,
    payment: Payment,
) -> Result<(), AppError> {
    // The address chosen for this product's renewals (BIL-1), else the default one.
    let addresses = crate::billing::store::addresses(tx, product.organization_id).await?;
    let address = addresses
        .iter()
        .find(|a| Some(a.id) == product.billing_address_id)
        .or_else(|| addresses.iter().find(|a| a.is_default))
        .or(addresses.first())
        .ok_or_else(|| {
            AppError::validation(
                "address_id",
                "the organization has no billing address for its invoice.",
            )
        })?;
    let lines = [line(product)];
    let currency = currency_of(tx, product.organization_id).await?;
    let quote = quote::quote(
        catalogue::current(),
        crate::products::domain::current(),
        currency,
        &lines,
        &[],
        &quote::public,
        now,
    )
    .map_err(|e| AppError::validation("price", e.to_string()))?;
    if let Some(problem) = quote.lines.iter().find_map(|l| l.problem.clone()) {
        return Err(AppError::validation("price", problem));
    }
    let origin = scheduler();
    let actor = Actor {
        user_id: None,
        origin: &origin,
        now,
    };
    let key = format!("renewal:{}:{}", product.product_id, product.expires_at);
    let written = checkout::write_order(
        tx,
        &OrderToWrite {
            organization_id: product.organization_id,
            organization_name: &product.organization,
            lines: &lines,
            offers: &[],
            quote: &quote,
            address,
            payment: if quote.total.minor == 0 {
                Payment::Nothing
            } else {
                payment
            },
            key: &key,
            placed_by: None,
            grant_to: None,
            paid_by: None,
        },
        &actor,
    )
    .await
    .map_err(|error| match error.code {
        ErrorCode::InsufficientBalance => AppError::new(
            ErrorCode::InsufficientBalance,
            format!(
                "{} Top up the prepaid account, or renew it from the shop.",
                error.message
            ),
        ),
        _ => error,
    })?;
    if written.status == super::OrderStatus::AwaitingPayment {
        // Carried out now; the transfer, when it comes, pays the invoice without renewing again.
        if let Some(line) = store::order_lines(tx, written.order_id).await?.first() {
            store::carry_out(tx, written.order_id, 0, now).await?;
            checkout::carry_out(
                tx,
                written.order_id,
                product.organization_id,
                &product.organization,
                None,
                line,
                &actor,
            )
            .await?;
        }
    }
    let settings = crate::billing::store::notifications(tx, product.organization_id).await?;
    let until = store::product_expiry(tx, product.organization_id, product.product_id)
        .await?
        .flatten()
        .unwrap_or(product.expires_at);
    let notice = notice(state, product, until, quote.total);
    let recipients = crate::billing::store::billing_recipients(tx, product.organization_id).await?;
    let items = [checkout::item_text(
        &format!("Renewal of {} {}", product.kind.label(), product.name),
        1,
        &quote.lines[0].period,
        1,
    )];
    let invoice = messages::OrderNotice {
        organization: &product.organization,
        organization_id: product.organization_id,
        invoice: &written.number_text,
        total: quote.total,
        payment: payment.label(),
        reference: &written.payment_reference,
        items: &items,
        base: &state.settings.public_url,
    };
    for (address, first_name) in &recipients {
        // The confirmation names the invoice; without it, the invoice email when wanted.
        let email = if settings.is_on(Notice::RenewalConfirmation) {
            messages::renewal_done(address, first_name, &notice, &written.number_text)?
        } else if settings.is_on(Notice::InvoiceIssued) {
            messages::invoice_issued(address, first_name, &invoice)?
        } else {
            continue;
        };
        crate::mail::store::enqueue(tx, &email, now).await?;
    }
    Ok(())
}

/// A renewal that could not be paid: said to those who see billing, and logged, once.
async fn fail(
    state: &AppState,
    product: &AutoRenewing,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = state.db.write().await?;
    if !store::mark_renewal_step(
        &mut tx,
        product.product_id,
        product.expires_at,
        "renewal",
        now,
    )
    .await?
    {
        return Ok(());
    }
    let notice = notice(
        state,
        product,
        product.expires_at,
        Money::zero(Currency::Chf),
    );
    for (address, first_name) in
        crate::billing::store::billing_recipients(&mut tx, product.organization_id).await?
    {
        let email = messages::renewal_failed(&address, &first_name, &notice, reason)?;
        crate::mail::store::enqueue(&mut tx, &email, now).await?;
    }
    log(
        &mut tx,
        ActivityAction::RenewalFailed,
        product,
        &format!("{}: {reason}", product.name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

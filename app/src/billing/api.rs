//! The server functions of billing: the prepaid account (BIL-3) and billing addresses (BIL-1).

use super::{BillingAddress, NotificationSettings, PaymentSlip, PrepaidStatement};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// The organization's prepaid account: its balance and every entry, per currency. For those
/// who may use billing (legal representatives, administrators, collaborators with billing
/// rights on a product).
#[server(endpoint = "prepaid_account")]
pub async fn prepaid_account(organization_id: i64) -> Result<PrepaidStatement, AppError> {
    PrepaidAccount::serve(|cx| async move {
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let mut currencies = Vec::new();
        for currency in Currency::ALL {
            let entries = ledger::entries(&mut tx, organization_id, currency).await?;
            if entries.is_empty() {
                continue;
            }
            currencies.push(CurrencyStatement {
                balance: ledger::balance(&mut tx, organization_id, currency).await?,
                entries: entries
                    .into_iter()
                    .map(|e| LedgerLine {
                        id: e.id,
                        at: e.created_at,
                        kind: kind_label(&e.kind).to_owned(),
                        reference: e.reference,
                        amount: e.amount,
                    })
                    .collect(),
            });
        }
        let withdrawals = store::withdrawals(&mut tx, organization_id).await?;
        tx.commit().await?;
        if currencies.is_empty() {
            currencies.push(CurrencyStatement {
                balance: Money::zero(Currency::Chf),
                entries: Vec::new(),
            });
        }
        let may_withdraw = membership.may(crate::policy::Action::WithdrawMoney);
        let slip = slip(Payee::Organization(organization_id), Currency::Chf, None)?;
        Ok(PrepaidStatement {
            slip,
            organization: membership.name,
            reference: super::reference::for_organization(organization_id),
            currencies,
            withdrawals,
            may_withdraw,
        })
    })
    .await
}

/// The top-up slip for an amount of the payer's choosing (`amount` empty) or a given one: the
/// beneficiary, the account, the reference and the Swiss QR-bill.
#[server(endpoint = "top_up_slip")]
pub async fn top_up_slip(
    organization_id: i64,
    currency: String,
    amount: String,
) -> Result<PaymentSlip, AppError> {
    TopUpSlip::serve(|cx| async move {
        let (tx, _) = cx.read_in(organization_id).await?;
        tx.commit().await?;
        let (currency, amount) = top_up(&currency, &amount)?;
        slip(Payee::Organization(organization_id), currency, amount)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "No bank account is set up for transfers on this installation: ask its operator.",
            )
        })
    })
    .await
}

/// The organization's billing addresses, the default first.
#[server(endpoint = "billing_addresses")]
pub async fn billing_addresses(organization_id: i64) -> Result<Vec<BillingAddress>, AppError> {
    BillingAddresses::serve(|cx| async move {
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let addresses = store::addresses(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(addresses)
    })
    .await
}

/// Adds a billing address; the organization's first becomes its default.
#[server(endpoint = "add_billing_address")]
#[allow(clippy::too_many_arguments)]
pub async fn add_billing_address(
    organization_id: i64,
    name: String,
    company: String,
    street: String,
    postal_code: String,
    city: String,
    country: String,
    vat_number: String,
) -> Result<i64, AppError> {
    AddBillingAddress::serve(|cx| async move {
        let input = input([
            name,
            company,
            street,
            postal_code,
            city,
            country,
            vat_number,
        ])?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let first = store::addresses(&mut tx, organization_id).await?.is_empty();
        let id = store::insert_address(&mut tx, organization_id, &input, first, cx.now()).await?;
        logged(
            &cx,
            tx,
            ActivityAction::BillingAddressAdded,
            organization_id,
            (&input.name, &input.postal_code, &input.city),
        )
        .await?;
        Ok(id)
    })
    .await
}

/// Changes a billing address, unless someone saved it since `version`.
#[server(endpoint = "update_billing_address")]
#[allow(clippy::too_many_arguments)]
pub async fn update_billing_address(
    organization_id: i64,
    address_id: i64,
    name: String,
    company: String,
    street: String,
    postal_code: String,
    city: String,
    country: String,
    vat_number: String,
    version: i64,
) -> Result<(), AppError> {
    UpdateBillingAddress::serve(|cx| async move {
        let input = input([
            name,
            company,
            street,
            postal_code,
            city,
            country,
            vat_number,
        ])?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        found(&mut tx, organization_id, address_id).await?;
        if !store::update_address_if(&mut tx, organization_id, address_id, &input, version).await? {
            return Err(AppError::stale());
        }
        logged(
            &cx,
            tx,
            ActivityAction::BillingAddressChanged,
            organization_id,
            (&input.name, &input.postal_code, &input.city),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Makes this address the one proposed at checkout and at each renewal.
#[server(endpoint = "set_default_billing_address")]
pub async fn set_default_billing_address(
    organization_id: i64,
    address_id: i64,
) -> Result<(), AppError> {
    SetDefaultBillingAddress::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let address = found(&mut tx, organization_id, address_id).await?;
        if address.is_default {
            return Err(AppError::validation(
                "address_id",
                "This is already the default address.",
            ));
        }
        store::set_default_address(&mut tx, organization_id, address_id).await?;
        logged(
            &cx,
            tx,
            ActivityAction::BillingAddressMadeDefault,
            organization_id,
            (&address.name, &address.postal_code, &address.city),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Deletes a billing address; the default one only when it is the last.
#[server(endpoint = "delete_billing_address")]
pub async fn delete_billing_address(organization_id: i64, address_id: i64) -> Result<(), AppError> {
    DeleteBillingAddress::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let address = found(&mut tx, organization_id, address_id).await?;
        if address.is_default && store::addresses(&mut tx, organization_id).await?.len() > 1 {
            return Err(AppError::new(
                ErrorCode::Validation,
                "This is the default address: make another one the default first.",
            ));
        }
        store::delete_address(&mut tx, organization_id, address_id).await?;
        logged(
            &cx,
            tx,
            ActivityAction::BillingAddressDeleted,
            organization_id,
            (&address.name, &address.postal_code, &address.city),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Requests `amount` of the prepaid balance back to a bank account (`method` "bank_account",
/// `destination` an IBAN) or a PayPal address ("paypal"); reserved at once, paid out by the
/// operator. Asks for a recent "confirm it's you": money leaves the organization.
#[server(endpoint = "request_withdrawal")]
pub async fn request_withdrawal(
    organization_id: i64,
    currency: String,
    amount: String,
    method: String,
    destination: String,
    holder: String,
) -> Result<i64, AppError> {
    RequestWithdrawal::serve(|cx| async move {
        use super::withdrawal::{self, Request};
        let request = Request::check(&currency, &amount, &method, &destination, &holder)?;
        let account = cx.account()?.clone();
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        let id =
            withdrawal::request(&mut tx, organization_id, account.id, &request, cx.now()).await?;
        let to = format!(
            "{} {}",
            request.method.label(),
            request.method.shown(&request.destination)
        );
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::WithdrawalRequested,
                organization_id,
                &format!("Withdrawal {id}: {} to {to}", request.amount),
            ),
        )
        .await?;
        // Everyone who answers for the organization's money hears of it, the requester too.
        let requester = account.full_name();
        for (email, first_name, user_id) in store::owners(&mut tx, organization_id).await? {
            let by = (user_id != account.id).then_some(requester.as_str());
            let message = crate::mail::messages::withdrawal_requested(
                &email,
                &first_name,
                by,
                &membership.name,
                &request.amount.to_string(),
                &to,
            )?;
            crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Which billing emails the organization gets, and its expiry reminders.
#[server(endpoint = "billing_notifications")]
pub async fn billing_notifications(organization_id: i64) -> Result<NotificationSettings, AppError> {
    BillingNotifications::serve(|cx| async move {
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let notifications = store::notifications(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(notifications)
    })
    .await
}

/// Turns one billing email (`Notice::as_str`) on or off, saved at once.
#[server(endpoint = "set_billing_notification")]
pub async fn set_billing_notification(
    organization_id: i64,
    notice: String,
    on: bool,
) -> Result<(), AppError> {
    SetBillingNotification::serve(|cx| async move {
        let notice = Notice::parse(&notice)
            .ok_or_else(|| AppError::validation("notice", "Choose an email from the list."))?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        store::set_notice(&mut tx, organization_id, notice, on, cx.now()).await?;
        let detail = format!("{}: {}", notice.label(), if on { "on" } else { "off" });
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::BillingNotificationChanged,
                organization_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// How many days before a product expires the organization is reminded ("30, 14, 7").
#[server(endpoint = "set_expiry_reminders")]
pub async fn set_expiry_reminders(
    organization_id: i64,
    days: String,
) -> Result<Vec<i64>, AppError> {
    SetExpiryReminders::serve(|cx| async move {
        let days = parse_reminder_days(&days)?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        store::set_expiry_reminder_days(&mut tx, organization_id, &days, cx.now()).await?;
        let detail = if days.is_empty() {
            "none".to_owned()
        } else {
            days.iter()
                .map(|d| format!("{d} days"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::ExpiryRemindersChanged,
                organization_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(days)
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub(super) use super::super::{
        kind_label, ledger, parse_reminder_days, store, AddressInput, BillingAddress,
        CurrencyStatement, LedgerLine, Notice, PaymentSlip,
    };
    pub(super) use crate::access::{Context, Log};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};
    pub(super) use crate::money::{Currency, Money};

    /// Whom a bank transfer pays: a prepaid account, or one order.
    #[derive(Clone, Copy, Debug)]
    pub enum Payee {
        Organization(i64),
        Order(i64),
    }

    /// The bill a transfer to `payee` follows, from the operator's bank account; `None` when
    /// the catalogue names none.
    pub fn bill(
        payee: Payee,
        currency: Currency,
        amount: Option<Money>,
    ) -> Option<super::super::qr_bill::Bill> {
        use super::super::qr_bill::{is_qr_iban, Bill, Reference};
        use super::super::reference as r;
        let bank = super::super::catalogue::current().supplier.bank.clone()?;
        let reference = match (payee, is_qr_iban(&bank.iban)) {
            (Payee::Organization(id), false) => Reference::Scor(r::for_organization(id)),
            (Payee::Order(id), false) => Reference::Scor(r::for_order(id)),
            (Payee::Organization(id), true) => Reference::Qrr(r::qr_for_organization(id)),
            (Payee::Order(id), true) => Reference::Qrr(r::qr_for_order(id)),
        };
        let message = match payee {
            Payee::Organization(_) => "Steward prepaid account top-up".to_owned(),
            Payee::Order(id) => format!("Steward order {id}"),
        };
        Some(Bill {
            account: bank.iban,
            creditor: bank.creditor,
            amount,
            currency,
            debtor: None,
            reference,
            message,
        })
    }

    /// The slip shown on a page for `payee`.
    pub fn slip(
        payee: Payee,
        currency: Currency,
        amount: Option<Money>,
    ) -> Result<Option<PaymentSlip>, AppError> {
        use super::super::qr_bill::{code, cross, Reference};
        let Some(bill) = bill(payee, currency, amount) else {
            return Ok(None);
        };
        let payload = bill.payload().map_err(|e| {
            tracing::error!(error = ?e, "the QR-bill cannot be made");
            AppError::internal()
        })?;
        let (qr_size, qr_path) = code(&payload).ok_or_else(|| {
            tracing::error!("the QR-bill's code does not fit");
            AppError::internal()
        })?;
        let reference = match &bill.reference {
            Reference::Qrr(r) | Reference::Scor(r) => r.clone(),
            Reference::None => String::new(),
        };
        Ok(Some(PaymentSlip {
            beneficiary: bill.creditor.lines(),
            iban: super::super::iban_on_paper(&bill.account),
            reference,
            amount,
            currency,
            qr_size,
            qr_path,
            cross: cross(qr_size).to_vec(),
        }))
    }

    /// A top-up's currency and amount as typed (an empty amount: the payer's choice).
    pub fn top_up(currency: &str, amount: &str) -> Result<(Currency, Option<Money>), AppError> {
        let currency = Currency::parse(currency.trim())
            .ok_or_else(|| AppError::validation("currency", "Choose CHF or EUR."))?;
        if amount.trim().is_empty() {
            return Ok((currency, None));
        }
        let amount = Money::parse(amount, currency)
            .ok()
            .filter(|m| m.minor >= 1 && m.minor <= 99_999_999_999)
            .ok_or_else(|| {
                AppError::validation(
                    "amount",
                    "Enter an amount from 0.01 to 999'999'999.99, like 150 or 89.90 — or leave it empty.",
                )
            })?;
        Ok((currency, Some(amount)))
    }

    /// The printable payment part of a top-up (`QR_BILL_PDF_PATH`): a file name and the PDF.
    /// The same door and reach as the prepaid page, through the same checks.
    pub async fn qr_bill_pdf(
        state: &crate::state::AppState,
        headers: &http::HeaderMap,
        origin: &crate::request::Origin,
        organization_id: i64,
        currency: &str,
        amount: &str,
    ) -> Result<(String, Vec<u8>), AppError> {
        let (_, membership) = crate::access::authentication::authorize_request(
            state,
            headers,
            origin,
            crate::policy::Caller::Reader,
            organization_id,
            crate::policy::Action::UseBilling,
        )
        .await?;
        let (currency, amount) = top_up(currency, amount)?;
        let bill =
            bill(Payee::Organization(organization_id), currency, amount).ok_or_else(|| {
                AppError::new(
                ErrorCode::NotFound,
                "No bank account is set up for transfers on this installation: ask its operator.",
            )
            })?;
        let pdf = super::super::qr_bill::payment_part_pdf(
            &bill,
            &format!("Top up the prepaid account of {}", membership.name),
        )
        .map_err(|e| {
            tracing::error!(error = ?e, "the QR-bill cannot be made");
            AppError::internal()
        })?;
        Ok((format!("qr-bill-{organization_id}.pdf"), pdf))
    }

    pub(super) fn input(fields: [String; 7]) -> Result<AddressInput, AppError> {
        let [name, company, street, postal_code, city, country, vat_number] = fields;
        let address = AddressInput::check(
            &name,
            &company,
            &street,
            &postal_code,
            &city,
            &country,
            &vat_number,
        )?;
        address.printable_on_invoices()?;
        Ok(address)
    }

    /// The address change's activity-log entry ("Lea Legal, 1003 Lausanne"), then the commit.
    pub(super) async fn logged(
        cx: &Context,
        mut tx: Tx,
        action: ActivityAction,
        organization_id: i64,
        (name, postal_code, city): (&str, &str, &str),
    ) -> Result<(), AppError> {
        let detail = format!("{name}, {postal_code} {city}");
        cx.log(&mut tx, Log::organization(action, organization_id, &detail))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organization's address, under the organization's lock (one default at a time).
    pub(super) async fn found(
        tx: &mut Tx,
        organization_id: i64,
        address_id: i64,
    ) -> Result<BillingAddress, AppError> {
        crate::access::store::lock_organization(tx, organization_id).await?;
        store::address_of(tx, organization_id, address_id)
            .await?
            .ok_or_else(|| AppError::not_found("billing address"))
    }
}

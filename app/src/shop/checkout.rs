//! Placing an order (BIL-4) in one transaction: the order and its lines, the promo codes and
//! free offers it uses, its invoice (numbered without a gap, frozen once written), its payment
//! from the prepaid ledger — or, by bank transfer, the wait for it — the products it creates
//! or extends once paid, the activity-log entries and the emails (through the outbox). The
//! page sends a key with each order: the same key again (a double click, a retried request)
//! answers with the order placed the first time.

use super::payment::{Charge, Collected};
use super::quote::{self, FreeOffer, Line};
use super::store::{self, Invoice, InvoiceLine, NewOrder, OrderLine, StoredOrder};
use super::{invoice_number, periods_label, OrderStatus, Payment, Placed, Purpose, Quote};
use crate::access::Member;
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::billing::catalogue;
use crate::billing::ledger::{self, Booked, EntryKind, Event};
use crate::billing::Notice;
use crate::db::Tx;
use crate::error::AppError;
use crate::mail::messages::OrderNotice;
use crate::money::{Currency, Money};
use crate::policy::Role;
use crate::products::lifecycle;
use crate::products::store::NewProduct;
use crate::products::{ProductKind, ProductStatus};
use crate::request::Origin;
use crate::state::AppState;

/// Who places or pays an order, for the activity log.
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub origin: &'a Origin,
    pub now: i64,
}

impl Actor<'_> {
    async fn log(
        &self,
        tx: &mut Tx,
        action: ActivityAction,
        organization_id: i64,
        product_id: Option<i64>,
        detail: &str,
    ) -> Result<(), AppError> {
        record(
            tx,
            NewEntry {
                action,
                actor_user_id: self.user_id,
                organization_id: Some(organization_id),
                product_id,
                detail,
                origin: self.origin,
                at: self.now,
            },
        )
        .await?;
        Ok(())
    }
}

/// The key a page sends with an order: 16 to 100 letters, digits, `-` and `_`.
pub fn check_key(key: &str) -> Result<(), AppError> {
    let fits = (16..=100).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fits {
        Ok(())
    } else {
        Err(AppError::validation(
            "key",
            "The order form is out of date: reload the page and place the order again.",
        ))
    }
}

/// The organization's cart as priced: its lines, the quote, the free offers it could take.
pub struct PricedCart {
    pub lines: Vec<Line>,
    pub quote: Quote,
    pub offers: Vec<FreeOffer>,
}

/// The organization's cart, priced in `currency` — at the partner's price for `payer`, the
/// partner paying for its customer's order (PAR-4), else at the public price.
pub async fn priced_cart(
    tx: &mut Tx,
    organization_id: i64,
    currency: Currency,
    payer: Option<&Payer>,
    now: i64,
) -> Result<PricedCart, AppError> {
    let stored = store::cart(tx, organization_id).await?;
    let lines = store::typed_codes(tx, organization_id, stored).await?;
    let offers = store::free_offers(tx, organization_id).await?;
    let discount = |line: &Line| payer.and_then(|p| p.rate_on(line.kind));
    let quote = quote::quote(
        catalogue::current(),
        crate::products::domain::current(),
        currency,
        &lines,
        &offers,
        &discount,
        now,
    )
    .map_err(|e| AppError::validation("cart", e.to_string()))?;
    Ok(PricedCart {
        lines,
        quote,
        offers,
    })
}

/// A partner paying for its customer's order with its own payment methods (PAR-4): the
/// customer granted it full access with the partner's payment methods. The order's invoice is
/// the partner's, at the partner's price (its discount first, then the volume rate on what
/// remains), paid from the partner's prepaid balance; the products are the customer's.
#[derive(Clone, Debug, PartialEq)]
pub struct Payer {
    pub id: i64,
    pub name: String,
    pub rates: Vec<(ProductKind, crate::money::Percent)>,
    /// The person ordering may spend the partner's money: billing rights in the partner's own
    /// organization (its legal representatives and administrators, a collaborator with billing
    /// rights). A delegated collaborator without them fills the cart but does not place it.
    pub may_pay: bool,
}

impl Payer {
    pub fn rate_on(&self, kind: ProductKind) -> Option<crate::money::Percent> {
        super::cashback::rate_for(&self.rates, kind)
    }
}

/// Who pays for what `member` (the person `user_id`) orders: the partner, when `member` is one
/// of its people inside a customer that chose the partner's payment methods; `None`: the
/// organization itself.
pub async fn payer(tx: &mut Tx, member: &Member, user_id: i64) -> Result<Option<Payer>, AppError> {
    let Some(via) = member
        .partner
        .as_ref()
        .filter(|via| via.access == crate::policy::PartnerAccess::FullPartnerPays)
    else {
        return Ok(None);
    };
    let at_home = crate::access::store::membership(tx, via.partner_id, user_id).await?;
    Ok(Some(Payer {
        id: via.partner_id,
        name: via.partner_name.clone(),
        rates: super::cashback::partner_rates(tx, via.partner_id).await?,
        may_pay: at_home.is_some_and(|m| m.may(crate::policy::Action::UseBilling)),
    }))
}

impl Payer {
    /// Refused unless the person may spend the partner's money.
    pub fn check_may_pay(&self) -> Result<(), AppError> {
        if self.may_pay {
            return Ok(());
        }
        Err(AppError::new(
            crate::error::ErrorCode::Forbidden,
            format!(
                "{} pays for this customer's orders: one of its people with billing rights places them.",
                self.name
            ),
        ))
    }
}

pub struct Checkout<'a> {
    pub organization_id: i64,
    pub currency: Currency,
    pub address_id: i64,
    /// Prepaid or bank transfer, as chosen (an order with nothing to pay is paid at once).
    pub payment: Payment,
    pub key: &'a str,
}

/// Places the organization's cart as an order, in the caller's transaction.
pub async fn place(
    state: &AppState,
    tx: &mut Tx,
    member: &Member,
    account: &crate::access::Account,
    actor: &Actor<'_>,
    checkout: Checkout<'_>,
) -> Result<Placed, AppError> {
    check_key(checkout.key)?;
    let organization_id = checkout.organization_id;
    // One checkout of an organization at a time: the second waits here, then finds the order
    // its key placed, or a cart the first one emptied.
    crate::access::store::lock_organization(tx, organization_id).await?;
    if let Some(order) = store::order_by_key(tx, organization_id, checkout.key).await? {
        return placed(tx, &order).await;
    }
    let payer = payer(tx, member, account.id).await?;
    let PricedCart {
        lines,
        quote,
        offers,
    } = priced_cart(
        tx,
        organization_id,
        checkout.currency,
        payer.as_ref(),
        actor.now,
    )
    .await?;
    if lines.is_empty() {
        return Err(AppError::validation("cart", "The cart is empty."));
    }
    if let Some((line, problem)) = quote
        .lines
        .iter()
        .find_map(|l| l.problem.as_ref().map(|p| (l, p)))
    {
        return Err(AppError::validation(
            "cart",
            format!("{}: {problem}", line.description),
        ));
    }
    if let (Some(payer), 0) = (&payer, checkout.address_id) {
        payer.check_may_pay()?;
    }
    if checkout.address_id == 0 {
        return Err(AppError::validation(
            "address_id",
            "Choose a billing address (add one under Billing addresses).",
        ));
    }
    // A partner paying for its customer's order is invoiced at its own address.
    let billed = payer.as_ref().map_or(organization_id, |p| p.id);
    let address = crate::billing::store::address_of(tx, billed, checkout.address_id)
        .await?
        .ok_or_else(|| AppError::not_found("billing address"))?;
    if let Some(payer) = &payer {
        payer.check_may_pay()?;
    }
    for line in &lines {
        if let Some(problem) = domain_line_problem(tx, organization_id, line).await? {
            return Err(AppError::validation("cart", problem));
        }
        // A line about a product charges for one extension of it (a cart kept from before
        // this rule may hold more): never more than is delivered.
        if super::check_product_line_quantity(line.product_id, line.quantity).is_err() {
            return Err(AppError::validation(
                "cart",
                format!("The line renewing {} has a quantity of {}: a renewal extends one product, set its quantity to 1.", line.name, line.quantity),
            ));
        }
    }
    for line in lines.iter().filter(|l| l.product_id.is_none()) {
        if line.kind == ProductKind::Domain
            && store::name_taken(tx, ProductKind::Domain, &line.name).await?
        {
            return Err(AppError::validation(
                "cart",
                format!(
                    "{} is registered already: remove the line (a renewal is ordered from Renew a product).",
                    line.name
                ),
            ));
        }
    }
    let payment = if quote.total.minor == 0 {
        Payment::Nothing
    } else {
        checkout.payment
    };
    if let (Some(payer), Payment::BankTransfer) = (&payer, payment) {
        return Err(AppError::validation(
            "payment",
            format!(
                "{} pays for this order from its prepaid balance: top it up by bank transfer first.",
                payer.name
            ),
        ));
    }
    if payment == Payment::BankTransfer {
        for line in lines.iter().filter(|l| l.kind == ProductKind::Domain) {
            let past_expiry = match line.product_id {
                Some(product_id) => store::domain_stage(tx, organization_id, product_id)
                    .await?
                    .is_some_and(|(stage, _)| stage != crate::products::DomainStage::Active),
                None => false,
            };
            if line.purpose == Purpose::Restore || past_expiry {
                return Err(AppError::validation(
                    "payment",
                    format!(
                        "{} is past its expiry: pay it from the prepaid balance, since the domain may move on before a bank transfer arrives (top up the prepaid account first).",
                        line.name
                    ),
                ));
            }
        }
    }
    let grant_to = matches!(member.role, Role::Collaborator | Role::External).then_some(account.id);
    let written = write_order(
        tx,
        &OrderToWrite {
            organization_id,
            organization_name: &member.name,
            lines: &lines,
            offers: &offers,
            quote: &quote,
            address: &address,
            payment,
            key: checkout.key,
            placed_by: Some(account.id),
            grant_to,
            paid_by: payer.as_ref(),
        },
        actor,
    )
    .await?;
    let Written {
        order_id,
        invoice_id,
        number_text,
        payment_reference,
        status,
    } = written;
    store::empty_cart(tx, organization_id).await?;
    let items: Vec<String> = quote
        .lines
        .iter()
        .map(|l| item_text(&l.description, l.quantity, &l.period, l.periods))
        .collect();
    let notice = OrderNotice {
        organization: &member.name,
        organization_id,
        invoice: &number_text,
        total: quote.total,
        payment: payment.label(),
        reference: &payment_reference,
        items: &items,
        base: &state.settings.public_url,
    };
    let email = crate::mail::messages::order_placed(&account.email, &account.first_name, &notice)?;
    crate::mail::store::enqueue(tx, &email, actor.now).await?;
    if crate::billing::store::notifications(tx, billed)
        .await?
        .is_on(Notice::InvoiceIssued)
    {
        for (address, first_name) in crate::billing::store::billing_recipients(tx, billed).await? {
            if address == account.email {
                continue;
            }
            let email = crate::mail::messages::invoice_issued(&address, &first_name, &notice)?;
            crate::mail::store::enqueue(tx, &email, actor.now).await?;
        }
    }
    Ok(Placed {
        order_id,
        invoice_id,
        invoice: number_text,
        status,
        total: quote.total,
        reference: payment_reference,
        slip: None,
    })
}

/// An order to write: what the cart (or an automatic renewal) priced.
pub struct OrderToWrite<'a> {
    pub organization_id: i64,
    pub organization_name: &'a str,
    pub lines: &'a [Line],
    /// The free offers the lines were priced with (to price them again for a partner's
    /// cashback).
    pub offers: &'a [FreeOffer],
    pub quote: &'a Quote,
    pub address: &'a crate::billing::BillingAddress,
    pub payment: Payment,
    pub key: &'a str,
    /// `None`: placed by Steward itself (an automatic renewal).
    pub placed_by: Option<i64>,
    pub grant_to: Option<i64>,
    /// The partner paying with its own payment methods (PAR-4), priced at its price; `None`:
    /// the organization pays, and its partners earn cashback on it (PAR-5).
    pub paid_by: Option<&'a Payer>,
}

/// What writing an order produced.
pub struct Written {
    pub order_id: i64,
    pub invoice_id: i64,
    pub number_text: String,
    pub payment_reference: String,
    pub status: OrderStatus,
}

/// Writes an order in the caller's transaction: the order and its lines, the codes and offers
/// it uses, its invoice, its log entry, and — paid from the balance or nothing to pay — its
/// payment and its products. Refused with `insufficient_balance` when the balance does not
/// cover a prepaid order (the caller's transaction then writes nothing).
pub async fn write_order(
    tx: &mut Tx,
    order: &OrderToWrite<'_>,
    actor: &Actor<'_>,
) -> Result<Written, AppError> {
    let organization_id = order.organization_id;
    let payment = order.payment;
    let order_id = store::insert_order(
        tx,
        &NewOrder {
            organization_id,
            total: order.quote.total,
            payment,
            key: order.key,
            placed_by: order.placed_by,
            paid_by: order.paid_by.map(|p| p.id),
            at: actor.now,
        },
    )
    .await?
    .ok_or_else(AppError::stale)?;
    for (position, (line, quoted)) in order.lines.iter().zip(&order.quote.lines).enumerate() {
        store::insert_order_line(
            tx,
            order_id,
            position as i64,
            &OrderLine {
                kind: line.kind,
                plan: line.plan.clone(),
                name: line.name.clone(),
                product_id: line.product_id,
                purpose: line.purpose,
                quantity: line.quantity,
                periods: line.periods,
                period: quoted.period.clone(),
                auth_code: line.auth_code.clone(),
            },
        )
        .await?;
        if let Some(code) = line
            .promo
            .as_ref()
            .and_then(|t| t.found.as_ref())
            .filter(|_| {
                quoted
                    .reductions
                    .iter()
                    .any(|r| r.label.starts_with("Promo code"))
            })
        {
            if !store::use_promo_code(tx, code.id, organization_id, order_id).await? {
                return Err(AppError::validation(
                    "cart",
                    format!(
                        "The code {} was used up meanwhile: remove it from the line.",
                        code.code
                    ),
                ));
            }
        }
        if let Some(offer) = quoted.free_offer_id {
            if !store::use_free_offer(tx, offer, organization_id, order_id).await? {
                return Err(AppError::validation(
                    "cart",
                    "A free offer of the cart was used meanwhile: choose none on its line.",
                ));
            }
        }
    }
    // What each line pays for, stated on the invoice.
    let mut services = Vec::with_capacity(order.lines.len());
    for (line, quoted) in order.lines.iter().zip(&order.quote.lines) {
        let expires_at = match line.product_id {
            Some(product_id) => store::product_expiry(tx, organization_id, product_id)
                .await?
                .flatten(),
            None => None,
        };
        services.push(service_period(
            line.purpose,
            expires_at,
            actor.now,
            months_of(&quoted.period, line.periods),
        ));
    }
    let number = store::next_invoice_number(tx, order.quote.currency).await?;
    let provider = super::payment::provider(payment);
    let payment_reference = provider.reference(order_id);
    // The invoice is the payer's: the partner's, naming the customer on each line, when the
    // partner pays.
    let (billed, billed_name, for_customer) = match order.paid_by {
        Some(payer) => (
            payer.id,
            payer.name.as_str(),
            format!(" (for {})", order.organization_name),
        ),
        None => (organization_id, order.organization_name, String::new()),
    };
    let invoice = Invoice {
        id: 0,
        organization_id: billed,
        order_id,
        currency: order.quote.currency,
        number,
        organization_name: billed_name.to_owned(),
        address: order.address.lines(),
        supplier: catalogue::current().supplier.lines(),
        net: order.quote.net,
        vat: Money::sum(order.quote.currency, order.quote.vat.iter().map(|v| v.tax))
            .map_err(|e| AppError::validation("cart", e.to_string()))?,
        rounding: order.quote.rounding,
        total: order.quote.total,
        payment_reference: payment_reference.clone(),
        issued_at: actor.now,
        lines: order
            .quote
            .lines
            .iter()
            .zip(services)
            .map(|(l, service)| InvoiceLine {
                service,
                description: format!("{}{for_customer}", l.description),
                quantity: l.quantity,
                periods: l.periods,
                period: l.period.clone(),
                list: l.list,
                reductions: l
                    .reductions
                    .iter()
                    .map(|r| (r.label.clone(), r.taken))
                    .collect(),
                net: l.net,
                vat_rate: l.vat_rate,
            })
            .collect(),
    };
    let invoice_id = store::insert_invoice(tx, &invoice).await?;
    let number_text = invoice_number(order.quote.currency, number);
    if order.paid_by.is_none() {
        owe_cashback(tx, order, order_id, invoice_id, actor.now).await?;
    }
    let stored = StoredOrder {
        id: order_id,
        organization_id,
        total: order.quote.total,
        payment,
        status: OrderStatus::AwaitingPayment,
        placed_by: order.placed_by,
        paid_by: order.paid_by.map(|p| p.id),
    };
    actor
        .log(
            tx,
            ActivityAction::OrderPlaced,
            organization_id,
            None,
            &format!(
                "Order {order_id}, invoice {number_text}: {}, {}",
                order.quote.total,
                payment.label().to_lowercase()
            ),
        )
        .await?;
    let charge = Charge {
        organization_id: billed,
        order_id,
        total: order.quote.total,
        invoice: &number_text,
        at: actor.now,
    };
    let status = match provider.collect(tx, &charge).await? {
        Collected::Waiting => OrderStatus::AwaitingPayment,
        Collected::Paid => {
            mark_paid(tx, &stored, order.organization_name, order.grant_to, actor).await?;
            OrderStatus::Paid
        }
    };
    Ok(Written {
        order_id,
        invoice_id,
        number_text,
        payment_reference,
        status,
    })
}

/// Writes what the organization's partners earn on an order it pays (PAR-5): for each line a
/// partner earns on — any line with full access, a product it manages with limited access —
/// the public price less the partner's price, both through the whole chain (the partner's
/// discount first), excluding VAT. Credited once the order is paid ([`credit_cashback`]).
async fn owe_cashback(
    tx: &mut Tx,
    order: &OrderToWrite<'_>,
    order_id: i64,
    invoice_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let terms = super::cashback::cashback_terms(tx, order.organization_id, now).await?;
    if terms.is_empty() {
        return Ok(());
    }
    let earner = |line: &Line| {
        terms
            .iter()
            .find_map(|t| Some((t, t.rate_on(line.kind, line.product_id)?)))
    };
    let discount = |line: &Line| earner(line).map(|(_, rate)| rate);
    let partner = quote::quote(
        catalogue::current(),
        crate::products::domain::current(),
        order.quote.currency,
        order.lines,
        order.offers,
        &discount,
        now,
    )
    .map_err(|e| AppError::validation("cart", e.to_string()))?;
    for (position, ((line, public), at_partner_price)) in order
        .lines
        .iter()
        .zip(&order.quote.lines)
        .zip(&partner.lines)
        .enumerate()
    {
        let Some((terms, _)) = earner(line) else {
            continue;
        };
        let amount = public.net.minor - at_partner_price.net.minor;
        if amount <= 0 {
            continue;
        }
        super::cashback::insert_cashback(
            tx,
            &super::cashback::NewCashback {
                partner_id: terms.partner_id,
                customer_id: order.organization_id,
                relationship_id: terms.relationship_id,
                order_id,
                position: position as i64,
                invoice_id,
                description: &item_text(
                    &public.description,
                    public.quantity,
                    &public.period,
                    public.periods,
                ),
                public: public.net,
                partner_price: at_partner_price.net,
                amount: Money::new(amount, public.net.currency),
                at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// Credits a paid order's cashback to its partners' prepaid accounts: one ledger entry per
/// order line, keyed by it, so a retried payment or a second worker credits nothing twice; each
/// written to the partner's activity log.
async fn credit_cashback(
    tx: &mut Tx,
    order_id: i64,
    customer: &str,
    actor: &Actor<'_>,
) -> Result<(), AppError> {
    for row in super::cashback::uncredited_cashback(tx, order_id).await? {
        let Some(amount) = row.amount() else {
            continue;
        };
        if !super::cashback::mark_credited(tx, row.id, actor.now).await? {
            continue;
        }
        let booked = ledger::book(
            tx,
            &Event {
                organization_id: row.partner_id,
                kind: EntryKind::Cashback,
                amount,
                key: &format!("cashback:{order_id}:{}", row.position),
                // Short, as the ledger's column shows it; the line is in the statement and export.
                reference: &format!("Cashback from {customer}, order {order_id}"),
                at: actor.now,
            },
        )
        .await?;
        if let Booked::New(_) = booked {
            record(
                tx,
                NewEntry {
                    action: ActivityAction::CashbackCredited,
                    actor_user_id: None,
                    organization_id: Some(row.partner_id),
                    product_id: None,
                    detail: &format!(
                        "{amount} from {customer}: {} (order {order_id})",
                        row.description
                    ),
                    origin: actor.origin,
                    at: actor.now,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// "Domain name example.ch, 1 year", "Web hosting shop × 3, 12 months".
pub fn item_text(description: &str, quantity: i64, period: &str, periods: i64) -> String {
    let times = if quantity > 1 {
        format!(" × {quantity}")
    } else {
        String::new()
    };
    format!("{description}{times}, {}", periods_label(period, periods))
}

/// What an order placed before answers with.
async fn placed(tx: &mut Tx, order: &StoredOrder) -> Result<Placed, AppError> {
    let invoice = store::invoice_of_order(tx, order.billed(), order.id)
        .await?
        .ok_or_else(AppError::internal)?;
    Ok(Placed {
        order_id: order.id,
        invoice_id: invoice.id,
        invoice: invoice_number(invoice.currency, invoice.number),
        status: order.status,
        total: order.total,
        reference: invoice.payment_reference,
        slip: None,
    })
}

/// Marks an order paid and carries it out: new products are created, renewed ones extended,
/// each with its activity-log entry. `grant_to`: a collaborator who ordered reaches what they
/// ordered (legal representatives and administrators reach every product).
pub async fn mark_paid(
    tx: &mut Tx,
    order: &StoredOrder,
    organization_name: &str,
    grant_to: Option<i64>,
    actor: &Actor<'_>,
) -> Result<(), AppError> {
    if !store::set_order_status(
        tx,
        order.id,
        OrderStatus::AwaitingPayment,
        OrderStatus::Paid,
        actor.now,
    )
    .await?
    {
        return Err(AppError::stale());
    }
    let organization_id = order.organization_id;
    for (position, line) in store::order_lines(tx, order.id)
        .await?
        .into_iter()
        .enumerate()
    {
        if !store::carry_out(tx, order.id, position as i64, actor.now).await? {
            continue;
        }
        if !line.auth_code.is_empty() {
            store::clear_line_code(tx, order.id, position as i64).await?;
        }
        carry_out(
            tx,
            order.id,
            organization_id,
            organization_name,
            grant_to,
            &line,
            actor,
        )
        .await?;
    }
    credit_cashback(tx, order.id, organization_name, actor).await?;
    actor
        .log(
            tx,
            ActivityAction::OrderPaid,
            organization_id,
            None,
            &format!(
                "Order {}: {}, {}",
                order.id,
                order.total,
                order.payment.label().to_lowercase()
            ),
        )
        .await?;
    Ok(())
}

/// Carries out one paid order line: creates its products, renews, restores, or extends a
/// warranty, each with its log entry.
pub async fn carry_out(
    tx: &mut Tx,
    order_id: i64,
    organization_id: i64,
    organization_name: &str,
    grant_to: Option<i64>,
    line: &OrderLine,
    actor: &Actor<'_>,
) -> Result<(), AppError> {
    let months = months_of(&line.period, line.periods);
    let length = periods_label(&line.period, line.periods);
    let Some(product_id) = line.product_id else {
        let names = new_names(tx, organization_id, line).await?;
        let until = crate::format::add_months(actor.now, months);
        for name in names {
            // A domain the organization let go and registers again: its row comes back (a row
            // per organization and name).
            let revived = match (line.kind, line.purpose) {
                (ProductKind::Domain, Purpose::New) => {
                    store::released_domain(tx, organization_id, &name).await?
                }
                _ => None,
            };
            if let Some(product_id) = revived {
                lifecycle::revive_domain(tx, organization_id, product_id, until, actor.now).await?;
                if let Some(user_id) = grant_to {
                    crate::products::store::grant_access(tx, product_id, user_id, true, actor.now)
                        .await?;
                }
                actor
                    .log(
                        tx,
                        ActivityAction::ProductOrdered,
                        organization_id,
                        Some(product_id),
                        &format!(
                            "{} {name}: registered again after its release, {length}, until {} (order {order_id})",
                            line.kind.label(),
                            crate::format::date(until),
                        ),
                    )
                    .await?;
                continue;
            }
            let product_id = crate::products::store::insert(
                tx,
                &NewProduct {
                    organization_id,
                    kind: line.kind,
                    name: &name,
                    status: ProductStatus::Active,
                    expires_at: Some(until),
                    holder: organization_name,
                    at: actor.now,
                },
            )
            .await?;
            if let Some(user_id) = grant_to {
                crate::products::store::grant_access(tx, product_id, user_id, true, actor.now)
                    .await?;
            }
            let detail = if line.purpose == Purpose::Transfer {
                // The registry is asked by the scheduler's transfer job; until it answers the
                // domain has no expiry here.
                lifecycle::start_transfer(tx, product_id, &line.auth_code).await?;
                format!(
                    "{} {name}: transfer in ordered (order {order_id})",
                    line.kind.label()
                )
            } else {
                format!(
                    "{} {name}: {length}, until {} (order {order_id})",
                    line.kind.label(),
                    crate::format::date(until),
                )
            };
            actor
                .log(
                    tx,
                    ActivityAction::ProductOrdered,
                    organization_id,
                    Some(product_id),
                    &detail,
                )
                .await?;
        }
        return Ok(());
    };
    let Some(expires_at) = store::product_expiry(tx, organization_id, product_id).await? else {
        // Deleted since: nothing to extend.
        return Ok(());
    };
    let name = &line.name;
    match line.purpose {
        Purpose::Warranty => {
            // The warranty covers the domain's next expiry(ies): it runs on from the later of
            // the warranty bought before and the expiry.
            let from = store::warranty_until(tx, organization_id, product_id)
                .await?
                .into_iter()
                .chain(expires_at)
                .chain([actor.now])
                .max()
                .unwrap_or(actor.now);
            let until = crate::format::add_months(from, months);
            lifecycle::set_warranty(tx, organization_id, product_id, until).await?;
            actor
                .log(
                    tx,
                    ActivityAction::WarrantyBought,
                    organization_id,
                    Some(product_id),
                    &format!(
                        "{name}: renewal warranty for {length}, until {} (order {order_id})",
                        crate::format::date(until)
                    ),
                )
                .await?;
        }
        Purpose::Restore => {
            // The registry restores the domain with the year it had missed: from its old expiry.
            let (_, until) = service_period(Purpose::Restore, expires_at, actor.now, months)
                .unwrap_or((actor.now, crate::format::add_months(actor.now, months)));
            // Only from redemption: a domain that moved on meanwhile is not restored.
            if !lifecycle::restore_product(tx, organization_id, product_id, until, actor.now)
                .await?
            {
                return Err(AppError::validation(
                    "cart",
                    format!("{name} is no longer in redemption: it cannot be restored."),
                ));
            }
            actor
                .log(
                    tx,
                    ActivityAction::DomainRestored,
                    organization_id,
                    Some(product_id),
                    &format!(
                        "{name}: restored and renewed until {} (order {order_id})",
                        crate::format::date(until)
                    ),
                )
                .await?;
        }
        // A transfer creates its product (above): never a line about one it has.
        Purpose::Transfer => {}
        Purpose::New | Purpose::Renewal => {
            let (_, until) = service_period(line.purpose, expires_at, actor.now, months)
                .unwrap_or((actor.now, crate::format::add_months(actor.now, months)));
            lifecycle::extend_product(tx, organization_id, product_id, until, actor.now).await?;
            actor
                .log(
                    tx,
                    ActivityAction::ProductRenewed,
                    organization_id,
                    Some(product_id),
                    &format!(
                        "{name}: renewed for {length}, until {} (order {order_id})",
                        crate::format::date(until),
                    ),
                )
                .await?;
        }
    }
    Ok(())
}

/// Why a line about a domain the organization has cannot be carried out as its stage stands
/// (a renewal of a domain in redemption must be a restore, and so on); `None` when it can.
pub async fn domain_line_problem(
    tx: &mut Tx,
    organization_id: i64,
    line: &Line,
) -> Result<Option<String>, AppError> {
    use crate::products::DomainStage as Stage;
    let Some(product_id) = line.product_id.filter(|_| line.kind == ProductKind::Domain) else {
        return Ok(None);
    };
    let Some((stage, _)) = store::domain_stage(tx, organization_id, product_id).await? else {
        return Err(AppError::not_found("domain"));
    };
    let name = &line.name;
    // A domain being transferred in has no expiry yet: the completed transfer sets it (a year
    // from then), so an extension paid now would be overwritten — what is paid is delivered.
    if matches!(line.purpose, Purpose::Renewal | Purpose::Warranty)
        && store::in_transfer(tx, organization_id, product_id).await?
    {
        return Ok(Some(format!(
            "{name} is being transferred in: it can be renewed once the transfer is done (the transfer itself adds a year)."
        )));
    }
    let problem = match (line.purpose, stage) {
        (_, Stage::Released) => Some(format!(
            "{name} was released: it is free for anyone, and can be ordered again as a new domain."
        )),
        (_, Stage::PendingDelete) => Some(format!(
            "{name} is being deleted at the registry: nothing can be done until it is free again."
        )),
        (Purpose::Renewal, Stage::Redemption) => Some(format!(
            "{name} is in redemption: it is restored (restore fee + renewal) from its page, not renewed."
        )),
        (Purpose::Restore, Stage::Active | Stage::Expired) => Some(format!(
            "{name} is not in redemption: renew it at the normal price instead."
        )),
        (Purpose::Warranty, Stage::Redemption) => Some(format!(
            "{name} is in redemption: restore it first; a warranty covers a domain's next expiry."
        )),
        _ => None,
    };
    Ok(problem)
}

/// Where a renewal's new period starts: at the old expiry — so a product renewed just before or
/// after it (an automatic renewal runs a little after) keeps every day it paid for — unless it
/// lapsed more than [`LAPSED_DAYS`] ago (or never had one): then today.
pub fn renewal_start(expires_at: Option<i64>, now: i64) -> i64 {
    match expires_at {
        Some(at) if at + LAPSED_DAYS * 86_400 >= now => at,
        _ => now,
    }
}

/// The service a line pays for, from its first moment to the moment it ends, as its invoice
/// states it and as the order carries it out: a new product from now; a renewal from its expiry
/// (see [`renewal_start`]); a restore from its old expiry, or from now when even the year it
/// missed is over. `None` for what is not a period of service (a warranty, a transfer's fee).
pub fn service_period(
    purpose: Purpose,
    expires_at: Option<i64>,
    now: i64,
    months: i64,
) -> Option<(i64, i64)> {
    let add = crate::format::add_months;
    match purpose {
        Purpose::Warranty | Purpose::Transfer => None,
        Purpose::Restore => {
            let from = expires_at.unwrap_or(now);
            let until = add(from, months);
            Some(if until <= now {
                (now, add(now, months))
            } else {
                (from, until)
            })
        }
        Purpose::New | Purpose::Renewal => {
            let from = renewal_start(expires_at, now);
            Some((from, add(from, months)))
        }
    }
}

/// Months in `periods` of `period` ("year" or "month").
pub fn months_of(period: &str, periods: i64) -> i64 {
    periods * if period == "year" { 12 } else { 1 }
}

/// After this many days past its expiry a renewal starts afresh.
pub const LAPSED_DAYS: i64 = 30;

/// The names of a new line's products: its name, then "name 2", "name 3"… skipping those the
/// organization has. A domain keeps its one name.
async fn new_names(
    tx: &mut Tx,
    organization_id: i64,
    line: &OrderLine,
) -> Result<Vec<String>, AppError> {
    if line.kind == ProductKind::Domain {
        return Ok(vec![line.name.clone()]);
    }
    let existing = store::names_like(tx, organization_id, line.kind, &line.name).await?;
    let mut names = Vec::new();
    let mut n = 1;
    while (names.len() as i64) < line.quantity {
        let candidate = if n == 1 {
            line.name.clone()
        } else {
            format!("{} {n}", line.name)
        };
        if !existing.contains(&candidate) {
            names.push(candidate);
        }
        n += 1;
    }
    Ok(names)
}

/// Cancels an order still waiting for its bank transfer; the codes and offers it took are
/// given back. A transfer that arrives later goes to the prepaid account.
pub async fn cancel(
    tx: &mut Tx,
    organization_id: i64,
    order_id: i64,
    actor: &Actor<'_>,
) -> Result<(), AppError> {
    crate::access::store::lock_organization(tx, organization_id).await?;
    let order = store::order_by_id(tx, order_id)
        .await?
        .filter(|o| o.organization_id == organization_id)
        .ok_or_else(|| AppError::not_found("order"))?;
    if order.status != OrderStatus::AwaitingPayment {
        return Err(AppError::validation(
            "order_id",
            match order.status {
                OrderStatus::Paid => "This order is paid: it cannot be cancelled any more.",
                _ => "This order is cancelled already.",
            },
        ));
    }
    if store::carried_out_lines(tx, order_id).await? > 0 {
        return Err(AppError::validation(
            "order_id",
            "This order was carried out already (a domain renewed under its warranty): it is paid by its bank transfer, not cancelled.",
        ));
    }
    if !store::set_order_status(
        tx,
        order_id,
        OrderStatus::AwaitingPayment,
        OrderStatus::Cancelled,
        actor.now,
    )
    .await?
    {
        return Err(AppError::stale());
    }
    store::release_order_reductions(tx, order_id).await?;
    // A transfer's authorization code is not kept for an order that will not be carried out.
    store::clear_order_codes(tx, order_id).await?;
    actor
        .log(
            tx,
            ActivityAction::OrderCancelled,
            organization_id,
            None,
            &format!(
                "Order {order_id}: {} (a transfer that still arrives goes to the prepaid account)",
                order.total
            ),
        )
        .await?;
    Ok(())
}

/// What a bank transfer for an order did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderTransfer {
    /// The order is paid and carried out.
    Paid { order_id: i64 },
    /// The order was cancelled: the amount is on the prepaid account.
    CreditedCancelled { order_id: i64 },
    /// The amount is on the prepaid account; the order still waits (the balance is short of
    /// its total, or it was paid already).
    Credited { order_id: i64, status: OrderStatus },
    /// This transfer was recorded before: nothing changed.
    Already,
}

/// A bank transfer carrying an order's reference (the operator's `record-transfer`). The
/// money goes to the prepaid account first — as a credit from a cancelled order when the order
/// was cancelled meanwhile — and pays the order from there when it covers the total.
pub async fn record_order_transfer(
    tx: &mut Tx,
    order_id: i64,
    amount: Money,
    transfer_id: &str,
    actor: &Actor<'_>,
) -> Result<OrderTransfer, AppError> {
    let order = store::order_by_id(tx, order_id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    if amount.currency != order.total.currency {
        return Err(AppError::validation(
            "amount",
            format!(
                "Order {order_id} is in {}: record the transfer in that currency.",
                order.total.currency.code()
            ),
        ));
    }
    let organization_id = order.organization_id;
    crate::access::store::lock_organization(tx, organization_id).await?;
    let cancelled = order.status == OrderStatus::Cancelled;
    let booked = ledger::book(
        tx,
        &Event {
            organization_id,
            kind: if cancelled {
                EntryKind::OrderCredit
            } else {
                EntryKind::TopUp
            },
            amount,
            key: &format!("transfer:{transfer_id}"),
            reference: &format!("Bank transfer {transfer_id} for order {order_id}"),
            at: actor.now,
        },
    )
    .await?;
    if let Booked::Already(_) = booked {
        return Ok(OrderTransfer::Already);
    }
    actor
        .log(
            tx,
            ActivityAction::PrepaidTopUp,
            organization_id,
            None,
            &format!(
                "{amount}, bank transfer {transfer_id} for order {order_id}{}",
                if cancelled {
                    " (cancelled: credited)"
                } else {
                    ""
                }
            ),
        )
        .await?;
    if cancelled {
        return Ok(OrderTransfer::CreditedCancelled { order_id });
    }
    if order.status != OrderStatus::AwaitingPayment {
        return Ok(OrderTransfer::Credited {
            order_id,
            status: order.status,
        });
    }
    let balance = ledger::balance(tx, organization_id, amount.currency).await?;
    if balance.minor < order.total.minor {
        return Ok(OrderTransfer::Credited {
            order_id,
            status: order.status,
        });
    }
    ledger::book(
        tx,
        &Event {
            organization_id,
            kind: EntryKind::Payment,
            amount: order.total,
            key: &format!("order:{order_id}:payment"),
            reference: &format!("Order {order_id}, paid by bank transfer {transfer_id}"),
            at: actor.now,
        },
    )
    .await?;
    let name = crate::billing::store::organization_name(tx, organization_id)
        .await?
        .unwrap_or_default();
    mark_paid(tx, &order, &name, None, actor).await?;
    Ok(OrderTransfer::Paid { order_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewal_continues_from_the_old_expiry_unless_it_lapsed_long_ago() {
        let now = 1_800_000_000;
        let day = 86_400;
        assert_eq!(renewal_start(Some(now + 10 * day), now), now + 10 * day);
        assert_eq!(renewal_start(Some(now - day), now), now - day);
        assert_eq!(renewal_start(Some(now - 31 * day), now), now);
        assert_eq!(renewal_start(None, now), now);
    }

    #[test]
    fn an_order_key_is_long_and_plain() {
        assert!(check_key("order-key-0000000001").is_ok());
        assert!(check_key("short").is_err());
        assert!(check_key("order key with spaces!").is_err());
    }
}

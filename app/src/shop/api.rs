//! The server functions of the shop: the cart, checkout, invoices and order cancellation. For
//! those who may use billing (legal representatives, administrators, collaborators with
//! billing rights on a product).

use super::{InvoiceSummary, Placed, Shop};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// The shop: what can be ordered and renewed, the cart priced in `currency` ("CHF" or
/// "EUR"), the billing addresses and the prepaid balance.
#[server(endpoint = "shop_page")]
pub async fn shop_page(organization_id: i64, currency: String) -> Result<Shop, AppError> {
    ShopPage::serve(|cx| async move {
        let currency_text: String = currency;
        let currency = ssr::currency(&currency_text)?;
        // A cart filled while signed out (the order page) moves in here, once.
        if crate::request::cookie_value(crate::request::GUEST_CART_COOKIE).is_some() {
            let (mut tx, _) = cx.write_in(organization_id).await?;
            crate::access::store::lock_organization(&mut tx, organization_id).await?;
            super::guest::ssr::claim(&cx, &mut tx, organization_id).await?;
            tx.commit().await?;
        }
        let (mut tx, member) = cx.read_in(organization_id).await?;
        let payer = checkout::payer(&mut tx, &member, cx.account()?.id).await?;
        let quote =
            checkout::priced_cart(&mut tx, organization_id, currency, payer.as_ref(), cx.now())
                .await?
                .quote;
        let only_for = crate::access::organization::products_for(&member, cx.account()?.id);
        let mut renewable = Vec::new();
        for product in store::renewable(&mut tx, organization_id).await? {
            // Only what this person may renew: for collaborators, the products they hold
            // billing rights on, and none whose management is blocked.
            if only_for.is_none() {
                renewable.push(product);
                continue;
            }
            let reached = crate::access::store::reached_product(
                &mut tx,
                organization_id,
                only_for,
                true,
                product.product_id,
            )
            .await?;
            if reached.is_some_and(|blocked| {
                crate::access::organization::may_manage(member.role, blocked).is_ok()
            }) {
                renewable.push(product);
            }
        }
        // A partner paying for its customer: its own addresses and balance, shown only to those
        // who may spend its money.
        let (addresses, balance) = match &payer {
            Some(payer) if !payer.may_pay => (Vec::new(), Money::zero(currency)),
            _ => {
                let billed = payer.as_ref().map_or(organization_id, |p| p.id);
                (
                    crate::billing::store::addresses(&mut tx, billed).await?,
                    crate::billing::ledger::balance(&mut tx, billed, currency).await?,
                )
            }
        };
        tx.commit().await?;
        let offerings = catalogue::current()
            .plans
            .iter()
            .map(|plan| super::offer::offering(plan, currency))
            .collect();
        Ok(Shop {
            organization: member.name,
            offerings,
            renewable,
            quote,
            addresses,
            balance,
            order_key: crate::tokens::new_token().0,
            paid_by: payer.map(|p| super::PaidBy {
                partner: p.name,
                may_pay: p.may_pay,
            }),
        })
    })
    .await
}

/// Adds a line to the cart: a new product of `kind` named `name` (`product_id` 0), or the
/// renewal of the organization's product `product_id`.
#[server(endpoint = "add_to_cart")]
pub async fn add_to_cart(
    organization_id: i64,
    kind: String,
    name: String,
    quantity: i64,
    periods: i64,
    product_id: i64,
) -> Result<i64, AppError> {
    AddToCart::serve(|cx| async move {
        check_amounts(quantity, periods)?;
        super::check_product_line_quantity((product_id != 0).then_some(product_id), quantity)?;
        if product_id == 0 {
            super::offer::free_at_registry(&cx.state, &kind, &name).await?;
        }
        let (mut tx, member) = cx.write_in(organization_id).await?;
        if product_id != 0 {
            cx.billed_products(&mut tx, &member, &[product_id]).await?;
        }
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        if store::cart(&mut tx, organization_id).await?.len() >= CART_LINES_MAX {
            return Err(AppError::validation(
                "cart",
                format!("A cart holds at most {CART_LINES_MAX} lines: place this order first."),
            ));
        }
        let (kind, name, product_id) = if product_id != 0 {
            let product = store::renewable(&mut tx, organization_id)
                .await?
                .into_iter()
                .find(|p| p.product_id == product_id)
                .ok_or_else(|| AppError::not_found("product"))?;
            if store::cart(&mut tx, organization_id)
                .await?
                .iter()
                .any(|l| l.line.product_id == Some(product_id))
            {
                return Err(AppError::validation(
                    "product_id",
                    format!(
                        "The renewal of {} is in the cart already: change its periods there.",
                        product.name
                    ),
                ));
            }
            let as_line = crate::shop::quote::Line {
                id: 0,
                kind: product.kind,
                plan: "standard".into(),
                name: product.name.clone(),
                product_id: Some(product_id),
                purpose: crate::shop::Purpose::Renewal,
                quantity,
                periods,
                promo: None,
                free_offer_id: None,
                auth_code: String::new(),
            };
            if let Some(problem) =
                crate::shop::checkout::domain_line_problem(&mut tx, organization_id, &as_line)
                    .await?
            {
                return Err(AppError::validation("product_id", problem));
            }
            (product.kind, product.name, Some(product_id))
        } else {
            let (kind, name) = super::offer::new_product(&mut tx, &kind, &name, quantity).await?;
            if store::cart(&mut tx, organization_id)
                .await?
                .iter()
                .any(|l| l.line.kind == kind && l.line.name == name && l.line.product_id.is_none())
                && kind == ProductKind::Domain
            {
                return Err(AppError::validation(
                    "name",
                    format!("{name} is not available: it is registered already, or in the cart."),
                ));
            }
            (kind, name, None)
        };
        let plan = "standard";
        if catalogue::current().plan(kind, plan).is_none() {
            return Err(AppError::validation(
                "kind",
                "This product is not sold any more.",
            ));
        }
        let id = store::add_line(
            &mut tx,
            &store::NewLine {
                organization_id,
                kind,
                plan,
                name: &name,
                product_id,
                purpose: if product_id.is_some() {
                    crate::shop::Purpose::Renewal
                } else {
                    crate::shop::Purpose::New
                },
                quantity,
                periods,
                auth_code: "",
                added_by: cx.account()?.id,
                at: cx.now(),
            },
        )
        .await?;
        let what = if product_id.is_some() {
            "renewal of "
        } else {
            ""
        };
        logged(
            &cx,
            tx,
            organization_id,
            &format!("Added: {what}{} {name}", kind.label()),
        )
        .await?;
        Ok(id)
    })
    .await
}

/// Changes a cart line: its quantity and periods, its promo code ("" for none) and its free
/// offer (0 for none). A code that does not exist is refused; one that does not fit stays on
/// the line with the reason.
#[server(endpoint = "update_cart_line")]
pub async fn update_cart_line(
    organization_id: i64,
    line_id: i64,
    quantity: i64,
    periods: i64,
    promo_code: String,
    free_offer_id: i64,
) -> Result<(), AppError> {
    UpdateCartLine::serve(|cx| async move {
        check_amounts(quantity, periods)?;
        let code = normalize_promo_code(&promo_code)?;
        let (mut tx, member) = cx.write_in(organization_id).await?;
        let line = store::cart_line(&mut tx, organization_id, line_id)
            .await?
            .ok_or_else(|| AppError::not_found("cart line"))?;
        // A line about a product (a renewal, a restore): only for those who may pay for it.
        if let Some(product_id) = line.line.product_id {
            cx.billed_products(&mut tx, &member, &[product_id]).await?;
        }
        super::check_product_line_quantity(line.line.product_id, quantity)?;
        if line.line.kind == ProductKind::Domain && line.line.product_id.is_none() && quantity != 1
        {
            return Err(AppError::validation(
                "quantity",
                "A domain name is registered once: order one at a time.",
            ));
        }
        if !code.is_empty() && store::promo_code(&mut tx, &code).await?.is_none() {
            return Err(AppError::validation(
                "promo_code",
                format!("There is no promo code {code}: check its spelling."),
            ));
        }
        let offer = if free_offer_id == 0 {
            None
        } else {
            let offers = store::free_offers(&mut tx, organization_id).await?;
            let offer = offers
                .iter()
                .find(|o| o.id == free_offer_id)
                .ok_or_else(|| AppError::not_found("free offer"))?;
            if offer.kind != line.line.kind {
                return Err(AppError::validation(
                    "free_offer_id",
                    format!("This offer is for a {}.", offer.kind.label().to_lowercase()),
                ));
            }
            Some(free_offer_id)
        };
        if !code.is_empty() && offer.is_some() {
            return Err(AppError::validation(
                "promo_code",
                "A line takes a promo code or a free offer, not both: remove one.",
            ));
        }
        store::update_line(
            &mut tx,
            organization_id,
            line_id,
            quantity,
            periods,
            &code,
            offer,
        )
        .await?;
        let mut detail = format!(
            "{} {}: {quantity} × {periods}",
            line.line.kind.label(),
            line.line.name
        );
        if code != line.promo_code {
            detail.push_str(&if code.is_empty() {
                ", promo code removed".to_owned()
            } else {
                format!(", promo code {code}")
            });
        }
        if offer != line.line.free_offer_id {
            detail.push_str(if offer.is_some() {
                ", free offer chosen"
            } else {
                ", free offer removed"
            });
        }
        logged(&cx, tx, organization_id, &detail).await
    })
    .await
}

/// The cart's one promo-code field: puts the code on the first line it fits (a line without
/// a code or free offer; the cart priced in `currency`) and says which; when it fits none,
/// says why for each line.
#[server(endpoint = "apply_promo_code")]
pub async fn apply_promo_code(
    organization_id: i64,
    currency: String,
    promo_code: String,
) -> Result<super::PromoApplied, AppError> {
    ApplyPromoCode::serve(|cx| async move {
        let currency_text: String = currency;
        use crate::shop::Purpose;
        let currency = ssr::currency(&currency_text)?;
        let code = normalize_promo_code(&promo_code)?;
        if code.is_empty() {
            return Err(AppError::validation("promo_code", "Enter the promo code."));
        }
        let (mut tx, _) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let found = store::promo_code(&mut tx, &code).await?.ok_or_else(|| {
            AppError::validation(
                "promo_code",
                format!("There is no promo code {code}: check its spelling."),
            )
        })?;
        let used = store::promo_code_used(&mut tx, found.id, organization_id).await?;
        let checkout::PricedCart { lines, quote, .. } =
            checkout::priced_cart(&mut tx, organization_id, currency, None, cx.now()).await?;
        if let Some(on) = quote.lines.iter().find(|l| l.promo_code == code) {
            return Err(AppError::validation(
                "promo_code",
                format!("{code} is on {} already.", on.description),
            ));
        }
        let mut reasons = Vec::new();
        let mut chosen = None;
        for (line, quoted) in lines.iter().zip(&quote.lines) {
            let why = if matches!(
                line.purpose,
                Purpose::Restore | Purpose::Warranty | Purpose::Transfer
            ) {
                Some("a promo code does not apply to it.".to_owned())
            } else if line.promo.is_some() {
                Some(format!("it has the code {} already.", quoted.promo_code))
            } else if line.free_offer_id.is_some() {
                Some("it takes a free offer.".to_owned())
            } else {
                found.refusal(line.kind, currency, used, cx.now())
            };
            match why {
                None => {
                    chosen = Some((line, quoted));
                    break;
                }
                Some(why) => reasons.push(format!("{}: {why}", quoted.description)),
            }
        }
        let Some((line, quoted)) = chosen else {
            let message = if reasons.is_empty() {
                "The cart is empty: add the product the code is for first.".to_owned()
            } else {
                format!("{code} fits no line of the cart. {}", reasons.join(" "))
            };
            return Err(AppError::validation("promo_code", message));
        };
        store::update_line(
            &mut tx,
            organization_id,
            line.id,
            line.quantity,
            line.periods,
            &code,
            None,
        )
        .await?;
        let detail = format!("Promo code {code} on {}", quoted.description);
        logged(&cx, tx, organization_id, &detail).await?;
        Ok(super::PromoApplied {
            code,
            line: quoted.description.clone(),
        })
    })
    .await
}

#[server(endpoint = "remove_cart_line")]
pub async fn remove_cart_line(organization_id: i64, line_id: i64) -> Result<(), AppError> {
    RemoveCartLine::serve(|cx| async move {
        let (mut tx, member) = cx.write_in(organization_id).await?;
        let line = store::cart_line(&mut tx, organization_id, line_id)
            .await?
            .ok_or_else(|| AppError::not_found("cart line"))?;
        if let Some(product_id) = line.line.product_id {
            cx.billed_products(&mut tx, &member, &[product_id]).await?;
        }
        store::remove_line(&mut tx, organization_id, line_id).await?;
        logged(
            &cx,
            tx,
            organization_id,
            &format!("Removed: {} {}", line.line.kind.label(), line.line.name),
        )
        .await
    })
    .await
}

/// Places the cart as an order: `payment` is "prepaid" or "bank_transfer"; `key` is the
/// page's own for this order, so a repeated request answers with the order already placed.
#[server(endpoint = "place_order")]
pub async fn place_order(
    organization_id: i64,
    currency: String,
    address_id: i64,
    payment: String,
    key: String,
) -> Result<Placed, AppError> {
    PlaceOrder::serve(|cx| async move {
        let currency_text: String = currency;
        let currency = ssr::currency(&currency_text)?;
        let payment = match Payment::parse(&payment) {
            Some(p @ (Payment::Prepaid | Payment::BankTransfer)) => p,
            _ => {
                return Err(AppError::validation(
                    "payment",
                    "Choose how to pay: prepaid balance or bank transfer.",
                ))
            }
        };
        let (mut tx, member) = cx.write_in(organization_id).await?;
        // An order pays for every line of the cart: the products it renews, restores or
        // warrants must all be ones the caller may pay for.
        let products: Vec<i64> = store::cart(&mut tx, organization_id)
            .await?
            .iter()
            .filter_map(|l| l.line.product_id)
            .collect();
        cx.billed_products(&mut tx, &member, &products)
            .await
            .map_err(|error| match error.code {
                crate::error::ErrorCode::NotFound => AppError::new(
                    crate::error::ErrorCode::Forbidden,
                    "The cart renews a product outside your billing rights: remove that line, or ask an administrator to place this order.",
                ),
                _ => error,
            })?;
        let account = cx.account()?.clone();
        let placed = checkout::place(
            &cx.state,
            &mut tx,
            &member,
            &account,
            &actor(&cx)?,
            Checkout {
                organization_id,
                currency,
                address_id,
                payment,
                key: &key,
            },
        )
        .await?;
        tx.commit().await?;
        let slip = match placed.status {
            OrderStatus::AwaitingPayment => crate::billing::api::ssr::slip(
                crate::billing::api::ssr::Payee::Order(placed.order_id),
                placed.total.currency,
                Some(placed.total),
            )?,
            _ => None,
        };
        Ok(Placed { slip, ..placed })
    })
    .await
}

/// The organization's invoices, newest first, with their orders' state.
#[server(endpoint = "list_invoices")]
pub async fn list_invoices(organization_id: i64) -> Result<Vec<InvoiceSummary>, AppError> {
    ListInvoices::serve(|cx| async move {
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let invoices = store::invoices(&mut tx, organization_id).await?;
        let orders = store::orders(&mut tx, organization_id).await?;
        let mut summaries = Vec::with_capacity(invoices.len());
        for invoice in invoices {
            let Some(order) = orders.iter().find(|o| o.id == invoice.order_id) else {
                continue;
            };
            let items = store::order_lines(&mut tx, order.id)
                .await?
                .iter()
                .map(|l| {
                    checkout::item_text(
                        &super::describe_item(l.purpose, l.kind.label(), &l.name),
                        l.quantity,
                        &l.period,
                        l.periods,
                    )
                })
                .collect();
            summaries.push(InvoiceSummary {
                id: invoice.id,
                order_id: order.id,
                number: super::invoice_number(invoice.currency, invoice.number),
                issued_at: invoice.issued_at,
                total: invoice.total,
                status: order.status,
                payment: order.payment,
                reference: invoice.payment_reference,
                items,
            });
        }
        tx.commit().await?;
        Ok(summaries)
    })
    .await
}

/// Turns a product's automatic renewal on or off (at expiry it renews itself for one period,
/// paid from the prepaid balance; a reminder comes 14 days before).
#[server(endpoint = "set_auto_renew")]
pub async fn set_auto_renew(
    organization_id: i64,
    product_id: i64,
    on: bool,
) -> Result<(), AppError> {
    SetAutoRenew::serve(|cx| async move {
        let (mut tx, _) = cx.write_products(organization_id, &[product_id]).await?;
        crate::products::api::switch_auto_renew(&cx, &mut tx, organization_id, product_id, on)
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The billing address a product's renewals go to, with the organization's addresses to choose
/// from — for those who may pay for it (`None` for everyone else).
#[server(endpoint = "renewal_address")]
pub async fn renewal_address(
    organization_id: i64,
    product_id: i64,
) -> Result<Option<super::RenewalAddress>, AppError> {
    RenewalAddress::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, member) = cx.read_products(organization_id, &[product_id]).await?;
        let may_order = may_pay_for(&mut tx, &member, account.id, product_id).await?;
        if !may_order {
            tx.commit().await?;
            return Ok(None);
        }
        let chosen =
            crate::products::store::renewal_address(&mut tx, organization_id, product_id).await?;
        let addresses = crate::billing::store::addresses(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(Some(super::RenewalAddress {
            chosen: chosen.filter(|id| addresses.iter().any(|a| a.id == *id)),
            addresses,
        }))
    })
    .await
}

/// Chooses the billing address of a product's renewals (BIL-1): `address_id` of one of the
/// organization's addresses, or 0 for its default address. Its automatic renewals are invoiced
/// there; logged on the product.
#[server(endpoint = "set_renewal_address")]
pub async fn set_renewal_address(
    organization_id: i64,
    product_id: i64,
    address_id: i64,
) -> Result<(), AppError> {
    SetRenewalAddress::serve(|cx| async move {
        let (mut tx, _) = cx.write_products(organization_id, &[product_id]).await?;
        let chosen = if address_id == 0 {
            None
        } else {
            Some(
                crate::billing::store::address_of(&mut tx, organization_id, address_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("billing address"))?,
            )
        };
        let before =
            crate::products::store::renewal_address(&mut tx, organization_id, product_id).await?;
        if before == chosen.as_ref().map(|a| a.id) {
            return Ok(());
        }
        crate::products::store::set_renewal_address(
            &mut tx,
            organization_id,
            product_id,
            chosen.as_ref().map(|a| a.id),
        )
        .await?;
        let detail = match &chosen {
            Some(address) => format!("renewals invoiced to {}", address.lines().join(", ")),
            None => "renewals invoiced to the default billing address".to_owned(),
        };
        cx.log(
            &mut tx,
            crate::access::Log::product(
                crate::activity::ActivityAction::RenewalAddressChosen,
                organization_id,
                product_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// A product's renewal for its page: `None` for a domain (its own panel) or a product that
/// does not expire.
#[server(endpoint = "product_renewal")]
pub async fn product_renewal(
    organization_id: i64,
    product_id: i64,
) -> Result<Option<super::RenewalFacts>, AppError> {
    ProductRenewal::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, member) = cx.read_products(organization_id, &[product_id]).await?;
        // Renewing it and switching its automatic renewal: for those who may pay for it.
        let may_order = may_pay_for(&mut tx, &member, account.id, product_id).await?;
        let found = store::renewable(&mut tx, organization_id)
            .await?
            .into_iter()
            .find(|p| p.product_id == product_id);
        let currency = crate::products::store::billing_currency(&mut tx, organization_id).await?;
        tx.commit().await?;
        let Some(product) = found.filter(|p| p.kind != ProductKind::Domain) else {
            return Ok(None);
        };
        let (Some(expires_at), Some(plan)) = (
            product.expires_at,
            catalogue::current().plan(product.kind, "standard"),
        ) else {
            return Ok(None);
        };
        Ok(Some(super::RenewalFacts {
            product_id,
            name: product.name,
            expires_at,
            auto_renew: product.auto_renew,
            price: plan.unit_price(currency),
            period: plan.period.as_str().into(),
            may_order,
        }))
    })
    .await
}

/// Cancels an order that waits for its bank transfer.
#[server(endpoint = "cancel_order")]
pub async fn cancel_order(organization_id: i64, order_id: i64) -> Result<(), AppError> {
    CancelOrder::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        checkout::cancel(&mut tx, organization_id, order_id, &actor(&cx)?).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub(super) use super::super::checkout::{self, Actor, Checkout};
    pub(super) use super::super::{
        check_amounts, normalize_promo_code, store, OrderStatus, Payment, CART_LINES_MAX,
    };
    pub(super) use crate::access::{Context, Log};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::billing::catalogue;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::AppError;
    pub(super) use crate::money::{Currency, Money};
    pub(super) use crate::products::ProductKind;

    pub(super) fn currency(text: &str) -> Result<Currency, AppError> {
        Currency::parse(text).ok_or_else(|| AppError::validation("currency", "Choose CHF or EUR."))
    }

    pub(super) fn actor(cx: &Context) -> Result<Actor<'_>, AppError> {
        Ok(Actor {
            user_id: Some(cx.account()?.id),
            origin: &cx.origin,
            now: cx.now(),
        })
    }

    /// Whether this member may pay for the product (renew it, switch its automatic renewal,
    /// choose its billing address): billing for their role, billing rights on it for those who
    /// reach products one by one, and its management not blocked for them.
    pub(super) async fn may_pay_for(
        tx: &mut Tx,
        member: &crate::access::organization::Member,
        user_id: i64,
        product_id: i64,
    ) -> Result<bool, AppError> {
        if !member.may(crate::policy::Action::UseBilling) {
            return Ok(false);
        }
        let only_for = crate::access::organization::products_for(&member, user_id);
        Ok(
            crate::access::store::reached_product(tx, member.id, only_for, true, product_id)
                .await?
                .is_some_and(|blocked| {
                    crate::access::organization::may_manage(member.role, blocked).is_ok()
                }),
        )
    }

    pub(super) async fn logged(
        cx: &Context,
        mut tx: Tx,
        organization_id: i64,
        detail: &str,
    ) -> Result<(), AppError> {
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::CartChanged, organization_id, detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The invoice as a PDF and its file name: the HTTP route behind the invoices page,
    /// authenticated by the session cookie in `headers`, for those who may use billing.
    pub async fn invoice_pdf(
        state: &crate::state::AppState,
        headers: &http::HeaderMap,
        origin: &crate::request::Origin,
        organization_id: i64,
        invoice_id: i64,
    ) -> Result<(String, Vec<u8>), AppError> {
        crate::access::authentication::authorize_request(
            state,
            headers,
            origin,
            crate::policy::Caller::Reader,
            organization_id,
            crate::policy::Action::UseBilling,
        )
        .await?;
        let mut tx = state.db.read().await?;
        let invoice = store::invoice(&mut tx, organization_id, invoice_id)
            .await?
            .ok_or_else(|| AppError::not_found("invoice"))?;
        let order = store::order_by_id(&mut tx, invoice.order_id)
            .await?
            .ok_or_else(AppError::internal)?;
        tx.commit().await?;
        let status = match (order.status, order.payment) {
            (OrderStatus::Paid, Payment::Prepaid) => "Paid from the prepaid balance".to_owned(),
            (OrderStatus::Paid, Payment::BankTransfer) => "Paid by bank transfer".to_owned(),
            (OrderStatus::Paid, Payment::Nothing) => "Nothing to pay".to_owned(),
            (status, _) => status.label().to_owned(),
        };
        let number = super::super::invoice_number(invoice.currency, invoice.number);
        Ok((
            format!("invoice-{number}.pdf"),
            super::super::pdf::render(&invoice, &status),
        ))
    }
}

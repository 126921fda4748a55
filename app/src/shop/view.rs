//! The shop's pages: the cart (order new products, renew existing ones, promo codes and free
//! offers on the lines, the summary with VAT, checkout) and the invoices.

use super::api::{
    list_invoices, shop_page, AddToCart, CancelOrder, PlaceOrder, RemoveCartLine, SetAutoRenew,
    UpdateCartLine,
};
use super::{
    periods_label, InvoiceSummary, OrderStatus, Payment, QuotedLine, Renewable, INVOICE_PDF_PATH,
    NAME_MAX_CHARS, PERIODS_MAX, PROMO_CODE_MAX_CHARS, QUANTITY_MAX,
};
use crate::components::use_organization_id;
use crate::components::{ErrorPanel, Loading, PageTitle};
use crate::error::AppError;
use crate::format;
use crate::products::ProductKind;
use leptos::prelude::*;

/// Any error of an action, whatever its field, where the person is looking.
#[component]
fn ActionError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div class="form-error" role="alert" aria-live="assertive">
            {move || error.get().map(|e| view! { <p>{e.message}</p> })}
        </div>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let currency = RwSignal::new("CHF".to_owned());
    let add = ServerAction::<AddToCart>::new();
    let renew = ServerAction::<AddToCart>::new();
    let update = ServerAction::<UpdateCartLine>::new();
    let remove = ServerAction::<RemoveCartLine>::new();
    let place = ServerAction::<PlaceOrder>::new();
    let shop = Resource::new(
        move || {
            (
                organization_id.get(),
                currency.get(),
                add.version().get(),
                renew.version().get(),
                update.version().get(),
                remove.version().get(),
                place.version().get(),
            )
        },
        |(organization, currency, ..)| shop_page(organization, currency),
    );
    // Opened from a product page that put a line in the cart ("Renew", "Restore", "Add
    // warranty"): the cart says so.
    let query = leptos_router::hooks::use_query_map();
    let from_product = Memo::new(move |_| query.read().get("added").is_some());
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let renew_error = Signal::derive(move || renew.value().get().and_then(Result::err));
    let cart_error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    let place_error = Signal::derive(move || place.value().get().and_then(Result::err));
    let kind = RwSignal::new(ProductKind::Domain.as_str().to_owned());
    view! {
        <PageTitle text="Shop" />
        <h1>"Shop"</h1>
        <p class="lead">"Order new products and renew existing ones. The cart shows every price, reduction and the VAT before anything is charged."</p>
        <div class="field inline-field">
            <label for="cart-currency">"Prices in"</label>
            <select id="cart-currency" on:change=move |ev| currency.set(event_target_value(&ev)) prop:value=move || currency.get()>
                <option value="CHF" selected=true>"CHF"</option>
                <option value="EUR">"EUR"</option>
            </select>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match shop.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(shop) => {
                        let organization = organization_id.get_untracked();
                        let offerings = shop.offerings.clone();
                        let chosen = offerings.clone();
                        let renewable = shop.renewable.clone();
                        let auto_renewable: Vec<Renewable> = shop.renewable.iter().filter(|p| p.expires_at.is_some()).cloned().collect();
                        let quote = shop.quote.clone();
                        let empty = quote.lines.is_empty();
                        let has_problems = quote.has_problems();
                        let free = quote.total.minor == 0;
                        let balance = shop.balance;
                        let covers = balance.minor >= quote.total.minor;
                        let default_address = shop.addresses.iter().find(|a| a.is_default).or(shop.addresses.first()).map(|a| a.id);
                        let lines = quote.lines.len();
                        let added_here = from_product.get_untracked()
                            || matches!(add.value().get_untracked(), Some(Ok(_)))
                            || matches!(renew.value().get_untracked(), Some(Ok(_)));
                        view! {
                            // The cart beside the catalogue on a wide screen (sticky), first on a
                            // phone with its count and total: what was added is seen at once.
                            <div class="shop-layout">
                            <div class="shop-catalogue">
                            <section class="panel" aria-labelledby="new-product-heading">
                                <h2 id="new-product-heading">"Order a new product"</h2>
                                <p class="muted">"A domain registered elsewhere? "<a href=format!("/o/{organization}/domains/transfer")>"Transfer it to this organization"</a>"."</p>
                                <ActionForm action=add>
                                    <ActionError error=add_error />
                                    <input type="hidden" name="organization_id" value=organization />
                                    <input type="hidden" name="product_id" value="0" />
                                    <div class="form-grid">
                                        <div class="field">
                                            <label for="new-kind">"Product"</label>
                                            <select id="new-kind" name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                                                {offerings.into_iter().map(|o| {
                                                    let value = o.kind.as_str();
                                                    let selected = value == kind.get_untracked();
                                                    view! { <option value=value selected=selected>{format!("{} — {} per {}", o.label, o.unit, o.period)}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="new-name">{move || if kind.get() == "domain" { "Domain name" } else { "Name" }}</label>
                                            <input id="new-name" name="name" required maxlength="253" autocomplete="off"
                                                placeholder=move || if kind.get() == "domain" { "example.ch" } else { "shop" } />
                                        </div>
                                        <div class="field">
                                            <label for="new-quantity">"Quantity"</label>
                                            <input id="new-quantity" name="quantity" type="number" min="1" max=QUANTITY_MAX.to_string() value="1" required />
                                        </div>
                                        <div class="field">
                                            <label for="new-periods">{move || {
                                                let period = chosen.iter().find(|o| o.kind.as_str() == kind.get()).map_or("year", |o| if o.period == "month" { "month" } else { "year" });
                                                format!("Number of {period}s")
                                            }}</label>
                                            <input id="new-periods" name="periods" type="number" min="1" max=PERIODS_MAX.to_string() value="1" required />
                                        </div>
                                    </div>
                                    <p class="muted">{format!("A name has at most {NAME_MAX_CHARS} characters; a domain is checked for availability. Volume rates apply to the whole quantity.")}</p>
                                    <div class="button-row">
                                        <button class="button primary" type="submit" disabled=move || add.pending().get()>"Add to the cart"</button>
                                    </div>
                                    // Said where the button was pressed, with the way to the cart.
                                    {move || matches!(add.value().get(), Some(Ok(_))).then(|| view! {
                                        <p class="notice" role="status" data-testid="added-feedback">
                                            "Added to the cart. " <a href="#cart">"See the cart"</a>
                                        </p>
                                    })}
                                </ActionForm>
                            </section>
                            {(!renewable.is_empty()).then(|| view! {
                                <section class="panel" aria-labelledby="renew-heading">
                                    <h2 id="renew-heading">"Renew a product"</h2>
                                    <ActionForm action=renew>
                                        <ActionError error=renew_error />
                                        <input type="hidden" name="organization_id" value=organization />
                                        <input type="hidden" name="kind" value="" />
                                        <input type="hidden" name="name" value="" />
                                        <input type="hidden" name="quantity" value="1" />
                                        <div class="form-grid">
                                            <div class="field">
                                                <label for="renew-product">"Product"</label>
                                                <select id="renew-product" name="product_id">
                                                    {renewable.into_iter().map(|p| {
                                                        let until = p.expires_at.map(|e| format!(", expires {}", format::date(e))).unwrap_or_default();
                                                        view! { <option value=p.product_id>{format!("{} ({}{until})", p.name, p.kind.label())}</option> }
                                                    }).collect_view()}
                                                </select>
                                            </div>
                                            <div class="field">
                                                <label for="renew-periods">"Periods"</label>
                                                <input id="renew-periods" name="periods" type="number" min="1" max=PERIODS_MAX.to_string() value="1" required />
                                            </div>
                                        </div>
                                        <div class="button-row">
                                            <button class="button secondary" type="submit" disabled=move || renew.pending().get()>"Add the renewal"</button>
                                        </div>
                                    </ActionForm>
                                </section>
                            })}
                            {(!auto_renewable.is_empty()).then(|| {
                                let count = auto_renewable.len();
                                view! {
                                <section class="panel" aria-labelledby="auto-renew-heading">
                                    <h2 id="auto-renew-heading">"Automatic renewal"</h2>
                                    <p class="muted">"At expiry, a product with automatic renewal renews itself for one period, paid from the prepaid balance; a reminder comes 14 days before (Billing notifications). A domain's own page has its switch too."</p>
                                    <details class="disclosure">
                                        <summary>{format!("Automatic renewal of each product ({count})")}</summary>
                                        <ul class="switch-list">
                                            {auto_renewable.into_iter().map(|product| view! { <AutoRenewSwitch organization product /> }).collect_view()}
                                        </ul>
                                    </details>
                                </section>
                            }})}
                            </div>
                            <aside class="shop-cart" id="cart" aria-label="Your cart">
                            <section class="panel" aria-labelledby="cart-heading">
                                <h2 id="cart-heading">{if lines == 0 { "Cart".to_owned() } else { format!("Cart ({lines})") }}</h2>
                                {added_here.then(|| view! { <p class="notice" role="status" data-testid="added-to-cart">"Added to the cart: check it here, then place the order."</p> })}
                                <ActionError error=cart_error />
                                {if empty {
                                    view! { <p class="muted" data-testid="cart-empty">"The cart is empty."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="cart-lines" data-testid="cart">
                                            // Newest first: what was just added shows right under the cart's heading.
                                            {quote.lines.clone().into_iter().rev().map(|line| view! { <CartLine organization line update remove /> }).collect_view()}
                                        </ul>
                                        <dl class="totals" data-testid="cart-totals">
                                            <dt>"Net (VAT excluded)"</dt>
                                            <dd>{quote.net.to_string()}</dd>
                                            {quote.vat.iter().map(|v| view! {
                                                <dt>{format!("VAT {} on {}", v.rate.label(), v.base)}</dt>
                                                <dd>{v.tax.to_string()}</dd>
                                            }).collect_view()}
                                            {(quote.rounding.minor != 0).then(|| view! {
                                                <dt>"Rounding to 0.05"</dt>
                                                <dd>{quote.rounding.to_string()}</dd>
                                            })}
                                            <dt class="total">"Total"</dt>
                                            <dd class="total" data-testid="cart-total">{quote.total.to_string()}</dd>
                                        </dl>
                                    }.into_any()
                                }}
                            </section>
                            {(!empty).then(|| view! {
                                <section class="panel" aria-labelledby="checkout-heading">
                                    <h2 id="checkout-heading">"Checkout"</h2>
                                    <ActionForm action=place>
                                        <ActionError error=place_error />
                                        <input type="hidden" name="organization_id" value=organization />
                                        <input type="hidden" name="currency" value=quote.currency.code() />
                                        <input type="hidden" name="key" value=shop.order_key.clone() />
                                        {if shop.addresses.is_empty() {
                                            view! {
                                                <p>"Invoices need a billing address: "
                                                    <a href=format!("/o/{organization}/billing/addresses")>"add one"</a>" first."</p>
                                                <input type="hidden" name="address_id" value="0" />
                                            }.into_any()
                                        } else {
                                            view! {
                                                <div class="field">
                                                    <label for="checkout-address">"Billing address"</label>
                                                    <select id="checkout-address" name="address_id">
                                                        {shop.addresses.clone().into_iter().map(|a| {
                                                            let selected = Some(a.id) == default_address;
                                                            let text = a.lines().join(", ");
                                                            view! { <option value=a.id selected=selected>{text}</option> }
                                                        }).collect_view()}
                                                    </select>
                                                </div>
                                            }.into_any()
                                        }}
                                        {if free {
                                            view! {
                                                <p>"Nothing to pay: the order is carried out at once."</p>
                                                <input type="hidden" name="payment" value="prepaid" />
                                            }.into_any()
                                        } else {
                                            view! {
                                                <fieldset class="choices">
                                                    <legend>"Payment"</legend>
                                                    <label>
                                                        <input type="radio" name="payment" value="prepaid" checked=covers disabled=!covers />
                                                        {format!(" Prepaid balance ({balance}{})", if covers { "" } else { ": not enough" })}
                                                    </label>
                                                    <label>
                                                        <input type="radio" name="payment" value="bank_transfer" checked=!covers />
                                                        " Bank transfer (the order is carried out when it arrives)"
                                                    </label>
                                                </fieldset>
                                            }.into_any()
                                        }}
                                        <div class="button-row">
                                            <button class="button primary" type="submit" data-testid="place-order"
                                                disabled=move || place.pending().get() || has_problems>
                                                {format!("Place the order: {}", quote.total)}
                                            </button>
                                        </div>
                                        {has_problems.then(|| view! { <p class="muted">"Correct the lines marked above before placing the order."</p> })}
                                    </ActionForm>
                                </section>
                            })}
                            </aside>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        {move || place.value().get().and_then(Result::ok).map(|placed| {
            let organization = organization_id.get_untracked();
            view! {
                <section class="panel success" role="status" data-testid="order-placed">
                    <h2>{format!("Order placed: invoice {}", placed.invoice)}</h2>
                    {match placed.status {
                        OrderStatus::AwaitingPayment => view! {
                            <p>{format!("Transfer {} with the reference ", placed.total)}<strong class="nowrap" data-testid="order-reference">{placed.reference.clone()}</strong>". The order is carried out when the transfer arrives."</p>
                            {placed.slip.clone().map(|slip| view! {
                                <div class="slip">
                                    <div class="slip-code"><crate::billing::view::QrBillCode slip=slip.clone() /></div>
                                    <div class="slip-text"><crate::billing::view::SlipDetails slip /></div>
                                </div>
                            })}
                        }.into_any(),
                        _ => view! { <p>{format!("Paid ({}): the products are ready.", placed.total)}</p> }.into_any(),
                    }}
                    <p>
                        <a rel="external" href=format!("{INVOICE_PDF_PATH}?organization={organization}&invoice={}", placed.invoice_id)>"Invoice (PDF)"</a>
                        " · "
                        <a href=format!("/o/{organization}/billing/invoices")>"All invoices"</a>
                    </p>
                </section>
            }
        })}
    }
}

/// A product's automatic renewal, saved the moment it changes.
#[component]
fn AutoRenewSwitch(organization: i64, product: Renewable) -> impl IntoView {
    let save = ServerAction::<SetAutoRenew>::new();
    let id = format!("auto-renew-{}", product.product_id);
    let product_id = product.product_id;
    let status = move || crate::components::save_status(save.pending().get(), save.value().get());
    let until = product
        .expires_at
        .map(|e| format!("expires {}", format::date(e)))
        .unwrap_or_default();
    view! {
        <li class="switch-row">
            <input type="checkbox" id=id.clone() checked=product.auto_renew
                aria-describedby=format!("{id}-description {id}-status")
                on:change=move |ev| {
                    save.dispatch(SetAutoRenew { organization_id: organization, product_id, on: event_target_checked(&ev) });
                } />
            <label for=id.clone()>{format!("{} ({})", product.name, product.kind.label())}</label>
            <span class="muted" id=format!("{id}-description")>{until}</span>
            <span class="saved-status" id=format!("{id}-status") role="status">{status}</span>
        </li>
    }
}

/// One cart line: what it is, its price and reductions, and its own small form.
#[component]
fn CartLine(
    organization: i64,
    line: QuotedLine,
    update: ServerAction<UpdateCartLine>,
    remove: ServerAction<RemoveCartLine>,
) -> impl IntoView {
    let id = line.id;
    let prefix = format!("line-{id}");
    let period_text = periods_label(&line.period, line.periods);
    let domain_once = line.kind == ProductKind::Domain && !line.renewal;
    let (apply_label, remove_label) = (
        format!(" to {}", line.description),
        format!(" {}", line.description),
    );
    view! {
        <li class="cart-line" data-testid="cart-line">
            <div class="cart-line-head">
                <strong>{line.description.clone()}</strong>
                <span class="muted">{format!(" — {} × {period_text}", line.quantity)}</span>
                <span class="amount">{line.list.to_string()}</span>
            </div>
            {(!line.reductions.is_empty()).then(|| view! {
                <ul class="reductions">
                    {line.reductions.iter().map(|r| view! {
                        <li><span>{r.label.clone()}</span><span class="amount">{r.taken.negated().to_string()}</span></li>
                    }).collect_view()}
                </ul>
            })}
            <div class="cart-line-net">
                <span>{format!("Line total (VAT {} excluded)", line.vat_rate.label())}</span>
                <span class="amount" data-testid="line-net">{line.net.to_string()}</span>
            </div>
            {line.problem.clone().map(|p| view! { <p class="problem" role="alert" data-testid="line-problem">{p}</p> })}
            <ActionForm action=update>
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="line_id" value=id />
                <div class="form-grid">
                    {if domain_once {
                        view! { <input type="hidden" name="quantity" value="1" /> }.into_any()
                    } else {
                        view! {
                            <div class="field">
                                <label for=format!("{prefix}-quantity")>"Quantity"</label>
                                <input id=format!("{prefix}-quantity") name="quantity" type="number" min="1" max=QUANTITY_MAX.to_string() value=line.quantity required />
                            </div>
                        }.into_any()
                    }}
                    <div class="field">
                        <label for=format!("{prefix}-periods")>{if line.period == "month" { "Months" } else { "Years" }}</label>
                        <input id=format!("{prefix}-periods") name="periods" type="number" min="1" max=PERIODS_MAX.to_string() value=line.periods required />
                    </div>
                    <div class="field">
                        <label for=format!("{prefix}-code")>"Promo code"</label>
                        <input id=format!("{prefix}-code") name="promo_code" maxlength=PROMO_CODE_MAX_CHARS.to_string() autocomplete="off" value=line.promo_code.clone() />
                    </div>
                    {if line.offers.is_empty() {
                        view! { <input type="hidden" name="free_offer_id" value="0" /> }.into_any()
                    } else {
                        let chosen = line.free_offer_id;
                        view! {
                            <div class="field">
                                <label for=format!("{prefix}-offer")>"Free offer"</label>
                                <select id=format!("{prefix}-offer") name="free_offer_id">
                                    <option value="0" selected=chosen.is_none()>"None"</option>
                                    {line.offers.iter().map(|o| view! { <option value=o.id selected=chosen == Some(o.id)>{o.label.clone()}</option> }).collect_view()}
                                </select>
                            </div>
                        }.into_any()
                    }}
                </div>
                <div class="button-row">
                    <button class="button small" type="submit" disabled=move || update.pending().get()>
                        "Apply" <span class="visually-hidden">{apply_label}</span>
                    </button>
                </div>
            </ActionForm>
            <ActionForm action=remove>
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="line_id" value=id />
                <button class="button small danger" type="submit">
                    "Remove" <span class="visually-hidden">{remove_label}</span>
                </button>
            </ActionForm>
        </li>
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let cancel = ServerAction::<CancelOrder>::new();
    let invoices = Resource::new(
        move || (organization_id.get(), cancel.version().get()),
        |(organization, _)| list_invoices(organization),
    );
    let cancelling = RwSignal::new(None::<InvoiceSummary>);
    Effect::new(move |_| {
        if let Some(Ok(())) = cancel.value().get() {
            cancelling.set(None);
        }
    });
    let cancel_error = Signal::derive(move || cancel.value().get().and_then(Result::err));
    // Filters: by the order's state and by currency ("" for all).
    let shown_status = RwSignal::new(String::new());
    let shown_currency = RwSignal::new(String::new());
    let shows = move |invoice: &InvoiceSummary| {
        let status = shown_status.get();
        let currency = shown_currency.get();
        (status.is_empty() || invoice.status.as_str() == status)
            && (currency.is_empty() || invoice.total.currency.code() == currency)
    };
    view! {
        <PageTitle text="Invoices" />
        <h1>"Invoices"</h1>
        <p class="lead">"Every order's invoice, as issued. An order paid by bank transfer is carried out when the transfer arrives; until then it can be cancelled."</p>
        <ActionError error=cancel_error />
        <div class="field-row filters">
            <div class="field">
                <label for="invoice-status">"State"</label>
                <select id="invoice-status" on:change=move |ev| shown_status.set(event_target_value(&ev))>
                    <option value="">"All"</option>
                    <option value=OrderStatus::AwaitingPayment.as_str()>{OrderStatus::AwaitingPayment.label()}</option>
                    <option value=OrderStatus::Paid.as_str()>{OrderStatus::Paid.label()}</option>
                    <option value=OrderStatus::Cancelled.as_str()>{OrderStatus::Cancelled.label()}</option>
                </select>
            </div>
            <div class="field">
                <label for="invoice-currency">"Currency"</label>
                <select id="invoice-currency" on:change=move |ev| shown_currency.set(event_target_value(&ev))>
                    <option value="">"All"</option>
                    <option value="CHF">"CHF"</option>
                    <option value="EUR">"EUR"</option>
                </select>
            </div>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match invoices.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted">"No invoice yet: orders placed in the "<a href=format!("/o/{}/billing/shop", organization_id.get_untracked())>"shop"</a>" appear here."</p>
                    }.into_any(),
                    Ok(list) => {
                        let organization = organization_id.get_untracked();
                        view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Invoices">
                                <table data-testid="invoices">
                                    <caption class="visually-hidden">"Invoices of this organization"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Invoice"</th>
                                            <th scope="col">"Date"</th>
                                            <th scope="col">"Items"</th>
                                            <th scope="col" class="amount">"Total"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {move || list.iter().filter(|i| shows(i)).cloned().map(|invoice| {
                                            let for_cancel = invoice.clone();
                                            let awaiting = invoice.status == OrderStatus::AwaitingPayment;
                                            let status = match (invoice.status, invoice.payment) {
                                                (OrderStatus::Paid, Payment::Prepaid) => "Paid from the prepaid balance".to_owned(),
                                                (OrderStatus::Paid, Payment::BankTransfer) => "Paid by bank transfer".to_owned(),
                                                (OrderStatus::Paid, Payment::Nothing) => "Nothing to pay".to_owned(),
                                                (status, _) => status.label().to_owned(),
                                            };
                                            view! {
                                                <tr data-testid="invoice-row">
                                                    <td data-label="Invoice">
                                                        <a rel="external" href=format!("{INVOICE_PDF_PATH}?organization={organization}&invoice={}", invoice.id)>
                                                            {invoice.number.clone()}<span class="visually-hidden">" (PDF)"</span>
                                                        </a>
                                                    </td>
                                                    <td data-label="Date">{format::date(invoice.issued_at)}</td>
                                                    <td data-label="Items">{invoice.items.join("; ")}</td>
                                                    <td data-label="Total" class="amount">{invoice.total.to_string()}</td>
                                                    <td data-label="Status">
                                                        {status}
                                                        {awaiting.then(|| view! { <span class="muted">{format!(" — reference {}", invoice.reference)}</span> })}
                                                    </td>
                                                    <td data-label="Actions">
                                                        {awaiting.then(|| view! {
                                                            <button class="button small danger" type="button" on:click=move |_| cancelling.set(Some(for_cancel.clone()))>
                                                                "Cancel" <span class="visually-hidden">{format!(" order {}", invoice.order_id)}</span>
                                                            </button>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        {move || cancelling.get().map(|invoice| view! {
            <div class="confirm-box" role="group" aria-labelledby="cancel-order-heading">
                <h2 id="cancel-order-heading">{format!("Cancel the order of invoice {}?", invoice.number)}</h2>
                <p>"Nothing is ordered. If the bank transfer is already on its way, its amount is credited to the prepaid account when it arrives; from there it pays a new order or can be requested back."</p>
                <ActionForm action=cancel>
                    <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                    <input type="hidden" name="order_id" value=invoice.order_id />
                    <div class="button-row">
                        <button class="button danger" type="submit">"Cancel the order"</button>
                        <button class="button secondary" type="button" on:click=move |_| cancelling.set(None)>"Keep it"</button>
                    </div>
                </ActionForm>
            </div>
        })}
    }
}

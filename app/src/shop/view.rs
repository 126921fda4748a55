//! The shop's pages: the cart (order new products, renew existing ones, promo codes and free
//! offers on the lines, the summary with VAT, checkout) and the invoices.

use super::api::{
    list_invoices, shop_page, AddToCart, ApplyPromoCode, CancelOrder, PlaceOrder, RemoveCartLine,
    SetAutoRenew, UpdateCartLine,
};
use super::{
    periods_label, InvoiceSummary, OrderStatus, Payment, QuotedLine, Renewable, INVOICE_PDF_PATH,
    NAME_MAX_CHARS, PERIODS_MAX, PROMO_CODE_MAX_CHARS, QUANTITY_MAX,
};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::{ErrorPanel, Loading, PageTitle};
use crate::error::AppError;
use crate::format;
use crate::products::ProductKind;
use leptos::prelude::*;

/// Any error of an action, whatever its field, where the person is looking.
#[component]
pub fn ActionError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
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
    let add = FormAction::<AddToCart>::new();
    let renew = FormAction::<AddToCart>::new();
    let update = FormAction::<UpdateCartLine>::new();
    let remove = FormAction::<RemoveCartLine>::new();
    let place = FormAction::<PlaceOrder>::new();
    let apply = FormAction::<ApplyPromoCode>::new();
    let add_found = FormAction::<AddToCart>::new();
    let shop = resource(
        move || {
            (
                organization_id.get(),
                currency.get(),
                add.version().get(),
                renew.version().get(),
                update.version().get(),
                remove.version().get(),
                (
                    place.version().get(),
                    apply.version().get(),
                    add_found.version().get(),
                ),
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
    let apply_error = Signal::derive(move || apply.value().get().and_then(Result::err));
    // The top bar's cart count follows every change of the cart.
    Effect::new(move |previous: Option<()>| {
        (
            add.version().get(),
            renew.version().get(),
            update.version().get(),
            remove.version().get(),
            (place.version().get(), add_found.version().get()),
        );
        if previous.is_some() {
            crate::components::frame_changed();
        }
    });
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
                        let described = offerings.clone();
                        let renewable = shop.renewable.clone();
                        let auto_renewable: Vec<Renewable> = shop.renewable.iter().filter(|p| p.expires_at.is_some()).cloned().collect();
                        let quote = shop.quote.clone();
                        let empty = quote.lines.is_empty();
                        let has_problems = quote.has_problems();
                        let free = quote.total.minor == 0;
                        let balance = shop.balance;
                        let covers = balance.minor >= quote.total.minor;
                        let default_address = shop.addresses.iter().find(|a| a.is_default).or(shop.addresses.first()).map(|a| a.id);
                        let partner_pays = shop.paid_by.is_some();
                        let may_pay = shop.paid_by.as_ref().is_none_or(|by| by.may_pay);
                        let lines = quote.lines.len();
                        let added_here = from_product.get_untracked()
                            || matches!(add.value().get_untracked(), Some(Ok(_)))
                            || matches!(renew.value().get_untracked(), Some(Ok(_)))
                            || matches!(add_found.value().get_untracked(), Some(Ok(_)));
                        view! {
                            // The cart beside the catalogue on a wide screen (sticky), first on a
                            // phone with its count and total: what was added is seen at once.
                            <div class="shop-layout">
                            <div class="shop-catalogue">
                            <DomainSearch organization add=add_found />
                            <section class="panel" aria-labelledby="new-product-heading">
                                <h2 id="new-product-heading">"Order a new product"</h2>
                                <p class="muted">"A domain registered elsewhere? "<a href=format!("/o/{organization}/domains/transfer")>"Transfer it to this organization"</a>"."</p>
                                <ServerForm action=add>
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
                                            // What the chosen product is for, from the catalogue.
                                            <p class="muted field-hint" data-testid="offering-description">{move || {
                                                described.iter().find(|o| o.kind.as_str() == kind.get()).map(|o| o.description.clone()).unwrap_or_default()
                                            }}</p>
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
                                    // Said beside the button that was pressed, with the way to the cart.
                                    <div class="button-row">
                                        <button class="button primary" type="submit" disabled=move || add.pending().get()>"Add to the cart"</button>
                                        {move || matches!(add.value().get(), Some(Ok(_))).then(|| view! {
                                            <span class="notice inline-notice" role="status" data-testid="added-feedback">
                                                "Added to the cart. " <a href="#cart">"See the cart"</a>
                                            </span>
                                        })}
                                    </div>
                                </ServerForm>
                            </section>
                            {(!renewable.is_empty()).then(|| view! {
                                <section class="panel" aria-labelledby="renew-heading">
                                    <h2 id="renew-heading">"Renew a product"</h2>
                                    <ServerForm action=renew>
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
                                    </ServerForm>
                                </section>
                            })}
                            // Switched where the product is (its page) or for several at once
                            // (the products list): the shop only says where, and how many renew.
                            {(!auto_renewable.is_empty()).then(|| {
                                let on = auto_renewable.iter().filter(|p| p.auto_renew).count();
                                let count = auto_renewable.len();
                                view! {
                                <section class="panel" aria-labelledby="auto-renew-heading">
                                    <h2 id="auto-renew-heading">"Automatic renewal"</h2>
                                    <p data-testid="auto-renew-summary">{format!("{on} of {count} products with an expiry renew themselves at expiry, for one period paid from the prepaid balance; a reminder comes 14 days before (Billing notifications).")}</p>
                                    <p class="muted">"Switch it on a product's page, or for several at once in "<a href=format!("/o/{organization}/products")>"Products"</a>" (select them, then Automatic renewal: Turn on)."</p>
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
                                        // One promo-code field for the cart: the code finds the
                                        // line it fits, and the line says so.
                                        <ServerForm action=apply>
                                            <input type="hidden" name="organization_id" value=organization />
                                            <input type="hidden" name="currency" value=quote.currency.code() />
                                            <div class="search-row">
                                                <div class="field grow">
                                                    <label for="cart-promo-code">"Promo code"</label>
                                                    <input id="cart-promo-code" name="promo_code" maxlength=PROMO_CODE_MAX_CHARS.to_string() autocomplete="off" autocapitalize="characters" spellcheck="false" />
                                                </div>
                                                <button class="button secondary" type="submit" disabled=move || apply.pending().get()>"Apply the code"</button>
                                            </div>
                                            <ActionError error=apply_error />
                                            {move || apply.value().get().and_then(Result::ok).map(|applied| view! {
                                                <p class="notice" role="status" data-testid="promo-applied">{format!("{} applied to {}.", applied.code, applied.line)}</p>
                                            })}
                                        </ServerForm>
                                    }.into_any()
                                }}
                            </section>
                            {(!empty).then(|| view! {
                                <section class="panel" aria-labelledby="checkout-heading">
                                    <h2 id="checkout-heading">"Checkout"</h2>
                                    <ServerForm action=place>
                                        <ActionError error=place_error />
                                        <input type="hidden" name="organization_id" value=organization />
                                        <input type="hidden" name="currency" value=quote.currency.code() />
                                        <input type="hidden" name="key" value=shop.order_key.clone() />
                                        {shop.paid_by.clone().map(|by| view! {
                                            <p class="notice" data-testid="paid-by-partner">
                                                {format!("{} pays for this order from its prepaid balance, at its partner price: the invoice is addressed to {}.", by.partner, by.partner)}
                                                {(!by.may_pay).then(|| format!(" Only people of {} with billing rights place it.", by.partner))}
                                            </p>
                                        })}
                                        {if shop.addresses.is_empty() && partner_pays {
                                            view! {
                                                <p>{format!("{} needs a billing address for the invoice: one of its people adds it under its own Billing addresses.", shop.paid_by.as_ref().map(|by| by.partner.clone()).unwrap_or_default())}</p>
                                                <input type="hidden" name="address_id" value="0" />
                                            }.into_any()
                                        } else if shop.addresses.is_empty() {
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
                                                    {(!partner_pays).then(|| view! {
                                                        <label>
                                                            <input type="radio" name="payment" value="bank_transfer" checked=!covers />
                                                            " Bank transfer (the order is carried out when it arrives)"
                                                        </label>
                                                    })}
                                                </fieldset>
                                            }.into_any()
                                        }}
                                        <div class="button-row">
                                            <button class="button primary" type="submit" data-testid="place-order"
                                                disabled=move || place.pending().get() || has_problems || !may_pay>
                                                {format!("Place the order: {}", quote.total)}
                                            </button>
                                        </div>
                                        {has_problems.then(|| view! { <p class="muted">"Correct the lines marked above before placing the order."</p> })}
                                    </ServerForm>
                                </section>
                            })}
                            </aside>
                            </div>
                            // On a phone, the cart's summary stays at the bottom of the screen.
                            {(!empty).then(|| view! {
                                <a class="cart-summary-bar" href="#cart" data-testid="cart-summary-bar">
                                    <crate::components::Icon path=crate::components::CART_ICON />
                                    <span>{format!("Cart ({lines})")}</span>
                                    <strong class="nowrap">{quote.total.to_string()}</strong>
                                    <span class="see">"See the cart"</span>
                                </a>
                            })}
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

/// The renewal panel of a product page, for every kind but domains (whose panel has its own).
pub fn renewal_panel(kind: ProductKind, organization_id: i64, product_id: i64) -> Option<AnyView> {
    let own = (kind != ProductKind::Domain)
        .then(|| view! { <RenewalPanel organization_id product_id /> });
    Some(view! { {own} <RenewalAddressPanel organization_id product_id /> }.into_any())
}

/// The billing address the product's renewals are invoiced to (BIL-1), for those who may pay
/// for it: the default address unless another is chosen here.
#[component]
fn RenewalAddressPanel(organization_id: i64, product_id: i64) -> impl IntoView {
    use super::api::{renewal_address, SetRenewalAddress};
    let save = FormAction::<SetRenewalAddress>::new();
    let facts = resource(
        move || save.version().get(),
        move |_| renewal_address(organization_id, product_id),
    );
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                facts.await.ok().flatten().map(|f| {
                    let current = f.chosen.unwrap_or(0);
                    let chosen = RwSignal::new(current);
                    let default = f.addresses.iter().find(|a| a.is_default).map(|a| a.lines().join(", "));
                    let no_address = f.addresses.is_empty();
                    view! {
                        <section class="panel" aria-labelledby="renewal-address-heading" data-testid="renewal-address">
                            <h2 id="renewal-address-heading">"Billing address for its renewals"</h2>
                            {if no_address {
                                view! { <p class="muted">"The organization has no billing address yet: add one under Billing addresses."</p> }.into_any()
                            } else {
                                view! {
                                    <ServerForm action=save attr:class="inline-form">
                                        <input type="hidden" name="organization_id" value=organization_id />
                                        <input type="hidden" name="product_id" value=product_id />
                                        <label for="renewal-address">"Invoices of its renewals, automatic ones included, go to"</label>
                                        " "
                                        <select id="renewal-address" name="address_id"
                                            on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(current))>
                                            <option value="0" selected=current == 0>{format!("The default address ({})", default.clone().unwrap_or_default())}</option>
                                            {f.addresses.iter().map(|a| {
                                                let id = a.id;
                                                view! { <option value=id selected=current == id>{a.lines().join(", ")}</option> }
                                            }).collect_view()}
                                        </select>
                                        " "
                                        <button class="button small primary" type="submit" disabled=move || chosen.get() == current>"Save"</button>
                                    </ServerForm>
                                }.into_any()
                            }}
                            <ActionError error />
                            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"Saved: its next renewals are invoiced to this address."</p> })}
                        </section>
                    }
                })
            })}
        </Transition>
    }
}

/// When the product expires, whether it renews itself (and the switch), and Renew: the line
/// goes into the cart, which is shown.
#[component]
fn RenewalPanel(organization_id: i64, product_id: i64) -> impl IntoView {
    use super::api::product_renewal;
    let renew = FormAction::<AddToCart>::new();
    let switch = FormAction::<SetAutoRenew>::new();
    let facts = resource(
        move || switch.version().get(),
        move |_| product_renewal(organization_id, product_id),
    );
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if matches!(renew.value().get(), Some(Ok(_))) {
            navigate(
                &format!("/o/{organization_id}/billing/shop?added=1#cart"),
                Default::default(),
            );
        }
    });
    let error = Signal::derive(move || {
        renew
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| switch.value().get().and_then(Result::err))
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                facts.await.ok().flatten().map(|f| {
                    let expires = format::date(f.expires_at);
                    let on = f.auto_renew;
                    let unit = if f.period == "month" { "month" } else { "year" };
                    view! {
                        <section class="panel renewal-panel" aria-labelledby="renewal-heading" data-testid="renewal">
                            <h2 id="renewal-heading">"Renewal"</h2>
                            <p data-testid="auto-renew-state">
                                {if on {
                                    view! { <span class="status status-on">"Automatic renewal on"</span> {format!(" Renews itself on {expires} for one {unit} ({}), paid from the prepaid balance; a reminder comes 14 days before.", f.price)} }.into_any()
                                } else {
                                    view! { <span class="status status-off">"Automatic renewal off"</span> {format!(" Expires on {expires} unless it is renewed; one {unit} costs {}.", f.price)} }.into_any()
                                }}
                            </p>
                            {f.may_order.then(|| view! { <RenewControls organization_id product_id on months=unit == "month" renew switch /> })}
                            <ActionError error />
                        </section>
                    }
                })
            })}
        </Transition>
    }
}

/// A domain search: the name typed, and the answer — available, with its yearly price and
/// `add` (the form that puts that name in a cart), or taken, with `taken` (what to do instead).
/// The shop and the order page (signed out) open on it.
#[component]
pub fn DomainSearchBox(
    heading: &'static str,
    label: &'static str,
    search: FormAction<super::guest::FindDomain>,
    add: impl Fn(String) -> AnyView + Send + Sync + 'static,
    taken: impl Fn() -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let (add, taken) = (std::sync::Arc::new(add), std::sync::Arc::new(taken));
    let search_error = Signal::derive(move || search.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="domain-search-heading">
            <h2 id="domain-search-heading">{heading}</h2>
            <ServerForm action=search>
                <ActionError error=search_error />
                <div class="search-row">
                    <div class="field grow">
                        <label for="domain-search">{label}</label>
                        <input id="domain-search" name="name" required maxlength="253" autocomplete="off"
                            autocapitalize="none" spellcheck="false" placeholder="example.ch" />
                    </div>
                    <button class="button primary" type="submit" disabled=move || search.pending().get()>"Search"</button>
                </div>
            </ServerForm>
            {move || {
                let (add, taken) = (add.clone(), taken.clone());
                search.value().get().and_then(Result::ok).map(move |found| {
                    if found.available {
                        let price = found.price.map(|p| format!("{p} a year")).unwrap_or_default();
                        view! {
                            <div class="search-result available" data-testid="domain-result">
                                <p><strong>{found.name.clone()}</strong>" is available: " <span class="nowrap">{price}</span>" (VAT excluded)."</p>
                                {add(found.name.clone())}
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <div class="search-result taken" data-testid="domain-result">
                                <p><strong>{found.name.clone()}</strong>" is taken. " {taken()}</p>
                            </div>
                        }.into_any()
                    }
                })
            }}
        </section>
    }
}

/// Renew (a number of months or years → the cart) and the automatic-renewal switch, for a
/// product's page: one set of controls for domains and every other product.
#[component]
pub fn RenewControls(
    organization_id: i64,
    product_id: i64,
    /// Automatic renewal is on now.
    on: bool,
    /// The plan counts months (else years).
    months: bool,
    renew: FormAction<AddToCart>,
    switch: FormAction<SetAutoRenew>,
) -> impl IntoView {
    view! {
        <div class="button-row">
            <ServerForm action=renew attr:class="inline-form renew-form">
                <input type="hidden" name="organization_id" value=organization_id />
                <input type="hidden" name="product_id" value=product_id />
                <input type="hidden" name="kind" value="" />
                <input type="hidden" name="name" value="" />
                <input type="hidden" name="quantity" value="1" />
                <label for="renew-periods-page">{if months { "Months" } else { "Years" }}</label>
                <input id="renew-periods-page" name="periods" type="number" min="1" max=PERIODS_MAX.to_string() value=if months { "12" } else { "1" } required />
                <button class="button primary" type="submit" disabled=move || renew.pending().get()>"Renew"</button>
            </ServerForm>
            <ServerForm action=switch attr:class="inline-form">
                <input type="hidden" name="organization_id" value=organization_id />
                <input type="hidden" name="product_id" value=product_id />
                <input type="hidden" name="on" value=(!on).to_string() />
                <button class="button secondary" type="submit" disabled=move || switch.pending().get()>
                    {if on { "Turn automatic renewal off" } else { "Turn automatic renewal on" }}
                </button>
            </ServerForm>
        </div>
    }
}

/// The shop opens on a domain search: a name typed, its availability and price, and Add.
#[component]
fn DomainSearch(organization: i64, add: FormAction<AddToCart>) -> impl IntoView {
    let search = FormAction::<super::guest::FindDomain>::new();
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <DomainSearchBox
            heading="Search for a domain"
            label="Domain to find"
            search
            add=move |name: String| view! {
                <ServerForm action=add>
                    <input type="hidden" name="organization_id" value=organization />
                    <input type="hidden" name="kind" value="domain" />
                    <input type="hidden" name="name" value=name />
                    <input type="hidden" name="quantity" value="1" />
                    <input type="hidden" name="product_id" value="0" />
                    <YearsAndAdd pending=add.pending() />
                    <ActionError error=add_error />
                    {move || matches!(add.value().get(), Some(Ok(_))).then(|| view! {
                        <p class="notice" role="status">"Added to the cart. " <a href="#cart">"See the cart"</a></p>
                    })}
                </ServerForm>
            }.into_any()
            taken=move || view! {
                "If it is yours, " <a href=format!("/o/{organization}/domains/transfer")>"transfer it to this organization"</a>"."
            }.into_any()
        />
    }
}

/// A found domain's years (1 to 10) and "Add to the cart".
#[component]
pub fn YearsAndAdd(pending: Memo<bool>) -> impl IntoView {
    view! {
        <div class="search-row">
            <div class="field">
                <label for="found-years">"Years"</label>
                <input id="found-years" name="periods" type="number" min="1" max="10" value="1" required />
            </div>
            <button class="button primary" type="submit" disabled=move || pending.get()>"Add to the cart"</button>
        </div>
    }
}

/// One cart line: what it is, its price and reductions, and its own small form.
#[component]
fn CartLine(
    organization: i64,
    line: QuotedLine,
    update: FormAction<UpdateCartLine>,
    remove: FormAction<RemoveCartLine>,
) -> impl IntoView {
    let id = line.id;
    let prefix = format!("line-{id}");
    let period_text = periods_label(&line.period, line.periods);
    // A new domain is registered once, and a renewal extends its one product once: their
    // quantity is 1, not a field (the server refuses anything else).
    let domain_once = line.renewal || line.kind == ProductKind::Domain;
    let current_code = line.promo_code.clone();
    let removable_code = (!line.promo_code.is_empty()).then(|| line.promo_code.clone());
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
            <ServerForm action=update>
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
                    // The code stays as the cart's field put it (removed below).
                    <input type="hidden" name="promo_code" value=current_code />
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
            </ServerForm>
            {removable_code.map(|code| {
                view! {
                    <ServerForm action=update>
                        <input type="hidden" name="organization_id" value=organization />
                        <input type="hidden" name="line_id" value=id />
                        <input type="hidden" name="quantity" value=line.quantity />
                        <input type="hidden" name="periods" value=line.periods />
                        <input type="hidden" name="promo_code" value="" />
                        <input type="hidden" name="free_offer_id" value="0" />
                        <button class="button small" type="submit">{format!("Remove the code {code}")}</button>
                    </ServerForm>
                }
            })}
            <ServerForm action=remove>
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="line_id" value=id />
                <button class="button small danger" type="submit">
                    "Remove" <span class="visually-hidden">{remove_label}</span>
                </button>
            </ServerForm>
        </li>
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let cancel = FormAction::<CancelOrder>::new();
    let invoices = resource(
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
                <ServerForm action=cancel>
                    <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                    <input type="hidden" name="order_id" value=invoice.order_id />
                    <div class="button-row">
                        <button class="button danger" type="submit">"Cancel the order"</button>
                        <button class="button secondary" type="button" on:click=move |_| cancelling.set(None)>"Keep it"</button>
                    </div>
                </ServerForm>
            </div>
        })}
    }
}

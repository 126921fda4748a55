//! The order page for someone signed out (`/order`): a domain search first, the rest of the
//! catalogue with what each product is for and its price per period, the cart beside them,
//! and the way on — creating the account, which keeps the cart.

use super::guest::{order_page, AddToGuestCart, FindDomain, RemoveFromGuestCart};
use super::view::{ActionError, DomainSearchBox, YearsAndAdd};
use super::{periods_label, Offering, QuotedLine, PERIODS_MAX};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{ErrorPanel, Loading, PageTitle};
use leptos::prelude::*;

#[component]
pub fn OrderStartPage() -> impl IntoView {
    let search = FormAction::<FindDomain>::new();
    let add = FormAction::<AddToGuestCart>::new();
    let remove = FormAction::<RemoveFromGuestCart>::new();
    let page = resource(
        move || (add.version().get(), remove.version().get()),
        |_| order_page(),
    );
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    view! {
        <PageTitle text="Order" />
        <header class="topbar public-topbar">
            <a class="brand" href="/order">"Steward"</a>
            <span class="topbar-spacer"></span>
            <a class="button secondary" href="/login">"Sign in"</a>
        </header>
        <main id="main" class="content public-content" tabindex="-1">
            <h1>"Order a domain, hosting or mail"</h1>
            <p class="lead">"Find your domain name and fill your cart: your account is created when you order, and the cart goes with it."</p>
            <div class="shop-layout">
                <div class="shop-catalogue">
                    <DomainSearchBox
                        heading="Find your domain name"
                        label="Domain name"
                        search
                        add=move |name: String| view! {
                            <ServerForm action=add>
                                <input type="hidden" name="kind" value="domain" />
                                <input type="hidden" name="name" value=name />
                                <YearsAndAdd pending=add.pending() />
                            </ServerForm>
                        }.into_any()
                        taken=|| "If it is yours, you can transfer it to Steward once your account exists; or try another name.".into_any()
                    />
                    <Transition fallback=Loading>
                        {move || Suspend::new(async move {
                            match page.await {
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                                Ok(page) => view! {
                                    <section class="panel" aria-labelledby="domain-prices-heading">
                                        <h2 id="domain-prices-heading">"Domain names: a year's price"</h2>
                                        <ul class="price-list">
                                            {page.domain_prices.into_iter().map(|p| view! {
                                                <li><span>{p.extension}</span><span class="nowrap">{p.price.to_string()}</span></li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                    <section class="panel" aria-labelledby="catalogue-heading">
                                        <h2 id="catalogue-heading">"Hosting, mail and more"</h2>
                                        <ul class="offerings">
                                            {page.offerings.into_iter().map(|offering| view! { <OfferingCard offering add /> }).collect_view()}
                                        </ul>
                                    </section>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
                <aside class="shop-cart" id="cart" aria-label="Your cart">
                    <section class="panel" aria-labelledby="cart-heading">
                        <Transition fallback=Loading>
                            {move || Suspend::new(async move {
                                match page.await {
                                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                                    Ok(page) => {
                                        let quote = page.quote;
                                        let count = quote.lines.len();
                                        view! {
                                            <h2 id="cart-heading">{if count == 0 { "Cart".to_owned() } else { format!("Cart ({count})") }}</h2>
                                            <ActionError error=add_error />
                                            <ActionError error=remove_error />
                                            {move || matches!(add.value().get(), Some(Ok(()))).then(|| view! {
                                                <p class="notice" role="status" data-testid="added-to-cart">"Added to the cart."</p>
                                            })}
                                            {if count == 0 {
                                                view! { <p class="muted" data-testid="cart-empty">"The cart is empty."</p> }.into_any()
                                            } else {
                                                view! {
                                                    <ul class="cart-lines" data-testid="cart">
                                                        {quote.lines.clone().into_iter().rev().map(|line| view! { <GuestLine line remove /> }).collect_view()}
                                                    </ul>
                                                    <dl class="totals">
                                                        <dt class="total">"Total (VAT excluded)"</dt>
                                                        <dd class="total" data-testid="cart-total">{quote.net.to_string()}</dd>
                                                    </dl>
                                                    <p class="muted">"VAT is added at checkout, where you also choose how to pay: from a prepaid balance or by bank transfer with a QR-bill."</p>
                                                    <a class="button primary wide" href="/signup?order=1" data-testid="order-create-account">"Create your account to order"</a>
                                                    <p class="muted">"Already a customer? "<a href="/login">"Sign in"</a>": the cart goes into your organization's shop."</p>
                                                }.into_any()
                                            }}
                                        }.into_any()
                                    }
                                }
                            })}
                        </Transition>
                    </section>
                </aside>
            </div>
        </main>
    }
}

/// A product of the catalogue: what it is for, its price per period, a name and Add.
#[component]
fn OfferingCard(offering: Offering, add: FormAction<AddToGuestCart>) -> impl IntoView {
    let kind = offering.kind.as_str();
    let name_id = format!("offering-{kind}-name");
    let periods_id = format!("offering-{kind}-periods");
    let unit = if offering.period == "month" {
        "Months"
    } else {
        "Years"
    };
    view! {
        <li class="offering" data-testid=format!("offering-{kind}")>
            <h3>{offering.label.clone()}</h3>
            <p class="muted">{offering.description.clone()}</p>
            <p class="price"><span class="nowrap">{offering.unit.to_string()}</span>{format!(" per {} (VAT excluded)", offering.period)}</p>
            <ServerForm action=add>
                <input type="hidden" name="kind" value=kind />
                <div class="search-row">
                    <div class="field grow">
                        <label for=name_id.clone()>"Name"</label>
                        <input id=name_id name="name" required maxlength="63" autocomplete="off" placeholder="shop" />
                    </div>
                    <div class="field">
                        <label for=periods_id.clone()>{unit}</label>
                        <input id=periods_id name="periods" type="number" min="1" max=PERIODS_MAX.to_string() value="1" required />
                    </div>
                    <button class="button secondary" type="submit" disabled=move || add.pending().get()>"Add to the cart"</button>
                </div>
            </ServerForm>
        </li>
    }
}

#[component]
fn GuestLine(line: QuotedLine, remove: FormAction<RemoveFromGuestCart>) -> impl IntoView {
    view! {
        <li class="cart-line">
            <div class="cart-line-head">
                <span>{line.description.clone()}</span>
                <span class="nowrap">{line.net.to_string()}</span>
            </div>
            <p class="muted">{periods_label(&line.period, line.periods)}</p>
            {line.problem.clone().map(|p| view! { <p class="field-error">{p}</p> })}
            <ServerForm action=remove>
                <input type="hidden" name="id" value=line.id />
                <button class="link-button" type="submit">{format!("Remove {}", line.description)}</button>
            </ServerForm>
        </li>
    }
}

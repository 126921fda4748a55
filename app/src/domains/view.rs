//! The domain's panel on its product page (where it stands, the extension's rules, Restore with
//! its exact quote, renewal warranty) and the history of released domains.

use super::api::{
    get_domain, released_domains, AddDomainWarranty, AddTransfer, RestartTransfer, RestoreDomain,
};
use super::{TransferState, WARRANTY_YEARS_MAX};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{use_organization_id, ErrorPanel, FormError, Loading, PageTitle};
use crate::format;
use crate::products::{DomainStage, ProductKind};
use crate::shop::api::{AddToCart, SetAutoRenew};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// "Expired 3 days ago — …" from "expired 3 days ago — …".
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The product page's panel for a kind of product (the router passes this one for domains).
pub fn panel(kind: ProductKind, organization_id: i64, product_id: i64) -> Option<AnyView> {
    (kind == ProductKind::Domain)
        .then(|| view! { <DomainPanel organization_id product_id /> }.into_any())
}

#[component]
pub fn DomainPanel(organization_id: i64, product_id: i64) -> impl IntoView {
    let restore = FormAction::<RestoreDomain>::new();
    let warranty = FormAction::<AddDomainWarranty>::new();
    let restart = FormAction::<RestartTransfer>::new();
    let renew = FormAction::<AddToCart>::new();
    let auto_renew = FormAction::<SetAutoRenew>::new();
    // The single-use token of the emailed restart link, when the page was opened from it.
    let query = use_query_map();
    let token = move || query.read().get("restart").unwrap_or_default();
    let facts = resource(
        move || (restart.version().get(), auto_renew.version().get()),
        move |_| get_domain(organization_id, product_id),
    );
    let navigate = use_navigate();
    // Once the line is in the cart, the cart shows the whole quote (with VAT) before paying.
    Effect::new(move |_| {
        let added = matches!(restore.value().get(), Some(Ok(_)))
            || matches!(warranty.value().get(), Some(Ok(_)))
            || matches!(renew.value().get(), Some(Ok(_)));
        if added {
            navigate(
                &format!("/o/{organization_id}/billing/shop?added=1#cart"),
                Default::default(),
            );
        }
    });
    let error = Signal::derive(move || {
        restore
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| warranty.value().get().and_then(Result::err))
    });
    let renewal_error = Signal::derive(move || {
        renew
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| auto_renew.value().get().and_then(Result::err))
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match facts.await {
                    Ok(f) => {
                        let banner = match f.stage {
                            DomainStage::Active => "domain-standing",
                            DomainStage::Expired => "domain-standing warning-banner",
                            _ => "domain-standing blocked-banner",
                        };
                        view! {
                            {f.transfer.clone().map(|t| match t.state {
                                TransferState::Pending => view! {
                                    <p class="warning-banner" role="status" data-testid="transfer-banner">
                                        "Transfer in progress: the registry is being asked, and this page shows its answer."
                                    </p>
                                }.into_any(),
                                TransferState::Failed => view! {
                                    <section class="blocked-banner transfer-failed" data-testid="transfer-banner" aria-labelledby="transfer-heading">
                                        <h2 id="transfer-heading">{format!("The transfer of {} failed", f.name)}</h2>
                                        {t.failure.map(|failure| view! {
                                            <p>{failure.reason()}</p>
                                            <p>{failure.remedy()}</p>
                                        })}
                                        <p>{format!("Tries so far: {}. Restarting is free: the transfer fee was paid once.", t.attempts)}</p>
                                        {f.may_order.then(|| view! {
                                            <ServerForm action=restart attr:class="inline-form">
                                                <input type="hidden" name="organization_id" value=organization_id />
                                                <input type="hidden" name="product_id" value=product_id />
                                                // The emailed link's token, spent by the first try.
                                                <input type="hidden" name="token" value=move || if restart.version().get() == 0 { token() } else { String::new() } />
                                                <label>
                                                    "Authorization code"
                                                    <input name="auth_code" type="text" required autocomplete="off" spellcheck="false" />
                                                </label>
                                                <button class="button" type="submit">"Restart the transfer"</button>
                                            </ServerForm>
                                            <FormError error=Signal::derive(move || restart.value().get().and_then(Result::err)) />
                                        })}
                                    </section>
                                }.into_any(),
                                TransferState::Done => ().into_any(),
                            })}
                            {move || matches!(restart.value().get(), Some(Ok(true))).then(|| view! {
                                <p class="notice" role="status" data-testid="transfer-done">"Transferred: the domain is managed here now."</p>
                            })}
                            {(f.may_order && f.expires_at.is_some() && matches!(f.stage, DomainStage::Active | DomainStage::Expired)
                                && f.transfer.as_ref().is_none_or(|t| t.state == TransferState::Done)).then(|| {
                                let expires = f.expires_at.map(format::date).unwrap_or_default();
                                let on = f.auto_renew;
                                view! {
                                    <section class="panel renewal-panel" aria-labelledby="renewal-heading" data-testid="renewal">
                                        <h2 id="renewal-heading">"Renewal"</h2>
                                        <p data-testid="auto-renew-state">
                                            {if on {
                                                view! { <span class="status status-on">"Automatic renewal on"</span> {format!(" Renews itself on {expires} for {} a year, paid from the prepaid balance; a reminder comes 14 days before.", f.renewal_price)} }.into_any()
                                            } else {
                                                view! { <span class="status status-off">"Automatic renewal off"</span> {format!(" Expires on {expires} unless it is renewed; one year costs {}.", f.renewal_price)} }.into_any()
                                            }}
                                        </p>
                                        <crate::shop::view::RenewControls organization_id product_id on months=false renew switch=auto_renew />
                                        <FormError error=renewal_error />
                                    </section>
                                }
                            })}
                            <section class="panel" aria-labelledby="domain-heading">
                                <h2 id="domain-heading">"After expiry"</h2>
                                {f.standing.clone().map(|s| view! {
                                    <p class=banner role="status" data-testid="domain-standing">{sentence(&s)}</p>
                                })}
                                <p class="muted" data-testid="domain-rules">{f.rules.clone()}</p>
                                {f.restore.clone().filter(|_| f.may_order).map(|offer| view! {
                                    <div class="restore-offer" data-testid="restore-quote">
                                        <p>
                                            {format!(
                                                "Restore until {}: restore fee {} + one year of renewal {} = {}, VAT excluded. The cart shows the total with VAT before you pay.",
                                                format::date(offer.until), offer.fee, offer.renewal, offer.total
                                            )}
                                        </p>
                                        // Said before the cart: a restore cannot wait for a bank transfer.
                                        {f.prepaid_balance.map(|balance| {
                                            let enough = balance.minor >= offer.total.minor;
                                            view! {
                                                <p class=if enough { "notice" } else { "notice notice-warning" } data-testid="restore-prepaid">
                                                    {format!("A restore is paid in advance from the prepaid balance (the registry's deadline does not wait for a bank transfer). Your balance: {balance}{}", if enough { "." } else { ": top it up first, with the VAT on top of the price." })}
                                                    " "
                                                    <a href=format!("/o/{organization_id}/billing/prepaid")>"Top up the prepaid account"</a>
                                                </p>
                                            }
                                        })}
                                        <ServerForm action=restore>
                                            <input type="hidden" name="organization_id" value=organization_id />
                                            <input type="hidden" name="product_id" value=product_id />
                                            <button class="button" type="submit">"Restore"</button>
                                        </ServerForm>
                                    </div>
                                })}
                                <h3>"Renewal warranty"</h3>
                                <p data-testid="warranty">
                                    {match f.warranty_until.filter(|until| f.expires_at.is_some_and(|e| *until > e) || f.expires_at.is_none()) {
                                        Some(until) => format!("Under renewal warranty until {}: renewed at its expiry even without automatic renewal, and billed.", format::date(until)),
                                        None => "No renewal warranty: a domain under warranty is renewed at its expiry even without automatic renewal, and billed.".to_owned(),
                                    }}
                                </p>
                                {(f.may_order && f.expires_at.is_some() && f.warranty_price.minor > 0 && matches!(f.stage, DomainStage::Active | DomainStage::Expired)).then(|| view! {
                                    <ServerForm action=warranty attr:class="inline-form">
                                        <input type="hidden" name="organization_id" value=organization_id />
                                        <input type="hidden" name="product_id" value=product_id />
                                        <label>
                                            "Years of warranty"
                                            <select name="years">
                                                {(1..=WARRANTY_YEARS_MAX).map(|y| view! { <option value=y selected=y == 1>{y}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <button class="button secondary" type="submit">
                                            {format!("Add warranty to the cart ({} a year)", f.warranty_price)}
                                        </button>
                                    </ServerForm>
                                })}
                                <FormError error />
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ReleasedDomainsPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let released = resource(move || organization_id.get(), released_domains);
    view! {
        <PageTitle text="Released domains" />
        <p class="breadcrumb"><a href=move || format!("/o/{}/products", organization_id.get())>"Products"</a></p>
        <h1>"Released domains"</h1>
        <p class="lead">"Domains that expired and were not renewed or restored in time: the registry let them go, and anyone may register them again. Their history stays in the activity log."</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match released.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No domain has been released."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Released domains">
                        <table data-testid="released-domains">
                            <caption class="visually-hidden">"Released domains of this organization"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Domain"</th>
                                    <th scope="col">"Expired"</th>
                                    <th scope="col">"Released"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|d| view! {
                                    <tr>
                                        <td data-label="Domain">{d.name}</td>
                                        <td data-label="Expired">{d.expired_at.map(format::date).unwrap_or_default()}</td>
                                        <td data-label="Released">{d.released_at.map(format::date).unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Transfer a domain from another registrar: its name and authorization code go in the cart.
#[component]
pub fn TransferDomainPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let add = FormAction::<AddTransfer>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            navigate(
                &format!("/o/{}/billing/shop", organization_id.get_untracked()),
                Default::default(),
            );
        }
    });
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <PageTitle text="Transfer a domain" />
        <h1>"Transfer a domain to this organization"</h1>
        <p class="lead">"Ask the current registrar for the domain's authorization code (also called transfer or EPP code) and make sure the domain is not locked against transfers. The transfer adds a year to the domain; its price depends on the extension and is shown in the cart. If the transfer fails you get the reason and a link to restart it, without paying again."</p>
        <section class="panel">
            <ServerForm action=add>
                <input type="hidden" name="organization_id" value=move || organization_id.get() />
                <div class="field">
                    <label for="transfer-name">"Domain name"</label>
                    <input id="transfer-name" name="name" type="text" required placeholder="example.com" autocomplete="off" spellcheck="false" />
                </div>
                <div class="field">
                    <label for="transfer-code">"Authorization code"</label>
                    <input id="transfer-code" name="auth_code" type="text" required autocomplete="off" spellcheck="false" />
                </div>
                <button class="button primary" type="submit">"Add the transfer to the cart"</button>
            </ServerForm>
            <FormError error />
        </section>
    }
}

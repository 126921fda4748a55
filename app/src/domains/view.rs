//! The domain's panel on its product page (where it stands, the extension's rules, Restore with
//! its exact quote, renewal warranty) and the history of released domains.

use super::api::{get_domain, released_domains, AddDomainWarranty, RestoreDomain};
use super::WARRANTY_YEARS_MAX;
use crate::components::{use_organization_id, ErrorPanel, FormError, Loading, PageTitle};
use crate::format;
use crate::products::{DomainStage, ProductKind};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

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
    let restore = ServerAction::<RestoreDomain>::new();
    let warranty = ServerAction::<AddDomainWarranty>::new();
    let facts = Resource::new(move || (), move |_| get_domain(organization_id, product_id));
    let navigate = use_navigate();
    // Once the line is in the cart, the cart shows the whole quote (with VAT) before paying.
    Effect::new(move |_| {
        let added = matches!(restore.value().get(), Some(Ok(_)))
            || matches!(warranty.value().get(), Some(Ok(_)));
        if added {
            navigate(
                &format!("/o/{organization_id}/billing/shop"),
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
                                        <ActionForm action=restore>
                                            <input type="hidden" name="organization_id" value=organization_id />
                                            <input type="hidden" name="product_id" value=product_id />
                                            <button class="button" type="submit">"Restore"</button>
                                        </ActionForm>
                                    </div>
                                })}
                                <h3>"Renewal warranty"</h3>
                                <p data-testid="warranty">
                                    {match f.warranty_until.filter(|until| f.expires_at.is_some_and(|e| *until > e) || f.expires_at.is_none()) {
                                        Some(until) => format!("Under renewal warranty until {}: renewed at its expiry even without automatic renewal, and billed.", format::date(until)),
                                        None => "No renewal warranty: a domain under warranty is renewed at its expiry even without automatic renewal, and billed.".to_owned(),
                                    }}
                                </p>
                                {(f.may_order && matches!(f.stage, DomainStage::Active | DomainStage::Expired)).then(|| view! {
                                    <ActionForm action=warranty attr:class="inline-form">
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
                                    </ActionForm>
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
    let released = Resource::new(move || organization_id.get(), released_domains);
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

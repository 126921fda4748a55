//! The product list and the product page.

use super::api::{get_product, list_products, SetAutoRenewMany, SetHolder, SetProductBlocked};
use super::{expiry_note, ProductKind, ProductStatus};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use crate::tags::api::{list_tags, TagProducts, UntagProducts};
use crate::tags::view::{TagChips, TagPicker};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

fn now_seconds() -> i64 {
    (js_sys_now() / 1000.0) as i64
}

/// Milliseconds since the epoch, in the browser and on the server alike.
fn js_sys_now() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as f64)
            .unwrap_or(0.0)
    }
}

/// Automatic renewal of the selected products, on or off at once (for those with billing
/// rights; the server refuses the others).
#[component]
fn AutoRenewPicker(
    organization_id: Memo<i64>,
    selected: RwSignal<Vec<i64>>,
    switch: FormAction<SetAutoRenewMany>,
) -> impl IntoView {
    let count = move || selected.read().len();
    let ids = move || {
        selected
            .get_untracked()
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let send = move |on: bool| {
        switch.dispatch(SetAutoRenewMany {
            organization_id: organization_id.get_untracked(),
            product_ids: ids(),
            on,
        });
    };
    view! {
        <section class="panel batch-panel" aria-labelledby="batch-renew-heading">
            <h2 id="batch-renew-heading" class="visually-hidden">"Automatic renewal of the selection"</h2>
            <div class="filter-buttons">
                <span class="muted">"Automatic renewal of the selection:"</span>
                <button class="button" type="button" disabled=move || count() == 0 || switch.pending().get() on:click=move |_| send(true)>"Turn on"</button>
                <button class="button" type="button" disabled=move || count() == 0 || switch.pending().get() on:click=move |_| send(false)>"Turn off"</button>
            </div>
            <div role="status" data-testid="batch-renew-status">
                {move || match switch.value().get() {
                    Some(Ok(n)) => view! { <p class="notice">{format!("Automatic renewal changed for {n} product{}.", if n == 1 { "" } else { "s" })}</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="field-error">{e.message}</p> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let query = use_query_map();
    let get = move |key: &str| query.read().get(key).unwrap_or_default();
    let tag_action = FormAction::<TagProducts>::new();
    let untag_action = FormAction::<UntagProducts>::new();
    let renew_action = FormAction::<SetAutoRenewMany>::new();
    let changed = move || {
        (
            tag_action.version().get(),
            untag_action.version().get(),
            renew_action.version().get(),
        )
    };
    let page = resource(
        move || {
            (
                organization_id.get(),
                [
                    get("search"),
                    get("kind"),
                    get("status"),
                    get("tag"),
                    get("sort"),
                    get("after"),
                ],
                changed(),
            )
        },
        |(organization, [search, kind, status, tag, sort, after], _)| {
            list_products(organization, search, kind, status, tag, sort, Some(after))
        },
    );
    let tags = resource(
        move || (organization_id.get(), changed()),
        |(o, _)| list_tags(o),
    );
    let selected = RwSignal::new(Vec::<i64>::new());
    Effect::new(move |_| {
        if matches!(tag_action.value().get(), Some(Ok(_)))
            || matches!(untag_action.value().get(), Some(Ok(_)))
            || matches!(renew_action.value().get(), Some(Ok(_)))
        {
            selected.set(Vec::new());
        }
    });
    let filtered = move || {
        !(get("search").is_empty()
            && get("kind").is_empty()
            && get("status").is_empty()
            && get("tag").is_empty())
    };
    let active_filters = move || {
        ["search", "kind", "status", "tag"]
            .into_iter()
            .filter(|key| !get(key).is_empty())
            .count()
    };
    let filters_open = RwSignal::new(false);
    view! {
        <PageTitle text="Products" />
        <h1>"Products"</h1>
        <section class="panel filter-panel" aria-label="Search and filters">
            // On a phone the filters fold away behind this button, which says how many are on.
            <button type="button" class="button filter-toggle" aria-controls="product-filters"
                aria-expanded=move || filters_open.get().to_string()
                on:click=move |_| filters_open.update(|open| *open = !*open)>
                "Filters"
                {move || (active_filters() > 0).then(|| view! {
                    " " <span class="badge" data-testid="active-filters">{active_filters()}</span>
                    <span class="visually-hidden">" on"</span>
                })}
            </button>
            <div id="product-filters" class="filter-fold" class:open=move || filters_open.get()>
            <Form method="GET" action="">
                <div class="filters">
                    <div class="field">
                        <label for="product-search">"Search by name"</label>
                        <input id="product-search" type="search" name="search" maxlength="100" value=move || get("search") prop:value=move || get("search") />
                    </div>
                    <div class="field">
                        <label for="product-kind">"Kind"</label>
                        <select id="product-kind" name="kind" prop:value=move || get("kind")>
                            <option value="" selected=move || get("kind").is_empty()>"All kinds"</option>
                            {ProductKind::ALL.iter().copied().map(|k| view! { <option value=k.as_str() selected=move || get("kind") == k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="product-status">"Status"</label>
                        <select id="product-status" name="status" prop:value=move || get("status")>
                            <option value="" selected=move || get("status").is_empty()>"All statuses"</option>
                            {ProductStatus::ALL.iter().copied().map(|s| view! { <option value=s.as_str() selected=move || get("status") == s.as_str()>{s.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="product-tag">"Tag"</label>
                        <select id="product-tag" name="tag" prop:value=move || get("tag")>
                            <option value="" selected=move || get("tag").is_empty()>"All tags"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    tags.await.unwrap_or_default().into_iter().map(|t| view! {
                                        <option value=t.id.to_string() selected=get("tag") == t.id.to_string()>{t.name}</option>
                                    }).collect_view()
                                })}
                            </Transition>
                        </select>
                    </div>
                    <div class="field">
                        <label for="product-sort">"Sort by"</label>
                        // The options carry `selected`, so the box shows the order in use from the
                        // server's first render on; the property follows later navigation.
                        <select id="product-sort" name="sort" prop:value=move || if get("sort") == "expiry" { "expiry" } else { "name" }>
                            <option value="name" selected=move || get("sort") != "expiry">"Name"</option>
                            <option value="expiry" selected=move || get("sort") == "expiry">"Expiry date"</option>
                        </select>
                    </div>
                    <div class="filter-buttons">
                        <button class="button primary" type="submit">"Apply"</button>
                    </div>
                </div>
            </Form>
            <p class="manage-tags">
                <a href=move || format!("/o/{}/tags", organization_id.get())>"Manage tags"</a>
                " · "
                <a href=move || format!("/o/{}/domains/released", organization_id.get())>"Released domains"</a>
            </p>
            </div>
        </section>
        <TagPicker organization_id selected tags tag_action untag_action />
        <AutoRenewPicker organization_id selected switch=renew_action />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.products.is_empty() => view! {
                        <section class="panel empty-state" data-testid="no-products">
                            <p>
                                {if filtered() { "No product matches these filters in " } else { "There are no products in " }}
                                <strong>{p.organization_name.clone()}</strong>
                                {if p.sees_all { " (organization displayed), for ".to_owned() } else { " that are available to ".to_owned() }}
                                <strong>{p.account_email.clone()}</strong>
                                " (account signed in)."
                            </p>
                            <p class="muted">"A product you expected may belong to another organization: switch with the organization menu at the top left."</p>
                        </section>
                    }.into_any(),
                    Ok(p) => {
                        let now = now_seconds();
                        let organization = organization_id.get_untracked();
                        let next = p.next.clone().map(|cursor| {
                            let mut params = vec![("search", get("search")), ("kind", get("kind")), ("status", get("status")), ("tag", get("tag")), ("sort", get("sort")), ("after", cursor)];
                            params.retain(|(_, v)| !v.is_empty());
                            let query: Vec<String> = params.into_iter().map(|(k, v)| format!("{k}={}", format::percent_encode(&v))).collect();
                            format!("/o/{organization}/products?{}", query.join("&"))
                        });
                        view! {
                            {(!p.sees_all).then(|| view! {
                                <p class="muted">{format!("You see the products of {} that were made available to you.", p.organization_name)}</p>
                            })}
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Products">
                                <table data-testid="products">
                                    <caption class="visually-hidden">{format!("Products of {}", p.organization_name)}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col"><span class="visually-hidden">"Select"</span></th>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Kind"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col" class="optional-column">"Expires"</th>
                                            <th scope="col" class="optional-column">"Holder"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.products.into_iter().map(|product| {
                                            let note = product.in_transfer.clone().or_else(|| product.standing.clone()).or_else(|| expiry_note(product.expires_at, now));
                                            let no_expiry = if product.in_transfer.is_some() { "After the transfer" } else { "—" };
                                            let id = product.id;
                                            let label = format!("Select {}", product.name);
                                            view! {
                                                <tr>
                                                    <td data-label="Select">
                                                        <input type="checkbox" aria-label=label
                                                            prop:checked=move || selected.read().contains(&id)
                                                            on:change=move |_| selected.update(|s| if let Some(i) = s.iter().position(|x| *x == id) { s.remove(i); } else { s.push(id); }) />
                                                    </td>
                                                    <td data-label="Name">
                                                        <a href=format!("/o/{organization}/products/{}", product.id)>{product.name}</a>
                                                        {product.blocked.then(|| view! { " " <span class="badge badge-danger">"Blocked"</span> })}
                                                        <TagChips tags=product.tags />
                                                    </td>
                                                    <td data-label="Kind">{product.kind.label()}</td>
                                                    <td data-label="Status">
                                                        <span class=format!("status status-{}", product.status.as_str())>{product.status.label()}</span>
                                                        {note.map(|n| view! { " " <span class="expiry-note">{n}</span> })}
                                                    </td>
                                                    <td data-label="Expires" class="optional-column">
                                                        {product.expires_at.map(format::date).unwrap_or_else(|| no_expiry.into())}
                                                        {(product.auto_renew && product.expires_at.is_some()).then(|| view! { <span class="renews-note" data-testid="renews-itself">" · renews itself"</span> })}
                                                    </td>
                                                    <td data-label="Holder" class="optional-column">{product.holder}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label="Pages">
                                {(!get("after").is_empty()).then(|| {
                                    let first = format!("/o/{organization}/products?search={}&kind={}&status={}&tag={}&sort={}", format::percent_encode(&get("search")), get("kind"), get("status"), get("tag"), get("sort"));
                                    view! { <a class="button" href=first>"First page"</a> }
                                })}
                                {next.map(|href| view! { <a class="button" href=href>"Next page"</a> })}
                            </nav>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A panel of the product page for some kinds of product, given by the router from a feature
/// area above this one (the domain's life after expiry): kind, organization, product.
pub type KindPanel = fn(ProductKind, i64, i64) -> Option<AnyView>;

#[component]
pub fn ProductPage(#[prop(optional)] panel: Option<KindPanel>) -> impl IntoView {
    let organization_id = use_organization_id();
    let params = use_params_map();
    let product_id = Memo::new(move |_| {
        params
            .read()
            .get("product")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    // One function, two forms: blocking (after its confirmation) and unblocking.
    let block = FormAction::<SetProductBlocked>::new();
    let unblock = FormAction::<SetProductBlocked>::new();
    let holder = FormAction::<SetHolder>::new();
    let product = resource(
        move || {
            (
                organization_id.get(),
                product_id.get(),
                block.version().get(),
                unblock.version().get(),
                holder.version().get(),
            )
        },
        |(organization, product, ..)| get_product(organization, product),
    );
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(block.value().get(), Some(Ok(()))) {
            confirming.set(false);
        }
    });
    let error = Signal::derive(move || {
        block
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| unblock.value().get().and_then(Result::err))
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(p) => {
                        let note = p.in_transfer.clone().or_else(|| p.standing.clone()).or_else(|| expiry_note(p.expires_at, now_seconds()));
                        let no_expiry = if p.in_transfer.is_some() { "Set when the transfer is done" } else { "No expiry" };
                        view! {
                            <PageTitle text=p.name.clone() />
                            <p class="breadcrumb"><a href=format!("/o/{}/products", organization_id.get_untracked())>"Products"</a></p>
                            <h1 data-testid="product-name">{p.name.clone()}</h1>
                            <p class="lead">{p.kind.label()}</p>
                            {p.blocked_at.map(|at| view! {
                                <p class="blocked-banner" role="status" data-testid="blocked-banner">
                                    {format!(
                                        "Management blocked{} on {}: only administrators and the legal representative can manage this product.",
                                        p.blocked_by.clone().map(|b| format!(" by {b}")).unwrap_or_default(),
                                        format::date(at)
                                    )}
                                </p>
                            })}
                            <section class="panel">
                                <dl class="facts">
                                    <dt>"Status"</dt>
                                    <dd>
                                        <span class=format!("status status-{}", p.status.as_str())>{p.status.label()}</span>
                                        {note.map(|n| view! { " " <span class="expiry-note">{n}</span> })}
                                    </dd>
                                    <dt>"Expires"</dt>
                                    <dd>{p.expires_at.map(format::date).unwrap_or_else(|| no_expiry.into())}</dd>
                                    <dt>"Holder (owner of the rights)"</dt>
                                    <dd data-testid="product-holder">
                                        {p.holder_contact.lines().into_iter().map(|line| view! { <span class="address-line">{line}</span> }).collect_view()}
                                        {(!p.holder_contact.is_complete()).then(|| view! { <span class="muted">"Contact not given yet: registries ask for the holder's address and email."</span> })}
                                    </dd>
                                    <dt>"Payer (billed)"</dt>
                                    <dd data-testid="product-payer">{p.payer.clone()}</dd>
                                    <dt>"Added"</dt>
                                    <dd>{format::date(p.created_at)}</dd>
                                    <dt>"Tags"</dt>
                                    <dd data-testid="product-tags">
                                        {if p.tags.is_empty() { view! { <span class="muted">"None"</span> }.into_any() } else { view! { <TagChips tags=p.tags.clone() /> }.into_any() }}
                                    </dd>
                                </dl>
                            </section>
                            {p.can_manage.then(|| view! { <HolderForm organization_id=organization_id.get_untracked() product_id=p.id current=p.holder_contact.clone() holder /> })}
                            {panel.and_then(|panel| panel(p.kind, organization_id.get_untracked(), p.id))}
                            {p.can_block.then(|| {
                                let organization = organization_id.get_untracked();
                                let id = p.id;
                                let name = p.name.clone();
                                if p.blocked_at.is_some() {
                                    view! {
                                        <section class="panel">
                                            <ServerForm action=unblock>
                                                <input type="hidden" name="organization_id" value=organization />
                                                <input type="hidden" name="product_id" value=id />
                                                <input type="hidden" name="blocked" value="false" />
                                                <button class="button" type="submit">"Unblock product management"</button>
                                            </ServerForm>
                                        </section>
                                    }.into_any()
                                } else {
                                    view! {
                                        // Rarely needed, so not the page's loudest control: behind
                                        // "More actions", with what it does said first.
                                        <details class="panel more-actions" data-testid="more-actions">
                                            <summary>"More actions"</summary>
                                            <p class="muted">"Blocking the management keeps collaborators and externals from changing this product (its settings, renewals, mail addresses) until an administrator unblocks it. Nothing is deleted."</p>
                                            <button class="button secondary" type="button" on:click=move |_| confirming.set(true)>"Block product management"</button>
                                            <Show when=move || confirming.get()>
                                                <div class="confirm-box" role="group" aria-labelledby="block-heading">
                                                    <h3 id="block-heading">{format!("Block the management of {name}?")}</h3>
                                                    <p>"Collaborators and externals with access will still see it but can no longer manage it. Every user of the organization is told by email."</p>
                                                    <ServerForm action=block>
                                                        <input type="hidden" name="organization_id" value=organization />
                                                        <input type="hidden" name="product_id" value=id />
                                                        <input type="hidden" name="blocked" value="true" />
                                                        <div class="button-row">
                                                            <button class="button danger" type="submit">"Confirm: block"</button>
                                                            <button class="button secondary" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                                                        </div>
                                                    </ServerForm>
                                                </div>
                                            </Show>
                                        </details>
                                    }.into_any()
                                }
                            })}
                            {move || error.get().map(|e| view! { <p class="form-error" role="alert"><span>{e.message}</span></p> })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "Edit the holder" (PRD-7): the holder's name (a person, or a company's contact), company,
/// postal address and email, checked as a billing address is.
#[component]
fn HolderForm(
    organization_id: i64,
    product_id: i64,
    current: super::Holder,
    holder: FormAction<SetHolder>,
) -> impl IntoView {
    let error = Signal::derive(move || holder.value().get().and_then(Result::err));
    let saved = move || matches!(holder.value().get(), Some(Ok(())));
    let open = !current.is_complete() || error.get_untracked().is_some();
    view! {
        <details class="panel" open=open data-testid="holder-form">
            <summary>"Edit the holder"</summary>
            <p class="muted">"Who owns the rights to this product — a person, or a company with a contact person — as a registry asks for it. The organization stays the payer."</p>
            <ServerForm action=holder attr:class="stacked-form">
                <input type="hidden" name="organization_id" value=organization_id />
                <input type="hidden" name="product_id" value=product_id />
                <FormError error />
                <div class="field">
                    <label for="holder-name">"Name"</label>
                    <input id="holder-name" name="name" required maxlength=crate::address::NAME_MAX_CHARS.to_string() value=current.name.clone() aria-describedby="holder-name-error" aria-invalid=invalid(error, "name") />
                    <FieldError error field="name" input="holder-name" />
                </div>
                <div class="field">
                    <label for="holder-company">"Company (optional)"</label>
                    <input id="holder-company" name="company" maxlength=crate::address::NAME_MAX_CHARS.to_string() value=current.company.clone() aria-describedby="holder-company-error" aria-invalid=invalid(error, "company") />
                    <FieldError error field="company" input="holder-company" />
                </div>
                <div class="field">
                    <label for="holder-street">"Street and number"</label>
                    <input id="holder-street" name="street" required maxlength=crate::address::STREET_MAX_CHARS.to_string() value=current.street.clone() aria-describedby="holder-street-error" aria-invalid=invalid(error, "street") />
                    <FieldError error field="street" input="holder-street" />
                </div>
                <div class="field">
                    <label for="holder-postal-code">"Postal code"</label>
                    <input id="holder-postal-code" name="postal_code" required maxlength=crate::address::POSTAL_CODE_MAX_CHARS.to_string() value=current.postal_code.clone() aria-describedby="holder-postal-code-error" aria-invalid=invalid(error, "postal_code") />
                    <FieldError error field="postal_code" input="holder-postal-code" />
                </div>
                <div class="field">
                    <label for="holder-city">"City"</label>
                    <input id="holder-city" name="city" required maxlength=crate::address::NAME_MAX_CHARS.to_string() value=current.city.clone() aria-describedby="holder-city-error" aria-invalid=invalid(error, "city") />
                    <FieldError error field="city" input="holder-city" />
                </div>
                <div class="field">
                    <label for="holder-country">"Country"</label>
                    <select id="holder-country" name="country" aria-describedby="holder-country-error" aria-invalid=invalid(error, "country")>
                        <option value="" selected=current.country.is_empty()>"Choose a country"</option>
                        {crate::address::COUNTRIES.iter().map(|(code, name)| {
                            view! { <option value=*code selected=current.country == *code>{*name}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError error field="country" input="holder-country" />
                </div>
                <div class="field">
                    <label for="holder-email">"Email"</label>
                    <input id="holder-email" name="email" type="email" required value=current.email.clone() aria-describedby="holder-email-error" aria-invalid=invalid(error, "email") />
                    <FieldError error field="email" input="holder-email" />
                </div>
                <button class="button primary" type="submit" disabled=move || holder.pending().get()>"Save the holder"</button>
                {move || saved().then(|| view! { <p class="notice" role="status">"The holder is saved."</p> })}
            </ServerForm>
        </details>
    }
}

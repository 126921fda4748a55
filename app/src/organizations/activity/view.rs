//! The activity page (SEC-9): my own actions across my organizations, or — for legal
//! representatives and administrators — the whole organization's; filtered by date range,
//! action type, product and free text; paged newest first; exported as CSV.

use super::api::{activity_filter_choices, my_activity, organization_activity};
use crate::activity::{ActivityAction, ActivityFilter};
use crate::calls::resource;
use crate::components::use_organization_id;
use crate::components::Loading;
use crate::components::PageTitle;
use crate::format;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// Where the CSV export of a view is downloaded from.
pub const EXPORT_PATH: &str = "/activity.csv";

#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    let organization_id = use_organization_id();
    let get = move |key: &str| query.read().get(key).unwrap_or_default();
    let whole_organization = Memo::new(move |_| get("scope") == "organization");
    let filter = Memo::new(move |_| ActivityFilter {
        from: get("from"),
        to: get("to"),
        action: get("action"),
        product: get("product"),
        search: get("search"),
    });
    let before = Memo::new(move |_| get("before").parse::<i64>().ok());
    let choices = resource(move || organization_id.get(), activity_filter_choices);
    let page = resource(
        move || {
            (
                organization_id.get(),
                whole_organization.get(),
                filter.get(),
                before.get(),
            )
        },
        |(organization, whole, f, before)| async move {
            let some = |s: String| (!s.is_empty()).then_some(s);
            if whole {
                organization_activity(
                    organization,
                    some(f.from),
                    some(f.to),
                    some(f.action),
                    some(f.product),
                    some(f.search),
                    before,
                )
                .await
            } else {
                my_activity(
                    some(f.from),
                    some(f.to),
                    some(f.action),
                    some(f.product),
                    some(f.search),
                    before,
                )
                .await
            }
        },
    );
    let base = move || format!("/o/{}/activity", organization_id.get());
    let title = move || {
        if whole_organization.get() {
            "Organization activity"
        } else {
            "My activity"
        }
    };
    view! {
        <PageTitle text=title />
        <h1>{title}</h1>
        <p class="lead">{move || if whole_organization.get() {
            "Everything done in this organization, by everyone, newest first."
        } else {
            "What your account did, in all your organizations, newest first."
        }}</p>
        <Transition fallback=|| ()>
            {move || {
            // Read here, outside the async part, so the form follows the address.
            let whole = whole_organization.get();
            let f = filter.get();
            Suspend::new(async move {
                let choices = choices.await.ok();
                let can_view_organization = choices.as_ref().is_some_and(|c| c.can_view_organization);
                let products = choices.map(|c| c.products).unwrap_or_default();
                view! {
                    {can_view_organization.then(|| view! {
                        <nav class="tabs" aria-label="Whose activity">
                            <a href=base() aria-current=(!whole).then_some("page")>"My activity"</a>
                            <a href=format!("{}?scope=organization", base()) aria-current=whole.then_some("page")>"Organization activity"</a>
                        </nav>
                    })}
                    <section class="panel" aria-label="Filters">
                        <Form method="GET" action="">
                            {whole.then(|| view! { <input type="hidden" name="scope" value="organization" /> })}
                            <div class="filters">
                                <div class="field">
                                    <label for="activity-from">"From"</label>
                                    <input id="activity-from" type="date" name="from" value=f.from.clone() />
                                </div>
                                <div class="field">
                                    <label for="activity-to">"To"</label>
                                    <input id="activity-to" type="date" name="to" value=f.to.clone() />
                                </div>
                                <div class="field">
                                    <label for="activity-action">"Action"</label>
                                    <select id="activity-action" name="action">
                                        <option value="">"All actions"</option>
                                        {ActivityAction::ALL.iter().copied().map(|a| {
                                            let selected = f.action == a.as_str();
                                            view! { <option value=a.as_str() selected=selected>{a.label()}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                                {(!products.is_empty()).then(|| {
                                    let chosen = f.product.clone();
                                    view! {
                                        <div class="field">
                                            <label for="activity-product">"Product"</label>
                                            <select id="activity-product" name="product">
                                                <option value="">"All products"</option>
                                                {products.into_iter().map(|p| {
                                                    let selected = chosen == p.id.to_string();
                                                    view! { <option value=p.id.to_string() selected=selected>{p.name}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    }
                                })}
                                <div class="field">
                                    <label for="activity-search">"Search"</label>
                                    <input id="activity-search" type="search" name="search" maxlength="100" value=f.search.clone() />
                                </div>
                                <div class="filter-buttons">
                                    <button class="button primary" type="submit">"Filter"</button>
                                    <a class="button" href=move || if whole_organization.get() { format!("{}?scope=organization", base()) } else { base() }>"Clear"</a>
                                </div>
                            </div>
                        </Form>
                    </section>
                }
            })
            }}
        </Transition>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let whole = whole_organization.get_untracked();
                let f = filter.get_untracked();
                let filters = f.query_string();
                let scope = if whole { "scope=organization".to_owned() } else { String::new() };
                let link = |extra: String| {
                    let parts: Vec<&str> = [scope.as_str(), filters.as_str(), extra.as_str()].into_iter().filter(|p| !p.is_empty()).collect();
                    if parts.is_empty() { base() } else { format!("{}?{}", base(), parts.join("&")) }
                };
                let export = {
                    let mut parts = vec![filters.clone()];
                    if whole { parts.push(format!("organization={}", organization_id.get_untracked())); }
                    let qs: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
                    if qs.is_empty() { EXPORT_PATH.to_owned() } else { format!("{EXPORT_PATH}?{}", qs.join("&")) }
                };
                match page.await {
                    Ok(page) => {
                        let older = page.older.map(|cursor| link(format!("before={cursor}")));
                        let newest = before.get_untracked().is_some().then(|| link(String::new()));
                        view! {
                            <section class="panel">
                                <p class="button-row"><a class="button" href=export download="steward-activity.csv" rel="external">"Export as CSV"</a></p>
                                {if page.entries.is_empty() {
                                    view! { <p class="muted" data-testid="activity-empty">"No entry matches."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label="Activity entries">
                                            <table data-testid="activity">
                                                <caption class="visually-hidden">"Activity"</caption>
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"When"</th>
                                                        <th scope="col">"Action"</th>
                                                        <th scope="col">{if whole { "Who" } else { "Organization" }}</th>
                                                        <th scope="col" class="optional-column">"Details"</th>
                                                        <th scope="col" class="optional-column">"Device"</th>
                                                        <th scope="col" class="optional-column">"IP address"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {page.entries.into_iter().map(|e| {
                                                        let details = match (&e.product_name, e.detail.is_empty()) {
                                                            (Some(p), true) => p.clone(),
                                                            (Some(p), false) => format!("{p}: {}", e.detail),
                                                            (None, _) => e.detail.clone(),
                                                        };
                                                        let who_or_where = if whole { e.actor.clone() } else { e.organization_name.clone() };
                                                        view! {
                                                            <tr>
                                                                <td data-label="When">{format::datetime(e.occurred_at)}</td>
                                                                <td data-label="Action">{e.action.map(|a| a.label().to_owned()).unwrap_or(e.action_code)}</td>
                                                                <td data-label="Who">{who_or_where.unwrap_or_else(|| "—".to_owned())}</td>
                                                                <td data-label="Details" class="optional-column">{details}</td>
                                                                <td data-label="Device" class="optional-column" title=e.user_agent.clone()>{format::device(&e.user_agent)}</td>
                                                                <td data-label="IP address" class="optional-column">{e.ip}</td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <nav class="pager" aria-label="Pages">
                                    {newest.map(|href| view! { <a href=href>"Newest"</a> })}
                                    {older.map(|href| view! { <a href=href>"Older entries"</a> })}
                                </nav>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert" data-testid="activity-refused"><span>{error.message}</span></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

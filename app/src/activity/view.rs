//! The activity page: my own actions, newest first, one page at a time.

use super::api::my_activity;
use crate::components::{ErrorPanel, Loading};
use crate::format;
use crate::layout::use_organization_id;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    let before = Memo::new(move |_| {
        query
            .read()
            .get("before")
            .and_then(|v| v.parse::<i64>().ok())
    });
    let page = Resource::new(move || before.get(), my_activity);
    let organization_id = use_organization_id();
    view! {
        <Title text="Activity" />
        <h1>"My activity"</h1>
        <p class="lead">"What your account did, in all your organizations, newest first."</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let base = format!("/o/{}/activity", organization_id.get_untracked());
                        let older = page.older.map(|cursor| format!("{base}?before={cursor}"));
                        let is_first = before.get_untracked().is_none();
                        view! {
                            <section class="panel">
                                {if page.entries.is_empty() {
                                    view! { <p class="muted">"No activity yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label="Activity entries">
                                            <table data-testid="activity">
                                                <caption class="visually-hidden">"My activity"</caption>
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"When"</th>
                                                        <th scope="col">"Action"</th>
                                                        <th scope="col">"Organization"</th>
                                                        <th scope="col" class="optional-column">"Device"</th>
                                                        <th scope="col" class="optional-column">"IP address"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {page.entries.into_iter().map(|e| view! {
                                                        <tr>
                                                            <td>{format::datetime(e.occurred_at)}</td>
                                                            <td>{e.action.map(|a| a.label().to_owned()).unwrap_or(e.action_code)}</td>
                                                            <td>{e.organization_name.unwrap_or_else(|| "—".to_owned())}</td>
                                                            <td class="optional-column" title=e.user_agent.clone()>{format::device(&e.user_agent)}</td>
                                                            <td class="optional-column">{e.ip}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <nav class="pager" aria-label="Pages">
                                    {(!is_first).then(|| view! { <a href=base.clone()>"Newest"</a> })}
                                    {older.map(|href| view! { <a href=href>"Older entries"</a> })}
                                </nav>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

//! "Access to the account": active sessions and the connection log, panels of the security page.

use super::api::{active_sessions, connection_log, EndOtherSessions, EndSession};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{ErrorPanel, Loading};
use crate::format;
use leptos::prelude::*;

#[component]
pub fn SessionsPanel() -> impl IntoView {
    let end = FormAction::<EndSession>::new();
    let end_others = FormAction::<EndOtherSessions>::new();
    let sessions = resource(
        move || (end.version().get(), end_others.version().get()),
        |_| active_sessions(),
    );
    Effect::new(move |_| {
        // Ending this very session signs me out.
        if let (Some(Ok(())), Some(Ok(list))) = (end.value().get(), sessions.get()) {
            if list.is_empty() {
                crate::components::load_page("/login");
            }
        }
    });
    view! {
        <section class="panel" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => {
                            let others = list.iter().filter(|s| !s.current).count();
                            view! {
                                <ul class="session-list" data-testid="sessions">
                                    {list.into_iter().map(|s| {
                                        let id = s.id;
                                        let label = format!("{} ({})", s.device, s.ip);
                                        view! {
                                            <li class="session">
                                                <div>
                                                    <strong>{s.device.clone()}</strong>
                                                    {s.current.then(|| view! { " " <span class="badge">"This device"</span> })}
                                                    <div class="muted">
                                                        {format!("IP {} · {} · signed in {} · last active {}", s.ip, s.place, format::datetime(s.created_at), format::datetime(s.last_seen_at))}
                                                        {s.persistent.then_some(" · kept signed in")}
                                                    </div>
                                                </div>
                                                <ServerForm action=end attr:class="inline-form">
                                                    <input type="hidden" name="session_id" value=id />
                                                    <button class="button small secondary" type="submit">
                                                        {if s.current { "Sign out here" } else { "End session" }}
                                                        <span class="visually-hidden">{format!(" {label}")}</span>
                                                    </button>
                                                </ServerForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(others > 0).then(|| view! {
                                    <ServerForm action=end_others>
                                        <button class="button" type="submit" disabled=move || end_others.pending().get()>
                                            {format!("End the {others} other session{}", if others == 1 { "" } else { "s" })}
                                        </button>
                                    </ServerForm>
                                })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            {move || end.value().get().and_then(Result::err).map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })}
        </section>
    }
}

#[component]
pub fn ConnectionLogPanel() -> impl IntoView {
    let cursor = RwSignal::new(None::<i64>);
    let page = resource(move || cursor.get(), connection_log);
    view! {
        <section class="panel" aria-labelledby="connections-heading">
            <h2 id="connections-heading">"Connection log"</h2>
            <p class="muted">"Every sign-in to your account, successful or not, newest first."</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.entries.is_empty() => view! { <p class="muted">"No sign-ins yet."</p> }.into_any(),
                        Ok(p) => {
                            let older = p.older;
                            view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Connection log">
                                    <table data-testid="connections">
                                        <caption class="visually-hidden">"Sign-ins to your account"</caption>
                                        <thead>
                                            <tr><th scope="col">"When"</th><th scope="col">"Result"</th><th scope="col" class="optional-column">"How"</th><th scope="col">"Device"</th><th scope="col" class="optional-column">"IP address"</th></tr>
                                        </thead>
                                        <tbody>
                                            {p.entries.into_iter().map(|c| view! {
                                                <tr>
                                                    <td data-label="When">{format::datetime(c.occurred_at)}</td>
                                                    <td data-label="Result">{if c.succeeded { view! { <span class="status status-on">"Success"</span> }.into_any() } else { view! { <span class="status status-off">"Failed"</span> }.into_any() }}</td>
                                                    <td data-label="How" class="optional-column">{c.method}</td>
                                                    <td data-label="Device">{c.device}</td>
                                                    <td data-label="IP address" class="optional-column">{c.ip}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="pager">
                                    {move || cursor.get().is_some().then(|| view! {
                                        <button class="button" type="button" on:click=move |_| cursor.set(None)>"Newest"</button>
                                    })}
                                    {older.map(|o| view! {
                                        <button class="button" type="button" on:click=move |_| cursor.set(Some(o))>"Older"</button>
                                    })}
                                </div>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

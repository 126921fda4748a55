//! The settings page's "Verified domains" panel: add a domain, the exact record to create,
//! check it, remove it.

use super::api::{verified_domains, AddVerifiedDomain, CheckVerifiedDomain, RemoveVerifiedDomain};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{invalid, FieldError, FormError, Loading};
use crate::format;
use leptos::prelude::*;

#[component]
pub fn VerifiedDomainsPanel(organization_id: i64) -> impl IntoView {
    let add = FormAction::<AddVerifiedDomain>::new();
    let check = FormAction::<CheckVerifiedDomain>::new();
    let remove = FormAction::<RemoveVerifiedDomain>::new();
    let panel = resource(
        move || {
            (
                add.version().get(),
                check.version().get(),
                remove.version().get(),
            )
        },
        move |_| verified_domains(organization_id),
    );
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let failure = Signal::derive(move || {
        check
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    view! {
        <section class="panel" aria-labelledby="domains-heading" data-testid="verified-domains">
            <h2 id="domains-heading">"Verified domains"</h2>
            <p class="muted">"Prove that a domain is this organization's with a DNS TXT record. A verified domain stays verified; one domain belongs to one organization."</p>
            <FormError error=failure />
            <div role="status" data-testid="domain-check">
                {move || check.value().get().and_then(Result::ok).map(|c| if c.verified {
                    view! { <p class="notice">{format!("{} is verified.", c.domain)}</p> }.into_any()
                } else {
                    view! { <p class="notice notice-warning">{format!("{} is not verified yet. {}", c.domain, c.problem)}</p> }.into_any()
                })}
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    panel.await.ok().map(|p| if p.domains.is_empty() {
                        view! { <p class="muted" data-testid="no-domains">"No domain yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list domain-list">
                                {p.domains.into_iter().map(|d| {
                                    let name = d.domain.clone();
                                    let check_label = format!("Check the record of {name}");
                                    let remove_label = format!("Remove {name}");
                                    let state = match d.verified_at {
                                        Some(at) => view! { <span class="status status-on">{format!("Verified on {}", format::date(at))}</span> }.into_any(),
                                        None => view! { <span class="status">"Waiting for its DNS record"</span> }.into_any(),
                                    };
                                    let record = d.verified_at.is_none().then(|| view! {
                                        <p class="muted">"Create this TXT record at your DNS provider:"</p>
                                        <dl class="record" data-testid="domain-record">
                                            <dt>"Name"</dt><dd><code>{d.record_name()}</code></dd>
                                            <dt>"Type"</dt><dd><code>"TXT"</code></dd>
                                            <dt>"Value"</dt><dd><code>{d.record_value()}</code></dd>
                                        </dl>
                                    });
                                    view! {
                                        <li data-testid="domain-row">
                                            <strong>{name.clone()}</strong>" " {state}
                                            {record}
                                            <div class="button-row">
                                                {d.verified_at.is_none().then(|| view! {
                                                    <ServerForm action=check attr:class="inline-form">
                                                        <input type="hidden" name="organization_id" value=organization_id />
                                                        <input type="hidden" name="domain_id" value=d.id />
                                                        <button class="button small" type="submit" aria-label=check_label>"Check the record"</button>
                                                    </ServerForm>
                                                })}
                                                <ServerForm action=remove attr:class="inline-form">
                                                    <input type="hidden" name="organization_id" value=organization_id />
                                                    <input type="hidden" name="domain_id" value=d.id />
                                                    <button class="button small secondary" type="submit" aria-label=remove_label>"Remove"</button>
                                                </ServerForm>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
            <ServerForm action=add>
                <div class="field">
                    <label for="add-domain">"Domain"</label>
                    <input id="add-domain" name="domain" required maxlength="253" autocomplete="off" placeholder="example.ch"
                        aria-invalid=invalid(add_error, "domain") aria-describedby="add-domain-error" />
                    <FieldError error=add_error field="domain" input="add-domain" />
                </div>
                <input type="hidden" name="organization_id" value=organization_id />
                <div class="button-row">
                    <button class="button secondary" type="submit" disabled=move || add.pending().get()>"Add the domain"</button>
                </div>
            </ServerForm>
        </section>
    }
}

//! The partner program's pages: the settings panels (applying; the partners with access to
//! this organization), the Reseller area, and the page a request's link opens.

use super::api::{
    open_partner_request, partner_program, partners_with_access, reseller, reseller_customer,
    ApplyAsPartner, CancelCustomerRequest, EndCustomer, EndPartnerAccess, GrantPartnerAccess,
    RefusePartnerRequest, RequestCustomer, SetCustomerDelegation,
};
use super::{CustomerRow, PartnerAccess, PartnerState, RelationshipState, RequestOpening};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{
    invalid, use_organization_id, ErrorPanel, FieldError, FormError, Loading, PageTitle,
};
use crate::format;
use leptos::prelude::*;

const KINDS: [PartnerAccess; 3] = [
    PartnerAccess::FullCustomerPays,
    PartnerAccess::FullPartnerPays,
    PartnerAccess::Limited,
];

fn until_words(until: Option<i64>) -> String {
    until.map_or_else(|| "No end date".into(), |t| format::date(t - 1))
}

/// The settings page's "Partner program": where the organization stands, and the application
/// form for a legal representative.
#[component]
pub fn ProgramPanel(organization_id: i64) -> impl IntoView {
    let apply = FormAction::<ApplyAsPartner>::new();
    let facts = resource(
        move || apply.version().get(),
        move |_| partner_program(organization_id),
    );
    let error = Signal::derive(move || apply.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="partner-heading" data-testid="partner-program">
            <h2 id="partner-heading">"Partner program"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    facts.await.ok().map(|f| {
                        let state = match f.state {
                            None => "Web agencies and resellers manage their customers' products from one Steward and earn discounts and cashback. Apply with the organization's trade-register number and website: Steward reviews each application.".to_owned(),
                            Some(PartnerState::Applied) => format!("Application under review since {} (trade register {}, {}).", f.applied_at.map(format::date).unwrap_or_default(), f.trade_register, f.website),
                            Some(PartnerState::Approved) => format!("A partner since {}. Discount rates: {}.", f.decided_at.map(format::date).unwrap_or_default(), rates_text(&f.rates)),
                            Some(PartnerState::Refused) => format!("The application was not accepted on {}: {}", f.decided_at.map(format::date).unwrap_or_default(), f.refusal_reason),
                        };
                        let partner = f.state == Some(PartnerState::Approved);
                        view! {
                            <p data-testid="partner-state">{state}</p>
                            {partner.then(|| view! { <p><a href=format!("/o/{organization_id}/reseller")>"Open the Reseller area"</a></p> })}
                            {f.may_apply.then(|| view! {
                                <ServerForm action=apply attr:class="stacked-form">
                                    <input type="hidden" name="organization_id" value=organization_id />
                                    <FormError error />
                                    <div class="field">
                                        <label for="partner-register">"Trade-register number"</label>
                                        <input id="partner-register" name="trade_register" required maxlength="40" placeholder="CHE-123.456.789" aria-describedby="partner-register-error" aria-invalid=invalid(error, "trade_register") />
                                        <FieldError error field="trade_register" input="partner-register" />
                                    </div>
                                    <div class="field">
                                        <label for="partner-website">"Website"</label>
                                        <input id="partner-website" name="website" type="text" inputmode="url" required maxlength="200" placeholder="https://www.example.ch" aria-describedby="partner-website-error" aria-invalid=invalid(error, "website") />
                                        <FieldError error field="website" input="partner-website" />
                                    </div>
                                    <button class="button primary" type="submit" disabled=move || apply.pending().get()>"Apply to the partner program"</button>
                                </ServerForm>
                            })}
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

fn rates_text(rates: &[super::Rate]) -> String {
    if rates.is_empty() {
        return "none yet".into();
    }
    rates
        .iter()
        .map(|r| format!("{} on {}", r.percent.label(), r.kind.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The settings page's "Partners with access": each partner, what it reaches, and End.
#[component]
pub fn PartnersPanel(organization_id: i64) -> impl IntoView {
    let end = FormAction::<EndPartnerAccess>::new();
    let partners = resource(
        move || end.version().get(),
        move |_| partners_with_access(organization_id),
    );
    let error = Signal::derive(move || end.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="partners-heading" data-testid="partners-with-access">
            <h2 id="partners-heading">"Partners with access"</h2>
            <FormError error />
            {move || matches!(end.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The partner's access has ended; its legal representatives were told."</p> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    partners.await.ok().map(|list| if list.is_empty() {
                        view! { <p class="muted">"No partner manages this organization. A partner asks by email; a legal representative answers."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {list.into_iter().map(|p| {
                                    let products = if p.products.is_empty() { String::new() } else { format!(" ({})", p.products.join(", ")) };
                                    let label = format!("End access of {}", p.partner);
                                    view! {
                                        <li>
                                            <strong>{p.partner.clone()}</strong>
                                            {format!(": {}{products}, since {}; {}", p.granted.label(), format::date(p.since), until_words(p.granted_until).to_lowercase())}
                                            <ServerForm action=end attr:class="inline-form">
                                                <input type="hidden" name="organization_id" value=organization_id />
                                                <input type="hidden" name="relationship_id" value=p.id />
                                                <button class="button small secondary" type="submit" aria-label=label>"End access"</button>
                                            </ServerForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
        </section>
    }
}

/// The Reseller area (`/o/:organization/reseller`): the partner's customers and requests.
#[component]
pub fn ResellerPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let request = FormAction::<RequestCustomer>::new();
    let cancel = FormAction::<CancelCustomerRequest>::new();
    let end = FormAction::<EndCustomer>::new();
    let delegate = FormAction::<SetCustomerDelegation>::new();
    let area = resource(
        move || {
            (
                organization_id.get(),
                request.version().get(),
                cancel.version().get(),
                end.version().get(),
                delegate.version().get(),
            )
        },
        |(organization, ..)| reseller(organization),
    );
    let adding = RwSignal::new(false);
    let downloading = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    // The customers ticked in the table (their organizations' ids), for the bottom menu.
    let ticked = RwSignal::new(Vec::<i64>::new());
    let failure = Signal::derive(move || {
        cancel
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| end.value().get().and_then(Result::err))
            .or_else(|| delegate.value().get().and_then(Result::err))
    });
    view! {
        <PageTitle text="Reseller area" />
        <h1>"Reseller area"</h1>
        <FormError error=failure />
        {move || matches!(request.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The request is sent: the customer answers by email within 30 days."</p> })}
        {move || matches!(end.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The access has ended; the customer's legal representatives were told."</p> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match area.await {
                    Ok(area) => {
                        let organization = organization_id.get_untracked();
                        let may_manage = area.may_manage;
                        let now = area.now;
                        let rows = area.rows.clone();
                        let delegation = (area.may_delegate && !area.collaborators.is_empty()).then(|| {
                            let active: Vec<CustomerRow> = area.rows.iter().filter(|r| r.active(now)).cloned().collect();
                            view! { <Delegation organization customers=active collaborators=area.collaborators.clone() delegate /> }
                        });
                        view! {
                            <p class="muted">{format!("Your discount rates: {}.", rates_text(&area.rates))}</p>
                            {may_manage.then(|| view! {
                                <p class="page-actions">
                                    <button class="button primary" type="button" aria-expanded=move || adding.get().to_string() aria-controls="add-customer" on:click=move |_| adding.update(|a| *a = !*a)>"Add a customer"</button>
                                </p>
                                <AddCustomer organization request adding />
                            })}
                            <section class="panel" aria-labelledby="customers-heading">
                                <div class="panel-heading">
                                    <h2 id="customers-heading">{format!("Managed customers ({})", rows.len())}</h2>
                                    <button class="button secondary" type="button" aria-expanded=move || downloading.get().to_string() aria-controls="export-all" on:click=move |_| downloading.update(|d| *d = !*d)>"Download"</button>
                                </div>
                                <div id="export-all" hidden=move || !downloading.get()>
                                    <ExportForm organization now id="export-all-form" customers=Signal::stored(String::new()) submit="Export all customers" />
                                </div>
                                <div class="field">
                                    <label for="customer-search">"Search by customer or email"</label>
                                    <input id="customer-search" type="search" maxlength="100" on:input=move |ev| search.set(event_target_value(&ev)) prop:value=search />
                                </div>
                                {if rows.is_empty() {
                                    view! { <p class="muted" data-testid="no-customers">"No customers yet: add one with \"Add a customer\"."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap with-menus" tabindex="0" role="region" aria-label="Managed customers">
                                            <table data-testid="customers">
                                                <caption class="visually-hidden">"Managed customers"</caption>
                                                <thead>
                                                    <tr>
                                                        <th scope="col"><span class="visually-hidden">"Tick"</span></th>
                                                        <th scope="col">"Customer"</th>
                                                        <th scope="col">"Access granted"</th>
                                                        <th scope="col" class="optional-column">"Payment methods"</th>
                                                        <th scope="col">"Products"</th>
                                                        <th scope="col" class="optional-column">"Since"</th>
                                                        <th scope="col" class="optional-column">"Ends"</th>
                                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {rows.into_iter().map(|row| {
                                                        let haystack = format!("{} {}", row.customer.clone().unwrap_or_default(), row.email).to_lowercase();
                                                        let hidden = move || {
                                                            let wanted = search.get().trim().to_lowercase();
                                                            !wanted.is_empty() && !haystack.contains(&wanted)
                                                        };
                                                        view! { <CustomerLine row organization now may_manage cancel end hidden ticked /> }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            <TickedBar organization now ticked />
                            <CashbackStatement months=area.cashback.clone() />
                            {delegation}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Cashback credited per month and customer (PAR-5).
#[component]
fn CashbackStatement(months: Vec<super::CashbackMonth>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="cashback-heading" data-testid="cashback-statement">
            <h2 id="cashback-heading">"Cashback"</h2>
            <p class="muted">"The public price less your partner price, credited to your prepaid account when a customer pays an order or a renewal you earn on (VAT excluded)."</p>
            {if months.is_empty() {
                view! { <p class="muted">"No cashback credited in the last two years."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Cashback per month">
                        <table>
                            <caption class="visually-hidden">"Cashback per month and customer"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Month"</th>
                                    <th scope="col">"Customer"</th>
                                    <th scope="col" class="optional-column">"Lines"</th>
                                    <th scope="col" class="amount">"Cashback"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {months.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.month}</td>
                                        <td>{m.customer}</td>
                                        <td class="optional-column">{m.lines}</td>
                                        <td class="amount">{m.amount.to_string()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn CustomerLine(
    row: CustomerRow,
    organization: i64,
    now: i64,
    may_manage: bool,
    cancel: FormAction<CancelCustomerRequest>,
    end: FormAction<EndCustomer>,
    hidden: impl Fn() -> bool + Send + Sync + 'static,
    ticked: RwSignal<Vec<i64>>,
) -> impl IntoView {
    let name = row.customer.clone().unwrap_or_else(|| row.email.clone());
    let menu = RwSignal::new(false);
    let (granted, products) = match (row.state, row.granted) {
        (RelationshipState::Requested, _) if row.request_expired(now) => (
            format!(
                "Request expired on {} without an answer",
                format::date(row.request_expires_at)
            ),
            String::new(),
        ),
        (RelationshipState::Requested, _) => (
            format!(
                "Waiting for {} until {} (asked: {})",
                row.email,
                format::date(row.request_expires_at),
                row.requested.label()
            ),
            String::new(),
        ),
        (RelationshipState::Active, Some(granted)) if row.active(now) => {
            let asked = if granted == row.requested {
                String::new()
            } else {
                format!(" (asked: {})", row.requested.label())
            };
            let products = if row.products.is_empty() {
                row.product_count.to_string()
            } else {
                row.products.join(", ")
            };
            (format!("{}{asked}", granted.label()), products)
        }
        (RelationshipState::Active, _) => ("Ended on its end date".into(), String::new()),
        (state, _) => (state.label().to_owned(), String::new()),
    };
    let ends = match row.state {
        RelationshipState::Active if row.active(now) => until_words(row.granted_until),
        RelationshipState::Ended => row.ended_at.map(format::date).unwrap_or_default(),
        _ => String::new(),
    };
    let waiting = row.state == RelationshipState::Requested && !row.request_expired(now);
    let closable = row.state == RelationshipState::Requested;
    let endable = row.state == RelationshipState::Active && row.active(now);
    let id = row.id;
    let payment = row.payment_methods();
    let cancel_label = if waiting {
        format!("Cancel the request to {name}")
    } else {
        format!("Remove the request to {name}")
    };
    let open = row
        .customer_id
        .filter(|_| endable)
        .map(|id| format!("/o/{id}"));
    let open_label = format!("Open the manager of {name}");
    let end_label = format!("End the relationship with {name}");
    let profile = format!("/o/{organization}/reseller/{id}");
    let export = row.customer_id.map(|customer| {
        format!(
            "{}?organization={organization}&customers={customer}",
            super::EXPORT_PATH
        )
    });
    let tick = row.customer_id.map(|customer| {
        let label = format!("Tick {name}");
        view! {
            <input type="checkbox" aria-label=label
                prop:checked=move || ticked.read().contains(&customer)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    ticked.update(|t| {
                        t.retain(|c| *c != customer);
                        if on {
                            t.push(customer);
                        }
                    });
                } />
        }
    });
    let menu_label = format!("Actions for {name}");
    view! {
        <tr hidden=hidden data-testid="customer-row">
            <td data-label="Tick">{tick}</td>
            <td data-label="Customer"><a href=profile.clone()><strong>{name.clone()}</strong></a>{row.customer.is_some().then(|| view! { <br /><span class="muted">{row.email.clone()}</span> })}</td>
            <td data-label="Access granted">{granted}</td>
            <td data-label="Payment methods" class="optional-column">{payment}</td>
            <td data-label="Products">{products}</td>
            <td data-label="Since" class="optional-column">{row.since.map(format::date).unwrap_or_default()}</td>
            <td data-label="Ends" class="optional-column">{ends}</td>
            <td data-label="Actions" class="actions">
                <div class="row-menu">
                    <button class="button small secondary" type="button" aria-haspopup="true" aria-expanded=move || menu.get().to_string()
                        on:click=move |_| menu.update(|m| *m = !*m)>
                        "⋮" <span class="visually-hidden">{menu_label}</span>
                    </button>
                    <div class="menu" hidden=move || !menu.get()>
                        <ul>
                            // A full page load: another organization's frame, not this page's data refetched for it.
                            {open.map(|href| view! { <li><a class="menu-item" href=href rel="external" aria-label=open_label.clone()>"Open the manager"</a></li> })}
                            <li><a class="menu-item" href=profile>"The customer's profile"</a></li>
                            {export.map(|href| view! { <li><a class="menu-item" href=href rel="external" download="">"Export this customer's history (invoices)"</a></li> })}
                            {(may_manage && closable).then(|| view! {
                                <li>
                                    <ServerForm action=cancel>
                                        <input type="hidden" name="organization_id" value=organization />
                                        <input type="hidden" name="relationship_id" value=id />
                                        <button class="menu-item" type="submit" aria-label=cancel_label>{if waiting { "Cancel the request" } else { "Remove the request" }}</button>
                                    </ServerForm>
                                </li>
                            })}
                            {(may_manage && endable).then(|| view! {
                                <li>
                                    <ServerForm action=end>
                                        <input type="hidden" name="organization_id" value=organization />
                                        <input type="hidden" name="relationship_id" value=id />
                                        <button class="menu-item" type="submit" aria-label=end_label>"End the relationship"</button>
                                    </ServerForm>
                                </li>
                            })}
                        </ul>
                    </div>
                </div>
            </td>
        </tr>
    }
}

/// The export's form (PAR-6): what history, which period (the first day included, the last
/// excluded), sent as a plain download of [`super::EXPORT_PATH`] — for all customers, or for
/// the ids in `customers`.
#[component]
fn ExportForm(
    organization: i64,
    now: i64,
    id: &'static str,
    customers: Signal<String>,
    submit: &'static str,
) -> impl IntoView {
    let year: i64 = format::iso_date(now)[..4].parse().unwrap_or(2026);
    let from = format!("{year:04}-01-01");
    let to = format!("{:04}-01-01", year + 1);
    view! {
        <form method="get" action=super::EXPORT_PATH class="export-form" data-testid=id>
            <input type="hidden" name="organization" value=organization />
            <input type="hidden" name="customers" prop:value=move || customers.get() />
            <div class="field">
                <label for=format!("{id}-history")>"History"</label>
                <select id=format!("{id}-history") name="history">
                    <option value="invoices" selected>"Invoices"</option>
                    <option value="renewals">"Renewals"</option>
                    <option value="cashback">"Cashback"</option>
                </select>
            </div>
            <div class="field">
                <label for=format!("{id}-from")>"From (included)"</label>
                <input id=format!("{id}-from") type="date" name="from" value=from required />
            </div>
            <div class="field">
                <label for=format!("{id}-to")>"To (not included)"</label>
                <input id=format!("{id}-to") type="date" name="to" value=to required />
            </div>
            <div class="button-row">
                <button class="button primary" type="submit">{submit}</button>
            </div>
        </form>
    }
}

/// The menu at the bottom of the page once customers are ticked: export their history.
#[component]
fn TickedBar(organization: i64, now: i64, ticked: RwSignal<Vec<i64>>) -> impl IntoView {
    let ids = Signal::derive(move || {
        ticked
            .read()
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    });
    let count = move || ticked.read().len();
    view! {
        <section class="panel ticked-bar" aria-labelledby="ticked-heading" hidden=move || count() == 0 data-testid="ticked-bar">
            <div class="panel-heading">
                <h2 id="ticked-heading">{move || format!("{} customer{} ticked", count(), if count() == 1 { "" } else { "s" })}</h2>
                <button class="button small secondary" type="button" on:click=move |_| ticked.set(Vec::new())>"Untick all"</button>
            </div>
            <ExportForm organization now id="export-ticked-form" customers=ids submit="Export their history" />
        </section>
    }
}

#[component]
fn AddCustomer(
    organization: i64,
    request: FormAction<RequestCustomer>,
    adding: RwSignal<bool>,
) -> impl IntoView {
    let error = Signal::derive(move || request.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = request.value().get() {
            adding.set(false);
        }
    });
    view! {
        <section class="panel" id="add-customer" aria-labelledby="add-customer-heading" hidden=move || !adding.get()>
            <h2 id="add-customer-heading">"Add a customer"</h2>
            <p class="muted">"The customer gets an email with your request. A legal representative of their organization grants it — or grants less: another kind of access, only some products, an end date — or refuses it, within 30 days."</p>
            <ServerForm action=request attr:class="stacked-form">
                <input type="hidden" name="organization_id" value=organization />
                <FormError error />
                <div class="field">
                    <label for="customer-email">"Email of the customer's legal representative"</label>
                    <input id="customer-email" name="email" type="email" required maxlength="254" aria-describedby="customer-email-error" aria-invalid=invalid(error, "email") />
                    <FieldError error field="email" input="customer-email" />
                </div>
                <fieldset class="field">
                    <legend>"Access requested"</legend>
                    {KINDS.into_iter().enumerate().map(|(i, kind)| {
                        let id = format!("customer-access-{}", kind.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="choice" for=label_for>
                                <input id=id type="radio" name="access" value=kind.as_str() checked=i == 0 />
                                {kind.label()}
                            </label>
                        }
                    }).collect_view()}
                    <FieldError error field="access" input="customer-access-full_customer_pays" />
                </fieldset>
                <div class="field">
                    <label for="customer-until">"End date (optional)"</label>
                    <input id="customer-until" name="until" type="date" aria-describedby="customer-until-error" aria-invalid=invalid(error, "until") />
                    <FieldError error field="until" input="customer-until" />
                </div>
                <button class="button primary" type="submit" disabled=move || request.pending().get()>"Send the request"</button>
            </ServerForm>
        </section>
    }
}

/// The page the emailed link opens (`/partner-request?token=…`).
#[component]
pub fn PartnerRequestPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let opening = resource(move || token.get(), open_partner_request);
    view! {
        <PageTitle text="A partner's request" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match opening.await {
                            Ok(opening) => view! { <Answer opening token=token.get_untracked() /> }.into_any(),
                            Err(e) => view! {
                                <h1>"A partner's request"</h1>
                                <p class="form-error" role="alert" data-testid="request-refused"><span>{e.message}</span></p>
                                <a class="button secondary wide" href="/">"Go to Steward"</a>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </main>
    }
}

#[component]
fn Answer(opening: RequestOpening, token: String) -> impl IntoView {
    let grant = FormAction::<GrantPartnerAccess>::new();
    let refuse = FormAction::<RefusePartnerRequest>::new();
    let error = Signal::derive(move || {
        grant
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| refuse.value().get().and_then(Result::err))
    });
    let chosen = RwSignal::new(opening.granters.first().map(|g| g.id).unwrap_or(0));
    let access = RwSignal::new(opening.requested);
    let picked = RwSignal::new(Vec::<i64>::new());
    let granters = StoredValue::new(opening.granters.clone());
    let who = opening
        .requested_by
        .clone()
        .unwrap_or_else(|| "A legal representative".into());
    let title = format!("{} asks to manage your products", opening.partner);
    let next_path = format!("/partner-request?token={token}");
    let answer = match (&opening.signed_in_as, opening.granters.is_empty()) {
        (None, _) => view! {
            <p>{format!("Sign in as a legal representative of your organization to answer (the request was sent to {}). No account yet? Create one: it creates your organization.", opening.email)}</p>
            <a class="button primary wide" href=format!("/login?next={}", format::percent_encode(&next_path))>"Sign in to answer"</a>
            <a class="button secondary wide" href=format!("/signup?next={}", format::percent_encode(&next_path))>"Create an account"</a>
        }.into_any(),
        (Some(email), true) => view! {
            <p class="form-error" role="alert"><span>{format!("You are signed in as {email}, who is the legal representative of no organization that could grant this: sign in as one, or ask one of yours to open this link.")}</span></p>
        }.into_any(),
        (Some(_), false) => {
            let token = token.clone();
            let ids = move || picked.get().iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            view! {
                <ServerForm action=grant attr:class="stacked-form">
                    <input type="hidden" name="token" value=token />
                    <input type="hidden" name="product_ids" prop:value=ids />
                    <div class="field">
                        <label for="grant-from">"Organization"</label>
                        <select id="grant-from" name="organization_id" aria-describedby="grant-from-error" aria-invalid=invalid(error, "organization_id")
                            on:change=move |ev| { chosen.set(event_target_value(&ev).parse().unwrap_or(0)); picked.set(Vec::new()); }>
                            {opening.granters.iter().map(|g| view! { <option value=g.id>{g.name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError error field="organization_id" input="grant-from" />
                    </div>
                    <fieldset class="field">
                        <legend>"Access granted"</legend>
                        {KINDS.into_iter().map(|kind| {
                            let id = format!("grant-access-{}", kind.as_str());
                            let label_for = id.clone();
                            view! {
                                <label class="choice" for=label_for>
                                    <input id=id type="radio" name="access" value=kind.as_str() checked=kind == opening.requested on:change=move |_| access.set(kind) />
                                    {kind.label()}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="field" hidden=move || access.get() != PartnerAccess::Limited>
                        <legend>"Products the partner may manage"</legend>
                        {move || {
                            let products = granters.with_value(|all| all.iter().find(|g| g.id == chosen.get()).map(|g| g.products.clone()).unwrap_or_default());
                            if products.is_empty() {
                                view! { <p class="muted">"This organization has no products yet."</p> }.into_any()
                            } else {
                                products.into_iter().map(|(id, name)| {
                                    let input = format!("grant-product-{id}");
                                    let label_for = input.clone();
                                    view! {
                                        <label class="choice" for=label_for>
                                            <input id=input type="checkbox" prop:checked=move || picked.get().contains(&id)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    picked.update(|p| { p.retain(|x| *x != id); if on { p.push(id); } });
                                                } />
                                            {name}
                                        </label>
                                    }
                                }).collect_view().into_any()
                            }
                        }}
                        <FieldError error field="product_ids" input="grant-from" />
                    </fieldset>
                    <div class="field">
                        <label for="grant-until">"End date (optional)"</label>
                        <input id="grant-until" name="until" type="date" value=opening.requested_until.map(|t| format::iso_date(t - 1)).unwrap_or_default() aria-describedby="grant-until-error" aria-invalid=invalid(error, "until") />
                        <FieldError error field="until" input="grant-until" />
                    </div>
                    <p class="muted">"Whatever you grant, you can end at any time in your organization's settings. A partner never changes your organization's members, roles or settings."</p>
                    <button class="button primary wide" type="submit" disabled=move || grant.pending().get()>"Grant this access"</button>
                </ServerForm>
            }.into_any()
        }
    };
    let done = move || {
        if matches!(grant.value().get(), Some(Ok(()))) {
            Some("Granted: the partner now reaches what you chose, and was told.")
        } else if matches!(refuse.value().get(), Some(Ok(()))) {
            Some("Refused: the partner gets no access, and was told.")
        } else {
            None
        }
    };
    view! {
        <h1>{title}</h1>
        <dl class="facts" data-testid="request-facts">
            <dt>"Partner"</dt><dd>{opening.partner.clone()}</dd>
            <dt>"Asked by"</dt><dd>{who}</dd>
            <dt>"Access asked"</dt><dd>{opening.requested.label()}</dd>
            <dt>"Until"</dt><dd>{until_words(opening.requested_until)}</dd>
            <dt>"Answer until"</dt><dd>{format::date(opening.expires_at)}</dd>
        </dl>
        {move || done().map(|text| view! { <p class="notice" role="status" data-testid="request-answered">{text}</p> })}
        <div hidden=move || done().is_some()>
            {answer}
            <FormError error />
            <ServerForm action=refuse attr:class="inline-form">
                <input type="hidden" name="token" value=token.clone() />
                <button class="button secondary wide" type="submit">"Refuse"</button>
            </ServerForm>
        </div>
    }
}

/// Which of the partner's collaborators reaches which customer (PAR-7): each active customer
/// with each collaborator, delegated or not, changed one at a time.
#[component]
fn Delegation(
    organization: i64,
    customers: Vec<CustomerRow>,
    collaborators: Vec<(i64, String)>,
    delegate: FormAction<SetCustomerDelegation>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="delegation-heading" data-testid="delegation">
            <h2 id="delegation-heading">"Delegation to collaborators"</h2>
            <p class="muted">"Legal representatives and administrators reach every customer. A collaborator reaches the customers delegated to them, from the organization switcher, with the access each customer granted."</p>
            {if customers.is_empty() {
                view! { <p class="muted">"No active customer to delegate yet."</p> }.into_any()
            } else {
                customers.into_iter().map(|row| {
                    let customer = row.customer.clone().unwrap_or_default();
                    let heading = format!("delegation-{}", row.id);
                    let labelled = heading.clone();
                    view! {
                        <h3 id=heading>{customer.clone()}</h3>
                        <ul class="plain-list" aria-labelledby=labelled>
                            {collaborators.clone().into_iter().map(|(user, name)| {
                                let on = row.delegated.contains(&user);
                                let label = if on {
                                    format!("Take back {customer} from {name}")
                                } else {
                                    format!("Delegate {customer} to {name}")
                                };
                                view! {
                                    <li>
                                        {format!("{name}: {}", if on { "delegated" } else { "not delegated" })}
                                        <ServerForm action=delegate attr:class="inline-form">
                                            <input type="hidden" name="organization_id" value=organization />
                                            <input type="hidden" name="relationship_id" value=row.id />
                                            <input type="hidden" name="user_id" value=user />
                                            <input type="hidden" name="delegated" value=(!on).to_string() />
                                            <button class="button small secondary" type="submit" aria-label=label>{if on { "Take back" } else { "Delegate" }}</button>
                                        </ServerForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// One customer's profile (`/o/:organization/reseller/:relationship`): asked and granted side
/// by side, who pays, what the partner reaches, and the history of the relationship.
#[component]
pub fn CustomerProfilePage() -> impl IntoView {
    let organization_id = use_organization_id();
    let params = leptos_router::hooks::use_params_map();
    let relationship = Memo::new(move |_| {
        params
            .read()
            .get("relationship")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let profile = resource(
        move || (organization_id.get(), relationship.get()),
        |(organization, relationship)| reseller_customer(organization, relationship),
    );
    view! {
        <PageTitle text="Customer" />
        <p><a href=move || format!("/o/{}/reseller", organization_id.get())>"← Reseller area"</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let row = p.row.clone();
                        let name = row.customer.clone().unwrap_or_else(|| row.email.clone());
                        let granted = row.granted.map(|g| g.label().to_owned()).unwrap_or_else(|| "—".into());
                        let state = if row.active(p.now) { "Active".to_owned() } else if row.request_expired(p.now) { "Request expired".to_owned() } else { row.state.label().to_owned() };
                        view! {
                            <h1>{name}</h1>
                            <section class="panel" aria-labelledby="access-heading" data-testid="customer-access">
                                <h2 id="access-heading">"Access"</h2>
                                <p>{format!("{state}. Request sent to {}.", row.email)}</p>
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Access requested and granted">
                                    <table>
                                        <caption class="visually-hidden">"Access requested and granted"</caption>
                                        <thead>
                                            <tr><th scope="col"><span class="visually-hidden">"What"</span></th><th scope="col">"Requested"</th><th scope="col">"Granted"</th></tr>
                                        </thead>
                                        <tbody>
                                            <tr>
                                                <th scope="row">"Access"</th>
                                                <td data-label="Requested">{row.requested.label()}</td>
                                                <td data-label="Granted">{granted}</td>
                                            </tr>
                                            <tr>
                                                <th scope="row">"End date"</th>
                                                <td data-label="Requested">{until_words(row.requested_until)}</td>
                                                <td data-label="Granted">{if row.granted.is_some() { until_words(row.granted_until) } else { "—".into() }}</td>
                                            </tr>
                                            <tr>
                                                <th scope="row">"By"</th>
                                                <td data-label="Requested">{p.requested_by.clone().unwrap_or_default()}</td>
                                                <td data-label="Granted">{p.answered_by.clone().unwrap_or_default()}</td>
                                            </tr>
                                        </tbody>
                                    </table>
                                </div>
                                <p>{format!("Payment methods: {}", row.payment_methods())}</p>
                            </section>
                            <section class="panel" aria-labelledby="reach-heading" data-testid="customer-products">
                                <h2 id="reach-heading">{format!("Products you reach ({})", p.products.len())}</h2>
                                {if p.products.is_empty() {
                                    view! { <p class="muted">"None now."</p> }.into_any()
                                } else {
                                    view! { <ul class="plain-list">{p.products.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul> }.into_any()
                                }}
                            </section>
                            <section class="panel" aria-labelledby="history-heading" data-testid="customer-history">
                                <h2 id="history-heading">"History"</h2>
                                <ul class="plain-list">
                                    {p.history.iter().map(|(at, what)| view! { <li>{format!("{} — {what}", format::date(*at))}</li> }).collect_view()}
                                </ul>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <h1>"Customer"</h1> <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

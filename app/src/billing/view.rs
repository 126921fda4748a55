//! The billing pages: the prepaid account, the billing addresses, the billing notifications.

use super::api::{
    billing_addresses, billing_notifications, prepaid_account, AddBillingAddress,
    DeleteBillingAddress, RequestWithdrawal, SetBillingNotification, SetDefaultBillingAddress,
    SetExpiryReminders, TopUpSlip, UpdateBillingAddress,
};
use super::{
    BillingAddress, Notice, PaymentSlip, Withdrawal, WithdrawalStatus, COUNTRIES,
    EXPIRY_REMINDERS_MAX, EXPIRY_REMINDER_MAX_DAYS, NAME_MAX_CHARS, POSTAL_CODE_MAX_CHARS,
    STREET_MAX_CHARS, VAT_NUMBER_MAX_CHARS,
};
use crate::account::view::ConfirmItsYou;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading, PageTitle};
use crate::error::AppError;
use crate::format;
use leptos::prelude::*;

#[component]
pub fn PrepaidPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let withdraw = FormAction::<RequestWithdrawal>::new();
    let statement = resource(
        move || (organization_id.get(), withdraw.version().get()),
        |(organization, _)| prepaid_account(organization),
    );
    let withdraw_error = Signal::derive(move || withdraw.value().get().and_then(Result::err));
    let method = RwSignal::new("bank_account".to_owned());
    view! {
        <PageTitle text="Prepaid account" />
        <h1>"Prepaid account"</h1>
        <p class="lead">"Money paid in ahead, and credits from cancelled orders, pay orders and renewals. The balance is the sum of the entries below."</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match statement.await {
                    Ok(statement) => {
                    let reference = statement.reference.clone();
                    let balances: Vec<crate::money::Money> = statement.currencies.iter().map(|c| c.balance).collect();
                    view! {
                        <TopUp organization=organization_id.get_untracked() reference slip=statement.slip.clone() />
                        {statement.currencies.into_iter().map(|account| {
                        let code = account.balance.currency.code();
                        let heading = format!("prepaid-{}", code.to_lowercase());
                        let labelled_by = heading.clone();
                        view! {
                            <section class="panel" aria-labelledby=labelled_by>
                                <h2 id=heading>{format!("Balance in {code}")}</h2>
                                <p class="balance" data-testid=format!("balance-{}", code.to_lowercase())>{account.balance.to_string()}</p>
                                {if account.entries.is_empty() {
                                    view! { <p class="muted">"No entry yet: the account has never been used."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label=format!("Entries in {code}")>
                                            <table data-testid="ledger">
                                                <caption class="visually-hidden">{format!("Prepaid account entries in {code}")}</caption>
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"Date"</th>
                                                        <th scope="col">"Entry"</th>
                                                        <th scope="col">"Reference"</th>
                                                        <th scope="col" class="amount">"Amount"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {account.entries.into_iter().map(|e| view! {
                                                        <tr>
                                                            <td data-label="Date">{format::date(e.at)}</td>
                                                            <td data-label="Entry">{e.kind}</td>
                                                            <td data-label="Reference">{e.reference}</td>
                                                            <td data-label="Amount" class="amount">{e.amount.to_string()}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                        }
                    }).collect_view()}
                    <WithdrawalSection organization=organization_id.get_untracked() balances=balances withdrawals=statement.withdrawals may_withdraw=statement.may_withdraw withdraw error=withdraw_error method />
                    }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The Swiss QR-bill of a payment slip: its code with the Swiss cross, as a scalable drawing.
#[component]
pub fn QrBillCode(slip: PaymentSlip) -> impl IntoView {
    let size = slip.qr_size;
    let label = format!(
        "Swiss QR-bill: pay {} to {} with reference {}",
        slip.amount
            .map(|a| a.to_string())
            .unwrap_or_else(|| format!("an amount of your choice in {}", slip.currency.code())),
        slip.iban,
        slip.reference
    );
    view! {
        <svg class="qr-bill-code" data-testid="qr-bill" viewBox=format!("-4 -4 {} {}", size + 8, size + 8) width="264" height="264" role="img" aria-label=label shape-rendering="crispEdges">
            <rect x="-4" y="-4" width=size + 8 height=size + 8 fill="#fff" />
            <path d=slip.qr_path fill="#000" />
            {slip.cross.into_iter().map(|(x, y, w, h, black)| view! {
                <rect x=x y=y width=w height=h fill=if black { "#000" } else { "#fff" } />
            }).collect_view()}
        </svg>
    }
}

/// The transfer's details, side by side with its QR-bill: to whom, which account, which
/// reference, how much.
#[component]
pub fn SlipDetails(slip: PaymentSlip) -> impl IntoView {
    view! {
        <dl class="facts slip-facts" data-testid="slip-details">
            <dt>"Beneficiary"</dt>
            <dd>{slip.beneficiary.into_iter().map(|l| view! { <span class="slip-line">{l}</span> }).collect_view()}</dd>
            <dt>"IBAN"</dt>
            <dd class="nowrap" data-testid="slip-iban">{slip.iban}</dd>
            <dt>"Reference"</dt>
            <dd class="nowrap" data-testid="slip-reference">{slip.reference}</dd>
            <dt>"Amount"</dt>
            <dd class="nowrap" data-testid="slip-amount">{slip.amount.map(|a| a.to_string()).unwrap_or_else(|| format!("Your choice, in {}", slip.currency.code()))}</dd>
        </dl>
    }
}

/// "Top up": a bank transfer to the operator's account with the organization's reference, as
/// words and as a Swiss QR-bill a banking app scans; the amount may be set first, and the
/// payment part printed.
#[component]
fn TopUp(organization: i64, reference: String, slip: Option<PaymentSlip>) -> impl IntoView {
    let Some(first) = slip else {
        return view! {
            <section class="panel" aria-labelledby="top-up-heading">
                <h2 id="top-up-heading">"Top up"</h2>
                <p>"Make a bank transfer with this reference; it is credited when it arrives. (This installation shows no bank account: ask its operator where to pay.)"</p>
                <p class="balance" data-testid="top-up-reference">{reference}</p>
            </section>
        }
        .into_any();
    };
    let show = FormAction::<TopUpSlip>::new();
    let error = Signal::derive(move || show.value().get().and_then(Result::err));
    // The last slip made: a refused amount leaves the code as it was.
    let current = RwSignal::new(first);
    Effect::new(move |_| {
        if let Some(Ok(slip)) = show.value().get() {
            current.set(slip);
        }
    });
    let pdf = move || {
        let slip = current.get();
        format!(
            "{}?organization={organization}&currency={}&amount={}",
            super::QR_BILL_PDF_PATH,
            slip.currency.code(),
            slip.amount.map(|a| a.amount()).unwrap_or_default()
        )
    };
    view! {
        <section class="panel" aria-labelledby="top-up-heading">
            <h2 id="top-up-heading">"Top up"</h2>
            <p>"Pay by bank transfer with the reference below, or scan the QR-bill with your banking app. The amount is credited to this account when the transfer arrives, usually within one or two working days."</p>
            <div class="slip">
                <div class="slip-code">
                    {move || view! { <QrBillCode slip=current.get() /> }}
                </div>
                <div class="slip-text">
                    {move || view! { <SlipDetails slip=current.get() /> }}
                    <ServerForm action=show attr:class="slip-amount-form">
                        <FormError error />
                        <input type="hidden" name="organization_id" value=organization />
                        <div class="field-row">
                            <div class="field narrow">
                                <label for="top-up-currency">"Currency"</label>
                                <select id="top-up-currency" name="currency">
                                    <option value="CHF" selected=true>"CHF"</option>
                                    <option value="EUR">"EUR"</option>
                                </select>
                            </div>
                            <div class="field">
                                <label for="top-up-amount">"Amount to top up"</label>
                                <input id="top-up-amount" name="amount" inputmode="decimal" autocomplete="off" placeholder="Leave empty to choose in your bank"
                                    aria-describedby="top-up-amount-error" aria-invalid=invalid(error, "amount") />
                                <FieldError error field="amount" input="top-up-amount" />
                            </div>
                        </div>
                        <div class="button-row">
                            <button class="button secondary" type="submit" disabled=move || show.pending().get()>"Put it in the QR-bill"</button>
                            <a class="button secondary" href=pdf target="_blank" rel="noopener">"Print the payment part (PDF)"</a>
                        </div>
                    </ServerForm>
                </div>
            </div>
        </section>
    }
    .into_any()
}

/// "Request the balance back" (BIL-3) and the withdrawals so far.
#[component]
fn WithdrawalSection(
    organization: i64,
    balances: Vec<crate::money::Money>,
    withdrawals: Vec<Withdrawal>,
    may_withdraw: bool,
    withdraw: FormAction<RequestWithdrawal>,
    error: Signal<Option<AppError>>,
    method: RwSignal<String>,
) -> impl IntoView {
    let available: Vec<crate::money::Money> =
        balances.into_iter().filter(|b| b.minor > 0).collect();
    let first = available.first().copied();
    view! {
        <section class="panel" aria-labelledby="withdraw-heading">
            <h2 id="withdraw-heading">"Request the balance back"</h2>
            {match first {
                _ if !may_withdraw => view! {
                    <p class="muted" data-testid="withdrawal-for-legal-representatives">"Only the organization's legal representatives can request the balance back. Their requests, and the withdrawals below, are emailed to the legal representatives and administrators."</p>
                }.into_any(),
                None => view! { <p class="muted">"There is no balance to request back."</p> }.into_any(),
                Some(first) => view! {
                    <p>"The amount is reserved at once and paid out to the account you name within a few working days."</p>
                    <ServerForm action=withdraw>
                        <FormError error />
                        <input type="hidden" name="organization_id" value=organization />
                        <div class="form-grid">
                            <div class="field">
                                <label for="withdraw-currency">"Currency"</label>
                                <select id="withdraw-currency" name="currency">
                                    {available.iter().map(|b| view! { <option value=b.currency.code()>{format!("{} (balance {b})", b.currency.code())}</option> }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="withdraw-amount">"Amount"</label>
                                <input id="withdraw-amount" name="amount" inputmode="decimal" required autocomplete="off"
                                    aria-describedby="withdraw-amount-hint withdraw-amount-error" aria-invalid=invalid(error, "amount") />
                                <p class="hint" id="withdraw-amount-hint">{format!("At most the balance: {first}.")}</p>
                                <FieldError error field="amount" input="withdraw-amount" />
                            </div>
                        </div>
                        <fieldset class="choices">
                            <legend>"Pay it to"</legend>
                            <label><input type="radio" name="method" value="bank_account" checked=true on:change=move |_| method.set("bank_account".into()) />" A bank account (IBAN)"</label>
                            <label><input type="radio" name="method" value="paypal" on:change=move |_| method.set("paypal".into()) />" A PayPal account"</label>
                        </fieldset>
                        <div class="field">
                            <label for="withdraw-destination">{move || if method.get() == "paypal" { "PayPal email address" } else { "IBAN" }}</label>
                            <input id="withdraw-destination" name="destination" required autocomplete="off"
                                placeholder=move || if method.get() == "paypal" { "name@example.com" } else { "CH93 0076 2011 6238 5295 7" }
                                aria-describedby="withdraw-destination-error" aria-invalid=invalid(error, "destination") />
                            <FieldError error field="destination" input="withdraw-destination" />
                        </div>
                        <div class="field">
                            <label for="withdraw-holder">"Account holder"</label>
                            <input id="withdraw-holder" name="holder" required autocomplete="name"
                                aria-describedby="withdraw-holder-error" aria-invalid=invalid(error, "holder") />
                            <FieldError error field="holder" input="withdraw-holder" />
                        </div>
                        <div class="button-row">
                            <button class="button primary" type="submit" disabled=move || withdraw.pending().get()>"Request the money back"</button>
                        </div>
                    </ServerForm>
                    <ConfirmItsYou error input="withdraw-confirm-password" />
                }.into_any(),
            }}
            {(!withdrawals.is_empty()).then(|| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Withdrawals">
                    <table data-testid="withdrawals">
                        <caption class="visually-hidden">"Withdrawals"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Requested"</th>
                                <th scope="col" class="amount">"Amount"</th>
                                <th scope="col">"To"</th>
                                <th scope="col">"Status"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {withdrawals.into_iter().map(|w| {
                                let status = match (w.status, w.settled_at) {
                                    (WithdrawalStatus::Requested, _) | (_, None) => w.status.label().to_owned(),
                                    (status, Some(at)) => format!("{} on {}{}", status.label(), format::date(at), if w.note.is_empty() { String::new() } else { format!(": {}", w.note) }),
                                };
                                view! {
                                    <tr>
                                        <td data-label="Requested">{format::date(w.requested_at)}</td>
                                        <td data-label="Amount" class="amount">{w.amount.to_string()}</td>
                                        <td data-label="To">{format!("{} {} ({})", w.method.label(), w.destination, w.holder)}</td>
                                        <td data-label="Status">{status}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

/// The inputs of an address form, filled with `current` when editing. One form is shown at a
/// time, so the ids are fixed.
fn address_fields(
    error: Signal<Option<AppError>>,
    current: Option<BillingAddress>,
) -> impl IntoView {
    let value = |f: fn(&BillingAddress) -> &String| {
        current.as_ref().map(|a| f(a).clone()).unwrap_or_default()
    };
    let country = current
        .as_ref()
        .map(|a| a.country.clone())
        .unwrap_or_else(|| "CH".to_owned());
    view! {
        <div class="field">
            <label for="address-name">"Name"</label>
            <input id="address-name" name="name" required autocomplete="name" maxlength=NAME_MAX_CHARS.to_string() value=value(|a| &a.name) aria-describedby="address-name-error" aria-invalid=invalid(error, "name") />
            <FieldError error field="name" input="address-name" />
        </div>
        <div class="field">
            <label for="address-company">"Company (optional)"</label>
            <input id="address-company" name="company" autocomplete="organization" maxlength=NAME_MAX_CHARS.to_string() value=value(|a| &a.company) aria-describedby="address-company-error" aria-invalid=invalid(error, "company") />
            <FieldError error field="company" input="address-company" />
        </div>
        <div class="field">
            <label for="address-street">"Street and number"</label>
            <input id="address-street" name="street" required autocomplete="street-address" maxlength=STREET_MAX_CHARS.to_string() value=value(|a| &a.street) aria-describedby="address-street-error" aria-invalid=invalid(error, "street") />
            <FieldError error field="street" input="address-street" />
        </div>
        <div class="field">
            <label for="address-postal-code">"Postal code"</label>
            <input id="address-postal-code" name="postal_code" required autocomplete="postal-code" maxlength=POSTAL_CODE_MAX_CHARS.to_string() value=value(|a| &a.postal_code) aria-describedby="address-postal-code-error" aria-invalid=invalid(error, "postal_code") />
            <FieldError error field="postal_code" input="address-postal-code" />
        </div>
        <div class="field">
            <label for="address-city">"City"</label>
            <input id="address-city" name="city" required autocomplete="address-level2" maxlength=NAME_MAX_CHARS.to_string() value=value(|a| &a.city) aria-describedby="address-city-error" aria-invalid=invalid(error, "city") />
            <FieldError error field="city" input="address-city" />
        </div>
        <div class="field">
            <label for="address-country">"Country"</label>
            <select id="address-country" name="country" aria-describedby="address-country-error">
                {COUNTRIES.iter().map(|(code, name)| view! { <option value=*code selected=*code == country>{*name}</option> }).collect_view()}
            </select>
            <FieldError error field="country" input="address-country" />
        </div>
        <div class="field">
            <label for="address-vat">"VAT number (optional)"</label>
            <input id="address-vat" name="vat_number" maxlength=VAT_NUMBER_MAX_CHARS.to_string() value=value(|a| &a.vat_number) aria-describedby="address-vat-error" aria-invalid=invalid(error, "vat_number") />
            <FieldError error field="vat_number" input="address-vat" />
        </div>
    }
}

#[component]
pub fn AddressesPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let add = FormAction::<AddBillingAddress>::new();
    let update = FormAction::<UpdateBillingAddress>::new();
    let make_default = FormAction::<SetDefaultBillingAddress>::new();
    let delete = FormAction::<DeleteBillingAddress>::new();
    let addresses = resource(
        move || {
            (
                organization_id.get(),
                add.version().get(),
                update.version().get(),
                make_default.version().get(),
                delete.version().get(),
            )
        },
        |(organization, ..)| billing_addresses(organization),
    );
    let editing = RwSignal::new(None::<BillingAddress>);
    let deleting = RwSignal::new(None::<BillingAddress>);
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            editing.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            deleting.set(None);
        }
    });
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let list_error = Signal::derive(move || {
        make_default
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    view! {
        <PageTitle text="Billing addresses" />
        <h1>"Billing addresses"</h1>
        <p class="lead">"Invoices are addressed to one of these. The default is proposed at checkout and at each renewal."</p>
        <section class="panel" aria-labelledby="addresses-heading">
            <h2 id="addresses-heading">"Addresses of this organization"</h2>
            <FormError error=list_error />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match addresses.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No billing address yet: add the first one below; it becomes the default."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="address-list" data-testid="billing-addresses">
                                {list.into_iter().map(|address| {
                                    let id = address.id;
                                    let name = address.name.clone();
                                    let for_edit = address.clone();
                                    let for_delete = address.clone();
                                    view! {
                                        <li class="address">
                                            <address>
                                                {address.lines().into_iter().map(|line| view! { <span class="address-line">{line}</span> }).collect_view()}
                                            </address>
                                            {address.is_default.then(|| view! { <span class="badge" data-testid="default-address">"Default"</span> })}
                                            <div class="button-row">
                                                {(!address.is_default).then(|| view! {
                                                    <ServerForm action=make_default>
                                                        <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                                                        <input type="hidden" name="address_id" value=id />
                                                        <button class="button small" type="submit">"Make default" <span class="visually-hidden">{format!(": {name}")}</span></button>
                                                    </ServerForm>
                                                })}
                                                <button class="button small secondary" type="button" on:click=move |_| { deleting.set(None); editing.set(Some(for_edit.clone())); }>
                                                    "Edit" <span class="visually-hidden">{format!(" {}", address.name)}</span>
                                                </button>
                                                <button class="button small danger" type="button" on:click=move |_| { editing.set(None); deleting.set(Some(for_delete.clone())); }>
                                                    "Delete" <span class="visually-hidden">{format!(" {}", address.name)}</span>
                                                </button>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            {move || deleting.get().map(|address| view! {
                <div class="confirm-box" role="group" aria-labelledby="delete-address-heading">
                    <h3 id="delete-address-heading">{format!("Delete the address of {}?", address.name)}</h3>
                    <p>"Invoices already issued keep the address they were issued to."</p>
                    <ServerForm action=delete>
                        <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                        <input type="hidden" name="address_id" value=address.id />
                        <div class="button-row">
                            <button class="button danger" type="submit">"Delete the address"</button>
                            <button class="button secondary" type="button" on:click=move |_| deleting.set(None)>"Keep it"</button>
                        </div>
                    </ServerForm>
                </div>
            })}
        </section>
        {move || match editing.get() {
            Some(address) => view! {
                <section class="panel" aria-labelledby="edit-address-heading">
                    <h2 id="edit-address-heading">{format!("Edit the address of {}", address.name)}</h2>
                    <ServerForm action=update>
                        <FormError error=update_error />
                        <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                        <input type="hidden" name="address_id" value=address.id />
                        <input type="hidden" name="version" value=address.version />
                        {address_fields(update_error, Some(address.clone()))}
                        <div class="button-row">
                            <button class="button primary" type="submit" disabled=move || update.pending().get()>"Save the address"</button>
                            <button class="button secondary" type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                        </div>
                    </ServerForm>
                </section>
            }.into_any(),
            None => view! {
                <section class="panel" aria-labelledby="new-address-heading">
                    <h2 id="new-address-heading">"Add a billing address"</h2>
                    <ServerForm action=add>
                        <FormError error=add_error />
                        <input type="hidden" name="organization_id" prop:value=move || organization_id.get().to_string() />
                        {address_fields(add_error, None)}
                        <div class="button-row">
                            <button class="button primary" type="submit" disabled=move || add.pending().get()>"Add the address"</button>
                        </div>
                    </ServerForm>
                </section>
            }.into_any(),
        }}
    }
}

/// One billing email's switch: saved the moment it changes, and says so.
#[component]
fn NoticeSwitch(organization_id: i64, notice: Notice, on: bool) -> impl IntoView {
    let save = FormAction::<SetBillingNotification>::new();
    let id = format!("notice-{}", notice.as_str());
    let status = move || crate::components::save_status(save.pending().get(), save.value().get());
    view! {
        <li class="switch-row">
            <input
                type="checkbox"
                id=id.clone()
                checked=on
                aria-describedby=format!("{id}-description {id}-status")
                on:change=move |ev| {
                    save.dispatch(SetBillingNotification {
                        organization_id,
                        notice: notice.as_str().to_owned(),
                        on: event_target_checked(&ev),
                    });
                }
            />
            <label for=id.clone()>{notice.label()}</label>
            <span class="muted" id=format!("{id}-description")>{notice.description()}</span>
            <span class="saved-status" id=format!("{id}-status") role="status" data-testid=format!("status-{}", notice.as_str())>{status}</span>
        </li>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let reminders = FormAction::<SetExpiryReminders>::new();
    let settings = resource(move || organization_id.get(), billing_notifications);
    let reminder_error = Signal::derive(move || reminders.value().get().and_then(Result::err));
    view! {
        <PageTitle text="Billing notifications" />
        <h1>"Billing notifications"</h1>
        <p class="lead">"The emails this organization gets about money. Each switch is saved as soon as it changes."</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(current) => {
                        let organization = organization_id.get_untracked();
                        let days = current
                            .expiry_reminder_days
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <section class="panel" aria-labelledby="billing-emails-heading">
                                <h2 id="billing-emails-heading">"Billing emails"</h2>
                                <ul class="switch-list">
                                    {Notice::ALL.iter().copied().map(|notice| view! {
                                        <NoticeSwitch organization_id=organization notice on=current.is_on(notice) />
                                    }).collect_view()}
                                </ul>
                            </section>
                            <section class="panel" aria-labelledby="expiry-heading">
                                <h2 id="expiry-heading">"Expiry reminders"</h2>
                                <p>{format!("How many days before a product expires this organization is reminded: up to {EXPIRY_REMINDERS_MAX} reminders, each 1 to {EXPIRY_REMINDER_MAX_DAYS} days before. Leave empty for none.")}</p>
                                <ServerForm action=reminders>
                                    <FormError error=reminder_error />
                                    <input type="hidden" name="organization_id" value=organization />
                                    <div class="field">
                                        <label for="reminder-days">"Days before expiry"</label>
                                        <input id="reminder-days" name="days" inputmode="numeric" value=days aria-describedby="reminder-days-error" aria-invalid=invalid(reminder_error, "days") />
                                        <FieldError error=reminder_error field="days" input="reminder-days" />
                                    </div>
                                    <div class="button-row">
                                        <button class="button primary" type="submit" disabled=move || reminders.pending().get()>"Save the reminders"</button>
                                        <span class="saved-status" role="status" data-testid="reminders-status">
                                            {move || match reminders.value().get() {
                                                Some(Ok(saved)) if saved.is_empty() => "Saved: no reminders".to_owned(),
                                                Some(Ok(saved)) => format!("Saved: {} days before", saved.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
                                                _ => String::new(),
                                            }}
                                        </span>
                                    </div>
                                </ServerForm>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

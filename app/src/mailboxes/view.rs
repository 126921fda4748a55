//! Mail service pages: the service's panel on its product page (global configuration, the
//! addresses with bulk "Apply the global configuration", the creation assistant), an address's
//! page (users with their permission icons, "Modify rights", maintenance, devices), the user's
//! own view ("My mail addresses") and the device setup page a setup link opens.

use super::api::{
    mail_address, mail_service, my_mail_addresses, open_device_setup, AddMailUser,
    ApplyGlobalConfiguration, ChangeDevicePassword, CreateDevicePassword, CreateMailAddress,
    CreateMyDevicePassword, DisconnectAllDevices, DisconnectDevice, FinishDeviceSetup,
    RemoveMailUser, SendDeviceSetup, SetMailDefaults, SetMailMaintenance, SetMailRights,
    SetServiceMaintenance,
};
use super::{
    AddressFacts, MailRight, MailUser, NewDevicePassword, Rights, Withheld, IDENTIFIERS_NOTE,
};
use crate::account::view::ConfirmItsYou;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{use_organization_id, ErrorPanel, FormError, Loading, PageTitle};
use crate::error::AppError;
use crate::format;
use crate::products::ProductKind;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The product page's panel for a mail service (the router passes it with the domains' one).
pub fn panel(kind: ProductKind, organization_id: i64, product_id: i64) -> Option<AnyView> {
    (kind == ProductKind::MailService)
        .then(|| view! { <MailServicePanel organization_id product_id /> }.into_any())
}

/// The first error among several actions' last results.
fn first_error(errors: Vec<Signal<Option<AppError>>>) -> Signal<Option<AppError>> {
    Signal::derive(move || errors.iter().find_map(|e| e.get()))
}

/// The error of an action's last result.
macro_rules! error_of {
    ($action:expr) => {{
        let action = $action;
        Signal::derive(move || action.value().get().and_then(Result::err))
    }};
}

/// Bumps `reload` each time one of the actions succeeds: pages read their data again only
/// after a change went through, so a refused attempt (a typo, "confirm it's you") keeps what
/// the person typed.
macro_rules! reload_on_success {
    ($reload:expr; $($action:expr),+ $(,)?) => {{
        let reload: RwSignal<u32> = $reload;
        $(
            let action = $action;
            Effect::new(move |_| {
                if matches!(action.value().get(), Some(Ok(_))) {
                    reload.update(|n| *n += 1);
                }
            });
        )+
    }};
}

/// When one of the actions starts, the last answers of all of them are put away, so that what
/// the page shows (an error, "confirm it's you", a password shown once) is about the latest
/// thing the person did.
macro_rules! forget_on_dispatch {
    ($($action:expr),+ $(,)?) => {{
        let clear = move || { $( $action.value().set(None); )+ };
        $(
            let action = $action;
            Effect::new(move |_| {
                if action.input().with(Option::is_some) {
                    clear();
                }
            });
        )+
    }};
}

/// A red confirmation under a destructive button: `open` shows it; the red button runs
/// `confirm` and closes it.
#[component]
fn ConfirmBox(
    open: RwSignal<bool>,
    #[prop(into)] id: String,
    title: &'static str,
    text: &'static str,
    button: &'static str,
    #[prop(into)] confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div class="confirm-box" role="group" aria-labelledby=format!("{id}")>
                <h3 id=id.clone()>{title}</h3>
                <p>{text}</p>
                <div class="button-row">
                    <button class="button danger" type="button" on:click=move |_| {
                        open.set(false);
                        confirm.run(());
                    }>{button}</button>
                    <button class="button secondary" type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// Eleven checkboxes, one per permission, bound to `rights`. `id` prefixes the inputs' ids.
#[component]
fn RightsPicker(id: &'static str, rights: RwSignal<Rights>) -> impl IntoView {
    view! {
        <fieldset class="rights-picker">
            <legend>"Permissions"</legend>
            {MailRight::ALL.iter().copied().map(|right| {
                let input = format!("{id}-{}", right.as_str());
                let label_for = input.clone();
                view! {
                    <label class="checkbox" for=label_for title=right.description()>
                        <input id=input type="checkbox" value=right.as_str()
                            prop:checked=move || rights.get().has(right)
                            on:change=move |ev| rights.update(|r| *r = r.with(right, event_target_checked(&ev))) />
                        <span class="right-icon"><crate::components::Icon path=right.icon() /></span>
                        " " {right.label()}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// ACC-9, in the seed's words.
#[component]
pub fn IdentifiersNote() -> impl IntoView {
    view! { <p class="muted identifiers-note" data-testid="identifiers-note">{IDENTIFIERS_NOTE}</p> }
}

#[component]
pub fn MailServicePanel(organization_id: i64, product_id: i64) -> impl IntoView {
    let save_defaults = FormAction::<SetMailDefaults>::new();
    let apply = FormAction::<ApplyGlobalConfiguration>::new();
    let create = FormAction::<CreateMailAddress>::new();
    let suspend = FormAction::<SetServiceMaintenance>::new();
    let lift = FormAction::<SetServiceMaintenance>::new();
    let reload = RwSignal::new(0u32);
    reload_on_success!(reload; save_defaults, apply, create, suspend, lift);
    forget_on_dispatch!(save_defaults, apply, create, suspend, lift);
    let facts = resource(
        move || reload.get(),
        move |_| mail_service(organization_id, product_id),
    );
    let defaults = RwSignal::new(Rights::ALL);
    let assistant = RwSignal::new(Rights::ALL);
    let ticked = RwSignal::new(Vec::<i64>::new());
    // The global configuration as stored, once read: the pickers start from it.
    Effect::new(move |_| {
        if let Some(Ok(f)) = facts.get() {
            defaults.set(f.defaults);
            assistant.set(f.defaults);
        }
    });
    Effect::new(move |_| {
        if matches!(apply.value().get(), Some(Ok(_))) {
            ticked.set(Vec::new());
        }
    });
    let defaults_error = error_of!(save_defaults);
    let apply_error = Signal::derive(move || apply.value().get().and_then(Result::err));
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let confirm_error = first_error(vec![defaults_error, apply_error, create_error]);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match facts.await {
                    Ok(f) => {
                        let domains = f.domains.clone();
                        let count = f.addresses.len();
                        let in_maintenance = f.addresses.iter().filter(|a| a.in_maintenance).count();
                        let maintenance = f.may_maintain.then(|| view! {
                            <ServiceMaintenance organization_id product_id count in_maintenance suspend lift />
                        });
                        view! {
                            <IdentifiersNote />
                            <ConfirmItsYou error=confirm_error input="mail-confirm-password" />
                            <section class="panel" aria-labelledby="addresses-heading">
                                <h2 id="addresses-heading">{format!("Email addresses ({count})")}</h2>
                                {if f.addresses.is_empty() {
                                    view! { <p class="muted">"No address yet: create the first one below."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table data-testid="mail-addresses">
                                                <thead>
                                                    <tr>
                                                        <th scope="col"><span class="visually-hidden">"Select"</span></th>
                                                        <th scope="col">"Address"</th>
                                                        <th scope="col">"Users"</th>
                                                        <th scope="col">"Devices"</th>
                                                        <th scope="col">"State"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {f.addresses.into_iter().map(|a| {
                                                        let id = a.id;
                                                        let check = format!("tick-address-{id}");
                                                        view! {
                                                            <tr>
                                                                <td data-label="">
                                                                    <input type="checkbox" id=check.clone()
                                                                        aria-label=format!("Select {}", a.address)
                                                                        prop:checked=move || ticked.get().contains(&id)
                                                                        on:change=move |ev| {
                                                                            let on = event_target_checked(&ev);
                                                                            ticked.update(|t| { t.retain(|x| *x != id); if on { t.push(id); } });
                                                                        } />
                                                                </td>
                                                                <td data-label="Address">
                                                                    <a href=format!("/o/{organization_id}/products/{product_id}/addresses/{id}")>{a.address.clone()}</a>
                                                                </td>
                                                                <td data-label="Users">{if a.users.is_empty() { "—".to_owned() } else { a.users.join(", ") }}</td>
                                                                <td data-label="Devices">{a.devices}</td>
                                                                <td data-label="State">
                                                                    {if a.in_maintenance {
                                                                        view! { <span class="badge badge-danger">"In maintenance"</span> }.into_any()
                                                                    } else {
                                                                        view! { <span class="badge badge-success">"Active"</span> }.into_any()
                                                                    }}
                                                                </td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                        <div class="batch-bar">
                                            <p class="muted">{move || format!("{} address(es) ticked.", ticked.get().len())}</p>
                                            <button class="button" type="button" data-testid="apply-global"
                                                disabled=move || ticked.get().is_empty() || apply.pending().get()
                                                on:click=move |_| {
                                                    let ids = ticked.get_untracked().iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                                                    apply.dispatch(ApplyGlobalConfiguration { organization_id, product_id, mail_address_ids: ids, mail_user_id: 0 });
                                                }>
                                                "Apply the global configuration"
                                            </button>
                                            <p class="muted">"Replaces the permissions of every user of the ticked addresses with the global configuration."</p>
                                            {move || match apply.value().get() {
                                                Some(Ok(n)) => Some(view! { <p class="notice" role="status" data-testid="applied">{format!("Global configuration applied: {n} user(s) changed.")}</p> }.into_any()),
                                                Some(Err(_)) => Some(view! { <FormError error=apply_error /> }.into_any()),
                                                None => None,
                                            }}
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            {maintenance}
                            <section class="panel" aria-labelledby="new-address-heading">
                                <h2 id="new-address-heading">"Create an email address"</h2>
                                {if domains.is_empty() {
                                    view! { <p class="muted">"The organization has no domain to create an address at: register or transfer one first."</p> }.into_any()
                                } else {
                                    let local = RwSignal::new(String::new());
                                    // The domain a service is named after comes first ("Mail example.ch").
                                    let first = domains
                                        .iter()
                                        .find(|d| f.name.ends_with(d.as_str()))
                                        .unwrap_or(&domains[0])
                                        .clone();
                                    let domain = RwSignal::new(first);
                                    let users = RwSignal::new(String::new());
                                    view! {
                                        <form class="stacked-form" on:submit=move |ev| {
                                            ev.prevent_default();
                                            create.dispatch(CreateMailAddress {
                                                organization_id,
                                                product_id,
                                                local_part: local.get_untracked(),
                                                domain: domain.get_untracked(),
                                                users: users.get_untracked(),
                                                rights: assistant.get_untracked().names(),
                                            });
                                        }>
                                            <div class="field inline-fields">
                                                <label for="new-local-part">"Address"</label>
                                                <input id="new-local-part" type="text" required autocomplete="off" spellcheck="false"
                                                    aria-describedby="new-local-part-error"
                                                    prop:value=move || local.get() on:input=move |ev| local.set(event_target_value(&ev)) />
                                                <span aria-hidden="true">"@"</span>
                                                <label class="visually-hidden" for="new-domain">"Domain"</label>
                                                <select id="new-domain" on:change=move |ev| domain.set(event_target_value(&ev))>
                                                    {domains.iter().map(|d| view! { <option value=d.clone() selected=*d == domain.get_untracked()>{d.clone()}</option> }).collect_view()}
                                                </select>
                                                <p class="field-error" id="new-local-part-error">{move || create_error.get().and_then(|e| e.for_field("local_part").or_else(|| e.for_field("domain")))}</p>
                                            </div>
                                            <div class="field">
                                                <label for="new-users">"Users (email addresses, one per line; members of the organization or people outside it, who are told by email)"</label>
                                                <textarea id="new-users" rows="3" aria-describedby="new-users-error"
                                                    prop:value=move || users.get() on:input=move |ev| users.set(event_target_value(&ev))></textarea>
                                                <p class="field-error" id="new-users-error">{move || create_error.get().and_then(|e| e.for_field("users"))}</p>
                                            </div>
                                            <p class="muted">"The global configuration is pre-selected; change it for these users if needed."</p>
                                            <RightsPicker id="new-rights" rights=assistant />
                                            <FormError error=create_error />
                                            <button class="button primary" type="submit" disabled=move || create.pending().get()>"Create the address"</button>
                                            {move || matches!(create.value().get(), Some(Ok(_))).then(|| view! { <p class="notice" role="status">"Address created."</p> })}
                                        </form>
                                    }.into_any()
                                }}
                            </section>
                            <section class="panel" aria-labelledby="global-heading">
                                <h2 id="global-heading">"Global configuration"</h2>
                                <p class="muted">"The permissions pre-selected for the users of a new address, and what \"Apply the global configuration\" gives."</p>
                                <form on:submit=move |ev| {
                                    ev.prevent_default();
                                    save_defaults.dispatch(SetMailDefaults { organization_id, product_id, rights: defaults.get_untracked().names() });
                                }>
                                    <RightsPicker id="default-rights" rights=defaults />
                                    <FormError error=defaults_error />
                                    <button class="button" type="submit" disabled=move || save_defaults.pending().get()>"Save the global configuration"</button>
                                    {move || matches!(save_defaults.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"Global configuration saved."</p> })}
                                </form>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "Manage → Activate maintenance" for the whole service (MAIL-6), for those who may block
/// products: every address suspended in one step (with a confirmation), or lifted from all.
#[component]
fn ServiceMaintenance(
    organization_id: i64,
    product_id: i64,
    count: usize,
    in_maintenance: usize,
    suspend: FormAction<SetServiceMaintenance>,
    lift: FormAction<SetServiceMaintenance>,
) -> impl IntoView {
    let error = Signal::derive(move || {
        suspend
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| lift.value().get().and_then(Result::err))
    });
    let state = format!("{in_maintenance} of {count} address(es) in maintenance.");
    view! {
        <section class="panel" aria-labelledby="service-maintenance-heading">
            <h2 id="service-maintenance-heading">"Maintenance of the whole service"</h2>
            <p class="muted" data-testid="service-maintenance-state">{state}</p>
            {(in_maintenance < count).then(|| view! {
                <details class="role-menu">
                    <summary>"Activate maintenance"</summary>
                    <p class="hint">"Every address of this service is suspended: mail is still received, but nobody can consult it and every device's password is refused until the maintenance is lifted."</p>
                    <ServerForm action=suspend attr:class="inline-form">
                        <input type="hidden" name="organization_id" value=organization_id />
                        <input type="hidden" name="product_id" value=product_id />
                        <input type="hidden" name="on" value="true" />
                        <button class="button small danger" type="submit">"Confirm: suspend every address"</button>
                    </ServerForm>
                </details>
            })}
            {(in_maintenance > 0).then(|| view! {
                <ServerForm action=lift attr:class="inline-form">
                    <input type="hidden" name="organization_id" value=organization_id />
                    <input type="hidden" name="product_id" value=product_id />
                    <input type="hidden" name="on" value="false" />
                    <button class="button small" type="submit">"Lift maintenance on every address"</button>
                </ServerForm>
            })}
            <FormError error />
            {move || suspend.value().get().and_then(Result::ok).map(|n| view! { <p class="notice" role="status">{format!("Maintenance activated on {n} address(es).")}</p> })}
            {move || lift.value().get().and_then(Result::ok).map(|n| view! { <p class="notice" role="status">{format!("Maintenance lifted on {n} address(es).")}</p> })}
        </section>
    }
}

/// A device password just saved: shown this once, with the servers the mail client needs and
/// an Apple profile that sets everything up in one go.
#[component]
fn ShownOnce(made: NewDevicePassword) -> impl IntoView {
    let profile_name = format!(
        "{}.mobileconfig",
        made.servers.as_ref().map_or("mail", |s| s.address.as_str())
    );
    let address = made
        .servers
        .as_ref()
        .map(|s| s.address.clone())
        .unwrap_or_default();
    let profile = format!(
        "data:application/x-apple-aspen-config;charset=utf-8,{}",
        format::percent_encode(&made.profile)
    );
    view! {
        <div class="secret-box" role="status">
            <p>
                <strong>{format!("The password of the device “{}”:", made.name)}</strong>
                " Copy it now into the email client (as the password of this address): it will not be shown again."
            </p>
            <p><code class="secret" data-testid="device-password">{made.password}</code></p>
            {made.servers.map(|s| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Mail server settings">
                    <table class="server-settings" data-testid="server-settings">
                        <caption>"Settings for the mail client"</caption>
                        <thead>
                            <tr><th scope="col">""</th><th scope="col">"Server"</th><th scope="col">"Port"</th><th scope="col">"Encryption"</th></tr>
                        </thead>
                        <tbody>
                            <tr><th scope="row">"Incoming (IMAP)"</th><td data-label="Server">{s.imap.host.clone()}</td><td data-label="Port">{s.imap.port}</td><td data-label="Encryption">{s.imap.encryption.label()}</td></tr>
                            <tr><th scope="row">"Outgoing (SMTP)"</th><td data-label="Server">{s.smtp.host.clone()}</td><td data-label="Port">{s.smtp.port}</td><td data-label="Encryption">{s.smtp.encryption.label()}</td></tr>
                        </tbody>
                    </table>
                </div>
                <p>{format!("User name: {} (the whole address), for both. The password is the one above.", s.address)}</p>
            })}
            {(!made.profile.is_empty()).then(|| {
                let ios = format!(
                    "{}?emailaddress={}",
                    super::servers::APPLE_PROFILE_PATH,
                    format::percent_encode(&address)
                );
                view! {
                    <p>
                        <a class="button secondary small" href=profile download=profile_name data-testid="apple-profile">"Download the profile for a Mac"</a>
                        " Opening it sets up Mail with these settings and this password."
                    </p>
                    <p>
                        <a class="button secondary small" href=ios rel="external" data-testid="apple-profile-ios">"Open the profile on an iPhone or iPad"</a>
                        " Open this page on the device, tap it, and install the profile in Settings: it asks for the password above. Thunderbird finds the settings by itself where the domain's autoconfig name points to this server."
                    </p>
                }
            })}
        </div>
    }
}

#[component]
pub fn MailAddressPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let params = use_params_map();
    let id_of = move |name: &str| {
        params
            .read()
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let product_id = Memo::new(move |_| id_of("product"));
    let address_id = Memo::new(move |_| id_of("address"));
    let set_rights = FormAction::<SetMailRights>::new();
    let apply = FormAction::<ApplyGlobalConfiguration>::new();
    let add_user = FormAction::<AddMailUser>::new();
    let remove_user = FormAction::<RemoveMailUser>::new();
    let maintenance = FormAction::<SetMailMaintenance>::new();
    let create_device = FormAction::<CreateDevicePassword>::new();
    let change_device = FormAction::<ChangeDevicePassword>::new();
    let disconnect = FormAction::<DisconnectDevice>::new();
    let disconnect_all = FormAction::<DisconnectAllDevices>::new();
    let setup = FormAction::<SendDeviceSetup>::new();
    let reload = RwSignal::new(0u32);
    forget_on_dispatch!(
        set_rights,
        apply,
        add_user,
        remove_user,
        maintenance,
        create_device,
        change_device,
        disconnect,
        disconnect_all,
        setup
    );
    reload_on_success!(reload; set_rights, apply, add_user, remove_user, maintenance,
        create_device, change_device, disconnect, disconnect_all, setup);
    let facts = resource(
        move || {
            (
                organization_id.get(),
                product_id.get(),
                address_id.get(),
                reload.get(),
            )
        },
        |(o, p, a, ..)| mail_address(o, p, a),
    );
    let rights_error = error_of!(set_rights);
    let apply_error = Signal::derive(move || apply.value().get().and_then(Result::err));
    let add_error = Signal::derive(move || add_user.value().get().and_then(Result::err));
    let device_error = Signal::derive(move || {
        create_device
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| change_device.value().get().and_then(Result::err))
            .or_else(|| setup.value().get().and_then(Result::err))
    });
    let confirm_error = first_error(vec![rights_error, apply_error, add_error, device_error]);
    let other_error = first_error(vec![
        error_of!(remove_user),
        error_of!(maintenance),
        error_of!(disconnect),
        Signal::derive(move || disconnect_all.value().get().and_then(Result::err)),
    ]);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match facts.await {
                    Ok(f) => view! {
                        <AddressView f organization_id=organization_id.get_untracked()
                            set_rights apply add_user remove_user maintenance create_device change_device
                            disconnect disconnect_all setup add_error device_error />
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmItsYou error=confirm_error input="address-confirm-password" />
        <FormError error=Signal::derive(move || confirm_error.get().filter(|e| e.code != crate::error::ErrorCode::ConfirmationRequired).or_else(|| other_error.get())) />
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn AddressView(
    f: AddressFacts,
    organization_id: i64,
    set_rights: FormAction<SetMailRights>,
    apply: FormAction<ApplyGlobalConfiguration>,
    add_user: FormAction<AddMailUser>,
    remove_user: FormAction<RemoveMailUser>,
    maintenance: FormAction<SetMailMaintenance>,
    create_device: FormAction<CreateDevicePassword>,
    change_device: FormAction<ChangeDevicePassword>,
    disconnect: FormAction<DisconnectDevice>,
    disconnect_all: FormAction<DisconnectAllDevices>,
    setup: FormAction<SendDeviceSetup>,
    /// The last errors of adding a user and of adding a device, shown by their fields.
    add_error: Signal<Option<AppError>>,
    device_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let product_id = f.product_id;
    let address_id = f.id;
    let defaults = f.defaults;
    let confirming_maintenance = RwSignal::new(false);
    let confirming_disconnect = RwSignal::new(false);
    // The user whose rights are open in the editor, and the rights being edited.
    let editing = RwSignal::new(None::<i64>);
    let edited = RwSignal::new(Rights::NONE);
    let new_user_rights = RwSignal::new(defaults);
    let new_user_email = RwSignal::new(String::new());
    let users = f.users.clone();
    let has_users = !users.is_empty();
    let user_list = StoredValue::new(users.clone());
    let suggested = f.suggested_password.clone().unwrap_or_default();
    let device_password = RwSignal::new(suggested);
    let device_user = RwSignal::new(users.first().map(|u| u.id).unwrap_or(0));
    let device_name = RwSignal::new(String::new());
    let device_way = RwSignal::new("password");
    let send_email = RwSignal::new(true);
    let generic_note = "The generic password was given to this address when it was created, before device passwords. It still works but cannot be displayed, and unlike other passwords it cannot be reset; add a device password beside it instead.";
    view! {
        <PageTitle text=f.address.clone() />
        <p class="breadcrumb">
            <a href=format!("/o/{organization_id}/products")>"Products"</a> " › "
            <a href=format!("/o/{organization_id}/products/{product_id}")>{f.service.clone()}</a>
        </p>
        <h1 data-testid="address-name">{f.address.clone()}</h1>
        <IdentifiersNote />
        {f.maintenance_since.map(|at| view! {
            <p class="blocked-banner" role="status" data-testid="maintenance-banner">
                {format!("In maintenance since {}: mail is still received, but the address cannot be consulted and its devices are refused.", format::datetime(at))}
            </p>
        })}
        {f.may_maintain.then(|| if f.maintenance_since.is_some() {
            view! {
                <section class="panel">
                    <button class="button" type="button" on:click=move |_| { maintenance.dispatch(SetMailMaintenance { organization_id, product_id, mail_address_id: address_id, on: false }); }>
                        "Lift maintenance"
                    </button>
                </section>
            }.into_any()
        } else {
            view! {
                <section class="panel">
                    <button class="button danger" type="button" on:click=move |_| confirming_maintenance.set(true)>"Activate maintenance"</button>
                    <ConfirmBox open=confirming_maintenance id="maintenance-heading" title="Suspend this address?"
                        text="Reception is not interrupted, but consulting the address becomes impossible and every device is refused until maintenance is lifted."
                        button="Confirm: activate maintenance"
                        confirm=move |_| { maintenance.dispatch(SetMailMaintenance { organization_id, product_id, mail_address_id: address_id, on: true }); } />
                </section>
            }.into_any()
        })}

        <section class="panel" aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            {if has_users {
                view! {
                    <div class="table-wrap">
                        <table data-testid="mail-users">
                            <thead>
                                <tr>
                                    <th scope="col">"User"</th>
                                    <th scope="col">"Permissions"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {users.clone().into_iter().map(|u| view! {
                                    <UserRow u organization_id product_id set_rights remove_user editing edited />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || editing.get().is_some()>
                        {move || {
                            let user_id = editing.get().unwrap_or(0);
                            let who = user_list.with_value(|users| users.iter().find(|u| u.id == user_id).map(|u| u.email.clone()).unwrap_or_default());
                            view! {
                                <div class="rights-editor" role="group" aria-labelledby="rights-editor-heading" data-testid="rights-editor">
                                    <h3 id="rights-editor-heading">{format!("Modify the rights of {who}")}</h3>
                                    <RightsPicker id="edit-rights" rights=edited />
                                    <div class="button-row">
                                        <button class="button primary" type="button" on:click=move |_| {
                                            set_rights.dispatch(SetMailRights { organization_id, product_id, mail_user_id: user_id, rights: edited.get_untracked().names() });
                                        }>"Save the rights"</button>
                                        <button class="button" type="button" on:click=move |_| {
                                            apply.dispatch(ApplyGlobalConfiguration { organization_id, product_id, mail_address_ids: String::new(), mail_user_id: user_id });
                                        }>"Apply the global configuration"</button>
                                        <button class="button secondary" type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                                    </div>
                                </div>
                            }
                        }}
                    </Show>
                }.into_any()
            } else {
                view! { <p class="muted">"Nobody uses this address yet."</p> }.into_any()
            }}
            <form class="stacked-form" on:submit=move |ev| {
                ev.prevent_default();
                add_user.dispatch(AddMailUser { organization_id, product_id, mail_address_id: address_id, email: new_user_email.get_untracked(), rights: new_user_rights.get_untracked().names() });
            }>
                <h3>"Add a user"</h3>
                <div class="field">
                    <label for="add-user-email">"Email address (a member of the organization or someone outside it, told by email)"</label>
                    <input id="add-user-email" type="email" required autocomplete="off" aria-describedby="add-user-email-error"
                        prop:value=move || new_user_email.get() on:input=move |ev| new_user_email.set(event_target_value(&ev)) />
                    <p class="field-error" id="add-user-email-error">{move || add_error.get().and_then(|e| e.for_field("email"))}</p>
                </div>
                <RightsPicker id="add-user-rights" rights=new_user_rights />
                <button class="button" type="submit" disabled=move || add_user.pending().get()>"Add the user"</button>
            </form>
        </section>

        <section class="panel" aria-labelledby="devices-heading">
            <h2 id="devices-heading">"Devices"</h2>
            <p class="muted">"Each device (email client, phone) signs in to this address with its own password over IMAP/SMTP. Changing a device's password or disconnecting it cuts its connection at once."</p>
            {move || create_device.value().get().and_then(Result::ok).map(|made| view! { <ShownOnce made /> })}
            {move || change_device.value().get().and_then(Result::ok).map(|made| view! { <ShownOnce made /> })}
            {move || setup.value().get().and_then(Result::ok).map(|link| view! {
                <div class="secret-box" role="status">
                    <p><strong>"Setup link, valid until " {format::date(link.expires_at)} " and usable once:"</strong>
                        {link.emailed_to.map(|to| format!(" it was emailed to {to}."))}
                    </p>
                    <p><code class="secret" data-testid="setup-link">{link.link}</code></p>
                </div>
            })}
            {if f.devices.is_empty() {
                view! { <p class="muted" data-testid="no-devices">"No device is connected."</p> }.into_any()
            } else {
                view! {
                    <ul class="session-list" data-testid="devices">
                        {f.devices.iter().cloned().map(|d| {
                            let id = d.id;
                            view! {
                                <li class="session">
                                    <div>
                                        <strong>{d.name.clone()}</strong>
                                        {d.generic.then(|| view! { " " <span class="badge">"Generic password"</span> })}
                                        <div class="muted">
                                            {d.user.clone().map(|u| format!("{u} · ")).unwrap_or_default()}
                                            {format!("added {} · last used {}", format::date(d.created_at), d.last_used_at.map(format::datetime).unwrap_or_else(|| "never".into()))}
                                        </div>
                                        {d.generic.then(|| view! { <div class="muted" id=format!("generic-{id}")>{generic_note}</div> })}
                                    </div>
                                    <div class="button-row">
                                        <button class="button small" type="button" disabled=d.generic
                                            aria-describedby=d.generic.then(|| format!("generic-{id}"))
                                            on:click=move |_| { change_device.dispatch(ChangeDevicePassword { organization_id, product_id, device_id: id }); }>
                                            "Change password" <span class="visually-hidden">{format!(" of {}", d.name)}</span>
                                        </button>
                                        <button class="button small danger" type="button"
                                            on:click=move |_| { disconnect.dispatch(DisconnectDevice { organization_id, product_id, device_id: id }); }>
                                            "Disconnect the device" <span class="visually-hidden">{format!(" {}", d.name)}</span>
                                        </button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <button class="link-button danger-link" type="button" on:click=move |_| confirming_disconnect.set(true)>"Disconnect all devices"</button>
                    <ConfirmBox open=confirming_disconnect id="disconnect-all-heading" title="Disconnect every device of this address?"
                        text="Every device password stops working at once, the generic one included, and the setup links not used yet are voided. Each device then needs a new password."
                        button="Confirm: disconnect all devices"
                        confirm=move |_| { disconnect_all.dispatch(DisconnectAllDevices { organization_id, product_id, mail_address_id: address_id }); } />
                }.into_any()
            }}
            {move || matches!(disconnect_all.value().get(), Some(Ok(_))).then(|| view! {
                <p class="notice" role="status" data-testid="disconnected-all">{format!("{} device(s) disconnected.", disconnect_all.value().get().and_then(Result::ok).unwrap_or(0))}</p>
            })}
            {f.setups.iter().map(|s| view! {
                <p class="muted">{format!("Setup link for {} ({}) waiting until {}.", s.device_name, s.user, format::date(s.expires_at))}</p>
            }).collect_view()}
            {has_users.then(|| view! {
                <form class="stacked-form" on:submit=move |ev| {
                    ev.prevent_default();
                    if device_way.get_untracked() == "password" {
                        create_device.dispatch(CreateDevicePassword { organization_id, product_id, mail_user_id: device_user.get_untracked(), name: device_name.get_untracked(), password: device_password.get_untracked() });
                    } else {
                        setup.dispatch(SendDeviceSetup { organization_id, product_id, mail_user_id: device_user.get_untracked(), device_name: device_name.get_untracked(), send: send_email.get_untracked() });
                    }
                }>
                    <h3>"Add a device"</h3>
                    <div class="field">
                        <label for="device-user">"For the user"</label>
                        <select id="device-user" on:change=move |ev| device_user.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {f.users.iter().map(|u: &MailUser| view! { <option value=u.id>{u.email.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="device-name">"Device name"</label>
                        <input id="device-name" type="text" required maxlength=super::DEVICE_NAME_MAX.to_string() placeholder="Laptop" aria-describedby="device-name-error"
                            prop:value=move || device_name.get() on:input=move |ev| device_name.set(event_target_value(&ev)) />
                        <p class="field-error" id="device-name-error">{move || device_error.get().and_then(|e| e.for_field("name"))}</p>
                    </div>
                    <fieldset>
                        <legend>"How"</legend>
                        <label class="checkbox" for="device-way-link">
                            <input id="device-way-link" type="radio" name="device-way" prop:checked=move || device_way.get() == "link" on:change=move |_| device_way.set("link") />
                            " Send a setup assistant to the user (a link valid 30 days, usable once)"
                        </label>
                        <label class="checkbox" for="device-way-password">
                            <input id="device-way-password" type="radio" name="device-way" prop:checked=move || device_way.get() == "password" on:change=move |_| device_way.set("password") />
                            " Generate a password now"
                        </label>
                    </fieldset>
                    <Show when=move || device_way.get() == "password">
                        <div class="field">
                            <label for="device-password">"Device password (you may change it this one time; it will not be shown again once saved)"</label>
                            <input id="device-password" type="text" required autocomplete="off" spellcheck="false" aria-describedby="device-password-error"
                                prop:value=move || device_password.get() on:input=move |ev| device_password.set(event_target_value(&ev)) />
                            <p class="field-error" id="device-password-error">{move || device_error.get().and_then(|e| e.for_field("password"))}</p>
                        </div>
                    </Show>
                    <Show when=move || device_way.get() == "link">
                        <label class="checkbox" for="device-send">
                            <input id="device-send" type="checkbox" prop:checked=move || send_email.get() on:change=move |ev| send_email.set(event_target_checked(&ev)) />
                            " Also email the link to the user"
                        </label>
                    </Show>
                    <button class="button primary" type="submit" disabled=move || create_device.pending().get() || setup.pending().get()>
                        {move || if device_way.get() == "password" { "Save the device password" } else { "Create the setup link" }}
                    </button>
                </form>
            })}
        </section>
    }
}

/// One user of an address: who, their 11 permission icons (each a toggle), and their actions.
#[component]
fn UserRow(
    u: MailUser,
    organization_id: i64,
    product_id: i64,
    set_rights: FormAction<SetMailRights>,
    remove_user: FormAction<RemoveMailUser>,
    editing: RwSignal<Option<i64>>,
    edited: RwSignal<Rights>,
) -> impl IntoView {
    let id = u.id;
    let rights = u.rights;
    let menu = RwSignal::new(false);
    let removing = RwSignal::new(false);
    // An id per row, for the confirmation's heading (ids are unique on a page).
    let remove_heading = format!("remove-user-{id}-heading");
    let email = u.email.clone();
    view! {
        <tr data-testid="mail-user">
            <td data-label="User">
                <strong>{u.email.clone()}</strong>
                {u.name.clone().map(|n| view! { <div class="muted">{n}</div> })}
                <div>
                    {if u.member { view! { <span class="badge">"Member"</span> }.into_any() } else { view! { <span class="badge">"Outside the organization"</span> }.into_any() }}
                    {u.blocked.then(|| view! { " " <span class="badge badge-danger">"Blocked"</span> })}
                    {u.as_defaults.then(|| view! { " " <span class="badge badge-success">"Global configuration"</span> })}
                </div>
            </td>
            <td data-label="Permissions">
                <div class="right-icons" role="group" aria-label=format!("Permissions of {}", u.email)>
                    {MailRight::ALL.iter().copied().map(|right| {
                        let on = rights.has(right);
                        view! {
                            <button type="button" class=if on { "right-toggle on" } else { "right-toggle" }
                                aria-pressed=if on { "true" } else { "false" }
                                aria-label=format!("{} for {}", right.label(), email)
                                title=format!("{}: {}", right.label(), if on { "granted" } else { "not granted" })
                                disabled=move || set_rights.pending().get()
                                on:click=move |_| {
                                    set_rights.dispatch(SetMailRights { organization_id, product_id, mail_user_id: id, rights: rights.with(right, !on).names() });
                                }>
                                <crate::components::Icon path=right.icon() />
                            </button>
                        }
                    }).collect_view()}
                </div>
            </td>
            <td class="actions" data-label="">
                <div class="row-menu">
                    <button class="button small secondary" type="button" aria-haspopup="true" aria-expanded=move || menu.get().to_string()
                        on:click=move |_| menu.update(|m| *m = !*m)>
                        "⋮" <span class="visually-hidden">{format!(" Actions for {}", u.email)}</span>
                    </button>
                    <div class="menu" hidden=move || !menu.get()>
                        <ul>
                            <li>
                                <button class="menu-item" type="button" on:click=move |_| {
                                    menu.set(false);
                                    edited.set(rights);
                                    editing.set(Some(id));
                                }>"✎ Modify rights"</button>
                            </li>
                            <li>
                                <button class="menu-item" type="button" on:click=move |_| {
                                    menu.set(false);
                                    removing.set(true);
                                }>"Remove from this address"</button>
                            </li>
                        </ul>
                    </div>
                </div>
                <ConfirmBox open=removing id=remove_heading title="Remove this user from the address?"
                    text="They lose the address and every device of theirs is disconnected at once."
                    button="Confirm: remove"
                    confirm=move |_| { remove_user.dispatch(RemoveMailUser { organization_id, product_id, mail_user_id: id }); } />
            </td>
        </tr>
    }
}

/// The user's own view: the addresses I use and, on each, the menus my permissions open.
#[component]
pub fn MyMailPage() -> impl IntoView {
    let create = FormAction::<CreateMyDevicePassword>::new();
    let reload = RwSignal::new(0u32);
    reload_on_success!(reload; create);
    let mine = resource(move || reload.get(), |_| my_mail_addresses());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <PageTitle text="My mail addresses" />
        <h1>"My mail addresses"</h1>
        <IdentifiersNote />
        {move || create.value().get().and_then(Result::ok).map(|made| view! { <ShownOnce made /> })}
        <ConfirmItsYou error input="my-device-confirm-password" />
        <FormError error=Signal::derive(move || error.get().filter(|e| e.code != crate::error::ErrorCode::ConfirmationRequired)) />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match mine.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">"You use no email address managed here."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|a| view! { <MyAddressPanel a create /> }).collect_view().into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One address I use: its menus as my permissions open them, and my devices.
#[component]
fn MyAddressPanel(
    a: super::MyAddress,
    create: FormAction<CreateMyDevicePassword>,
) -> impl IntoView {
    let id = a.id;
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(a.suggested_password.clone().unwrap_or_default());
    let heading = format!("my-address-{id}");
    let labelled_by = heading.clone();
    view! {
        <section class="panel" data-testid="my-address" aria-labelledby=labelled_by>
            <h2 id=heading>{a.address.clone()}</h2>
            <p class="muted">{format!("Managed by {}", a.organization)}</p>
            {a.in_maintenance.then(|| view! { <p class="blocked-banner" role="status">"In maintenance: mail is still received, but the address cannot be consulted for now."</p> })}
            <ul class="session-list my-menus">
                {MailRight::ALL.iter().copied().filter_map(|right| {
                    let granted = a.rights.has(right);
                    let withheld = right.when_withheld();
                    (granted || withheld == Withheld::Disabled).then(|| view! {
                        <li class="session">
                            <div>
                                <crate::components::Icon path=right.icon() /> " " <strong>{right.label()}</strong>
                                <div class="muted">{right.description()}</div>
                            </div>
                            {if granted {
                                view! { <span class="badge badge-success">{right.where_used()}</span> }.into_any()
                            } else {
                                let reason = format!("{}-{id}-reason", right.as_str());
                                view! {
                                    <span>
                                        <button class="button small" type="button" disabled aria-describedby=reason.clone()>"Manage"</button>
                                        " " <span class="muted" id=reason>"Not granted to you"</span>
                                    </span>
                                }.into_any()
                            }}
                        </li>
                    })
                }).collect_view()}
            </ul>
            {a.rights.has(MailRight::Devices).then(|| {
                let name_input = format!("my-device-name-{id}");
                let password_input = format!("my-device-password-{id}");
                view! {
                    <h3>"My devices"</h3>
                    {if a.devices.is_empty() {
                        view! { <p class="muted">"None yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul data-testid="my-devices">
                                {a.devices.iter().map(|d| view! {
                                    <li>{format!("{} — last used {}", d.name, d.last_used_at.map(format::datetime).unwrap_or_else(|| "never".into()))}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <form class="stacked-form" on:submit=move |ev| {
                        ev.prevent_default();
                        create.dispatch(CreateMyDevicePassword { id, name: name.get_untracked(), password: password.get_untracked() });
                    }>
                        <div class="field">
                            <label for=name_input.clone()>"Device name"</label>
                            <input id=name_input type="text" required maxlength=super::DEVICE_NAME_MAX.to_string()
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        </div>
                        <div class="field">
                            <label for=password_input.clone()>"Its password (you may change it this one time; it is shown once when saved)"</label>
                            <input id=password_input type="text" required autocomplete="off" spellcheck="false"
                                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                        </div>
                        <button class="button" type="submit" disabled=move || create.pending().get()>"Add a device"</button>
                    </form>
                }
            })}
        </section>
    }
}

/// What a device setup link opens: the device's password, editable once, then shown once.
#[component]
pub fn DeviceSetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let facts = resource(token, open_device_setup);
    let finish = FormAction::<FinishDeviceSetup>::new();
    let error = Signal::derive(move || finish.value().get().and_then(Result::err));
    view! {
        <PageTitle text="Set up a device" />
        <main id="main" class="auth-page">
            <div class="auth-card">
                <h1>"Set up a device"</h1>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match facts.await {
                            Ok(s) => {
                                let suggested = s.suggested_password.clone();
                                view! {
                                <p>{format!("The address {} on the device “{}”. This link works once, until {}.", s.address, s.device_name, format::date(s.expires_at))}</p>
                                <IdentifiersNote />
                                {move || match finish.value().get() {
                                    Some(Ok(made)) => view! { <ShownOnce made /> }.into_any(),
                                    _ => {
                                        let suggested = suggested.clone();
                                        view! {
                                        <ServerForm action=finish>
                                            <input type="hidden" name="token" value=token() />
                                            <div class="field">
                                                <label for="setup-password">"The device's password (you may change it this one time)"</label>
                                                <input id="setup-password" name="password" type="text" required autocomplete="off" spellcheck="false" value=suggested />
                                            </div>
                                            <FormError error />
                                            <button class="button primary wide" type="submit" disabled=move || finish.pending().get()>"Save and show the password"</button>
                                        </ServerForm>
                                    }.into_any()
                                    }
                                }}
                            }.into_any()
                            }
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </main>
    }
}

//! The frame around every organization page: top bar with the organization switcher (top
//! left) and the account menu (top right), the side menu (a drawer on narrow screens).

use crate::calls::{resource, FormAction};
use crate::components::CurrentOrganization;
use crate::organizations::api::organization_shell;
use crate::organizations::ShellData;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrganizationShell() -> impl IntoView {
    let params = use_params_map();
    let organization_id = Memo::new(move |_| {
        params
            .read()
            .get("organization")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    provide_context(CurrentOrganization(organization_id));
    // Read again on every navigation: role, blocking and the two-factor requirement are
    // decided afresh by the server, and the frame follows.
    let location = leptos_router::hooks::use_location();
    let changed = RwSignal::new(0u32);
    provide_context(crate::components::FrameChanged(changed));
    let data = resource(
        move || {
            (
                organization_id.get(),
                location.pathname.get(),
                changed.get(),
            )
        },
        |(organization, ..)| organization_shell(organization),
    );

    let drawer_open = RwSignal::new(false);

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <button
                class="icon-button drawer-toggle"
                aria-controls="side-menu"
                aria-expanded=move || drawer_open.get().to_string()
                on:click=move |_| drawer_open.update(|open| *open = !*open)
            >
                <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
                    <path d="M3 6h18M3 12h18M3 18h18" stroke="currentColor" stroke-width="2" fill="none" />
                </svg>
                <span class="visually-hidden">"Menu"</span>
            </button>
            <Transition fallback=|| view! { <span class="brand">"Steward"</span> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(shell) => view! {
                            // SEC-4: a member owing two-factor authentication is sent to set it up.
                            {(shell.current.missing_two_factor && !location.pathname.get_untracked().ends_with("/security")).then(|| {
                                view! { <leptos_router::components::Redirect path=format!("/o/{}/security", shell.current.id) /> }
                            })}
                            <Switcher shell=shell.clone() />
                            <span class="topbar-spacer"></span>
                            {(shell.cart_lines > 0).then(|| view! {
                                <a class="cart-link" href=format!("/o/{}/billing/shop#cart", shell.current.id) data-testid="topbar-cart">
                                    <crate::components::Icon path=crate::components::CART_ICON />
                                    <span>"Cart"</span>
                                    <span class="count">{shell.cart_lines}</span>
                                    <span class="visually-hidden">{if shell.cart_lines == 1 { " line" } else { " lines" }}</span>
                                </a>
                            })}
                            <AccountMenu shell />
                        }
                        .into_any(),
                        Err(_) => view! { <a class="brand" href="/">"Steward"</a> }.into_any(),
                    }
                })}
            </Transition>
        </header>
        <div class="frame">
            <div
                class="drawer-backdrop"
                class:open=move || drawer_open.get()
                on:click=move |_| drawer_open.set(false)
            ></div>
            <nav
                id="side-menu"
                class="side-menu"
                class:open=move || drawer_open.get()
                aria-label="Sections"
                on:click=move |_| drawer_open.set(false)
                on:keydown=move |event: web_sys::KeyboardEvent| {
                    if event.key() == "Escape" {
                        drawer_open.set(false);
                    }
                }
            >
                // Grouped as a person looks for things: the organization, its billing, my own
                // account. Only what my role may open is listed.
                <p class="menu-group" aria-hidden="true">"Organization"</p>
                <A href=move || format!("/o/{}", organization_id.get()) exact=true>
                    "Overview"
                </A>
                <A href=move || format!("/o/{}/products", organization_id.get())>"Products"</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        data.await
                            .ok()
                            .map(|s| {
                                let whole_log = s.current.may(crate::policy::Action::ViewActivity);
                                view! {
                                // Not externals, not blocked members: only those who may see the people.
                                {s.current.may(crate::policy::Action::ViewMembers).then(|| view! { <A href=move || format!("/o/{}/users", organization_id.get())>"Users"</A> })}
                                // Those who may read the organization's log land on it; others on their own.
                                <A href=move || if whole_log { format!("/o/{}/activity?scope=organization", organization_id.get()) } else { format!("/o/{}/activity", organization_id.get()) }>"Activity"</A>
                                {s.current.may(crate::policy::Action::ChangeSettings).then(|| view! { <A href=move || format!("/o/{}/settings", organization_id.get())>"Settings"</A> })}
                                // A partner's Reseller area (PAR-1), for those who may open it.
                                {s.reseller.then(|| view! { <A href=move || format!("/o/{}/reseller", organization_id.get())>"Reseller area"</A> })}
                                {s.current.may(crate::policy::Action::Shop).then(|| view! {
                                    <p class="menu-group" aria-hidden="true">"Billing"</p>
                                    <A href=move || format!("/o/{}/billing/shop", organization_id.get())>"Shop"</A>
                                })}
                                {s.current.may(crate::policy::Action::UseBilling).then(|| view! {
                                    <A href=move || format!("/o/{}/billing/invoices", organization_id.get())>"Invoices"</A>
                                    <A href=move || format!("/o/{}/billing/prepaid", organization_id.get())>"Prepaid account"</A>
                                    <A href=move || format!("/o/{}/billing/addresses", organization_id.get())>"Billing addresses"</A>
                                    <A href=move || format!("/o/{}/billing/notifications", organization_id.get())>"Billing notifications"</A>
                                })}
                            }})
                    })}
                </Transition>
                <p class="menu-group" aria-hidden="true">"My account"</p>
                <A href=move || format!("/o/{}/security", organization_id.get())>"Security"</A>
                <A href=move || format!("/o/{}/organizations", organization_id.get())>"My organizations"</A>
            </nav>
            <main id="main" class="content" tabindex="-1">
                // Inside a customer as one of a partner's people (PAR-3): whose manager this is,
                // for whom, and the way back.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        data.await.ok().and_then(|s| {
                            let via = s.current.partner.clone()?;
                            Some(view! {
                                <p class="partner-banner" role="note" data-testid="partner-banner">
                                    {format!("You are managing {} for {} — ", s.current.name, via.partner_name)}
                                    <a href=format!("/o/{}", via.partner_id) rel="external">{format!("back to {}", via.partner_name)}</a>
                                </p>
                            })
                        })
                    })}
                </Transition>
                <Outlet />
            </main>
        </div>
    }
}

/// A menu opened by a button: Escape closes it and gives focus back to the button.
fn menu_keys(open: RwSignal<bool>) -> impl Fn(web_sys::KeyboardEvent) + Copy {
    move |event| {
        if event.key() == "Escape" && open.get_untracked() {
            open.set(false);
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                let button = event
                    .current_target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                    .and_then(|el| el.query_selector("button").ok().flatten())
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(button) = button {
                    let _ = button.focus();
                }
            }
        }
    }
}

#[component]
fn Switcher(shell: ShellData) -> impl IntoView {
    let open = RwSignal::new(false);
    let current = shell.current.id;
    view! {
        <div class="switcher" on:keydown=menu_keys(open)>
            <button
                class="switcher-button"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="switcher-menu"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="switcher-caption">"Organization"</span>
                <span class="switcher-name" data-testid="current-organization">{shell.current.name.clone()}</span>
                <svg class="chevron" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path d="M6 9l6 6 6-6" stroke="currentColor" stroke-width="2" fill="none" />
                </svg>
            </button>
            <div id="switcher-menu" class="menu" hidden=move || !open.get()>
                <p class="menu-heading" id="switcher-heading">"My organizations"</p>
                <ul aria-labelledby="switcher-heading">
                    {shell
                        .organizations
                        .into_iter()
                        .map(|o| {
                            view! {
                                <li>
                                    <a
                                        href=format!("/o/{}", o.id)
                                        aria-current=(o.id == current).then_some("page")
                                        on:click=move |_| open.set(false)
                                    >
                                        <span class="menu-name">{o.name}</span>
                                        <span class="menu-role">{o.role.label()}</span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                // PAR-3: the customers I manage for a partner, apart from my own organizations.
                {(!shell.customers.is_empty()).then(|| view! {
                    <p class="menu-heading">"Customers"</p>
                    <ul data-testid="switcher-customers">
                        {shell.customers.into_iter().map(|(id, name, partner)| view! {
                            <li>
                                <a href=format!("/o/{id}") rel="external" aria-current=(id == current).then_some("page") on:click=move |_| open.set(false)>
                                    <span class="menu-name">{name}</span>
                                    <span class="menu-role">{format!("for {partner}")}</span>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                <a class="menu-footer" href=format!("/o/{current}/organizations") on:click=move |_| open.set(false)>
                    "Manage my organizations"
                </a>
            </div>
        </div>
    }
}

#[component]
fn AccountMenu(shell: ShellData) -> impl IntoView {
    let open = RwSignal::new(false);
    let sign_out = FormAction::<crate::account::api::SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            crate::components::load_page("/login");
        }
    });
    let current = shell.current.id;
    let account = shell.account;
    view! {
        <div class="account-menu" on:keydown=menu_keys(open)>
            <button
                class="avatar"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="account-menu"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {match account.avatar_url() {
                    Some(url) => view! { <img src=url alt="" width="40" height="40" /> }.into_any(),
                    None => view! { <span aria-hidden="true">{account.initials()}</span> }.into_any(),
                }}
                <span class="visually-hidden">{format!("Account menu of {}", account.full_name())}</span>
            </button>
            <div id="account-menu" class="menu menu-right" hidden=move || !open.get()>
                <div class="menu-heading">
                    <strong>{account.full_name()}</strong>
                    <span class="muted">{account.email.clone()}</span>
                </div>
                <ul>
                    <li>
                        <a href=format!("/o/{current}/profile") on:click=move |_| open.set(false)>"My profile"</a>
                    </li>
                    <li>
                        <a href=format!("/o/{current}/organizations") on:click=move |_| open.set(false)>
                            "My organizations"
                        </a>
                    </li>
                    <li>
                        <a href=format!("/o/{current}/security") on:click=move |_| open.set(false)>"Security"</a>
                    </li>
                    <li>
                        <a href=format!("/o/{current}/mail") on:click=move |_| open.set(false)>"My mail addresses"</a>
                    </li>
                    <li>
                        <button class="menu-item" on:click=move |_| { sign_out.dispatch(crate::account::api::SignOut {}); }>
                            "Sign out"
                        </button>
                    </li>
                </ul>
                {move || {
                    sign_out.value().get().and_then(Result::err).map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })
                }}
            </div>
        </div>
    }
}

//! A person's page (ORG-10): reached from their name on the users page.

use super::api::{organization_member, SetProductAccess};
use super::{joined_text, MemberDetails, ProductAccess, ProductReach};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{ErrorPanel, Loading};
use crate::format;
use crate::organizations::api::{ChangeRole, SetMemberBlocked, UnlockMember};
use crate::organizations::view::{block_menu, member_avatar, role_menu, RowActions};
use crate::policy::{may_act_on_member, Action};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PersonPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let params = use_params_map();
    let user_id = Memo::new(move |_| {
        params
            .read()
            .get("user")
            .and_then(|u| u.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let actions = RowActions {
        unlock: FormAction::<UnlockMember>::new(),
        change: FormAction::<ChangeRole>::new(),
        block: FormAction::<SetMemberBlocked>::new(),
        unblock: FormAction::<SetMemberBlocked>::new(),
    };
    let access = FormAction::<SetProductAccess>::new();
    let details = resource(
        move || {
            (
                organization_id.get(),
                user_id.get(),
                actions.change.version().get(),
                actions.block.version().get(),
                actions.unblock.version().get(),
                access.version().get(),
            )
        },
        |(organization, user, ..)| organization_member(organization, user),
    );
    let users = move || format!("/o/{}/users", organization_id.get());
    view! {
        <PageTitle text="A user" />
        <p class="breadcrumb"><a href=users>"Users"</a></p>
        {move || actions.failure().or_else(|| access.value().get().and_then(Result::err)).map(|e| view! { <p class="form-error" role="alert"><span>{e.message}</span></p> })}
        {move || matches!(actions.change.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The role is changed; the person was told by email."</p> })}
        {move || matches!(actions.block.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The person is blocked: they reach nothing in this organization until you unblock them. They were told by email."</p> })}
        {move || matches!(actions.unblock.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The person is unblocked and reaches their products again. They were told by email."</p> })}
        {move || matches!(access.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status" data-testid="access-saved">"The access is saved and counts from their next click. They were told by email."</p> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(details) => view! { <Person details organization=organization_id.get_untracked() actions access /> }.into_any(),
                    Err(error) => view! { <h1>"A user"</h1> <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Person(
    details: MemberDetails,
    organization: i64,
    actions: RowActions,
    access: FormAction<SetProductAccess>,
) -> impl IntoView {
    let MemberDetails {
        organization_name,
        person,
        joined_at,
        joined_how,
        reaches_all,
        products,
        mail,
        my_role,
        my_user_id,
    } = details;
    let name = format!("{} {}", person.first_name, person.last_name);
    let myself = person.user_id == my_user_id;
    let role_change = role_menu(
        organization,
        person.user_id,
        &name,
        person.role,
        my_role,
        actions.change,
    );
    let blocking = block_menu(organization, &person, &name, my_role, my_user_id, actions);
    let removal = may_act_on_member(my_role, Action::RemoveMembers, myself, person.role)
        .is_ok()
        .then(|| {
            view! { <a class="button small secondary" href=format!("/o/{organization}/users/{}/remove", person.user_id)>"Remove from the organization"</a> }
        });
    let may_change_access =
        may_act_on_member(my_role, Action::ManageAccess, myself, person.role).is_ok();
    let products_view = if reaches_all {
        view! { <p class="muted" data-testid="reaches-all">{format!("As {}, {name} reaches every product of {organization_name} through their role.", person.role.label().to_lowercase())}</p> }.into_any()
    } else if products.is_empty() {
        view! { <p class="muted">"This organization has no products yet."</p> }.into_any()
    } else {
        let reached = products
            .iter()
            .filter(|p| p.access != ProductAccess::None)
            .count();
        let summary = format!(
            "{name} reaches {reached} of the organization's {} products.",
            products.len()
        );
        view! {
            <p class="muted">{summary}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Products">
                <table data-testid="person-products">
                    <caption class="visually-hidden">"Products and what this person may do with each"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Product"</th>
                            <th scope="col" class="optional-column">"Kind"</th>
                            <th scope="col">"Access"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {products.into_iter().map(|p| {
                            let cell = if may_change_access {
                                access_form(organization, person.user_id, person.role, &name, &p, access)
                            } else {
                                view! { <span>{p.access.label()}</span> }.into_any()
                            };
                            view! {
                                <tr>
                                    <td data-label="Product"><a href=format!("/o/{organization}/products/{}", p.product_id)>{p.name.clone()}</a></td>
                                    <td data-label="Kind" class="optional-column">{p.kind.label()}</td>
                                    <td data-label="Access">{cell}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any()
    };
    let mail_view = if mail.is_empty() {
        view! { <p class="muted">{format!("{name} uses no address of this organization's mail services.")}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Mail addresses">
                <table data-testid="person-mail">
                    <caption class="visually-hidden">"Mail addresses this person uses"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Address"</th>
                            <th scope="col">"Permissions"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {mail.into_iter().map(|m| {
                            let label = format!(" of {name} on {}", m.address);
                            let rights = format!("{} of {}", m.rights, crate::mailboxes::MailRight::ALL.len());
                            view! {
                                <tr>
                                    <td data-label="Address">
                                        {m.address.clone()}
                                        {m.in_maintenance.then(|| view! { " " <span class="badge badge-danger">"In maintenance"</span> })}
                                    </td>
                                    <td data-label="Permissions">{rights}</td>
                                    <td data-label="Actions" class="actions">
                                        <a class="button small" href=format!("/o/{organization}/products/{}/addresses/{}", m.product_id, m.address_id)>
                                            "Modify rights" <span class="visually-hidden">{label}</span>
                                        </a>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any()
    };
    let two_factor = if person.two_factor {
        view! { <span class="status status-on">"On"</span> }.into_any()
    } else {
        view! { <span class="status status-off">"Off"</span> }.into_any()
    };
    let avatar = member_avatar(organization, &person, true);
    view! {
        <div class="person-heading">{avatar} <h1>{name.clone()}</h1></div>
        <section class="panel" aria-labelledby="person-heading">
            <h2 id="person-heading">"In " {organization_name.clone()}</h2>
            <dl class="facts" data-testid="person-facts">
                <dt>"Email"</dt><dd>{person.email.clone()}</dd>
                <dt>"Role"</dt><dd><span class=format!("role role-{}", person.role.as_str())>{person.role.label()}</span></dd>
                <dt>"Two-factor"</dt><dd>{two_factor}</dd>
                <dt>"Joined"</dt><dd>{joined_text(&joined_how, joined_at)}</dd>
                <dt>"Last active"</dt><dd>{person.last_active.map(format::datetime).unwrap_or_else(|| "Never".into())}</dd>
                {(person.locked || person.blocked).then(|| view! {
                    <dt>"Status"</dt>
                    <dd>
                        {person.locked.then(|| view! { <span class="badge badge-danger">"Locked"</span> " " })}
                        {person.blocked.then(|| view! { <span class="badge badge-danger">"Blocked"</span> })}
                    </dd>
                })}
            </dl>
            <div class="row-actions" data-testid="person-actions">
                {role_change}
                {blocking}
                {removal}
            </div>
        </section>
        <section class="panel" aria-labelledby="person-products-heading">
            <h2 id="person-products-heading">"Products"</h2>
            {products_view}
        </section>
        <section class="panel" aria-labelledby="person-mail-heading">
            <h2 id="person-mail-heading">"Mail addresses"</h2>
            {mail_view}
        </section>
    }
}

/// The access of one person to one product: a list opening on what they have, then Save.
fn access_form(
    organization: i64,
    user_id: i64,
    role: crate::policy::Role,
    name: &str,
    product: &ProductReach,
    access: FormAction<SetProductAccess>,
) -> AnyView {
    let current = product.access;
    let product_id = product.product_id;
    // What their role can be given, and what they have even if it could no longer be given
    // (billing rights an external person got in an older invitation), so the list opens on it.
    let mut choices = ProductAccess::offered_to(role).to_vec();
    if !choices.contains(&current) {
        choices.push(current);
    }
    let chosen = RwSignal::new(current);
    let select_id = format!("access-{}", product.product_id);
    let label = format!("Access of {name} to {}", product.name);
    let save = format!(" the access to {}", product.name);
    view! {
        <ServerForm action=access attr:class="inline-form">
            <input type="hidden" name="organization_id" value=organization />
            <input type="hidden" name="user_id" value=user_id />
            <input type="hidden" name="product_id" value=product_id />
            <label class="visually-hidden" for=select_id.clone()>{label}</label>
            <select id=select_id name="access"
                on:change=move |ev| chosen.set(ProductAccess::parse(&event_target_value(&ev)).unwrap_or(current))>
                {choices.into_iter().map(|a| {
                    view! { <option value=a.as_str() selected=a == current>{a.label()}</option> }
                }).collect_view()}
            </select>
            " "
            <button class="button small primary" type="submit" disabled=move || chosen.get() == current>
                "Save" <span class="visually-hidden">{save}</span>
            </button>
        </ServerForm>
    }
    .into_any()
}

//! The organization overview and the "My organizations" page.

use super::api::{
    my_organizations, organization_overview, ChangeRole, CreateOrganization, UnlockMember,
};
use super::ORGANIZATION_NAME_MAX_CHARS;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use crate::layout::use_organization_id;
use crate::policy::{may_assign, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let unlock = ServerAction::<UnlockMember>::new();
    let overview = Resource::new(
        move || (organization_id.get(), unlock.version().get()),
        |(id, _)| organization_overview(id),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => {
                        let can_unlock = o.can_unlock;
                        let organization = o.id;
                        view! {
                        <Title text=o.name.clone() />
                        <h1 data-testid="organization-name">{o.name.clone()}</h1>
                        <p class="lead">
                            "Your role: " <strong data-testid="my-role">{o.my_role.label()}</strong>
                            " · Created " {format::date(o.created_at)}
                        </p>
                        <section class="panel">
                            <h2>"People"</h2>
                            {match o.members {
                                Some(members) => view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Members">
                                        <table>
                                            <caption class="visually-hidden">"Members of this organization"</caption>
                                            <thead>
                                                <tr><th scope="col">"Name"</th><th scope="col" class="optional-column">"Email"</th><th scope="col">"Role"</th><th scope="col" class="optional-column">"Since"</th></tr>
                                            </thead>
                                            <tbody>
                                                {members.into_iter().map(|m| view! {
                                                    <tr>
                                                        <td>
                                                            {format!("{} {}", m.first_name, m.last_name)}
                                                            {m.locked.then(|| view! { " " <span class="badge badge-danger">"Locked"</span> })}
                                                            {(m.locked && can_unlock).then(|| view! {
                                                                <ActionForm action=unlock attr:class="inline-form">
                                                                    <input type="hidden" name="organization_id" value=organization />
                                                                    <input type="hidden" name="user_id" value=m.user_id />
                                                                    " "
                                                                    <button class="button small" type="submit">
                                                                        "Unlock" <span class="visually-hidden">{format!(" {} {}", m.first_name, m.last_name)}</span>
                                                                    </button>
                                                                </ActionForm>
                                                            })}
                                                        </td>
                                                        <td class="optional-column">{m.email}</td>
                                                        <td><span class=format!("role role-{}", m.role.as_str())>{m.role.label()}</span></td>
                                                        <td class="optional-column">{format::date(m.joined_at)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any(),
                                None => view! {
                                    <p class="muted">"External users do not see the other people of the organization."</p>
                                }.into_any(),
                            }}
                            {move || unlock.value().get().and_then(Result::err).map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })}
                        </section>
                    }
                    .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn MyOrganizationsPage() -> impl IntoView {
    let organizations = Resource::new(|| (), |_| my_organizations());
    let create = ServerAction::<CreateOrganization>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/o/{id}"), Default::default());
        }
    });
    let current = use_organization_id();
    view! {
        <Title text="My organizations" />
        <h1>"My organizations"</h1>
        <section class="panel">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match organizations.await {
                        Ok(list) => view! {
                            <ul class="organization-list" data-testid="my-organizations">
                                {list.into_iter().map(|o| view! {
                                    <li>
                                        <a href=format!("/o/{}", o.id) aria-current=(o.id == current.get_untracked()).then_some("page")>
                                            {o.name}
                                        </a>
                                        <span class=format!("role role-{}", o.role.as_str())>{o.role.label()}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="panel">
            <h2 id="create-heading">"Create an organization"</h2>
            <p class="muted">"You become its legal representative. Its products and people are kept apart from your other organizations."</p>
            <ActionForm action=create>
                <FormError error />
                <div class="field">
                    <label for="organization-name">"Name"</label>
                    <input id="organization-name" name="name" required maxlength=ORGANIZATION_NAME_MAX_CHARS.to_string() aria-describedby="name-error" aria-invalid=invalid(error, "name") />
                    <FieldError error field="name" />
                </div>
                <button class="button primary" type="submit" disabled=move || create.pending().get()>
                    "Create the organization"
                </button>
            </ActionForm>
        </section>
    }
}

/// The users page (ORG-3): who is in the organization, with role, 2FA and last activity;
/// externals apart; search by name or email.
#[component]
pub fn UsersPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let query = leptos_router::hooks::use_query_map();
    let search = move || query.read().get("search").unwrap_or_default();
    let unlock = ServerAction::<UnlockMember>::new();
    let change = ServerAction::<ChangeRole>::new();
    let users = Resource::new(
        move || {
            (
                organization_id.get(),
                search(),
                unlock.version().get(),
                change.version().get(),
            )
        },
        |(organization, search, ..)| super::api::organization_users(organization, search),
    );
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <section class="panel" aria-label="Search">
            <leptos_router::components::Form method="GET" action="">
                <div class="filters">
                    <div class="field">
                        <label for="user-search">"Search by name or email"</label>
                        <input id="user-search" type="search" name="search" maxlength="100" prop:value=search />
                    </div>
                    <div class="filter-buttons"><button class="button primary" type="submit">"Search"</button></div>
                </div>
            </leptos_router::components::Form>
        </section>
        {move || unlock.value().get().and_then(Result::err).or_else(|| change.value().get().and_then(Result::err)).map(|e| view! { <p class="form-error" role="alert"><span>{e.message}</span></p> })}
        {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The role is changed; the person was told by email."</p> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => {
                        let organization = organization_id.get_untracked();
                        let can_unlock = page.can_unlock;
                        let my_role = page.my_role;
                        view! {
                            {page.can_invite.then(|| view! {
                                <p class="page-actions"><a class="button primary" href=format!("/o/{organization}/users/invite")>"Invite a user"</a></p>
                            })}
                            <UserTable title="Members" testid="members" rows=page.members organization can_unlock unlock my_role change />
                            <UserTable title="External users" testid="externals" rows=page.externals organization can_unlock unlock my_role change />
                            {page.can_invite.then(|| view! { <crate::invitations::view::PendingInvitations /> })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserTable(
    title: &'static str,
    testid: &'static str,
    rows: Vec<super::UserRow>,
    organization: i64,
    can_unlock: bool,
    unlock: ServerAction<UnlockMember>,
    my_role: Role,
    change: ServerAction<ChangeRole>,
) -> impl IntoView {
    let heading = format!("{testid}-heading");
    let labelled_by = heading.clone();
    let count = format!("{title} ({})", rows.len());
    view! {
        <section class="panel" aria-labelledby=labelled_by>
            <h2 id=heading>{count}</h2>
            {if rows.is_empty() {
                view! { <p class="muted">"Nobody here."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=title>
                        <table data-testid=testid>
                            <caption class="visually-hidden">{title}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col" class="optional-column">"Email"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Two-factor"</th>
                                    <th scope="col" class="optional-column">"Last active"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|u| {
                                    let full_name = format!("{} {}", u.first_name, u.last_name);
                                    let unlock_label = format!(" {full_name}");
                                    let menu = role_menu(organization, u.user_id, &full_name, u.role, my_role, change);
                                    view! {
                                        <tr>
                                            <td>
                                                {full_name.clone()}
                                                {u.locked.then(|| view! { " " <span class="badge badge-danger">"Locked"</span> })}
                                                {(u.locked && can_unlock).then(|| view! {
                                                    <ActionForm action=unlock attr:class="inline-form">
                                                        <input type="hidden" name="organization_id" value=organization />
                                                        <input type="hidden" name="user_id" value=u.user_id />
                                                        " "
                                                        <button class="button small" type="submit">"Unlock" <span class="visually-hidden">{unlock_label}</span></button>
                                                    </ActionForm>
                                                })}
                                                {menu}
                                            </td>
                                            <td class="optional-column">{u.email}</td>
                                            <td><span class=format!("role role-{}", u.role.as_str())>{u.role.label()}</span></td>
                                            <td>{if u.two_factor { view! { <span class="status status-on">"On"</span> }.into_any() } else { view! { <span class="status status-off">"Off"</span> }.into_any() }}</td>
                                            <td class="optional-column">{u.last_active.map(format::datetime).unwrap_or_else(|| "Never".into())}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// "Modify the role" for one person: only the roles my own role may give them.
fn role_menu(
    organization: i64,
    user_id: i64,
    name: &str,
    current: Role,
    my_role: Role,
    change: ServerAction<ChangeRole>,
) -> Option<impl IntoView> {
    let choices: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| *r != current && may_assign(my_role, current, *r).is_ok())
        .collect();
    if choices.is_empty() {
        return None;
    }
    let select_id = format!("role-{user_id}");
    let label = format!("New role for {name}");
    let summary = format!("Modify the role of {name}");
    Some(view! {
        <details class="role-menu">
            <summary><span aria-hidden="true">"Modify the role"</span><span class="visually-hidden">{summary}</span></summary>
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="user_id" value=user_id />
                <label class="visually-hidden" for=select_id.clone()>{label}</label>
                <select id=select_id name="role">
                    {choices.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                </select>
                " "
                <button class="button small primary" type="submit">"Save"</button>
            </ActionForm>
        </details>
    })
}

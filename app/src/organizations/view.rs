//! The organization overview and the "My organizations" page.

use super::api::{
    my_organizations, organization_overview, ChangeRole, CreateOrganization, SetMemberBlocked,
    UnlockMember,
};
use super::removal::api::LeaveOrganization;
use super::ORGANIZATION_NAME_MAX_CHARS;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use crate::policy::{may_act_on_member, may_assign, Action, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let unlock = FormAction::<UnlockMember>::new();
    let overview = resource(
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
                        <PageTitle text=o.name.clone() />
                        <h1 data-testid="organization-name">{o.name.clone()}</h1>
                        <p class="lead">
                            "Your role: " <strong data-testid="my-role">{o.my_role.label()}</strong>
                            " · Created " {format::date(o.created_at)}
                        </p>
                        {o.blocked.then(|| view! {
                            <p class="blocked-banner" role="alert" data-testid="blocked-member">
                                "An administrator of this organization blocked your access. You remain a member and nothing of yours was deleted, but you cannot see or manage its products until they unblock you."
                            </p>
                        })}
                        <DashboardPanels organization dashboard=o.dashboard.clone() blocked=o.blocked />
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
                                                        <td data-label="Name">
                                                            {format!("{} {}", m.first_name, m.last_name)}
                                                            {m.locked.then(|| view! { " " <span class="badge badge-danger">"Locked"</span> })}
                                                            {(m.locked && can_unlock).then(|| view! {
                                                                <ServerForm action=unlock attr:class="inline-form">
                                                                    <input type="hidden" name="organization_id" value=organization />
                                                                    <input type="hidden" name="user_id" value=m.user_id />
                                                                    " "
                                                                    <button class="button small" type="submit">
                                                                        "Unlock" <span class="visually-hidden">{format!(" {} {}", m.first_name, m.last_name)}</span>
                                                                    </button>
                                                                </ServerForm>
                                                            })}
                                                        </td>
                                                        <td data-label="Email" class="optional-column">{m.email}</td>
                                                        <td data-label="Role"><span class=format!("role role-{}", m.role.as_str())>{m.role.label()}</span></td>
                                                        <td data-label="Since" class="optional-column">{format::date(m.joined_at)}</td>
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

/// "Expired on 3 Nov 2026" / "Expires today" / "Expires in 12 days (15 Dec 2026)".
fn expiry_text(expires_at: i64, now: i64) -> String {
    let days = (expires_at - now).div_euclid(86_400);
    if expires_at <= now {
        format!("Expired on {}", format::date(expires_at))
    } else if days == 0 {
        "Expires within a day".to_owned()
    } else if days == 1 {
        format!("Expires tomorrow ({})", format::date(expires_at))
    } else {
        format!("Expires in {days} days ({})", format::date(expires_at))
    }
}

/// One part of the overview: a titled card, its list (or what it says when empty), links.
#[component]
fn Panel(
    /// Names the heading (`{id}-heading`) and the test id (`dashboard-{id}`).
    id: &'static str,
    title: &'static str,
    /// Said instead of the list when it is empty.
    empty: &'static str,
    items: Vec<AnyView>,
    /// How many there are in all, when more than the list shows.
    #[prop(optional)]
    total: Option<i64>,
    children: Children,
) -> impl IntoView {
    let shown = items.len() as i64;
    let rest = total.map(|t| t - shown).filter(|rest| *rest > 0);
    view! {
        <section class="panel dashboard-panel" aria-labelledby=format!("{id}-heading") data-testid=format!("dashboard-{id}")>
            <h2 id=format!("{id}-heading")>{title}</h2>
            {if items.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! { <ul class="dashboard-list">{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ul> }.into_any()
            }}
            {rest.map(|rest| view! { <p class="muted">{format!("and {rest} more")}</p> })}
            <p>{children()}</p>
        </section>
    }
}

/// The first look of an organization: what needs attention, for this person's role, each
/// part with a link to act on it.
#[component]
fn DashboardPanels(organization: i64, dashboard: super::Dashboard, blocked: bool) -> impl IntoView {
    let as_of = dashboard.as_of;
    // Copy, so each part's links can use it.
    let link = move |path: &str| format!("/o/{organization}{path}");
    let product_item = move |p: crate::products::ProductSummary, note: AnyView| {
        view! { <a href=link(&format!("/products/{}", p.id))>{p.name}</a> " " {note} }.into_any()
    };
    let due: Vec<AnyView> = dashboard
        .due
        .into_iter()
        .map(|p| {
            let class = if p.expires_at.is_some_and(|e| e <= as_of) {
                "badge badge-danger"
            } else {
                "badge badge-warning"
            };
            let text = p
                .expires_at
                .map(|e| expiry_text(e, as_of))
                .unwrap_or_default();
            product_item(p, view! { <span class=class>{text}</span> }.into_any())
        })
        .collect();
    let blocked_products: Vec<AnyView> = dashboard
        .blocked_products
        .into_iter()
        .map(|p| {
            let kind = p.kind.label();
            product_item(p, view! { <span class="muted">{kind}</span> }.into_any())
        })
        .collect();
    let role = |role: crate::policy::Role| view! { <span class=format!("role role-{}", role.as_str())>{role.label()}</span> };
    let security_items = dashboard.my_security.map(|security| {
        let mut items = vec![
            view! {
                "Two-factor authentication: "
                {if security.two_factor {
                    view! { <span class="badge badge-success">"On"</span> }.into_any()
                } else {
                    view! { <span class="badge badge-danger">"Off"</span> }.into_any()
                }}
            }
            .into_any(),
        ];
        if security.two_factor {
            items.push(view! { {format!("Backup codes left: {}", security.backup_codes_left)} }.into_any());
        }
        items.push(view! { {if security.recovery_email { "Recovery email: set" } else { "Recovery email: not set" }} }.into_any());
        items.push(view! { {format!("Signed-in sessions: {}", security.sessions)} }.into_any());
        items
    });
    let steps = dashboard.next_steps;
    // A new organization shows its first steps, not six empty lists.
    let quiet = dashboard.just_created;
    view! {
        {(!steps.is_empty()).then(|| view! {
            <section class="panel next-steps" aria-labelledby="next-steps-heading" data-testid="next-steps">
                <h2 id="next-steps-heading">{if quiet { "Welcome! Where would you like to start?" } else { "Next steps" }}</h2>
                <ul class="step-list">
                    {steps.into_iter().map(|step| view! {
                        <li data-testid=format!("step-{}", step.id())>
                            <a class="step-link" href=link(step.path())>
                                <strong>{step.title()}</strong>
                                <span class="muted">{step.text()}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <div class="dashboard">
            {(!blocked && !quiet).then(|| view! {
                <Panel id="due" title="Expiring and expired products" empty="Nothing expired and nothing expires in the next 30 days." items=due total=dashboard.due_total>
                    <a href=link("/products?sort=expiry")>"All products by expiry date"</a>
                </Panel>
                <Panel id="blocked" title="Blocked products" empty="No product is blocked." items=blocked_products total=dashboard.blocked_total>
                    <a href=link("/products")>"Products"</a>
                </Panel>
            })}
            {dashboard.invitations.filter(|_| !quiet).map(|list| view! {
                <Panel id="invitations" title="Invitations waiting" empty="No invitation is waiting for an answer."
                    items=list.into_iter().map(|i| view! {
                        <span>{i.email}</span> " " {role(i.role)} " " <span class="muted">{format!("until {}", format::date(i.expires_at))}</span>
                    }.into_any()).collect() total=dashboard.invitations_total>
                    <a href=link("/users")>"Manage invitations"</a> " · " <a href=link("/users/invite")>"Invite someone"</a>
                </Panel>
            })}
            {dashboard.without_two_factor.filter(|_| !quiet).map(|list| {
                let total = dashboard.without_two_factor_total;
                view! {
                    <Panel id="two-factor" title="Members without two-factor authentication" empty="Every member uses two-factor authentication."
                        items=list.into_iter().map(|m| view! { <span>{m.name}</span> " " {role(m.role)} }.into_any()).collect() total>
                        <a href=link("/users")>"Users"</a> " · " <a href=link("/settings")>"Require it for everyone"</a>
                    </Panel>
                }
            })}
            {dashboard.activity.filter(|_| !quiet).map(|entries| view! {
                <Panel id="activity" title="Latest activity" empty="Nothing happened here yet."
                    items=entries.into_iter().map(|e| view! {
                        <strong>{e.action.map(|a| a.label().to_owned()).unwrap_or(e.action_code)}</strong> " "
                        <span>{e.actor.unwrap_or_default()}</span> " "
                        <span class="muted">{format::datetime(e.occurred_at)}</span>
                    }.into_any()).collect()>
                    <a href=link("/activity")>"Activity log"</a>
                </Panel>
            })}
            {security_items.map(|items| view! {
                <Panel id="my-security" title="Your account security" empty="" items>
                    <a href=link("/security")>"Security settings"</a> " · " <a href=link("/profile")>"Profile"</a>
                </Panel>
            })}
        </div>
    }
}

#[component]
pub fn MyOrganizationsPage() -> impl IntoView {
    let leave = FormAction::<LeaveOrganization>::new();
    let organizations = resource(move || leave.version().get(), |_| my_organizations());
    let create = FormAction::<CreateOrganization>::new();
    Effect::new(move |_| {
        if let Some(Ok(next)) = leave.value().get() {
            crate::components::load_page(&next);
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/o/{id}"), Default::default());
        }
    });
    let current = use_organization_id();
    view! {
        <PageTitle text="My organizations" />
        <h1>"My organizations"</h1>
        <section class="panel">
            {move || leave.value().get().and_then(Result::err).map(|e| {
                // A login address in the organization's mail service is changed in the profile.
                let to_profile = (e.field.as_deref() == Some(super::removal::api::LOGIN_ADDRESS_FIELD)).then(|| view! {
                    " " <a href=format!("/o/{}/profile", current.get_untracked())>"Change my login email"</a>
                });
                view! { <p class="form-error" role="alert" data-testid="leave-refused"><span>{e.message}</span>{to_profile}</p> }
            })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match organizations.await {
                        Ok(list) => view! {
                            <ul class="organization-list" data-testid="my-organizations">
                                {list.into_iter().map(|o| {
                                    let summary = format!("Leave {}", o.name);
                                    let confirm = format!("Confirm: leave {}", o.name);
                                    view! {
                                        <li>
                                            <span>
                                                <a href=format!("/o/{}", o.id) aria-current=(o.id == current.get_untracked()).then_some("page")>
                                                    {o.name.clone()}
                                                </a>
                                                {o.blocked.then(|| view! { " " <span class="badge badge-danger">"Blocked"</span> })}
                                            </span>
                                            <span class="organization-actions">
                                                <span class=format!("role role-{}", o.role.as_str())>{o.role.label()}</span>
                                                <details class="role-menu">
                                                    <summary><span aria-hidden="true">"Leave"</span><span class="visually-hidden">{summary}</span></summary>
                                                    <p class="hint">"You lose your role and your access to its products. Someone has to invite you to come back."</p>
                                                    <ServerForm action=leave attr:class="inline-form">
                                                        <input type="hidden" name="organization_id" value=o.id />
                                                        <button class="button small danger" type="submit">{confirm}</button>
                                                    </ServerForm>
                                                </details>
                                            </span>
                                        </li>
                                    }
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
            <ServerForm action=create>
                <FormError error />
                <div class="field">
                    <label for="organization-name">"Name"</label>
                    <input id="organization-name" name="name" required maxlength=ORGANIZATION_NAME_MAX_CHARS.to_string() aria-describedby="organization-name-error" aria-invalid=invalid(error, "name") />
                    <FieldError error field="name" input="organization-name" />
                </div>
                <button class="button primary" type="submit" disabled=move || create.pending().get()>
                    "Create the organization"
                </button>
            </ServerForm>
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
    let unlock = FormAction::<UnlockMember>::new();
    let change = FormAction::<ChangeRole>::new();
    let block = FormAction::<SetMemberBlocked>::new();
    let unblock = FormAction::<SetMemberBlocked>::new();
    let actions = RowActions {
        unlock,
        change,
        block,
        unblock,
    };
    let users = resource(
        move || {
            (
                organization_id.get(),
                search(),
                unlock.version().get(),
                change.version().get(),
                block.version().get(),
                unblock.version().get(),
            )
        },
        |(organization, search, ..)| super::api::organization_users(organization, search),
    );
    view! {
        <PageTitle text="Users" />
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
        {move || actions.failure().map(|e| view! { <p class="form-error" role="alert"><span>{e.message}</span></p> })}
        {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The role is changed; the person was told by email."</p> })}
        {move || matches!(block.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The person is blocked: they reach nothing in this organization until you unblock them. They were told by email."</p> })}
        {move || matches!(unblock.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The person is unblocked and reaches their products again. They were told by email."</p> })}
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
                            <UserTable title="Members" testid="members" rows=page.members organization can_unlock my_role my_user_id=page.my_user_id actions can_open=page.can_open_people />
                            <UserTable title="External users" testid="externals" rows=page.externals organization can_unlock my_role my_user_id=page.my_user_id actions can_open=page.can_open_people />
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

/// The changes the users page can make to a person, shared by both tables and the person's
/// own page.
#[derive(Clone, Copy)]
pub(in crate::organizations) struct RowActions {
    pub unlock: FormAction<UnlockMember>,
    pub change: FormAction<ChangeRole>,
    /// One function, two forms: blocking (after its confirmation) and unblocking.
    pub block: FormAction<SetMemberBlocked>,
    pub unblock: FormAction<SetMemberBlocked>,
}

impl RowActions {
    /// The refusal of the last change that failed, if any.
    pub fn failure(&self) -> Option<crate::error::AppError> {
        let unlock = self.unlock.value().get().and_then(Result::err);
        let change = self.change.value().get().and_then(Result::err);
        let block = self.block.value().get().and_then(Result::err);
        let unblock = self.unblock.value().get().and_then(Result::err);
        unlock.or(change).or(block).or(unblock)
    }
}

#[component]
fn UserTable(
    title: &'static str,
    testid: &'static str,
    rows: Vec<super::UserRow>,
    organization: i64,
    can_unlock: bool,
    my_role: Role,
    my_user_id: i64,
    actions: RowActions,
    /// Whether each name opens the person's page (ORG-10).
    can_open: bool,
) -> impl IntoView {
    let RowActions { unlock, change, .. } = actions;
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
                                    let blocking = block_menu(organization, &u, &full_name, my_role, my_user_id, actions);
                                    let removal = may_act_on_member(my_role, Action::RemoveMembers, u.user_id == my_user_id, u.role).is_ok().then(|| {
                                        let label = format!("Remove {full_name} from the organization");
                                        view! { " " <a class="button small secondary" href=format!("/o/{organization}/users/{}/remove", u.user_id) aria-label=label>"Remove"</a> }
                                    });
                                    view! {
                                        <tr>
                                            <td data-label="Name">
                                                // One item of the cell's grid on a phone: picture, name and badges.
                                                <span class="person-name">
                                                    {member_avatar(organization, &u, false)}
                                                    {if can_open {
                                                        view! { <a href=format!("/o/{organization}/users/{}", u.user_id)>{full_name.clone()}</a> }.into_any()
                                                    } else {
                                                        view! { <span>{full_name.clone()}</span> }.into_any()
                                                    }}
                                                    {u.locked.then(|| view! { " " <span class="badge badge-danger">"Locked"</span> })}
                                                    {u.blocked.then(|| view! { " " <span class="badge badge-danger">"Blocked"</span> })}
                                                </span>
                                                <div class="row-actions">
                                                    {(u.locked && can_unlock).then(|| view! {
                                                        <ServerForm action=unlock attr:class="inline-form">
                                                            <input type="hidden" name="organization_id" value=organization />
                                                            <input type="hidden" name="user_id" value=u.user_id />
                                                            <button class="button small" type="submit">"Unlock" <span class="visually-hidden">{unlock_label}</span></button>
                                                        </ServerForm>
                                                    })}
                                                    {menu}
                                                    {blocking}
                                                    {removal}
                                                </div>
                                            </td>
                                            <td data-label="Email" class="optional-column">{u.email}</td>
                                            <td data-label="Role"><span class=format!("role role-{}", u.role.as_str())>{u.role.label()}</span></td>
                                            <td data-label="Two-factor">{if u.two_factor { view! { <span class="status status-on">"On"</span> }.into_any() } else { view! { <span class="status status-off">"Off"</span> }.into_any() }}</td>
                                            <td data-label="Last active" class="optional-column">{u.last_active.map(format::datetime).unwrap_or_else(|| "Never".into())}</td>
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

/// A member's picture, or their initials without one (as the seed says: the picture is shown
/// instead of the initials), to the people of their organization.
pub(in crate::organizations) fn member_avatar(
    organization: i64,
    person: &super::UserRow,
    large: bool,
) -> AnyView {
    let class = if large {
        "avatar large"
    } else {
        "avatar small"
    };
    let size = if large { "72" } else { "28" };
    match super::people::member_avatar_url(organization, person) {
        Some(url) => view! { <img class=class src=url alt="" width=size height=size data-testid="member-avatar" /> }.into_any(),
        None => view! { <span class=class aria-hidden="true">{format::initials(&person.first_name, &person.last_name)}</span> }.into_any(),
    }
}

/// "Modify the role" for one person: the select opens on their current role, followed by the
/// roles my own role may give them; Save stays off until another role is chosen.
pub(in crate::organizations) fn role_menu(
    organization: i64,
    user_id: i64,
    name: &str,
    current: Role,
    my_role: Role,
    change: FormAction<ChangeRole>,
) -> Option<impl IntoView> {
    let choices: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| *r == current || may_assign(my_role, current, *r).is_ok())
        .collect();
    if choices.len() < 2 {
        return None;
    }
    let chosen = RwSignal::new(current);
    let select_id = format!("role-{user_id}");
    let label = format!("New role for {name}");
    let summary = format!("Modify the role of {name}");
    Some(view! {
        <details class="role-menu">
            <summary><span aria-hidden="true">"Modify the role"</span><span class="visually-hidden">{summary}</span></summary>
            <ServerForm action=change attr:class="inline-form">
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="user_id" value=user_id />
                <label class="visually-hidden" for=select_id.clone()>{label}</label>
                <select id=select_id name="role"
                    on:change=move |ev| chosen.set(Role::parse(&event_target_value(&ev)).unwrap_or(current))>
                    {choices.into_iter().map(|r| {
                        let text = if r == current { format!("{} (current)", r.label()) } else { r.label().to_owned() };
                        view! { <option value=r.as_str() selected=r == current>{text}</option> }
                    }).collect_view()}
                </select>
                " "
                <button class="button small primary" type="submit" disabled=move || chosen.get() == current>"Save"</button>
            </ServerForm>
        </details>
    })
}

/// "Block" (with a confirmation) or "Unblock" for one person (ORG-6), when my role may.
pub(in crate::organizations) fn block_menu(
    organization: i64,
    person: &super::UserRow,
    name: &str,
    my_role: Role,
    my_user_id: i64,
    actions: RowActions,
) -> Option<impl IntoView> {
    may_act_on_member(
        my_role,
        Action::BlockMembers,
        person.user_id == my_user_id,
        person.role,
    )
    .ok()?;
    let user_id = person.user_id;
    let hidden_name = format!(" {name}");
    Some(if person.blocked {
        view! {
            <ServerForm action=actions.unblock attr:class="inline-form">
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="user_id" value=user_id />
                <input type="hidden" name="blocked" value="false" />
                " "
                <button class="button small" type="submit">"Unblock" <span class="visually-hidden">{hidden_name}</span></button>
            </ServerForm>
        }
        .into_any()
    } else {
        let summary = format!("Block {name}");
        let consequence = format!("{name} stays a member and nothing of theirs is deleted, but reaches nothing in this organization until unblocked. They are told by email.");
        let confirm = format!("Confirm: block {name}");
        view! {
            <details class="role-menu">
                <summary><span aria-hidden="true">"Block"</span><span class="visually-hidden">{summary}</span></summary>
                <p class="hint">{consequence}</p>
                <ServerForm action=actions.block attr:class="inline-form">
                    <input type="hidden" name="organization_id" value=organization />
                    <input type="hidden" name="user_id" value=user_id />
                    <input type="hidden" name="blocked" value="true" />
                    <button class="button small danger" type="submit">{confirm}</button>
                </ServerForm>
            </details>
        }
        .into_any()
    })
}

/// For a signed-in person who belongs to no organization (they left their last one): create
/// one, or wait for an invitation.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let create = FormAction::<CreateOrganization>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            crate::components::load_page(&format!("/o/{id}"));
        }
    });
    view! {
        <PageTitle text="No organization yet" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"You belong to no organization"</h1>
                <p class="muted">"Create one — you become its legal representative — or open the invitation link someone sends you."</p>
                <ServerForm action=create>
                    <FormError error />
                    <div class="field">
                        <label for="organization-name">"Name of the organization"</label>
                        <input id="organization-name" name="name" required maxlength=ORGANIZATION_NAME_MAX_CHARS.to_string() aria-describedby="organization-name-error" aria-invalid=invalid(error, "name") />
                        <FieldError error field="name" input="organization-name" />
                    </div>
                    <button class="button primary wide" type="submit" disabled=move || create.pending().get()>"Create the organization"</button>
                </ServerForm>
                <button class="button secondary wide" type="button" on:click=move |_| {
                    leptos::task::spawn_local(async move {
                        let _ = crate::account::api::sign_out().await;
                        crate::components::load_page("/login");
                    });
                }>"Sign out"</button>
            </div>
        </main>
    }
}

//! The organization overview and the "My organizations" page.

use super::api::{my_organizations, organization_overview, CreateOrganization, UnlockMember};
use super::ORGANIZATION_NAME_MAX_CHARS;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use crate::layout::use_organization_id;
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

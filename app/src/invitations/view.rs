//! The invitation form, the pending invitations on the users page, and the page an invitation
//! link opens.

use super::api::{
    accept_invitation, invitation_form, open_invitation, pending_invitations, InvitePerson,
    JoinWithNewAccount, ResendInvitation, RevokeInvitation,
};
use super::{reaches_chosen_products, InvitationOpening, NextStep};
use crate::account::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use crate::policy::Role;
use leptos::prelude::*;

/// "Invite a user" (ORG-4): email, role, and for collaborators and externals the products
/// they get, each with or without billing rights.
#[component]
pub fn InvitePage() -> impl IntoView {
    let organization_id = use_organization_id();
    let choices = resource(move || organization_id.get(), invitation_form);
    let invite = FormAction::<InvitePerson>::new();
    let error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let role = RwSignal::new(Role::Collaborator.as_str().to_owned());
    let chosen = RwSignal::new(Vec::<i64>::new());
    let billing = RwSignal::new(Vec::<i64>::new());
    let sent_to = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = invite.value().get() {
            sent_to.set(Some(email.get_untracked()));
            email.set(String::new());
            chosen.set(Vec::new());
            billing.set(Vec::new());
        }
    });
    let with_products = move || Role::parse(&role.get()).is_some_and(reaches_chosen_products);
    // Billing rights are for collaborators: an external person never uses billing.
    let with_billing = move || Role::parse(&role.get()) == Some(Role::Collaborator);
    let join = |ids: Vec<i64>| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    view! {
        <PageTitle text="Invite a user" />
        <p class="breadcrumb"><a href=move || format!("/o/{}/users", organization_id.get())>"Users"</a></p>
        <h1>"Invite a user"</h1>
        {move || sent_to.get().map(|to| view! {
            <p class="notice" role="status" data-testid="invitation-sent">
                {format!("The invitation is on its way to {to}. The link works once, for 7 days.")}
            </p>
        })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => {
                        let products = choices.products.clone();
                        let no_products = products.is_empty();
                        view! {
                            <section class="panel">
                                <p class="muted">{format!("They join {} once they accept.", choices.organization_name)}</p>
                                <ServerForm action=invite>
                                    <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                                    <input type="hidden" name="products" prop:value=move || if with_products() { join(chosen.get()) } else { String::new() } />
                                    <input type="hidden" name="billing" prop:value=move || if with_billing() { join(billing.get()) } else { String::new() } />
                                    <FormError error />
                                    <div class="field">
                                        <label for="invite-email">"Email address"</label>
                                        <input id="invite-email" name="email" type="email" required maxlength="254" autocomplete="off"
                                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))
                                            aria-describedby="invite-email-error" aria-invalid=invalid(error, "email") />
                                        <FieldError error field="email" input="invite-email" />
                                    </div>
                                    <div class="field">
                                        <label for="invite-role">"Role"</label>
                                        <select id="invite-role" name="role" aria-describedby="role-hint invite-role-error"
                                            on:change=move |ev| role.set(event_target_value(&ev))>
                                            {choices.roles.iter().map(|r| {
                                                let value = r.as_str();
                                                view! { <option value=value selected=move || role.get() == value>{r.label()}</option> }
                                            }).collect_view()}
                                        </select>
                                        <p class="hint" id="role-hint">"Legal representatives and administrators reach every product and setting; collaborators and externals only the products chosen below. You can invite up to your own role."</p>
                                        <FieldError error field="role" input="invite-role" />
                                    </div>
                                    <Show when=with_products>
                                        <fieldset id="invite-products" class="plain product-picker" aria-describedby="invite-products-error">
                                            <legend>"Products they get"</legend>
                                            {no_products.then(|| view! { <p class="muted">"This organization has no products yet."</p> })}
                                            <ul class="check-list" data-testid="product-choices" hidden=no_products>
                                                {products.iter().map(|p| {
                                                    let id = p.id;
                                                    let access_id = format!("access-{id}");
                                                    let billing_id = format!("billing-{id}");
                                                    let billing_label = format!("Billing rights for {}", p.name);
                                                    view! {
                                                        <li>
                                                            <span class="field checkbox">
                                                                <input id=access_id.clone() type="checkbox"
                                                                    prop:checked=move || chosen.read().contains(&id)
                                                                    on:change=move |ev| {
                                                                        let on = event_target_checked(&ev);
                                                                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } });
                                                                        if !on { billing.update(|b| b.retain(|x| *x != id)); }
                                                                    } />
                                                                <label for=access_id>{p.name.clone()} " " <span class="muted">{format!("({})", p.kind.label())}</span></label>
                                                            </span>
                                                            <span class="field checkbox billing-choice" hidden=move || !with_billing()>
                                                                <input id=billing_id.clone() type="checkbox" aria-label=billing_label
                                                                    disabled=move || !chosen.read().contains(&id)
                                                                    prop:checked=move || billing.read().contains(&id)
                                                                    on:change=move |ev| {
                                                                        let on = event_target_checked(&ev);
                                                                        billing.update(|b| { b.retain(|x| *x != id); if on { b.push(id); } });
                                                                    } />
                                                                <label for=billing_id aria-hidden="true">"with billing"</label>
                                                            </span>
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                            <FieldError error field="products" input="invite-products" />
                                        </fieldset>
                                    </Show>
                                    <button class="button primary" type="submit" disabled=move || invite.pending().get()>
                                        {move || if invite.pending().get() { "Sending…" } else { "Send the invitation" }}
                                    </button>
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

/// The pending invitations of the organization, with resend and revoke; shown on the users
/// page to those who may invite.
#[component]
pub fn PendingInvitations() -> impl IntoView {
    let organization_id = use_organization_id();
    let resend = FormAction::<ResendInvitation>::new();
    let revoke = FormAction::<RevokeInvitation>::new();
    let list = resource(
        move || {
            (
                organization_id.get(),
                resend.version().get(),
                revoke.version().get(),
            )
        },
        |(organization, ..)| pending_invitations(organization),
    );
    let failure = move || {
        resend
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    };
    view! {
        <section class="panel" aria-labelledby="pending-heading">
            <h2 id="pending-heading">"Pending invitations"</h2>
            {move || failure().map(|e| view! { <p class="form-error" role="alert"><span>{e.message}</span></p> })}
            {move || matches!(resend.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"Sent again, with a new link valid for 7 days; the previous link no longer works."</p> })}
            {move || matches!(revoke.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The invitation is revoked: its link no longer works."</p> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No invitation is waiting for an answer."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Pending invitations">
                                <table data-testid="pending-invitations">
                                    <caption class="visually-hidden">"Pending invitations"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Email"</th>
                                            <th scope="col">"Role"</th>
                                            <th scope="col" class="optional-column">"Products"</th>
                                            <th scope="col" class="optional-column">"Sent"</th>
                                            <th scope="col">"Link"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|i| {
                                            let organization = organization_id.get_untracked();
                                            let products = if i.products.is_empty() {
                                                if reaches_chosen_products(i.role) { "None".to_owned() } else { "All".to_owned() }
                                            } else {
                                                i.products.iter().map(|p| if p.billing { format!("{} (billing)", p.name) } else { p.name.clone() }).collect::<Vec<_>>().join(", ")
                                            };
                                            let sent = match &i.invited_by {
                                                Some(by) => format!("{} by {by}", format::date(i.sent_at)),
                                                None => format::date(i.sent_at),
                                            };
                                            let resend_label = format!(" the invitation of {}", i.email);
                                            let revoke_label = resend_label.clone();
                                            view! {
                                                <tr>
                                                    <td data-label="Email">{i.email.clone()}</td>
                                                    <td data-label="Role"><span class=format!("role role-{}", i.role.as_str())>{i.role.label()}</span></td>
                                                    <td data-label="Products" class="optional-column">{products}</td>
                                                    <td data-label="Sent" class="optional-column">{sent}</td>
                                                    <td data-label="Link">{if i.expired {
                                                        view! { <span class="badge badge-danger">"Expired"</span> }.into_any()
                                                    } else {
                                                        view! { <span>{format!("Until {}", format::date(i.expires_at))}</span> }.into_any()
                                                    }}</td>
                                                    <td data-label="Actions" class="actions">
                                                        {i.can_manage.then(|| view! {
                                                            <ServerForm action=resend attr:class="inline-form">
                                                                <input type="hidden" name="organization_id" value=organization />
                                                                <input type="hidden" name="invitation_id" value=i.id />
                                                                <button class="button small" type="submit">"Resend" <span class="visually-hidden">{resend_label}</span></button>
                                                            </ServerForm>
                                                            " "
                                                            <ServerForm action=revoke attr:class="inline-form">
                                                                <input type="hidden" name="organization_id" value=organization />
                                                                <input type="hidden" name="invitation_id" value=i.id />
                                                                <button class="button small danger" type="submit">"Revoke" <span class="visually-hidden">{revoke_label}</span></button>
                                                            </ServerForm>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The page an invitation link opens: what the invitation is, then — depending on who opened
/// it — create an account, sign in, or join with one click.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let organization = Memo::new(move |_| {
        query
            .read()
            .get("organization")
            .and_then(|o| o.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let opening = resource(
        move || (organization.get(), token.get()),
        |(organization, token)| open_invitation(organization, token),
    );
    view! {
        <PageTitle text="Invitation" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match opening.await {
                            Ok(opening) => view! { <Invitation opening organization=organization.get_untracked() token=token.get_untracked() /> }.into_any(),
                            Err(e) => view! {
                                <h1>"Invitation"</h1>
                                <p class="form-error" role="alert" data-testid="invitation-refused"><span>{e.message}</span></p>
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
fn Invitation(opening: InvitationOpening, organization: i64, token: String) -> impl IntoView {
    let inviter = opening
        .invited_by
        .clone()
        .unwrap_or_else(|| "An administrator".into());
    let role = opening.role.label().to_lowercase();
    let next_path = format!("/invitation?organization={organization}&token={token}");
    let products = (!opening.products.is_empty()).then(|| {
        view! {
            <p>"You will have access to:"</p>
            <ul class="plain-list">
                {opening.products.iter().map(|p| view! {
                    <li>{p.name.clone()} " " <span class="muted">{format!("({}{})", p.kind.label(), if p.billing { ", with billing rights" } else { "" })}</span></li>
                }).collect_view()}
            </ul>
        }
    });
    let step = match opening.next.clone() {
        NextStep::CreateAccount => view! { <NewAccount email=opening.email.clone() organization token /> }.into_any(),
        NextStep::SignIn => view! {
            <p>{format!("An account with {} exists: sign in as that person to accept.", opening.email)}</p>
            <a class="button primary wide" href=format!("/login?next={}", format::percent_encode(&next_path))>"Sign in to accept"</a>
        }
        .into_any(),
        NextStep::Accept => view! { <AcceptButton organization token /> }.into_any(),
        NextStep::WrongAccount { signed_in_as } => view! {
            <p class="form-error" role="alert"><span>{format!("This invitation is for {}, and you are signed in as {signed_in_as}. Sign out, then open the link again.", opening.email)}</span></p>
            <button class="button secondary wide" type="button" on:click=move |_| {
                leptos::task::spawn_local(async move {
                    let _ = crate::account::api::sign_out().await;
                    crate::components::reload_page();
                });
            }>"Sign out"</button>
        }
        .into_any(),
        NextStep::AlreadyMember => view! {
            <p role="status">"You are already a member of this organization."</p>
            <a class="button primary wide" href=format!("/o/{organization}")>{format!("Open {}", opening.organization_name)}</a>
        }
        .into_any(),
    };
    view! {
        <h1>{format!("Join {}", opening.organization_name)}</h1>
        <p data-testid="invitation-summary">{format!("{inviter} invites {} as {role}.", opening.email)}</p>
        {products}
        <p class="muted">{format!("This invitation works once, until {}.", format::datetime(opening.expires_at))}</p>
        {step}
    }
}

#[component]
fn AcceptButton(organization: i64, token: String) -> impl IntoView {
    let accept = Action::new(move |_: &()| {
        let token = token.clone();
        async move { accept_invitation(organization, token).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(joined)) = accept.value().get() {
            crate::components::load_page(&joined.redirect);
        }
    });
    view! {
        {move || accept.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert"><span>{e.message}</span></p> })}
        <button class="button primary wide" type="button" disabled=move || accept.pending().get()
            on:click=move |_| { accept.dispatch(()); }>
            "Accept and join"
        </button>
    }
}

#[component]
fn NewAccount(email: String, organization: i64, token: String) -> impl IntoView {
    let action = FormAction::<JoinWithNewAccount>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(joined)) = action.value().get() {
            crate::components::load_page(&joined.redirect);
        }
    });
    view! {
        <p>"Create your account to accept: your login email is the invited address."</p>
        <ServerForm action>
            <input type="hidden" name="organization_id" value=organization />
            <input type="hidden" name="token" value=token />
            <FormError error />
            <div class="field">
                <label for="invited-email">"Email address"</label>
                <input id="invited-email" type="email" value=email readonly />
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="first_name">"First name"</label>
                    <input id="first_name" name="first_name" autocomplete="given-name" required maxlength="100" aria-describedby="first_name-error" aria-invalid=invalid(error, "first_name") />
                    <FieldError error field="first_name" input="first_name" />
                </div>
                <div class="field">
                    <label for="last_name">"Last name"</label>
                    <input id="last_name" name="last_name" autocomplete="family-name" required maxlength="100" aria-describedby="last_name-error" aria-invalid=invalid(error, "last_name") />
                    <FieldError error field="last_name" input="last_name" />
                </div>
            </div>
            <div class="field">
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required
                    minlength=PASSWORD_MIN_CHARS.to_string() maxlength=PASSWORD_MAX_CHARS.to_string()
                    aria-describedby="password-hint password-error" aria-invalid=invalid(error, "password") />
                <p class="hint" id="password-hint">{format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters. A long phrase is easier to remember and harder to guess.")}</p>
                <FieldError error field="password" input="password" />
            </div>
            <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Creating…" } else { "Create my account and join" }}
            </button>
        </ServerForm>
    }
}

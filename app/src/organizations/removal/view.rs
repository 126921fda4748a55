//! The remove-user wizard (ORG-7), step by step as in the seed: review what will be deleted →
//! confirm with a checkbox → review again → type my own login email and tick → Remove this
//! user. Only the last step changes anything, and it cannot be undone.

use super::api::{removal_review, RemovalPlan, RemoveMember};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Review,
    Confirm,
    Check,
    Remove,
}

impl Step {
    fn number(self) -> u8 {
        match self {
            Step::Review => 1,
            Step::Confirm => 2,
            Step::Check => 3,
            Step::Remove => 4,
        }
    }
}

#[component]
pub fn RemoveUserPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let params = use_params_map();
    let user_id = Memo::new(move |_| {
        params
            .read()
            .get("user")
            .and_then(|u| u.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let review = resource(
        move || (organization_id.get(), user_id.get()),
        |(organization, user)| removal_review(organization, user),
    );
    let back = move || format!("/o/{}/users", organization_id.get());
    view! {
        <PageTitle text="Remove a user" />
        <p class="breadcrumb"><a href=back>"Users"</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match review.await {
                    Ok(review) => view! { <Wizard review organization=organization_id.get_untracked() user=user_id.get_untracked() /> }.into_any(),
                    Err(error) => view! { <h1>"Remove a user"</h1> <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Wizard(review: RemovalPlan, organization: i64, user: i64) -> impl IntoView {
    let name = format!("{} {}", review.first_name, review.last_name);
    let step = RwSignal::new(Step::Review);
    let understood_first = RwSignal::new(false);
    let first_error = RwSignal::new(false);
    let remove = FormAction::<RemoveMember>::new();
    let error = Signal::derive(move || remove.value().get().and_then(Result::err));
    let done = move || matches!(remove.value().get(), Some(Ok(())));
    let users = format!("/o/{organization}/users");
    let review = StoredValue::new(review);
    let title = format!(
        "Remove {name} from {}",
        review.with_value(|r| r.organization_name.clone())
    );
    let summary = move || {
        let r = review.get_value();
        let products = r.products.clone();
        let billing = products.iter().filter(|p| p.billing).count();
        let mail = r.mail.clone();
        let devices: usize = mail.iter().map(|m| m.devices.len()).sum();
        view! {
            <ul class="plain-list" data-testid="removal-summary">
                <li>{format!("Their membership of {} and their role ({}).", r.organization_name, r.role.label().to_lowercase())}</li>
                <li>
                    <details>
                        <summary>{format!("Their access to {} product{}{}", products.len(), if products.len() == 1 { "" } else { "s" }, if billing > 0 { format!(", {billing} with billing rights") } else { String::new() })}</summary>
                        {if products.is_empty() {
                            view! { <p class="muted">{if matches!(r.role, crate::policy::Role::Collaborator | crate::policy::Role::External) { "No product was given to them one by one." } else { "Administrators and legal representatives reach every product through their role." }}</p> }.into_any()
                        } else {
                            view! {
                                <ul>
                                    {products.into_iter().map(|p| view! {
                                        <li>{p.name} " " <span class="muted">{format!("({}{})", p.kind.label(), if p.billing { ", billing rights" } else { "" })}</span></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </details>
                </li>
                <li>
                    <details data-testid="removal-mail">
                        <summary>{format!("Their use of {} mail address{} of this organization{}", mail.len(), if mail.len() == 1 { "" } else { "es" }, if devices > 0 { format!(", {devices} connected device{} disconnected", if devices == 1 { "" } else { "s" }) } else { String::new() })}</summary>
                        {if mail.is_empty() {
                            view! { <p class="muted">"They use no address of this organization's mail services."</p> }.into_any()
                        } else {
                            view! {
                                <p class="muted">"They are taken off each address and every device they connected to it is disconnected: its password stops working at once."</p>
                                <ul>
                                    {mail.into_iter().map(|m| {
                                        let devices = if m.devices.is_empty() { "no device connected".to_owned() } else { format!("devices: {}", m.devices.join(", ")) };
                                        view! { <li>{m.address} " " <span class="muted">{format!("({devices})")}</span></li> }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </details>
                </li>
            </ul>
            <p class="muted">"What stays: their Steward account and their other organizations; this organization's products, tags and activity log."</p>
        }
    };
    view! {
        <h1>{title}</h1>
        {move || review.with_value(|r| r.refusal.clone()).map(|reason| view! {
            <p class="form-error" role="alert" data-testid="removal-refused"><span>{reason}</span></p>
        })}
        <ol class="wizard-steps" aria-label="Steps">
            <li aria-current=move || (step.get().number() == 1).then_some("step")>"Review"</li>
            <li aria-current=move || (step.get().number() == 2).then_some("step")>"Confirm"</li>
            <li aria-current=move || (step.get().number() == 3).then_some("step")>"Check"</li>
            <li aria-current=move || (step.get().number() == 4).then_some("step")>"Remove"</li>
        </ol>
        <section class="panel" data-testid="removal-step">
            {move || {
                if done() {
                    return view! {
                        <p class="notice" role="status" data-testid="removal-done">{format!("{name} is no longer a member of this organization. They were told by email.")}</p>
                        <a class="button primary" href=users.clone()>"Back to the users"</a>
                    }.into_any();
                }
                let blocked = review.with_value(|r| r.refusal.is_some());
                match step.get() {
                    Step::Review => view! {
                        <h2>"What will be deleted"</h2>
                        <p>{format!("{name} ({})", review.with_value(|r| r.email.clone()))}</p>
                        {summary()}
                        <button class="button primary wizard-next" type="button" disabled=blocked on:click=move |_| step.set(Step::Confirm)>"Continue"</button>
                    }.into_any(),
                    Step::Confirm => view! {
                        <h2>"Confirm the deletion"</h2>
                        <div class="field checkbox">
                            <input id="removal-understood" type="checkbox" prop:checked=move || understood_first.get()
                                aria-describedby="removal-understood-error"
                                on:change=move |ev| { understood_first.set(event_target_checked(&ev)); first_error.set(false); } />
                            <label for="removal-understood">{format!("I confirm that {name}'s membership and product accesses will be deleted.")}</label>
                        </div>
                        <p class="field-error" id="removal-understood-error" aria-live="polite">
                            {move || first_error.get().then_some("Tick the box to continue.")}
                        </p>
                        <button class="button primary wizard-next" type="button" on:click=move |_| {
                            if understood_first.get_untracked() { step.set(Step::Check) } else { first_error.set(true) }
                        }>"Continue"</button>
                    }.into_any(),
                    Step::Check => view! {
                        <h2>"Check once more"</h2>
                        {summary()}
                        <button class="button danger wizard-next" type="button" on:click=move |_| step.set(Step::Remove)>"Remove"</button>
                    }.into_any(),
                    Step::Remove => view! {
                        <h2>"Remove this user for good"</h2>
                        <p>"This cannot be undone. To confirm, type the email address you sign in with."</p>
                        <ServerForm action=remove>
                            <input type="hidden" name="organization_id" value=organization />
                            <input type="hidden" name="user_id" value=user />
                            <FormError error />
                            <div class="field">
                                <label for="my-email">"Your login email address"</label>
                                <input id="my-email" name="my_email" type="email" required autocomplete="off" aria-describedby="my-email-error" aria-invalid=invalid(error, "my_email") />
                                <FieldError error field="my_email" input="my-email" />
                            </div>
                            <div class="field checkbox">
                                <input id="final-understood" name="understood" type="checkbox" value="on" aria-describedby="final-understood-error" aria-invalid=invalid(error, "understood") />
                                <label for="final-understood">"I understand that this removal is permanent."</label>
                            </div>
                            <FieldError error field="understood" input="final-understood" />
                            <button class="button danger" type="submit" disabled=move || remove.pending().get()>"Remove this user"</button>
                        </ServerForm>
                    }.into_any(),
                }
            }}
        </section>
    }
}

//! The organization's settings page: name, security rules, deletion.

use super::api::{
    organization_settings, DeleteOrganization, RenameOrganization, SetSmsResetForbidden,
    SetTwoFactorRequirement, SettingsOverview,
};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading, PasswordAgain};
use crate::organizations::ORGANIZATION_NAME_MAX_CHARS;
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let rename = FormAction::<RenameOrganization>::new();
    let two_factor = FormAction::<SetTwoFactorRequirement>::new();
    let sms = FormAction::<SetSmsResetForbidden>::new();
    let delete = FormAction::<DeleteOrganization>::new();
    let settings = resource(
        move || {
            (
                organization_id.get(),
                two_factor.version().get(),
                sms.version().get(),
            )
        },
        |(organization, ..)| organization_settings(organization),
    );
    Effect::new(move |_| {
        // The name is in the frame around every page: load it afresh.
        if let Some(Ok(())) = rename.value().get() {
            crate::components::reload_page();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(next)) = delete.value().get() {
            crate::components::load_page(&next);
        }
    });
    view! {
        <PageTitle text="Organization settings" />
        <h1>"Organization settings"</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <NameSection settings=s.clone() rename />
                        <SecuritySection settings=s.clone() two_factor sms />
                        <crate::organizations::verified::view::VerifiedDomainsPanel organization_id=organization_id.get_untracked() />
                        <crate::partners::view::PartnersPanel organization_id=organization_id.get_untracked() />
                        <crate::partners::view::ProgramPanel organization_id=organization_id.get_untracked() />
                        <DeleteSection settings=s delete />
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NameSection(
    settings: SettingsOverview,
    rename: FormAction<RenameOrganization>,
) -> impl IntoView {
    let organization_id = use_organization_id();
    let error = Signal::derive(move || rename.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="name-heading">
            <h2 id="name-heading">"Name"</h2>
            <ServerForm action=rename>
                <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                <input type="hidden" name="version" value=settings.version />
                <FormError error />
                <div class="field">
                    <label for="organization-name">"Name of the organization"</label>
                    <input id="organization-name" name="name" required value=settings.name maxlength=ORGANIZATION_NAME_MAX_CHARS.to_string() aria-describedby="organization-name-error" aria-invalid=invalid(error, "name") />
                    <FieldError error field="name" input="organization-name" />
                </div>
                <button class="button primary" type="submit" disabled=move || rename.pending().get()>"Rename"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn SecuritySection(
    settings: SettingsOverview,
    two_factor: FormAction<SetTwoFactorRequirement>,
    sms: FormAction<SetSmsResetForbidden>,
) -> impl IntoView {
    let organization = use_organization_id().get_untracked();
    // Each refusal is said beside the button that drew it.
    let two_factor_error = Signal::derive(move || two_factor.value().get().and_then(Result::err));
    let sms_error = Signal::derive(move || sms.value().get().and_then(Result::err));
    let missing = settings.without_two_factor.clone();
    let two_factor_part = if settings.require_two_factor {
        view! {
            <p data-testid="two-factor-requirement"><span class="status status-on">"Required"</span> " Every member needs two-factor authentication; whoever has none is sent to set it up and reaches nothing else here until then."</p>
            {(!missing.is_empty()).then(|| view! {
                <p class="muted">{format!("Still without it: {}.", missing.join(", "))}</p>
            })}
            <ServerForm action=two_factor>
                <input type="hidden" name="organization_id" value=organization />
                <input type="hidden" name="required" value="false" />
                <FormError error=two_factor_error />
                <button class="button" type="submit">"Stop requiring two-factor authentication"</button>
            </ServerForm>
        }
        .into_any()
    } else {
        let who = if missing.is_empty() {
            "Every member already has two-factor authentication.".to_owned()
        } else {
            let count = if missing.len() == 1 {
                "1 member has".to_owned()
            } else {
                format!("{} members have", missing.len())
            };
            format!(
                "{count} no two-factor authentication yet: {}. They are emailed, and until they set it up this organization only opens its Security page to them.",
                missing.join(", ")
            )
        };
        view! {
            <p data-testid="two-factor-requirement"><span class="status status-off">"Not required"</span> " Each member decides for themselves."</p>
            <details class="disclosure">
                <summary>"Require two-factor authentication for all users…"</summary>
                {if settings.i_have_two_factor {
                    view! {
                        <p data-testid="two-factor-preview">{who}</p>
                        <ServerForm action=two_factor>
                            <input type="hidden" name="organization_id" value=organization />
                            <input type="hidden" name="required" value="true" />
                            <FormError error=two_factor_error />
                            <button class="button primary" type="submit">"Require two-factor authentication"</button>
                        </ServerForm>
                    }.into_any()
                } else {
                    view! {
                        <p data-testid="two-factor-yourself-first">
                            "Turn on your own two-factor authentication first: nobody can require of others what they do not use. "
                            <a href=format!("/o/{organization}/security")>"Set it up in Security"</a>
                        </p>
                    }.into_any()
                }}
            </details>
        }
        .into_any()
    };
    let forbid = settings.forbid_sms_reset;
    view! {
        <section class="panel" aria-labelledby="security-heading">
            <h2 id="security-heading">"Security"</h2>
            <h3>"Two-factor authentication for all users"</h3>
            {two_factor_part}
            <h3>"Password reset by SMS"</h3>
            {if settings.sms_available {
                view! {
                    <p data-testid="sms-reset">
                        {if forbid {
                            view! { <span class="status status-on">"Forbidden"</span> " Members reset a forgotten password through their recovery email only." }.into_any()
                        } else {
                            view! { <span class="status status-off">"Allowed"</span> " Members may also reset a forgotten password with a code sent to their phone." }.into_any()
                        }}
                    </p>
                    <ServerForm action=sms>
                        <input type="hidden" name="organization_id" value=organization />
                        <input type="hidden" name="forbidden" value=(!forbid).to_string() />
                        <FormError error=sms_error />
                        <button class="button" type="submit">{if forbid { "Allow password reset by SMS" } else { "Forbid password reset by SMS" }}</button>
                    </ServerForm>
                }.into_any()
            } else {
                view! {
                    <p data-testid="sms-reset">
                        <span class="status status-off">"Not offered"</span>
                        " This installation sends no text messages: members reset a forgotten password through their recovery email."
                    </p>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn DeleteSection(
    settings: SettingsOverview,
    delete: FormAction<DeleteOrganization>,
) -> impl IntoView {
    let organization = use_organization_id().get_untracked();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let body = match settings.deletion_blocker() {
        Some(reason) => view! {
            <p data-testid="delete-blocked">{format!("{} cannot be deleted yet. {reason}", settings.name)}</p>
        }
        .into_any(),
        None => view! {
            <details class="disclosure">
                <summary>"Delete the organization…"</summary>
                <p class="hint">"It has no other user and no product left. Deleting it cannot be undone; its activity log is kept."</p>
                <ServerForm action=delete>
                    <input type="hidden" name="organization_id" value=organization />
                    <FormError error />
                    <PasswordAgain id="delete-password" error=error />
                    <button class="button danger" type="submit" disabled=move || delete.pending().get()>{format!("Delete {}", settings.name)}</button>
                </ServerForm>
            </details>
        }
        .into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete the organization"</h2>
            {body}
        </section>
    }
}

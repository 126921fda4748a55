//! "Compromised password?" (ACC-6): a three-step wizard — a new password, then revoking
//! application passwords and API tokens, then a review of every security setting with a link
//! to fix each.

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::account::changes::ChangePassword;
use crate::account::view::PasswordFields;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{ErrorPanel, FormError, Loading};
use crate::credentials::api::{
    my_credentials, RevokeAllCredentials, RevokeApiToken, RevokeAppPassword,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The third step of the compromised-password wizard: every setting worth a look.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SecurityReview {
    pub two_factor_methods: usize,
    pub backup_codes_remaining: i64,
    pub other_sessions: usize,
    pub alert_on_sign_in: bool,
    pub alert_on_failed_sign_in: bool,
    pub lockout_threshold: i64,
    pub recovery_email: Option<String>,
    pub recovery_phone: Option<String>,
    pub app_passwords: usize,
    pub api_tokens: usize,
}

#[server(endpoint = "review_security")]
pub async fn review_security() -> Result<SecurityReview, AppError> {
    ReviewSecurity::serve(|cx| async move {
        let (current, account) = (cx.session()?, cx.account()?);
        let mut tx = cx.read().await?;
        let methods = crate::two_factor::store::methods(&mut tx, account.id).await?;
        let backup_codes_remaining =
            crate::two_factor::store::backup_codes_remaining(&mut tx, account.id).await?;
        let sessions = crate::account::store::sessions_of(&mut tx, account.id, cx.now()).await?;
        let safety = crate::lockout::store::settings(&mut tx, account.id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        let (recovery_email, recovery_phone) =
            crate::account::store::recovery_contacts(&mut tx, account.id).await?;
        let app_passwords = crate::credentials::store::app_passwords(&mut tx, account.id).await?;
        let api_tokens = crate::credentials::store::api_tokens(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(SecurityReview {
            two_factor_methods: methods.len(),
            backup_codes_remaining,
            other_sessions: sessions.iter().filter(|s| s.id != current.id).count(),
            alert_on_sign_in: safety.alert_on_sign_in,
            alert_on_failed_sign_in: safety.alert_on_failed_sign_in,
            lockout_threshold: safety.lockout_threshold,
            recovery_email,
            recovery_phone,
            app_passwords: app_passwords.len(),
            api_tokens: api_tokens.len(),
        })
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    Credentials,
    Review,
}

#[component]
pub fn CompromisedPage() -> impl IntoView {
    let step = RwSignal::new(Step::Password);
    let change = FormAction::<ChangePassword>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            step.set(Step::Credentials);
        }
    });
    let number = move || match step.get() {
        Step::Password => 1,
        Step::Credentials => 2,
        Step::Review => 3,
    };
    view! {
        <PageTitle text="Compromised password?" />
        <h1>"Compromised password?"</h1>
        <p class="lead">"Three steps to take your account back: a new password, no forgotten keys for programs, and a look at every setting."</p>
        <ol class="wizard-steps" aria-label="Steps">
            <li aria-current=move || (number() == 1).then_some("step")>"New password"</li>
            <li aria-current=move || (number() == 2).then_some("step")>"Programs' access"</li>
            <li aria-current=move || (number() == 3).then_some("step")>"Review"</li>
        </ol>
        {move || match step.get() {
            Step::Password => view! { <PasswordStep change /> }.into_any(),
            Step::Credentials => view! { <CredentialsStep on_next=move || step.set(Step::Review) /> }.into_any(),
            Step::Review => view! { <ReviewStep /> }.into_any(),
        }}
    }
}

#[component]
fn PasswordStep(change: FormAction<ChangePassword>) -> impl IntoView {
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="step-1">
            <h2 id="step-1">"Step 1 of 3: choose a new password"</h2>
            <p class="muted">"Every other browser signed in to your account is signed out at once."</p>
            <ServerForm action=change>
                <FormError error />
                <PasswordFields error />
                <button class="button primary" type="submit" disabled=move || change.pending().get()>"Change my password and continue"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn CredentialsStep(on_next: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let revoke_password = FormAction::<RevokeAppPassword>::new();
    let revoke_token = FormAction::<RevokeApiToken>::new();
    let revoke_all = FormAction::<RevokeAllCredentials>::new();
    let list = resource(
        move || {
            (
                revoke_password.version().get(),
                revoke_token.version().get(),
                revoke_all.version().get(),
            )
        },
        |_| my_credentials(),
    );
    view! {
        <section class="panel" aria-labelledby="step-2">
            <h2 id="step-2">"Step 2 of 3: revoke programs' access"</h2>
            <p class="muted">"Application passwords and API tokens keep working after a password change. Revoke any you do not recognise — or all of them, and create new ones for the programs you use."</p>
            <p class="notice" role="status">"Your password is changed and your other sessions are signed out."</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(c) if c.app_passwords.is_empty() && c.api_tokens.is_empty() => view! {
                            <p data-testid="no-credentials">"You have no application passwords and no API tokens: nothing to revoke."</p>
                        }.into_any(),
                        Ok(c) => view! {
                            <ul class="session-list" data-testid="wizard-credentials">
                                {c.app_passwords.into_iter().map(|p| view! {
                                    <li class="session">
                                        <div><strong>{p.name.clone()}</strong> " " <span class="badge">"Application password"</span></div>
                                        <ServerForm action=revoke_password attr:class="inline-form">
                                            <input type="hidden" name="id" value=p.id />
                                            <button class="button small danger" type="submit">"Revoke" <span class="visually-hidden">{format!(" {}", p.name)}</span></button>
                                        </ServerForm>
                                    </li>
                                }).collect_view()}
                                {c.api_tokens.into_iter().map(|t| view! {
                                    <li class="session">
                                        <div><strong>{t.name.clone()}</strong> " " <span class="badge">"API token"</span></div>
                                        <ServerForm action=revoke_token attr:class="inline-form">
                                            <input type="hidden" name="id" value=t.id />
                                            <button class="button small danger" type="submit">"Revoke" <span class="visually-hidden">{format!(" {}", t.name)}</span></button>
                                        </ServerForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <ServerForm action=revoke_all>
                                <button class="button danger" type="submit">"Revoke all of them"</button>
                            </ServerForm>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            <div class="button-row wizard-next">
                <button class="button primary" type="button" on:click=move |_| on_next()>"Continue to the review"</button>
            </div>
        </section>
    }
}

#[component]
fn ReviewStep() -> impl IntoView {
    let review = resource(|| (), |_| review_security());
    let organization = use_organization_id();
    let security = move || format!("/o/{}/security", organization.get_untracked());
    let profile = move || format!("/o/{}/profile", organization.get_untracked());
    view! {
        <section class="panel" aria-labelledby="step-3">
            <h2 id="step-3">"Step 3 of 3: review your security settings"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match review.await {
                        Ok(r) => {
                            let row = |label: &'static str, good: bool, state: String, fix: String, action: &'static str| view! {
                                <tr>
                                    <th scope="row">{label}</th>
                                    <td data-label="Now">
                                        <span class=if good { "status status-on" } else { "status status-off" }>{if good { "OK" } else { "Check" }}</span>
                                        " " {state}
                                    </td>
                                    <td data-label=""><a href=fix>{action} <span class="visually-hidden">{format!(" ({label})")}</span></a></td>
                                </tr>
                            };
                            view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Security review">
                                    <table data-testid="security-review">
                                        <caption class="visually-hidden">"Your security settings"</caption>
                                        <thead><tr><th scope="col">"Setting"</th><th scope="col">"Now"</th><th scope="col"><span class="visually-hidden">"Fix"</span></th></tr></thead>
                                        <tbody>
                                            {row("Two-factor authentication", r.two_factor_methods > 0,
                                                if r.two_factor_methods > 0 { format!("on, {} method(s), {} backup code(s) left", r.two_factor_methods, r.backup_codes_remaining) } else { "off".into() },
                                                format!("{}#two-factor-heading", security()), if r.two_factor_methods > 0 { "Manage" } else { "Turn on" })}
                                            {row("Other sessions", r.other_sessions == 0,
                                                format!("{} other browser(s) signed in", r.other_sessions),
                                                format!("{}#sessions-heading", security()), "Review")}
                                            {row("Sign-in alerts", r.alert_on_sign_in || r.alert_on_failed_sign_in,
                                                format!("on sign-in: {}, on failure: {}; lock after {} failures", if r.alert_on_sign_in { "on" } else { "off" }, if r.alert_on_failed_sign_in { "on" } else { "off" }, r.lockout_threshold),
                                                format!("{}#safety-heading", security()), "Change")}
                                            {row("Recovery email", r.recovery_email.is_some(),
                                                r.recovery_email.clone().unwrap_or_else(|| "not set".into()),
                                                format!("{}#recovery-heading", profile()), if r.recovery_email.is_some() { "Change" } else { "Add" })}
                                            {row("Recovery phone", r.recovery_phone.is_some(),
                                                r.recovery_phone.clone().unwrap_or_else(|| "not set".into()),
                                                format!("{}#recovery-heading", profile()), if r.recovery_phone.is_some() { "Change" } else { "Add" })}
                                            {row("Programs' access", r.app_passwords + r.api_tokens == 0,
                                                format!("{} application password(s), {} API token(s)", r.app_passwords, r.api_tokens),
                                                format!("{}#app-passwords-heading", security()), "Review")}
                                        </tbody>
                                    </table>
                                </div>
                                <p><a class="button primary" href=security()>"Done: go to the security page"</a></p>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

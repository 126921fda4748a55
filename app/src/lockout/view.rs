//! The safety parameters panel of the security page, and the pages the emailed links open.

use super::api::{my_safety_settings, report_not_me, unlock_with_link, SaveSafetySettings};
use super::{LOCKOUT_MAX, LOCKOUT_MIN};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SafetyPanel() -> impl IntoView {
    let save = FormAction::<SaveSafetySettings>::new();
    // Read again after each save, so the next save starts from the version it made.
    let settings = resource(move || save.version().get(), |_| my_safety_settings());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="panel" aria-labelledby="safety-heading">
            <h2 id="safety-heading">"Sign-in alerts and lockout"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! {
                            <ServerForm action=save>
                                <input type="hidden" name="version" value=s.version />
                                <FormError error />
                                <fieldset class="plain">
                                    <legend>"Email me"</legend>
                                    <div class="field checkbox">
                                        <input id="alert_on_sign_in" name="alert_on_sign_in" type="checkbox" value="on" checked=s.alert_on_sign_in />
                                        <label for="alert_on_sign_in">"when someone signs in to my account"</label>
                                    </div>
                                    <div class="field checkbox">
                                        <input id="alert_on_failed_sign_in" name="alert_on_failed_sign_in" type="checkbox" value="on" checked=s.alert_on_failed_sign_in />
                                        <label for="alert_on_failed_sign_in">"when a sign-in to my account fails"</label>
                                    </div>
                                </fieldset>
                                <div class="field narrow">
                                    <label for="lockout_threshold">"Lock my account after this many failed attempts in a row"</label>
                                    <input id="lockout_threshold" name="lockout_threshold" type="number" inputmode="numeric" required
                                        min=LOCKOUT_MIN.to_string() max=LOCKOUT_MAX.to_string() value=s.lockout_threshold.to_string()
                                        aria-describedby="lockout-hint lockout_threshold-error" aria-invalid=invalid(error, "lockout_threshold") />
                                    <p class="hint" id="lockout-hint">{format!("From {LOCKOUT_MIN} to {LOCKOUT_MAX}. A locked account is unlocked with a link sent by email, or by an administrator of one of your organizations.")}</p>
                                    <FieldError error field="lockout_threshold" input="lockout_threshold" />
                                </div>
                                <div class="button-row">
                                    <button class="button primary" type="submit" disabled=move || save.pending().get()>"Save"</button>
                                    <span role="status" class="saved">{move || saved().then_some("Saved.")}</span>
                                </div>
                            </ServerForm>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn token_from_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("token").unwrap_or_default())
}

/// Opened from the lockout email. Unlocking is a button (POST), so a mail scanner that merely
/// fetches the link cannot spend it.
#[component]
pub fn UnlockPage() -> impl IntoView {
    let token = token_from_query();
    let unlock = Action::new(|token: &String| {
        let token = token.clone();
        async move { unlock_with_link(token).await }
    });
    view! {
        <PageTitle text="Unlock my account" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Unlock my account"</h1>
                {move || match unlock.value().get() {
                    Some(Ok(())) => view! {
                        <p role="status" data-testid="unlocked">"Your account is unlocked. You can sign in again."</p>
                        <a class="button primary wide" href="/login">"Sign in"</a>
                    }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="form-error" role="alert"><span>{e.message}</span></p>
                        <a class="button wide" href="/login">"Go to sign-in"</a>
                    }.into_any(),
                    None => view! {
                        <p>"Your account was locked after too many failed sign-ins. Unlock it to sign in again."</p>
                        <button class="button primary wide" type="button" disabled=move || unlock.pending().get()
                            on:click=move |_| { unlock.dispatch(token.get()); }>
                            "Unlock my account"
                        </button>
                    }.into_any(),
                }}
            </div>
        </main>
    }
}

/// Opened from an alert's "This wasn't me" link.
#[component]
pub fn NotMePage() -> impl IntoView {
    let token = token_from_query();
    let report = Action::new(|token: &String| {
        let token = token.clone();
        async move { report_not_me(token).await }
    });
    view! {
        <PageTitle text="This wasn't me" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"This wasn't me"</h1>
                {move || match report.value().get() {
                    Some(Ok(outcome)) => view! {
                        <p role="status" data-testid="not-me-done">
                            {if outcome.session_ended {
                                "We have ended that session: whoever signed in is signed out."
                            } else {
                                "There is no open session left from that sign-in."
                            }}
                        </p>
                        <p>"Now change your password and review your security settings: sign in and follow the steps."</p>
                        <a class="button primary wide" href="/login?next=/security/compromised">"Secure my account"</a>
                    }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="form-error" role="alert"><span>{e.message}</span></p>
                        <a class="button wide" href="/login?next=/security/compromised">"Secure my account"</a>
                    }.into_any(),
                    None => view! {
                        <p>"If you did not sign in, end that session now. You will then be guided to change your password and check your security settings."</p>
                        <button class="button primary wide" type="button" disabled=move || report.pending().get()
                            on:click=move |_| { report.dispatch(token.get()); }>
                            "End that session and secure my account"
                        </button>
                    }.into_any(),
                }}
            </div>
        </main>
    }
}

//! The sign-in page and the second step of signing in.

use super::api::{cancel_sign_in, second_factor_challenge, SignIn, VerifySecondFactor};
use crate::account::view::next_from_query;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::PageTitle;
use crate::components::{invalid, FieldError, FormError, Loading};
use crate::error::{AppError, ErrorCode};
use leptos::prelude::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = FormAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = next_from_query();
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = action.value().get() {
            crate::components::load_page(&signed_in.redirect);
        }
    });
    view! {
        <PageTitle text="Sign in" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Sign in"</h1>
                <ServerForm action>
                    <FormError error />
                    <input type="hidden" name="next" prop:value=move || next.get() />
                    <div class="field">
                        <label for="email">"Email address"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" aria-describedby="email-error" aria-invalid=invalid(error, "email") />
                        <FieldError error field="email" input="email" />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-error" aria-invalid=invalid(error, "password") />
                        <FieldError error field="password" input="password" />
                    </div>
                    <p class="auth-aside"><a href="/forgot-password">"Forgot your password?"</a></p>
                    <div class="field checkbox">
                        <input id="remember" name="remember" type="checkbox" value="on" />
                        <label for="remember">"Keep me signed in"</label>
                    </div>
                    <p class="hint">"Leave this unticked on a shared computer: you will be asked to sign in each time the browser is opened."</p>
                    <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ServerForm>
                <p class="auth-switch">"New to Steward? " <a href="/signup">"Create an account"</a>" or "<a href="/order">"order a domain"</a></p>
            </div>
        </main>
    }
}

/// The second step of a sign-in, after the password.
#[component]
pub fn TwoFactorSignInPage() -> impl IntoView {
    let challenge = resource(|| (), |_| second_factor_challenge());
    let verify = FormAction::<VerifySecondFactor>::new();
    let next = next_from_query();
    let use_backup = RwSignal::new(false);
    let error = Signal::derive(move || verify.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = verify.value().get() {
            crate::components::load_page(&signed_in.redirect);
        }
    });
    let cancel = Action::new(|_: &()| async move {
        let _ = cancel_sign_in().await;
        crate::components::load_page("/login");
    });
    let ended = move || {
        matches!(
            error.get(),
            Some(AppError {
                code: ErrorCode::Unauthenticated,
                ..
            })
        )
    };
    view! {
        <PageTitle text="Two-step verification" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Two-step verification"</h1>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match challenge.await {
                            Ok(c) => {
                                view! {
                                    <p class="muted">
                                        {move || if use_backup.get() {
                                            "Enter one of your backup codes. Each code works once.".to_owned()
                                        } else {
                                            "Enter the 6-digit code from your authenticator app.".to_owned()
                                        }}
                                    </p>
                                    <Show when=move || !ended() fallback=move || view! {
                                        <p class="form-error" role="alert">{move || error.get().map(|e| e.message)}</p>
                                        <a class="button primary wide" href="/login">"Sign in again"</a>
                                    }>
                                        <ServerForm action=verify>
                                            <FormError error />
                                            <input type="hidden" name="next" prop:value=move || next.get() />
                                            <input type="hidden" name="proof" prop:value=move || if use_backup.get() { "backup_code" } else { "authenticator_app" } />
                                            <div class="field">
                                                <label for="code">{move || if use_backup.get() { "Backup code" } else { "Code from your app" }}</label>
                                                <input
                                                    id="code"
                                                    name="code"
                                                    autocomplete="one-time-code"
                                                    inputmode=move || if use_backup.get() { "text" } else { "numeric" }
                                                    required
                                                    maxlength="20"
                                                    aria-describedby="code-error"
                                                    aria-invalid=invalid(error, "code")
                                                />
                                                <FieldError error field="code" input="code" />
                                            </div>
                                            <button class="button primary wide" type="submit" disabled=move || verify.pending().get()>
                                                {move || if verify.pending().get() { "Checking…" } else { "Verify" }}
                                            </button>
                                        </ServerForm>
                                        <p class="auth-switch">
                                            <button class="link-button" type="button" on:click=move |_| use_backup.update(|b| *b = !*b)>
                                                {move || if use_backup.get() { "Use my authenticator app instead" } else { "Use a backup code instead" }}
                                            </button>
                                        </p>
                                        {(c.backup_codes_remaining == 0).then(|| view! { <p class="hint">"You have no unused backup codes left."</p> })}
                                    </Show>
                                }
                                .into_any()
                            }
                            Err(e) => view! {
                                <p class="form-error" role="alert">{e.message}</p>
                                <a class="button primary wide" href="/login">"Sign in"</a>
                            }
                            .into_any(),
                        }
                    })}
                </Transition>
                <p class="auth-switch">
                    <button class="link-button" type="button" on:click=move |_| { cancel.dispatch(()); }>"Cancel and go back to sign-in"</button>
                </p>
            </div>
        </main>
    }
}

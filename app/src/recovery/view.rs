//! The "Forgot your password?" page and the page a reset link opens.

use super::api::{password_reset_options, RequestPasswordReset, ResetPassword};
use crate::account::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{invalid, FieldError, FormError, PageTitle};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = FormAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let options = resource(|| (), |_| password_reset_options());
    let query = use_query_map();
    let email = StoredValue::new(query.read_untracked().get("email").unwrap_or_default());
    // Only a success replaces the form: a refusal keeps it, and what was typed.
    let sent = Memo::new(move |_| matches!(action.value().get(), Some(Ok(()))));
    view! {
        <PageTitle text="Forgot your password?" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Forgot your password?"</h1>
                {move || match sent.get() {
                    true => view! {
                        <p role="status" data-testid="reset-sent">
                            "If an account uses this address, we have sent it a link to choose a new password. It works once, for 30 minutes. Check your inbox (and your spam folder)."
                        </p>
                        <a class="button wide" href="/login">"Back to sign-in"</a>
                    }.into_any(),
                    false => view! {
                        <p class="muted">"Give your login email, or the recovery email of your account. We send a link to choose a new password."</p>
                        <ServerForm action>
                            <FormError error />
                            <div class="field">
                                <label for="reset-email">"Email address"</label>
                                <input id="reset-email" name="email" type="email" autocomplete="username" required maxlength="254" value=email.get_value()
                                    aria-describedby="reset-email-error" aria-invalid=invalid(error, "email") />
                                <FieldError error field="email" input="reset-email" />
                            </div>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    options.await.ok().filter(|o| o.sms).map(|_| view! {
                                        <fieldset class="plain">
                                            <legend>"Send the link"</legend>
                                            <div class="field checkbox">
                                                <input id="channel-email" type="radio" name="channel" value="email" checked />
                                                <label for="channel-email">"By email"</label>
                                            </div>
                                            <div class="field checkbox">
                                                <input id="channel-sms" type="radio" name="channel" value="sms" />
                                                <label for="channel-sms">"By text message to my recovery phone"</label>
                                            </div>
                                            <p class="hint">"When one of your organizations forbids password reset by SMS, the link goes to your recovery email instead."</p>
                                        </fieldset>
                                    })
                                })}
                            </Transition>
                            <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                                "Send me a link"
                            </button>
                        </ServerForm>
                        <p class="auth-switch"><a href="/login">"Back to sign-in"</a></p>
                    }.into_any(),
                }}
            </div>
        </main>
    }
}

/// Opened from a reset link: the token is in the address; nothing is spent until the new
/// password is submitted.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = FormAction::<ResetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let done = Memo::new(move |_| matches!(action.value().get(), Some(Ok(()))));
    view! {
        <PageTitle text="Choose a new password" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Choose a new password"</h1>
                {move || match done.get() {
                    true => view! {
                        <p role="status" data-testid="password-reset">
                            "Your password is changed, and every session of your account has been signed out. Sign in with your new password."
                        </p>
                        <a class="button primary wide" href="/login">"Sign in"</a>
                    }.into_any(),
                    false => view! {
                        <ServerForm action>
                            <FormError error />
                            <input type="hidden" name="token" value=token.get_untracked() />
                            <div class="field">
                                <label for="reset-new-password">"New password"</label>
                                <input id="reset-new-password" name="new_password" type="password" autocomplete="new-password" required
                                    minlength=PASSWORD_MIN_CHARS.to_string() maxlength=PASSWORD_MAX_CHARS.to_string()
                                    aria-describedby="reset-password-hint reset-new-password-error" aria-invalid=invalid(error, "new_password") />
                                <p class="hint" id="reset-password-hint">
                                    {format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters, not a commonly used password.")}
                                </p>
                                <FieldError error field="new_password" input="reset-new-password" />
                            </div>
                            <div class="field">
                                <label for="reset-confirm-password">"New password again"</label>
                                <input id="reset-confirm-password" name="confirm_password" type="password" autocomplete="new-password" required
                                    aria-describedby="reset-confirm-password-error" aria-invalid=invalid(error, "confirm_password") />
                                <FieldError error field="confirm_password" input="reset-confirm-password" />
                            </div>
                            <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                                "Set my new password"
                            </button>
                        </ServerForm>
                        <p class="auth-switch"><a href="/forgot-password">"Ask for a new link"</a></p>
                    }.into_any(),
                }}
            </div>
        </main>
    }
}

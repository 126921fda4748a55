//! Sign-in, sign-up and profile pages.

use super::api::{my_account, SignIn, SignUp};
use super::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The page to go to after signing in, from `?next=` (checked again by the server).
pub fn next_from_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("next").unwrap_or_default())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = next_from_query();
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = action.value().get() {
            crate::load_page(&signed_in.redirect);
        }
    });
    view! {
        <Title text="Sign in" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Sign in"</h1>
                <ActionForm action>
                    <FormError error />
                    <input type="hidden" name="next" prop:value=move || next.get() />
                    <div class="field">
                        <label for="email">"Email address"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" aria-describedby="email-error" aria-invalid=invalid(error, "email") />
                        <FieldError error field="email" />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-error" aria-invalid=invalid(error, "password") />
                        <FieldError error field="password" />
                    </div>
                    <div class="field checkbox">
                        <input id="remember" name="remember" type="checkbox" value="on" />
                        <label for="remember">"Keep me signed in"</label>
                    </div>
                    <p class="hint">"Leave this unticked on a shared computer: you will be asked to sign in each time the browser is opened."</p>
                    <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="auth-switch">"New to Steward? " <a href="/signup">"Create an account"</a></p>
            </div>
        </main>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = action.value().get() {
            crate::load_page(&signed_in.redirect);
        }
    });
    view! {
        <Title text="Create an account" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Create an account"</h1>
                <p class="muted">"An organization in your name is created with it; you are its legal representative."</p>
                <ActionForm action>
                    <FormError error />
                    <div class="field-row">
                        <div class="field">
                            <label for="first_name">"First name"</label>
                            <input id="first_name" name="first_name" autocomplete="given-name" required maxlength="100" aria-describedby="first_name-error" aria-invalid=invalid(error, "first_name") />
                            <FieldError error field="first_name" />
                        </div>
                        <div class="field">
                            <label for="last_name">"Last name"</label>
                            <input id="last_name" name="last_name" autocomplete="family-name" required maxlength="100" aria-describedby="last_name-error" aria-invalid=invalid(error, "last_name") />
                            <FieldError error field="last_name" />
                        </div>
                    </div>
                    <div class="field">
                        <label for="email">"Email address"</label>
                        <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" aria-describedby="email-error" aria-invalid=invalid(error, "email") />
                        <FieldError error field="email" />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="new-password"
                            required
                            minlength=PASSWORD_MIN_CHARS.to_string()
                            maxlength=PASSWORD_MAX_CHARS.to_string()
                            aria-describedby="password-hint password-error" aria-invalid=invalid(error, "password")
                        />
                        <p class="hint" id="password-hint">
                            {format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters. A long phrase is easier to remember and harder to guess.")}
                        </p>
                        <FieldError error field="password" />
                    </div>
                    <div class="field checkbox">
                        <input id="remember" name="remember" type="checkbox" value="on" />
                        <label for="remember">"Keep me signed in"</label>
                    </div>
                    <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Creating…" } else { "Create my account" }}
                    </button>
                </ActionForm>
                <p class="auth-switch">"Already have an account? " <a href="/login">"Sign in"</a></p>
            </div>
        </main>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let account = Resource::new(|| (), |_| my_account());
    view! {
        <Title text="My profile" />
        <h1>"My profile"</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(account) => view! {
                        <section class="panel profile">
                            <span class="avatar large" aria-hidden="true">{account.initials()}</span>
                            <dl class="facts">
                                <dt>"Name"</dt>
                                <dd data-testid="profile-name">{account.full_name()}</dd>
                                <dt>"Login email"</dt>
                                <dd>{account.email.clone()}</dd>
                                <dt>"Member since"</dt>
                                <dd>{format::date(account.created_at)}</dd>
                            </dl>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

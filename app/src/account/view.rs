//! Sign-in, sign-up and profile pages.

use super::api::{my_account, ConfirmSignUp, ResendSignUpCode, SignUp};
use super::changes::{
    confirm_email_change, my_contacts, ChangePassword, RequestEmailChange, SetRecoveryContacts,
};
use super::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading, PasswordAgain};
use crate::error::AppError;
use crate::format;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page to go to after signing in, from `?next=` (checked again by the server).
pub fn next_from_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("next").unwrap_or_default())
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = FormAction::<SignUp>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // The address the code went to while the code step shows; back to `None` when the person
    // changes the address. The form stays in the page, hidden, so that it still holds what was
    // typed; the code step is built afresh each time, its inputs its own.
    let waiting = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(started)) = action.value().get() {
            waiting.set(Some(started.email));
        }
    });
    view! {
        <PageTitle text="Create an account" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <div hidden=move || waiting.with(Option::is_some)>
                    <SignUpForm action error />
                </div>
                {move || waiting.get().map(|email| view! {
                    <ConfirmWithCode email change=move || {
                        action.value().set(None);
                        waiting.set(None);
                    } />
                })}
            </div>
        </main>
    }
}

/// After sign-up: the code from the email (or its link) creates the account.
#[component]
fn ConfirmWithCode(
    email: String,
    change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let confirm = FormAction::<ConfirmSignUp>::new();
    let resend = FormAction::<ResendSignUpCode>::new();
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let resent = Signal::derive(move || resend.value().get().and_then(Result::ok));
    let resend_error = Signal::derive(move || resend.value().get().and_then(Result::err));
    let (shown, kept) = (email.clone(), email.clone());
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = confirm.value().get() {
            crate::components::load_page(&signed_in.redirect);
        }
    });
    view! {
        <h1>"Check your inbox"</h1>
        <p role="status" data-testid="sign-up-started">
            "We have sent a message to " <strong class="address">{shown}</strong>
            ". Enter the 6-digit code it contains, or open its link. Nothing is created until then."
        </p>
        <ServerForm action=confirm>
            <FormError error />
            <input type="hidden" name="email" value=kept />
            <div class="field">
                <label for="sign-up-code">"Code from the email"</label>
                <input id="sign-up-code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="9"
                    value="" aria-describedby="sign-up-code-hint sign-up-code-error" aria-invalid=invalid(error, "code") />
                <p class="hint" id="sign-up-code-hint">"Six digits, like 123 456."</p>
                <FieldError error field="code" input="sign-up-code" />
            </div>
            <button class="button primary wide" type="submit" disabled=move || confirm.pending().get()>
                "Confirm and create my account"
            </button>
        </ServerForm>
        <div class="auth-aside">
            <p class="hint">"No message after a few minutes? Look in the spam folder, or ask for a new code."</p>
            <ServerForm action=resend attr:class="inline-form">
                <input type="hidden" name="email" value=email />
                <button class="button secondary small" type="submit" disabled=move || resend.pending().get()>
                    "Send the code again"
                </button>
            </ServerForm>
            " "
            <button class="button secondary small" type="button" on:click=move |_| change()>
                "Change the address"
            </button>
            {move || resent.get().map(|started| view! {
                <p class="notice" role="status" data-testid="code-resent">
                    {format!("A new code is on its way to {}. The newest email's code works, and so do the earlier ones.", started.email)}
                </p>
            })}
            <FormError error=resend_error />
        </div>
    }
}

/// Opened from the confirmation email's link. Confirming is a button (POST), so a mail scanner
/// that merely fetches the link cannot spend it.
#[component]
pub fn ConfirmSignUpPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let confirm = FormAction::<ConfirmSignUp>::new();
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = confirm.value().get() {
            crate::components::load_page(&signed_in.redirect);
        }
    });
    view! {
        <PageTitle text="Confirm my email address" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Confirm my email address"</h1>
                <ServerForm action=confirm>
                    <FormError error />
                    <input type="hidden" name="token" value=token.get_untracked() />
                    <p>"To finish creating your Steward account, enter the password you chose when signing up. (If you did not sign up, close this page: nothing is created.)"</p>
                    <div class="field">
                        <label for="confirm-password">"Your password"</label>
                        <input id="confirm-password" name="password" type="password" autocomplete="current-password" required
                            aria-describedby="confirm-password-error" aria-invalid=invalid(error, "password") />
                        <FieldError error field="password" input="confirm-password" />
                    </div>
                    <button class="button primary wide" type="submit" disabled=move || confirm.pending().get()>
                        "Confirm and create my account"
                    </button>
                </ServerForm>
                <p class="auth-switch"><a href="/signup">"Sign up again"</a></p>
            </div>
        </main>
    }
}

#[component]
fn SignUpForm(action: FormAction<SignUp>, error: Signal<Option<AppError>>) -> impl IntoView {
    let for_company = RwSignal::new(false);
    view! {
                <h1>"Create an account"</h1>
                // Sent here by the order page's cart.
                {move || use_query_map().read().get("order").is_some().then(|| view! {
                    <p class="notice" data-testid="cart-waits">"Your cart waits: once you confirm your address, it is in your new organization's shop, ready to order."</p>
                })}
                <p class="muted">"An organization is created with it, and you are its legal representative: it holds your products, your invoices and the people you invite."</p>
                <ServerForm action>
                    <FormError error />
                    <fieldset class="plain">
                        <legend>"Who is the organization for?"</legend>
                        <div class="field checkbox">
                            <input id="for-me" name="organization_for" type="radio" value="me" checked=true
                                on:change=move |_| for_company.set(false) />
                            <label for="for-me">"For me: it takes my name"</label>
                        </div>
                        <div class="field checkbox">
                            <input id="for-company" name="organization_for" type="radio" value="company"
                                on:change=move |_| for_company.set(true) />
                            <label for="for-company">"For a company or an association"</label>
                        </div>
                    </fieldset>
                    <div class="field" hidden=move || !for_company.get()>
                        <label for="company">"Company or association name"</label>
                        <input id="company" name="company" autocomplete="organization" maxlength="100"
                            required=move || for_company.get() disabled=move || !for_company.get()
                            aria-describedby="company-error" aria-invalid=invalid(error, "company") />
                        <FieldError error field="company" input="company" />
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
                        <label for="email">"Email address"</label>
                        <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" aria-describedby="email-error" aria-invalid=invalid(error, "email") />
                        <FieldError error field="email" input="email" />
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
                        <FieldError error field="password" input="password" />
                    </div>
                    <div class="field checkbox">
                        <input id="remember" name="remember" type="checkbox" value="on" />
                        <label for="remember">"Keep me signed in"</label>
                    </div>
                    <button class="button primary wide" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Creating…" } else { "Create my account" }}
                    </button>
                </ServerForm>
                <p class="auth-switch">"Already have an account? " <a href="/login">"Sign in"</a></p>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let account_version = RwSignal::new(0u32);
    // Kept here, above the panels that are drawn afresh when the account is read again.
    let avatar_outcome = RwSignal::new(None::<Result<Option<String>, crate::error::AppError>>);
    let account = resource(move || account_version.get(), |_| my_account());
    let organization_id = crate::components::use_organization_id();
    view! {
        <PageTitle text="My profile" />
        <h1>"My profile"</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(account) => view! {
                        <section class="panel profile">
                            <Avatar account=account.clone() large=true />
                            <dl class="facts">
                                <dt>"Name"</dt>
                                <dd data-testid="profile-name">{account.full_name()}</dd>
                                <dt>"Login identifier"</dt>
                                <dd>{account.email.clone()}</dd>
                                <dt>"Member since"</dt>
                                <dd>{format::date(account.created_at)}</dd>
                            </dl>
                        </section>
                        <section class="panel" aria-labelledby="identifiers-heading">
                            <h2 id="identifiers-heading">"Your login identifier and your email addresses"</h2>
                            <p class="muted" data-testid="identifiers-note">{super::IDENTIFIERS_NOTE}</p>
                            <p><a href=format!("/o/{}/mail", organization_id.get_untracked())>"My mail addresses"</a>" — the addresses you use and their devices."</p>
                        </section>
                        <NamePanel account=account.clone() changed=move || account_version.update(|v| *v += 1) />
                        <AvatarPanel account outcome=avatar_outcome changed=move || account_version.update(|v| *v += 1) />
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
        <TimeZonePanel />
        <PasswordPanel />
        <LoginEmailPanel />
        <RecoveryPanel />
        <DeleteAccountPanel />
    }
}

/// My picture, or my initials when I have none.
#[component]
pub fn Avatar(account: crate::access::Account, #[prop(optional)] large: bool) -> impl IntoView {
    let class = if large { "avatar large" } else { "avatar" };
    match account.avatar_url() {
        Some(url) => view! { <img class=class src=url alt="" width="256" height="256" data-testid="avatar-image" /> }.into_any(),
        None => view! { <span class=class aria-hidden="true">{account.initials()}</span> }.into_any(),
    }
}

/// First and last name (ACC-3).
#[component]
fn NamePanel(
    account: crate::access::Account,
    changed: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    use super::profile::ChangeMyName;
    let change = FormAction::<ChangeMyName>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            changed();
        }
    });
    view! {
        <section class="panel" aria-labelledby="name-heading">
            <h2 id="name-heading">"Name"</h2>
            <ServerForm action=change>
                <input type="hidden" name="version" value=account.version />
                <FormError error />
                <div class="field-row">
                    <div class="field">
                        <label for="profile-first-name">"First name"</label>
                        <input id="profile-first-name" name="first_name" value=account.first_name.clone() autocomplete="given-name" required maxlength="100" aria-describedby="profile-first-name-error" aria-invalid=invalid(error, "first_name") />
                        <FieldError error field="first_name" input="profile-first-name" />
                    </div>
                    <div class="field">
                        <label for="profile-last-name">"Last name"</label>
                        <input id="profile-last-name" name="last_name" value=account.last_name.clone() autocomplete="family-name" required maxlength="100" aria-describedby="profile-last-name-error" aria-invalid=invalid(error, "last_name") />
                        <FieldError error field="last_name" input="profile-last-name" />
                    </div>
                </div>
                <button class="button primary" type="submit" disabled=move || change.pending().get()>"Save my name"</button>
            </ServerForm>
        </section>
    }
}

/// The time zone of every time I am shown: my browser's unless I choose one.
#[component]
fn TimeZonePanel() -> impl IntoView {
    use super::profile::{my_time_zone, SetMyTimeZone};
    let save = FormAction::<SetMyTimeZone>::new();
    let choice = resource(|| (), |_| my_time_zone());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    // Every time on every page changes: the page is read again from the server.
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    view! {
        <section class="panel" aria-labelledby="time-zone-heading">
            <h2 id="time-zone-heading">"Time zone"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match choice.await {
                        Ok(choice) => {
                            let browser = match &choice.browser {
                                Some(zone) => format!("My browser's ({zone})"),
                                None => "My browser's".to_owned(),
                            };
                            let chosen = choice.chosen.clone();
                            view! {
                                <p class="muted" data-testid="time-zone-now">
                                    "Times are shown in " {choice.in_use.clone()} ": it is " {choice.now.clone()} " now. Emails name their time zone."
                                </p>
                                <ServerForm action=save>
                                    <FormError error />
                                    <div class="field">
                                        <label for="profile-time-zone">"Show times in"</label>
                                        <select id="profile-time-zone" name="time_zone" aria-describedby="profile-time-zone-error" aria-invalid=invalid(error, "time_zone")>
                                            <option value="" selected=chosen.is_empty()>{browser}</option>
                                            {choice.names.into_iter().map(|name| {
                                                let selected = name == chosen;
                                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                        <FieldError error field="time_zone" input="profile-time-zone" />
                                    </div>
                                    <button class="button primary" type="submit" disabled=move || save.pending().get()>"Save the time zone"</button>
                                </ServerForm>
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

/// The profile picture (ACC-3): PNG, JPEG or WebP up to 5 MB; the server keeps a 256×256 copy.
#[component]
fn AvatarPanel(
    account: crate::access::Account,
    /// Ok(warning) after an upload; the refusal otherwise.
    outcome: RwSignal<Option<Result<Option<String>, crate::error::AppError>>>,
    changed: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    use super::profile::{RemoveMyAvatar, AVATAR_SHARP_MIN};
    let remove = FormAction::<RemoveMyAvatar>::new();
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            outcome.set(None);
            changed();
        }
    });
    let upload = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use super::profile::{send_avatar, AVATAR_MAX_BYTES};
            let file = input.get().and_then(|i| i.files()).and_then(|f| f.get(0));
            let Some(file) = file else {
                outcome.set(Some(Err(crate::error::AppError::validation(
                    "avatar",
                    "Choose a picture first.",
                ))));
                return;
            };
            if file.size() > AVATAR_MAX_BYTES as f64 {
                outcome.set(Some(Err(crate::error::AppError::validation(
                    "avatar",
                    "The picture is larger than 5 MB. Choose a smaller file.",
                ))));
                return;
            }
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = send_avatar(file).await;
                busy.set(false);
                let saved = result.is_ok();
                outcome.set(Some(result.map(|s| s.warning)));
                if saved {
                    changed();
                }
            });
        }
    };
    let has_avatar = account.avatar_version.is_some();
    let error_text = move || outcome.get().and_then(Result::err).map(|e| e.message);
    view! {
        <section class="panel" aria-labelledby="avatar-heading">
            <h2 id="avatar-heading">"Profile picture"</h2>
            <p class="muted">{format!("PNG, JPEG or WebP, up to 5 MB. It is cropped to a square; at least {AVATAR_SHARP_MIN}×{AVATAR_SHARP_MIN} pixels looks sharp. Without one, your initials are shown.")}</p>
            {move || outcome.get().and_then(Result::ok).map(|warning| match warning {
                Some(w) => view! { <p class="notice notice-warning" role="status" data-testid="avatar-warning">{format!("Saved. {w}")}</p> }.into_any(),
                None => view! { <p class="notice" role="status" data-testid="avatar-saved">"Your new picture is saved."</p> }.into_any(),
            })}
            <div class="field">
                <label for="avatar-file">"Picture file"</label>
                <input id="avatar-file" type="file" accept="image/png,image/jpeg,image/webp" node_ref=input
                    aria-describedby="avatar-error" aria-invalid=move || error_text().map(|_| "true") />
                <p class="field-error" id="avatar-error" aria-live="polite">{error_text}</p>
            </div>
            <div class="button-row">
                <button class="button primary" type="button" disabled=move || busy.get() on:click=upload>
                    {move || if busy.get() { "Uploading…" } else { "Upload the picture" }}
                </button>
                {has_avatar.then(|| view! {
                    <ServerForm action=remove attr:class="inline-form">
                        <button class="button" type="submit">"Remove the picture"</button>
                    </ServerForm>
                })}
            </div>
        </section>
    }
}

/// "Delete my account" (ACC-5): what stands in the way, or the password one last time.
#[component]
fn DeleteAccountPanel() -> impl IntoView {
    use super::deletion::{account_deletion_check, DeleteMyAccount};
    let delete = FormAction::<DeleteMyAccount>::new();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let check = resource(move || delete.version().get(), |_| account_deletion_check());
    Effect::new(move |_| {
        if let Some(Ok(next)) = delete.value().get() {
            crate::components::load_page(&next);
        }
    });
    view! {
        <section class="panel" aria-labelledby="delete-account-heading">
            <h2 id="delete-account-heading">"Delete my account"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(reasons) if !reasons.is_empty() => view! {
                            <p>"Your account cannot be deleted yet:"</p>
                            <ul class="plain-list" data-testid="account-deletion-blocked">
                                {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Ok(_) => view! {
                            <details class="disclosure">
                                <summary>"Delete my account…"</summary>
                                <p class="hint">"Your sessions, passwords, two-factor methods, application passwords and API tokens are deleted, and you leave all your organizations. Their products and activity logs stay. This cannot be undone."</p>
                                <ServerForm action=delete>
                                    <FormError error />
                                    <crate::components::PasswordAgain id="delete-account-password" error=error />
                                    <div class="field checkbox">
                                        <input id="delete-account-understood" name="understood" type="checkbox" value="on" aria-describedby="delete-account-understood-error" aria-invalid=invalid(error, "understood") />
                                        <label for="delete-account-understood">"I understand that my account is deleted for good."</label>
                                    </div>
                                    <FieldError error field="understood" input="delete-account-understood" />
                                    <button class="button danger" type="submit" disabled=move || delete.pending().get()>"Delete my account"</button>
                                </ServerForm>
                            </details>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The three password fields; used by the profile page and the compromised-password wizard.
#[component]
pub fn PasswordFields(
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="current_password">"Current password"</label>
            <input id="current_password" name="current_password" type="password" autocomplete="current-password" required aria-describedby="current_password-error" aria-invalid=invalid(error, "current_password") />
            <FieldError error field="current_password" input="current_password" />
        </div>
        <div class="field">
            <label for="new_password">"New password"</label>
            <input id="new_password" name="new_password" type="password" autocomplete="new-password" required
                minlength=PASSWORD_MIN_CHARS.to_string() maxlength=PASSWORD_MAX_CHARS.to_string()
                aria-describedby="new-password-hint new_password-error" aria-invalid=invalid(error, "new_password") />
            <p class="hint" id="new-password-hint">{format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters, not a commonly used password.")}</p>
            <FieldError error field="new_password" input="new_password" />
        </div>
        <div class="field">
            <label for="confirm_password">"New password again"</label>
            <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required aria-describedby="confirm_password-error" aria-invalid=invalid(error, "confirm_password") />
            <FieldError error field="confirm_password" input="confirm_password" />
        </div>
    }
}

#[component]
fn PasswordPanel() -> impl IntoView {
    let change = FormAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            {move || change.value().get().and_then(Result::ok).map(|done| view! {
                <p class="notice" role="status">
                    {format!(
                        "Your password is changed. {} other session(s) were signed out{}.",
                        done.other_sessions_ended,
                        if done.app_passwords_revoked > 0 { format!(" and {} application password(s) revoked", done.app_passwords_revoked) } else { String::new() }
                    )}
                </p>
            })}
            <ServerForm action=change>
                <FormError error />
                <PasswordFields error />
                <div class="field checkbox">
                    <input id="revoke_app_passwords" name="revoke_app_passwords" type="checkbox" value="on" />
                    <label for="revoke_app_passwords">"Also revoke my application passwords"</label>
                </div>
                <p class="hint">"Changing your password signs out every other browser. Programs using application passwords keep working unless you tick the box; API tokens are managed on the Security page."</p>
                <button class="button primary" type="submit" disabled=move || change.pending().get()>"Change my password"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn LoginEmailPanel() -> impl IntoView {
    let request = FormAction::<RequestEmailChange>::new();
    let contacts = resource(move || request.version().get(), |_| my_contacts());
    let error = Signal::derive(move || request.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="login-email-heading">
            <h2 id="login-email-heading">"Login email"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    contacts.await.ok().map(|c| view! {
                        <p>"You sign in with " <strong>{c.email.clone()}</strong> "."</p>
                        {c.pending_email.map(|p| view! { <p class="notice" role="status" data-testid="pending-email">{format!("Waiting for confirmation: open the link we sent to {p}.")}</p> })}
                    })
                })}
            </Transition>
            <ServerForm action=request>
                <FormError error />
                <div class="field">
                    <label for="new_email">"New login email"</label>
                    <input id="new_email" name="new_email" type="email" autocomplete="email" required maxlength="254" aria-describedby="new_email-error" aria-invalid=invalid(error, "new_email") />
                    <FieldError error field="new_email" input="new_email" />
                </div>
                <PasswordAgain id="email-change-password" error=error />
                <p class="hint">"We send a confirmation link to the new address and tell the current one."</p>
                <button class="button" type="submit" disabled=move || request.pending().get()>"Change my login email"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn RecoveryPanel() -> impl IntoView {
    let save = FormAction::<SetRecoveryContacts>::new();
    let contacts = resource(|| (), |_| my_contacts());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="recovery-heading">
            <h2 id="recovery-heading">"Recovery email and phone"</h2>
            <p class="muted">"Where to reach you if you lose access to your login email. Leave a field empty to remove it."</p>
            {move || save.value().get().and_then(Result::ok).map(|_| view! { <p class="notice" role="status">"Saved."</p> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let c = contacts.await.ok();
                    let email = c.as_ref().and_then(|c| c.recovery_email.clone()).unwrap_or_default();
                    let phone = c.as_ref().and_then(|c| c.recovery_phone.clone()).unwrap_or_default();
                    let version = c.as_ref().map_or(0, |c| c.version);
                    view! {
                        <ServerForm action=save>
                            // After a save, the next one starts from the version it made (a
                            // hidden input's value follows its attribute).
                            <input type="hidden" name="version" value=move || {
                                save.value().get().and_then(Result::ok).map_or(version, |c| c.version)
                            } />
                            <FormError error />
                            <div class="field">
                                <label for="recovery_email">"Recovery email"</label>
                                <input id="recovery_email" name="recovery_email" type="email" maxlength="254" value=email aria-describedby="recovery_email-error" aria-invalid=invalid(error, "recovery_email") />
                                <FieldError error field="recovery_email" input="recovery_email" />
                            </div>
                            <div class="field">
                                <label for="recovery_phone">"Recovery phone"</label>
                                <input id="recovery_phone" name="recovery_phone" type="tel" autocomplete="tel" maxlength="30" placeholder="+41 79 123 45 67" value=phone aria-describedby="recovery_phone-error" aria-invalid=invalid(error, "recovery_phone") />
                                <FieldError error field="recovery_phone" input="recovery_phone" />
                            </div>
                            <PasswordAgain id="recovery-password" error=error />
                            <button class="button" type="submit" disabled=move || save.pending().get()>"Save recovery contacts"</button>
                        </ServerForm>
                    }
                })}
            </Transition>
        </section>
    }
}

/// Opened from the link sent to a new login email.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let confirm = Action::new(|token: &String| {
        let token = token.clone();
        async move { confirm_email_change(token).await }
    });
    view! {
        <PageTitle text="Confirm my new login email" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <h1>"Confirm my new login email"</h1>
                {move || match confirm.value().get() {
                    Some(Ok(email)) => view! {
                        <p role="status" data-testid="email-confirmed">{format!("Done: you now sign in with {email}.")}</p>
                        <a class="button primary wide" href="/">"Go to Steward"</a>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert"><span>{e.message}</span></p> }.into_any(),
                    None => view! {
                        <button class="button primary wide" type="button" disabled=move || confirm.pending().get()
                            on:click=move |_| { confirm.dispatch(token.get()); }>
                            "Confirm my new login email"
                        </button>
                    }.into_any(),
                }}
            </div>
        </main>
    }
}

/// "Confirm it's you", beside a form whose server function asks for a recent confirmation
/// (`policy::ServerFunction::confirm`): shown when that form's last attempt was refused with
/// `confirmation_required`. The password goes to `confirm_identity`; the person then repeats
/// what they were doing. `input` is the id of its password field, unique on the page.
#[component]
pub fn ConfirmItsYou(
    #[prop(into)] error: Signal<Option<AppError>>,
    input: &'static str,
) -> impl IntoView {
    use crate::error::ErrorCode;
    let confirm = FormAction::<super::api::ConfirmIdentity>::new();
    let asked = move || {
        error
            .get()
            .is_some_and(|e| e.code == ErrorCode::ConfirmationRequired)
    };
    let failed = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let done = move || matches!(confirm.value().get(), Some(Ok(())));
    view! {
        <Show when=asked>
            <section class="reconfirm-box" aria-label="Confirm it's you">
                <h3>"Confirm it's you"</h3>
                {move || if done() {
                    view! { <p role="status">"Thank you. Now repeat what you were doing."</p> }.into_any()
                } else {
                    view! {
                        <ServerForm action=confirm>
                            <FormError error=failed />
                            <div class="field">
                                <label for=input>"Your password"</label>
                                <input id=input name="password" type="password" autocomplete="current-password" required
                                    aria-describedby=format!("{input}-error") aria-invalid=invalid(failed, "password") />
                                <FieldError error=failed field="password" input=input />
                            </div>
                            <button class="button" type="submit" disabled=move || confirm.pending().get()>"Confirm"</button>
                        </ServerForm>
                    }.into_any()
                }}
            </section>
        </Show>
    }
}

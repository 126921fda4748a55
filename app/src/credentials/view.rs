//! Application passwords and API tokens panels of the security page.

use super::api::{
    my_credentials, CreateApiToken, CreateAppPassword, RevokeApiToken, RevokeAppPassword,
};
use super::{NewSecret, MAX_EXPIRY_DAYS, NAME_MAX_CHARS};
use crate::account::view::ConfirmItsYou;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::format;
use leptos::prelude::*;

/// A secret shown once, right after it was created.
#[component]
fn ShownOnce(secret: NewSecret, what: &'static str) -> impl IntoView {
    view! {
        <div class="secret-box" role="status">
            <p>
                <strong>{format!("Your new {what} “{}”:", secret.name)}</strong>
                " Copy it now: it will not be shown again."
            </p>
            <p><code class="secret" data-testid="new-secret">{secret.secret}</code></p>
        </div>
    }
}

#[component]
pub fn CredentialsPanel() -> impl IntoView {
    let create_password = FormAction::<CreateAppPassword>::new();
    let revoke_password = FormAction::<RevokeAppPassword>::new();
    let create_token = FormAction::<CreateApiToken>::new();
    let revoke_token = FormAction::<RevokeApiToken>::new();
    let list = resource(
        move || {
            (
                create_password.version().get(),
                revoke_password.version().get(),
                create_token.version().get(),
                revoke_token.version().get(),
            )
        },
        |_| my_credentials(),
    );
    let password_error =
        Signal::derive(move || create_password.value().get().and_then(Result::err));
    let token_error = Signal::derive(move || create_token.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="app-passwords-heading">
            <h2 id="app-passwords-heading">"Application passwords"</h2>
            <p class="muted">"For programs that cannot ask for a second factor. Each one signs in as you (HTTP Basic: your login email and the application password), cannot change your security settings, and can be revoked on its own. Changing your password does not revoke them unless you ask."</p>
            {move || create_password.value().get().and_then(Result::ok).map(|s| view! { <ShownOnce secret=s what="application password" /> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(c) if c.app_passwords.is_empty() => view! { <p class="muted">"No application passwords."</p> }.into_any(),
                        Ok(c) => view! {
                            <ul class="session-list" data-testid="app-passwords">
                                {c.app_passwords.into_iter().map(|p| view! {
                                    <li class="session">
                                        <div>
                                            <strong>{p.name.clone()}</strong>
                                            <div class="muted">{format!("Created {} · last used {}", format::date(p.created_at), p.last_used_at.map(format::datetime).unwrap_or_else(|| "never".into()))}</div>
                                        </div>
                                        <ServerForm action=revoke_password attr:class="inline-form">
                                            <input type="hidden" name="id" value=p.id />
                                            <button class="button small danger" type="submit">"Revoke" <span class="visually-hidden">{format!(" {}", p.name)}</span></button>
                                        </ServerForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            <ConfirmItsYou error=password_error input="app-password-confirm" />
            <ServerForm action=create_password>
                <FormError error=password_error />
                <div class="field">
                    <label for="app-password-name">"Name of the program or device"</label>
                    <input id="app-password-name" name="name" required maxlength=NAME_MAX_CHARS.to_string() aria-describedby="app-password-name-error" aria-invalid=invalid(password_error, "name") />
                    <FieldError error=password_error field="name" input="app-password-name" />
                </div>
                <button class="button" type="submit" disabled=move || create_password.pending().get()>"Create an application password"</button>
            </ServerForm>
        </section>

        <section class="panel" aria-labelledby="api-tokens-heading">
            <h2 id="api-tokens-heading">"API tokens"</h2>
            <p class="muted">"For scripts calling Steward's API with " <code>"Authorization: Bearer …"</code> ". A read-only token can look but not change anything."</p>
            {move || create_token.value().get().and_then(Result::ok).map(|s| view! { <ShownOnce secret=s what="API token" /> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(c) if c.api_tokens.is_empty() => view! { <p class="muted">"No API tokens."</p> }.into_any(),
                        Ok(c) => view! {
                            <ul class="session-list" data-testid="api-tokens">
                                {c.api_tokens.into_iter().map(|t| view! {
                                    <li class="session">
                                        <div>
                                            <strong>{t.name.clone()}</strong> " " <span class="badge">{t.scope.label()}</span>
                                            <div class="muted">{format!(
                                                "Created {} · {} · last used {}",
                                                format::date(t.created_at),
                                                t.expires_at.map(|e| format!("expires {}", format::date(e))).unwrap_or_else(|| "never expires".into()),
                                                t.last_used_at.map(format::datetime).unwrap_or_else(|| "never".into())
                                            )}</div>
                                        </div>
                                        <ServerForm action=revoke_token attr:class="inline-form">
                                            <input type="hidden" name="id" value=t.id />
                                            <button class="button small danger" type="submit">"Revoke" <span class="visually-hidden">{format!(" {}", t.name)}</span></button>
                                        </ServerForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            <ConfirmItsYou error=token_error input="token-confirm" />
            <ServerForm action=create_token>
                <FormError error=token_error />
                <div class="field">
                    <label for="token-name">"Token name"</label>
                    <input id="token-name" name="name" required maxlength=NAME_MAX_CHARS.to_string() aria-describedby="token-name-error" aria-invalid=invalid(token_error, "name") />
                    <FieldError error=token_error field="name" input="token-name" />
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="token-scope">"Access"</label>
                        <select id="token-scope" name="scope">
                            <option value="read">"Read only"</option>
                            <option value="read_write">"Read and write"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="token-expiry">"Expires after (days, empty for never)"</label>
                        <input id="token-expiry" name="expires_in_days" type="number" min="1" max=MAX_EXPIRY_DAYS.to_string() inputmode="numeric" aria-describedby="token-expiry-error" aria-invalid=invalid(token_error, "expires_in_days") />
                        <FieldError error=token_error field="expires_in_days" input="token-expiry" />
                    </div>
                </div>
                <button class="button" type="submit" disabled=move || create_token.pending().get()>"Create an API token"</button>
            </ServerForm>
        </section>
    }
}

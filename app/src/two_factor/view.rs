//! The security page (two-factor methods, backup codes) and the second step of signing in.

use super::api::{
    two_factor_status, ConfirmTotpEnrolment, DisableTwoFactor, GenerateBackupCodes, RemoveMethod,
    SetDefaultMethod, StartTotpEnrolment,
};
use super::{BackupCodeSheet, Method, TotpEnrolment, METHOD_LABEL_MAX_CHARS};
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading, PasswordAgain};
use crate::format;
use leptos::prelude::*;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let start = FormAction::<StartTotpEnrolment>::new();
    let confirm = FormAction::<ConfirmTotpEnrolment>::new();
    let regenerate = FormAction::<GenerateBackupCodes>::new();
    let make_default = FormAction::<SetDefaultMethod>::new();
    let remove = FormAction::<RemoveMethod>::new();
    let disable = FormAction::<DisableTwoFactor>::new();
    let overview = resource(
        move || {
            (
                confirm.version().get(),
                regenerate.version().get(),
                make_default.version().get(),
                remove.version().get(),
                disable.version().get(),
            )
        },
        |_| two_factor_status(),
    );
    let organization = crate::components::use_organization_id();
    // Fresh backup codes are shown once, right after they were made.
    let sheet = RwSignal::new(None::<BackupCodeSheet>);
    let enrolment = RwSignal::new(None::<TotpEnrolment>);
    Effect::new(move |_| {
        if let Some(Ok(e)) = start.value().get() {
            enrolment.set(Some(e));
            sheet.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(s)) = confirm.value().get() {
            enrolment.set(None);
            sheet.set(Some(s));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(s)) = regenerate.value().get() {
            sheet.set(Some(s));
        }
    });

    view! {
        <PageTitle text="Security" />
        <h1>"Security"</h1>
        <p class="lead">"How you sign in, and what protects your account when your password is not enough."</p>
        <p class="compromised-link">
            <a class="button secondary" href=move || format!("/o/{}/security/compromised", organization.get())>"Compromised password?"</a>
        </p>
        {move || sheet.get().map(|s| view! { <BackupSheet sheet=s on_close=move || sheet.set(None) /> })}
        {move || enrolment.get().map(|e| view! { <EnrolmentPanel enrolment=e confirm on_cancel=move || enrolment.set(None) /> })}
        <section class="panel" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor authentication"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => {
                            let enabled = o.enabled();
                            view! {
                                <p data-testid="two-factor-status">
                                    {if enabled {
                                        view! { <span class="status status-on">"On"</span> " A code from your app is asked after your password." }.into_any()
                                    } else {
                                        view! { <span class="status status-off">"Off"</span> " Only your password protects your account." }.into_any()
                                    }}
                                </p>
                                {enabled.then(|| view! { <MethodTable methods=o.methods.clone() make_default remove /> })}
                                <ServerForm action=start>
                                    <button class="button" class:primary=!enabled type="submit" disabled=move || start.pending().get()>
                                        {if enabled { "Add another authenticator app" } else { "Set up an authenticator app" }}
                                    </button>
                                </ServerForm>
                                {move || start.value().get().and_then(Result::err).map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })}
                                {(!enabled).then(|| crate::two_factor::setup_reason(&o.required_by).map(|reason| view! {
                                    <p class="blocked-banner" role="status" data-testid="two-factor-required">{reason}</p>
                                }))}
                                {enabled.then(|| view! {
                                    <BackupCodesPanel remaining=o.backup_codes_remaining regenerate />
                                    <DisablePanel disable required=crate::two_factor::required_reason(&o.required_by) />
                                })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <crate::sessions::view::SessionsPanel />
        <crate::lockout::view::SafetyPanel />
        <crate::credentials::view::CredentialsPanel />
        <crate::sessions::view::ConnectionLogPanel />
    }
}

#[component]
fn MethodTable(
    methods: Vec<Method>,
    make_default: FormAction<SetDefaultMethod>,
    remove: FormAction<RemoveMethod>,
) -> impl IntoView {
    let removing = RwSignal::new(None::<(i64, String)>);
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            removing.set(None);
        }
    });
    let only_one = methods.len() == 1;
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Two-factor methods">
            <table data-testid="two-factor-methods">
                <caption class="visually-hidden">"Your two-factor methods"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col" class="optional-column">"Type"</th>
                        <th scope="col" class="optional-column">"Added"</th>
                        <th scope="col" class="optional-column">"Last used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {methods.into_iter().map(|m| {
                        let label = m.label.clone();
                        let default_label = format!(" ({})", m.label);
                        let id = m.id;
                        view! {
                            <tr>
                                <td data-label="Name">
                                    {m.label.clone()}
                                    {m.is_default.then(|| view! { " " <span class="badge">"Default"</span> })}
                                </td>
                                <td data-label="Type" class="optional-column">{m.kind.label()}</td>
                                <td data-label="Added" class="optional-column">{format::date(m.created_at)}</td>
                                <td data-label="Last used" class="optional-column">{m.last_used_at.map(format::datetime).unwrap_or_else(|| "Never".into())}</td>
                                <td data-label="Actions" class="actions">
                                    {(!m.is_default).then(|| view! {
                                        <ServerForm action=make_default attr:class="inline-form">
                                            <input type="hidden" name="method_id" value=id />
                                            <button class="button small secondary" type="submit">
                                                "Make default" <span class="visually-hidden">{default_label}</span>
                                            </button>
                                        </ServerForm>
                                    })}
                                    <button class="button small danger" on:click=move |_| removing.set(Some((id, label.clone())))>
                                        "Remove" <span class="visually-hidden">{format!(" {}", m.label)}</span>
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || removing.get().map(|(id, label)| view! {
            <div class="confirm-box" role="group" aria-labelledby="remove-heading">
                <h3 id="remove-heading">{format!("Remove “{label}”?")}</h3>
                {only_one.then(|| view! { <p>"It is your only method: removing it turns two-factor authentication off and voids your backup codes."</p> })}
                <ServerForm action=remove>
                    <FormError error=remove_error />
                    <input type="hidden" name="method_id" value=id />
                    <PasswordAgain id="remove-password" error=remove_error />
                    <div class="button-row">
                        <button class="button danger" type="submit" disabled=move || remove.pending().get()>"Remove"</button>
                        <button class="button secondary" type="button" on:click=move |_| removing.set(None)>"Keep it"</button>
                    </div>
                </ServerForm>
            </div>
        })}
    }
}

#[component]
fn EnrolmentPanel(
    enrolment: TotpEnrolment,
    confirm: FormAction<ConfirmTotpEnrolment>,
    on_cancel: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let size = enrolment.qr.size;
    let grouped: String = enrolment
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let secret_to_copy = enrolment.secret.clone();
    let copied = RwSignal::new(false);
    view! {
        <section class="panel enrolment" aria-labelledby="enrolment-heading">
            <h2 id="enrolment-heading">"Set up an authenticator app"</h2>
            <ol class="steps">
                <li>"Open an authenticator app on your phone (any app that supports TOTP codes)."</li>
                <li>"Scan this QR code, or type the key below."</li>
                <li>"Enter the 6-digit code the app shows."</li>
            </ol>
            <div class="enrolment-body">
                <svg class="qr" viewBox=format!("0 0 {size} {size}") width="200" height="200" role="img" aria-label="QR code to scan with your authenticator app" shape-rendering="crispEdges">
                    <rect width="100%" height="100%" fill="#fff" />
                    <path d=enrolment.qr.path.clone() fill="#000" />
                </svg>
                <div>
                    <p class="hint">"Key (if you cannot scan):"</p>
                    <p><code class="secret" data-testid="totp-secret" data-secret=enrolment.secret.clone()>{grouped}</code></p>
                    <p class="hint">"Time-based, 6 digits, every 30 seconds."</p>
                    // On the phone itself there is nothing to scan: the app opens from a link, or
                    // takes the key from the clipboard.
                    <p class="button-row">
                        <a class="button secondary small" href=enrolment.uri.clone() data-testid="otpauth-link">"Open in my authenticator app"</a>
                        <button class="button secondary small" type="button" on:click=move |_| {
                            copy_to_clipboard(&secret_to_copy);
                            copied.set(true);
                        }>{move || if copied.get() { "Key copied" } else { "Copy the key" }}</button>
                    </p>
                </div>
            </div>
            <ServerForm action=confirm>
                <FormError error />
                <div class="field">
                    <label for="totp-code">"Code from the app"</label>
                    <input id="totp-code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="9" aria-describedby="totp-code-error" aria-invalid=invalid(error, "code") />
                    <FieldError error field="code" input="totp-code" />
                </div>
                <div class="field">
                    <label for="method-label">"Name of this device (optional)"</label>
                    <input id="method-label" name="label" maxlength=METHOD_LABEL_MAX_CHARS.to_string() placeholder="My phone" aria-describedby="method-label-error" aria-invalid=invalid(error, "label") />
                    <FieldError error field="label" input="method-label" />
                </div>
                <div class="button-row">
                    <button class="button primary" type="submit" disabled=move || confirm.pending().get()>"Turn on two-factor authentication"</button>
                    <button class="button secondary" type="button" on:click=move |_| on_cancel()>"Cancel"</button>
                </div>
            </ServerForm>
        </section>
    }
}

#[component]
fn BackupSheet(
    sheet: BackupCodeSheet,
    on_close: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        format::percent_encode(&sheet.text())
    );
    view! {
        <section class="panel highlight" aria-labelledby="sheet-heading">
            <h2 id="sheet-heading">"Your backup codes"</h2>
            <p>"Each code signs you in once if you cannot use your app. They are shown only now: download or write them down and keep them somewhere safe."</p>
            <ul class="backup-codes" data-testid="backup-codes">
                {sheet.codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
            </ul>
            <div class="button-row">
                <a class="button primary" href=href download="steward-backup-codes.txt">"Download as .txt"</a>
                <button class="button secondary" type="button" on:click=move |_| on_close()>"I have saved them"</button>
            </div>
        </section>
    }
}

#[component]
fn BackupCodesPanel(remaining: i64, regenerate: FormAction<GenerateBackupCodes>) -> impl IntoView {
    let error = Signal::derive(move || regenerate.value().get().and_then(Result::err));
    view! {
        <h3>"Backup codes"</h3>
        <p data-testid="backup-codes-remaining">
            {format!("{remaining} of {} unused.", 10)}
            {(remaining <= 3).then(|| view! { " " <strong>"Generate new ones before you run out."</strong> })}
        </p>
        <details class="disclosure">
            <summary>"Generate new backup codes"</summary>
            <p class="hint">"The codes you have now stop working."</p>
            <ServerForm action=regenerate>
                <FormError error />
                <PasswordAgain id="regenerate-password" error=error />
                <button class="button" type="submit" disabled=move || regenerate.pending().get()>"Generate new codes"</button>
            </ServerForm>
        </details>
    }
}

#[component]
fn DisablePanel(disable: FormAction<DisableTwoFactor>, required: Option<String>) -> impl IntoView {
    let error = Signal::derive(move || disable.value().get().and_then(Result::err));
    if let Some(reason) = required {
        return view! {
            <h3>"Turn off two-factor authentication"</h3>
            <p class="hint" id="disable-reason">{reason}</p>
            <button class="button danger" type="button" disabled=true aria-describedby="disable-reason">"Turn off two-factor authentication"</button>
        }
        .into_any();
    }
    view! {
        <h3>"Turn off two-factor authentication"</h3>
        <details class="disclosure">
            <summary>"Turn off…"</summary>
            <p class="hint">"Your methods and backup codes are deleted; only your password will protect your account."</p>
            <ServerForm action=disable>
                <FormError error />
                <PasswordAgain id="disable-password" error=error />
                <button class="button danger" type="submit" disabled=move || disable.pending().get()>"Turn off two-factor authentication"</button>
            </ServerForm>
        </details>
    }
    .into_any()
}

/// Puts `text` on the clipboard (in the browser; nothing on the server).
fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // The promise settles by itself; a refusal leaves the key on screen to copy by hand.
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

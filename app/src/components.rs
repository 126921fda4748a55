//! Small pieces shared by every area's pages.

use crate::error::{AppError, ErrorCode};
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

/// A whole-page error: what went wrong and where to go from here.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let next = match error.code {
        ErrorCode::Unauthenticated => view! { <a class="button" href="/login">"Sign in"</a> }.into_any(),
        ErrorCode::NotFound | ErrorCode::Forbidden => {
            view! { <a class="button secondary" href="/">"Go to my organizations"</a> }.into_any()
        }
        _ => view! { <button class="button secondary" on:click=|_| reload_page()>"Try again"</button> }.into_any(),
    };
    view! {
        <section class="panel error-panel" role="alert">
            <h2>{heading(error.code)}</h2>
            <p>{error.message.clone()}</p>
            {next}
        </section>
    }
}

fn heading(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => "You are signed out",
        ErrorCode::NotFound => "Not available",
        ErrorCode::Forbidden => "Not allowed",
        ErrorCode::TwoFactorRequired => "Two-factor authentication required",
        ErrorCode::Busy => "Busy",
        ErrorCode::Unavailable => "Temporarily unavailable",
        _ => "Something went wrong",
    }
}

/// The page's `<title>`. Every page sets its title through this component, never through
/// `leptos_meta::Title` directly: the server writes the title into the document head as raw
/// text (leptos_meta does not escape it), so here it is escaped first. In the browser the text
/// goes to `document.title`, which is never parsed as HTML, and stays as typed.
#[component]
pub fn PageTitle(#[prop(into)] text: TextProp) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let text = TextProp::from(move || crate::format::escape_html(&text.get()));
    view! { <leptos_meta::Title text=text /> }
}

/// The message of the last failed submission that belongs to no particular field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || error.get().filter(|e| e.field.is_none()).map(|e| e.message);
    view! {
        <div class="form-error" role="alert" aria-live="assertive">
            {move || message().map(|m| view! { <p>{m}</p> })}
        </div>
    }
}

/// The message of the last failed submission for `field`, shown under that field. Its element
/// id is `{input}-error`, after the id of the input it describes (the input names it in its
/// `aria-describedby`): ids of inputs are unique on a page, so several forms with the same
/// field names never point at each other's messages.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    /// The id of the input this message describes.
    input: &'static str,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.for_field(field));
    view! {
        <p class="field-error" id=format!("{input}-error") aria-live="polite">
            {message}
        </p>
    }
}

/// `aria-invalid` for an input: "true" while the last submission failed on `field`.
pub fn invalid(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Send + Sync + Copy {
    move || error.get().and_then(|e| e.for_field(field)).map(|_| "true")
}

/// "Your password", asked once more before a sensitive change; errors for `password` show here.
#[component]
pub fn PasswordAgain(
    /// The input's id (unique on the page).
    id: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Your password"</label>
            <input id=id name="password" type="password" autocomplete="current-password" required aria-describedby=format!("{id}-error") aria-invalid=invalid(error, "password") />
            <FieldError error field="password" input=id />
        </div>
    }
}

/// The organization named by the URL. Pages read it instead of parsing the URL themselves.
#[derive(Clone, Copy)]
pub struct CurrentOrganization(pub Memo<i64>);

/// Bumped by a page that changed what the frame shows (the cart's count in the top bar): the
/// frame reads its data again.
#[derive(Clone, Copy)]
pub struct FrameChanged(pub RwSignal<u32>);

/// Tells the frame to read its data again.
pub fn frame_changed() {
    if let Some(FrameChanged(version)) = use_context::<FrameChanged>() {
        version.update(|v| *v += 1);
    }
}

/// The cart, in the top bar and the shop.
pub const CART_ICON: &str =
    "M3 4h2l2.4 10.4a1 1 0 0 0 1 .8h8.9a1 1 0 0 0 1-.8L20 8H6.2M9 20h.01M17 20h.01";

pub fn use_organization_id() -> Memo<i64> {
    use_context::<CurrentOrganization>()
        .map(|c| c.0)
        .unwrap_or_else(|| Memo::new(|_| 0))
}

/// Leaves the single-page app and loads `url` afresh: used after signing in or out, so that
/// everything on screen is rendered for the new session.
pub fn load_page(url: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().assign(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// Loads the current page again from the server.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().reload();
    }
}

/// What a setting saved the moment it changes says beside it: "Saving…", "Saved", or why not.
pub fn save_status(pending: bool, outcome: Option<Result<(), AppError>>) -> String {
    if pending {
        return "Saving…".to_owned();
    }
    match outcome {
        Some(Ok(())) => "Saved".to_owned(),
        Some(Err(error)) => error.message,
        None => String::new(),
    }
}

/// A line icon of Steward's one set: a 24 × 24 path drawn with the text's colour, decorative.
#[component]
pub fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}

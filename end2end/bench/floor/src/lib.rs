//! See Cargo.toml: a measuring stick, not part of Steward.
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(not(feature = "form"))]
#[component]
fn App() -> impl IntoView {
    let (count, set_count) = signal(0);
    view! {
        <main>
            <button on:click=move |_| set_count.update(|n| *n += 1)>"Clicked " {count} " times"</button>
        </main>
    }
}

#[cfg(feature = "form")]
#[server]
pub async fn sign_in(email: String, password: String) -> Result<String, ServerFnError> {
    Ok(format!("{email} {}", password.len()))
}

#[cfg(feature = "form")]
#[component]
fn App() -> impl IntoView {
    use leptos_router::components::{Route, Router, Routes};
    use leptos_router::path;
    view! {
        <Router>
            <main>
                <Routes fallback=|| "Not found">
                    <Route path=path!("/login") view=SignInPage />
                </Routes>
            </main>
        </Router>
    }
}

#[cfg(feature = "form")]
#[component]
fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let answer = move || {
        action.value().get().map(|result| match result {
            Ok(text) => view! { <p>{text}</p> }.into_any(),
            Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <h1>"Sign in"</h1>
        <ActionForm action>
            <label>"Email" <input type="email" name="email" required /></label>
            <label>"Password" <input type="password" name="password" required /></label>
            <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
        </ActionForm>
        {answer}
    }
}

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}

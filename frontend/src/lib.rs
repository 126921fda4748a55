//! The browser entry point: hydrates the server-rendered page.
//!
//! Pages are split into lazily loaded WASM pieces (see `app::routes`), so hydration waits for
//! the current page's piece to arrive before it walks the server's HTML.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        else {
            return;
        };
        let owner = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        owner.forget();
        // A marker for people and tests: the page is interactive from here on.
        let _ = body.set_attribute("data-hydrated", "true");
        // The next page the server renders uses this browser's time zone (unless the person
        // chose one in their profile).
        app::format::remember_browser_zone();
    });
}

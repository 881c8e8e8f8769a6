//! fluxplay's shared crate: the catalog and the generic form, validation,
//! request and snippet code, plus the Leptos UI. Compiled natively for the
//! server (`ssr`) and to wasm for the browser (`hydrate`); FLUX 3's box editor is
//! a second, smaller wasm (`boxes`), fetched only where it is shown.
//!
//! The UI is one page, so there is no router: it would cost the wasm budget
//! more than it gives.

#[cfg(all(feature = "boxes", feature = "hydrate"))]
compile_error!("`boxes` builds the box editor's own wasm; the page's (`hydrate`) only loads it");

pub mod api;
pub mod backend;
/// FLUX 3's box editor: a wasm of its own (see the module), tested natively.
#[cfg(any(feature = "boxes", test))]
pub mod box_editor;
pub mod browser;
pub mod catalog;
pub mod components;
pub mod cost;
pub mod defaults;
pub mod form;
#[cfg(feature = "hydrate")]
mod js_json;
#[cfg(any(feature = "boxes", test))]
pub mod layout;
pub mod number;
pub mod pixels;
pub mod renumber;
pub mod request;
pub mod routes;
pub mod share;
pub mod snippet;
pub mod unreadable;
pub mod valid;
pub mod validate;
pub mod wire;

use leptos::prelude::*;

/// Where the server mounts the page it renders: the base path it serves under, and
/// whether this is the embed view (`/embed`, framed by a docs page). Only the document
/// around the app differs; the wasm's own addresses are relative, so it needs neither.
#[derive(Debug, Clone, Default)]
pub struct Mount {
    pub base: String,
    pub embed: bool,
}

/// The HTML document; rendered on the server only (hydration starts at `<body>`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let Mount { base, embed } = use_context::<Mount>().unwrap_or_default();
    let css = format!("{base}/{}/{}.css", options.site_pkg_dir, options.output_name);
    // A run still going, on a page without script: the page refreshes until it ends.
    let status = backend::current();
    let refresh = status.running.is_some();
    let title = status.title.unwrap_or_else(|| "fluxplay · FLUX API playground".to_owned());
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <title>{title}</title>
                <link rel="stylesheet" href=css/>
                <link rel="icon" href=format!("{base}/favicon.svg") type="image/svg+xml"/>
                // In a docs page's frame, links open outside it; the frame's height goes to the page.
                {embed.then(|| view! { <base target="_blank"/> <script src=format!("{base}/embed.js") defer></script> })}
                {refresh.then(|| view! { <noscript><meta http-equiv="refresh" content="2"/></noscript> })}
                <script type="application/json" id=backend::ELEMENT_ID inner_html=backend::script_json()></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options root=base/>
            </head>
            <body class=embed.then_some("embed")>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(backend::current());
    view! { <routes::playground::Playground/> }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console while developing; release builds keep the bytes.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    browser::keep_typed();
    leptos::mount::hydrate_body(App);
    // A marker for browser tests (and curious users): the controls are live now.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

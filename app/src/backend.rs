//! Which providers are live: known to the server, handed to the browser as a
//! JSON island in the page head, so both render the same badge without an
//! extra request (and without the server-function machinery in the wasm).

use crate::api::BackendStatus;
#[cfg(feature = "ssr")]
use leptos::prelude::use_context;

pub const ELEMENT_ID: &str = "backend-status";

/// On the server: what the server put in context for this render.
#[cfg(feature = "ssr")]
pub fn current() -> BackendStatus {
    use_context::<BackendStatus>().unwrap_or_default()
}

/// In the browser: read back from the island the server rendered. An island the
/// page cannot read is an error in the console, and every provider shows as emulated.
#[cfg(feature = "hydrate")]
pub fn current() -> BackendStatus {
    let text = leptos::prelude::document().get_element_by_id(ELEMENT_ID).and_then(|e| e.text_content());
    match text.as_deref().map(from_island) {
        Some(Ok(status)) => status,
        Some(Err(e)) => {
            leptos::logging::error!("The backend status island: {}", e.to_api().message);
            BackendStatus::default()
        }
        None => {
            leptos::logging::error!("The page has no backend status island (#{ELEMENT_ID})");
            BackendStatus::default()
        }
    }
}

/// The island's text as the browser reads it (the one decoder, `api::decode`).
pub fn from_island(text: &str) -> Result<BackendStatus, crate::api::Unreadable> {
    crate::api::decode(text)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
pub fn current() -> BackendStatus {
    BackendStatus::default()
}

/// The island's text; `<` is escaped so nothing in it can close the script element.
pub fn script_json() -> String {
    serde_json::to_string(&current()).unwrap_or_else(|_| "{}".into()).replace('<', "\\u003c")
}

//! The few things the page needs from its surroundings: the URL it was opened
//! with, local storage, the clipboard. On the server the URL comes from the
//! request, so server rendering and hydration start from the same state.

#[cfg(feature = "hydrate")]
mod imp {
    use leptos::prelude::window;

    pub fn query() -> String {
        window().location().search().unwrap_or_default()
    }

    pub fn origin() -> String {
        window().location().origin().unwrap_or_default()
    }

    pub fn load(key: &str) -> Option<String> {
        window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
    }

    pub fn save(key: &str, value: &str) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(key, value);
        }
    }

    /// Puts `url` in the address bar without navigating.
    pub fn replace_url(url: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
        }
    }

    /// Copies `text`; `done` hears whether it worked.
    pub fn copy(text: String, done: impl FnOnce(bool) + 'static) {
        leptos::task::spawn_local(async move {
            let promise = window().navigator().clipboard().write_text(&text);
            done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
        });
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    /// The query of the request being rendered.
    pub fn query() -> String {
        #[cfg(feature = "ssr")]
        if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
            return parts.uri.query().unwrap_or_default().to_owned();
        }
        String::new()
    }

    pub fn origin() -> String {
        String::new()
    }

    pub fn load(_key: &str) -> Option<String> {
        None
    }

    pub fn save(_key: &str, _value: &str) {}

    pub fn replace_url(_url: &str) {}

    pub fn copy(_text: String, done: impl FnOnce(bool) + 'static) {
        done(false);
    }
}

pub use imp::*;

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

    /// The address of the page's folder, `https://host/base/`: the playground's, from the embed view too.
    pub fn folder() -> String {
        let path = window().location().pathname().unwrap_or_default();
        // By bytes: `str::rfind` would bring its searcher into the wasm (half a kilobyte).
        let end = path.bytes().rposition(|b| b == b'/').map_or(0, |i| i + 1);
        format!("{}{}", origin(), &path[..end])
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

    /// Milliseconds since the epoch.
    pub fn now() -> f64 {
        js_sys::Date::now()
    }

    /// The element an event happened in, or its nearest ancestor, matching `selector`.
    pub fn closest(ev: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
        use wasm_bindgen::JsCast;
        ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest(selector).ok()?
    }

    fn element(id: &str) -> Option<web_sys::HtmlElement> {
        use wasm_bindgen::JsCast;
        leptos::prelude::document().get_element_by_id(id)?.dyn_into().ok()
    }

    /// Scrolls element `id` to the top when it starts below the middle of the screen
    /// (a phone's result panel, under the form); where it is in sight, nothing moves.
    pub fn reveal(id: &str) {
        if let Some(el) = element(id) {
            let height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or_default();
            if el.get_bounding_client_rect().top() > height / 2.0 {
                el.scroll_into_view();
            }
        }
    }

    /// Moves the keyboard focus to element `id`.
    pub fn focus(id: &str) {
        if let Some(el) = element(id) {
            let _ = el.focus();
        }
    }

    /// Opens or closes popover `id`.
    pub fn toggle_popover(id: &str) {
        if let Some(el) = element(id) {
            let _ = el.toggle_popover();
        }
    }

    thread_local! {
        static TYPED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }

    /// Reads the form as the visitor has filled it so far, before hydration sets
    /// its controls back to the server's values: `typed` hands it to the page.
    pub fn keep_typed() {
        use wasm_bindgen::JsCast;
        let form = leptos::prelude::document().query_selector("form.form").ok().flatten();
        let data = form.and_then(|f| web_sys::FormData::new_with_form(f.unchecked_ref()).ok());
        let query = data.and_then(|d| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&d).ok());
        TYPED.with(|t| *t.borrow_mut() = query.map(|q| String::from(q.to_string())));
    }

    /// What `keep_typed` read, once: a query of the form's names and values.
    pub fn typed() -> Option<String> {
        TYPED.with(|t| t.borrow_mut().take())
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

    pub fn folder() -> String {
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

    pub fn now() -> f64 {
        0.0
    }

    pub fn closest(_ev: &leptos::web_sys::Event, _selector: &str) -> Option<leptos::web_sys::Element> {
        None
    }

    pub fn reveal(_id: &str) {}

    pub fn toggle_popover(_id: &str) {}

    pub fn focus(_id: &str) {}

    pub fn typed() -> Option<String> {
        None
    }
}

pub use imp::*;

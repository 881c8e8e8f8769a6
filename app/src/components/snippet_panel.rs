use crate::snippet::KeyStyle;
use leptos::prelude::*;

/// The live request snippet, with a copy button and the key-style switch.
#[component]
pub fn SnippetPanel(
    /// The snippet text for a key style.
    snippet: Callback<KeyStyle, String>,
) -> impl IntoView {
    let key_style = RwSignal::new(KeyStyle::Env);
    let text = Memo::new(move |_| snippet.run(key_style.get()));
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        copy_to_clipboard(text.get_untracked(), copied);
    };
    view! {
        <section class="panel snippet" aria-labelledby="snippet-title">
            <div class="panel-head">
                <h2 id="snippet-title">"cURL"</h2>
                <label class="key-style">
                    <input
                        type="checkbox"
                        prop:checked=move || key_style.get() == KeyStyle::Placeholder
                        on:change=move |ev| {
                            key_style
                                .set(if event_target_checked(&ev) { KeyStyle::Placeholder } else { KeyStyle::Env });
                        }
                    />
                    "Key as placeholder"
                </label>
                <button type="button" class="copy" on:click=copy>
                    {move || match copied.get() {
                        Some(true) => "Copied!",
                        Some(false) => "Select and press Ctrl+C",
                        None => "Copy",
                    }}
                </button>
            </div>
            <pre class="code" aria-label="cURL request" tabindex="0"><code>{move || text.get()}</code></pre>
        </section>
    }
}

#[cfg(feature = "hydrate")]
fn copy_to_clipboard(text: String, copied: RwSignal<Option<bool>>) {
    leptos::task::spawn_local(async move {
        let ok = match web_sys::window() {
            Some(w) => wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().write_text(&text)).await.is_ok(),
            None => false,
        };
        copied.set(Some(ok));
        set_timeout(move || copied.set(None), std::time::Duration::from_secs(2));
    });
}

#[cfg(not(feature = "hydrate"))]
fn copy_to_clipboard(_text: String, _copied: RwSignal<Option<bool>>) {}

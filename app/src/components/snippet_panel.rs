use crate::api::BackendStatus;
use crate::browser;
use crate::catalog::ModelRef;
use crate::snippet::{render, KeyStyle, Lang, Options};
use crate::valid::Valid;
use leptos::prelude::*;

const LANG_KEY: &str = "fluxplay.lang";
/// Shown instead of a request no provider would take.
const INVALID: &str = "Fix the highlighted fields to see the request.";

/// The live request in six languages, with key, parameter and target switches
/// and a copy button. The chosen language is remembered across visits.
#[component]
pub fn SnippetPanel(model: RwSignal<ModelRef>, valid: Memo<Option<Valid>>) -> impl IntoView {
    let lang = RwSignal::new(Lang::Curl);
    // Effects run only in the browser, after hydration: the server's cURL first, then the remembered tab.
    Effect::new(move |_| {
        if let Some(saved) = browser::load(LANG_KEY).as_deref().and_then(Lang::from_id) {
            lang.set(saved);
        }
    });
    let status = use_context::<BackendStatus>().unwrap_or_default();
    let placeholder = RwSignal::new(false);
    let every = RwSignal::new(false);
    let emulator = RwSignal::new(false);
    let text = Memo::new(move |_| {
        let m = model.get();
        let base = if emulator.get() {
            format!("{}/emulate/{}", browser::origin(), m.provider.id)
        } else {
            m.provider.base_url.to_owned()
        };
        let key = if placeholder.get() { KeyStyle::Placeholder } else { KeyStyle::Env };
        let model_name = status.model_name(m.provider.id);
        let options = Options { key, every: every.get(), emulator: emulator.get(), model_name };
        valid.with(|v| match v {
            Some(valid) => render(lang.get(), valid, &base, options),
            None => INVALID.to_owned(),
        })
    });
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        browser::copy(text.get_untracked(), move |ok| {
            copied.set(Some(ok));
            set_timeout(move || copied.set(None), std::time::Duration::from_secs(2));
        });
    };
    let toggle = |signal: RwSignal<bool>, label: &'static str| {
        view! {
            <label class="option">
                <input
                    type="checkbox"
                    checked=move || signal.get()
                    prop:checked=move || signal.get()
                    on:change=move |ev| signal.set(event_target_checked(&ev))
                />
                {label}
            </label>
        }
    };
    view! {
        <section class="panel snippet" aria-label="Request snippet">
            <div class="panel-head">
                <div class="tabs" role="tablist" aria-label="Language">
                    {Lang::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <button
                                    type="button"
                                    role="tab"
                                    id=format!("tab-{}", l.id())
                                    aria-controls="snippet-code"
                                    aria-selected=move || (lang.get() == l).to_string()
                                    on:click=move |_| {
                                        lang.set(l);
                                        browser::save(LANG_KEY, l.id());
                                    }
                                >
                                    {l.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <button type="button" class="copy" on:click=copy>
                    {move || match copied.get() {
                        Some(true) => "Copied!",
                        Some(false) => "Select and press Ctrl+C",
                        None => "Copy",
                    }}
                </button>
            </div>
            <div class="options">
                {toggle(placeholder, "Key as placeholder")} {toggle(every, "Show every parameter")}
                {toggle(emulator, "Call this server's emulator")}
            </div>
            <pre
                id="snippet-code"
                class="code"
                role="tabpanel"
                aria-label=move || format!("{} request", lang.get().label())
                tabindex="0"
            >
                <code>{move || text.get()}</code>
            </pre>
        </section>
    }
}

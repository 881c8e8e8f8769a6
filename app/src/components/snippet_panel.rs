use crate::browser;
use crate::catalog::ModelRef;
use crate::form::RawForm;
use crate::share;
use crate::snippet::Lang;
use crate::valid::Valid;
use crate::validate::FieldError;
use leptos::prelude::*;

const LANG_KEY: &str = "fluxplay.lang";
/// Shown instead of a request no provider would take, naming the first field to fix.
fn invalid(errors: &[FieldError]) -> String {
    let first = errors.first().map(|e| format!(" `{}`: {}.", e.field, e.message)).unwrap_or_default();
    format!("The form is invalid, so there is no request to show.{first}")
}

/// The live request in six languages, and the HTML that embeds this form, with
/// key, parameter and target switches and a copy button. The chosen language is
/// remembered across visits.
///
/// The server renders the text (on the page and at `/api/snippet`), so the six
/// generators are not in the wasm: the browser asks for the text again when the
/// form or an option changes, and shows only the latest answer.
#[component]
pub fn SnippetPanel(
    model: RwSignal<ModelRef>,
    form: RwSignal<RawForm>,
    valid: Memo<Option<Valid>>,
    errors: Memo<Vec<FieldError>>,
) -> impl IntoView {
    let lang = RwSignal::new(Lang::Curl);
    // Effects run only in the browser, after hydration: the server's cURL first, then the remembered tab.
    Effect::new(move |_| {
        if let Some(saved) = browser::load(LANG_KEY).as_deref().and_then(Lang::from_id) {
            lang.set(saved);
        }
    });
    let placeholder = RwSignal::new(false);
    let every = RwSignal::new(false);
    let emulator = RwSignal::new(false);
    let text = RwSignal::new(first_text(valid, errors));
    let asked = StoredValue::new(0u32);
    Effect::new(move |ran: Option<()>| {
        let query = form.with(|f| share::to_query(model.get(), f));
        let options = (lang.get(), placeholder.get(), every.get(), emulator.get());
        let is_valid = valid.with(Option::is_some);
        // The first run meets the server's own text (cURL, key from the environment, provider).
        if ran.is_none() && options == (Lang::Curl, false, false, false) {
            return;
        }
        // Every change outdates the answers still on their way, an invalid form's too.
        asked.update_value(|n| *n += 1);
        if !is_valid {
            text.set(errors.with(|e| invalid(e)));
            return;
        }
        let (l, key, all, emulated) = options;
        let key = if key { "placeholder" } else { "env" };
        // The origin, for the emulator's address and the embed code's (the server may be behind a proxy).
        let target = if emulated { "emulator" } else { "provider" };
        let origin = share::encode(&browser::origin());
        let url = format!("lang={}&key={key}&every={}&target={target}&origin={origin}&{query}", l.id(), u8::from(all));
        let mine = asked.get_value();
        crate::api::fetch_text(format!("api/snippet?{url}"), move |answer| {
            if asked.get_value() == mine {
                text.set(answer.unwrap_or_else(|e| format!("# The snippet could not be made: {}", e.message)));
            }
        });
    });
    let choose = move |l: Lang| {
        lang.set(l);
        browser::save(LANG_KEY, l.id());
    };
    let on_tab_key = move |ev: leptos::ev::KeyboardEvent| {
        let at = Lang::TABS.iter().position(|l| *l == lang.get_untracked()).unwrap_or(0);
        let n = Lang::TABS.len();
        let to = match ev.key().as_str() {
            "ArrowRight" => (at + 1) % n,
            "ArrowLeft" => (at + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        choose(Lang::TABS[to]);
        browser::focus(&format!("tab-{}", Lang::TABS[to].id()));
    };
    let copied = RwSignal::new(None::<bool>);
    // What is shown: until the first change that is the server's text, which the signal does not hold.
    let code = NodeRef::<leptos::html::Code>::new();
    let copy = move |_| {
        let shown = code.get_untracked().and_then(|c| c.text_content()).unwrap_or_default();
        browser::copy(shown, move |ok| {
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
                // The ARIA tabs pattern: one tab in the Tab order, arrow keys, Home and End move between them.
                <div class="tabs" role="tablist" aria-label="Language" on:keydown=on_tab_key>
                    {Lang::TABS
                        .into_iter()
                        .map(|l| {
                            view! {
                                <button
                                    type="button"
                                    role="tab"
                                    id=format!("tab-{}", l.id())
                                    aria-controls="snippet-code"
                                    aria-selected=move || (lang.get() == l).to_string()
                                    tabindex=move || if lang.get() == l { "0" } else { "-1" }
                                    on:click=move |_| choose(l)
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
                <code node_ref=code>{move || text.get()}</code>
            </pre>
        </section>
    }
}

/// The text the server renders into the page; the browser starts from the page's.
#[cfg(not(feature = "hydrate"))]
fn first_text(valid: Memo<Option<Valid>>, errors: Memo<Vec<FieldError>>) -> String {
    use crate::snippet::{render, KeyStyle, Options};
    let status = use_context::<crate::api::BackendStatus>().unwrap_or_default();
    valid.with_untracked(|v| match v {
        Some(valid) => {
            let model_name = status.model_name(valid.model.provider.id);
            let options = Options { key: KeyStyle::Env, every: false, emulator: false, model_name };
            render(Lang::Curl, valid, valid.model.provider.base_url, options)
        }
        None => errors.with_untracked(|e| invalid(e)),
    })
}

#[cfg(feature = "hydrate")]
fn first_text(_: Memo<Option<Valid>>, _: Memo<Vec<FieldError>>) -> String {
    String::new()
}

use crate::api::{ApiError, JobState};
use crate::browser;
use leptos::prelude::*;

/// A generation in progress: its job (once the server gave one), when it started
/// (ms, `browser::now`) and the state last reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    pub job: Option<String>,
    pub since: f64,
    pub state: Option<JobState>,
}

/// The panel before any run; the server's own words for an empty panel too.
pub const EMPTY: &str = "<p class=\"empty\">Press Generate (Ctrl+Enter) to run this request. Earlier runs: \
                         <a href=\"history\">History</a></p>";

/// The last run: while it runs, its state, elapsed time and Cancel; then the server's
/// rendering of its result (`/api/results/{id}`: images, downloads, seeds, compare),
/// or an error from before a job began. The server's HTML keeps its links working
/// without script; the one click handler here makes its "use this seed" and "copy
/// image link" act in place.
#[component]
pub fn ResultPanel(
    /// The result's HTML, from our server.
    body: RwSignal<String>,
    /// Why a run could not start.
    failure: RwSignal<Option<ApiError>>,
    running: RwSignal<Option<Running>>,
    on_cancel: Callback<()>,
    /// "Use this seed" (a seed) and "New random seed" (empty).
    on_seed: Callback<String>,
) -> impl IntoView {
    let now = RwSignal::new(0.0);
    // A clock only while something runs.
    Effect::new(move |last: Option<Option<IntervalHandle>>| {
        if let Some(Some(handle)) = last {
            handle.clear();
        }
        let tick = move || now.set(browser::now());
        running.with(Option::is_some).then(|| {
            tick();
            set_interval_with_handle(tick, std::time::Duration::from_millis(100)).ok()
        })?
    });
    let status = move || {
        running.with(|r| {
            let r = r.as_ref()?;
            let what = match &r.state {
                Some(JobState::Queued { position: Some(p) }) => format!("Queued, position {p}"),
                Some(JobState::Queued { position: None }) => "Queued".to_owned(),
                Some(JobState::Running { progress: Some(f) }) => format!("Generating {}%", (f * 100.0).round() as u32),
                _ => "Generating".to_owned(),
            };
            // Whole tenths: formatting a float would cost the wasm its float printer (kilobytes).
            let tenths = ((now.get() - r.since) / 100.0).max(0.0) as u64;
            Some(format!("{what} · {}.{} s", tenths / 10, tenths % 10))
        })
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(link) = browser::closest(&ev, "[data-seed],[data-copy]") else { return };
        ev.prevent_default();
        if let Some(seed) = link.get_attribute("data-seed") {
            on_seed.run(seed);
        } else if let Some(url) = link.get_attribute("data-copy") {
            browser::copy(format!("{}{url}", browser::origin()), move |ok| {
                link.set_text_content(Some(if ok { "Link copied!" } else { "Copy failed" }));
            });
        }
    };
    view! {
        <section
            id="result"
            class="panel result"
            aria-labelledby="result-title"
            aria-busy=move || running.with(Option::is_some).to_string()
        >
            <div class="panel-head">
                <h2 id="result-title">"Result"</h2>
                <span class="spinner" role="status">{status}</span>
                <Show when=move || running.with(|r| r.as_ref().is_some_and(|r| r.job.is_some()))>
                    <button type="button" class="copy" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                </Show>
            </div>
            {move || {
                failure
                    .get()
                    .map(|e| {
                        view! {
                            <div class="error-box" role="alert">
                                <p>{e.message}</p>
                                <ul>
                                    {e
                                        .fields
                                        .into_iter()
                                        .map(|f| view! { <li><code>{f.field}</code> ": " {f.message}</li> })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })
            }}
            <div class="result-body" on:click=on_click inner_html=move || body.get()></div>
        </section>
    }
}

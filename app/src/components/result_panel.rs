use super::history_strip::HistoryStrip;
use crate::api::{ApiError, GenerateResponse, JobState};
use leptos::either::EitherOf3;
use leptos::prelude::*;

/// What the last Generate gave: images with their seed and size, or the error.
#[component]
pub fn ResultPanel(
    result: Signal<Option<Result<GenerateResponse, ApiError>>>,
    pending: Signal<bool>,
    /// The job's last reported state while it runs.
    progress: Signal<Option<JobState>>,
) -> impl IntoView {
    let status = move || match progress.get() {
        Some(JobState::Queued { position: Some(p) }) => format!("Queued at the provider, position {p}…"),
        Some(JobState::Queued { position: None }) => "Queued…".to_owned(),
        Some(JobState::Running { progress: Some(f) }) => format!("Generating… {}%", (f * 100.0).round() as u32),
        _ => "Generating…".to_owned(),
    };
    view! {
        <section class="panel result" aria-labelledby="result-title" aria-busy=move || pending.get().to_string()>
            <div class="panel-head">
                <h2 id="result-title">"Result"</h2>
                <Show when=move || pending.get()>
                    <span class="spinner" role="status">{status}</span>
                </Show>
            </div>
            {move || match result.get() {
                None => EitherOf3::A(view! {
                    <p class="empty">
                        "Press Generate (Ctrl+Enter) to run this request. Earlier runs: "
                        <a href="/history">"History"</a>
                    </p>
                }),
                Some(Err(e)) => EitherOf3::B(view! { <ErrorBox error=e/> }),
                Some(Ok(r)) => EitherOf3::C(view! { <Gallery response=r/> }),
            }}
        </section>
    }
}

#[component]
fn ErrorBox(error: ApiError) -> impl IntoView {
    view! {
        <div class="error-box" role="alert">
            <p>{error.message}</p>
            <ul>
                {error
                    .fields
                    .into_iter()
                    .map(|f| view! { <li><code>{f.field}</code> ": " {f.message}</li> })
                    .collect_view()}
            </ul>
            {error.request_id.clone().map(|id| view! { <p class="meta">"Request id " <code>{id}</code></p> })}
        </div>
        <HistoryStrip run=error.request_id.unwrap_or_default()/>
    }
}

#[component]
fn Gallery(response: GenerateResponse) -> impl IntoView {
    let seed = match (response.seed, response.seed_chosen) {
        (Some(s), true) => format!("seed {s} (random, chosen by fluxplay)"),
        (Some(s), false) => format!("seed {s}"),
        (None, _) => "seed not reported".to_owned(),
    };
    let total = format!("{}.{:02} s", response.total_ms / 1000, response.total_ms % 1000 / 10);
    let count = response.images.len();
    view! {
        <div class="gallery">
            {response.emulated.then(|| view! { <p class="badge emulated">"Emulated image: not made by the provider"</p> })}
            {response
                .images
                .into_iter()
                .enumerate()
                .map(|(i, img)| {
                    let caption = format!("{} × {} · {} · {}", img.width, img.height, seed, total);
                    let href = img.url.clone();
                    view! {
                        <figure>
                            <a href=href target="_blank" rel="noopener">
                                <img
                                    src=img.url
                                    width=img.width
                                    height=img.height
                                    alt=format!("Generated image {} of {count}", i + 1)
                                />
                            </a>
                            <figcaption>
                                {caption}
                                {img.nsfw.unwrap_or(false).then_some(" · flagged NSFW")}
                            </figcaption>
                        </figure>
                    }
                })
                .collect_view()}
            {response
                .ran_prompt
                .map(|p| {
                    view! {
                        <p class="meta ran-prompt">
                            <strong>"The prompt the model ran: "</strong>
                            {p}
                        </p>
                    }
                })}
            {response
                .usage
                .map(|u| view! { <p class="meta">"Usage: " <code>{compact(&u)}</code></p> })}
            {response
                .upstream
                .map(|raw| {
                    view! {
                        <details class="raw">
                            <summary>"Provider response"</summary>
                            <pre class="code">{pretty(&raw)}</pre>
                        </details>
                    }
                })}
            <p class="meta request-id">"Request id " <code>{response.request_id.clone()}</code></p>
        </div>
        <HistoryStrip run=response.request_id/>
    }
}

/// JSON indented for reading: the browser's own `JSON.stringify`, so serde_json's
/// printer stays out of the wasm.
#[cfg(feature = "hydrate")]
fn pretty(value: &serde_json::Value) -> String {
    crate::js_json::stringify(value, 2)
}

#[cfg(not(feature = "hydrate"))]
fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

#[cfg(feature = "hydrate")]
fn compact(value: &serde_json::Value) -> String {
    crate::js_json::stringify(value, 0)
}

#[cfg(not(feature = "hydrate"))]
fn compact(value: &serde_json::Value) -> String {
    value.to_string()
}

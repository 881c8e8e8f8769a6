use leptos::prelude::*;

/// The history under the result: the server's `/history` page framed, so it works
/// without JavaScript and costs the page's wasm nothing but this frame. Each
/// finished generation (`version`) reloads it.
#[component]
pub fn HistoryStrip(version: Signal<usize>) -> impl IntoView {
    view! {
        <section class="panel history-strip" aria-label="History">
            <iframe title="History" src=move || format!("/history?embed={}", version.get())></iframe>
        </section>
    }
}

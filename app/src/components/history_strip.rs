use leptos::prelude::*;

/// The history under a result: the server's `/history` page framed, so it works
/// without JavaScript and costs the page's wasm only this frame. Its address names
/// the run it follows (`run`, a request id), so each result loads the page again with
/// that run first. Before any result the page links to `/history` instead, which keeps
/// the frame out of the first load.
#[component]
pub fn HistoryStrip(run: String) -> impl IntoView {
    view! { <iframe class="history-strip" title="History" src=format!("/history?embed={run}")></iframe> }
}

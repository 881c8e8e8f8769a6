//! `GET /compare?a={id}&b={id}` (or `?id=…&id=…`, as the history page's checkboxes
//! send it): two recorded runs side by side, and one over the other with a divider
//! to drag, and their parameters with every difference marked. No script, like the
//! other history pages: the divider is the stylesheet's `resize`.

use super::pages::{head, html, short};
use crate::error::Error;
use crate::history::Entry;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The two run ids a query names.
fn ids(query: &str) -> Vec<String> {
    let mut ids: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| matches!(k.as_ref(), "a" | "b" | "id"))
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
        .collect();
    ids.dedup();
    ids
}

fn page(state: &AppState, status: StatusCode, title: &str, body: &str) -> Response {
    let base = state.base();
    let mut out = head(base, &format!("{title} — fluxplay"), "");
    let _ = write!(out, "<body class=\"permalink compare\"><main><h1>{}</h1>{body}", text(title));
    let _ = write!(
        out,
        "<p><a href=\"{base}/history\">History</a> · <a href=\"{base}/\">Playground</a></p></main></body></html>"
    );
    html(state, status, out)
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub async fn compare(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, Error> {
    let ids = ids(query.as_deref().unwrap_or_default());
    if ids.len() != 2 {
        let why = "<p role=\"alert\">Choose two runs to compare: tick two in the history, or follow \
                   “Compare with the previous run” under a result.</p>";
        return Ok(page(&state, StatusCode::BAD_REQUEST, "Compare", why));
    }
    let mut runs = Vec::new();
    for id in &ids {
        match state.inner.db.generation(id).await? {
            Some(g) => runs.push(Entry::from_generation(g, state.base())),
            None => {
                let why = "<p role=\"alert\">One of these runs is no longer kept: it was deleted, or it expired.</p>";
                return Ok(page(&state, StatusCode::NOT_FOUND, "Compare", why));
            }
        }
    }
    let label = |e: &Entry| e.model().map_or(e.model.clone(), |m| format!("{} — {}", m.model.label, m.provider.name));
    let mut body = String::from("<div class=\"pair\">");
    for (n, e) in runs.iter().enumerate() {
        let _ = write!(body, "<section><h2>{} · {}</h2>", ["A", "B"][n], text(&label(e)));
        match e.images.first() {
            Some(img) => {
                let _ = write!(
                    body,
                    "<img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"Run {}: {}\">",
                    attr(&img.url),
                    img.width,
                    img.height,
                    ["A", "B"][n],
                    attr(&short(e.prompt(), 120))
                );
            }
            None => {
                let _ = write!(body, "<p class=\"error\">{}</p>", text(e.error.as_deref().unwrap_or("No image")));
            }
        }
        let _ = write!(
            body,
            "<p><a href=\"{}\">Permalink</a> · <a href=\"{}\">Open in playground</a></p></section>",
            attr(&e.permalink),
            attr(&e.restore)
        );
    }
    body.push_str("</div>");
    if let (Some(a), Some(b)) = (runs[0].images.first(), runs[1].images.first()) {
        let _ = write!(
            body,
            "<h2>One over the other</h2><p class=\"meta\">Drag the corner of A to uncover B.</p>\
             <div class=\"overlay\"><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"Run B\">\
             <div class=\"over\"><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"Run A\"></div></div>",
            attr(&b.url),
            b.width,
            b.height,
            attr(&a.url),
            a.width,
            a.height
        );
    }
    // Every parameter either run set, and what the runs were, differences marked.
    let mut rows: Vec<(String, String, String)> = vec![
        ("model".into(), runs[0].model.clone(), runs[1].model.clone()),
        ("seed".into(), shown(runs[0].seed.map(Value::from).as_ref()), shown(runs[1].seed.map(Value::from).as_ref())),
    ];
    let keys: BTreeSet<&String> = runs[0].params.keys().chain(runs[1].params.keys()).collect();
    for key in keys.into_iter().filter(|k| k.as_str() != "seed") {
        rows.push((key.clone(), shown(runs[0].params.get(key)), shown(runs[1].params.get(key))));
    }
    rows.push(("time".into(), format!("{} ms", runs[0].total_ms), format!("{} ms", runs[1].total_ms)));
    let differ = rows.iter().filter(|(k, a, b)| a != b && k != "time").count();
    let _ = write!(
        body,
        "<h2>Parameters</h2><p>Differences: {differ} (marked ≠).</p><table><thead><tr><th scope=\"col\">Parameter</th>\
         <th scope=\"col\">A</th><th scope=\"col\">B</th></tr></thead><tbody>"
    );
    for (key, a, b) in &rows {
        let same = a == b || key == "time";
        let _ = write!(
            body,
            "<tr{}><th scope=\"row\">{}{}</th><td>{}</td><td>{}</td></tr>",
            if same { "" } else { " class=\"differs\"" },
            text(key),
            if same { "" } else { " ≠" },
            text(&short(a, 300)),
            text(&short(b, 300))
        );
    }
    body.push_str("</tbody></table>");
    Ok(page(&state, StatusCode::OK, "Compare two runs", &body))
}

#[cfg(test)]
mod tests {
    use super::ids;

    #[test]
    fn two_ids_by_letter_or_as_checkboxes_send_them() {
        assert_eq!(ids("a=x&b=y"), ["x", "y"]);
        assert_eq!(ids("id=x&id=y"), ["x", "y"]);
        assert_eq!(ids("id=x&id=x"), ["x"]);
        assert_eq!(ids("a=&b=y&other=z"), ["y"]);
    }
}

//! The server-rendered history pages, which work without JavaScript: `/history`
//! (framed under the playground with `?embed=1`) and the permalink `/r/{id}`
//! with Open Graph tags, so a pasted link previews its image.

use super::history::{page, same_origin, PageQuery};
use super::visitor::Visitor;
use crate::error::Error;
use crate::history::Entry;
use crate::state::AppState;
use app::snippet::{render, KeyStyle, Lang, Options};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, HOST, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::fmt::Write;

/// The pages' own policy: no script at all, and framing by this origin (the
/// playground frames `/history`) besides whoever the setting allows.
fn policy(frame_ancestors: &str) -> String {
    let ancestors = if frame_ancestors.contains("'none'") { "'self'".to_owned() } else { frame_ancestors.to_owned() };
    let ancestors = if ancestors.contains("'self'") { ancestors } else { format!("'self' {ancestors}") };
    format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
         frame-ancestors {ancestors}"
    )
}

pub fn html(state: &AppState, status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    if let Ok(csp) = HeaderValue::from_str(&policy(&state.limits().site.frame_ancestors)) {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// A page's head; `base` is where the site is mounted (its stylesheet is there).
pub fn head(base: &str, title: &str, extra: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"{base}/history.css\">{extra}</head>",
        text(title)
    )
}

/// A prompt cut to `n` characters, for titles and labels.
pub fn short(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

fn when(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// `GET /history[?embed=1][&before=…]`: thumbnails, newest first; each restores
/// its form, opens its page, runs again or is deleted.
pub async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Error> {
    let Query(query) = query.map_err(|e| Error::BadRequest(format!("history query: {}", e.body_text())))?;
    let embed = query.embed.is_some();
    let found = page(&state, &visitor, &query).await?;
    let hidden = if embed { "<input type=\"hidden\" name=\"embed\" value=\"1\">" } else { "" };
    let base = state.base();
    let mut out = head(base, "History — fluxplay", "<base target=\"_top\">");
    let class = if embed { "history embed" } else { "history" };
    let _ = write!(out, "<body class=\"{class}\"><header aria-label=\"History\"><h1>History</h1>");
    if !found.items.is_empty() {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"{base}/history/clear\" target=\"_self\">{hidden}\
             <button type=\"submit\">Clear all</button></form>"
        );
    }
    if !embed && found.items.len() > 1 {
        out.push_str(
            &format!("<form id=\"compare\" method=\"get\" action=\"{base}/compare\"><button type=\"submit\">Compare ticked</button></form>"),
        );
    }
    let _ = if embed {
        write!(out, "<a href=\"{base}/history\">Open full history</a>")
    } else {
        write!(out, "<a href=\"{base}/\">Back to the playground</a>")
    };
    out.push_str("</header><main aria-label=\"Generations\">");
    if found.items.is_empty() {
        out.push_str("<p class=\"empty\">No generations yet. Each one you make appears here.</p>");
    }
    out.push_str("<ol>");
    for e in &found.items {
        let prompt = short(e.prompt(), 120);
        let label = if prompt.is_empty() { e.model.clone() } else { prompt.clone() };
        let why =
            (e.images.is_empty() || e.thumbs.is_empty()).then(|| short(e.error.as_deref().unwrap_or("no image"), 80));
        // The link's name holds what it shows: a failed run's reason.
        let name = match &why {
            Some(why) => format!("Restore: {label}. {why}"),
            None => format!("Restore: {label}"),
        };
        let _ = write!(
            out,
            "<li class=\"{}\"><a class=\"thumb\" href=\"{}\" title=\"Restore this form\" aria-label=\"{}\">",
            if e.ok { "ok" } else { "failed" },
            attr(&e.restore),
            attr(&name)
        );
        match e.images.first().zip(e.thumbs.first()) {
            Some((image, thumb)) => {
                let _ = write!(
                    out,
                    "<img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"\" loading=\"lazy\">",
                    attr(thumb),
                    image.width,
                    image.height
                );
            }
            None => {
                let _ = write!(out, "<span class=\"why\">{}</span>", text(why.as_deref().unwrap_or_default()));
            }
        }
        out.push_str("</a>");
        let seed = e.seed.map(|s| format!(" · seed {s}")).unwrap_or_default();
        if !embed {
            let _ = write!(
                out,
                "<label class=\"tick\"><input type=\"checkbox\" name=\"id\" value=\"{id}\" form=\"compare\" \
                 aria-label=\"Compare: {label}\"> Compare</label>",
                id = attr(&e.id),
                label = attr(&label)
            );
        }
        let _ = write!(
            out,
            "<p><span class=\"model\">{}</span>{}</p><div class=\"actions\"><a href=\"{}\">Permalink</a>\
             <form method=\"post\" action=\"{base}/history/{id}/rerun\"><button type=\"submit\" aria-label=\"Re-run: {label}\">Re-run</button></form>\
             <form method=\"post\" action=\"{base}/history/{id}/delete\" target=\"_self\">{hidden}<button type=\"submit\" aria-label=\"Delete: {label}\">Delete</button></form></div></li>",
            text(&e.model),
            text(&seed),
            attr(&e.permalink),
            id = attr(&e.id),
            label = attr(&label),
        );
    }
    out.push_str("</ol>");
    if let Some(next) = found.next {
        let embed = if embed { "&amp;embed=1" } else { "" };
        let _ = write!(
            out,
            "<p class=\"more\"><a href=\"{base}/history?before={next}{embed}\" target=\"_self\">Older</a></p>"
        );
    }
    out.push_str("</main>");
    out.push_str("</body></html>");
    Ok(html(&state, StatusCode::OK, out))
}

/// The origin a browser reached us at, for absolute URLs (Open Graph's, snippets'): the `Host`
/// (already checked against the allowed names), over https behind a trusted proxy that says so.
pub fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let scheme = if crate::cookies::secure(headers, state.limits().site.trusted_proxies) { "https" } else { "http" };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// `GET /r/{id}`: one generation, its parameters, its cURL, and a way back into
/// the playground. While it runs, the page refreshes itself (no script needed).
pub async fn permalink(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let Some(g) = state.inner.db.generation(&id).await? else {
        if let Some(job) = state.inner.jobs.get(&id).await? {
            if matches!(job, app::api::JobState::Queued { .. } | app::api::JobState::Running { .. }) {
                let mut out =
                    head(state.base(), "Generating… — fluxplay", "<meta http-equiv=\"refresh\" content=\"2\">");
                out.push_str(
                    "<body class=\"permalink\"><main><h1>Generating…</h1>\
                     <p role=\"status\">This page shows the result as soon as it is ready.</p></main></body></html>",
                );
                return Ok(html(&state, StatusCode::OK, out));
            }
        }
        let mut out = head(state.base(), "Not found — fluxplay", "");
        let _ = write!(out, "<body class=\"permalink\"><main><h1>Not found</h1><p>No generation is kept under this link: it was deleted, or it expired.</p><p><a href=\"{}/\">Open the playground</a></p></main></body></html>", state.base());
        return Ok(html(&state, StatusCode::NOT_FOUND, out));
    };
    let owner = visitor.owns(state.inner.guards.scope, &g.visitor);
    let e = Entry::from_generation(g, state.base());
    let origin = origin(&state, &headers);
    let name = e.model().map_or(e.model.clone(), |m| format!("{} — {}", m.model.label, m.provider.name));
    let prompt = e.prompt().to_owned();
    let title = if prompt.is_empty() { name.clone() } else { short(&prompt, 70) };
    let mut og = format!(
        "<meta property=\"og:type\" content=\"website\"><meta property=\"og:site_name\" content=\"fluxplay\">\
         <meta property=\"og:title\" content=\"{}\"><meta property=\"og:description\" content=\"{}\">\
         <meta property=\"og:url\" content=\"{}{}\">",
        attr(&title),
        attr(&name),
        attr(&origin),
        attr(&e.permalink)
    );
    if let Some(image) = e.images.first() {
        let _ = write!(
            og,
            "<meta property=\"og:image\" content=\"{}{}\"><meta property=\"og:image:width\" content=\"{}\">\
             <meta property=\"og:image:height\" content=\"{}\"><meta name=\"twitter:card\" content=\"summary_large_image\">",
            attr(&origin),
            attr(&image.url),
            image.width,
            image.height
        );
    }
    let mut out = head(state.base(), &format!("{title} — fluxplay"), &og);
    let _ = write!(out, "<body class=\"permalink\"><main><h1>{}</h1>", text(&name));
    if let Some(error) = &e.error {
        let _ = write!(out, "<p class=\"error\" role=\"alert\">This generation failed: {}</p>", text(error));
    }
    for image in &e.images {
        let _ = write!(
            out,
            "<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"></figure>",
            attr(&image.url),
            image.width,
            image.height,
            attr(&short(&prompt, 200))
        );
    }
    let _ = write!(out, "<p><a class=\"open\" href=\"{}\">Open in playground</a></p>", attr(&e.restore));
    out.push_str("<h2>Parameters</h2><dl>");
    for (key, value) in &e.params {
        let shown = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", text(key), text(&shown));
    }
    let emulated = if e.emulated { " · emulated" } else { "" };
    let _ = write!(
        out,
        "</dl><p class=\"meta\">{} · {} ms{emulated} · request {}</p>",
        text(&when(e.created)),
        e.total_ms,
        text(&e.request_id)
    );
    if let Some(model) = e.model() {
        if let Ok(valid) = app::validate::validate(model, &e.params) {
            let snippet = render(
                Lang::Curl,
                &valid,
                model.provider.base_url,
                Options { key: KeyStyle::Env, ..Options::default() },
            );
            let _ = write!(out, "<h2>cURL</h2><pre tabindex=\"0\"><code>{}</code></pre>", text(&snippet));
        }
    }
    if owner {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"{}/delete\"><button type=\"submit\">Delete this generation</button></form>",
            attr(&e.permalink)
        );
    }
    out.push_str("</main></body></html>");
    Ok(html(&state, StatusCode::OK, out))
}

/// `POST /r/{id}/delete` (a form): the owner removes it; the link then answers 404.
pub async fn delete_permalink(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    same_origin(&headers)?;
    super::history::forget_one(&state, &visitor, &id).await?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, state.at("/"))]).into_response())
}

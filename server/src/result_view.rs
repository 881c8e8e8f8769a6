//! The result panel's content, rendered here rather than in the page's wasm: the
//! page fetches it after a run (`GET /api/results/{id}`) and the server puts it in
//! the page it renders for a form posted without JavaScript. Everything in it works
//! without script: zoom is a native popover, download a `download` link, "use this
//! seed" a link that restores the form. The page's one click handler (see
//! `app::components::result_panel`) only makes `data-seed` and `data-copy` act in place.

use crate::db::history::{Failure, Generation};
use app::api::{ApiError, GenerateResponse, JobState};
use app::catalog::{self, ModelRef};
use app::form::{from_params, RawForm};
use app::share;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::{Map, Value};
use std::fmt::Write;

/// The panel for a recorded generation; `previous` is the visitor's run before it, to compare with.
/// Its links are under `base`, where the site is mounted.
pub fn recorded(base: &str, g: &Generation, previous: Option<&str>) -> String {
    if !g.ok {
        let failure = serde_json::from_str::<Failure>(&g.outcome)
            .map(|f| f.error)
            .unwrap_or_else(|_| ApiError::new("This generation failed."));
        return failed(base, &failure, &g.id);
    }
    let Ok(response) = serde_json::from_str::<GenerateResponse>(&g.outcome) else {
        return failed(base, &ApiError::new("This generation's record cannot be read."), &g.id);
    };
    let params: Map<String, Value> = serde_json::from_str(&g.params).unwrap_or_default();
    let model = catalog::find(&g.model);
    done(base, &crate::base_path::response(base, response), model, &params, previous)
}

/// A job that has not ended: what it is doing, and (without script) that the page refreshes.
pub fn pending(state: &JobState) -> String {
    let what = match state {
        JobState::Queued { position: Some(p) } => format!("Queued at the provider, position {p}…"),
        JobState::Running { progress: Some(f) } => format!("Generating… {}%", (f * 100.0).round() as u32),
        _ => "Generating…".to_owned(),
    };
    format!(
        "<p class=\"pending\" role=\"status\">{}</p><noscript><p class=\"meta\">This page refreshes until the \
         result is here.</p></noscript>",
        text(&what)
    )
}

/// An error, with the fields it names, and the history strip that follows the run.
pub fn failed(base: &str, error: &ApiError, id: &str) -> String {
    let mut out = format!("<div class=\"error-box\" role=\"alert\"><p>{}</p><ul>", text(&error.message));
    for f in &error.fields {
        let _ = write!(out, "<li><code>{}</code>: {}</li>", text(&f.field), text(&f.message));
    }
    let _ = write!(out, "</ul><p class=\"meta\">Request id <code>{}</code></p></div>", text(id));
    out.push_str(&strip(base, id));
    out
}

fn strip(base: &str, id: &str) -> String {
    format!("<iframe class=\"history-strip\" title=\"History\" src=\"{base}/history?embed={}\"></iframe>", attr(id))
}

/// `name` made safe for a file name: letters, digits, `-` and `_`.
fn file_part(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect()
}

/// The playground's address with this form, `seed` set in it, showing result `id`.
fn with_seed(base: &str, model: ModelRef, form: &RawForm, key: &str, seed: u64, id: &str) -> String {
    let mut form = form.clone();
    form.set(key, seed.to_string());
    format!("{base}/?{}&result={}", share::to_query(model, &form), share::encode(id))
}

fn done(
    base: &str,
    r: &GenerateResponse,
    model: Option<ModelRef>,
    params: &Map<String, Value>,
    previous: Option<&str>,
) -> String {
    let count = r.images.len();
    let seed_text = match (r.seed, r.seed_chosen) {
        (Some(s), true) => format!("seed {s} (random, chosen by fluxplay)"),
        (Some(s), false) => format!("seed {s}"),
        (None, _) => "seed not reported".to_owned(),
    };
    let total = format!("{}.{:02} s", r.total_ms / 1000, r.total_ms % 1000 / 10);
    let stem = format!("{}_seed{}", file_part(&r.model), r.seed.map_or_else(|| "none".into(), |s| s.to_string()));
    let mut out = String::from("<div class=\"gallery\">");
    if r.emulated {
        out.push_str("<p class=\"badge emulated\">Emulated image: not made by the provider</p>");
    }
    let _ = write!(out, "<div class=\"grid\" data-count=\"{count}\">");
    for (i, img) in r.images.iter().enumerate() {
        let n = i + 1;
        let ext = img.url.rsplit_once('.').map_or("png", |(_, e)| e);
        let alt = format!("Generated image {n} of {count}");
        let _ = write!(
            out,
            "<figure><button type=\"button\" class=\"zoom\" popovertarget=\"zoom-{n}\" aria-label=\"Zoom: {alt}\">\
             <img src=\"{url}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\"></button>\
             <div popover id=\"zoom-{n}\" class=\"zoom-view\" aria-label=\"{alt}, full size\">\
             <img src=\"{url}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}, full size\">\
             <button type=\"button\" popovertarget=\"zoom-{n}\" popovertargetaction=\"hide\">Close</button></div>\
             <figcaption><span>{w} × {h} · {seed} · {total}{nsfw}</span> \
             <a class=\"action\" href=\"{url}\" download=\"{stem}_{n}.{ext}\">Download</a> \
             <a class=\"action\" href=\"{url}\" data-copy=\"{url}\">Copy image link</a></figcaption></figure>",
            url = attr(&img.url),
            w = img.width,
            h = img.height,
            alt = attr(&alt),
            seed = text(&seed_text),
            nsfw = if img.nsfw.unwrap_or(false) { " · flagged NSFW" } else { "" },
            stem = attr(&stem),
            ext = attr(&file_part(ext)),
        );
    }
    out.push_str("</div><p class=\"result-actions\">");
    if let (Some(model), Some(seed)) = (model, r.seed) {
        if let Some((key, low, high)) = app::valid::random_seed_range(model) {
            let mut form = from_params(model, params);
            form.clear(key);
            let fresh = u64::from(fastrand::u32(low..=high));
            let _ = write!(
                out,
                "<a class=\"action\" href=\"{}\" data-seed=\"{seed}\">Use this seed</a> \
                 <a class=\"action\" href=\"{}\" data-seed=\"\">New random seed</a> ",
                attr(&with_seed(base, model, &form, key, seed, &r.request_id)),
                attr(&with_seed(base, model, &form, key, fresh, &r.request_id)),
            );
        }
    }
    if let Some(permalink) = &r.permalink {
        let _ = write!(out, "<a class=\"action\" href=\"{}\">Permalink</a> ", attr(permalink));
    }
    if let Some(previous) = previous {
        let _ = write!(
            out,
            "<a class=\"action\" href=\"{base}/compare?a={}&amp;b={}\">Compare with the previous run</a>",
            attr(&share::encode(previous)),
            attr(&share::encode(&r.request_id))
        );
    }
    out.push_str("</p>");
    if let Some(p) = &r.ran_prompt {
        let _ = write!(out, "<p class=\"meta ran-prompt\"><strong>The prompt the model ran: </strong>{}</p>", text(p));
    }
    if let Some(u) = &r.usage {
        let _ = write!(out, "<p class=\"meta\">Usage: <code>{}</code></p>", text(&u.to_string()));
    }
    if let Some(raw) = &r.upstream {
        let _ = write!(
            out,
            "<details class=\"raw\"><summary>Provider response</summary><pre class=\"code\" tabindex=\"0\">{}</pre></details>",
            text(&serde_json::to_string_pretty(raw).unwrap_or_default())
        );
    }
    let _ = write!(out, "<p class=\"meta request-id\">Request id <code>{}</code></p></div>", text(&r.request_id));
    out.push_str(&strip(base, &r.request_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::api::GeneratedImage;

    fn response(seed: Option<u64>) -> GenerateResponse {
        GenerateResponse {
            request_id: "r1".into(),
            model: "aimlapi/flux/dev".into(),
            emulated: false,
            images: vec![GeneratedImage {
                url: "/images/abc.png".into(),
                width: 1024,
                height: 768,
                content_type: "image/png".into(),
                nsfw: None,
            }],
            seed,
            seed_chosen: false,
            total_ms: 1234,
            timings: None,
            usage: None,
            ran_prompt: Some("<script>alert(1)</script>".into()),
            upstream: None,
            permalink: Some("/r/r1".into()),
        }
    }

    #[test]
    fn images_download_under_a_name_with_model_seed_and_index() {
        let model = catalog::find("aimlapi/flux/dev");
        let html = done("", &response(Some(42)), model, &Map::new(), Some("r0"));
        assert!(html.contains("download=\"aimlapi-flux-dev_seed42_1.png\""), "{html}");
        assert!(html.contains("popovertarget=\"zoom-1\""), "{html}");
        assert!(html.contains("data-seed=\"42\""), "{html}");
        assert!(html.contains("seed=42&amp;result=r1"), "{html}");
        assert!(html.contains("/compare?a=r0&amp;b=r1"), "{html}");
        // Provider text is text.
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn without_a_seed_there_is_nothing_to_reuse() {
        let html = done("", &response(None), catalog::find("aimlapi/flux/dev"), &Map::new(), None);
        assert!(!html.contains("data-seed") && !html.contains("/compare"), "{html}");
        assert!(html.contains("seed not reported"), "{html}");
    }
}

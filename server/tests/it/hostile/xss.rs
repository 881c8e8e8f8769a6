//! Reflected script injection through share links (OWASP XSS filter-evasion
//! cheat sheet): payloads in every query field of every model, and in unknown
//! keys, rendered by the server and read back with a real HTML5 parser (html5ever,
//! the parsing rules a browser uses). A browser proof is in end2end/tests/hostile.spec.ts.

use crate::common;
use scraper::{Html, Selector};

/// Payloads for each context the page has: text, attribute values, raw-text
/// elements (`textarea`, `title`, `script`), URLs.
pub const PAYLOADS: &[&str] = &[
    "</textarea><script>window.__xss=1</script>",
    "</TEXTAREA><img src=x onerror=window.__xss=1>",
    "</title><script>window.__xss=1</script>",
    "</script><script>window.__xss=1</script>",
    "<!--</textarea><script>window.__xss=1</script>-->",
    "\"><svg onload=window.__xss=1>",
    "'><img src=x onerror=window.__xss=1>",
    "javascript:window.__xss=1",
    "https://x.example/\"onerror=\"window.__xss=1",
    "<iframe srcdoc=\"<script>parent.__xss=1</script>\">",
    "<details open ontoggle=window.__xss=1>",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "\u{0}<script>window.__xss=1</script>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    "<math><mtext></textarea><img src=x onerror=window.__xss=1>",
    "\n\n<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
    "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
];

fn encode(text: &str) -> String {
    app::share::encode(text)
}

/// Element names that run or load something, counted in a page.
const ACTIVE: &[&str] =
    &["script", "iframe", "object", "embed", "svg", "math", "base", "meta", "link", "style", "details"];

fn census(html: &Html) -> Vec<(String, usize)> {
    ACTIVE.iter().map(|tag| ((*tag).to_owned(), html.select(&Selector::parse(tag).unwrap()).count())).collect()
}

/// What makes a parsed page unsafe: an event-handler attribute or a `javascript:` URL anywhere.
fn handlers_and_script_urls(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for el in html.select(&Selector::parse("*").unwrap()) {
        for (name, value) in el.value().attrs() {
            let url_attr = matches!(name, "href" | "src" | "action" | "formaction" | "srcdoc" | "data");
            let scripted = value.trim_start().to_ascii_lowercase().starts_with("javascript:");
            if name.starts_with("on") || (url_attr && scripted) || name == "srcdoc" {
                found.push(format!("<{} {name}={value:?}>", el.value().name()));
            }
        }
    }
    found
}

async fn page(addr: std::net::SocketAddr, query: &str) -> Html {
    let resp = reqwest::get(format!("http://{addr}/?{query}")).await.unwrap();
    assert_eq!(resp.status(), 200, "{query}");
    Html::parse_document(&resp.text().await.unwrap())
}

#[tokio::test]
async fn no_share_link_opens_a_script_in_any_field_of_any_model() {
    let addr = common::spawn(&[]).await;
    let mut pages = 0;
    for model in app::catalog::models() {
        let clean = page(addr, &format!("model={}", encode(&model.slug()))).await;
        let expected = census(&clean);
        for (i, payload) in PAYLOADS.iter().enumerate() {
            let mut query = format!("model={}", encode(&model.slug()));
            for field in model.model.fields {
                query.push_str(&format!("&{}={}", field.key, encode(payload)));
            }
            // An unknown key is echoed in a notice: key and value are payloads too.
            query.push_str(&format!("&{}={}", encode(payload), encode(PAYLOADS[(i + 1) % PAYLOADS.len()])));
            let html = page(addr, &query).await;
            assert_eq!(census(&html), expected, "{} with {payload:?}", model.slug());
            assert_eq!(handlers_and_script_urls(&html), Vec::<String>::new(), "{} with {payload:?}", model.slug());
            pages += 1;
        }
    }
    assert!(pages >= 19 * PAYLOADS.len(), "{pages}");
}

#[tokio::test]
async fn the_model_slug_itself_is_a_payload_too() {
    let addr = common::spawn(&[]).await;
    let expected = census(&page(addr, "").await);
    for payload in PAYLOADS {
        let html = page(addr, &format!("model={}", encode(payload))).await;
        assert_eq!(census(&html), expected, "{payload:?}");
        assert!(handlers_and_script_urls(&html).is_empty(), "{payload:?}");
    }
}

#[tokio::test]
async fn a_server_rendered_prompt_is_exactly_the_links_value() {
    let addr = common::spawn(&[]).await;
    let textarea = Selector::parse("textarea").unwrap();
    for prompt in PAYLOADS.iter().copied().chain(["\nstarts with a newline", "\n\ntwo", "a & b &amp; c", "ends\n"]) {
        if prompt.contains('\u{0}') {
            continue; // a browser turns NUL into U+FFFD in text
        }
        let html = page(addr, &format!("model=aimlapi/flux/dev&prompt={}", encode(prompt))).await;
        let shown: String = html.select(&textarea).next().expect("the prompt box").text().collect();
        assert_eq!(shown, prompt);
    }
}

#[tokio::test]
async fn the_passphrase_page_reflects_next_only_as_an_escaped_path() {
    let addr = common::spawn(&[("FLUXPLAY_PASSPHRASE", "p")]).await;
    for payload in PAYLOADS {
        let query = format!("next={}", encode(&format!("/?prompt={payload}")));
        let resp = reqwest::get(format!("http://{addr}/unlock?{query}")).await.unwrap();
        let html = Html::parse_document(&resp.text().await.unwrap());
        assert_eq!(html.select(&Selector::parse("script").unwrap()).count(), 0, "{payload:?}");
        assert!(handlers_and_script_urls(&html).is_empty(), "{payload:?}");
    }
}

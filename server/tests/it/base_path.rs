//! Mounted under a path (`FLUXPLAY_BASE_PATH=/playground`), as a docs site's reverse
//! proxy would: every address a page, an answer or a redirect gives is under the base,
//! and every one of them a browser would load answers (the crawl below).

use crate::common;
use reqwest::redirect::Policy;
use reqwest::Url;
use scraper::{Html, Selector};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::SocketAddr;

const BASE: &str = "/playground";

/// A site folder (`site/` in a new folder) with the files a build puts there: `public/`
/// as it is, and the page's bundle.
pub fn site() -> std::path::PathBuf {
    let dir = common::temp_dir().join("site");
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    for entry in std::fs::read_dir("../public").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    for name in ["fluxplay.css", "fluxplay.js", "fluxplay.wasm", "fluxplay_bg.wasm"] {
        std::fs::write(dir.join("pkg").join(name), b"x").unwrap();
    }
    dir
}

async fn spawn(vars: &[(&str, &str)]) -> SocketAddr {
    spawn_site(&site(), vars).await
}

/// The server under `/playground`, serving the site folder `site`.
pub async fn spawn_site(site: &std::path::Path, vars: &[(&str, &str)]) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("fluxplay")
        .site_root(site.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .build();
    let mut all = vec![("FLUXPLAY_BASE_PATH", BASE)];
    all.extend_from_slice(vars);
    let emulator = server::emulator::serve_private().await.unwrap();
    let fetch = common::safe_fetch(server::safe_fetch::Policy::default(), &[]);
    let state = server::AppState::with_fetch(options, common::config(&all), emulator, fetch).unwrap();
    tokio::spawn(async move { server::serve(listener, state, std::future::pending()).await.unwrap() });
    addr
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// Every address in `html`: links, sources, form actions, Open Graph URLs, and the
/// hydration loader's root.
fn addresses(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut out = Vec::new();
    for (sel, attr) in [
        ("[href]", "href"),
        ("[src]", "src"),
        ("form[action]", "action"),
        ("meta[property^='og:'][content^='http']", "content"),
    ] {
        for e in doc.select(&Selector::parse(sel).unwrap()) {
            out.push(e.value().attr(attr).unwrap().to_owned());
        }
    }
    for script in doc.select(&Selector::parse("script[nonce]").unwrap()) {
        let text: String = script.text().collect();
        // The hydration loader (one of the scripts with the nonce) is called with the root first: `(function (root, …) {…})("/playground", "pkg", …)`.
        let call = text.rsplit_once("})").map(|(_, call)| call.trim_start());
        let root = call.and_then(|c| c.strip_prefix("(\"")).and_then(|r| r.split('"').next());
        if let Some(root) = root {
            out.push(format!("{root}/pkg/fluxplay.js"));
        }
    }
    out
}

/// Checks that every address in the page at `path` is under the base, and that those a
/// browser loads with GET answer without an error; the addresses seen.
async fn crawl(addr: SocketAddr, path: &str) -> Vec<String> {
    let c = client();
    let page = Url::parse(&format!("http://{addr}{path}")).unwrap();
    let resp = c.get(page.clone()).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    let html = resp.text().await.unwrap();
    let found = addresses(&html);
    assert!(!found.is_empty(), "{path}: no addresses at all");
    let mut fetched = BTreeSet::new();
    for a in &found {
        let url = page.join(a).unwrap_or_else(|e| panic!("{path}: `{a}`: {e}"));
        if url.host_str() != Some("127.0.0.1") || url.port() != Some(addr.port()) {
            continue;
        }
        assert!(url.path().starts_with("/playground/"), "{path}: `{a}` leaves the base ({})", url.path());
        let posted = html.contains(&format!("action=\"{a}\""));
        if !posted && fetched.insert(url.to_string()) {
            let status = c.get(url.clone()).send().await.unwrap().status().as_u16();
            assert!(status < 400, "{path}: `{a}` answers {status}");
        }
    }
    found
}

/// A run of the emulated FLUX.1 [dev] through the mount: its id and its result.
async fn finished(addr: SocketAddr) -> (String, Value) {
    let params = json!({"prompt": "a lighthouse", "seed": 7});
    let (states, last) = common::run_job_at(&format!("http://{addr}{BASE}"), "bfl/flux-dev", params).await;
    assert_eq!(last["state"], "done", "{states:?} {last}");
    let id = last["result"]["request_id"].as_str().unwrap().to_owned();
    (id, last["result"].clone())
}

#[tokio::test]
async fn every_address_is_under_the_base_and_answers() {
    let addr = spawn(&[]).await;
    let (first, _) = finished(addr).await;
    let (job, result) = finished(addr).await;
    let image = result["images"][0]["url"].as_str().unwrap();
    assert!(image.starts_with("/playground/images/"), "{result}");
    assert_eq!(result["permalink"], format!("{BASE}/r/{job}"));
    let history: Value =
        client().get(format!("http://{addr}{BASE}/api/history")).send().await.unwrap().json().await.unwrap();
    let entry = &history["items"][0];
    for key in ["permalink", "restore"] {
        assert!(entry[key].as_str().unwrap().starts_with("/playground/"), "{key}: {entry}");
    }
    assert!(entry["thumbs"][0].as_str().unwrap().starts_with("/playground/thumbs/"), "{entry}");

    let model = "model=bfl%2Fflux-dev&prompt=a%20lighthouse";
    for path in [
        format!("{BASE}/"),
        format!("{BASE}/?{model}&result={job}"),
        format!("{BASE}/embed?{model}&result={job}"),
        format!("{BASE}/history"),
        format!("{BASE}/history?embed={job}"),
        format!("{BASE}/r/{job}"),
        format!("{BASE}/compare?a={first}&b={job}"),
    ] {
        crawl(addr, &path).await;
    }
    // The form posted without script lands on the run's page under the base.
    let form = reqwest::multipart::Form::new().text("model", "bfl/flux-dev").text("prompt", "a lighthouse");
    let posted = client()
        .post(format!("http://{addr}{BASE}/"))
        .header("origin", format!("http://{addr}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 303);
    let to = posted.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/playground/?model=bfl/flux-dev&prompt=a%20lighthouse&seed="), "{to}");
    // The run's panel the page fetches is put in the page at `{BASE}/`, and resolves from there.
    let panel = client().get(format!("http://{addr}{BASE}/api/results/{job}")).send().await.unwrap();
    let panel = panel.text().await.unwrap();
    let shown = addresses(&panel);
    assert!(shown.iter().any(|a| a.starts_with("/playground/images/")), "{shown:?}");
    assert!(shown.iter().all(|a| a.starts_with("/playground/")), "{shown:?}");
}

#[tokio::test]
async fn the_base_itself_redirects_into_it_and_nothing_else_is_served() {
    let addr = spawn(&[]).await;
    let c = client();
    let get = |path: &str| c.get(format!("http://{addr}{path}")).send();
    let resp = get("/playground?model=bfl%2Fflux-dev").await.unwrap();
    assert_eq!(resp.status().as_u16(), 308);
    assert_eq!(resp.headers()["location"], "/playground/?model=bfl%2Fflux-dev");
    for outside in ["/", "/api/history", "/favicon.svg", "/playgroundx/", "/other/playground/"] {
        assert_eq!(get(outside).await.unwrap().status().as_u16(), 404, "{outside}");
    }
    // Orchestrators ask at the root as well as under the base.
    for health in ["/healthz", "/playground/healthz", "/readyz", "/playground/readyz"] {
        assert_eq!(get(health).await.unwrap().status().as_u16(), 200, "{health}");
    }
    // The cookie stays with the playground's paths.
    let resp = get("/playground/").await.unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Path=/playground/;"), "{cookie}");
}

#[tokio::test]
async fn redirects_and_snippets_name_the_base() {
    let addr = spawn(&[("FLUXPLAY_PASSPHRASE", "open sesame")]).await;
    let c = client();
    let resp = c.get(format!("http://{addr}{BASE}/?model=bfl%2Fflux-dev")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/playground/unlock?next="), "{to}");
    let unlock = c.get(format!("http://{addr}{to}")).send().await.unwrap().text().await.unwrap();
    assert!(addresses(&unlock).iter().all(|a| a.starts_with("/playground/")), "{unlock}");
    let resp = c
        .post(format!("http://{addr}{BASE}/unlock"))
        .form(&[("passphrase", "open sesame"), ("next", "/?model=bfl%2Fflux-dev")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/playground/?model=bfl%2Fflux-dev");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert!(resp.headers()["set-cookie"].to_str().unwrap().contains("Path=/playground/;"));

    let snippet = |lang: &str, target: &str| {
        c.get(format!(
            "http://{addr}{BASE}/api/snippet?lang={lang}&target={target}&origin=https%3A%2F%2Fdocs.example&model=bfl%2Fflux-dev&prompt=hi"
        ))
        .header("cookie", cookie.clone())
        .send()
    };
    let curl = snippet("curl", "emulator").await.unwrap().text().await.unwrap();
    assert!(curl.contains("https://docs.example/playground/emulate/bfl/"), "{curl}");
    let embed = snippet("embed", "provider").await.unwrap().text().await.unwrap();
    assert!(
        embed.contains("src=\"https://docs.example/playground/embed?model=bfl/flux-dev&amp;prompt=hi\""),
        "{embed}"
    );
    assert!(embed.contains("event.origin !== \"https://docs.example\""), "{embed}");
}

#[tokio::test]
async fn the_passphrase_form_on_the_way_to_the_embed_view_may_be_framed_as_it() {
    let addr = spawn(&[("FLUXPLAY_EMBED_ANCESTORS", "https://docs.example"), ("FLUXPLAY_PASSPHRASE", "p")]).await;
    let c = client();
    let locked = c.get(format!("http://{addr}{BASE}/embed?model=bfl%2Fflux-dev")).send().await.unwrap();
    let to = locked.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/playground/unlock?next=/embed"), "{to}");
    let csp = |resp: reqwest::Response| resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let form = c.get(format!("http://{addr}{to}")).send().await.unwrap();
    assert!(csp(form).ends_with("frame-ancestors https://docs.example"));
    let full = c.get(format!("http://{addr}{BASE}/unlock?next=/%3Fmodel%3Dbfl")).send().await.unwrap();
    assert!(csp(full).ends_with("frame-ancestors 'self'"));
}

#[tokio::test]
async fn only_the_embed_view_may_be_framed_by_the_docs() {
    let addr = spawn(&[("FLUXPLAY_EMBED_ANCESTORS", "https://docs.example")]).await;
    let c = client();
    let csp = |resp: &reqwest::Response| resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let page = c.get(format!("http://{addr}{BASE}/")).send().await.unwrap();
    assert!(csp(&page).ends_with("frame-ancestors 'self'"), "{}", csp(&page));
    let embed = c.get(format!("http://{addr}{BASE}/embed?model=bfl%2Fflux-dev")).send().await.unwrap();
    assert!(csp(&embed).ends_with("frame-ancestors https://docs.example"), "{}", csp(&embed));
    let html = Html::parse_document(&embed.text().await.unwrap());
    let one = |sel: &str| html.select(&Selector::parse(sel).unwrap()).count();
    assert_eq!(one("body.embed"), 1);
    assert_eq!(one("script[src='/playground/embed.js']"), 1);
    assert_eq!(one("base[target='_blank']:not([href])"), 1, "links leave the frame");
    assert_eq!(one("form textarea#prompt"), 1, "the form is there");
    assert_eq!(one("#snippet-code"), 1, "and the snippet");
}

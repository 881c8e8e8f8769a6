//! The docs team's surfaces as a stranger tries them: the embed view and the embed
//! snippet with the XSS cheat sheet's payloads, hostile `origin` values, and paths that
//! try to step out of the base path (OWASP path traversal, double encoding, doubled
//! slashes), sent raw so no client tidies them first.

use super::xss::PAYLOADS;
use crate::common;
use scraper::{Html, Selector};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn encode(text: &str) -> String {
    app::share::encode(text)
}

fn count(html: &Html, sel: &str) -> usize {
    html.select(&Selector::parse(sel).unwrap()).count()
}

/// Every `on…` attribute and `javascript:` address in `html`.
fn handlers(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for el in html.select(&Selector::parse("*").unwrap()) {
        for (name, value) in el.value().attrs() {
            if name.starts_with("on") || value.trim_start().to_ascii_lowercase().starts_with("javascript:") {
                found.push(format!("<{} {name}={value:?}>", el.value().name()));
            }
        }
    }
    found
}

#[tokio::test]
async fn the_embed_view_runs_nothing_a_share_link_brings() {
    let addr = common::spawn(&[]).await;
    let get = |query: String| async move {
        let resp = reqwest::get(format!("http://{addr}/embed?{query}")).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{query}");
        Html::parse_document(&resp.text().await.unwrap())
    };
    let clean = get("model=bfl/flux-dev".into()).await;
    let active = ["script", "iframe", "base", "meta", "link", "svg", "img", "style"];
    for payload in PAYLOADS {
        let html = get(format!("model=bfl/flux-dev&prompt={p}&{p}={p}", p = encode(payload))).await;
        for tag in active {
            assert_eq!(count(&html, tag), count(&clean, tag), "<{tag}> with {payload:?}");
        }
        assert!(handlers(&html).is_empty(), "{payload:?}: {:?}", handlers(&html));
    }
}

#[tokio::test]
async fn the_embed_snippet_holds_any_payload_as_data_and_names_only_a_plain_origin() {
    let addr = common::spawn(&[]).await;
    let snippet = |query: String| async move {
        let resp = reqwest::get(format!("http://{addr}/api/snippet?lang=embed&{query}")).await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    };
    for payload in PAYLOADS {
        let (status, text) =
            snippet(format!("origin=https%3A%2F%2Fdocs.example&model=bfl/flux-dev&prompt={}", encode(payload))).await;
        assert_eq!(status, 200, "{payload:?}");
        // Pasted into a docs page, it is one frame and one script, whatever the prompt.
        let html = Html::parse_fragment(&text);
        assert_eq!((count(&html, "iframe"), count(&html, "script")), (1, 1), "{payload:?}: {text}");
        assert!(handlers(&html).is_empty(), "{payload:?}: {text}");
        let frame = html.select(&Selector::parse("iframe").unwrap()).next().unwrap();
        assert!(frame
            .value()
            .attr("src")
            .unwrap()
            .starts_with("https://docs.example/embed?model=bfl/flux-dev&prompt="));
    }
    for origin in [
        "https://docs.example\"><script>alert(1)</script>",
        "javascript:alert(1)//",
        "https://docs.example/path",
        "https://user:pass@docs.example",
        "https://docs.example\n<script>",
        "data:text/html,<script>alert(1)</script>",
    ] {
        let (status, text) = snippet(format!("origin={}&model=bfl/flux-dev&prompt=x", encode(origin))).await;
        assert_eq!(status, 422, "{origin:?}: {text}");
        assert!(text.contains("\"field\":\"origin\""), "{origin:?}: {text}");
    }
}

/// `request` sent as it is; the status line and the body.
async fn raw(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn no_path_steps_out_of_the_base_or_elsewhere() {
    // A secret beside the site folder: what a traversal would reach.
    let site = crate::base_path::site();
    std::fs::write(site.parent().unwrap().join("secret.txt"), "root:x:0 the secret").unwrap();
    let addr = crate::base_path::spawn_site(&site, &[]).await;
    assert_eq!(raw(addr, "/playground/favicon.svg").await.0, 200, "the site is served");
    for target in [
        "/playground/../secret.txt",
        "/playground/../../../../etc/passwd",
        "/playground/..%2fsecret.txt",
        "/playground/%2e%2e/secret.txt",
        "/playground/%252e%252e/secret.txt",
        "/playground/pkg/../../secret.txt",
        "/playground/pkg/%2e%2e/%2e%2e/secret.txt",
        "/playground/..\\secret.txt",
        "/playground/..%5csecret.txt",
        "/Playground/",
        "/playground%2f",
        "/playground%2fapi%2fhistory",
        "/playgroundapi/history",
        "//playground/api/history",
        "/other/../playground/api/history",
        "/playground//evil.example/api/history",
        "/playground/%00/api/history",
        // A folder of the site: no "add a slash" redirect, which would leave the base or name a host.
        "/playground/pkg",
        "/playground//pkg",
    ] {
        let (status, text) = raw(addr, target).await;
        assert!(status > 0 && status < 500, "{target}: {status}");
        assert!(!text.contains("[workspace]") && !text.contains("root:x:0"), "{target}: a file outside the site");
        assert!(!text.contains("\"items\""), "{target}: the API answered outside the base");
        let location = text.lines().find(|l| l.to_ascii_lowercase().starts_with("location:"));
        assert!(location.is_none_or(|l| !l.contains("evil.example") && !l.contains("//")), "{target}: {location:?}");
    }
    // The way in still works, and a doubled slash inside is not another host.
    assert_eq!(raw(addr, "/playground/api/history").await.0, 200);
    let (status, _) = raw(addr, "/playground?next=//evil.example").await;
    assert_eq!(status, 308);
}

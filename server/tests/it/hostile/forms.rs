//! The surfaces issue 15 added, tried from public attack classes: the form posted
//! without script (CSRF, multipart bombs, too many parts, oversized and slow bodies,
//! decompression bombs as files, script in every field), the `?result=` and
//! `/compare` queries (reflected XSS), the result and cancel paths (ids as payloads).
//! Nothing here may reach the provider, answer 5xx, or run script.

use super::xss::PAYLOADS;
use crate::common;
use reqwest::multipart::{Form, Part};
use scraper::{Html, Selector};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn same_site(addr: SocketAddr, body: Form) -> reqwest::RequestBuilder {
    client().post(format!("http://{addr}/")).header("origin", format!("http://{addr}")).multipart(body)
}

fn form(pairs: &[(&str, &str)]) -> Form {
    pairs.iter().fold(Form::new(), |f, (k, v)| f.text((*k).to_owned(), (*v).to_owned()))
}

/// Elements that run or load something, and attributes that do.
fn active(html: &str) -> (usize, Vec<String>) {
    let doc = Html::parse_document(html);
    let scripts = doc.select(&Selector::parse("script:not([type='application/json'])").unwrap()).count();
    let mut handlers = Vec::new();
    for el in doc.select(&Selector::parse("*").unwrap()) {
        for (name, value) in el.value().attrs() {
            let url_attr = matches!(name, "href" | "src" | "action" | "formaction" | "data");
            let scripted = url_attr && value.trim_start().to_ascii_lowercase().starts_with("javascript:");
            if name.starts_with("on") || scripted || name == "srcdoc" {
                handlers.push(format!("<{} {name}={value:?}>", el.value().name()));
            }
        }
    }
    (scripts, handlers)
}

#[tokio::test]
async fn script_in_every_posted_field_comes_back_as_text() {
    let (addr, submits, _) = common::live("aimlapi", "k", &[]).await;
    let clean = client().get(format!("http://{addr}/?model=aimlapi/flux/dev")).send().await.unwrap();
    let (scripts, _) = active(&clean.text().await.unwrap());
    for payload in PAYLOADS {
        // Steps out of range: the page comes back (422) with every field as typed.
        let body = form(&[
            ("form_model", "aimlapi/flux/dev"),
            ("model", "aimlapi/flux/dev"),
            ("prompt", payload),
            ("image_size", payload),
            ("image_size.width", payload),
            ("num_inference_steps", "999"),
            ("seed", payload),
            (payload, payload),
        ]);
        let resp = same_site(addr, body).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 422, "{payload:?}");
        let html = resp.text().await.unwrap();
        let (s, handlers) = active(&html);
        assert_eq!((s, handlers), (scripts, Vec::<String>::new()), "{payload:?}");
    }
    assert_eq!(submits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn result_and_compare_ids_are_never_reflected_as_markup() {
    let addr = common::spawn(&[]).await;
    let clean = client().get(format!("http://{addr}/")).send().await.unwrap().text().await.unwrap();
    let (scripts, _) = active(&clean);
    for payload in PAYLOADS {
        let q = app::share::encode(payload);
        let page = client().get(format!("http://{addr}/?result={q}")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert_eq!(active(&html), (scripts, vec![]), "{payload:?}");
        assert!(html.contains("no longer kept"), "{payload:?}");
        for path in [format!("/compare?a={q}&b={q}x"), format!("/compare?id={q}"), format!("/api/results/{q}")] {
            let resp = client().get(format!("http://{addr}{path}")).send().await.unwrap();
            assert!(resp.status().is_client_error(), "{path}: {}", resp.status());
            let html_answer = resp.headers().get("content-type").is_some_and(|t| t.to_str().unwrap().contains("html"));
            let html = resp.text().await.unwrap();
            assert!(html_answer || !html.contains('<'), "{path}: markup in a JSON answer: {html}");
            assert_eq!(active(&html).1, Vec::<String>::new(), "{path}");
            assert!(!html.contains("<script>window.__xss"), "{path}");
        }
        let cancel = client().delete(format!("http://{addr}/api/jobs/{q}")).send().await.unwrap();
        assert!(cancel.status().is_client_error(), "{payload:?}: {}", cancel.status());
    }
}

#[tokio::test]
async fn another_sites_form_is_refused_before_its_body_is_read() {
    let (addr, submits, _) = common::live("aimlapi", "k", &[]).await;
    let body = || form(&[("model", "aimlapi/flux/dev"), ("form_model", "aimlapi/flux/dev"), ("prompt", "spend")]);
    for (header, value) in [("origin", "https://evil.example"), ("origin", "null"), ("sec-fetch-site", "cross-site")] {
        let resp =
            client().post(format!("http://{addr}/")).header(header, value).multipart(body()).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{header}: {value}");
    }
    assert_eq!(submits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn multipart_bombs_get_a_4xx_that_names_the_limit() {
    let addr = common::spawn(&[]).await;
    // Many tiny parts.
    let many = (0..5000).fold(Form::new(), |f, i| f.text(format!("p{i}"), "x"));
    let resp = same_site(addr, many).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.unwrap().contains("128 parts"));
    // One text part larger than the whole form may be.
    let huge = Form::new().text("prompt", "a".repeat(11 << 20));
    let resp = same_site(addr, huge).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    // Not multipart at all, or a broken boundary: a 4xx, never a 5xx.
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", "model=aimlapi/flux/dev&prompt=x".to_owned()),
        (
            "multipart/form-data; boundary=XYZ",
            "--XYZ\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nunterminated".to_owned(),
        ),
        ("multipart/form-data", "no boundary".to_owned()),
    ] {
        let resp = client()
            .post(format!("http://{addr}/"))
            .header("origin", format!("http://{addr}"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{content_type}: {}", resp.status());
    }
}

#[tokio::test]
async fn a_file_that_is_a_decompression_bomb_is_refused_by_its_field() {
    let (addr, submits, state) = common::live("aimlapi", "k", &[]).await;
    // A PNG header that claims 60000×60000: what decoding it would cost is refused before it is paid.
    let mut bomb = common::png(1, 1);
    bomb[16..20].copy_from_slice(&60000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60000u32.to_be_bytes());
    let body = form(&[
        ("model", "aimlapi/flux/dev/image-to-image"),
        ("form_model", "aimlapi/flux/dev/image-to-image"),
        ("prompt", "p"),
    ])
    .part("image_url.file", Part::bytes(bomb).file_name("bomb.png").mime_str("image/png").unwrap());
    let resp = same_site(addr, body).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("image_url"), "the field is named");
    assert!(state.inner.uploads.names().await.is_empty(), "nothing is kept");
    assert_eq!(submits.load(Ordering::SeqCst), 0);
}

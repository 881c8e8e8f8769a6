//! Server-side request forgery: a reference image's URL is fetched only through
//! the public-internet-only fetcher. Hostile URLs (private, loopback, metadata,
//! IP literals in every spelling, rebinding names, redirects into the network)
//! are refused and an internal listener receives nothing; what is fetched is
//! capped, checked as an image, and handed to the provider as an upload, never
//! as the URL. Names resolve through a test resolver: no test depends on DNS.

use crate::common;

use axum::extract::Path;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{json, Value};
use server::safe_fetch::{Lookup, Policy, Refused, SafeFetch};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Stands in for anything inside the network: it must never be reached.
async fn internal() -> (u16, Arc<AtomicUsize>) {
    let (addr, hits) = common::tripwire().await;
    (addr.port(), hits)
}

/// A "public" host on 127.0.0.2, which the tests' policy counts as public.
async fn public(internal_port: u16) -> u16 {
    let png = common::png(40, 30);
    let router = axum::Router::new()
        .route("/cat.png", get(move || async move { ([(CONTENT_TYPE, "image/png")], png.clone()) }))
        .route("/to-internal", get(move || async move { redirect(&format!("http://internal.test:{internal_port}/")) }))
        .route("/to-ip", get(move || async move { redirect(&format!("http://127.0.0.1:{internal_port}/")) }))
        .route("/to-metadata", get(|| async { redirect("http://169.254.169.254/latest/meta-data/") }))
        .route("/to-file", get(|| async { redirect("file:///etc/passwd") }))
        .route("/hop/{n}", get(|Path(n): Path<u32>| async move { redirect(&format!("/hop/{}", n + 1)) }))
        .route("/big", get(|| async { ([(CONTENT_TYPE, "image/png")], vec![0u8; 2 << 20]) }))
        .route("/html", get(|| async { ([(CONTENT_TYPE, "image/png")], "<html><body>not an image</body></html>") }))
        .route(
            "/svg",
            get(|| async { ([(CONTENT_TYPE, "image/svg+xml")], r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#) }),
        )
        .route("/empty", get(|| async { ([(CONTENT_TYPE, "image/png")], Vec::<u8>::new()) }))
        .route("/huge", get(|| async { ([(CONTENT_TYPE, "image/png")], huge_png_header()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

fn redirect(to: &str) -> impl IntoResponse {
    (StatusCode::FOUND, [(LOCATION, to.to_owned())])
}

/// A PNG whose header claims 60000×60000.
fn huge_png_header() -> Vec<u8> {
    let mut png = common::png(1, 1);
    png[16..20].copy_from_slice(&60000u32.to_be_bytes());
    png[20..24].copy_from_slice(&60000u32.to_be_bytes());
    png
}

const NAMES: &[(&str, &str)] = &[
    ("public.test", "127.0.0.2"),
    ("internal.test", "127.0.0.1"),
    ("localhost", "127.0.0.1"),
    ("169-254-169-254.nip.io", "169.254.169.254"),
    ("ten.test", "10.0.0.1"),
    ("cgnat.test", "100.64.0.1"),
    ("v6-loopback.test", "::1"),
    ("v6-mapped.test", "::ffff:127.0.0.1"),
    ("v6-ula.test", "fc00::1"),
    ("v6-link.test", "fe80::1"),
    ("nat64.test", "64:ff9b::7f00:1"),
];

fn test_policy() -> Policy {
    Policy { allow_http: true, also_allowed: vec!["127.0.0.2".parse().unwrap()] }
}

fn fetcher(lookup: Lookup) -> SafeFetch {
    SafeFetch::new(test_policy(), lookup, Duration::from_secs(3), 1 << 20).unwrap()
}

#[tokio::test]
async fn hostile_urls_are_refused_and_the_internal_listener_hears_nothing() {
    let (ip, hits) = internal().await;
    let pb = public(ip).await;
    let fetch = fetcher(common::lookup(NAMES));
    let cases: Vec<(String, Refused)> = vec![
        (format!("http://internal.test:{ip}/"), Refused::Private),
        (format!("http://localhost:{ip}/"), Refused::Private),
        (format!("http://169-254-169-254.nip.io:{ip}/latest/meta-data/"), Refused::Private),
        (format!("http://ten.test:{ip}/"), Refused::Private),
        (format!("http://cgnat.test:{ip}/"), Refused::Private),
        (format!("http://v6-loopback.test:{ip}/"), Refused::Private),
        (format!("http://v6-mapped.test:{ip}/"), Refused::Private),
        (format!("http://v6-ula.test:{ip}/"), Refused::Private),
        (format!("http://v6-link.test:{ip}/"), Refused::Private),
        (format!("http://nat64.test:{ip}/"), Refused::Private),
        (format!("http://127.0.0.1:{ip}/"), Refused::IpLiteral),
        (format!("http://127.1:{ip}/"), Refused::IpLiteral),
        (format!("http://2130706433:{ip}/"), Refused::IpLiteral),
        (format!("http://0x7f000001:{ip}/"), Refused::IpLiteral),
        (format!("http://017700000001:{ip}/"), Refused::IpLiteral),
        (format!("http://0:{ip}/"), Refused::IpLiteral),
        (format!("http://[::1]:{ip}/"), Refused::IpLiteral),
        (format!("http://[::ffff:127.0.0.1]:{ip}/"), Refused::IpLiteral),
        (format!("http://[::ffff:10.0.0.1]:{ip}/"), Refused::IpLiteral),
        (format!("http://[fc00::1]:{ip}/"), Refused::IpLiteral),
        ("http://169.254.169.254/latest/meta-data/".into(), Refused::IpLiteral),
        ("http://100.64.0.1/".into(), Refused::IpLiteral),
        ("http://10.0.0.1:6379/".into(), Refused::IpLiteral),
        (format!("http://public@127.0.0.1:{ip}/"), Refused::Credentials),
        (format!("http://public.test@internal.test:{ip}/"), Refused::Credentials),
        ("file:///etc/passwd".into(), Refused::Scheme("file".into())),
        ("gopher://internal.test/".into(), Refused::Scheme("gopher".into())),
        ("ftp://internal.test/".into(), Refused::Scheme("ftp".into())),
        ("javascript:alert(1)".into(), Refused::Scheme("javascript".into())),
        (format!("http://public.test:{pb}/to-internal"), Refused::Private),
        (format!("http://public.test:{pb}/to-ip"), Refused::IpLiteral),
        (format!("http://public.test:{pb}/to-metadata"), Refused::IpLiteral),
        (format!("http://public.test:{pb}/to-file"), Refused::Scheme("file".into())),
        (format!("http://public.test:{pb}/hop/0"), Refused::Redirects),
        (format!("http://public.test:{pb}/big"), Refused::TooLarge(1 << 20)),
        ("http://no-such-name.test/".into(), Refused::Unreachable),
    ];
    for (url, why) in &cases {
        assert_eq!(fetch.get(url).await.as_ref().map(Vec::len), Err(why), "{url}");
    }
    assert!(fetch.get(&format!("http://[fe80::1%25eth0]:{ip}/")).await.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the internal listener was reached");
    // The same fetcher does reach a public host.
    assert_eq!(fetch.get(&format!("http://public.test:{pb}/cat.png")).await.unwrap(), common::png(40, 30));
    // And, with the real policy, plain http is refused.
    let strict = SafeFetch::new(Policy::default(), common::lookup(NAMES), Duration::from_secs(3), 1 << 20).unwrap();
    assert_eq!(strict.get(&format!("http://public.test:{pb}/cat.png")).await, Err(Refused::Scheme("http".into())));
}

#[tokio::test]
async fn a_name_that_rebinds_to_a_private_address_is_refused_at_connect_time() {
    let (ip, hits) = internal().await;
    let pb = public(ip).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    // Public on the first lookup, private afterwards; or both at once.
    let lookup: Lookup = Arc::new(move |name: String| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let ips: Vec<IpAddr> = match (name.as_str(), n) {
                ("rebind.test", 0) => vec!["127.0.0.2".parse().unwrap()],
                ("rebind.test", _) => vec!["127.0.0.1".parse().unwrap()],
                _ => vec!["127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap()],
            };
            Ok(ips)
        })
    });
    let fetch = fetcher(lookup);
    assert!(fetch.get(&format!("http://rebind.test:{pb}/cat.png")).await.is_ok(), "first answer public");
    assert_eq!(fetch.get(&format!("http://rebind.test:{ip}/")).await, Err(Refused::Private));
    // Mixed answers: only the public address is dialled.
    assert!(fetch.get(&format!("http://mixed.test:{pb}/cat.png")).await.is_ok());
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn what_is_fetched_must_be_a_real_image_and_reaches_the_provider_as_an_upload() {
    let (ip, hits) = internal().await;
    let pb = public(ip).await;
    // The provider: the AI/ML API emulator, capturing what it is sent.
    let bodies = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = bodies.clone();
    let emulator = axum::Router::new().nest_service("/emulate", server::emulator::router()).layer(
        axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
            let log = log.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                log.lock().unwrap().push(String::from_utf8_lossy(&bytes).into_owned());
                next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await
            }
        }),
    );
    let upstream: SocketAddr = common::spawn_router(emulator).await;
    let state =
        server::AppState::with_fetch(common::options(), common::config(&[]), upstream, fetcher(common::lookup(NAMES)))
            .unwrap();
    let model = app::catalog::find("aimlapi/flux/dev/image-to-image").unwrap();
    // Validation wants https; the fetcher is what is tested here, so the URL goes in after it.
    let params = |url: String| -> app::valid::Valid {
        let p = json!({"prompt": "a cat", "image_url": "https://public.test/x.png", "strength": 0.5});
        let mut valid = app::validate::validate(model, p.as_object().unwrap()).unwrap();
        valid.references[0].source = app::valid::Source::Url(url);
        valid
    };

    for (path, why) in [
        ("html", "does not lead to a usable image"),
        ("svg", "does not lead to a usable image"),
        ("empty", "does not lead to a usable image"),
        ("huge", "does not lead to a usable image"),
        ("big", "is larger than"),
    ] {
        let mut p = params(format!("http://public.test:{pb}/{path}"));
        let err = server::references::fetch_urls(&state, &mut p).await.unwrap_err();
        let server::error::Error::Unusable(field) = err else { panic!("{path}: {err:?}") };
        assert_eq!(field.field, "image_url");
        assert!(field.message.contains(why), "{path}: {}", field.message);
    }

    let mut p = params(format!("http://public.test:{pb}/cat.png"));
    server::references::fetch_urls(&state, &mut p).await.unwrap();
    let reference = p.params()["image_url"].as_str().unwrap().to_owned();
    assert!(app::valid::upload_name(&reference).is_some(), "{reference}");
    assert!(matches!(p.references[0].source, app::valid::Source::Upload(_)), "{:?}", p.references);
    let upstream = state.upstream("aimlapi");
    let generated = server::providers::generate(&state, &p, upstream, &Default::default()).await.unwrap();
    assert_eq!(generated.images.len(), 1);
    let sent = bodies.lock().unwrap().join("\n");
    assert!(sent.contains("data:image/png;base64,"), "the image went inline");
    assert!(!sent.contains("public.test") && !sent.contains("http://127."), "the user's URL went out: {sent}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn through_the_api_a_hostile_reference_url_is_a_clear_field_error() {
    let (ip, hits) = internal().await;
    let (addr, state) = common::spawn_state(&[], fetcher(common::lookup(NAMES))).await;
    let client = reqwest::Client::new();
    for url in [
        format!("https://internal.test:{ip}/cat.png"),
        format!("https://169-254-169-254.nip.io:{ip}/"),
        format!("https://127.0.0.1:{ip}/cat.png"),
        format!("https://[::ffff:127.0.0.1]:{ip}/"),
        format!("https://public@127.0.0.1:{ip}/"),
        format!("http://internal.test:{ip}/cat.png"),
    ] {
        let resp = client
            .post(format!("http://{addr}/api/generate"))
            .json(&json!({"model": "aimlapi/flux/dev/image-to-image", "params": {"prompt": "p", "image_url": url}}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let error: Value = resp.json().await.unwrap();
        assert!(status == 400 || status == 422, "{url}: {status} {error}");
        assert_eq!(error["fields"][0]["field"], "image_url", "{url}: {error}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(state.inner.metrics.submits("aimlapi"), 0, "nothing went to the provider");
}

#[tokio::test]
async fn an_image_url_a_provider_returns_on_another_host_is_fetched_only_if_public() {
    let (ip, hits) = internal().await;
    let pb = public(ip).await;
    for (image_url, ok) in [
        (format!("http://internal.test:{ip}/x.png"), false),
        (format!("http://127.0.0.1:{ip}/x.png"), false),
        ("http://169.254.169.254/latest/meta-data/".to_owned(), false),
        (format!("http://public.test:{pb}/cat.png"), true),
    ] {
        let answer = json!({"data": [{"url": image_url}]});
        let stub = axum::Router::new()
            .route("/v1/images/generations", axum::routing::post(move || async move { axum::Json(answer) }));
        let stub = common::spawn_router(stub).await;
        let base = format!("http://{stub}");
        let (addr, _) =
            common::spawn_state(&[("AIMLAPI_KEY", "k"), ("AIMLAPI_BASE_URL", &base)], fetcher(common::lookup(NAMES)))
                .await;
        let (status, body) = common::generate(addr, "aimlapi/flux/dev", json!({"prompt": "p"})).await;
        if ok {
            assert_eq!(status, 200, "{image_url}: {body}");
        } else {
            assert_eq!(status, 502, "{image_url}: {body}");
            assert!(body["message"].as_str().unwrap().contains("The provider's image URL"), "{body}");
        }
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

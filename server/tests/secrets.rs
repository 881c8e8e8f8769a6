//! A canary key must never come back out: not in pages, not in API answers,
//! not in any log line (captured at TRACE, every crate), on the success path
//! nor on the 401, 400-echo, timeout, unreachable and DNS-error paths.

mod common;

use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const CANARY: &str = "canary-3b9f1d7e55";

/// Everything any crate logs in this test binary, at every level.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let make_writer = move || Writer(sink.clone());
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(make_writer)
            .init();
        buffer
    })
    .clone()
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_logs_clean(logs: &Arc<Mutex<Vec<u8>>>) {
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(text.lines().count() > 20, "the capture works: {text}");
    let leaked: Vec<&str> = text.lines().filter(|l| l.contains(CANARY)).collect();
    assert!(leaked.is_empty(), "the key is in the logs: {leaked:#?}");
}

/// Status, and headers plus body as one text to search.
async fn generate(addr: std::net::SocketAddr) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/generate"))
        .json(&json!({"model": "aimlapi/flux/dev", "params": {"prompt": "p"}}))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = format!("{:?}", resp.headers());
    (status, resp.text().await.unwrap() + "\n" + &headers)
}

/// An upstream that rejects the key and, like some real ones, quotes it back.
async fn echoing_401() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().route(
        "/v1/images/generations",
        post(move |headers: HeaderMap| {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            log.lock().unwrap().push(auth.clone());
            async move {
                (axum::http::StatusCode::UNAUTHORIZED, Json(json!({"message": format!("Incorrect API key: {auth}")})))
            }
        }),
    );
    let addr = common::spawn_router(router).await;
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn an_upstream_401_that_echoes_the_key_does_not_leak_it() {
    let logs = logs();
    let (base, seen) = echoing_401().await;
    let addr = common::spawn(&[("AIMLAPI_KEY", CANARY), ("AIMLAPI_BASE_URL", &base)]).await;
    let (status, body) = generate(addr).await;
    assert_eq!(seen.lock().unwrap().as_slice(), [format!("Bearer {CANARY}")], "the key did go upstream");
    assert_eq!(status, 502);
    assert!(body.contains("did not accept the API key"), "{body}");
    assert!(!body.contains(CANARY), "{body}");
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn a_400_that_quotes_the_key_is_passed_on_only_without_it() {
    let logs = logs();
    let router = Router::new().route(
        "/v1/images/generations",
        post(|headers: HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let message = format!("prompt rejected for key {}", auth.trim_start_matches("Bearer "));
            (axum::http::StatusCode::BAD_REQUEST, Json(json!({ "message": message })))
        }),
    );
    let base = format!("http://{}", common::spawn_router(router).await);
    let addr = common::spawn(&[("AIMLAPI_KEY", CANARY), ("AIMLAPI_BASE_URL", &base)]).await;
    let (status, body) = generate(addr).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("prompt rejected for key [redacted]"), "{body}");
    assert!(!body.contains(CANARY), "{body}");
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn a_timeout_does_not_leak_the_key() {
    let logs = logs();
    let emulator = common::spawn(&[]).await;
    let base = format!("http://{emulator}/emulate/aimlapi");
    let key = format!("{CANARY}#hang");
    let addr =
        common::spawn(&[("AIMLAPI_KEY", &key), ("AIMLAPI_BASE_URL", &base), ("FLUXPLAY_READ_TIMEOUT_SECS", "0.5")])
            .await;
    let (status, body) = generate(addr).await;
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("did not answer in time"), "{body}");
    assert!(!body.contains(CANARY), "{body}");
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn success_page_and_transport_errors_do_not_leak_the_key() {
    let logs = logs();
    // Live against the emulator of another instance: the success path.
    let emulator = common::spawn(&[]).await;
    let base = format!("http://{emulator}/emulate/aimlapi");
    let addr = common::spawn(&[("AIMLAPI_KEY", CANARY), ("AIMLAPI_BASE_URL", &base)]).await;
    let (status, body) = generate(addr).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(body.lines().next().unwrap()).unwrap();
    assert_eq!(answer["emulated"], false);
    assert!(!body.contains(CANARY));
    let page = reqwest::get(format!("http://{addr}/")).await.unwrap().text().await.unwrap();
    assert!(page.contains("Live: "), "the page says it is live");
    assert!(!page.contains(CANARY));

    // Nothing listening, and a name that cannot resolve.
    for base in ["http://127.0.0.1:9", "http://fluxplay-nowhere.invalid"] {
        let addr = common::spawn(&[("AIMLAPI_KEY", CANARY), ("AIMLAPI_BASE_URL", base)]).await;
        let (status, body) = generate(addr).await;
        assert_eq!(status, 502, "{base}: {body}");
        assert!(body.contains("could not be reached"), "{body}");
        assert!(!body.contains(CANARY) && !body.contains("nowhere"), "{body}");
    }
    assert_logs_clean(&logs);
}

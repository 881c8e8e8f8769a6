//! A canary key must never come back out: not in pages, not in API answers,
//! not on the success path nor on the 401, unreachable and DNS-error paths.

mod common;

use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const CANARY: &str = "canary-3b9f1d7e55";

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
    let (base, seen) = echoing_401().await;
    let addr = common::spawn(&[("AIMLAPI_KEY", CANARY), ("AIMLAPI_BASE_URL", &base)]).await;
    let (status, body) = generate(addr).await;
    assert_eq!(seen.lock().unwrap().as_slice(), [format!("Bearer {CANARY}")], "the key did go upstream");
    assert_eq!(status, 502);
    assert!(body.contains("did not accept the API key"), "{body}");
    assert!(!body.contains(CANARY), "{body}");
}

#[tokio::test]
async fn success_page_and_transport_errors_do_not_leak_the_key() {
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
}

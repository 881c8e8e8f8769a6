//! The OpenAI-compatible engine: emulated by default, live once its base URL is
//! set even without a key, and its error shape (providers.md §7).

use crate::common;

use serde_json::{json, Value};

async fn generate(addr: std::net::SocketAddr, params: Value) -> (u16, Value) {
    common::generate(addr, "openai/flux-dev", params).await
}

#[tokio::test]
async fn urls_and_base64_answers_both_land_in_the_store() {
    let addr = common::spawn(&[]).await;
    for format in ["url", "b64_json"] {
        let (status, body) =
            generate(addr, json!({"prompt": "a lamp", "size": "512x512", "n": 2, "response_format": format})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["emulated"], true);
        assert_eq!(body["images"].as_array().unwrap().len(), 2);
        assert_eq!(body["images"][0]["width"], 512);
        // The provider's answer comes along, with inline images shortened.
        let first = &body["upstream"]["data"][0];
        if format == "b64_json" {
            assert!(first["b64_json"].as_str().unwrap().ends_with("characters)"), "{first}");
        } else {
            assert!(first["url"].as_str().unwrap().contains("/emulate/files/"), "{first}");
        }
    }
}

#[tokio::test]
async fn a_self_hosted_engine_needs_only_its_url() {
    let engine = common::spawn_router(axum::Router::new().nest_service("/e", server::emulator::router())).await;
    let base = format!("http://{engine}/e/openai");
    let addr = common::spawn(&[("OPENAI_IMAGES_BASE_URL", &base)]).await;
    let page = reqwest::get(format!("http://{addr}/?model=openai/flux-dev")).await.unwrap().text().await.unwrap();
    assert!(page.contains("badge live"), "live without a key");
    let (status, body) = generate(addr, json!({"prompt": "a lamp", "size": "256x256"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["emulated"], false);

    let raw = reqwest::Client::new()
        .post(format!("{base}/v1/images/generations"))
        .json(&json!({"prompt": "p", "size": "4000x10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let error: Value = raw.json().await.unwrap();
    assert_eq!(error["error"]["param"], "size");
}

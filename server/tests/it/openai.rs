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

/// A LocalAI-like engine at `/v1/images/generations` that records what it receives
/// and answers `status` (with a tiny image on 200).
async fn engine(status: u16) -> (std::net::SocketAddr, std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, Value)>>>) {
    use base64::Engine;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let b64 = base64::engine::general_purpose::STANDARD.encode(common::png(8, 8));
    let router = axum::Router::new().route(
        "/v1/images/generations",
        axum::routing::post(move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| {
            let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
            log.lock().unwrap().push((auth, body));
            let b64 = b64.clone();
            async move {
                let code = axum::http::StatusCode::from_u16(status).unwrap();
                (code, axum::Json(json!({"created": 1, "data": [{"b64_json": b64}]})))
            }
        }),
    );
    (common::spawn_router(router).await, seen)
}

#[tokio::test]
async fn a_keyless_engine_gets_its_model_name_the_size_and_no_authorization_with_or_without_v1() {
    for suffix in ["", "/v1", "/v1/"] {
        let (engine, seen) = engine(200).await;
        let base = format!("http://{engine}{suffix}");
        let addr = common::spawn(&[("OPENAI_IMAGES_BASE_URL", &base), ("OPENAI_IMAGES_MODEL", "flux.1-dev")]).await;
        let (status, body) = generate(addr, json!({"prompt": "a lamp"})).await;
        assert_eq!(status, 200, "{suffix}: {body}");
        let (auth, sent) = seen.lock().unwrap()[0].clone();
        assert_eq!(auth, None, "no key, no Authorization header");
        assert_eq!(sent["model"], "flux.1-dev", "the configured name: {sent}");
        assert_eq!(sent["size"], "1024x1024", "the size the form shows is always sent: {sent}");
    }
}

#[tokio::test]
async fn a_wrong_base_url_names_the_path_it_tried() {
    let (engine, _) = engine(404).await;
    let base = format!("http://{engine}/api");
    let addr = common::spawn(&[("OPENAI_IMAGES_BASE_URL", &base), ("OPENAI_IMAGES_API_KEY", "k")]).await;
    let (status, body) = generate(addr, json!({"prompt": "a lamp"})).await;
    assert_eq!(status, 502, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("/api/v1/images/generations") && message.contains("OPENAI_IMAGES_BASE_URL"), "{message}");
    assert!(!message.contains(&engine.to_string()), "the path, not the host: {message}");
}

#[tokio::test]
async fn the_snippet_shows_the_model_name_the_server_sends() {
    let addr =
        common::spawn(&[("OPENAI_IMAGES_BASE_URL", "http://127.0.0.1:9/v1"), ("OPENAI_IMAGES_MODEL", "flux.1-dev")])
            .await;
    let snippet = reqwest::get(format!("http://{addr}/api/snippet?model=openai/flux-dev&prompt=p")).await.unwrap();
    let text = snippet.text().await.unwrap();
    assert!(text.contains(r#""model": "flux.1-dev""#), "{text}");
    // The page's snippet reads it from the status island the server renders.
    let page = reqwest::get(format!("http://{addr}/?model=openai/flux-dev")).await.unwrap().text().await.unwrap();
    assert!(page.contains(r#""model_name":"flux.1-dev""#), "the island carries the name");
    assert!(page.contains("flux.1-dev"), "and the server-rendered snippet shows it");
}

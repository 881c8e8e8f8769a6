//! The AI/ML API adapter against the emulator over real loopback HTTP, and the
//! emulator's own contract (providers.md §1, §8.1).

use crate::common;

use serde_json::{json, Value};

async fn emulator() -> String {
    format!("http://{}/emulate/aimlapi", common::counted_emulator().await.0)
}

/// Our server, live against the emulator with `key` (which may carry knobs).
async fn live(key: &str) -> std::net::SocketAddr {
    common::live("aimlapi", key, &[]).await.0
}

async fn generate(addr: std::net::SocketAddr, params: Value) -> (u16, Value) {
    common::generate(addr, "aimlapi/flux/dev", params).await
}

#[tokio::test]
async fn reads_the_default_openai_shape_with_usage() {
    let addr = live("k").await;
    let (status, body) = generate(addr, json!({"prompt": "a fox", "num_images": 2, "seed": 9})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["emulated"], false);
    assert_eq!(body["images"].as_array().unwrap().len(), 2);
    assert!(body["usage"]["credits_used"].as_u64().is_some(), "{body}");
    assert_eq!(body["seed"], 9);
    assert!(body["timings"].is_null(), "shape B has no timings");
}

#[tokio::test]
async fn reads_the_fal_shape_with_seed_timings_and_flags() {
    let addr = live("k#shape=fal").await;
    let (status, body) = generate(addr, json!({"prompt": "a fox", "seed": 77})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["seed"], 77);
    assert_eq!(body["images"][0]["nsfw"], false);
    assert!(body["timings"]["inference"].as_f64().is_some(), "{body}");
}

#[tokio::test]
async fn every_documented_error_status_gets_a_clear_message() {
    for (knob, status, says) in [
        ("401", 502, "did not accept the API key"),
        ("403", 502, "out of credits"),
        ("404", 502, "does not know this endpoint"),
        ("429", 429, "rate limiting"),
        ("500", 502, "internal error (500)"),
        ("502", 502, "internal error (502)"),
        ("503", 503, "unavailable for now (503)"),
        ("504", 504, "timed out"),
    ] {
        let addr = live(&format!("k#status={knob}")).await;
        let (got, body) = generate(addr, json!({"prompt": "a fox"})).await;
        assert_eq!(got, status, "{knob}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(says), "{knob}: {message}");
        assert!(body["request_id"].as_str().is_some_and(|id| id.len() == 36), "{body}");
    }
}

#[tokio::test]
async fn a_truncated_answer_is_a_clear_error() {
    let addr = live("k#truncate").await;
    let (status, body) = generate(addr, json!({"prompt": "a fox"})).await;
    assert_eq!(status, 502);
    assert!(body["message"].as_str().unwrap().contains("not JSON"), "{body}");
}

#[tokio::test]
async fn emulator_follows_the_documented_contract() {
    let base = emulator().await;
    let url = format!("{base}/v1/images/generations");
    let client = reqwest::Client::new();

    let resp = client.post(&url).json(&json!({"model": "flux/dev", "prompt": "p"})).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    for key in ["message", "path", "requestId", "statusCode", "timestamp"] {
        assert!(body.get(key).is_some(), "401 body lacks {key}: {body}");
    }
    assert_eq!(body["statusCode"], 401);

    let cases = [
        (json!({"model": "flux/dev"}), "prompt: Required"),
        (json!({"model": "flux/nope", "prompt": "p"}), "Invalid enum value"),
        (json!({"model": "flux/dev", "prompt": "p", "num_images": 5}), "less than or equal to 4"),
        (json!({"model": "flux/dev", "prompt": "p", "image_size": {"width": 1000, "height": 768}}), "multiple of 32"),
        (
            json!({"model": "flux/dev", "prompt": "p", "image_size": {"width": 1568, "height": 768}}),
            "less than or equal",
        ),
        (json!({"model": "flux/dev", "prompt": "p", "image_size": "huge"}), "image_size: Invalid input"),
        (json!({"model": "flux/dev", "prompt": "p", "extra": 1}), "Unrecognized key(s) in object: 'extra'"),
        (json!({"model": "flux/dev", "prompt": "x".repeat(4001)}), "at most 4000"),
    ];
    for (body, expected) in cases {
        let resp = client.post(&url).bearer_auth("k").json(&body).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{body}");
        let answer: Value = resp.json().await.unwrap();
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with("Body validation error!") && message.contains(expected), "{message}");
    }

    let resp = client
        .post(format!("{url}/"))
        .bearer_auth("k")
        .json(&json!({"model": "flux/dev", "prompt": "p", "image_size": "portrait_16_9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    let image_url = body["data"][0]["url"].as_str().unwrap();
    let png = client.get(image_url).send().await.unwrap().bytes().await.unwrap();
    let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert_eq!((img.width(), img.height()), (576, 1024));
}

/// A stand-in that records each body it receives and answers one tiny image.
async fn recording() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use base64::Engine;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let png = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(common::png(8, 8)));
    let router = axum::Router::new().route(
        "/v1/images/generations",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            log.lock().unwrap().push(body);
            let png = png.clone();
            async move { axum::Json(json!({"images": [{"url": png}]})) }
        }),
    );
    (format!("http://{}", common::spawn_router(router).await), seen)
}

#[tokio::test]
async fn a_generation_sends_every_documented_default_explicitly() {
    let (base, seen) = recording().await;
    let addr = common::spawn(&[("AIMLAPI_KEY", "k"), ("AIMLAPI_BASE_URL", &base)]).await;
    let (status, body) = generate(addr, json!({"prompt": "a fox"})).await;
    assert_eq!(status, 200, "{body}");
    let sent = seen.lock().unwrap()[0].clone();
    // flux/dev's documented defaults: a provider that changes one cannot change our result.
    assert_eq!(sent["image_size"], "landscape_4_3", "{sent}");
    assert_eq!(sent["num_inference_steps"], 50, "{sent}");
    assert_eq!(sent["num_images"], 1, "{sent}");
    assert!(sent["enable_safety_checker"].is_boolean(), "{sent}");
    assert!(sent["seed"].is_u64(), "the seed fluxplay chose: {sent}");
    assert!(sent.get("guidance_scale").is_none(), "no documented default: left to the provider: {sent}");
}

#[tokio::test]
async fn a_prompt_that_reads_like_an_upload_reference_stays_a_prompt() {
    let addr = common::spawn(&[]).await;
    let reference = common::upload(addr, common::png(64, 48)).await;
    let prompt = format!("/uploads/{}.png", "a".repeat(64));
    let params = json!({"prompt": prompt, "image_url": reference, "strength": 0.5});
    let (status, body) = common::generate(addr, "aimlapi/flux/dev/image-to-image", params).await;
    assert_eq!(status, 200, "only image fields hold uploads: {body}");
}

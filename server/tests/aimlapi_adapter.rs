//! The AI/ML API adapter against the emulator over real loopback HTTP, and the
//! emulator's own contract (providers.md §1, §8.1).

mod common;

use app::catalog;
use secrecy::SecretString;
use serde_json::{json, Value};
use server::error::Error;
use server::providers::{aimlapi, ImageRef};
use server::state::Upstream;

async fn emulator() -> String {
    let addr = common::spawn_router(axum::Router::new().nest_service("/emulate", server::emulator::router())).await;
    format!("http://{addr}/emulate/aimlapi")
}

fn upstream(base_url: &str, key: &str) -> Upstream {
    Upstream { base_url: base_url.to_owned(), key: SecretString::from(key), emulated: true }
}

fn request(base: &str, params: Value) -> app::request::ApiRequest {
    app::request::build(catalog::find("aimlapi/flux/dev").unwrap(), params.as_object().unwrap(), base)
}

#[tokio::test]
async fn reads_the_default_openai_shape_with_usage() {
    let base = emulator().await;
    let req = request(&base, json!({"prompt": "a fox", "num_images": 2, "seed": 9}));
    let out = aimlapi::generate(&reqwest::Client::new(), &upstream(&base, "k"), &req).await.unwrap();
    assert_eq!(out.images.len(), 2);
    assert!(matches!(&out.images[0], ImageRef::Url(u) if u.starts_with("http://127.0.0.1:") && u.ends_with(".png")));
    assert!(out.usage.as_ref().and_then(|u| u["credits_used"].as_u64()).is_some());
    assert_eq!(out.seed, None, "shape B carries no seed");
}

#[tokio::test]
async fn reads_the_fal_shape_with_seed_and_flags() {
    let base = emulator().await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-emulator-shape", "fal".parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let req = request(&base, json!({"prompt": "a fox", "seed": 77}));
    let out = aimlapi::generate(&client, &upstream(&base, "k"), &req).await.unwrap();
    assert_eq!(out.seed, Some(77));
    assert_eq!(out.nsfw, [false]);
    assert!(out.timings.is_some());
}

#[tokio::test]
async fn maps_the_emulators_errors_to_clear_messages() {
    let base = emulator().await;
    let client = reqwest::Client::new();
    let req = request(&base, json!({"prompt": "a fox"}));
    let err = aimlapi::generate(&client, &upstream(&base, " "), &req).await.unwrap_err();
    assert!(matches!(&err, Error::Provider { message, .. } if message.contains("did not accept the API key")), "{err}");

    // A body our validation would have refused, to see the provider's own 400.
    let bad = request(&base, json!({"prompt": "a fox", "seed": 0}));
    let err = aimlapi::generate(&client, &upstream(&base, "k"), &bad).await.unwrap_err();
    assert!(err.to_string().contains("seed: Number must be greater than or equal to 1"), "{err}");
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

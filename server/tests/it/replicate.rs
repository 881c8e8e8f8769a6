//! Replicate: predictions through our server against the emulator, failures,
//! and the emulator's contract (providers.md §6, §8.6).

use crate::common;

use serde_json::{json, Value};
use std::time::Duration;

async fn generate(addr: std::net::SocketAddr, params: Value) -> (u16, Value) {
    common::generate(addr, "replicate/black-forest-labs/flux-dev", params).await
}

async fn live(key: &str, extra: &[(&str, &str)]) -> std::net::SocketAddr {
    common::live("replicate", key, extra).await.0
}

#[tokio::test]
async fn predictions_succeed_with_the_requested_outputs() {
    let addr = common::spawn(&[]).await;
    let (status, body) = generate(
        addr,
        json!({"prompt": "a cake", "aspect_ratio": "3:2", "num_outputs": 2, "output_format": "png", "megapixels": "0.25", "seed": 11}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let images = body["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!((images[0]["width"].as_u64(), images[0]["height"].as_u64()), (Some(608), Some(416)));
    assert_eq!(images[0]["content_type"], "image/png");
    assert_eq!(body["seed"], 11);
}

#[tokio::test]
async fn a_failed_or_unfinished_prediction_is_a_clear_error() {
    let addr = live("k#moderated", &[]).await;
    let (status, body) = generate(addr, json!({"prompt": "p"})).await;
    assert_eq!(status, 502, "{body}");
    assert!(body["message"].as_str().unwrap().contains("NSFW"), "{body}");

    let addr = live("k#never-ready", &[("FLUXPLAY_POLL_DEADLINE_SECS", "1")]).await;
    let (status, body) = generate(addr, json!({"prompt": "p"})).await;
    assert_eq!(status, 504, "{body}");
}

#[tokio::test]
async fn the_emulator_follows_the_contract() {
    let addr = common::spawn(&[]).await;
    let url = format!("http://{addr}/emulate/replicate/v1/models/black-forest-labs/flux-dev/predictions");
    let client = reqwest::Client::new();
    let body = json!({"input": {"prompt": "p"}});
    assert_eq!(client.post(&url).json(&body).send().await.unwrap().status(), 401);
    let bad = client
        .post(&url)
        .bearer_auth("k")
        .json(&json!({"input": {"prompt": "p", "guidance": 11}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("guidance"));

    let created = client.post(&url).bearer_auth("k").json(&body).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let prediction: Value = created.json().await.unwrap();
    assert_eq!(prediction["status"], "starting");
    assert_eq!(prediction["urls"]["get"], location.as_str());
    tokio::time::sleep(Duration::from_millis(700)).await;
    let done: Value = client.get(&location).bearer_auth("k").send().await.unwrap().json().await.unwrap();
    assert_eq!(done["status"], "succeeded");
    assert!(done["output"][0].as_str().unwrap().ends_with(".webp"));

    let waited: Value = client
        .post(&url)
        .bearer_auth("k")
        .header("prefer", "wait=5")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(waited["status"], "succeeded", "Prefer: wait holds until done");
}

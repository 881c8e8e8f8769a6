//! End to end over real loopback HTTP: our server → its embedded emulator →
//! image store → our image URL.

use crate::common;

use serde_json::{json, Value};

async fn generate(addr: std::net::SocketAddr, params: Value) -> (u16, Value) {
    common::generate(addr, "aimlapi/flux/dev", params).await
}

#[tokio::test]
async fn generates_images_of_the_requested_size_through_the_emulator() {
    let addr = common::spawn(&[]).await;
    let (status, body) =
        generate(addr, json!({"prompt": "a red fox", "image_size": {"width": 640, "height": 512}, "num_images": 2}))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["emulated"], true);
    assert_eq!(body["seed_chosen"], true);
    assert!(body["seed"].as_u64().is_some_and(|s| s >= 1));
    let images = body["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    for image in images {
        assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(640), Some(512)));
        let url = image["url"].as_str().unwrap();
        assert!(url.starts_with("/images/") && url.ends_with(".png"), "{url}");
        let resp = reqwest::get(format!("http://{addr}{url}")).await.unwrap();
        assert_eq!(resp.headers()["content-type"], "image/png");
        let decoded = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 512));
    }
    assert_ne!(images[0]["url"], images[1]["url"], "two images, two pictures");
}

#[tokio::test]
async fn same_prompt_and_seed_give_the_same_image() {
    let addr = common::spawn(&[]).await;
    let params = json!({"prompt": "tide pools", "seed": 42, "image_size": "square"});
    let (_, a) = generate(addr, params.clone()).await;
    let (_, b) = generate(addr, params).await;
    assert_eq!(a["seed"], 42);
    assert_eq!(a["seed_chosen"], false);
    assert_eq!(a["images"][0]["url"], b["images"][0]["url"], "content-addressed, deterministic");
    assert_eq!(a["images"][0]["width"], 512);
}

#[tokio::test]
async fn a_job_is_polled_from_queued_to_done() {
    let addr = common::spawn(&[]).await;
    let (_, done) = common::run_job(addr, "segmind/flux-dev", json!({"prompt": "a heron"})).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["result"]["images"][0]["width"], 1024);

    let client = reqwest::Client::new();
    let resp = client
        .post(format!("http://{addr}/api/jobs"))
        .json(&json!({"model": "segmind/flux-dev", "params": {"prompt": "p", "steps": 99}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422, "invalid input is refused before any job starts");
    let resp = client.get(format!("http://{addr}/api/jobs/nope")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

//! fal.ai: the queue flow through our server against the emulator, and the
//! emulator's sync route and queue contract (providers.md §5, §8.5).

use crate::common;

use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn the_queue_flow_generates_with_progress() {
    let addr = common::spawn(&[]).await;
    let params = json!({"prompt": "a tiger eye", "image_size": {"width": 600, "height": 400}, "num_images": 2, "output_format": "png", "seed": 3});
    let (states, done) = common::run_job(addr, "fal/fal-ai/flux/dev", params).await;
    assert_eq!(done["state"], "done", "{done}");
    let images = done["result"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!((images[1]["width"].as_u64(), images[1]["height"].as_u64()), (Some(600), Some(400)));
    assert_eq!(done["result"]["seed"], 3);
    assert!(done["result"]["timings"]["inference"].is_number());
    assert!(states.iter().any(|s| s == "queued"), "{states:?}");
}

#[tokio::test]
async fn the_emulator_follows_the_sync_and_queue_contract() {
    let addr = common::spawn(&[]).await;
    let base = format!("http://{addr}/emulate/fal");
    let client = reqwest::Client::new();
    let body = json!({"prompt": "p", "image_size": "square"});

    assert_eq!(client.post(format!("{base}/fal-ai/flux/dev")).json(&body).send().await.unwrap().status(), 401);
    let bad = client
        .post(format!("{base}/fal-ai/flux/dev"))
        .header("authorization", "Key k")
        .json(&json!({"prompt": "p", "num_inference_steps": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["detail"][0]["loc"], json!(["body", "num_inference_steps"]));

    let sync = client
        .post(format!("{base}/fal-ai/flux/dev"))
        .header("authorization", "Key k")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status(), 200);
    assert!(sync.headers().contains_key("x-fal-request-id"));
    let output: Value = sync.json().await.unwrap();
    assert_eq!(output["images"][0]["width"], 512);

    let ticket: Value = client
        .post(format!("{base}/queue/fal-ai/flux/dev"))
        .header("authorization", "Key k")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["status"], "IN_QUEUE");
    let status_url = ticket["status_url"].as_str().unwrap();
    assert!(status_url.contains("/fal-ai/flux/requests/"), "status on owner/app: {status_url}");
    let early =
        client.get(ticket["response_url"].as_str().unwrap()).header("authorization", "Key k").send().await.unwrap();
    assert_eq!(early.status(), 400, "no result before completion");
    let mut codes = Vec::new();
    loop {
        let resp = client.get(status_url).header("authorization", "Key k").send().await.unwrap();
        let code = resp.status().as_u16();
        let state: Value = resp.json().await.unwrap();
        codes.push(code);
        if code == 200 {
            assert_eq!(state["status"], "COMPLETED");
            break;
        }
        assert_eq!(code, 202);
        assert!(codes.len() < 100);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(codes.contains(&202) && codes.last() == Some(&200));
    let result: Value = client
        .get(ticket["response_url"].as_str().unwrap())
        .header("authorization", "Key k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result["images"][0]["height"], 512);
}

#[tokio::test]
async fn a_moderated_result_tells_the_user_fals_reason() {
    let addr = common::live("fal", "k#moderated", &[]).await.0;
    let (status, body) = common::generate(addr, "fal/fal-ai/flux/dev", serde_json::json!({"prompt": "p"})).await;
    assert!((400..600).contains(&status) && status != 500, "{status} {body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("flagged by a content checker"), "{message}");
}

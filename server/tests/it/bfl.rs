//! Black Forest Labs: the asynchronous flow against the emulator over loopback,
//! moderation, the polling deadline, a foreign polling URL, and the emulator's
//! own contract (providers.md §4, §8.4).

use crate::common;

use axum::routing::post;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn emulator() -> String {
    format!("http://{}/emulate/bfl", common::counted_emulator().await.0)
}

async fn generate(addr: std::net::SocketAddr, params: Value) -> (u16, Value) {
    common::generate(addr, "bfl/flux-dev", params).await
}

#[tokio::test]
async fn submit_poll_download_with_progress() {
    let addr = common::spawn(&[]).await;
    let params = json!({"prompt": "a fish", "width": 512, "height": 384, "output_format": "png", "seed": 5});
    let (states, done) = common::run_job(addr, "bfl/flux-dev", params).await;
    assert_eq!(done["state"], "done", "{done}");
    let image = &done["result"]["images"][0];
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64(), image["content_type"].as_str()),
        (Some(512), Some(384), Some("image/png"))
    );
    assert_eq!(done["result"]["seed"], 5);
    assert!(states.iter().any(|s| s == "running"), "progress was reported: {states:?}");
}

#[tokio::test]
async fn moderation_and_the_deadline_end_with_clear_errors() {
    let base = emulator().await;
    let addr = common::spawn(&[("BFL_API_KEY", "k#moderated"), ("BFL_BASE_URL", &base)]).await;
    let (status, body) = generate(addr, json!({"prompt": "p"})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("moderated"), "{body}");

    let addr = common::spawn(&[
        ("BFL_API_KEY", "k#never-ready"),
        ("BFL_BASE_URL", &base),
        ("FLUXPLAY_POLL_DEADLINE_SECS", "1"),
    ])
    .await;
    let started = Instant::now();
    let (status, body) = generate(addr, json!({"prompt": "p"})).await;
    assert_eq!(status, 504, "{body}");
    assert!(body["message"].as_str().unwrap().contains("did not finish within 1 s"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(5), "ended near the deadline: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_foreign_polling_url_never_receives_the_key() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let foreign = common::spawn_router(axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { "{}" }
    }))
    .await;
    let polling_url = format!("http://{foreign}/v1/get_result?id=1");
    let fake_bfl = axum::Router::new().route(
        "/v1/flux-dev",
        post(move || {
            let url = polling_url.clone();
            async move { axum::Json(json!({"id": "1", "polling_url": url})) }
        }),
    );
    let base = format!("http://{}", common::spawn_router(fake_bfl).await);
    let addr = common::spawn(&[("BFL_API_KEY", "canary-bfl-key"), ("BFL_BASE_URL", &base)]).await;
    let (status, body) = generate(addr, json!({"prompt": "p"})).await;
    assert_eq!(status, 502);
    assert!(body["message"].as_str().unwrap().contains("unexpected host"), "{body}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the foreign host got a request");
}

#[tokio::test]
async fn emulator_follows_the_documented_contract() {
    let base = emulator().await;
    let client = reqwest::Client::new();
    let submit = format!("{base}/v1/flux-dev");
    assert_eq!(client.post(&submit).json(&json!({"prompt": "p"})).send().await.unwrap().status(), 403);
    let resp =
        client.post(&submit).header("x-key", "k").json(&json!({"prompt": "p", "width": 1000})).send().await.unwrap();
    assert_eq!(resp.status(), 422);
    let detail: Value = resp.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "width"]));
    let lost: Value = client
        .get(format!("{base}/v1/get_result?id=nope"))
        .header("x-key", "k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lost["status"], "Task not found");
    // 24 tasks may be active; the 25th is refused.
    for i in 0..25 {
        let resp =
            client.post(&submit).header("x-key", "k#never-ready").json(&json!({"prompt": "p"})).send().await.unwrap();
        let expected = if i < 24 { 200 } else { 429 };
        assert_eq!(resp.status(), expected, "task {i}");
    }
}

/// FLUX 3 takes references of at least 256×256 (providers-flux2-flux3.md §1.3): a smaller
/// upload is a field error before anything is sent; one at the limit goes through, and the
/// references arrive in order as one `images` list.
#[tokio::test]
async fn flux3_refuses_a_small_reference_before_sending_and_takes_a_list() {
    let (addr, submits, _) = common::live("bfl", "k", &[]).await;
    let small = common::upload(addr, common::png(320, 192)).await;
    let (status, body) = common::generate(
        addr,
        "bfl/flux-3-image",
        json!({"prompt": "a poster", "images": [common::upload(addr, common::png(256, 256)).await, small]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "images", "{body}");
    let message = body["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains("image 2 is 320×192") && message.contains("256"), "{message}");
    assert_eq!(submits.load(Ordering::SeqCst), 0, "nothing was sent");

    let big = common::upload(addr, common::png(512, 256)).await;
    let square = common::upload(addr, common::png(256, 256)).await;
    let params = json!({"prompt": "a poster", "images": [big, square], "aspect_ratio": "auto", "resolution": "768sq"});
    let (status, body) = common::generate(addr, "bfl/flux-3-image", params).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(submits.load(Ordering::SeqCst), 1);
    // `auto` follows image 1 (2:1) at about 0.6 MP.
    let (w, h) = (body["images"][0]["width"].as_u64().unwrap(), body["images"][0]["height"].as_u64().unwrap());
    assert!(w > h && (w as f64 / h as f64 - 2.0).abs() < 0.1, "{w}×{h}");
    assert_eq!(body["ran_prompt"].as_str().map(|p| p.starts_with("a poster")), Some(true), "{body}");
    assert!(body["usage"]["credits"].is_number(), "{body}");
}

/// A failed task ends in the help article's words with its details, whether the poll says
/// `Error` in a 200 (FLUX.2) or in a 422 (FLUX 3, providers-flux2-flux3.md §1.5).
#[tokio::test]
async fn a_failed_task_says_why_whether_its_poll_answers_200_or_422() {
    let (addr, _, _) = common::live("bfl", "k#failed", &[]).await;
    for model in ["bfl/flux-2-pro", "bfl/flux-3-image"] {
        let (status, body) = common::generate(addr, model, json!({"prompt": "a poster"})).await;
        assert_eq!(status, 502, "{model}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("could not finish the task (status Error)"), "{model}: {message}");
        assert!(message.contains("could not be generated"), "{model}: {message}");
    }
}

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
    assert_eq!(created.status(), 202, "no output yet: 202, as the OpenAPI says");
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

/// A PNG of noise: it does not compress, so it is about `w × h × 3` bytes.
fn noisy_png(w: u32, h: u32) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7);
    let img = image::RgbImage::from_fn(w, h, |_, _| image::Rgb([rng.u8(..), rng.u8(..), rng.u8(..)]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_large_input_image_goes_through_the_files_api_and_a_small_one_inline() {
    // The emulator records nothing, so a stand-in in front of it logs each request's path and body.
    let (emulator, _) = common::counted_emulator().await;
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let seen = log.clone();
    let proxy = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (seen, target) = (seen.clone(), emulator);
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap();
            let path = parts.uri.path().to_owned();
            seen.lock().unwrap().push((path.clone(), String::from_utf8_lossy(&bytes[..bytes.len().min(4000)]).into()));
            let mut forward = reqwest::Client::new().request(parts.method, format!("http://{target}{path}"));
            // The Host goes along, so the URLs the emulator hands out point back at this proxy.
            for (name, value) in &parts.headers {
                forward = forward.header(name, value);
            }
            let resp = forward.body(bytes).send().await.unwrap();
            let status = resp.status();
            let body = resp.bytes().await.unwrap().to_vec();
            (status, body)
        }
    });
    let proxy_addr = common::spawn_router(proxy).await;
    let base = format!("http://{proxy_addr}/emulate/replicate");
    let addr = common::spawn(&[("REPLICATE_API_TOKEN", "k"), ("REPLICATE_BASE_URL", &base)]).await;
    for (png, via_files) in [(noisy_png(400, 400), true), (common::png(64, 64), false)] {
        log.lock().unwrap().clear();
        assert_eq!(png.len() > 256 * 1024, via_files);
        let reference = common::upload(addr, png).await;
        let (status, body) = generate(addr, json!({"prompt": "p", "image": reference})).await;
        assert_eq!(status, 200, "{body}");
        let seen = log.lock().unwrap().clone();
        let files = seen.iter().filter(|(path, _)| path.ends_with("/v1/files")).count();
        let create = seen.iter().find(|(path, _)| path.ends_with("/predictions")).expect("a prediction").1.clone();
        if via_files {
            assert_eq!(files, 1, "{seen:?}");
            assert!(create.contains(&format!("http://{proxy_addr}/emulate/files/")), "{create}");
            assert!(!create.contains("data:image"), "no data URI over 256 KB");
        } else {
            assert_eq!(files, 0);
            assert!(create.contains("data:image/png;base64,"), "a small file goes inline");
        }
    }
}

/// FLUX.2 and FLUX 3 on Replicate (providers-flux2-flux3.md §4): references go as one
/// list in order, `output` is one URI (pro, FLUX 3) or a list (klein), and each lands
/// as one stored image of the size the ratio and resolution make.
#[tokio::test]
async fn flux2_and_flux3_predictions_take_lists_and_read_either_output() {
    let addr = live("k", &[]).await;
    let a = common::upload(addr, common::png(400, 300)).await;
    let b = common::upload(addr, common::png(256, 256)).await;
    let cases = [
        (
            "black-forest-labs/flux-2-pro",
            json!({"input_images": [a, b], "aspect_ratio": "16:9", "resolution": "0.5 MP"}),
        ),
        (
            "black-forest-labs/flux-2-klein-4b",
            json!({"images": [b], "aspect_ratio": "1:1", "output_megapixels": "0.25"}),
        ),
        (
            "black-forest-labs/flux-2-klein-9b",
            json!({"images": [b], "aspect_ratio": "1:1", "output_megapixels": "0.25"}),
        ),
        ("black-forest-labs/flux-3-image", json!({"images": [b, a], "aspect_ratio": "4:3", "resolution": "768sq"})),
    ];
    for (model, mut params) in cases {
        params["prompt"] = json!("a lighthouse");
        let (status, body) = common::generate(addr, &format!("replicate/{model}"), params).await;
        assert_eq!(status, 200, "{model}: {body}");
        let image = &body["images"][0];
        assert_eq!(body["images"].as_array().unwrap().len(), 1, "{model}: {body}");
        let (w, h) = (image["width"].as_f64().unwrap(), image["height"].as_f64().unwrap());
        let megapixels = w * h / 1e6;
        match model {
            "black-forest-labs/flux-2-pro" => assert!(w > h && (megapixels - 0.5).abs() < 0.05, "{w}×{h}"),
            "black-forest-labs/flux-2-klein-4b" | "black-forest-labs/flux-2-klein-9b" => {
                assert!(w == h && (megapixels - 0.25).abs() < 0.03, "{model}: {w}×{h}");
            }
            _ => {
                assert!((w / h - 4.0 / 3.0).abs() < 0.05 && (megapixels - 0.6).abs() < 0.05, "{w}×{h}");
                assert!(body["upstream"]["input"].get("seed").is_none(), "FLUX 3 has no seed: {body}");
            }
        }
    }
}

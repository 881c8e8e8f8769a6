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

/// providers-flux2-flux3.md §3 and §7: each FLUX.2 family answers in its own shape —
/// pro/max/flex `{images, seed}`, [dev]/[klein] with the prompt they ran, FLUX 3 `{images}`.
#[tokio::test]
async fn flux2_and_flux3_generate_with_their_references_in_their_own_shapes() {
    let addr = common::spawn(&[]).await;
    let wide = common::upload(addr, common::png(640, 320)).await;
    let square = common::upload(addr, common::png(300, 300)).await;
    let cases = [
        (
            "fal/fal-ai/flux-2-pro/edit",
            json!({"prompt": "image 1 in the style of image 2", "image_urls": [wide, square]}),
        ),
        ("fal/fal-ai/flux-2-flex", json!({"prompt": "a poster", "image_size": "square", "safety_tolerance": "4"})),
        ("fal/fal-ai/flux-2", json!({"prompt": "a fox", "image_size": {"width": 512, "height": 768}})),
        ("fal/fal-ai/flux-2/klein/4b/edit", json!({"prompt": "make image 1 blue", "image_urls": [wide]})),
        (
            "fal/blackforestlabs/flux-3/edit-image",
            json!({"prompt": "a collage", "image_urls": [square, wide], "resolution": "512sq"}),
        ),
    ];
    for (model, params) in cases {
        let (_, done) = common::run_job(addr, model, params).await;
        assert_eq!(done["state"], "done", "{model}: {done}");
        let result = &done["result"];
        let image = &result["images"][0];
        let (w, h) = (image["width"].as_u64().unwrap(), image["height"].as_u64().unwrap());
        let raw = &result["upstream"];
        match model {
            // `auto` is the first reference's size (640×320).
            "fal/fal-ai/flux-2-pro/edit" => {
                assert_eq!((w, h), (640, 320), "{model}");
                assert!(
                    raw.get("prompt").is_none() && raw.get("timings").is_none(),
                    "{model}: tier output is images and seed: {raw}"
                );
            }
            "fal/fal-ai/flux-2-flex" => assert_eq!((w, h), (512, 512), "{model}"),
            "fal/fal-ai/flux-2" => {
                assert_eq!((w, h), (512, 768), "{model}");
                let ran = result["ran_prompt"].as_str().expect("the expanded prompt comes back");
                assert!(ran.starts_with("a fox") && ran.len() > "a fox".len(), "{ran}");
            }
            // No image_size: the first reference's size.
            "fal/fal-ai/flux-2/klein/4b/edit" => assert_eq!((w, h), (640, 320), "{model}"),
            // 512sq at image 1's shape (1:1), about a quarter megapixel; nothing but images back.
            _ => {
                assert!(w == h && (w * h).abs_diff(512 * 512) < 20_000, "{model}: {w}×{h}");
                assert_eq!(raw.as_object().unwrap().keys().collect::<Vec<_>>(), ["images"], "{model}: {raw}");
                assert!(result["seed"].is_null(), "FLUX 3 has no seed");
            }
        }
    }
}

/// The emulator holds fal's FLUX.2 and FLUX 3 contracts (§3, §7), whatever our catalog says.
#[tokio::test]
async fn the_emulator_holds_the_flux2_and_flux3_contracts() {
    let addr = common::spawn(&[]).await;
    let base = format!("http://{addr}/emulate/fal");
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client.post(format!("{base}/{path}")).header("authorization", "Key k").json(&body).send()
    };
    let small = {
        use base64::Engine;
        format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(common::png(200, 300)))
    };
    let refused = [
        // Tiers take safety_tolerance as a string.
        ("fal-ai/flux-2-pro", json!({"prompt": "p", "safety_tolerance": 2}), "safety_tolerance"),
        // `auto` is for edits only.
        ("fal-ai/flux-2-max", json!({"prompt": "p", "image_size": "auto"}), "image_size"),
        ("fal-ai/flux-2-pro/edit", json!({"prompt": "p"}), "image_urls"),
        // FLUX 3: integer safety 0–4, no seed, no 9:21, no 1.5k, references of at least 256 px.
        ("blackforestlabs/flux-3/text-to-image", json!({"prompt": "p", "safety_tolerance": 5}), "safety_tolerance"),
        ("blackforestlabs/flux-3/text-to-image", json!({"prompt": "p", "seed": 1}), "body"),
        ("blackforestlabs/flux-3/text-to-image", json!({"prompt": "p", "aspect_ratio": "9:21"}), "aspect_ratio"),
        ("blackforestlabs/flux-3/text-to-image", json!({"prompt": "p", "resolution": "1.5k"}), "resolution"),
        ("blackforestlabs/flux-3/edit-image", json!({"prompt": "p", "image_urls": [small]}), "image_urls"),
        ("fal-ai/flux-2/klein/9b", json!({"prompt": "p", "num_inference_steps": 9}), "num_inference_steps"),
    ];
    for (path, body, field) in refused {
        let answer = post(path, body.clone()).await.unwrap();
        assert_eq!(answer.status(), 422, "{path} {body}");
        let detail: Value = answer.json().await.unwrap();
        assert_eq!(detail["detail"][0]["loc"], json!(["body", field]), "{path} {body}: {detail}");
    }
    let unknown = post("fal-ai/flux-9", json!({"prompt": "p"})).await.unwrap();
    assert_eq!(unknown.status(), 404);

    // The queue's status and result live on owner/app: blackforestlabs/flux-3.
    let ticket: Value = client
        .post(format!("{base}/queue/blackforestlabs/flux-3/text-to-image"))
        .header("authorization", "Key k")
        .json(&json!({"prompt": "p", "resolution": "512sq"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status_url = ticket["status_url"].as_str().unwrap();
    assert!(status_url.contains("/queue/blackforestlabs/flux-3/requests/"), "{status_url}");
    let elsewhere = status_url.replace("blackforestlabs/flux-3", "fal-ai/flux-2");
    let answer = client.get(&elsewhere).header("authorization", "Key k").send().await.unwrap();
    assert_eq!(answer.status(), 404, "another app's queue does not know the request");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let status: Value =
        client.get(status_url).header("authorization", "Key k").send().await.unwrap().json().await.unwrap();
    assert_eq!(status["status"], "COMPLETED", "{status}");
    let output: Value = client
        .get(ticket["response_url"].as_str().unwrap())
        .header("authorization", "Key k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(output.as_object().unwrap().len(), 1, "FLUX 3 answers images only: {output}");
}

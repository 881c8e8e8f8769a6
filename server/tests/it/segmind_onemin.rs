//! Segmind and 1min.ai: adapters against their emulators over loopback HTTP,
//! and the emulators' documented errors (providers.md §2, §3, §8).

use crate::common;

use serde_json::{json, Value};

#[tokio::test]
async fn segmind_returns_image_bytes_in_the_requested_format_and_size() {
    let addr = common::spawn(&[]).await;
    for (format, content_type, ratio, size) in [
        ("png", "image/png", "16:9", (1344, 768)),
        ("jpg", "image/jpeg", "9:21", (640, 1536)),
        ("webp", "image/webp", "1:1", (1024, 1024)),
    ] {
        let (status, body) = common::generate(
            addr,
            "segmind/flux-dev",
            json!({"prompt": "a fox", "output_format": format, "aspect_ratio": ratio}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let image = &body["images"][0];
        assert_eq!(image["content_type"], content_type);
        assert_eq!((image["width"].as_u64().unwrap(), image["height"].as_u64().unwrap()), (size.0, size.1));
        assert!(body["usage"]["remaining_credits"].as_f64().is_some(), "{body}");
        assert_eq!(body["seed_chosen"], false, "Segmind documents a default seed");
    }
}

#[tokio::test]
async fn segmind_emulator_errors_follow_the_docs() {
    let addr = common::spawn(&[]).await;
    let url = format!("http://{addr}/emulate/segmind/v1/flux-dev");
    let client = reqwest::Client::new();
    let resp = client.post(&url).json(&json!({"prompt": "p"})).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("x-api-key"));
    let resp = client.post(&url).header("x-api-key", "k").body("{\"prompt\":\"p\"}").send().await.unwrap();
    assert_eq!(resp.status(), 406, "no JSON content type");
    let resp =
        client.post(&url).header("x-api-key", "k").json(&json!({"prompt": "p", "steps": 51})).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let resp = client
        .post(&url)
        .header("x-api-key", "k")
        .json(&json!({"prompt": "p", "output_format": "gif"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn onemin_generates_and_takes_an_input_image_through_the_asset_api() {
    let addr = common::spawn(&[]).await;
    let (status, body) = common::generate(
        addr,
        "1min/black-forest-labs/flux-dev",
        json!({"prompt": "a city", "aspect_ratio": "16:9", "megapixels": "0.25"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["images"][0]["width"].as_u64(), body["images"][0]["height"].as_u64()), (Some(672), Some(384)));
    assert_eq!(body["images"][0]["content_type"], "image/webp");
    assert_eq!(body["seed_chosen"], true);

    let reference = common::upload(addr, common::png(400, 200)).await;
    let (status, body) = common::generate(
        addr,
        "1min/black-forest-labs/flux-dev",
        json!({"prompt": "as ink", "image_prompt": reference, "prompt_strength": 0.6}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (w, h) = (body["images"][0]["width"].as_u64().unwrap(), body["images"][0]["height"].as_u64().unwrap());
    assert!((w as f64 / h as f64 - 2.0).abs() < 0.05, "output takes the input's 2:1 ratio: {w}x{h}");
}

#[tokio::test]
async fn onemin_emulator_errors_follow_the_contract() {
    let addr = common::spawn(&[]).await;
    let url = format!("http://{addr}/emulate/1min/api/features");
    let client = reqwest::Client::new();
    let body =
        json!({"type": "IMAGE_GENERATOR", "model": "black-forest-labs/flux-dev", "promptObject": {"prompt": "p"}});
    assert_eq!(client.post(&url).json(&body).send().await.unwrap().status(), 401);
    let ok = client.post(&url).header("API-KEY", "k").json(&body).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let record: Value = ok.json().await.unwrap();
    assert_eq!(record["aiRecord"]["status"], "SUCCESS");
    assert!(record["aiRecord"]["aiRecordDetail"]["resultObject"][0].as_str().unwrap().ends_with(".webp"));
    for bad in [
        json!({"type": "CHAT", "model": "black-forest-labs/flux-dev", "promptObject": {"prompt": "p"}}),
        json!({"type": "IMAGE_GENERATOR", "model": "other", "promptObject": {"prompt": "p"}}),
        json!({"type": "IMAGE_GENERATOR", "model": "black-forest-labs/flux-dev"}),
        json!({"type": "IMAGE_GENERATOR", "model": "black-forest-labs/flux-dev", "promptObject": {"prompt": "p", "megapixels": "4"}}),
        json!({"type": "IMAGE_GENERATOR", "model": "black-forest-labs/flux-dev", "promptObject": {"prompt": "p", "image_prompt": "images/nope.png"}}),
    ] {
        let resp = client.post(&url).header("API-KEY", "k").json(&bad).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        assert!(resp.json::<Value>().await.unwrap()["message"].is_string());
    }
}

#[tokio::test]
async fn a_rejected_key_is_reported_per_provider() {
    // Live against an upstream that refuses every key: the message names the variable to fix.
    let refusing =
        axum::Router::new().fallback(|| async { (axum::http::StatusCode::UNAUTHORIZED, "{\"error\":\"no\"}") });
    let base = format!("http://{}", common::spawn_router(refusing).await);
    let addr = common::spawn(&[
        ("SEGMIND_API_KEY", "k"),
        ("SEGMIND_BASE_URL", &base),
        ("ONEMIN_AI_API_KEY", "k"),
        ("ONEMIN_AI_BASE_URL", &base),
    ])
    .await;
    let (status, body) = common::generate(addr, "segmind/flux-dev", json!({"prompt": "p"})).await;
    assert_eq!(status, 502);
    assert!(body["message"].as_str().unwrap().contains("SEGMIND_API_KEY"), "{body}");
    let (_, body) = common::generate(addr, "1min/black-forest-labs/flux-dev", json!({"prompt": "p"})).await;
    assert!(body["message"].as_str().unwrap().contains("ONEMIN_AI_API_KEY"), "{body}");
}

/// providers-flux2-flux3.md §5.1: each FLUX.2 model as generator and as editor (one Asset API
/// path in `promptObject.imageUrl`), with the `model` and `type` members 1min.ai names.
#[tokio::test]
async fn onemin_flux2_generates_and_edits_one_input_image() {
    let addr = common::spawn(&[]).await;
    let (status, body) = common::generate(
        addr,
        "1min/black-forest-labs/flux-2-pro",
        json!({"prompt": "a lighthouse", "aspect_ratio": "16:9", "output_format": "jpg"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let image = &body["images"][0];
    let (w, h) = (image["width"].as_f64().unwrap(), image["height"].as_f64().unwrap());
    assert!((w / h - 16.0 / 9.0).abs() < 0.02 && image["content_type"] == "image/jpeg", "{image}");
    assert_eq!(body["upstream"]["aiRecord"]["model"], "black-forest-labs/flux-2-pro");
    assert_eq!(body["upstream"]["aiRecord"]["type"], "IMAGE_GENERATOR");

    let input = common::upload(addr, common::png(600, 300)).await;
    for slug in ["1min/black-forest-labs/flux-2-max/editor", "1min/black-forest-labs/flux-2-dev/editor"] {
        let (status, body) = common::generate(addr, slug, json!({"prompt": "as ink", "imageUrl": input})).await;
        assert_eq!(status, 200, "{slug}: {body}");
        let image = &body["images"][0];
        let (w, h) = (image["width"].as_f64().unwrap(), image["height"].as_f64().unwrap());
        assert!((w / h - 2.0).abs() < 0.05, "{slug}: the input's 2:1 shape, {w}x{h}");
        assert_eq!(body["upstream"]["aiRecord"]["type"], "IMAGE_EDITOR", "{slug}");
    }
    // The editor needs its input image: refused here, before anything is sent.
    let (status, body) =
        common::generate(addr, "1min/black-forest-labs/flux-2-flex/editor", json!({"prompt": "p"})).await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (422, Some("imageUrl")), "{body}");
}

/// The emulator holds §5.1 whatever the catalog says: ranges, the ratio list, the editor's
/// input, and [dev]'s own set (no `aspect_ratio`).
#[tokio::test]
async fn onemin_flux2_emulator_follows_the_documented_fields() {
    let addr = common::spawn(&[]).await;
    let url = format!("http://{addr}/emulate/1min/api/features");
    let client = reqwest::Client::new();
    let call = |kind: &str, model: &str, prompt_object: Value| {
        let body = json!({"type": kind, "model": format!("black-forest-labs/{model}"), "promptObject": prompt_object});
        client.post(&url).header("API-KEY", "k").json(&body).send()
    };
    let ok = call("IMAGE_GENERATOR", "flux-2-flex", json!({"prompt": "p", "steps": 15, "guidance": 2})).await.unwrap();
    assert_eq!(ok.status(), 200);
    for (kind, model, prompt_object) in [
        ("IMAGE_GENERATOR", "flux-2-pro", json!({"prompt": "p", "steps": 14})),
        ("IMAGE_GENERATOR", "flux-2-pro", json!({"prompt": "p", "guidance": 5.5})),
        ("IMAGE_GENERATOR", "flux-2-max", json!({"prompt": "p", "safety_tolerance": 7})),
        ("IMAGE_GENERATOR", "flux-2-max", json!({"prompt": "p", "aspect_ratio": "match_input_image"})),
        ("IMAGE_GENERATOR", "flux-2-pro", json!({"prompt": "p", "output_format": "webp"})),
        ("IMAGE_GENERATOR", "flux-2-dev", json!({"prompt": "p", "aspect_ratio": "1:1"})),
        ("IMAGE_GENERATOR", "flux-2-dev", json!({"prompt": "p", "megapixels": "2"})),
        ("IMAGE_EDITOR", "flux-2-pro", json!({"prompt": "p"})),
        ("IMAGE_EDITOR", "flux-2-pro", json!({"prompt": "p", "imageUrl": "images/never-uploaded.png"})),
    ] {
        let resp = call(kind, model, prompt_object.clone()).await.unwrap();
        assert_eq!(resp.status(), 400, "{kind} {model} {prompt_object}");
    }
}

/// FLUX.2 on Segmind: the size asked, the format asked, reference images sent inline, and
/// what the page does not list for a model refused here before anything is sent.
#[tokio::test]
async fn segmind_flux2_generates_at_its_size_with_references_inline() {
    let addr = common::spawn(&[]).await;
    let input = common::upload(addr, common::png(320, 192)).await;
    let (status, body) = common::generate(
        addr,
        "segmind/flux-2-flex",
        json!({"prompt": "a fox", "width": 768, "height": 512, "output_format": "png", "image_urls": [input], "steps": 20}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let image = &body["images"][0];
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(768), Some(512)), "{image}");
    assert_eq!(image["content_type"], "image/png");
    for slug in ["segmind/flux-2-pro", "segmind/flux-2-max"] {
        let (status, body) = common::generate(addr, slug, json!({"prompt": "a fox"})).await;
        assert_eq!(status, 200, "{slug}: {body}");
        let image = &body["images"][0];
        assert_eq!((image["width"].as_u64(), image["content_type"].as_str()), (Some(1024), Some("image/jpeg")));
    }
    for (slug, params, field) in [
        ("segmind/flux-2-flex", json!({"prompt": "p", "steps": 51}), "steps"),
        ("segmind/flux-2-pro", json!({"prompt": "p", "steps": 20}), "steps"),
        ("segmind/flux-2-max", json!({"prompt": "p", "width": 1000}), "width"),
    ] {
        let (status, body) = common::generate(addr, slug, params).await;
        assert_eq!((status, body["fields"][0]["field"].as_str()), (422, Some(field)), "{slug}: {body}");
    }
}

/// The emulator holds §5.2's field lists and BFL's ranges whatever the catalog says.
#[tokio::test]
async fn segmind_flux2_emulator_holds_the_pages_fields() {
    let addr = common::spawn(&[]).await;
    let client = reqwest::Client::new();
    let call = |model: &str, body: Value| {
        let url = format!("http://{addr}/emulate/segmind/v1/{model}");
        client.post(url).header("x-api-key", "k").json(&body).send()
    };
    // The page's own example body.
    let example = json!({"prompt": "letters", "seed": 42, "width": 1024, "height": 1024, "safety_tolerance": 3, "output_format": "png"});
    let ok = call("flux-2-pro", example).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "image/png");
    for (model, body) in [
        ("flux-2-pro", json!({"prompt": "p", "guidance": 5})),
        ("flux-2-pro", json!({"prompt": "p", "aspect_ratio": "1:1"})),
        ("flux-2-max", json!({"prompt": "p", "width": 1000})),
        ("flux-2-max", json!({"prompt": "p", "height": 4096})),
        ("flux-2-flex", json!({"prompt": "p", "steps": 0})),
        ("flux-2-flex", json!({"prompt": "p", "output_format": "webp"})),
        ("flux-2-pro", json!({"prompt": "p", "image_urls": ["http://example.com/a.png"]})),
        ("flux-2-pro", json!({"prompt": "p", "image_urls": vec!["https://example.com/a.png"; 9]})),
        ("flux-2-pro", json!({"image_urls": ["https://example.com/a.png"]})),
    ] {
        let resp = call(model, body.clone()).await.unwrap();
        assert_eq!(resp.status(), 400, "{model} {body}");
    }
    assert_eq!(call("flux-2-klein-4b", json!({"prompt": "p"})).await.unwrap().status(), 404);
}

//! Every provider's documented error statuses, forced in its emulator with the
//! `status` knob and sent through the real adapter: each ends in our status and
//! a message that says what to do, with a request id.

use crate::common;

use serde_json::{json, Value};

/// (model, key variable, URL variable, emulator segment, the provider's "no credits" status)
const PROVIDERS: &[(&str, &str, &str, &str, u16)] = &[
    ("aimlapi/flux/dev", "AIMLAPI_KEY", "AIMLAPI_BASE_URL", "aimlapi", 403),
    ("segmind/flux-dev", "SEGMIND_API_KEY", "SEGMIND_BASE_URL", "segmind", 406),
    ("1min/black-forest-labs/flux-dev", "ONEMIN_AI_API_KEY", "ONEMIN_AI_BASE_URL", "1min", 402),
    ("bfl/flux-dev", "BFL_API_KEY", "BFL_BASE_URL", "bfl", 402),
    ("fal/fal-ai/flux/dev", "FAL_KEY", "FAL_BASE_URL", "fal", 402),
    ("replicate/black-forest-labs/flux-dev", "REPLICATE_API_TOKEN", "REPLICATE_BASE_URL", "replicate", 402),
    ("openai/flux-dev", "OPENAI_IMAGES_API_KEY", "OPENAI_IMAGES_BASE_URL", "openai", 402),
];

#[tokio::test]
async fn each_providers_error_statuses_become_clear_messages() {
    let emulator = common::spawn_router(axum::Router::new().nest_service("/emulate", server::emulator::router())).await;
    let client = reqwest::Client::new();
    let mut checked = 0;
    for (model, key_env, url_env, segment, credits) in PROVIDERS {
        let base = format!("http://{emulator}/emulate/{segment}");
        let key_status = if *segment == "bfl" { 403 } else { 401 };
        for (status, ours, says) in [
            (key_status, 502, format!("Check {key_env}")),
            (*credits, 502, "credits".to_owned()),
            (429, 429, "rate limiting".to_owned()),
            (500, 502, "internal error (500)".to_owned()),
            (503, 503, "unavailable for now (503)".to_owned()),
        ] {
            let key = format!("k#status={status}");
            let addr = common::spawn(&[(key_env, key.as_str()), (url_env, base.as_str())]).await;
            let resp = client
                .post(format!("http://{addr}/api/generate"))
                .json(&json!({"model": model, "params": {"prompt": "p"}}))
                .send()
                .await
                .unwrap();
            let got = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            let message = body["message"].as_str().unwrap_or_default();
            assert_eq!(got, ours, "{model} {status}: {body}");
            assert!(message.contains(&says), "{model} {status}: {message}");
            assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{model} {status}");
            checked += 1;
        }
    }
    assert_eq!(checked, PROVIDERS.len() * 5);
}

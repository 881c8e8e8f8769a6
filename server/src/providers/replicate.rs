//! Replicate (providers.md §6): create a prediction with `Prefer: wait` for a
//! few seconds; if it is not done by then, poll `urls.get` until it succeeds,
//! fails or the deadline passes. `output` is a list of https or data: URIs.

use super::{
    bad_answer, check_host, common_status, detail_text, inline_uploads, key_header, poll_once, rejected, request,
    too_slow, Generated, ImageRef, Inline,
};
use crate::error::Error;
use crate::jobs::Progress;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

const NAME: &str = "Replicate";
const KEY_ENV: &str = "REPLICATE_API_TOKEN";
const POLL_EVERY: Duration = Duration::from_millis(400);

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    mut params: Map<String, Value>,
    progress: &Progress,
) -> Result<Generated, Error> {
    // An uploaded input image goes as a data URI, which Replicate accepts for file inputs.
    inline_uploads(state, model, &mut params, Inline::DataUri).await?;
    let req = request(model, upstream, &params);
    let key = key_header(upstream, req.auth, KEY_ENV)?;
    let post = state.inner.http.post(&req.url).header(key.0.clone(), key.1.clone()).header("prefer", "wait=5");
    let (status, _, body) = super::submit(state, upstream, post.json(&req.body), NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let mut prediction: Value =
        serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    let deadline = Instant::now() + state.limits().poll_deadline;
    loop {
        match prediction.get("status").and_then(Value::as_str).unwrap_or_default() {
            "succeeded" => return succeeded(&prediction),
            "failed" | "canceled" | "aborted" => {
                let why = prediction.get("error").and_then(Value::as_str).unwrap_or("no reason given");
                return Err(Error::Provider {
                    status: StatusCode::BAD_GATEWAY,
                    message: format!("{NAME}'s prediction failed: {why}"),
                });
            }
            "starting" => progress.queued(None),
            _ => progress.running(None),
        }
        if Instant::now() >= deadline {
            return Err(too_slow(NAME, state));
        }
        let get = prediction
            .pointer("/urls/get")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_answer(NAME, "no urls.get"))?
            .to_owned();
        check_host(NAME, &get, &upstream.base_url, &["replicate.com"])?;
        tokio::time::sleep(POLL_EVERY).await;
        if let Some(next) = poll_once(state, &get, &key, (NAME, KEY_ENV), deadline).await? {
            prediction = next;
        }
    }
}

fn succeeded(prediction: &Value) -> Result<Generated, Error> {
    let images: Vec<ImageRef> = match prediction.get("output") {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(|u| ImageRef::Url(u.to_owned())).collect()
        }
        Some(Value::String(u)) => vec![ImageRef::Url(u.clone())],
        _ => Vec::new(),
    };
    if images.is_empty() {
        return Err(bad_answer(NAME, "a prediction without output"));
    }
    let seed = prediction.pointer("/input/seed").and_then(Value::as_u64);
    Ok(Generated {
        images,
        seed,
        timings: prediction.get("metrics").cloned(),
        raw: Some(prediction.clone()),
        ..Generated::default()
    })
}

/// §6.3: errors carry `detail`; 422 is an input-schema violation.
fn status_error(status: u16, body: &[u8]) -> Error {
    if !matches!(status, 400 | 422) {
        return common_status(NAME, status, KEY_ENV);
    }
    rejected(NAME, &detail_text(body).unwrap_or_else(|| "invalid input".into()))
}

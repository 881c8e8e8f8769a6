//! Replicate (providers.md §6): create a prediction with `Prefer: wait` for a
//! few seconds; if it is not done by then, poll `urls.get` until it succeeds,
//! fails or the deadline passes. `output` is a list of https or data: URIs.

use super::{
    bad_answer, check_host, common_status, key_header, read_upload, request, transport_error, Generated, ImageRef,
};
use crate::error::Error;
use crate::jobs::Progress;
use crate::state::{AppState, Upstream};
use app::catalog::{Kind, ModelRef};
use app::validate::upload_name;
use axum::http::StatusCode;
use base64::Engine;
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
    for field in model.model.fields.iter().filter(|f| matches!(f.kind, Kind::Image(_))) {
        if let Some(name) = params.get(field.key).and_then(Value::as_str).and_then(upload_name).map(str::to_owned) {
            let (bytes, content_type) = read_upload(state, field, &name).await?;
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            params.insert(field.key.to_owned(), Value::String(format!("data:{content_type};base64,{data}")));
        }
    }
    let req = request(model, upstream, &params);
    let (header, value) = key_header(upstream, req.auth, KEY_ENV)?;
    let resp = state
        .inner
        .http
        .post(&req.url)
        .header(header.clone(), value.clone())
        .header("prefer", "wait=5")
        .json(&req.body)
        .send()
        .await
        .map_err(|e| transport_error(NAME, e))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| transport_error(NAME, e))?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let mut prediction: Value =
        serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    let deadline = Instant::now() + state.inner.poll_deadline;
    loop {
        match prediction.get("status").and_then(Value::as_str).unwrap_or_default() {
            "succeeded" => return succeeded(&prediction),
            "failed" | "canceled" | "aborted" => {
                let why = prediction.get("error").and_then(Value::as_str).unwrap_or("no reason given");
                return Err(Error::Provider {
                    status: StatusCode::BAD_GATEWAY,
                    message: format!("{NAME}'s prediction failed: {}", why.chars().take(300).collect::<String>()),
                });
            }
            "starting" => progress.queued(None),
            _ => progress.running(None),
        }
        if Instant::now() >= deadline {
            return Err(Error::Provider {
                status: StatusCode::GATEWAY_TIMEOUT,
                message: format!("{NAME} did not finish within {} s.", state.inner.poll_deadline.as_secs()),
            });
        }
        let get = prediction
            .pointer("/urls/get")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_answer(NAME, "no urls.get"))?
            .to_owned();
        check_host(NAME, &get, &upstream.base_url, &["api.replicate.com"])?;
        tokio::time::sleep(POLL_EVERY).await;
        let Ok(resp) = state.inner.http.get(&get).header(header.clone(), value.clone()).send().await else { continue };
        let code = resp.status();
        if code == StatusCode::TOO_MANY_REQUESTS || code.is_server_error() {
            continue;
        }
        if !code.is_success() {
            return Err(common_status(NAME, code.as_u16(), KEY_ENV));
        }
        if let Ok(next) = resp.json::<Value>().await {
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
    let detail = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|j| j.get("detail").and_then(Value::as_str).map(|d| d.chars().take(300).collect::<String>()))
        .unwrap_or_else(|| "invalid input".into());
    Error::Provider { status: StatusCode::BAD_GATEWAY, message: format!("{NAME} rejected the request: {detail}") }
}

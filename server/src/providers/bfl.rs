//! Black Forest Labs: submit to `/v1/flux-dev` with `x-key`, then poll the
//! returned `polling_url` until `Ready`, and download `result.sample` at once
//! (it expires after 10 minutes). providers.md §4.
//!
//! The key goes only to the configured base URL's host or BFL's own API hosts:
//! a `polling_url` anywhere else is refused before anything is sent to it.

use super::{bad_answer, check_host, common_status, key_header, read_upload, request, send, Generated, ImageRef};
use crate::error::Error;
use crate::jobs::Progress;
use crate::state::{AppState, Upstream};
use app::catalog::{Kind, ModelRef};
use app::validate::upload_name;
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

const NAME: &str = "Black Forest Labs";
const KEY_ENV: &str = "BFL_API_KEY";
/// Where BFL itself may point `polling_url` (global and regional, and the legacy host).
const BFL_HOSTS: &[&str] = &["api.bfl.ai", "api.eu.bfl.ai", "api.us.bfl.ai", "api.bfl.ml"];
const POLL_EVERY: Duration = Duration::from_millis(400);

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    mut params: Map<String, Value>,
    progress: &Progress,
) -> Result<Generated, Error> {
    // image_prompt is plain base64 (no data: prefix).
    for field in model.model.fields.iter().filter(|f| matches!(f.kind, Kind::Image(_))) {
        if let Some(name) = params.get(field.key).and_then(Value::as_str).and_then(upload_name).map(str::to_owned) {
            let (bytes, _) = read_upload(state, field, &name).await?;
            params.insert(field.key.to_owned(), Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)));
        }
    }
    let req = request(model, upstream, &params);
    let (status, _, body) = send(&state.inner.http, upstream, &req, NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let submitted: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    let polling_url =
        submitted.get("polling_url").and_then(Value::as_str).ok_or_else(|| bad_answer(NAME, "no polling_url"))?;
    check_polling_host(polling_url, &upstream.base_url)?;
    progress.queued(None);
    let deadline = Instant::now() + state.inner.poll_deadline;
    let (header, value) = key_header(upstream, model.provider.auth, KEY_ENV)?;
    loop {
        if Instant::now() >= deadline {
            return Err(Error::Provider {
                status: StatusCode::GATEWAY_TIMEOUT,
                message: format!(
                    "{NAME} did not finish within {} s. The task may still complete on their side.",
                    state.inner.poll_deadline.as_secs()
                ),
            });
        }
        tokio::time::sleep(POLL_EVERY).await;
        // Polls are GETs: a failed one is simply tried again until the deadline.
        let Ok(resp) = state.inner.http.get(polling_url).header(header.clone(), value.clone()).send().await else {
            continue;
        };
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            continue;
        }
        if !status.is_success() {
            return Err(common_status(NAME, status.as_u16(), KEY_ENV));
        }
        let Ok(poll) = resp.json::<Value>().await else { continue };
        match poll.get("status").and_then(Value::as_str).unwrap_or_default() {
            "Ready" => return ready(&poll),
            "Request Moderated" | "Content Moderated" => {
                return Err(Error::Provider {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    message: format!(
                        "{NAME} moderated this request (moderated requests are not charged). Change the prompt."
                    ),
                })
            }
            "Error" | "Failed" => return Err(bad_answer(NAME, "the task status Error")),
            "Task not found" => return Err(bad_answer(NAME, "Task not found for its own task")),
            // Pending, and any status not known yet: keep polling until the deadline.
            _ => progress.running(poll.get("progress").and_then(Value::as_f64)),
        }
    }
}

fn ready(poll: &Value) -> Result<Generated, Error> {
    let result = poll.get("result").ok_or_else(|| bad_answer(NAME, "Ready without a result"))?;
    let sample =
        result.get("sample").and_then(Value::as_str).ok_or_else(|| bad_answer(NAME, "Ready without a sample"))?;
    let timings = result.get("duration").map(|d| json!({"duration": d}));
    Ok(Generated {
        images: vec![ImageRef::Url(sample.to_owned())],
        seed: result.get("seed").and_then(Value::as_u64),
        timings,
        raw: Some(poll.clone()),
        ..Generated::default()
    })
}

/// The key may go to the configured base URL's origin, or to BFL's own hosts over https.
pub fn check_polling_host(polling_url: &str, base_url: &str) -> Result<(), Error> {
    check_host(NAME, polling_url, base_url, BFL_HOSTS)
}

/// §4.4 statuses; 422 carries FastAPI's `detail`.
fn status_error(status: u16, body: &[u8]) -> Error {
    match status {
        402 => common_status(NAME, 402, KEY_ENV),
        422 => {
            let detail = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|j| j.get("detail").cloned())
                .map(|d| match d {
                    Value::Array(items) => {
                        items.iter().filter_map(|i| i.get("msg").and_then(Value::as_str)).collect::<Vec<_>>().join("; ")
                    }
                    other => other.as_str().unwrap_or_default().to_owned(),
                })
                .unwrap_or_default();
            Error::Provider {
                status: StatusCode::BAD_GATEWAY,
                message: format!("{NAME} rejected the request: {}", detail.chars().take(300).collect::<String>()),
            }
        }
        s => common_status(NAME, s, KEY_ENV),
    }
}

#[cfg(test)]
mod tests {
    use super::check_polling_host;

    #[test]
    fn polling_urls_only_on_the_base_host_or_bfls_own() {
        let base = "https://api.bfl.ai";
        assert!(check_polling_host("https://api.bfl.ai/v1/get_result?id=1", base).is_ok());
        assert!(check_polling_host("https://api.eu.bfl.ai/v1/get_result?id=1", base).is_ok());
        for bad in [
            "https://attacker.example/v1/get_result?id=1",
            "http://api.bfl.ai/v1/get_result?id=1",
            "https://api.bfl.ai.attacker.example/x",
            "https://api.bfl.ai:8443/x",
            "http://169.254.169.254/latest",
            "not a url",
        ] {
            assert!(check_polling_host(bad, base).is_err(), "{bad}");
        }
        let local = "http://127.0.0.1:4000/bfl";
        assert!(check_polling_host("http://127.0.0.1:4000/bfl/v1/get_result?id=1", local).is_ok());
        assert!(check_polling_host("http://127.0.0.1:4001/bfl/v1/get_result?id=1", local).is_err());
    }
}

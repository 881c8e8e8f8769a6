//! Black Forest Labs: submit to `/v1/flux-dev` with `x-key`, then poll the
//! returned `polling_url` until `Ready`, and download `result.sample` at once
//! (it expires after 10 minutes). providers.md §4.
//!
//! The key goes only to the configured base URL's host or BFL's own API hosts:
//! a `polling_url` anywhere else is refused before anything is sent to it.

use super::{
    bad_answer, check_host, common_status, detail_text, inline_uploads, key_header, poll_once, rejected, request, send,
    too_slow, Generated, ImageRef, Inline,
};
use crate::error::Error;
use crate::jobs::Progress;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

const NAME: &str = "Black Forest Labs";
const KEY_ENV: &str = "BFL_API_KEY";
/// Where BFL itself may point `polling_url` (global and regional, and the legacy host).
/// BFL's API domains: polling URLs come on regional hosts below them (`api.us1.bfl.ai`).
const BFL_HOSTS: &[&str] = &["bfl.ai", "bfl.ml"];
const POLL_EVERY: Duration = Duration::from_millis(400);

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    mut params: Map<String, Value>,
    progress: &Progress,
) -> Result<Generated, Error> {
    // image_prompt is plain base64 (no data: prefix).
    inline_uploads(state, model, &mut params, Inline::Base64).await?;
    let req = request(model, upstream, &params);
    let (status, _, body) = send(state, upstream, &req, NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let submitted: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    let polling_url =
        submitted.get("polling_url").and_then(Value::as_str).ok_or_else(|| bad_answer(NAME, "no polling_url"))?;
    check_polling_host(polling_url, &upstream.base_url)?;
    progress.queued(None);
    let deadline = Instant::now() + state.limits().poll_deadline;
    let key = key_header(upstream, model.provider.auth, KEY_ENV)?;
    loop {
        if Instant::now() >= deadline {
            return Err(too_slow(NAME, state));
        }
        tokio::time::sleep(POLL_EVERY).await;
        let Some(poll) = poll_once(state, polling_url, &key, (NAME, KEY_ENV), deadline).await? else { continue };
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
        422 => rejected(NAME, &detail_text(body).unwrap_or_default()),
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

//! fal.ai through its queue API (providers.md §5): submit to
//! `queue.fal.run/fal-ai/flux/dev`, poll `status_url` (202 while queued or in
//! progress, 200 when completed), then fetch `response_url`. Snippets show the
//! synchronous `fal.run` endpoint; both answer with the same output JSON.

use super::{
    bad_answer, check_host, common_status, detail_text, key_header, poll_once, rejected, request, send, too_slow,
    transport_error, Generated,
};
use crate::error::Error;
use crate::jobs::Progress;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

const NAME: &str = "fal.ai";
const KEY_ENV: &str = "FAL_KEY";
/// fal's API domains: the queue's `status_url` and `response_url` are on `queue.fal.run`.
const FAL_HOSTS: &[&str] = &["fal.run"];
const POLL_EVERY: Duration = Duration::from_millis(400);

/// fal.run's queue lives on queue.fal.run; any other base (a proxy, the emulator) under `/queue`.
fn queue_base(base_url: &str) -> String {
    if base_url == "https://fal.run" {
        "https://queue.fal.run".to_owned()
    } else {
        format!("{base_url}/queue")
    }
}

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    params: Map<String, Value>,
    progress: &Progress,
) -> Result<Generated, Error> {
    let queue = queue_base(&upstream.base_url);
    let mut req = request(model, upstream, &params);
    req.url = format!("{queue}{}", model.model.path);
    let (status, _, body) = send(state, upstream, &req, NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let ticket: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    let url = |key: &str| {
        ticket.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| bad_answer(NAME, &format!("no {key}")))
    };
    let (status_url, response_url) = (url("status_url")?, url("response_url")?);
    check_host(NAME, &status_url, &queue, FAL_HOSTS)?;
    check_host(NAME, &response_url, &queue, FAL_HOSTS)?;
    progress.queued(ticket.get("queue_position").and_then(Value::as_u64).map(|p| p as u32));

    let key = key_header(upstream, model.provider.auth, KEY_ENV)?;
    let deadline = Instant::now() + state.limits().poll_deadline;
    loop {
        if Instant::now() >= deadline {
            return Err(too_slow(NAME, state));
        }
        tokio::time::sleep(POLL_EVERY).await;
        let Some(poll) = poll_once(state, &status_url, &key, (NAME, KEY_ENV), deadline).await? else { continue };
        match poll.get("status").and_then(Value::as_str).unwrap_or_default() {
            "COMPLETED" => break,
            "IN_QUEUE" => progress.queued(poll.get("queue_position").and_then(Value::as_u64).map(|p| p as u32)),
            _ => progress.running(None),
        }
    }
    let resp =
        state.inner.http.get(&response_url).header(key.0, key.1).send().await.map_err(|e| transport_error(NAME, e))?;
    if !resp.status().is_success() {
        return Err(common_status(NAME, resp.status().as_u16(), KEY_ENV));
    }
    let body = super::read_capped(resp, state.limits().max_upstream_bytes, NAME).await?;
    let output: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a result that is not JSON"))?;
    // fal's output is the shape AI/ML API passes through as its shape A.
    super::aimlapi::parse_success(&output)
}

/// §5.3: 422 carries `detail` (a list or a string).
fn status_error(status: u16, body: &[u8]) -> Error {
    if status == 422 {
        rejected(NAME, &detail_text(body).unwrap_or_default())
    } else {
        common_status(NAME, status, KEY_ENV)
    }
}

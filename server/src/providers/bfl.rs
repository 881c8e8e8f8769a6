//! Black Forest Labs: submit to `/v1/flux-dev` with `x-key`, then poll the
//! returned `polling_url` until `Ready`, and download `result.sample` at once
//! (it expires after 10 minutes). providers.md §4.
//!
//! The key goes only to the configured base URL's host or BFL's own API hosts:
//! a `polling_url` anywhere else is refused before anything is sent to it.
//!
//! Errors (fixtures NOTES.md §4): the submit's 422 is FastAPI's `detail`; 402,
//! 429 and 503 are documented by status (the skill files add `{message}` and
//! `Retry-After`). A task ends in `Ready`, `Error`/`Failed` ("check the error
//! details"), `Request Moderated` (input flagged, not charged), `Content
//! Moderated` (output flagged, not charged) or `Task not found` (does not exist
//! or has expired); its `details` or `error` is quoted.

use super::poll::Poll;
use super::refusal::{reason_in, refusal, sentence};
use super::{bad_answer, check_host, inline_uploads, key_header, request, send, Ctx, Generated, ImageRef};
use crate::error::Error;
use crate::jobs::Progress;
use app::valid::Valid;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Where BFL itself may point `polling_url` (global and regional, and the legacy host).
/// BFL's API domains: polling URLs come on regional hosts below them (`api.us1.bfl.ai`).
const BFL_HOSTS: &[&str] = &["bfl.ai", "bfl.ml"];
const POLL_EVERY: Duration = Duration::from_millis(400);

adapter!(Bfl);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let mut params = valid.values(true);
    let (name, key_env) = (model.provider.name, model.provider.key_env);
    // image_prompt is plain base64 (no data: prefix).
    inline_uploads(ctx, valid, &mut params).await?;
    let req = request(model, ctx.upstream, &params);
    let (status, headers, body) = send(ctx, &req, name).await?;
    if !status.is_success() {
        return Err(refusal(name, key_env, status.as_u16(), &headers, &body));
    }
    let submitted: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a body that is not JSON"))?;
    let polling_url =
        submitted.get("polling_url").and_then(Value::as_str).ok_or_else(|| bad_answer(name, "no polling_url"))?;
    check_host(name, polling_url, &ctx.upstream.base_url, BFL_HOSTS)?;
    // The submit's cost (credits; 1 credit = $0.01) is the estimate BFL bills.
    let usage = submitted.get("cost").filter(|c| c.is_number()).map(|cost| json!({"credits": cost}));
    progress.queued(None);
    let key = key_header(ctx.upstream, model.provider.auth, key_env)?;
    let mut polls = Poll::new(ctx, key, (name, key_env), POLL_EVERY);
    loop {
        polls.pause().await?;
        let Some(poll) = polls.status(polling_url).await? else { continue };
        let status = poll.get("status").and_then(Value::as_str).unwrap_or_default();
        match status {
            "Ready" => return ready(name, &poll).map(|g| Generated { usage, ..g }),
            "Request Moderated" | "Content Moderated" | "Error" | "Failed" | "Task not found" => {
                return Err(ended(name, status, &poll))
            }
            // Pending, FLUX 3's Reasoning and Generating, and any status not known yet:
            // keep polling until the deadline.
            _ => progress.running(poll.get("progress").and_then(Value::as_f64)),
        }
    }
}

/// A task that ended without an image, in the help article's words, with its
/// `details` (or the skill files' `error`) quoted.
fn ended(name: &str, status: &str, poll: &Value) -> Error {
    let why = reason_in(poll);
    let why = why.as_deref();
    let (code, message) = match status {
        "Request Moderated" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            sentence(
                format!("{name} moderated the request before processing it (not charged)"),
                why,
                "Change the prompt.",
            ),
        ),
        "Content Moderated" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            sentence(format!("{name} moderated the generated image (not charged)"), why, "Change the prompt."),
        ),
        "Task not found" => (
            StatusCode::BAD_GATEWAY,
            sentence(format!("{name} no longer knows the task: it does not exist or has expired"), why, "Retry."),
        ),
        other => {
            (StatusCode::BAD_GATEWAY, sentence(format!("{name} could not finish the task (status {other})"), why, ""))
        }
    };
    Error::Provider { status: code, message }
}

fn ready(name: &str, poll: &Value) -> Result<Generated, Error> {
    let result = poll.get("result").ok_or_else(|| bad_answer(name, "Ready without a result"))?;
    let sample =
        result.get("sample").and_then(Value::as_str).ok_or_else(|| bad_answer(name, "Ready without a sample"))?;
    let timings = result.get("duration").map(|d| json!({"duration": d}));
    Ok(Generated {
        images: vec![ImageRef::Url(sample.to_owned())],
        seed: result.get("seed").and_then(Value::as_u64),
        prompt: result.get("prompt").and_then(Value::as_str).map(str::to_owned),
        timings,
        raw: Some(poll.clone()),
        ..Generated::default()
    })
}

/// The key may go to the configured base URL's origin, or to BFL's own hosts over https.
pub fn check_polling_host(polling_url: &str, base_url: &str) -> Result<(), Error> {
    check_host(app::catalog::BFL.name, polling_url, base_url, BFL_HOSTS)
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

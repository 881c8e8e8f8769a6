//! fal.ai through its queue API (providers.md §5): submit to
//! `queue.fal.run/fal-ai/flux/dev`, poll `status_url` (202 while queued or in
//! progress, 200 when completed), then fetch `response_url`. Snippets use the same
//! queue (fal's docs: "the recommended way to call models").
//!
//! Errors (fixtures NOTES.md §5) come in two documented shapes, on the submit,
//! the status URL and the result URL alike: model errors `{"detail": [{loc,
//! msg, type, …}]}` with `X-Fal-Retryable`, and request errors `{"detail":
//! "…", "error_type": "…"}` with `X-Fal-Error-Type`. A failed request's error
//! comes back from its result URL.

use super::poll::Poll;
use super::refusal::{reason_in, refusal};
use super::{bad_answer, check_host, inline_uploads, key_header, request, send, Ctx, Generated};
use crate::error::Error;
use crate::jobs::Progress;
use app::valid::Valid;
use axum::http::StatusCode;
use serde_json::Value;
use std::time::Duration;

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

adapter!(Fal);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let mut params = valid.values(true);
    inline_uploads(ctx, valid, &mut params).await?;
    let (name, key_env) = (model.provider.name, model.provider.key_env);
    let queue = queue_base(&ctx.upstream.base_url);
    let mut req = request(model, ctx.upstream, &params);
    req.url = format!("{queue}{}", model.model.path);
    let (status, headers, body) = send(ctx, &req, name).await?;
    if !status.is_success() {
        return Err(refusal(name, key_env, status.as_u16(), &headers, &body));
    }
    let ticket: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a body that is not JSON"))?;
    let url = |key: &str| {
        ticket.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| bad_answer(name, &format!("no {key}")))
    };
    let (status_url, response_url) = (url("status_url")?, url("response_url")?);
    check_host(name, &status_url, &queue, FAL_HOSTS)?;
    check_host(name, &response_url, &queue, FAL_HOSTS)?;
    // The queue cancels a request still waiting (`PUT …/cancel`); one already running completes.
    if let Ok(cancel) = url("cancel_url") {
        if check_host(name, &cancel, &queue, FAL_HOSTS).is_ok() {
            progress.cancel_with(reqwest::Method::PUT, cancel);
        }
    }
    progress.queued(ticket.get("queue_position").and_then(Value::as_u64).map(|p| p as u32));

    let key = key_header(ctx.upstream, model.provider.auth, key_env)?;
    let mut polls = Poll::new(ctx, key, (name, key_env), POLL_EVERY);
    loop {
        polls.pause().await?;
        let Some(poll) = polls.status(&status_url).await? else { continue };
        match poll.get("status").and_then(Value::as_str).unwrap_or_default() {
            "COMPLETED" => break,
            "IN_QUEUE" => progress.queued(poll.get("queue_position").and_then(Value::as_u64).map(|p| p as u32)),
            _ => progress.running(None),
        }
    }
    let output = loop {
        if let Some(output) = polls.result(&response_url).await? {
            break output;
        }
        polls.pause().await?;
    };
    parse_result(name, output)
}

/// The result URL's answer: the model's output (as the SDKs read it), or the
/// queue docs' `{"status": "COMPLETED", "logs": …, "response": <output>}`.
fn parse_result(name: &str, output: Value) -> Result<Generated, Error> {
    let output = match output.get("response") {
        Some(inner) if inner.is_object() && output.get("images").is_none() => inner.clone(),
        _ => output,
    };
    if output.get("images").is_none() {
        if let Some(why) = reason_in(&output) {
            return Err(Error::Provider {
                status: StatusCode::BAD_GATEWAY,
                message: format!("{name}'s request failed: {why}"),
            });
        }
    }
    // fal's output is the shape AI/ML API passes through as its shape A.
    super::aimlapi::parse_output(name, &output)
}

//! Segmind: `POST /v1/<model>`, `x-api-key`, and the image itself as the answer
//! (providers.md §2; FLUX.2 the same [I], see the catalog). Remaining credits come in
//! `x-remaining-credits`. FLUX.2's reference images go inline, as data URIs.
//!
//! Errors (fixtures NOTES.md §2): Segmind documents the statuses, not a body —
//! 401 key, 406 "Not enough credits", 422 "Invalid or missing parameters in the
//! request body", 429 — so whatever reason the body carries (`{"error"}` in
//! practice) is quoted, and 422 without one says what the table says.

use super::refusal::Refusal;
use super::{bad_answer, inline_uploads, request, send, Ctx, Generated, ImageRef};
use crate::error::Error;
use crate::jobs::Progress;
use app::catalog::Provider;
use app::valid::Valid;
use axum::http::{header, HeaderMap};
use serde_json::json;

adapter!(Segmind);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, _progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let mut params = valid.values(true);
    inline_uploads(ctx, valid, &mut params).await?;
    let name = model.provider.name;
    let req = request(model, ctx.upstream, &params);
    let (status, headers, body) = send(ctx, &req, name).await?;
    if !status.is_success() {
        return Err(status_error(model.provider, status.as_u16(), &headers, &body));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    // The type is not documented exactly (§8.7); the store sniffs the bytes anyway.
    if content_type.starts_with("application/json") || content_type.starts_with("text/") || body.is_empty() {
        return Err(match super::refusal::reason(&headers, &body) {
            Some(why) => bad_answer(name, &format!("something that is not an image: {why}")),
            None => bad_answer(name, "something that is not an image"),
        });
    }
    let credits =
        headers.get("x-remaining-credits").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<f64>().ok());
    // The answer is the image itself; what there is to show is its headers.
    let raw = json!({"content_type": content_type, "bytes": body.len(), "x-remaining-credits": credits});
    Ok(Generated {
        raw: Some(raw),
        images: vec![ImageRef::Bytes(body)],
        usage: credits.map(|c| json!({"remaining_credits": c})),
        ..Generated::default()
    })
}

/// The documented statuses (https://docs.segmind.com/api-reference), with the body's reason.
fn status_error(provider: &Provider, status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let mut refusal = Refusal::read(provider.name, provider.key_env, status, headers, body);
    match status {
        406 => refusal.status = 402,
        422 if refusal.why.is_none() => {
            refusal.why = Some("Invalid or missing parameters in the request body.".into());
        }
        _ => {}
    }
    refusal.error()
}

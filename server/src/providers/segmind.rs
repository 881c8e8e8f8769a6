//! Segmind: `POST /v1/flux-dev`, `x-api-key`, and the image itself as the answer
//! (providers.md §2). Remaining credits come in `x-remaining-credits`.

use super::{bad_answer, common_status, rejected, request, send, Generated, ImageRef};
use crate::error::Error;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use axum::http::{header, StatusCode};
use serde_json::{json, Map, Value};

const NAME: &str = "Segmind";

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    params: Map<String, Value>,
) -> Result<Generated, Error> {
    let req = request(model, upstream, &params);
    let (status, headers, body) = send(state, upstream, &req, NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    // The type is not documented exactly (§8.7); the store sniffs the bytes anyway.
    if content_type.starts_with("application/json") || content_type.starts_with("text/") || body.is_empty() {
        return Err(bad_answer(NAME, "something that is not an image"));
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

/// §2 errors: the body is `{"error": "…"}` (third-party source), 406 is credits.
fn status_error(status: u16, body: &[u8]) -> Error {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|j| j.get("error").and_then(Value::as_str).map(str::to_owned));
    match status {
        400 => rejected(NAME, message.as_deref().unwrap_or("bad request")),
        406 => Error::Provider {
            status: StatusCode::BAD_GATEWAY,
            message: format!("The {NAME} account does not have enough credits for this request. Top it up and retry."),
        },
        s => common_status(NAME, s, "SEGMIND_API_KEY"),
    }
}

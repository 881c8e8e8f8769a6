//! An OpenAI-compatible images endpoint (providers.md §7): Bearer (optional for
//! self-hosted engines), `data[].url` or `data[].b64_json` back, errors as
//! `{"error": {"message": …}}`.

use super::{bad_answer, request, send, Generated};
use crate::error::Error;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use serde_json::{Map, Value};

const NAME: &str = "The image engine";

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    params: Map<String, Value>,
) -> Result<Generated, Error> {
    let req = request(model, upstream, &params);
    let (status, headers, body) = send(state, upstream, &req, NAME).await?;
    if matches!(status.as_u16(), 404 | 405) {
        // Say which path was tried (not the whole URL: errors name no host), so a wrong base URL is easy to see.
        let path = reqwest::Url::parse(&req.url).map(|u| u.path().to_owned()).unwrap_or_default();
        return Err(Error::Provider {
            status: axum::http::StatusCode::BAD_GATEWAY,
            message: format!(
                "{NAME} has no POST {path} for model `{model}` ({}){}. Check OPENAI_IMAGES_BASE_URL (the server's \
                 root, with or without /v1) and OPENAI_IMAGES_MODEL (the engine's name for its FLUX model).",
                status.as_u16(),
                super::refusal::reason(&headers, &body)
                    .map(|w| format!(": {}", w.trim_end_matches('.')))
                    .unwrap_or_default(),
                model = req.body.get("model").and_then(Value::as_str).unwrap_or_default(),
            ),
        });
    }
    if !status.is_success() {
        // `{"error": {"message"}}` (LocalAI) or `{"error": "…"}` (sd.cpp), and 503's `Retry-After`.
        return Err(super::refusal::refusal(NAME, "OPENAI_IMAGES_API_KEY", status.as_u16(), &headers, &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    // `data[]` is the shape AI/ML API calls shape B.
    super::aimlapi::parse_output(NAME, &json)
}

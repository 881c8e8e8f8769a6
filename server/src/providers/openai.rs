//! An OpenAI-compatible images endpoint (providers.md §7): Bearer (optional for
//! self-hosted engines), `data[].url` or `data[].b64_json` back, errors as
//! `{"error": {"message": …}}`.

use super::{bad_answer, common_status, rejected, request, send, Generated};
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
    let (status, _, body) = send(state, upstream, &req, NAME).await?;
    if status.as_u16() == 400 {
        let message = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|j| j.pointer("/error/message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "bad request".into());
        return Err(rejected(NAME, &message));
    }
    if matches!(status.as_u16(), 404 | 405) {
        // Say which path was tried (not the whole URL: errors name no host), so a wrong base URL is easy to see.
        let path = reqwest::Url::parse(&req.url).map(|u| u.path().to_owned()).unwrap_or_default();
        return Err(Error::Provider {
            status: axum::http::StatusCode::BAD_GATEWAY,
            message: format!(
                "{NAME} has no POST {path} for model `{model}` ({}). Check OPENAI_IMAGES_BASE_URL (the server's \
                 root, with or without /v1) and OPENAI_IMAGES_MODEL (the engine's name for its FLUX model).",
                status.as_u16(),
                model = req.body.get("model").and_then(Value::as_str).unwrap_or_default(),
            ),
        });
    }
    if !status.is_success() {
        return Err(common_status(NAME, status.as_u16(), "OPENAI_IMAGES_API_KEY"));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    // `data[]` is the shape AI/ML API calls shape B.
    super::aimlapi::parse_success(&json)
}

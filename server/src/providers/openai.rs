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
    if !status.is_success() {
        return Err(common_status(NAME, status.as_u16(), "OPENAI_IMAGES_API_KEY"));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    // `data[]` is the shape AI/ML API calls shape B.
    super::aimlapi::parse_success(&json)
}

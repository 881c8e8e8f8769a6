//! AI/ML API: `POST /v1/images/generations`, Bearer auth, synchronous JSON.
//! Accepts both documented success shapes (fal-style `images[]` and
//! OpenAI-style `data[]`) and any 2xx status (providers.md §1.4).

use super::{bad_answer, common_status, inline_uploads, rejected, request, send, Generated, ImageRef, Inline};
use crate::error::Error;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use serde_json::{Map, Value};

const NAME: &str = "AI/ML API";

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    mut params: Map<String, Value>,
) -> Result<Generated, Error> {
    // Data URIs: documented for AI/ML API's other models, the safe choice offline (§1.5).
    inline_uploads(state, model, &mut params, Inline::DataUri).await?;
    let req = request(model, upstream, &params);
    let (status, _, body) = send(state, upstream, &req, NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    parse_success(&json)
}

/// Reads either success shape.
pub fn parse_success(json: &Value) -> Result<Generated, Error> {
    let mut out = Generated { raw: Some(json.clone()), ..Generated::default() };
    if let Some(images) = json.get("images").and_then(Value::as_array) {
        out.images =
            images.iter().filter_map(|i| i.get("url")?.as_str()).map(|u| ImageRef::Url(u.to_owned())).collect();
        out.seed = json.get("seed").and_then(Value::as_u64);
        out.nsfw = json
            .get("has_nsfw_concepts")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|v| v.as_bool().unwrap_or(false)).collect())
            .unwrap_or_default();
        out.timings = json.get("timings").filter(|t| t.as_object().is_some_and(|o| !o.is_empty())).cloned();
    } else if let Some(data) = json.get("data").and_then(Value::as_array) {
        out.images = data
            .iter()
            .filter_map(|d| match (d.get("url").and_then(Value::as_str), d.get("b64_json").and_then(Value::as_str)) {
                (Some(u), _) => Some(ImageRef::Url(u.to_owned())),
                (None, Some(b)) => Some(ImageRef::Base64(b.to_owned())),
                _ => None,
            })
            .collect();
        out.usage = json.pointer("/meta/usage").filter(|u| !u.is_null()).cloned();
    }
    if out.images.is_empty() {
        return Err(bad_answer(NAME, "no images"));
    }
    Ok(out)
}

/// Maps a documented error status (§1.5) to what the user should do about it.
/// The provider's own message is only echoed for 400, where it names the field.
fn status_error(status: u16, body: &[u8]) -> Error {
    let upstream_message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|j| j.get("message").and_then(Value::as_str).map(str::to_owned));
    tracing::info!(status, "AI/ML API error");
    match status {
        400 => rejected(NAME, upstream_message.as_deref().unwrap_or("body validation error")),
        // §1.5: 403 is "out of credits" here, not a key problem.
        403 => common_status(NAME, 402, "AIMLAPI_KEY"),
        s => common_status(NAME, s, "AIMLAPI_KEY"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_fal_shape() {
        let g = parse_success(&json!({
            "images": [{"url": "https://cdn/x.jpeg", "width": 1024, "height": 768, "content_type": "image/jpeg"}],
            "timings": {"inference": 1.2}, "seed": 1765470393, "has_nsfw_concepts": [false], "prompt": "p"
        }))
        .unwrap();
        assert_eq!(g.images, [ImageRef::Url("https://cdn/x.jpeg".into())]);
        assert_eq!(g.seed, Some(1765470393));
        assert_eq!(g.nsfw, [false]);
        assert_eq!(g.timings, Some(json!({"inference": 1.2})));
    }

    #[test]
    fn reads_the_openai_shape_with_either_usage() {
        let g =
            parse_success(&json!({"data": [{"url": null, "b64_json": "aGk="}], "meta": {"usage": {"tokens_used": 5}}}))
                .unwrap();
        assert_eq!(g.images, [ImageRef::Base64("aGk=".into())]);
        assert_eq!(g.usage, Some(json!({"tokens_used": 5})));
    }

    #[test]
    fn no_images_is_an_error() {
        assert!(parse_success(&json!({"data": []})).is_err());
        assert!(parse_success(&json!({"unexpected": 1})).is_err());
    }

    #[test]
    fn a_401_never_echoes_the_upstream_body() {
        let e = status_error(401, br#"{"message":"Incorrect API key provided: canary-123"}"#);
        assert!(!e.to_string().contains("canary-123"));
    }
}

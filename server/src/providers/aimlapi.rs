//! AI/ML API: `POST /v1/images/generations`, Bearer auth, synchronous JSON.
//! Accepts both documented success shapes (fal-style `images[]` and
//! OpenAI-style `data[]`) and any 2xx status (providers.md §1.4).

use super::{bad_answer, common_status, read_upload, request, send, Generated, ImageRef};
use crate::error::Error;
use crate::state::{AppState, Upstream};
use app::catalog::ModelRef;
use app::validate::upload_name;
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Map, Value};

const NAME: &str = "AI/ML API";

pub async fn generate(
    state: &AppState,
    model: ModelRef,
    upstream: &Upstream,
    mut params: Map<String, Value>,
) -> Result<Generated, Error> {
    inline_uploads(state, model, &mut params).await?;
    let req = request(model, upstream, &params);
    let (status, _, body) = send(&state.inner.http, upstream, &req, NAME).await?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(NAME, "a body that is not JSON"))?;
    parse_success(&json)
}

/// Replaces upload references with data URIs, which AI/ML API takes for image URLs
/// (providers.md §1.5: documented for its other models, the safe choice offline).
async fn inline_uploads(state: &AppState, model: ModelRef, params: &mut Map<String, Value>) -> Result<(), Error> {
    for field in model.model.fields {
        let Some(name) = params.get(field.key).and_then(Value::as_str).and_then(upload_name).map(str::to_owned) else {
            continue;
        };
        let (bytes, content_type) = read_upload(state, field, &name).await?;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        params.insert(field.key.to_owned(), Value::String(format!("data:{content_type};base64,{data}")));
    }
    Ok(())
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
        400 => Error::Provider {
            status: StatusCode::BAD_GATEWAY,
            message: format!(
                "{NAME} rejected the request: {}",
                upstream_message.as_deref().unwrap_or("body validation error").chars().take(500).collect::<String>()
            ),
        },
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

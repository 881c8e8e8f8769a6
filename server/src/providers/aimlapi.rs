//! AI/ML API: `POST /v1/images/generations`, Bearer auth, synchronous JSON.
//! Accepts both documented success shapes (fal-style `images[]` and
//! OpenAI-style `data[]`) and any 2xx status (providers.md §1.4). Errors are
//! `{message, path, requestId, statusCode, timestamp}` (fixtures NOTES.md §1,
//! docs/errors-and-messages/general-info.md); the `message` is quoted on every status.

use super::refusal::Refusal;
use super::{bad_answer, inline_uploads, request, send, Ctx, Generated, ImageRef};
use crate::error::Error;
use crate::jobs::Progress;
use app::catalog::{Provider, AIMLAPI};
use app::valid::Valid;
use serde_json::Value;

adapter!(Aimlapi);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, _progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let mut params = valid.values(true);
    let name = model.provider.name;
    // Data URIs: documented for AI/ML API's other models, the safe choice offline (§1.5).
    inline_uploads(ctx, valid, &mut params).await?;
    let req = request(model, ctx.upstream, &params);
    let (status, headers, body) = send(ctx, &req, name).await?;
    if !status.is_success() {
        return Err(status_error(model.provider, status.as_u16(), &headers, &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a body that is not JSON"))?;
    parse_output(name, &json)
}

/// Reads either success shape.
pub fn parse_success(json: &Value) -> Result<Generated, Error> {
    parse_output(AIMLAPI.name, json)
}

/// Reads either success shape for `provider` (fal's output is shape A, an
/// OpenAI-compatible engine's shape B), naming it when something is missing.
pub fn parse_output(provider: &str, json: &Value) -> Result<Generated, Error> {
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
        // FLUX.2 [dev] and [klein] return the prompt they ran, expanded where asked.
        out.prompt = json.get("prompt").and_then(Value::as_str).map(str::to_owned);
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
        return Err(bad_answer(provider, "no images"));
    }
    Ok(out)
}

/// A documented error status (NOTES.md §1) with the provider's `message`.
fn status_error(provider: &Provider, status: u16, headers: &axum::http::HeaderMap, body: &[u8]) -> Error {
    let mut refusal = Refusal::read(provider.name, provider.key_env, status, headers, body);
    // "403 | You've run out of credits…" (errors-with-status-code-4xx.md): not a key problem here.
    if status == 403 {
        refusal.status = 402;
    }
    refusal.error()
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
    fn every_status_quotes_the_documented_message() {
        let headers = axum::http::HeaderMap::new();
        let body = |m: &str| format!(r#"{{"message":"{m}","path":"/v1/images/generations","statusCode":"429"}}"#);
        let e = status_error(&AIMLAPI, 403, &headers, body("You've run out of credits.").as_bytes());
        assert_eq!(
            e.to_string(),
            "The AI/ML API account is out of credits: You've run out of credits. Top it up and retry."
        );
        let e = status_error(&AIMLAPI, 429, &headers, body("Too Many Requests").as_bytes());
        assert!(matches!(e, Error::Upstream { .. }) && e.to_string().contains(": Too Many Requests."), "{e}");
        // A key refusal quoting the key: masked words go here, the key itself in `generate::execute`.
        let e = status_error(&AIMLAPI, 401, &headers, body("Incorrect API key provided: canary-12***7890").as_bytes());
        assert!(!e.to_string().contains("canary-12"), "{e}");
    }
}

//! AI/ML API: `POST /v1/images/generations`, Bearer auth, synchronous JSON.
//! Accepts both documented success shapes (fal-style `images[]` and
//! OpenAI-style `data[]`) and any 2xx status (providers.md §1.4).

use super::{transport_error, Generated, ImageRef};
use crate::error::Error;
use crate::state::Upstream;
use app::request::ApiRequest;
use axum::http::{HeaderValue, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;

const NAME: &str = "AI/ML API";

pub async fn generate(http: &reqwest::Client, upstream: &Upstream, req: &ApiRequest) -> Result<Generated, Error> {
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", upstream.key.expose_secret()))
        .map_err(|_| Error::Internal("AIMLAPI_KEY holds characters not allowed in a header".into()))?;
    auth.set_sensitive(true);
    let resp = http
        .post(&req.url)
        .header(reqwest::header::AUTHORIZATION, auth)
        .json(&req.body)
        .send()
        .await
        .map_err(|e| transport_error(NAME, e))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| transport_error(NAME, e))?;
    if !status.is_success() {
        return Err(status_error(status.as_u16(), &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer("a body that is not JSON"))?;
    parse_success(&json)
}

fn bad_answer(what: &str) -> Error {
    Error::Provider { status: StatusCode::BAD_GATEWAY, message: format!("{NAME} answered with {what}.") }
}

/// Reads either success shape.
pub fn parse_success(json: &Value) -> Result<Generated, Error> {
    let mut out = Generated::default();
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
        return Err(bad_answer("no images"));
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
    let (code, message) = match status {
        400 => (
            StatusCode::BAD_GATEWAY,
            format!(
                "{NAME} rejected the request: {}",
                upstream_message.as_deref().unwrap_or("body validation error").chars().take(500).collect::<String>()
            ),
        ),
        401 => {
            (StatusCode::BAD_GATEWAY, format!("{NAME} did not accept the API key. Check AIMLAPI_KEY on the server."))
        }
        403 => {
            (StatusCode::BAD_GATEWAY, format!("The {NAME} account is out of credits. Top up the balance and retry."))
        }
        404 => (StatusCode::BAD_GATEWAY, format!("{NAME} does not know this endpoint or model.")),
        429 => (StatusCode::TOO_MANY_REQUESTS, format!("{NAME} is rate limiting this key. Wait a little and retry.")),
        504 => (
            StatusCode::GATEWAY_TIMEOUT,
            format!("{NAME} timed out generating the image. Retry, perhaps with fewer steps."),
        ),
        s if s >= 500 => (StatusCode::BAD_GATEWAY, format!("{NAME} had an internal error ({s}). Retry later.")),
        s => (StatusCode::BAD_GATEWAY, format!("{NAME} answered with status {s}.")),
    };
    Error::Provider { status: code, message }
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

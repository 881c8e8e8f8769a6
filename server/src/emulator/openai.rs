//! An OpenAI-style images endpoint (providers.md §7), standing in for a
//! self-hosted engine: `POST /v1/images/generations` → `{created, data[]}`.
//! A key is optional, as with most self-hosted engines; errors use OpenAI's
//! `{"error": {message, type, param, code}}`.

use super::files::Files;
use super::knobs::Knobs;
use super::{check, mount_url, picture};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Value};

pub fn router<S: Clone + Send + Sync + 'static>(files: Files) -> Router<S> {
    Router::new().route("/v1/images/generations", post(generate)).with_state(files)
}

fn error(status: StatusCode, message: &str, param: Option<&str>) -> Response {
    let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": null}});
    (status, Json(body)).into_response()
}

async fn generate(
    State(files): State<Files>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    body: Bytes,
) -> Response {
    let knobs = Knobs::from_headers(&headers);
    knobs.delay().await;
    if let Some(status) = knobs.status {
        return error(status, "forced by the emulator's status knob", None);
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "The body must be a JSON object.", None);
    };
    let checks = [
        check::prompt(&body).map(|_| ()).map_err(|m| (m, "prompt")),
        check::number(&body, "n", 1.0, 10.0, true).map_err(|m| (m, "n")),
        check::one_of(&body, "response_format", &["url", "b64_json"]).map_err(|m| (m, "response_format")),
    ];
    if let Some((message, param)) = checks.into_iter().find_map(Result::err) {
        return error(StatusCode::BAD_REQUEST, &message, Some(param));
    }
    let size = body.get("size").and_then(Value::as_str).unwrap_or("1024x1024");
    let parsed = size.split_once('x').and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)));
    let Some((w, h)) = parsed.filter(|(w, h)| (64..=2048).contains(w) && (64..=2048).contains(h)) else {
        return error(StatusCode::BAD_REQUEST, "size must be WIDTHxHEIGHT, each side 64 to 2048", Some("size"));
    };
    let prompt = body.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let inline = body.get("response_format").and_then(Value::as_str) == Some("b64_json");
    let base = mount_url(&headers, &original, &uri, "/openai");
    let seed = fastrand::u64(..1 << 31);
    let data: Vec<Value> = (0..body.get("n").and_then(Value::as_u64).unwrap_or(1))
        .map(|i| {
            let png = picture::image(prompt, seed + i, w, h, ImageFormat::Png);
            if inline {
                json!({"b64_json": base64::engine::general_purpose::STANDARD.encode(&png)})
            } else {
                json!({"url": format!("{base}/files/{}", files.put("png", "image/png", Bytes::from(png)))})
            }
        })
        .collect();
    let created = time::OffsetDateTime::now_utc().unix_timestamp();
    Json(json!({"created": created, "data": data})).into_response()
}

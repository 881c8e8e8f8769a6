//! AI/ML API emulator: `POST /v1/images/generations` (providers.md §1, §8.1).
//!
//! Validation follows the per-model OpenAPI schemas quoted in §1.2–1.3; error
//! bodies follow §1.5 (`message`, `path`, `requestId`, `statusCode`,
//! `timestamp`). The message wording after "Body validation error!" imitates
//! the zod-style hints the docs show; the exact text is inferred.

use super::files::Files;
use super::{mount_url, picture};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};

const PATH: &str = "/v1/images/generations";

/// The six legacy presets (§0.1).
const PRESETS: &[(&str, u32, u32)] = &[
    ("square_hd", 1024, 1024),
    ("square", 512, 512),
    ("portrait_4_3", 768, 1024),
    ("portrait_16_9", 576, 1024),
    ("landscape_4_3", 1024, 768),
    ("landscape_16_9", 1024, 576),
];

enum Rule {
    Prompt,
    /// JSON `number` with bounds (schema `type: number`).
    Number(f64, f64),
    /// JSON `integer` with bounds; `None` max means unbounded.
    Integer(i64, Option<i64>),
    Bool,
    /// `image_size`: a preset name or `{width, height}` in range, multiple of 32.
    ImageSize(u32, u32),
}

struct Spec {
    id: &'static str,
    fields: &'static [(&'static str, Rule)],
}

/// §1.2: flux/dev.
const SPECS: &[Spec] = &[Spec {
    id: "flux/dev",
    fields: &[
        ("prompt", Rule::Prompt),
        ("num_images", Rule::Number(1.0, 4.0)),
        ("seed", Rule::Integer(1, None)),
        ("image_size", Rule::ImageSize(512, 1536)),
        ("guidance_scale", Rule::Number(1.0, 20.0)),
        ("num_inference_steps", Rule::Integer(1, Some(50))),
        ("enable_safety_checker", Rule::Bool),
    ],
}];

pub fn router() -> Router<Files> {
    Router::new().route(PATH, post(generate)).route(&format!("{PATH}/"), post(generate))
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "message": message,
        "path": PATH,
        "requestId": uuid::Uuid::new_v4().to_string(),
        "statusCode": status.as_u16(),
        "timestamp": time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    });
    (status, Json(body)).into_response()
}

fn invalid(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, &format!("Body validation error! {detail}"))
}

async fn generate(
    State(files): State<Files>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    body: Bytes,
) -> Response {
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| !k.trim().is_empty());
    if !authorised {
        return error(
            StatusCode::UNAUTHORIZED,
            "This request requires a valid API key. You can create a new API key on the Billing page: https://aimlapi.com/app/keys",
        );
    }
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(&body) else {
        return invalid("Expected a JSON object");
    };
    let spec = match req.get("model").and_then(Value::as_str) {
        Some(id) => match SPECS.iter().find(|s| s.id == id) {
            Some(spec) => spec,
            None => {
                let ids: Vec<_> = SPECS.iter().map(|s| format!("'{}'", s.id)).collect();
                return invalid(&format!("model: Invalid enum value. Expected {}, received '{id}'", ids.join(" | ")));
            }
        },
        None => return invalid("model: Required"),
    };
    if let Err(detail) = check(spec, &req) {
        return invalid(&detail);
    }

    let prompt = req.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let count = req.get("num_images").and_then(Value::as_f64).unwrap_or(1.0).floor() as u64;
    let seed = req.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(1..1 << 31));
    let (width, height) = size_of(req.get("image_size"));
    let base = mount_url(&headers, &original, &uri, "/aimlapi");
    let urls: Vec<String> = (0..count)
        .map(|i| {
            let png = picture::encode(&picture::render(prompt, seed + i, width, height), ImageFormat::Png);
            format!("{base}/files/{}", files.put("png", "image/png", Bytes::from(png)))
        })
        .collect();

    // Shape B (OpenAI-like) is the current schema; Shape A (fal passthrough) is what
    // every example shows. `x-emulator-shape: fal` selects A (§8.1).
    let fal_shape = headers.get("x-emulator-shape").is_some_and(|v| v == "fal");
    let body = if fal_shape {
        json!({
            "images": urls.iter().map(|u| json!({"url": u, "width": width, "height": height, "content_type": "image/png"})).collect::<Vec<_>>(),
            "timings": {"inference": 0.05},
            "seed": seed,
            "has_nsfw_concepts": vec![false; urls.len()],
            "prompt": prompt,
        })
    } else {
        // Credits: the docs give no price; this figure is illustrative.
        let megapixels = (f64::from(width) * f64::from(height) / 1_048_576.0).ceil() as u64;
        json!({
            "data": urls.iter().map(|u| json!({"url": u, "b64_json": null})).collect::<Vec<_>>(),
            "meta": {"usage": {"credits_used": 60_000 * megapixels * count}},
        })
    };
    // §1.4: 201 is what the live API most likely answers.
    (StatusCode::CREATED, Json(body)).into_response()
}

fn size_of(value: Option<&Value>) -> (u32, u32) {
    let dim = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    match value {
        Some(Value::String(name)) => PRESETS.iter().find(|p| p.0 == name).map(|p| (p.1, p.2)),
        Some(v @ Value::Object(_)) => dim(v, "width").zip(dim(v, "height")),
        _ => None,
    }
    .unwrap_or((1024, 768))
}

fn check(spec: &Spec, req: &Map<String, Value>) -> Result<(), String> {
    let unknown: Vec<_> = req
        .keys()
        .filter(|k| *k != "model" && !spec.fields.iter().any(|(f, _)| f == k))
        .map(|k| format!("'{k}'"))
        .collect();
    if !unknown.is_empty() {
        return Err(format!("Unrecognized key(s) in object: {}", unknown.join(", ")));
    }
    for (name, rule) in spec.fields {
        let Some(value) = req.get(*name) else {
            if matches!(rule, Rule::Prompt) {
                return Err(format!("{name}: Required"));
            }
            continue;
        };
        check_rule(name, rule, value)?;
    }
    Ok(())
}

fn check_rule(name: &str, rule: &Rule, value: &Value) -> Result<(), String> {
    let number = |v: &Value| v.as_f64().ok_or_else(|| format!("{name}: Expected number, received {}", type_name(v)));
    match rule {
        Rule::Prompt => {
            let text =
                value.as_str().ok_or_else(|| format!("{name}: Expected string, received {}", type_name(value)))?;
            if text.chars().count() > 4000 {
                return Err(format!("{name}: String must contain at most 4000 character(s)"));
            }
        }
        Rule::Bool => {
            if !value.is_boolean() {
                return Err(format!("{name}: Expected boolean, received {}", type_name(value)));
            }
        }
        Rule::Number(min, max) => bounds(name, number(value)?, *min, Some(*max))?,
        Rule::Integer(min, max) => {
            let n = number(value)?;
            if n.fract() != 0.0 {
                return Err(format!("{name}: Expected integer, received float"));
            }
            bounds(name, n, *min as f64, max.map(|m| m as f64))?;
        }
        Rule::ImageSize(min, max) => match value {
            Value::String(s) if PRESETS.iter().any(|p| p.0 == s) => {}
            Value::Object(o) => {
                for side in ["width", "height"] {
                    let v = o.get(side).ok_or_else(|| format!("{name}.{side}: Required"))?;
                    let field = format!("{name}.{side}");
                    check_rule(&field, &Rule::Integer(i64::from(*min), Some(i64::from(*max))), v)?;
                    if v.as_u64().is_some_and(|n| n % 32 != 0) {
                        return Err(format!("{field}: Number must be a multiple of 32"));
                    }
                }
            }
            _ => return Err(format!("{name}: Invalid input")),
        },
    }
    Ok(())
}

fn bounds(name: &str, n: f64, min: f64, max: Option<f64>) -> Result<(), String> {
    if n < min {
        return Err(format!("{name}: Number must be greater than or equal to {min}"));
    }
    match max {
        Some(max) if n > max => Err(format!("{name}: Number must be less than or equal to {max}")),
        _ => Ok(()),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

//! Segmind emulator: `POST /v1/flux-dev` (providers.md §2, §8.2) and `/v1/flux-2-pro`,
//! `-flex`, `-max` (providers-flux2-flux3.md §5.2: the fields the pages name; their ranges
//! are BFL's for the same models, as the reference infers). Answers with the image bytes
//! in the requested format and `x-remaining-credits`.

use super::knobs::Knobs;
use super::{check, picture, replicate_ratio_size};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The emulated account's balance, counting down per image.
#[derive(Clone)]
struct Credits(Arc<AtomicU64>);

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let credits = Credits(Arc::new(AtomicU64::new(10_000)));
    Router::new().route("/v1/flux-dev", post(generate)).route("/v1/{model}", post(generate_flux2)).with_state(credits)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

const RATIOS: &[&str] = &["1:1", "16:9", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"];
const KNOWN: &[&str] = &[
    "prompt",
    "samples",
    "guidance",
    "steps",
    "prompt_strength",
    "aspect_ratio",
    "seed",
    "output_format",
    "output_quality",
];

/// What a FLUX.2 model's page names; flex adds its tuning fields.
const FLUX2_KNOWN: &[&str] = &["prompt", "image_urls", "seed", "width", "height", "safety_tolerance", "output_format"];
const FLEX_EXTRA: &[&str] = &["prompt_upsampling", "guidance", "steps"];

fn validate_flux2(flex: bool, body: &Map<String, Value>) -> Result<(), String> {
    let extra: &[&str] = if flex { FLEX_EXTRA } else { &[] };
    check::known(body, &[FLUX2_KNOWN, extra].concat())?;
    check::prompt(body)?;
    check::number(body, "seed", f64::MIN, f64::MAX, true)?;
    for side in ["width", "height"] {
        check::number(body, side, 256.0, 2048.0, true)?;
        if body.get(side).and_then(Value::as_f64).is_some_and(|n| n % 16.0 != 0.0) {
            return Err(format!("{side} must be a multiple of 16"));
        }
    }
    check::number(body, "safety_tolerance", 0.0, 5.0, true)?;
    check::one_of(body, "output_format", &["jpeg", "png"])?;
    check::boolean(body, "prompt_upsampling")?;
    check::number(body, "guidance", 1.5, 10.0, false)?;
    check::number(body, "steps", 1.0, 50.0, true)?;
    match body.get("image_urls") {
        None => Ok(()),
        Some(Value::Array(urls)) if urls.len() <= 8 => urls.iter().try_for_each(|u| {
            let ok = u.as_str().is_some_and(|u| u.starts_with("https://") || u.starts_with("data:image/"));
            ok.then_some(()).ok_or_else(|| "image_urls must be URLs of images".to_owned())
        }),
        Some(_) => Err("image_urls must be a list of at most 8 URLs".into()),
    }
}

fn validate(body: &Map<String, Value>) -> Result<(), String> {
    check::known(body, KNOWN)?;
    check::prompt(body)?;
    check::number(body, "samples", 1.0, 4.0, true)?;
    check::number(body, "guidance", 0.0, 10.0, false)?;
    check::number(body, "steps", 1.0, 50.0, true)?;
    check::number(body, "prompt_strength", 0.0, 1.0, false)?;
    check::number(body, "seed", f64::MIN, f64::MAX, true)?;
    check::number(body, "output_quality", 0.0, 100.0, true)?;
    check::one_of(body, "aspect_ratio", RATIOS)?;
    check::one_of(body, "output_format", &["webp", "jpg", "png"])
}

async fn generate(
    axum::extract::State(credits): axum::extract::State<Credits>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let knobs = Knobs::from_headers(&headers);
    knobs.delay().await;
    if let Some(status) = knobs.status {
        return error(status, "forced by the emulator's status knob");
    }
    answer(&credits, &headers, &body, None)
}

async fn generate_flux2(
    axum::extract::State(credits): axum::extract::State<Credits>,
    axum::extract::Path(model): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let flex = match model.as_str() {
        "flux-2-pro" | "flux-2-max" => false,
        "flux-2-flex" => true,
        _ => return error(StatusCode::NOT_FOUND, "Model not found"),
    };
    let knobs = Knobs::from_headers(&headers);
    knobs.delay().await;
    if let Some(status) = knobs.status {
        return error(status, "forced by the emulator's status knob");
    }
    answer(&credits, &headers, &body, Some(flex))
}

/// `flux2`: `None` for flux-dev, else whether the FLUX.2 model is flex.
fn answer(credits: &Credits, headers: &HeaderMap, body: &[u8], flux2: Option<bool>) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()).is_none_or(|k| k.trim().is_empty()) {
        return error(StatusCode::UNAUTHORIZED, "Missing Authorization or x-api-key in header");
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !json_type {
        return error(StatusCode::NOT_ACCEPTABLE, "Invalid content type");
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return error(StatusCode::BAD_REQUEST, "Request body must be a JSON object");
    };
    let checked = match flux2 {
        None => validate(&body),
        Some(flex) => validate_flux2(flex, &body),
    };
    if let Err(message) = checked {
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let samples = body.get("samples").and_then(Value::as_u64).unwrap_or(1);
    let left = credits.0.load(Ordering::SeqCst);
    if left < samples {
        return error(StatusCode::NOT_ACCEPTABLE, &format!("Insufficient credits: balance {left}, cost {samples}"));
    }
    let left = credits.0.fetch_sub(samples, Ordering::SeqCst) - samples;
    let prompt = body.get("prompt").and_then(Value::as_str).unwrap_or_default();
    // The page's example seed is the documented default.
    let seed = body.get("seed").and_then(Value::as_i64).unwrap_or(46588) as u64;
    let ratio = body.get("aspect_ratio").and_then(Value::as_str).unwrap_or("1:1");
    let side = |k: &str| body.get(k).and_then(Value::as_u64).map(|n| n as u32);
    let (w, h) = match flux2 {
        // BFL's FLUX.2 default is 1024×1024 [I].
        Some(_) => (side("width").unwrap_or(1024), side("height").unwrap_or(1024)),
        None => replicate_ratio_size(ratio).unwrap_or((1024, 1024)),
    };
    let default_format = if flux2.is_some() { "jpeg" } else { "webp" };
    let (format, content_type) = match body.get("output_format").and_then(Value::as_str).unwrap_or(default_format) {
        "jpg" | "jpeg" => (ImageFormat::Jpeg, "image/jpeg"),
        "png" => (ImageFormat::Png, "image/png"),
        _ => (ImageFormat::WebP, "image/webp"),
    };
    // How several samples come back as raw bytes is undocumented: the first one (§2).
    let bytes = picture::image(prompt, seed, w, h, format);
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::HeaderName::from_static("x-remaining-credits"), left.to_string()),
        ],
        bytes,
    )
        .into_response()
}

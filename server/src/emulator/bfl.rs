//! Black Forest Labs emulator (providers.md §4, §8.4): `POST /v1/flux-dev`
//! answers `{id, polling_url}`; `GET /v1/get_result?id=` goes `Pending` →
//! `Ready` with a short-lived `result.sample`. Validation errors are FastAPI's
//! 422 `detail` list; more than 24 active tasks get 429. A missing key gets
//! 403 `Not authenticated`, FastAPI's answer for a missing API-key header [I].
//! Knobs: `moderated`, `never-ready`, `latency` (time to Ready), `status`.

use super::files::Files;
use super::knobs::Knobs;
use super::table::Table;
use super::{check, mount_url, picture};
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// §4.4: the concurrency limit on standard endpoints.
const MAX_ACTIVE: usize = 24;

enum Outcome {
    Image { prompt: String, seed: u64, width: u32, height: u32, format: &'static str },
    Moderated,
    NeverReady,
}

struct Task {
    started: Instant,
    ready_after: Duration,
    outcome: Outcome,
    /// The rendered sample's file name, once Ready has been seen.
    sample: Option<String>,
}

#[derive(Clone)]
struct Bfl {
    files: Files,
    tasks: Arc<Mutex<Table<Task>>>,
}

pub fn router<S: Clone + Send + Sync + 'static>(files: Files) -> Router<S> {
    Router::new()
        .route("/v1/flux-dev", post(submit))
        .route("/v1/get_result", get(result))
        .with_state(Bfl { files, tasks: Arc::default() })
}

fn has_key(headers: &HeaderMap) -> bool {
    headers.get("x-key").and_then(|v| v.to_str().ok()).is_some_and(|k| !k.trim().is_empty())
}

fn not_authenticated() -> Response {
    (StatusCode::FORBIDDEN, Json(json!({"detail": "Not authenticated"}))).into_response()
}

/// FastAPI's validation error shape.
fn unprocessable(field: &str, msg: &str) -> Response {
    let detail = json!([{"loc": ["body", field], "msg": msg, "type": "value_error"}]);
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": detail}))).into_response()
}

const KNOWN: &[&str] = &[
    "prompt",
    "image_prompt",
    "width",
    "height",
    "steps",
    "prompt_upsampling",
    "seed",
    "guidance",
    "safety_tolerance",
    "output_format",
    "webhook_url",
    "webhook_secret",
];

fn validate(body: &Map<String, Value>) -> Result<(), (String, String)> {
    let field = |key: &str, r: Result<(), String>| r.map_err(|m| (key.to_owned(), m));
    field("body", check::known(body, KNOWN))?;
    for side in ["width", "height"] {
        field(side, check::number(body, side, 256.0, 1440.0, true))?;
        if body.get(side).and_then(Value::as_u64).is_some_and(|v| v % 32 != 0) {
            return Err((side.into(), format!("{side} must be a multiple of 32")));
        }
    }
    field("steps", check::number(body, "steps", 1.0, 50.0, true))?;
    field("guidance", check::number(body, "guidance", 1.5, 5.0, false))?;
    field("safety_tolerance", check::number(body, "safety_tolerance", 0.0, 6.0, true))?;
    field("seed", check::number(body, "seed", f64::MIN, f64::MAX, true))?;
    field("prompt_upsampling", check::boolean(body, "prompt_upsampling"))?;
    field("output_format", check::one_of(body, "output_format", &["jpeg", "png", "webp"]))?;
    if let Some(image) = body.get("image_prompt").filter(|v| !v.is_null()) {
        let ok = image.as_str().is_some_and(|b| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b)
                // The header, not the pixels: no request can make the emulator decode a bomb.
                .is_ok_and(|bytes| {
                    image::ImageReader::new(std::io::Cursor::new(bytes))
                        .with_guessed_format()
                        .is_ok_and(|r| r.format().is_some() && r.into_dimensions().is_ok())
                })
        });
        if !ok {
            return Err(("image_prompt".into(), "image_prompt must be a base64-encoded image".into()));
        }
    }
    Ok(())
}

async fn submit(State(bfl): State<Bfl>, headers: HeaderMap, original: OriginalUri, uri: Uri, body: Bytes) -> Response {
    let knobs = Knobs::from_headers(&headers);
    if let Some(status) = knobs.status {
        return (status, Json(json!({"detail": "forced by the emulator's status knob"}))).into_response();
    }
    if !has_key(&headers) {
        return not_authenticated();
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return unprocessable("body", "Input should be a valid JSON object");
    };
    if let Err((field, msg)) = validate(&body) {
        return unprocessable(&field, &msg);
    }
    let mut tasks = bfl.tasks.lock().expect("tasks lock");
    let active = tasks.values().filter(|t| t.sample.is_none() && !matches!(t.outcome, Outcome::Moderated)).count();
    if active >= MAX_ACTIVE {
        return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"detail": "Too many active tasks"}))).into_response();
    }
    let (width, height) = (
        body.get("width").and_then(Value::as_u64).unwrap_or(1024) as u32,
        body.get("height").and_then(Value::as_u64).unwrap_or(768) as u32,
    );
    let outcome = if knobs.moderated {
        Outcome::Moderated
    } else if knobs.never_ready {
        Outcome::NeverReady
    } else {
        Outcome::Image {
            prompt: body.get("prompt").and_then(Value::as_str).unwrap_or_default().to_owned(),
            seed: body.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(..1 << 31)),
            width,
            height,
            format: match body.get("output_format").and_then(Value::as_str) {
                Some("png") => "png",
                Some("webp") => "webp",
                _ => "jpeg",
            },
        }
    };
    let id = uuid::Uuid::new_v4().to_string();
    let ready_after = knobs.latency.unwrap_or(Duration::from_millis(600));
    tasks.insert(id.clone(), Task { started: Instant::now(), ready_after, outcome, sample: None });
    let base = match &knobs.poll_host {
        Some(host) => format!("http://{host}"),
        None => mount_url(&headers, &original, &uri, "/bfl"),
    };
    let megapixels = f64::from(width) * f64::from(height) / 1e6;
    Json(json!({
        "id": id,
        "polling_url": format!("{base}/bfl/v1/get_result?id={id}"),
        "cost": (megapixels * 2.5 * 100.0).round() / 100.0,
        "input_mp": 0,
        "output_mp": megapixels,
    }))
    .into_response()
}

async fn result(
    State(bfl): State<Bfl>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !has_key(&headers) {
        return not_authenticated();
    }
    let Some(id) = query.get("id") else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"detail": [{"loc": ["query", "id"], "msg": "Field required", "type": "missing"}]})),
        )
            .into_response();
    };
    let mut tasks = bfl.tasks.lock().expect("tasks lock");
    let Some(task) = tasks.get_mut(id) else {
        return Json(json!({"id": id, "status": "Task not found", "result": null, "progress": null})).into_response();
    };
    let elapsed = task.started.elapsed();
    let pending = |progress: f64| Json(json!({"id": id, "status": "Pending", "result": null, "progress": progress}));
    match &task.outcome {
        Outcome::Moderated => Json(json!({"id": id, "status": "Request Moderated", "result": null})).into_response(),
        Outcome::NeverReady => pending(0.5).into_response(),
        Outcome::Image { .. } if elapsed < task.ready_after => {
            pending((elapsed.as_secs_f64() / task.ready_after.as_secs_f64()).min(0.99)).into_response()
        }
        Outcome::Image { prompt, seed, width, height, format } => {
            let name = match &task.sample {
                Some(name) => name.clone(),
                None => {
                    let (image_format, content_type) = match *format {
                        "png" => (ImageFormat::Png, "image/png"),
                        "webp" => (ImageFormat::WebP, "image/webp"),
                        _ => (ImageFormat::Jpeg, "image/jpeg"),
                    };
                    let bytes = picture::image(prompt, *seed, *width, *height, image_format);
                    let name = bfl.files.put(format, content_type, Bytes::from(bytes));
                    task.sample = Some(name.clone());
                    name
                }
            };
            let base = mount_url(&headers, &original, &uri, "/bfl");
            Json(json!({
                "id": id,
                "status": "Ready",
                "result": {
                    "sample": format!("{base}/files/{name}?se=600"),
                    "seed": seed,
                    "prompt": prompt,
                    "duration": task.ready_after.as_secs_f64(),
                },
                "progress": 1.0,
            }))
            .into_response()
        }
    }
}

//! fal.ai emulator (providers.md §5, §8.5): the synchronous route
//! `POST /fal-ai/flux/dev`, and the queue under `/queue`: submit on the full
//! id, status/result/cancel on the owner/app `fal-ai/flux`. Status answers 202
//! while queued or in progress and 200 when completed. 422 carries `detail[]`.
//! A missing key gets 401 `{"detail": …}` [I]. Knobs: `latency` (time to
//! completion), `never-ready`, `status`, `moderated` (the sync route, and a queued
//! request's result once COMPLETED, answer 422 `content_policy_violation`, fal's
//! documented model error; a failed queued request's error comes on its result, as
//! fal's clients read it).

use super::files::Files;
use super::knobs::Knobs;
use super::table::Table;
use super::{check, mount_url, picture};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The emulator renders at most this many pixels per image (not a fal limit).
const MAX_PIXELS: u64 = 16 * 1024 * 1024;

struct Queued {
    started: Instant,
    ready_after: Option<Duration>,
    body: Map<String, Value>,
    output: Option<Value>,
    moderated: bool,
}

#[derive(Clone)]
struct Fal {
    files: Files,
    queue: Arc<Mutex<Table<Queued>>>,
}

pub fn router<S: Clone + Send + Sync + 'static>(files: Files) -> Router<S> {
    Router::new()
        .route("/fal-ai/flux/dev", post(sync))
        .route("/queue/fal-ai/flux/dev", post(submit))
        .route("/queue/fal-ai/flux/requests/{id}/status", get(status))
        .route("/queue/fal-ai/flux/requests/{id}", get(result))
        .route("/queue/fal-ai/flux/requests/{id}/cancel", put(cancel))
        .with_state(Fal { files, queue: Arc::default() })
}

fn detail(status: StatusCode, detail: Value) -> Response {
    (status, Json(json!({"detail": detail}))).into_response()
}

fn unprocessable(field: &str, msg: &str) -> Response {
    detail(StatusCode::UNPROCESSABLE_ENTITY, json!([{"loc": ["body", field], "msg": msg, "type": "value_error"}]))
}

/// The checks every route shares; `Err` is the response to send.
fn admit(headers: &HeaderMap) -> Result<Knobs, Box<Response>> {
    let knobs = Knobs::from_headers(headers);
    if let Some(status) = knobs.status {
        return Err(Box::new(detail(status, json!("forced by the emulator's status knob"))));
    }
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Key "))
        .is_some_and(|k| !k.trim().is_empty());
    if authorised {
        Ok(knobs)
    } else {
        Err(Box::new(detail(StatusCode::UNAUTHORIZED, json!("Missing or invalid Authorization: Key <FAL_KEY>"))))
    }
}

const KNOWN: &[&str] = &[
    "prompt",
    "image_size",
    "num_inference_steps",
    "seed",
    "guidance_scale",
    "num_images",
    "enable_safety_checker",
    "output_format",
    "acceleration",
    "sync_mode",
];
const PRESETS: &[(&str, u32, u32)] = &[
    ("square_hd", 1024, 1024),
    ("square", 512, 512),
    ("portrait_4_3", 768, 1024),
    ("portrait_16_9", 576, 1024),
    ("landscape_4_3", 1024, 768),
    ("landscape_16_9", 1024, 576),
];

fn size(body: &Map<String, Value>) -> Result<(u32, u32), (String, String)> {
    let bad = |m: &str| Err(("image_size".to_owned(), m.to_owned()));
    match body.get("image_size") {
        None => Ok((1024, 768)),
        Some(Value::String(name)) => match PRESETS.iter().find(|p| p.0 == name) {
            Some(p) => Ok((p.1, p.2)),
            None => bad("image_size must be a preset or {width, height}"),
        },
        Some(Value::Object(o)) => {
            let side = |k: &str| o.get(k).and_then(Value::as_u64).filter(|v| (1..=14142).contains(v));
            match (side("width"), side("height")) {
                (Some(w), Some(h)) if w * h <= MAX_PIXELS => Ok((w as u32, h as u32)),
                (Some(_), Some(_)) => bad("the emulator renders at most 16 megapixels"),
                _ => bad("width and height must be integers from 1 to 14142"),
            }
        }
        Some(_) => bad("image_size must be a preset or {width, height}"),
    }
}

/// What both generation routes check before any work: the key, then the input.
fn accept<'a>(headers: &HeaderMap, body: &'a Value) -> Result<(Knobs, &'a Map<String, Value>), Box<Response>> {
    let knobs = admit(headers)?;
    let body = body.as_object().ok_or_else(|| Box::new(unprocessable("body", "Input should be an object")))?;
    validate(body).map_err(|(field, msg)| Box::new(unprocessable(&field, &msg)))?;
    Ok((knobs, body))
}

fn validate(body: &Map<String, Value>) -> Result<(u32, u32), (String, String)> {
    let field = |key: &str, r: Result<(), String>| r.map_err(|m| (key.to_owned(), m));
    field("body", check::known(body, KNOWN))?;
    field("prompt", check::prompt(body).map(|_| ()))?;
    field("num_inference_steps", check::number(body, "num_inference_steps", 1.0, 50.0, true))?;
    field("guidance_scale", check::number(body, "guidance_scale", 1.0, 20.0, false))?;
    field("num_images", check::number(body, "num_images", 1.0, 4.0, true))?;
    field("seed", check::number(body, "seed", f64::MIN, f64::MAX, true))?;
    field("enable_safety_checker", check::boolean(body, "enable_safety_checker"))?;
    field("sync_mode", check::boolean(body, "sync_mode"))?;
    field("output_format", check::one_of(body, "output_format", &["jpeg", "png"]))?;
    field("acceleration", check::one_of(body, "acceleration", &["none", "regular", "high"]))?;
    size(body)
}

/// The model's output JSON (§5.2).
fn render(fal: &Fal, body: &Map<String, Value>, base: &str) -> Value {
    let (w, h) = size(body).unwrap_or((1024, 768));
    let prompt = body.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let seed = body.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(..1 << 31));
    let count = body.get("num_images").and_then(Value::as_u64).unwrap_or(1);
    let (format, ext, content_type) = match body.get("output_format").and_then(Value::as_str) {
        Some("png") => (ImageFormat::Png, "png", "image/png"),
        _ => (ImageFormat::Jpeg, "jpeg", "image/jpeg"),
    };
    let inline = body.get("sync_mode").and_then(Value::as_bool).unwrap_or(false);
    let images: Vec<Value> = (0..count)
        .map(|i| {
            let bytes = picture::image(prompt, seed + i, w, h, format);
            let url = if inline {
                format!("data:{content_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(&bytes))
            } else {
                format!("{base}/files/{}", fal.files.put(ext, content_type, Bytes::from(bytes)))
            };
            json!({"url": url, "width": w, "height": h, "content_type": content_type})
        })
        .collect();
    json!({
        "images": images,
        "timings": {"inference": 0.05},
        "seed": seed,
        "has_nsfw_concepts": vec![false; count as usize],
        "prompt": prompt,
    })
}

fn request_id_header(id: &str) -> [(&'static str, String); 1] {
    [("x-fal-request-id", id.to_owned())]
}

/// fal's `content_policy_violation` model error (422, not retryable).
fn content_policy_violation() -> Response {
    let detail = json!([{
        "loc": ["body", "prompt"],
        "msg": "The content could not be processed because it contained material flagged by a content checker.",
        "type": "content_policy_violation",
        "url": "https://docs.fal.ai/errors/#content_policy_violation",
    }]);
    (StatusCode::UNPROCESSABLE_ENTITY, [("x-fal-retryable", "false")], Json(json!({"detail": detail}))).into_response()
}

async fn sync(
    State(fal): State<Fal>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    let (knobs, body) = match accept(&headers, &body) {
        Ok(accepted) => accepted,
        Err(r) => return *r,
    };
    knobs.delay().await;
    if knobs.moderated {
        return content_policy_violation();
    }
    let base = mount_url(&headers, &original, &uri, "/fal");
    let id = uuid::Uuid::new_v4().to_string();
    (request_id_header(&id), Json(render(&fal, body, &base))).into_response()
}

async fn submit(
    State(fal): State<Fal>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    let (knobs, body) = match accept(&headers, &body) {
        Ok(accepted) => accepted,
        Err(r) => return *r,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let ready_after = if knobs.never_ready { None } else { Some(knobs.latency.unwrap_or(Duration::from_millis(600))) };
    let mut queue = fal.queue.lock().expect("queue lock");
    let position = queue.values().filter(|q| q.output.is_none()).count();
    let queued =
        Queued { started: Instant::now(), ready_after, body: body.clone(), output: None, moderated: knobs.moderated };
    queue.insert(id.clone(), queued);
    let base = format!("{}/fal/queue/fal-ai/flux/requests/{id}", mount_url(&headers, &original, &uri, "/fal"));
    (
        request_id_header(&id),
        Json(json!({
            "status": "IN_QUEUE",
            "request_id": id,
            "response_url": base,
            "status_url": format!("{base}/status"),
            "cancel_url": format!("{base}/cancel"),
            "queue_position": position,
        })),
    )
        .into_response()
}

async fn status(
    State(fal): State<Fal>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = admit(&headers) {
        return *r;
    }
    let base = mount_url(&headers, &original, &uri, "/fal");
    let mut queue = fal.queue.lock().expect("queue lock");
    let Some(entry) = queue.get_mut(&id) else { return detail(StatusCode::NOT_FOUND, json!("Request not found")) };
    let urls = format!("{base}/fal/queue/fal-ai/flux/requests/{id}");
    let common = json!({"request_id": id, "response_url": urls, "status_url": format!("{urls}/status"), "cancel_url": format!("{urls}/cancel")});
    let elapsed = entry.started.elapsed();
    let with = |extra: Value| {
        let mut v = common.clone();
        v.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        Json(v)
    };
    match entry.ready_after {
        _ if elapsed < Duration::from_millis(150) => {
            (StatusCode::ACCEPTED, with(json!({"status": "IN_QUEUE", "queue_position": 0}))).into_response()
        }
        Some(ready) if elapsed >= ready => {
            if entry.output.is_none() && !entry.moderated {
                entry.output = Some(render(&fal, &entry.body, &base));
            }
            let done = json!({"status": "COMPLETED", "logs": [], "metrics": {"inference_time": ready.as_secs_f64()}});
            (StatusCode::OK, with(done)).into_response()
        }
        _ => {
            let logs = json!([{"message": "generating", "level": "INFO", "source": "user", "timestamp": ""}]);
            (StatusCode::ACCEPTED, with(json!({"status": "IN_PROGRESS", "logs": logs}))).into_response()
        }
    }
}

async fn result(State(fal): State<Fal>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = admit(&headers) {
        return *r;
    }
    let queue = fal.queue.lock().expect("queue lock");
    let completed = |q: &Queued| q.ready_after.is_some_and(|ready| q.started.elapsed() >= ready);
    if queue.get(&id).is_some_and(|q| q.moderated && completed(q)) {
        return content_policy_violation();
    }
    match queue.get(&id).map(|q| q.output.clone()) {
        Some(Some(output)) => (request_id_header(&id), Json(output)).into_response(),
        Some(None) => detail(StatusCode::BAD_REQUEST, json!("Request is still in progress")),
        None => detail(StatusCode::NOT_FOUND, json!("Request not found")),
    }
}

async fn cancel(State(fal): State<Fal>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = admit(&headers) {
        return *r;
    }
    match fal.queue.lock().expect("queue lock").remove(&id) {
        Some(_) => (StatusCode::ACCEPTED, Json(json!({"status": "CANCELLATION_REQUESTED"}))).into_response(),
        None => detail(StatusCode::NOT_FOUND, json!("Request not found")),
    }
}

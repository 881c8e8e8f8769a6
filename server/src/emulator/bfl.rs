//! Black Forest Labs emulator (providers.md §4, §8.4; providers-flux2-flux3.md §1, §7):
//! `POST /v1/<endpoint>` answers `{id, polling_url, cost, input_mp, output_mp}`;
//! `GET /v1/get_result?id=` goes `Pending` → `Ready` (FLUX 3: `Pending` →
//! `Reasoning` → `Generating` → `Ready`) with a short-lived `result.sample` and the
//! prompt it ran in `result.prompt`. Endpoints: `flux-dev`; FLUX.2 `flux-2-pro`,
//! `-pro-preview`, `-max`, `-flex`, `-klein-4b`, `-klein-9b`, `-klein-9b-preview`
//! (`input_image` … `input_image_8`, klein `_4`); `flux-3-image` (strict: an unknown
//! member is a 422; `images` 1–10); `flux-kontext-pro|max` (`input_image` … `_4`).
//! Validation errors are FastAPI's 422 `detail` list; more than 24 active tasks get
//! 429. A missing key gets 403 `Not authenticated` [I]. Costs follow the pricing
//! page's formula (credits, input images billed on FLUX.2). Knobs: `moderated`,
//! `never-ready`, `latency` (time to Ready), `status`.

use super::files::Files;
use super::knobs::Knobs;
use super::table::Table;
use super::{check, mount_url, picture};
use axum::extract::{OriginalUri, Path, Query, State};
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
    Image {
        prompt: String,
        ran: String,
        seed: u64,
        width: u32,
        height: u32,
        format: &'static str,
    },
    Moderated,
    NeverReady,
    /// The task ends `Error`.
    Failed,
}

struct Task {
    /// FLUX 3 reports `Reasoning` and `Generating` on its way.
    reasons: bool,
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
        .route("/v1/get_result", get(result))
        .route("/v1/{endpoint}", post(submit))
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

/// The endpoints, by schema.
#[derive(Clone, Copy, PartialEq)]
enum Family {
    Dev,
    /// FLUX.2 with this many reference slots; flex also takes steps, guidance and upsampling.
    Flux2 {
        slots: usize,
        flex: bool,
    },
    Flux3,
    Kontext,
}

fn family(endpoint: &str) -> Option<Family> {
    Some(match endpoint {
        "flux-dev" => Family::Dev,
        "flux-2-pro" | "flux-2-pro-preview" | "flux-2-max" => Family::Flux2 { slots: 8, flex: false },
        "flux-2-flex" => Family::Flux2 { slots: 8, flex: true },
        "flux-2-klein-4b" | "flux-2-klein-9b" | "flux-2-klein-9b-preview" => Family::Flux2 { slots: 4, flex: false },
        "flux-3-image" => Family::Flux3,
        "flux-kontext-pro" | "flux-kontext-max" => Family::Kontext,
        _ => return None,
    })
}

const DEV_KNOWN: &[&str] = &[
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

const FLUX3_KNOWN: &[&str] =
    &["prompt", "images", "aspect_ratio", "resolution", "grounding", "safety_tolerance", "version"];
const FLUX3_RATIOS: &[&str] = &[
    "auto", "21:9", "2:1", "16:9", "3:2", "7:5", "4:3", "5:4", "1:1", "4:5", "3:4", "5:7", "2:3", "9:16", "1:2", "9:21",
];
const KONTEXT_RATIOS: &[&str] = &["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"];

/// FLUX 3's resolution classes: megapixels (≈ the ComfyUI node's table) and credits per image.
fn flux3_class(resolution: &str) -> Option<(f64, f64)> {
    Some(match resolution {
        "768sq" => (0.6, 4.1),
        "1k" => (1.0, 4.8),
        "1.5k" => (2.4, 7.0),
        "2k" => (4.2, 10.0),
        "4k" => (16.8, 60.7),
        _ => return None,
    })
}

/// The size of an image given as base64 (its header only: no request can make the
/// emulator decode a bomb), or `None` if it is not one. An https URL is taken as given.
fn reference_size(value: &Value) -> Result<Option<(u32, u32)>, ()> {
    use base64::Engine;
    let text = value.as_str().ok_or(())?;
    if text.starts_with("https://") || text.starts_with("http://") {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| ())?;
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|_| ())?;
    reader.into_dimensions().map(Some).map_err(|_| ())
}

/// What a valid request will make: size, seed, format, and the credits it costs.
struct Plan {
    width: u32,
    height: u32,
    format: &'static str,
    cost: f64,
    input_mp: f64,
}

fn validate(family: Family, endpoint: &str, body: &Map<String, Value>) -> Result<Plan, (String, String)> {
    let field = |key: &str, r: Result<(), String>| r.map_err(|m| (key.to_owned(), m));
    if !matches!(body.get("prompt"), Some(Value::String(p)) if !p.trim().is_empty()) && family != Family::Dev {
        return Err(("prompt".into(), "Field required".into()));
    }
    let format = |default: &'static str| match body.get("output_format").and_then(Value::as_str) {
        Some("png") => "png",
        Some("webp") => "webp",
        Some("jpeg") => "jpeg",
        _ => default,
    };
    let mut input_mp = 0.0;
    let mut refs = |keys: Vec<(String, &Value)>| -> Result<Vec<(u32, u32)>, (String, String)> {
        let mut sizes = Vec::new();
        for (key, value) in keys.into_iter().filter(|(_, v)| !v.is_null()) {
            match reference_size(value) {
                Ok(Some(dims)) => {
                    input_mp += f64::from(dims.0) * f64::from(dims.1) / 1e6;
                    sizes.push(dims);
                }
                Ok(None) => {}
                Err(()) => return Err((key.clone(), format!("{key} must be an image URL or base64-encoded image"))),
            }
        }
        Ok(sizes)
    };
    match family {
        Family::Dev => {
            field("body", check::known(body, DEV_KNOWN))?;
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
                if !matches!(reference_size(image), Ok(Some(_))) {
                    return Err(("image_prompt".into(), "image_prompt must be a base64-encoded image".into()));
                }
            }
            let side = |k: &str, d: u64| body.get(k).and_then(Value::as_u64).unwrap_or(d) as u32;
            let (width, height) = (side("width", 1024), side("height", 768));
            let mp = f64::from(width) * f64::from(height) / 1e6;
            Ok(Plan { width, height, format: format("jpeg"), cost: (mp * 2.5 * 100.0).round() / 100.0, input_mp: 0.0 })
        }
        Family::Flux2 { slots, flex } => {
            let numbered = |n: usize| if n == 1 { "input_image".to_owned() } else { format!("input_image_{n}") };
            if let Some(extra) =
                body.keys().find(|k| k.starts_with("input_image") && !(1..=slots).any(|n| **k == numbered(n)))
            {
                return Err((extra.clone(), format!("{endpoint} takes at most {slots} input images")));
            }
            refs((1..=slots).filter_map(|n| body.get(&numbered(n)).map(|v| (numbered(n), v))).collect())?;
            for side in ["width", "height"] {
                field(side, check::number(body, side, 0.0, 100_000.0, true))?;
                if body.get(side).and_then(Value::as_u64).is_some_and(|v| v != 0 && v < 64) {
                    return Err((side.into(), format!("{side} must be at least 64")));
                }
            }
            field("seed", check::number(body, "seed", 0.0, f64::MAX, true))?;
            field("safety_tolerance", check::number(body, "safety_tolerance", 0.0, 5.0, true))?;
            field("output_format", check::one_of(body, "output_format", &["jpeg", "png", "webp"]))?;
            if flex {
                field("steps", check::number(body, "steps", 1.0, 50.0, true))?;
                field("guidance", check::number(body, "guidance", 1.5, 10.0, false))?;
                field("prompt_upsampling", check::boolean(body, "prompt_upsampling"))?;
            }
            // 0 or absent: automatic (1024 here); over 4 MP is resized down.
            let side = |k: &str| body.get(k).and_then(Value::as_u64).filter(|v| *v > 0).unwrap_or(1024) as f64;
            let (mut w, mut h) = (side("width"), side("height"));
            if w * h > 4.0 * 1024.0 * 1024.0 {
                let s = (4.0 * 1024.0 * 1024.0 / (w * h)).sqrt();
                (w, h) = ((w * s).floor(), (h * s).floor());
            }
            let (width, height) = (((w / 16.0).floor() * 16.0) as u32, ((h / 16.0).floor() * 16.0) as u32);
            // Cents per first megapixel and per further one (input and output).
            let (first, more) = match endpoint {
                "flux-2-klein-4b" => (1.4, 0.1),
                "flux-2-klein-9b" | "flux-2-klein-9b-preview" => (1.5, 0.2),
                "flux-2-max" => (7.0, 3.0),
                "flux-2-flex" => (5.0, 5.0),
                _ => (3.0, 1.5),
            };
            let output_mp = f64::from(width) * f64::from(height) / 1e6;
            let cost = first + (output_mp - 1.0).max(0.0) * more + input_mp * more;
            Ok(Plan { width, height, format: format("jpeg"), cost: (cost * 100.0).round() / 100.0, input_mp })
        }
        Family::Flux3 => {
            field("body", check::known(body, FLUX3_KNOWN))?;
            let images: Vec<(String, &Value)> = match body.get("images") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => {
                    items.iter().enumerate().map(|(i, v)| (format!("images[{i}]"), v)).collect()
                }
                Some(one) => vec![("images".to_owned(), one)],
            };
            if images.len() > 10 {
                return Err(("images".into(), "images takes at most 10 items".into()));
            }
            let sizes = refs(images)?;
            if sizes.iter().any(|(w, h)| (*w).min(*h) < 256) {
                return Err(("images".into(), "each image must be at least 256×256".into()));
            }
            field("aspect_ratio", check::one_of(body, "aspect_ratio", FLUX3_RATIOS))?;
            field("resolution", check::one_of(body, "resolution", &["768sq", "1k", "1.5k", "2k", "4k"]))?;
            field("grounding", check::boolean(body, "grounding"))?;
            field("safety_tolerance", check::number(body, "safety_tolerance", 0.0, 4.0, true))?;
            let resolution = body.get("resolution").and_then(Value::as_str).unwrap_or("1k");
            let (megapixels, cost) = flux3_class(resolution).unwrap_or((1.0, 4.8));
            // `auto` keeps image 1's shape; without images it is 1:1.
            let shape = match body.get("aspect_ratio").and_then(Value::as_str).and_then(picture::ratio) {
                Some(r) => r,
                None => sizes.first().map_or((1.0, 1.0), |(w, h)| (f64::from(*w), f64::from(*h))),
            };
            let (width, height) = picture::shaped(megapixels, shape);
            Ok(Plan { width, height, format: "jpeg", cost, input_mp })
        }
        Family::Kontext => {
            let known = [
                "prompt",
                "input_image",
                "input_image_2",
                "input_image_3",
                "input_image_4",
                "aspect_ratio",
                "seed",
                "prompt_upsampling",
                "safety_tolerance",
                "output_format",
                "webhook_url",
                "webhook_secret",
            ];
            field("body", check::known(body, &known))?;
            refs(known[1..5].iter().filter_map(|k| body.get(*k).map(|v| ((*k).to_owned(), v))).collect())?;
            field("aspect_ratio", check::one_of(body, "aspect_ratio", KONTEXT_RATIOS))?;
            field("seed", check::number(body, "seed", 0.0, f64::MAX, true))?;
            field("prompt_upsampling", check::boolean(body, "prompt_upsampling"))?;
            field("safety_tolerance", check::number(body, "safety_tolerance", 0.0, 6.0, true))?;
            field("output_format", check::one_of(body, "output_format", &["jpeg", "png"]))?;
            let shape = body.get("aspect_ratio").and_then(Value::as_str).and_then(picture::ratio).unwrap_or((1.0, 1.0));
            let (width, height) = picture::shaped(1.05, shape);
            let cost = if endpoint == "flux-kontext-max" { 8.0 } else { 4.0 };
            Ok(Plan { width, height, format: format("png"), cost, input_mp })
        }
    }
}

async fn submit(
    State(bfl): State<Bfl>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(family) = family(&endpoint) else {
        return (StatusCode::NOT_FOUND, Json(json!({"detail": "Not Found"}))).into_response();
    };
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
    let plan = match validate(family, &endpoint, &body) {
        Ok(plan) => plan,
        Err((field, msg)) => return unprocessable(&field, &msg),
    };
    let mut tasks = bfl.tasks.lock().expect("tasks lock");
    let active = tasks.values().filter(|t| t.sample.is_none() && !matches!(t.outcome, Outcome::Moderated)).count();
    if active >= MAX_ACTIVE {
        return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"detail": "Too many active tasks"}))).into_response();
    }
    let (width, height) = (plan.width, plan.height);
    let outcome = if knobs.moderated {
        Outcome::Moderated
    } else if knobs.failed {
        Outcome::Failed
    } else if knobs.never_ready {
        Outcome::NeverReady
    } else {
        let prompt = body.get("prompt").and_then(Value::as_str).unwrap_or_default().to_owned();
        // The newer models rewrite the prompt and return what they ran (upsampling, FLUX 3's reasoning).
        let upsampled = family != Family::Dev && body.get("prompt_upsampling") != Some(&Value::Bool(false));
        let ran =
            if upsampled { format!("{prompt}, rendered in rich detail with balanced light") } else { prompt.clone() };
        Outcome::Image {
            prompt,
            ran,
            seed: body.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(..1 << 31)),
            width,
            height,
            format: plan.format,
        }
    };
    let id = uuid::Uuid::new_v4().to_string();
    let ready_after = knobs.latency.unwrap_or(Duration::from_millis(600));
    let reasons = family == Family::Flux3;
    tasks.insert(id.clone(), Task { reasons, started: Instant::now(), ready_after, outcome, sample: None });
    let base = match &knobs.poll_host {
        Some(host) => format!("http://{host}"),
        None => mount_url(&headers, &original, &uri, "/bfl"),
    };
    let megapixels = f64::from(width) * f64::from(height) / 1e6;
    let two = |x: f64| (x * 100.0).round() / 100.0;
    Json(json!({
        "id": id,
        "polling_url": format!("{base}/bfl/v1/get_result?id={id}"),
        "cost": plan.cost,
        "input_mp": two(plan.input_mp),
        "output_mp": two(megapixels),
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
    let reasons = task.reasons;
    let pending = |progress: f64| {
        let status = match progress {
            p if reasons && p >= 0.6 => "Generating",
            p if reasons && p >= 0.2 => "Reasoning",
            _ => "Pending",
        };
        Json(json!({"id": id, "status": status, "result": null, "progress": progress}))
    };
    match &task.outcome {
        Outcome::Moderated => Json(json!({"id": id, "status": "Request Moderated", "result": null})).into_response(),
        Outcome::NeverReady => pending(0.5).into_response(),
        Outcome::Failed => {
            let body = json!({"id": id, "status": "Error", "details": {"reason": "The image could not be generated."}});
            // FLUX 3's failed poll answers 422 with the status body (providers-flux2-flux3.md §1.5).
            let code = if reasons { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            (code, Json(body)).into_response()
        }
        Outcome::Image { .. } if elapsed < task.ready_after => {
            pending((elapsed.as_secs_f64() / task.ready_after.as_secs_f64()).min(0.99)).into_response()
        }
        Outcome::Image { prompt, ran, seed, width, height, format } => {
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
                    "prompt": ran,
                    "duration": task.ready_after.as_secs_f64(),
                },
                "progress": 1.0,
            }))
            .into_response()
        }
    }
}

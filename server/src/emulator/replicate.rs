//! Replicate emulator (providers.md §6, §8.6): `POST /v1/models/black-forest-labs/flux-dev/predictions`
//! answers with a Prediction (and `Location`), 201 when its output is final and 202 while it
//! is not (the OpenAPI), honouring `Prefer: wait[=n]`;
//! `GET /v1/predictions/{id}` goes starting → processing → succeeded; `output`
//! is a list of URLs. Errors carry `detail` and `status`. Knobs: `latency`
//! (time to succeed), `never-ready`, `moderated` (fails with the NSFW message), `status`.
//! `POST /v1/files` (multipart `content`) keeps a file and answers 201 with its `urls.get`.
//! The FLUX.2 and FLUX 3 models (providers-flux2-flux3.md §4) run on the same routes:
//! `flux-2-pro|max|flex|dev` (`input_images`, `aspect_ratio` + `resolution` "N MP"),
//! `flux-2-klein-4b` and `-9b` (`images`, `output_megapixels`; `output` is a list; 9B's page
//! was not read, the reference assumes 4B's schema) and
//! `flux-3-image` (`images` ≥256 px, `resolution` classes, no seed); their `output` is one URI.

use super::files::Files;
use super::knobs::Knobs;
use super::table::Table;
use super::{check, mount_url, picture, replicate_ratio_size};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Prediction {
    model: &'static str,
    started: Instant,
    ready_after: Option<Duration>,
    nsfw: bool,
    input: Map<String, Value>,
    output: Option<Vec<String>>,
    created_at: String,
}

#[derive(Clone)]
struct Replicate {
    files: Files,
    predictions: Arc<Mutex<Table<Prediction>>>,
}

pub fn router<S: Clone + Send + Sync + 'static>(files: Files) -> Router<S> {
    Router::new()
        .route("/v1/models/black-forest-labs/{model}/predictions", post(create))
        .route("/v1/predictions/{id}", get(read))
        .route("/v1/predictions/{id}/cancel", post(cancel))
        .route("/v1/files", post(create_file))
        .with_state(Replicate { files, predictions: Arc::default() })
}

fn problem(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({"detail": detail, "status": status.as_u16()}))).into_response()
}

fn admit(headers: &HeaderMap) -> Result<Knobs, Box<Response>> {
    let knobs = Knobs::from_headers(headers);
    if let Some(status) = knobs.status {
        return Err(Box::new(problem(status, "forced by the emulator's status knob")));
    }
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| !k.trim().is_empty());
    if ok {
        Ok(knobs)
    } else {
        Err(Box::new(problem(StatusCode::UNAUTHORIZED, "You did not pass a valid authentication token")))
    }
}

const KNOWN: &[&str] = &[
    "prompt",
    "aspect_ratio",
    "image",
    "prompt_strength",
    "num_outputs",
    "num_inference_steps",
    "guidance",
    "seed",
    "output_format",
    "output_quality",
    "disable_safety_checker",
    "go_fast",
    "megapixels",
];
const RATIOS: &[&str] = &["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"];

const FLUX2_RATIOS: &[&str] =
    &["match_input_image", "custom", "1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3"];
const FLUX3_RATIOS: &[&str] = &[
    "auto", "21:9", "2:1", "16:9", "3:2", "7:5", "4:3", "5:4", "1:1", "4:5", "3:4", "5:7", "2:3", "9:16", "1:2", "9:21",
];

/// The models this emulator runs, by the name in the route.
fn model(name: &str) -> Option<&'static str> {
    [
        "flux-dev",
        "flux-2-pro",
        "flux-2-max",
        "flux-2-flex",
        "flux-2-dev",
        "flux-2-klein-4b",
        "flux-2-klein-9b",
        "flux-3-image",
    ]
    .into_iter()
    .find(|m| *m == name)
}

/// A list of 1 to `max` image URIs in `key`.
fn images(input: &Map<String, Value>, key: &str, max: usize) -> Result<(), String> {
    let uri = |v: &Value| v.as_str().is_some_and(|s| s.starts_with("https://") || s.starts_with("data:"));
    match input.get(key) {
        None => Ok(()),
        Some(Value::Array(items)) if items.len() <= max && items.iter().all(uri) => Ok(()),
        Some(_) => Err(format!("{key}: at most {max} image URIs")),
    }
}

/// The FLUX.2 and FLUX 3 schemas (§4's table).
fn validate_new(model: &str, input: &Map<String, Value>) -> Result<(), String> {
    check::prompt(input)?;
    check::one_of(input, "output_format", &["webp", "jpg", "png"])?;
    check::number(input, "output_quality", 0.0, 100.0, true)?;
    let (known, refs, max): (&[&str], &str, usize) = match model {
        "flux-2-pro" | "flux-2-max" => (
            &[
                "prompt",
                "input_images",
                "aspect_ratio",
                "resolution",
                "width",
                "height",
                "seed",
                "safety_tolerance",
                "output_format",
                "output_quality",
            ],
            "input_images",
            8,
        ),
        "flux-2-flex" => (
            &[
                "prompt",
                "input_images",
                "aspect_ratio",
                "resolution",
                "width",
                "height",
                "seed",
                "safety_tolerance",
                "output_format",
                "output_quality",
                "steps",
                "guidance",
                "prompt_upsampling",
            ],
            "input_images",
            10,
        ),
        "flux-2-dev" => (
            &[
                "prompt",
                "input_images",
                "aspect_ratio",
                "width",
                "height",
                "seed",
                "go_fast",
                "disable_safety_checker",
                "output_format",
                "output_quality",
            ],
            "input_images",
            4,
        ),
        "flux-2-klein-4b" | "flux-2-klein-9b" => (
            &[
                "prompt",
                "images",
                "aspect_ratio",
                "output_megapixels",
                "seed",
                "disable_safety_checker",
                "go_fast",
                "output_format",
                "output_quality",
            ],
            "images",
            5,
        ),
        _ => (
            &[
                "prompt",
                "images",
                "aspect_ratio",
                "resolution",
                "safety_tolerance",
                "grounding",
                "output_format",
                "output_quality",
            ],
            "images",
            10,
        ),
    };
    check::known(input, known)?;
    images(input, refs, max)?;
    check::number(input, "seed", 0.0, f64::MAX, true)?;
    match model {
        "flux-3-image" => {
            check::one_of(input, "aspect_ratio", FLUX3_RATIOS)?;
            check::one_of(input, "resolution", &["768sq", "1k", "1.5k", "2k", "4k"])?;
            check::number(input, "safety_tolerance", 0.0, 4.0, true)?;
            check::boolean(input, "grounding")?;
        }
        "flux-2-klein-4b" | "flux-2-klein-9b" => {
            check::one_of(input, "aspect_ratio", FLUX2_RATIOS)?;
            check::boolean(input, "go_fast")?;
            check::boolean(input, "disable_safety_checker")?;
        }
        _ => {
            check::one_of(input, "aspect_ratio", FLUX2_RATIOS)?;
            check::one_of(input, "resolution", &["match_input_image", "0.5 MP", "1 MP", "2 MP", "4 MP"])?;
            check::number(input, "safety_tolerance", 1.0, 5.0, true)?;
            check::number(input, "steps", 1.0, 50.0, true)?;
            check::number(input, "guidance", 1.5, 10.0, false)?;
            check::boolean(input, "prompt_upsampling")?;
            check::boolean(input, "go_fast")?;
            check::boolean(input, "disable_safety_checker")?;
        }
    }
    Ok(())
}

/// The size a FLUX.2 or FLUX 3 prediction makes.
fn new_size(model: &str, input: &Map<String, Value>) -> (u32, u32) {
    let ratio = input.get("aspect_ratio").and_then(Value::as_str).unwrap_or("1:1");
    let text = |k: &str| input.get(k).and_then(Value::as_str).unwrap_or_default();
    let megapixels = match model {
        "flux-3-image" => match text("resolution") {
            "768sq" => 0.6,
            "1.5k" => 2.4,
            "2k" => 4.2,
            "4k" => 16.0,
            _ => 1.0,
        },
        "flux-2-klein-4b" | "flux-2-klein-9b" => text("output_megapixels").parse().unwrap_or(1.0),
        "flux-2-dev" => 1.0,
        _ => text("resolution").trim_end_matches(" MP").parse().unwrap_or(1.0),
    };
    picture::shaped(megapixels, picture::ratio(ratio).unwrap_or((1.0, 1.0)))
}

fn validate(input: &Map<String, Value>) -> Result<(), String> {
    check::known(input, KNOWN)?;
    check::prompt(input)?;
    check::one_of(input, "aspect_ratio", RATIOS)?;
    check::number(input, "prompt_strength", 0.0, 1.0, false)?;
    check::number(input, "num_outputs", 1.0, 4.0, true)?;
    check::number(input, "num_inference_steps", 1.0, 50.0, true)?;
    check::number(input, "guidance", 0.0, 10.0, false)?;
    check::number(input, "seed", f64::MIN, f64::MAX, true)?;
    check::number(input, "output_quality", 0.0, 100.0, true)?;
    check::one_of(input, "output_format", &["webp", "jpg", "png"])?;
    check::one_of(input, "megapixels", &["1", "0.25"])?;
    check::boolean(input, "disable_safety_checker")?;
    check::boolean(input, "go_fast")?;
    match input.get("image") {
        None => Ok(()),
        Some(Value::String(s)) if s.starts_with("https://") || s.starts_with("http://") || s.starts_with("data:") => {
            Ok(())
        }
        Some(_) => Err("image must be a URI".into()),
    }
}

/// The Prediction object as the API shows it.
fn view(id: &str, p: &mut Prediction, files: &Files, base: &str) -> Value {
    let elapsed = p.started.elapsed();
    let ready = p.ready_after.is_some_and(|r| elapsed >= r);
    let status = match () {
        _ if ready && p.nsfw => "failed",
        _ if ready => "succeeded",
        _ if elapsed < Duration::from_millis(150) => "starting",
        _ => "processing",
    };
    if status == "succeeded" && p.output.is_none() {
        p.output = Some(render(p.model, &p.input, files, base));
    }
    let error = (status == "failed")
        .then_some("All generated images contained NSFW content. Try running it again with a different prompt.");
    let get = format!("{base}/replicate/v1/predictions/{id}");
    json!({
        "id": id,
        "model": format!("black-forest-labs/{}", p.model),
        "version": "emulated",
        "input": p.input,
        // klein (and FLUX.1 dev) answer a list; the other FLUX.2 models and FLUX 3 one URI.
        "output": match (status, p.output.as_deref()) {
            ("succeeded", Some([one])) if !matches!(p.model, "flux-dev" | "flux-2-klein-4b" | "flux-2-klein-9b") => json!(one),
            ("succeeded", output) => json!(output),
            _ => Value::Null,
        },
        "error": error,
        "logs": "",
        "status": status,
        "source": "api",
        "data_removed": false,
        "created_at": p.created_at,
        "urls": {"get": get, "cancel": format!("{get}/cancel"), "stream": null, "web": null},
        "metrics": if status == "succeeded" { json!({"predict_time": p.ready_after.map(|r| r.as_secs_f64())}) } else { json!({}) },
    })
}

fn render(model: &str, input: &Map<String, Value>, files: &Files, base: &str) -> Vec<String> {
    let (mut w, mut h) = replicate_ratio_size(input.get("aspect_ratio").and_then(Value::as_str).unwrap_or("1:1"))
        .unwrap_or((1024, 1024));
    if input.get("megapixels").and_then(Value::as_str) == Some("0.25") {
        (w, h) = (w / 2, h / 2);
    }
    if model != "flux-dev" {
        (w, h) = new_size(model, input);
    }
    let (format, ext, content_type) = match input.get("output_format").and_then(Value::as_str) {
        Some("jpg") => (ImageFormat::Jpeg, "jpg", "image/jpeg"),
        Some("png") => (ImageFormat::Png, "png", "image/png"),
        _ => (ImageFormat::WebP, "webp", "image/webp"),
    };
    let prompt = input.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let seed = input.get("seed").and_then(Value::as_u64).unwrap_or(1);
    let count = input.get("num_outputs").and_then(Value::as_u64).unwrap_or(1);
    (0..count)
        .map(|i| {
            let bytes = picture::image(prompt, seed + i, w, h, format);
            format!("{base}/files/{}", files.put(ext, content_type, Bytes::from(bytes)))
        })
        .collect()
}

/// `Prefer: wait` or `wait=<seconds>` (default 60).
fn wait(headers: &HeaderMap) -> Option<Duration> {
    let prefer = headers.get("prefer")?.to_str().ok()?.trim();
    let secs = match prefer.strip_prefix("wait") {
        Some("") => 60,
        Some(rest) => rest.trim_start_matches('=').parse().ok()?,
        None => return None,
    };
    Some(Duration::from_secs(secs.min(60)))
}

async fn create(
    State(r): State<Replicate>,
    Path(name): Path<String>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    body: Bytes,
) -> Response {
    let knobs = match admit(&headers) {
        Ok(k) => k,
        Err(resp) => return *resp,
    };
    let Some(mut input) =
        serde_json::from_slice::<Value>(&body).ok().and_then(|b| b.get("input").and_then(Value::as_object).cloned())
    else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "input is required");
    };
    let Some(model) = model(&name) else {
        return problem(StatusCode::NOT_FOUND, "The requested resource could not be found.");
    };
    let checked = if model == "flux-dev" { validate(&input) } else { validate_new(model, &input) };
    if let Err(detail) = checked {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, &detail);
    }
    if model != "flux-3-image" {
        input.entry("seed").or_insert_with(|| json!(fastrand::u64(..1 << 31)));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let ready_after = if knobs.never_ready { None } else { Some(knobs.latency.unwrap_or(Duration::from_millis(600))) };
    let created_at =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let prediction = Prediction {
        model,
        started: Instant::now(),
        ready_after,
        nsfw: knobs.moderated,
        input,
        output: None,
        created_at,
    };
    r.predictions.lock().expect("lock").insert(id.clone(), prediction);
    if let Some(hold) = wait(&headers) {
        let until = Instant::now() + hold;
        while Instant::now() < until
            && ready_after.is_some_and(|ready| {
                r.predictions.lock().expect("lock").get(&id).is_some_and(|p| Instant::now() < p.started + ready)
            })
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let base = mount_url(&headers, &original, &uri, "/replicate");
    let mut predictions = r.predictions.lock().expect("lock");
    let Some(prediction) = predictions.get_mut(&id) else {
        return problem(StatusCode::SERVICE_UNAVAILABLE, "The prediction was dropped; too many at once.");
    };
    let body = view(&id, prediction, &r.files, &base);
    let location = body["urls"]["get"].as_str().unwrap_or_default().to_owned();
    // The OpenAPI: 201 when the answer holds the final output, 202 while outputs are still missing.
    let status = if body["output"].is_null() { StatusCode::ACCEPTED } else { StatusCode::CREATED };
    (status, [(header::LOCATION, location)], Json(body)).into_response()
}

async fn read(
    State(r): State<Replicate>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    if let Err(resp) = admit(&headers) {
        return *resp;
    }
    let base = mount_url(&headers, &original, &uri, "/replicate");
    let mut predictions = r.predictions.lock().expect("lock");
    match predictions.get_mut(&id) {
        Some(p) => Json(view(&id, p, &r.files, &base)).into_response(),
        None => problem(StatusCode::NOT_FOUND, "Not found."),
    }
}

async fn cancel(State(r): State<Replicate>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(resp) = admit(&headers) {
        return *resp;
    }
    match r.predictions.lock().expect("lock").get_mut(&id) {
        Some(p) => {
            p.ready_after = None;
            Json(json!({"id": id, "status": "canceled"})).into_response()
        }
        None => problem(StatusCode::NOT_FOUND, "Not found."),
    }
}

/// `POST /v1/files`: the files API's create, as its OpenAPI shows it (201, `id`, `urls.get`,
/// `content_type`, `size`). The bytes are kept with the emulator's other files.
async fn create_file(
    State(r): State<Replicate>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    mut form: axum::extract::Multipart,
) -> Response {
    if let Err(resp) = admit(&headers) {
        return *resp;
    }
    let base = mount_url(&headers, &original, &uri, "/replicate");
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() != Some("content") {
            continue;
        }
        let content_type = match field.content_type() {
            Some("image/png") => "image/png",
            Some("image/jpeg") => "image/jpeg",
            Some("image/webp") => "image/webp",
            _ => "application/octet-stream",
        };
        let Ok(bytes) = field.bytes().await else {
            return problem(StatusCode::BAD_REQUEST, "could not read the file");
        };
        let size = bytes.len();
        let name = r.files.put("bin", content_type, bytes);
        let id = name.trim_end_matches(".bin").to_owned();
        let body = json!({
            "id": id, "urls": {"get": format!("{base}/files/{name}")},
            "content_type": content_type, "size": size,
        });
        return (StatusCode::CREATED, Json(body)).into_response();
    }
    problem(StatusCode::BAD_REQUEST, "the form has no `content` file")
}

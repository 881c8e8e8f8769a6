//! 1min.ai emulator (providers.md §3, §8.3): the Asset API (`POST /api/assets`,
//! multipart part `asset`) and the AI feature API (`POST /api/features`) for
//! `IMAGE_GENERATOR` with `black-forest-labs/flux-dev`, and `IMAGE_GENERATOR` or
//! `IMAGE_EDITOR` with the FLUX.2 models (providers-flux2-flux3.md §5.1, §7: the editor
//! needs `promptObject.imageUrl`, an uploaded asset). The 4xx body shape is not
//! documented; `{"message": …}` is this emulator's choice. The answer is the FLUX.1
//! `aiRecord` shape for every model [I].

use super::files::Files;
use super::knobs::Knobs;
use super::table::Table;
use super::{check, mount_url, picture, replicate_ratio_size};
use axum::extract::{Multipart, OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct OneMin {
    files: Files,
    /// Asset key → image size, for `image_prompt`.
    assets: Arc<Mutex<Table<(u32, u32)>>>,
}

pub fn router<S: Clone + Send + Sync + 'static>(files: Files) -> Router<S> {
    Router::new()
        .route("/api/assets", post(upload))
        .route("/api/features", post(features))
        .with_state(OneMin { files, assets: Arc::default() })
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message}))).into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("api-key").and_then(|v| v.to_str().ok()).is_some_and(|k| !k.trim().is_empty())
}

async fn upload(State(state): State<OneMin>, headers: HeaderMap, mut form: Multipart) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() != Some("asset") {
            continue;
        }
        let original = field.file_name().unwrap_or("upload").to_owned();
        let mimetype = field.content_type().unwrap_or("application/octet-stream").to_owned();
        let Ok(bytes) = field.bytes().await else {
            return error(StatusCode::BAD_REQUEST, "could not read the asset");
        };
        // The header is enough to know the size; nothing is decoded, so no upload is a bomb here.
        let size = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .ok()
            .filter(|r| r.format().is_some())
            .and_then(|r| r.into_dimensions().ok());
        let Some(size) = size else {
            return error(StatusCode::BAD_REQUEST, "the asset is not an image");
        };
        let key = format!("images/{}_{original}", uuid::Uuid::new_v4().simple());
        state.assets.lock().expect("assets lock").insert(key.clone(), size);
        return Json(json!({
            "asset": {
                "fieldname": "asset", "originalname": original, "encoding": "7bit", "mimetype": mimetype,
                "size": bytes.len(), "bucket": "asset.1min.ai", "key": key, "acl": "private",
                "contentType": "application/octet-stream", "storageClass": "STANDARD", "metadata": {}
            },
            "fileContent": {"path": key},
        }))
        .into_response();
    }
    error(StatusCode::BAD_REQUEST, "multipart part `asset` is required")
}

const KNOWN: &[&str] = &[
    "prompt",
    "image_prompt",
    "aspect_ratio",
    "prompt_strength",
    "num_inference_steps",
    "guidance",
    "seed",
    "output_quality",
    "disable_safety_checker",
    "go_fast",
    "megapixels",
];

fn validate(p: &Map<String, Value>) -> Result<(), String> {
    check::known(p, KNOWN)?;
    check::prompt(p)?;
    check::one_of(p, "aspect_ratio", &["1:1", "16:9", "9:16", "3:2", "2:3", "4:5", "5:4", "custom"])?;
    check::number(p, "prompt_strength", 0.0, 1.0, false)?;
    check::number(p, "num_inference_steps", 1.0, 50.0, true)?;
    check::number(p, "guidance", 0.0, 50.0, false)?;
    check::number(p, "seed", 0.0, 4_294_967_295.0, true)?;
    check::number(p, "output_quality", 0.0, 100.0, true)?;
    check::boolean(p, "disable_safety_checker")?;
    check::boolean(p, "go_fast")?;
    check::one_of(p, "megapixels", &["0.25", "1", "2"])
}

async fn features(
    State(state): State<OneMin>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    let knobs = Knobs::from_headers(&headers);
    knobs.delay().await;
    if let Some(status) = knobs.status {
        return error(status, "forced by the emulator's status knob");
    }
    answer(&state, &headers, &original, &uri, &body)
}

/// The FLUX.2 models 1min.ai documents as generator and editor.
const FLUX2: &[&str] = &[
    "black-forest-labs/flux-2-pro",
    "black-forest-labs/flux-2-flex",
    "black-forest-labs/flux-2-max",
    "black-forest-labs/flux-2-dev",
];
const RATIOS: &[&str] = &["1:1", "16:9", "9:16", "3:2", "2:3", "4:5", "5:4"];

/// A FLUX.2 `promptObject` as §5.1 lists it: pro, flex and max share one set; [dev] has
/// Replicate's FLUX.1 dev set without a ratio; the editor adds `imageUrl`.
fn validate_flux2(dev: bool, editor: bool, p: &Map<String, Value>) -> Result<(), String> {
    let mut known: Vec<&str> = if dev {
        vec![
            "prompt",
            "output_format",
            "num_inference_steps",
            "guidance",
            "prompt_strength",
            "go_fast",
            "megapixels",
            "disable_safety_checker",
            "seed",
        ]
    } else {
        vec![
            "prompt",
            "aspect_ratio",
            "output_format",
            "output_quality",
            "steps",
            "guidance",
            "safety_tolerance",
            "prompt_upsampling",
            "seed",
        ]
    };
    if editor {
        known.push("imageUrl");
        if !p.get("imageUrl").is_some_and(Value::is_string) {
            return Err("imageUrl is required for IMAGE_EDITOR".into());
        }
    }
    check::known(p, &known)?;
    check::prompt(p)?;
    check::number(p, "seed", 0.0, f64::MAX, true)?;
    if dev {
        check::one_of(p, "output_format", &["webp", "jpg", "png"])?;
        check::number(p, "num_inference_steps", 1.0, 50.0, true)?;
        check::number(p, "guidance", 0.0, 10.0, false)?;
        check::number(p, "prompt_strength", 0.0, 1.0, false)?;
        check::boolean(p, "go_fast")?;
        check::boolean(p, "disable_safety_checker")?;
        return check::one_of(p, "megapixels", &["0.25", "1"]);
    }
    let with_input: Vec<&str> = std::iter::once("match_input_image").chain(RATIOS.iter().copied()).collect();
    check::one_of(p, "aspect_ratio", if editor { &with_input } else { RATIOS })?;
    check::one_of(p, "output_format", &["jpg", "png"])?;
    check::number(p, "output_quality", 0.0, 100.0, true)?;
    check::number(p, "steps", 15.0, 50.0, true)?;
    check::number(p, "guidance", 2.0, 5.0, false)?;
    check::number(p, "safety_tolerance", 1.0, 6.0, true)?;
    check::boolean(p, "prompt_upsampling")
}

fn flux2(state: &OneMin, asked: Asked<'_>, (kind, model): (&str, &str), p: &Map<String, Value>) -> Response {
    let (dev, editor) = (model.ends_with("flux-2-dev"), kind == "IMAGE_EDITOR");
    if let Err(message) = validate_flux2(dev, editor, p) {
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let input = match p.get("imageUrl").and_then(Value::as_str) {
        None => None,
        Some(key) => match state.assets.lock().expect("assets lock").get(key).copied() {
            Some(size) => Some(size),
            None => return error(StatusCode::BAD_REQUEST, "imageUrl is not an uploaded asset"),
        },
    };
    // About 1 MP: by the ratio, else the input's shape, else square.
    let ratio = p.get("aspect_ratio").and_then(Value::as_str).filter(|r| *r != "match_input_image");
    let shape = ratio.and_then(picture::ratio).or(input.map(|(w, h)| (f64::from(w), f64::from(h))));
    let mp = if p.get("megapixels").and_then(Value::as_str) == Some("0.25") { 0.25 } else { 1.05 };
    let (w, h) = picture::shaped(mp, shape.unwrap_or((1.0, 1.0)));
    let format = match p.get("output_format").and_then(Value::as_str).unwrap_or(if dev { "webp" } else { "png" }) {
        "jpg" => ImageFormat::Jpeg,
        "png" => ImageFormat::Png,
        _ => ImageFormat::WebP,
    };
    record(state, asked, (kind, model), p, (w, h, format))
}

fn answer(state: &OneMin, headers: &HeaderMap, original: &OriginalUri, uri: &Uri, body: &Value) -> Response {
    if !authorised(headers) {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    let model = body.get("model").and_then(Value::as_str).unwrap_or_default();
    if kind != "IMAGE_GENERATOR" && kind != "IMAGE_EDITOR" {
        return error(StatusCode::BAD_REQUEST, "type must be IMAGE_GENERATOR or IMAGE_EDITOR");
    }
    let Some(prompt_object) = body.get("promptObject").and_then(Value::as_object) else {
        return error(StatusCode::BAD_REQUEST, "promptObject is required");
    };
    if FLUX2.contains(&model) {
        return flux2(state, (headers, original, uri), (kind, model), prompt_object);
    }
    if kind != "IMAGE_GENERATOR" || model != "black-forest-labs/flux-dev" {
        return error(StatusCode::BAD_REQUEST, &format!("unknown model for {kind}"));
    }
    if let Err(message) = validate(prompt_object) {
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let reference = match prompt_object.get("image_prompt").map(|v| v.as_str().unwrap_or_default()) {
        None => None,
        Some(key) => match state.assets.lock().expect("assets lock").get(key).copied() {
            Some(size) => Some(size),
            None => return error(StatusCode::BAD_REQUEST, "image_prompt is not an uploaded asset"),
        },
    };
    let ratio = prompt_object.get("aspect_ratio").and_then(Value::as_str).unwrap_or("1:1");
    let (mut w, mut h) = replicate_ratio_size(ratio).unwrap_or((1024, 1024));
    // With an input image the output takes its aspect ratio (Replicate's behaviour, §6.1).
    if let Some((rw, rh)) = reference {
        let scale = (1024.0 * 1024.0 / (f64::from(rw) * f64::from(rh))).sqrt();
        (w, h) =
            ((f64::from(rw) * scale / 16.0).round() as u32 * 16, (f64::from(rh) * scale / 16.0).round() as u32 * 16);
    }
    match prompt_object.get("megapixels").and_then(Value::as_str) {
        Some("0.25") => (w, h) = (w / 2, h / 2),
        Some("2") => (w, h) = ((f64::from(w) * 1.414 / 16.0) as u32 * 16, (f64::from(h) * 1.414 / 16.0) as u32 * 16),
        _ => {}
    }
    record(
        state,
        (headers, original, uri),
        ("IMAGE_GENERATOR", "black-forest-labs/flux-dev"),
        prompt_object,
        (w, h, ImageFormat::WebP),
    )
}

type Asked<'a> = (&'a HeaderMap, &'a OriginalUri, &'a Uri);

/// The `aiRecord` answer with an image of `w`×`h` in `format`.
fn record(
    state: &OneMin,
    (headers, original, uri): Asked<'_>,
    (kind, model): (&str, &str),
    prompt_object: &Map<String, Value>,
    (w, h, format): (u32, u32, ImageFormat),
) -> Response {
    let (w, h) = picture::bounded(w, h);
    let prompt = prompt_object.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let seed = prompt_object.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(..1 << 32));
    let (ext, content_type) = match format {
        ImageFormat::Png => ("png", "image/png"),
        ImageFormat::Jpeg => ("jpg", "image/jpeg"),
        _ => ("webp", "image/webp"),
    };
    let bytes = picture::image(prompt, seed, w, h, format);
    let name = state.files.put(ext, content_type, Bytes::from(bytes));
    let base = mount_url(headers, original, uri, "/1min");
    let now =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    Json(json!({
        "aiRecord": {
            "uuid": uuid::Uuid::new_v4().to_string(),
            "userId": "emulated-user",
            "teamId": "emulated-team",
            "model": model,
            "type": kind,
            "status": "SUCCESS",
            "createdAt": now,
            "aiRecordDetail": {"promptObject": prompt_object, "resultObject": [format!("development/images/{name}")]},
            "temporaryUrl": format!("{base}/files/{name}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600"),
        }
    }))
    .into_response()
}

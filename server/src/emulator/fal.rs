//! fal.ai emulator (providers.md §5, §8.5; providers-flux2-flux3.md §3, §7): the
//! synchronous route `POST /<endpoint id>`, and the queue under `/queue`: submit on the
//! full id, status/result/cancel on its owner/app (`fal-ai/flux`, `fal-ai/flux-2-pro`,
//! `blackforestlabs/flux-3`). Each endpoint's schema and output shape is in [`SPECS`]. Status answers 202
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
use axum::routing::post;
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
    spec: &'static Spec,
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
        .route("/queue/{*path}", post(submit).get(queued).put(cancel))
        .route("/{*id}", post(sync))
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

/// How an endpoint's output looks (providers-flux2-flux3.md §7).
#[derive(Clone, Copy, PartialEq)]
enum Output {
    /// FLUX.1 and the FLUX.2 [dev]/[klein] family: images, seed, prompt, NSFW flags, timings.
    Full,
    /// The BFL-hosted tiers (pro, max, flex): `{images, seed}` only.
    Tier,
    /// FLUX 3: `{images}` only.
    Images,
}

/// How an endpoint sizes its output.
#[derive(Clone, Copy, PartialEq)]
enum Sizing {
    /// `image_size` (a preset or `{width, height}`); `auto` or none on an edit: the first
    /// reference's size; none otherwise: `landscape_4_3`.
    ImageSize,
    /// `aspect_ratio` at a FLUX 3 `resolution` class (`auto`: image 1's shape, 1:1 without).
    Flux3,
    /// `aspect_ratio` at about 1 MP (Kontext).
    Ratio,
}

enum Rule {
    Prompt,
    Integer(f64, f64),
    Number(f64, f64),
    Bool,
    Enum(&'static [&'static str]),
    /// `image_size` with custom sides in range; `auto` only where allowed.
    ImageSize {
        min: u64,
        max: u64,
        auto: bool,
    },
    /// `image_urls`: 1 to `max` URLs or data URIs, each at least `min_side` px and at most
    /// `max_pixels` where the reference says so. ([dev] edits read the first 4, silently.)
    Urls {
        max: usize,
        min_side: u32,
        max_pixels: u64,
    },
    /// `loras`: up to 3 `{path, scale}`.
    Loras,
}

struct Spec {
    /// The endpoint id, e.g. `fal-ai/flux-2-pro/edit`.
    id: &'static str,
    /// Its fields, in runs shared between endpoints.
    fields: &'static [&'static [(&'static str, Rule)]],
    output: Output,
    sizing: Sizing,
    formats: &'static [&'static str],
    default_format: &'static str,
}

const PRESETS: &[(&str, u32, u32)] = &[
    ("square_hd", 1024, 1024),
    ("square", 512, 512),
    ("portrait_4_3", 768, 1024),
    ("portrait_16_9", 576, 1024),
    ("landscape_4_3", 1024, 768),
    ("landscape_16_9", 1024, 576),
];
const JPEG_PNG: &[&str] = &["jpeg", "png"];
const WITH_WEBP: &[&str] = &["jpeg", "png", "webp"];
const ACCELERATION: &[&str] = &["none", "regular", "high"];
const TOLERANCE_5: &[&str] = &["1", "2", "3", "4", "5"];
const TOLERANCE_6: &[&str] = &["1", "2", "3", "4", "5", "6"];
const KONTEXT_RATIOS: &[&str] = &["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"];
/// FLUX 3 on fal: the stored page's list, then 9:16 and 1:2; no 9:21 (§3.4).
const FLUX3_RATIOS: &[&str] =
    &["auto", "21:9", "2:1", "16:9", "3:2", "7:5", "4:3", "5:4", "1:1", "4:5", "3:4", "5:7", "2:3", "9:16", "1:2"];
const FLUX3_RESOLUTIONS: &[(&str, f64)] =
    &[("512sq", 0.262), ("768sq", 0.59), ("1k", 1.05), ("2k", 4.19), ("4k", 16.0)];
const FLUX3_CLASSES: &[&str] = &["512sq", "768sq", "1k", "2k", "4k"];

const PROMPT: (&str, Rule) = ("prompt", Rule::Prompt);
const SEED: (&str, Rule) = ("seed", Rule::Integer(f64::MIN, f64::MAX));
const SYNC: (&str, Rule) = ("sync_mode", Rule::Bool);
const CHECKER: (&str, Rule) = ("enable_safety_checker", Rule::Bool);
const COUNT: (&str, Rule) = ("num_images", Rule::Integer(1.0, 4.0));
const EXPANSION: (&str, Rule) = ("enable_prompt_expansion", Rule::Bool);
const NO_LIMIT: u64 = u64::MAX;

/// A run of fields several endpoints share.
type Fields = &'static [(&'static str, Rule)];

/// The BFL-hosted tiers (§3.1): no documented side limits; BFL's 64 minimum and 4 MP.
const fn tier(id: &'static str, edit: bool, flex: bool) -> Spec {
    const BASE: Fields = &[
        PROMPT,
        SEED,
        ("safety_tolerance", Rule::Enum(TOLERANCE_5)),
        CHECKER,
        ("output_format", Rule::Enum(JPEG_PNG)),
        SYNC,
    ];
    const SIZE: Fields = &[("image_size", Rule::ImageSize { min: 64, max: 4096, auto: false })];
    /// `auto` is for edits only.
    const EDIT: Fields = &[
        ("image_urls", Rule::Urls { max: 64, min_side: 0, max_pixels: NO_LIMIT }),
        ("image_size", Rule::ImageSize { min: 64, max: 4096, auto: true }),
    ];
    const FLEX: Fields =
        &[("guidance_scale", Rule::Number(1.5, 10.0)), ("num_inference_steps", Rule::Integer(1.0, 50.0))];
    let fields: &[Fields] = match (edit, flex) {
        (false, false) => &[BASE, SIZE],
        (true, false) => &[BASE, EDIT],
        (false, true) => &[BASE, SIZE, FLEX],
        (true, true) => &[BASE, EDIT, FLEX],
    };
    Spec { id, fields, output: Output::Tier, sizing: Sizing::ImageSize, formats: JPEG_PNG, default_format: "jpeg" }
}

/// FLUX.2 [dev] (§3.2) and [klein] (§3.3); edits read only the first 4 `image_urls`.
const fn dev(id: &'static str, fields: &'static [Fields]) -> Spec {
    Spec { id, fields, output: Output::Full, sizing: Sizing::ImageSize, formats: WITH_WEBP, default_format: "png" }
}
const DEV_SIZE: (&str, Rule) = ("image_size", Rule::ImageSize { min: 512, max: 2048, auto: false });
const LORAS: Fields = &[("loras", Rule::Loras)];
const DEV_URLS: Fields = &[("image_urls", Rule::Urls { max: 64, min_side: 0, max_pixels: NO_LIMIT })];
const DEV: Fields = &[
    PROMPT,
    DEV_SIZE,
    COUNT,
    ("num_inference_steps", Rule::Integer(4.0, 50.0)),
    ("guidance_scale", Rule::Number(0.0, 20.0)),
    ("acceleration", Rule::Enum(ACCELERATION)),
    EXPANSION,
    CHECKER,
    ("output_format", Rule::Enum(WITH_WEBP)),
    SEED,
    SYNC,
];
const KLEIN: Fields = &[
    PROMPT,
    SEED,
    ("num_inference_steps", Rule::Integer(4.0, 8.0)),
    DEV_SIZE,
    COUNT,
    CHECKER,
    ("output_format", Rule::Enum(WITH_WEBP)),
    SYNC,
];

/// FLUX 3 (§3.4): no seed, no count; edits take 1–10 references of ≥ 256 px and ≤ 4 MP.
const fn flux3(id: &'static str, edit: bool) -> Spec {
    const BASE: Fields = &[
        PROMPT,
        ("aspect_ratio", Rule::Enum(FLUX3_RATIOS)),
        ("resolution", Rule::Enum(FLUX3_CLASSES)),
        ("safety_tolerance", Rule::Integer(0.0, 4.0)),
        EXPANSION,
        ("output_format", Rule::Enum(JPEG_PNG)),
        SYNC,
        ("version", Rule::Enum(&["latest"])),
    ];
    const URLS: Fields = &[("image_urls", Rule::Urls { max: 10, min_side: 256, max_pixels: 4 << 20 })];
    let fields: &[Fields] = if edit { &[BASE, URLS] } else { &[BASE] };
    Spec { id, fields, output: Output::Images, sizing: Sizing::Flux3, formats: JPEG_PNG, default_format: "jpeg" }
}

const KONTEXT_MULTI: Fields = &[
    PROMPT,
    ("image_urls", Rule::Urls { max: 64, min_side: 0, max_pixels: NO_LIMIT }),
    ("aspect_ratio", Rule::Enum(KONTEXT_RATIOS)),
    ("guidance_scale", Rule::Number(1.0, 20.0)),
    COUNT,
    ("output_format", Rule::Enum(JPEG_PNG)),
    ("safety_tolerance", Rule::Enum(TOLERANCE_6)),
    ("enhance_prompt", Rule::Bool),
    SEED,
    SYNC,
];

/// Every endpoint the emulator serves, from the reference (§3, §7), not from the catalog.
const SPECS: &[Spec] = &[
    Spec {
        id: "fal-ai/flux/dev",
        fields: &[&[
            PROMPT,
            ("image_size", Rule::ImageSize { min: 1, max: 14142, auto: false }),
            ("num_inference_steps", Rule::Integer(1.0, 50.0)),
            SEED,
            ("guidance_scale", Rule::Number(1.0, 20.0)),
            COUNT,
            CHECKER,
            ("output_format", Rule::Enum(JPEG_PNG)),
            ("acceleration", Rule::Enum(ACCELERATION)),
            SYNC,
        ]],
        output: Output::Full,
        sizing: Sizing::ImageSize,
        formats: JPEG_PNG,
        default_format: "jpeg",
    },
    tier("fal-ai/flux-2-pro", false, false),
    tier("fal-ai/flux-2-pro/edit", true, false),
    tier("fal-ai/flux-2-max", false, false),
    tier("fal-ai/flux-2-max/edit", true, false),
    tier("fal-ai/flux-2-flex", false, true),
    tier("fal-ai/flux-2-flex/edit", true, true),
    dev("fal-ai/flux-2", &[DEV]),
    dev("fal-ai/flux-2/edit", &[DEV, DEV_URLS]),
    dev("fal-ai/flux-2/lora", &[DEV, LORAS]),
    dev("fal-ai/flux-2/lora/edit", &[DEV, DEV_URLS, LORAS]),
    dev("fal-ai/flux-2/klein/4b", &[KLEIN]),
    dev("fal-ai/flux-2/klein/4b/edit", &[KLEIN, DEV_URLS]),
    dev("fal-ai/flux-2/klein/9b", &[KLEIN]),
    dev("fal-ai/flux-2/klein/9b/edit", &[KLEIN, DEV_URLS]),
    Spec {
        id: "fal-ai/flux-pro/kontext/multi",
        fields: &[KONTEXT_MULTI],
        output: Output::Full,
        sizing: Sizing::Ratio,
        formats: JPEG_PNG,
        default_format: "jpeg",
    },
    flux3("blackforestlabs/flux-3/text-to-image", false),
    flux3("blackforestlabs/flux-3/edit-image", true),
];

fn spec(id: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.id == id)
}

/// The owner/app part of an endpoint id, where its queue's status and result URLs live.
fn app_of(id: &str) -> &str {
    let mut cut = id.match_indices('/').map(|(i, _)| i);
    cut.nth(1).map_or(id, |i| &id[..i])
}

impl Spec {
    fn rules(&self) -> impl Iterator<Item = &(&'static str, Rule)> {
        self.fields.iter().flat_map(|run| run.iter())
    }
}

fn is_edit(spec: &Spec) -> bool {
    spec.rules().any(|(k, _)| *k == "image_urls")
}

fn check(spec: &Spec, body: &Map<String, Value>) -> Result<(), (String, String)> {
    if let Some(k) = body.keys().find(|k| !spec.rules().any(|(f, _)| f == k)) {
        return Err(("body".into(), format!("unknown parameter: {k}")));
    }
    for (key, rule) in spec.rules() {
        let fail = |m: String| ((*key).to_owned(), m);
        let Some(value) = body.get(*key) else {
            if matches!(rule, Rule::Prompt | Rule::Urls { .. }) {
                return Err(fail("field required".into()));
            }
            continue;
        };
        check_rule(body, key, rule, value).map_err(fail)?;
    }
    Ok(())
}

/// `value` is `body[key]`: the shared checks read it from the body.
fn check_rule(body: &Map<String, Value>, key: &str, rule: &Rule, value: &Value) -> Result<(), String> {
    match rule {
        Rule::Prompt => check::prompt(body).map(|_| ()),
        Rule::Integer(min, max) => check::number(body, key, *min, *max, true),
        Rule::Number(min, max) => check::number(body, key, *min, *max, false),
        Rule::Bool => check::boolean(body, key),
        Rule::Enum(values) => check::one_of(body, key, values),
        Rule::ImageSize { min, max, auto } => match value {
            Value::String(name) if PRESETS.iter().any(|p| p.0 == name) => Ok(()),
            Value::String(name) if name == "auto" && *auto => Ok(()),
            Value::Object(o) => {
                let side = |k: &str| o.get(k).and_then(Value::as_u64).filter(|v| (*min..=*max).contains(v));
                match (side("width"), side("height")) {
                    (Some(w), Some(h)) if w * h <= MAX_PIXELS => Ok(()),
                    (Some(_), Some(_)) => Err("the emulator renders at most 16 megapixels".into()),
                    _ => Err(format!("width and height must be integers from {min} to {max}")),
                }
            }
            _ => Err("image_size must be a preset or {width, height}".into()),
        },
        Rule::Urls { max, min_side, max_pixels, .. } => {
            let Value::Array(items) = value else { return Err("image_urls must be a list".into()) };
            if items.is_empty() || items.len() > *max {
                return Err(format!("image_urls takes 1 to {max} images"));
            }
            for (i, item) in items.iter().enumerate() {
                let url = item.as_str().unwrap_or_default();
                if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with("data:image/")) {
                    return Err(format!("image {} is not a URL or data URI", i + 1));
                }
                if let Some((w, h)) = data_size(url) {
                    if w < *min_side || h < *min_side {
                        return Err(format!("image {} is {w}×{h}; each side must be at least {min_side}", i + 1));
                    }
                    if u64::from(w) * u64::from(h) > *max_pixels {
                        return Err(format!("image {} is over {} megapixels", i + 1, max_pixels >> 20));
                    }
                }
            }
            Ok(())
        }
        Rule::Loras => match value {
            Value::Array(items) if items.len() <= 3 => items.iter().try_for_each(|l| {
                let path = l.get("path").and_then(Value::as_str).is_some_and(|p| !p.is_empty());
                let scale = l.get("scale").is_none_or(|s| s.as_f64().is_some_and(|s| (0.0..=4.0).contains(&s)));
                (path && scale).then_some(()).ok_or_else(|| "each LoRA needs a path and a scale from 0 to 4".into())
            }),
            _ => Err("loras takes at most 3".into()),
        },
    }
}

/// A `data:` URI's image size, read from its header; `None` for a URL (never fetched).
fn data_size(url: &str) -> Option<(u32, u32)> {
    let (_, data) = url.strip_prefix("data:")?.split_once(";base64,")?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).ok()?;
    image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?.into_dimensions().ok()
}

fn first_reference(body: &Map<String, Value>) -> Option<(u32, u32)> {
    body.get("image_urls")?.as_array()?.first()?.as_str().and_then(data_size)
}

/// The output size the request asks for (bounded to what the emulator renders).
fn size(spec: &Spec, body: &Map<String, Value>) -> (u32, u32) {
    let shape = |mp: f64| {
        let ratio = body.get("aspect_ratio").and_then(Value::as_str).and_then(picture::ratio);
        let auto = first_reference(body).map(|(w, h)| (f64::from(w), f64::from(h)));
        picture::shaped(mp, ratio.or(auto).unwrap_or((1.0, 1.0)))
    };
    let (w, h) = match spec.sizing {
        Sizing::Flux3 => {
            let class = body.get("resolution").and_then(Value::as_str).unwrap_or("1k");
            shape(FLUX3_RESOLUTIONS.iter().find(|r| r.0 == class).map_or(1.05, |r| r.1))
        }
        Sizing::Ratio => shape(1.05),
        Sizing::ImageSize => match body.get("image_size") {
            Some(Value::String(name)) if name != "auto" => {
                PRESETS.iter().find(|p| p.0 == name).map_or((1024, 768), |p| (p.1, p.2))
            }
            Some(Value::Object(o)) => {
                let side = |k: &str| o.get(k).and_then(Value::as_u64).map_or(1024, |v| v as u32);
                (side("width"), side("height"))
            }
            _ if is_edit(spec) => first_reference(body).unwrap_or((1024, 1024)),
            _ => (1024, 768),
        },
    };
    picture::bounded(w, h)
}

/// A request both generation routes accept: its knobs, endpoint and input.
type Accepted<'a> = (Knobs, &'static Spec, &'a Map<String, Value>);

/// What both generation routes check before any work: the key, the endpoint, then the input.
fn accept<'a>(headers: &HeaderMap, id: &str, body: &'a Value) -> Result<Accepted<'a>, Box<Response>> {
    let knobs = admit(headers)?;
    let spec = spec(id)
        .ok_or_else(|| Box::new(detail(StatusCode::NOT_FOUND, json!(format!("Application '{id}' not found")))))?;
    let body = body.as_object().ok_or_else(|| Box::new(unprocessable("body", "Input should be an object")))?;
    check(spec, body).map_err(|(field, msg)| Box::new(unprocessable(&field, &msg)))?;
    Ok((knobs, spec, body))
}

/// The model's output JSON, in the endpoint's own shape.
fn render(fal: &Fal, spec: &Spec, body: &Map<String, Value>, base: &str) -> Value {
    let (w, h) = size(spec, body);
    let prompt = body.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let seed = body.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(..1 << 31));
    let count = body.get("num_images").and_then(Value::as_u64).unwrap_or(1);
    let asked = body.get("output_format").and_then(Value::as_str).filter(|f| spec.formats.contains(f));
    let (format, ext, content_type) = match asked.unwrap_or(spec.default_format) {
        "png" => (ImageFormat::Png, "png", "image/png"),
        "webp" => (ImageFormat::WebP, "webp", "image/webp"),
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
    let expanded = body.get("enable_prompt_expansion").and_then(Value::as_bool).unwrap_or(true);
    let ran = if expanded && spec.id.starts_with("fal-ai/flux-2") {
        format!("{prompt}, rendered in crisp detail with balanced natural light")
    } else {
        prompt.to_owned()
    };
    match spec.output {
        Output::Images => json!({"images": images}),
        Output::Tier => json!({"images": images, "seed": seed}),
        Output::Full => json!({
            "images": images,
            "timings": {"inference": 0.05},
            "seed": seed,
            "has_nsfw_concepts": vec![false; count as usize],
            "prompt": ran,
        }),
    }
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
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let (knobs, spec, body) = match accept(&headers, &id, &body) {
        Ok(accepted) => accepted,
        Err(r) => return *r,
    };
    knobs.delay().await;
    if knobs.moderated {
        return content_policy_violation();
    }
    let base = mount_url(&headers, &original, &uri, "/fal");
    let id = uuid::Uuid::new_v4().to_string();
    (request_id_header(&id), Json(render(&fal, spec, body, &base))).into_response()
}

/// The queue's URLs for request `id` of endpoint `spec`: on its owner/app, as fal's are.
fn urls(base: &str, spec: &Spec, id: &str) -> Value {
    let at = format!("{base}/fal/queue/{}/requests/{id}", app_of(spec.id));
    json!({"request_id": id, "response_url": at, "status_url": format!("{at}/status"), "cancel_url": format!("{at}/cancel")})
}

async fn submit(
    State(fal): State<Fal>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Path(path): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let (knobs, spec, body) = match accept(&headers, &path, &body) {
        Ok(accepted) => accepted,
        Err(r) => return *r,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let ready_after = if knobs.never_ready { None } else { Some(knobs.latency.unwrap_or(Duration::from_millis(600))) };
    let mut queue = fal.queue.lock().expect("queue lock");
    let position = queue.values().filter(|q| q.output.is_none()).count();
    let queued = Queued {
        spec,
        started: Instant::now(),
        ready_after,
        body: body.clone(),
        output: None,
        moderated: knobs.moderated,
    };
    queue.insert(id.clone(), queued);
    let mut ticket = urls(&mount_url(&headers, &original, &uri, "/fal"), spec, &id);
    let extra = json!({"status": "IN_QUEUE", "queue_position": position});
    ticket.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    (request_id_header(&id), Json(ticket)).into_response()
}

/// A queue GET: `<owner>/<app>/requests/<id>/status` or `<owner>/<app>/requests/<id>`.
fn request_in(path: &str) -> Option<(&str, &str, bool)> {
    let (app, rest) = path.split_once("/requests/")?;
    match rest.strip_suffix("/status") {
        Some(id) => Some((app, id, true)),
        None => Some((app, rest.strip_suffix("/cancel").unwrap_or(rest), false)),
    }
}

async fn queued(
    State(fal): State<Fal>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    Path(path): Path<String>,
) -> Response {
    if let Err(r) = admit(&headers) {
        return *r;
    }
    let not_found = || detail(StatusCode::NOT_FOUND, json!("Request not found"));
    let Some((app, id, status)) = request_in(&path) else { return not_found() };
    let base = mount_url(&headers, &original, &uri, "/fal");
    let mut queue = fal.queue.lock().expect("queue lock");
    // Status and result live on the request's owner/app only.
    let Some(entry) = queue.get_mut(id).filter(|q| app_of(q.spec.id) == app) else { return not_found() };
    if status {
        return status_of(&fal, entry, &base, id);
    }
    let completed = entry.ready_after.is_some_and(|ready| entry.started.elapsed() >= ready);
    if entry.moderated && completed {
        return content_policy_violation();
    }
    match entry.output.clone() {
        Some(output) => (request_id_header(id), Json(output)).into_response(),
        None => detail(StatusCode::BAD_REQUEST, json!("Request is still in progress")),
    }
}

fn status_of(fal: &Fal, entry: &mut Queued, base: &str, id: &str) -> Response {
    let common = urls(base, entry.spec, id);
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
                entry.output = Some(render(fal, entry.spec, &entry.body, base));
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

async fn cancel(State(fal): State<Fal>, headers: HeaderMap, Path(path): Path<String>) -> Response {
    if let Err(r) = admit(&headers) {
        return *r;
    }
    let Some((app, id, _)) = request_in(&path) else {
        return detail(StatusCode::NOT_FOUND, json!("Request not found"));
    };
    let mut queue = fal.queue.lock().expect("queue lock");
    if queue.get(id).is_none_or(|q| app_of(q.spec.id) != app) {
        return detail(StatusCode::NOT_FOUND, json!("Request not found"));
    }
    queue.remove(id);
    (StatusCode::ACCEPTED, Json(json!({"status": "CANCELLATION_REQUESTED"}))).into_response()
}
